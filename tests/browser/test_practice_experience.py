"""The practice app as a trainee meets it: the library, the place kept across a reload, focus
after each step, progress, and the attempt list's actions (Chromium against a real Voilà)."""
from __future__ import annotations

import re

from browser_support import wait_status, watch_recorder


def workbook_of(workspace, trainee):
    from rupture_widgets.workbook import Workspace

    return Workspace(workspace).workbook(trainee)


def start(page, server, name: str) -> None:
    page.goto(server.app_url)
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("textbox", name="Your name").press("Enter")
    page.get_by_role("heading", name="Choose a clip").wait_for()


def focused(page) -> str:
    """What has keyboard focus: its tag, role-ish name and text, for assertions and messages."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? `${e.tagName.toLowerCase()}|${(e.getAttribute('aria-label') || e.textContent || '').trim()}` : ''; }""")


def wait_focus(page, pattern: str) -> None:
    page.wait_for_function("""(p) => { const e = document.activeElement; if (!e) return false;
        const t = `${e.tagName.toLowerCase()}|${(e.getAttribute('aria-label') || e.textContent || '').trim()}`;
        return new RegExp(p).test(t); }""", arg=pattern, timeout=15_000)


def test_the_library_is_poster_cards_by_level_with_one_recommended_clip(page, voila_server):
    start(page, voila_server, "Card Reader")
    wait_focus(page, r"^h2\|Choose a clip$")  # focus moved to the new view's heading
    sections = page.locator(".rw-level-section .rw-section-title").all_inner_texts()
    assert [s.split(" (")[0] for s in sections] == ["Beginner", "Intermediate", "Advanced"]
    rec = page.locator(".rw-recommended .rw-clip-card")
    assert "Beginner" in rec.locator(".rw-clip-meta").inner_text()
    assert "not practised yet" in rec.locator(".rw-clip-reason").inner_text()
    # every card: a poster that loaded, a length, and one short "Practise" button
    cards = page.locator(".rw-level-section .rw-clip-card")
    assert cards.count() >= 21
    # posters load lazily: bring each into view and wait until it has decoded
    loaded = page.evaluate("""async () => { const out = [];
        for (const img of document.querySelectorAll('.rw-clip-poster')) {
          img.scrollIntoView(); try { await img.decode(); } catch (_) { /* counted below */ }
          out.push(img.naturalWidth > 0); }
        return out; }""")
    assert loaded and all(loaded), loaded
    for text in cards.locator(".rw-clip-length").all_inner_texts():
        assert re.fullmatch(r"\d+:\d\d", text)
    assert set(cards.locator("button").all_inner_texts()) == {"Practise"}


def test_a_reload_returns_to_the_same_clip_view_and_filters(page, voila_server):
    start(page, voila_server, "José O'Brien")
    # the name is taken as typed; the workbook's safe id is said once
    page.get_by_text("Practising as José O'Brien").wait_for()
    page.get_by_role("status").filter(has_text="jose.obrien").wait_for()
    page.get_by_role("combobox", name="Level").select_option(label="Intermediate")
    page.wait_for_function("location.hash.includes('level=intermediate')")
    card = page.locator(".rw-level-section .rw-clip-card").first
    title = card.locator(".rw-clip-title").inner_text()
    card.get_by_role("button").click()
    page.get_by_role("heading", name=title, level=2).wait_for()
    page.wait_for_function("location.hash.includes('view=clip')")

    page.reload()
    page.get_by_role("heading", name=title, level=2).wait_for()
    wait_focus(page, r"^h2\|" + re.escape(title))
    page.get_by_text("Practising as José O'Brien").wait_for()
    assert page.get_by_role("textbox", name="Your name").count() == 0
    page.get_by_role("button", name="Clip library").click()
    page.get_by_role("heading", name="Choose a clip").wait_for()
    assert page.get_by_role("combobox", name="Level").input_value() == "intermediate"


def test_progress_shows_markers_by_level_and_the_diary(page, voila_server, app_workspace):
    from rupture_widgets.library.catalog import load_catalog

    clip = load_catalog().clips[0]
    wb = workbook_of(app_workspace, "progress.person")
    wb.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level, duration_s=4.0)
    start(page, voila_server, "progress.person")
    page.get_by_role("button", name="My progress").click()
    wait_focus(page, r"^h2\|Your progress$")
    grid = page.get_by_role("table", name=re.compile("Attempts at each marker and level"))
    row = grid.get_by_role("row").filter(has=page.get_by_role("rowheader",
                                                            name=re.compile(f"^{clip.marker} ")))
    assert "1 practised" in row.inner_text()
    assert "1 attempt at 1 clip" in page.locator(".rw-diary").inner_text()
    page.wait_for_function("location.hash.includes('view=progress')")
