"""The ClipPlayer by keyboard in the practice app (Voilà + Chromium): its own three buttons, no
native controls (7 Tab stops), each with a name and a focus ring you can see, all operable."""
from __future__ import annotations

from browser_support import wait_captions_loaded
from test_practice_voila import open_app

# Where focus is: inside the clip player or not, and what it is called.
FOCUS_JS = """() => {
  const a = document.activeElement;
  return { inside: !!a.closest('.rw-clip-player'), tag: a.tagName,
           name: a.getAttribute('aria-label') || a.textContent.trim(),
           outline: getComputedStyle(a).outlineStyle,
           width: parseFloat(getComputedStyle(a).outlineWidth) };
}"""


def test_the_clip_player_takes_three_tab_stops_each_a_named_button(page, voila_server):
    open_app(page, voila_server, "Kay Board")
    video = page.locator("video.rw-clip-video")
    assert not video.evaluate("v => v.controls")  # the native 7 stops are gone
    page.wait_for_function("document.querySelector('video.rw-clip-video').readyState >= 1")

    # from the element before the player, Tab through it and count where focus lands
    page.locator(".rw-clip-player").evaluate("""(p) => {
        const before = document.createElement('button');
        before.id = 'before-clip'; before.textContent = 'before';
        p.parentElement.insertBefore(before, p); before.focus(); }""")
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        where = page.evaluate(FOCUS_JS)
        if not where["inside"]:
            break
        stops.append(where)
    assert [(s["tag"], s["name"]) for s in stops] == [
        ("BUTTON", "Play clip"), ("BUTTON", "Restart the clip"), ("BUTTON", "Captions on")]
    assert all(s["outline"] == "solid" and s["width"] >= 2 for s in stops)

    # operable: Shift+Tab back to Play, Enter plays, the time readout moves, Space pauses
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUS_JS)["name"] == "Play clip"
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('video.rw-clip-video').currentTime > 1.0")
    assert page.evaluate(FOCUS_JS)["name"] == "Pause clip"
    readout = page.get_by_role("timer", name="Clip time")
    page.wait_for_function("() => /^0:0[1-9] \\/ 0:\\d\\d$/.test("
                           "document.querySelector('.rw-clip-time').textContent)")
    assert readout.is_visible()
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('video.rw-clip-video').paused")

    # Restart goes back to the beginning and plays; c turns the captions off
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("() => { const v = document.querySelector('video.rw-clip-video');"
                           " return !v.paused && v.currentTime < 1.0; }")
    wait_captions_loaded(page)
    page.keyboard.press("c")
    captions = page.get_by_role("button", name="Captions off")
    captions.wait_for()
    assert captions.get_attribute("aria-pressed") == "false"
    assert video.evaluate("v => v.textTracks[0].mode") == "hidden"
