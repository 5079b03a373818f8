"""A phone's width (400 x 800): on every view of both apps, no control is clipped, checked by
element geometry (browser_support.clipped_controls): nothing beyond the viewport, no label
cut, no control over another, no text one word wide, the page never scrolls sideways."""
from __future__ import annotations

import pytest

from browser_support import clipped_controls
from views import (PRACTICE_VIEWS, REVIEW_VIEWS, new_page, practice_views, review_views,
                   served_review_app)

PHONE = {"width": 400, "height": 800}


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    with served_review_app(tmp_path_factory.mktemp("review")) as server:
        yield server


def check_each_view(browser, server, walk) -> tuple[list[str], list[str]]:
    seen, problems = [], []
    with new_page(browser, **PHONE) as page:
        for view in walk(page, server):
            seen.append(view)
            page.wait_for_timeout(300)  # a resize observer or an image may still move things
            problems += [f"[{view}] {c}" for c in clipped_controls(page)]
    return seen, problems


def test_no_practice_view_clips_a_control_at_400px(browser, voila_server):
    seen, problems = check_each_view(browser, voila_server, practice_views)
    assert seen == list(PRACTICE_VIEWS)
    assert not problems, "clipped at 400 px:\n" + "\n".join(problems)


def test_no_review_view_clips_a_control_at_400px(browser, review_server):
    seen, problems = check_each_view(browser, review_server, review_views)
    assert seen == list(REVIEW_VIEWS)
    assert not problems, "clipped at 400 px:\n" + "\n".join(problems)


def test_clipped_controls_finds_a_cut_label_and_an_overflowing_button(browser, voila_server):
    """The check can fail: an ellipsis-cut button, a button wider than the screen, a page that
    scrolls sideways, text one word wide, a text area over a button."""
    with new_page(browser, **PHONE) as page:
        page.goto(voila_server.app_url)
        page.get_by_role("textbox", name="Your name").wait_for()
        page.evaluate("""() => {
            const cut = document.createElement('button');
            cut.textContent = 'Play attempt 12 of a very long clip title';
            cut.style.cssText = 'width:80px;white-space:nowrap;overflow:hidden;' +
                                'text-overflow:ellipsis';
            const wide = document.createElement('button');
            wide.textContent = 'wide'; wide.style.cssText = 'width:600px';
            const narrow = document.createElement('div'); narrow.className = 'widget-html';
            narrow.style.cssText = 'width:60px;overflow-wrap:anywhere';
            narrow.textContent = 'Attempt 1 · 2026-12-01 · 0:02';
            const over = document.createElement('textarea'); over.id = 'rw-over';
            over.style.cssText = 'display:block;height:60px;margin-bottom:-30px';
            const under = document.createElement('button'); under.textContent = 'under';
            const box = document.createElement('div'); box.className = 'rw-box';
            box.style.cssText = 'width:200px;overflow:auto';
            box.innerHTML = '<div style="width:204px">4 px too wide</div>';
            const meant = document.createElement('div'); meant.className = 'rw-table-scroll';
            meant.style.cssText = 'width:200px;overflow:auto';
            meant.innerHTML = '<div style="width:500px">a wide table</div>';
            document.querySelector('#rendered_cells').append(cut, wide, narrow, over, under, box,
                                                             meant);
            }""")
        found = {(c["what"], c["why"]) for c in clipped_controls(page)}
    assert ('button "Play attempt 12 of a very long clip title"', "text cut (ellipsis)") in found
    assert ('button "wide"', "beyond the viewport") in found
    assert ("#rendered_cells", "scrolls sideways") in found
    assert ('div.widget-html "Attempt 1 · 2026-12-01 · 0:02"',
            "text squeezed into a narrow column") in found
    assert ('textarea ""', 'overlaps button "under"') in found
    assert ('div.rw-box "4 px too wide"', "box scrolls sideways") in found
    assert not [what for what, _ in found if "a wide table" in what]


def test_no_review_view_overlaps_a_control_at_1280px(browser, review_server):
    """At a laptop's width the rubric's labels sit beside their drop-downs in a 16 rem column;
    "Warmth, acceptance & understanding" takes two lines there, and ran into "Empathy" below
    while each row kept ipywidgets' fixed height (seen failing before rupture.css let a row grow)."""
    seen, problems = [], []
    with new_page(browser, width=1280, height=900) as page:
        for view in review_views(page, review_server):
            seen.append(view)
            page.wait_for_timeout(300)
            problems += [f"[{view}] {c}" for c in clipped_controls(page)]
    assert seen == list(REVIEW_VIEWS)
    assert not problems, "clipped at 1280 px:\n" + "\n".join(problems)
