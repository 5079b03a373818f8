"""The Recorder as the trainee meets it in the practice app (Voilà + Chromium, fake camera):
the camera only when chosen, a countdown, an unmistakable Recording state, the auto-record
choice remembered, the answer replayed from the browser at once, latency after Record again."""
from __future__ import annotations

import re

import pytest

from browser_support import record_answer, status_times, turn_camera_on, wait_status
from test_practice_voila import open_app, workbook_of

# Every camera / microphone request the page makes, and whether its tracks are still live.
COUNT_CAMERA_JS = """
(() => {
  const md = navigator.mediaDevices;
  const real = md.getUserMedia.bind(md);
  window.__streams = [];
  md.getUserMedia = async (constraints) => {
    const stream = await real(constraints);
    window.__streams.push(stream);
    return stream;
  };
})();
"""
LIVE_TRACKS_JS = ("() => window.__streams.flatMap((s) => s.getTracks())"
                  ".filter((t) => t.readyState === 'live').length")

# Kernel -> page comm messages carrying recording bytes, seen on the websocket (v1 protocol:
# binary frames, the JSON parts readable as bytes).
PLAYBACK_KINDS = (b'"kind": "playback"', b'"kind":"playback"', b'"kind": "piece"',
                  b'"kind":"piece"')


def recorder(page):
    return page.locator(".rw-recorder").first


def test_the_camera_stays_off_until_the_trainee_turns_it_on(page, voila_server):
    page.context.add_init_script(COUNT_CAMERA_JS)
    open_app(page, voila_server, "Cam Chooser")
    wait_status(page, "idle")
    page.wait_for_timeout(1500)  # time for a (wrong) automatic open
    assert page.evaluate("window.__streams.length") == 0
    assert page.get_by_text("Camera off", exact=True).is_visible()
    assert page.get_by_role("button", name="Record my answer").is_visible()

    turn_camera_on(page)
    assert page.evaluate("window.__streams.length") == 1
    assert page.evaluate(LIVE_TRACKS_JS) == 2  # camera and microphone
    assert recorder(page).locator("video").evaluate("v => v.srcObject !== null && v.muted")

    page.get_by_role("button", name="Turn camera off").click()
    wait_status(page, "idle")
    assert page.evaluate(LIVE_TRACKS_JS) == 0  # really released, the camera light goes out
    assert page.get_by_role("button", name="Turn camera on").is_visible()


def test_a_countdown_then_an_unmistakable_recording_state(page, voila_server, app_workspace):
    open_app(page, voila_server, "Count Down")
    announcer = recorder(page).locator(".rw-recorder-announcer")
    page.get_by_role("button", name="Record my answer").click()  # opens the camera as well
    wait_status(page, "countdown")
    big = recorder(page).locator(".rw-recorder-countdown")
    assert big.inner_text() in ("3", "2")
    assert re.fullmatch(r"Recording in [32]", announcer.inner_text())
    assert announcer.get_attribute("aria-live") == "assertive"
    assert page.get_by_role("button", name="Cancel").is_visible()
    page.wait_for_function("() => document.querySelector('.rw-recorder-countdown')"
                           ".textContent === '1'")

    wait_status(page, "recording")
    indicator = recorder(page).locator(".rw-recorder-indicator")
    assert indicator.is_visible() and "Recording" in indicator.inner_text()
    assert indicator.locator(".rw-recorder-dot").is_visible()
    assert announcer.inner_text() == "Recording started"
    assert not big.is_visible()
    page.wait_for_function("() => /^0:0[2-9] \\/ 5:00$/.test("
                           "document.querySelector('.rw-recorder-timer').textContent)")
    frame = recorder(page).locator("video").evaluate("v => getComputedStyle(v).borderTopColor")
    assert frame == "rgb(192, 57, 43)"
    counted = status_times(page, "recording")[0] - status_times(page, "countdown")[0]
    assert counted >= 2900  # 3-2-1, a second each
    page.get_by_role("button", name="Stop recording").click()
    assert announcer.inner_text() == "Recording stopped"
    wait_status(page, "saved", timeout=30_000)
    assert not indicator.is_visible()

    # Cancel during the countdown records nothing
    page.get_by_role("button", name="Record again").click()
    wait_status(page, "ready")
    page.get_by_role("button", name="Record my answer").click()
    wait_status(page, "countdown")
    page.get_by_role("button", name="Cancel").click()
    wait_status(page, "ready")
    page.wait_for_timeout(3500)
    assert recorder(page).get_attribute("data-status") == "ready"
    assert len(workbook_of(app_workspace, "count.down").attempts()) == 1


