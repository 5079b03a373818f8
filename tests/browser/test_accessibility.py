"""axe-core (bundled by axe-playwright-python) on every view of both apps: no serious or
critical violation. And what axe cannot see: a focus ring on every control a keyboard reaches.

A failure prints each violation's rule id, impact, what it means and the elements (CSS
selectors) it was found on, view by view, so the fix can start from the message.
"""
from __future__ import annotations

import pytest

from views import (PRACTICE_VIEWS, REVIEW_VIEWS, new_page, practice_views, review_views,
                   served_review_app)

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    with served_review_app(tmp_path_factory.mktemp("review")) as server:
        yield server


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def describe(view: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"[{view}] {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())[:240]
            lines.append(f"    {' '.join(map(str, node['target']))}  -- {summary}")
    return lines


def audit(page, walk, server) -> tuple[list[str], list[str]]:
    seen, problems = [], []
    for view in walk(page, server):
        seen.append(view)
        problems += describe(view, [v for v in axe_violations(page) if v["impact"] in BLOCKING])
    return seen, problems


def test_no_view_of_the_practice_app_has_a_serious_violation(browser, voila_server):
    with new_page(browser) as page:
        seen, problems = audit(page, practice_views, voila_server)
        assert page.title() == "Rupture repair practice"
    assert seen == list(PRACTICE_VIEWS)
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def test_no_view_of_the_review_app_has_a_serious_violation(browser, review_server):
    with new_page(browser) as page:
        seen, problems = audit(page, review_views, review_server)
        assert page.title() == "Rupture review"
    assert seen == list(REVIEW_VIEWS)
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def test_the_audit_reports_a_violation_it_is_shown(browser, voila_server):
    """The check can fail: a button without a name and white-on-yellow text are reported."""
    with new_page(browser) as page:
        page.goto(voila_server.app_url)
        page.get_by_role("textbox", name="Your name").wait_for()
        page.evaluate("""() => {
            const b = document.createElement('button'); b.id = 'rw-nameless';
            const p = document.createElement('p'); p.id = 'rw-faint'; p.textContent = 'faint';
            p.style.cssText = 'color:#fff;background:#ff0';
            document.querySelector('#rendered_cells').append(b, p); }""")
        found = {v["id"]: v for v in axe_violations(page) if v["impact"] in BLOCKING}
    assert {"button-name", "color-contrast"} <= set(found)
    assert describe("name-box", [found["button-name"]])[1].strip().startswith("#rw-nameless")


FOCUS_JS = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  const lum = (c) => { const m = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
  const page = lum(getComputedStyle(document.body).backgroundColor.replace('rgba(0, 0, 0, 0)',
                                                                       'rgb(255,255,255)'));
  const ring = lum(s.outlineColor);
  return {what: el.tagName + (el.type ? '[' + el.type + ']' : '') + ' ' +
                (el.getAttribute('aria-label') || el.textContent || el.value || '').trim()
                .slice(0, 40),
          style: s.outlineStyle, width: parseFloat(s.outlineWidth),
          contrast: (Math.max(page, ring) + 0.05) / (Math.min(page, ring) + 0.05),
          inBody: el !== document.body};
}"""


def test_every_control_a_keyboard_reaches_shows_a_focus_ring(browser, voila_server):
    """Tab through the clip page after an answer (buttons, checkboxes, a slider, inputs, a
    select, the players): each stop has an outline at least 2 px wide, 3:1 against the page."""
    with new_page(browser) as page:
        walk = practice_views(page, voila_server, trainee="Robin Focus")
        while next(walk) != "assessed":
            pass
        page.locator("body").click(position={"x": 1, "y": 1})
        stops, faint = [], []
        for _ in range(150):  # the page's stops, the players' (in their shadow DOM) included
            page.keyboard.press("Tab")
            f = page.evaluate(FOCUS_JS)
            if not f["inBody"] or (stops and stops[-1] == f["what"]):
                continue
            if len(stops) > 3 and f["what"] == stops[0]:
                break  # round the page once
            stops.append(f["what"])
            if f["style"] == "none" or f["width"] < 2 or f["contrast"] < 3:
                faint.append(f)
        # a heading the app focuses when a view opens is not a control: no ring
        page.evaluate("""() => { const h = document.createElement('h2'); h.id = 'rw-h';
            h.tabIndex = -1; h.textContent = 'A view'; document.querySelector('#rendered_cells')
            .prepend(h); h.focus(); }""")
        heading_outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    kinds = {s.split(" ")[0].split("[")[0] for s in stops} | {s.split(" ")[0] for s in stops}
    assert {"BUTTON", "INPUT[checkbox]", "TEXTAREA"} <= kinds, stops
    assert not faint, "controls without a visible focus ring:\n" + "\n".join(map(str, faint))
    assert heading_outline == "none"
