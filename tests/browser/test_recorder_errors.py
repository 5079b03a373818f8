"""The Recorder's error paths in the real practice app (Voilà + Chromium): no camera, no MediaRecorder."""
from __future__ import annotations

import pytest

from browser_support import recorded_ms, wait_status
from test_practice_voila import open_app, record_for, workbook_of

# A machine with a microphone but no camera: video requests fail as Chromium fails them when no
# camera is plugged in; audio-only requests reach the (fake) microphone. Every request is noted.
NO_CAMERA_JS = """
(() => {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return;
  const real = md.getUserMedia.bind(md);
  window.__gumRequests = [];
  md.getUserMedia = (constraints) => {
    const wantsVideo = !!(constraints && constraints.video);
    window.__gumRequests.push(wantsVideo ? "video" : "audio");
    if (wantsVideo) {
      return Promise.reject(new DOMException("Requested device not found", "NotFoundError"));
    }
    return real(constraints);
  };
})();
"""

# A browser that has no MediaRecorder at all.
NO_MEDIARECORDER_JS = "delete window.MediaRecorder;"

NO_MEDIARECORDER_WORDS = ("This browser cannot record video (it has no MediaRecorder). "
                          "Please use a recent Chrome, Edge, Firefox or Safari.")


def decoded_audio(path) -> tuple[float, int, int]:
    """Decode every audio frame (proves the file is whole); return (container seconds, number of
    audio streams, number of video streams)."""
    import av

    with av.open(str(path)) as c:
        audio = len(c.streams.audio)
        video = len(c.streams.video)
        assert audio, f"{path} has no audio stream"
        frames = sum(1 for _ in c.decode(audio=0))
        assert frames > 0
        return c.duration / 1_000_000, audio, video


def _page_errors(page) -> list:
    errors = []
    page.on("pageerror", lambda e: errors.append(e))
    return errors


def test_no_camera_offers_audio_only_and_logs_a_voice_answer(page, voila_server, app_workspace):
    page.context.add_init_script(NO_CAMERA_JS)
    errors = _page_errors(page)
    open_app(page, voila_server, "Quinn Nocam")
    assert page.evaluate("window.__gumRequests") == []  # nothing asked before the trainee does
    page.get_by_role("button", name="Turn camera on", exact=True).click()
    wait_status(page, "error")

    alert = page.get_by_role("alert").filter(has_text="No camera was found.")
    alert.wait_for()
    assert "You can still answer with your voice" in alert.inner_text()
    audio_only = page.get_by_role("button", name="Record with audio only")
    assert audio_only.is_visible()
    assert not page.get_by_role("button", name="Record my answer", exact=True).is_visible()
    assert page.evaluate("window.__gumRequests") == ["video"]

    audio_only.click()
    wait_status(page, "ready")
    assert page.evaluate("window.__gumRequests") == ["video", "audio"]
    assert not alert.is_visible()  # the no-camera words go once the microphone is open
    assert not audio_only.is_visible()
    record_for(page, 3)

    wb = workbook_of(app_workspace, "quinn.nocam")
    [attempt] = wb.attempts()
    assert attempt.status == "complete"
    seconds, audio_streams, video_streams = decoded_audio(wb.recording_path(attempt.id))
    assert (audio_streams, video_streams) == (1, 0)
    assert seconds == pytest.approx(recorded_ms(page, 0) / 1000, abs=0.5)
    assert attempt.duration_s == pytest.approx(seconds, abs=0.05)
    assert errors == []


def test_no_mediarecorder_is_said_in_plain_words_and_nothing_is_logged(page, voila_server,
                                                                       app_workspace):
    page.context.add_init_script(NO_MEDIARECORDER_JS)
    errors = _page_errors(page)
    open_app(page, voila_server, "Ola Norec")
    page.get_by_role("button", name="Record my answer", exact=True).click()
    wait_status(page, "error")

    page.get_by_role("alert").filter(has_text=NO_MEDIARECORDER_WORDS).wait_for()
    assert page.evaluate("typeof window.MediaRecorder") == "undefined"
    for name in ("Record my answer", "Turn camera on", "Record with audio only",
                 "Try the camera again", "Record again", "Stop recording"):
        assert not page.get_by_role("button", name=name, exact=True).is_visible(), name

    # the clip still plays; when it ends the app asks the recorder to start, which must not
    page.get_by_role("checkbox", name="Start recording when the clip ends").check()
    page.get_by_role("button", name="Play clip", exact=True).click()
    page.wait_for_function("document.querySelector('video.rw-clip-video').currentTime > 0.5")
    page.locator("video.rw-clip-video").evaluate("v => { v.currentTime = v.duration - 0.3; }")
    page.wait_for_function("document.querySelector('video.rw-clip-video').ended")
    page.wait_for_timeout(2000)  # time for a (wrong) start to reach the kernel
    assert page.locator(".rw-recorder").first.get_attribute("data-status") == "error"
    page.get_by_role("alert").filter(has_text=NO_MEDIARECORDER_WORDS).wait_for()

    wb = workbook_of(app_workspace, "ola.norec")
    assert wb.attempts() == []
    assert not wb.recordings_dir.exists() or not any(wb.recordings_dir.iterdir())
    assert errors == []