def test_buttons_show_a_solid_focus_outline(page, voila_server):
    open_app(page, voila_server, "Focus Seer")
    record = page.get_by_role("button", name="Record my answer")
    record.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    style = record.evaluate("b => { const s = getComputedStyle(b); "
                            "return [document.activeElement === b, s.outlineStyle, "
                            "parseFloat(s.outlineWidth)]; }")
    assert style[0] and style[1] == "solid" and style[2] >= 2


def test_the_auto_record_choice_is_remembered_across_a_reload(page, voila_server, app_workspace):
    open_app(page, voila_server, "Auto Keeper")
    box = page.get_by_role("checkbox", name="Start recording when the clip ends")
    assert not box.is_checked()  # off unless the trainee chooses it
    box.check()
    page.reload()  # a new kernel: only the browser can have remembered
    open_app(page, voila_server, "Auto Keeper")
    box = page.get_by_role("checkbox", name="Start recording when the clip ends")
    assert box.is_checked()
    # the kernel heard it: the clip's end starts the recording
    page.get_by_role("button", name="Play clip", exact=True).click()
    page.wait_for_function("document.querySelector('video.rw-clip-video').currentTime > 0.5")
    page.locator("video.rw-clip-video").evaluate("v => { v.currentTime = v.duration - 0.3; }")
    wait_status(page, "countdown")
    wait_status(page, "recording")
    page.wait_for_timeout(1000)  # an answer, not a Stop the instant it starts: on a busy
    # machine that reached the kernel before any of the recording ("Nothing was received")
    page.get_by_role("button", name="Stop recording").click()
    wait_status(page, "saved", timeout=30_000)
    box.uncheck()
    page.reload()
    open_app(page, voila_server, "Auto Keeper")
    assert not page.get_by_role("checkbox", name="Start recording when the clip ends").is_checked()


def test_after_stop_the_answer_plays_from_the_browser_not_the_kernel(page, voila_server,
                                                                     app_workspace):
    from_kernel = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: from_kernel.append(payload)
              if isinstance(payload, bytes) and any(k in payload for k in PLAYBACK_KINDS)
              else None)
    page.on("websocket", on_socket)
    open_app(page, voila_server, "Quick Replay")
    record_answer(page, 4)
    video = recorder(page).locator("video")
    page.locator(".rw-recorder[data-answer='local']").wait_for()
    state = video.evaluate("""async (v) => {
        if (v.readyState < 1) await new Promise((r) => v.addEventListener("loadedmetadata", r,
                                                                            { once: true }));
        await v.play();
        await new Promise((r) => setTimeout(r, 1200));
        return { src: v.src, muted: v.muted, controls: v.controls, duration: v.duration,
                 t: v.currentTime, paused: v.paused, label: v.getAttribute("aria-label") };
    }""")
    assert state["src"].startswith("blob:") and state["controls"] and not state["muted"]
    assert state["t"] > 0.8 and not state["paused"]
    [attempt] = workbook_of(app_workspace, "quick.replay").attempts()
    assert state["duration"] == pytest.approx(attempt.duration_s, abs=0.3)  # seekable length
    assert from_kernel == []  # nothing came back through the kernel
    assert page.locator(".rw-answer-player").first.get_attribute("data-state") == "empty"

    page.get_by_role("button", name="Record again").click()  # back to the live preview
    wait_status(page, "ready")
    assert video.evaluate("v => v.srcObject !== null && !v.controls && v.muted")


def test_latency_after_record_again_counts_from_that_answer_s_cue(page, voila_server,
                                                                  app_workspace):
    open_app(page, voila_server, "Late Again")
    page.get_by_role("checkbox", name="Start recording when the clip ends").check()
    page.get_by_role("button", name="Play clip", exact=True).click()
    page.wait_for_function("document.querySelector('video.rw-clip-video').currentTime > 0.5")
    page.locator("video.rw-clip-video").evaluate("v => { v.currentTime = v.duration - 0.3; }")
    wait_status(page, "recording")
    page.wait_for_timeout(2500)  # the fake microphone beeps: that is the "speech"
    page.get_by_role("button", name="Stop recording").click()
    wait_status(page, "saved", timeout=30_000)
    page.wait_for_timeout(8000)  # the trainee thinks it over before answering again
    page.get_by_role("button", name="Record again").click()
    wait_status(page, "ready")
    record_answer(page, 2.5)

    first, second = workbook_of(app_workspace, "late.again").attempts()
    since_first_cue = (status_times(page, "recording")[1] - status_times(page, "countdown")[0])
    assert since_first_cue > 10_000
    assert first.latency_s is not None and first.latency_s >= 2.9  # the countdown counts
    # cued when its recording started: not ~13 s from the clip's first end
    assert second.latency_s is not None and second.latency_s < 2.0
