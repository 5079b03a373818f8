"""Speech timing measured from a real answer's audio (research/timing.py), against the truth.

Chromium's fake microphone plays a WAV we build (``--use-file-for-fake-audio-capture``): digital
silence, then two utterances of real speech cut from a shipped clip (whole runs of speech:
no pause of 150 ms or more inside them), then silence again. The trainee records an answer in
the practice app (Voilà), the kernel saves it as it does every answer, and timing.py measures
the saved WebM.

Where the truth comes from: Chromium starts playing the file when the microphone opens ("Record
my answer" opens it, then the 3-2-1 countdown runs), so the file's time 0 is some unknown
moment before the recording starts. That offset is found by cross-correlating the recorded
audio with the file (the whole waveform, not its onset), and the utterances' boundaries in the
file, known from how it was built, are moved by it onto the recording's clock. So this proves:
through Chromium's capture and audio processing, MediaRecorder's Opus, the chunked upload and
the finalised file, the detector finds where speech starts within 0.15 s and how long it lasts
within 10 %. It does not prove anything about a noisy room or a real voice at a distance.
"""
from __future__ import annotations

import wave

import numpy as np
import pytest

from browser_support import (BASE_ARGS, CHROMIUM, FAKE_MEDIA_ARGS, record_answer, status_times,
                             wait_status, watch_recorder)
from test_practice_voila import open_app, workbook_of

RATE = 48_000
LEAD_S, GAP_S, FILE_S = 7.0, 1.5, 40.0  # silence before, between; whole file (no loop in a test)


def _clip_audio(clip_id: str = "c3-beginner-maya") -> np.ndarray:
    import av

    from rupture_widgets.library.catalog import load_catalog

    clip = next(c for c in load_catalog().clips if c.id == clip_id)
    with av.open(str(clip.media_path)) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        return np.concatenate([f.to_ndarray().reshape(-1) for fr in c.decode(audio=0)
                               for f in rs.resample(fr)])


def speech_runs(x: np.ndarray, quiet_dbfs: float = -45.0, min_gap_s: float = 0.15):
    """(start, end) sample indices of runs of 10 ms windows louder than ``quiet_dbfs``, runs
    closer than ``min_gap_s`` joined: on the clean source this is exact enough to be the truth
    (the clip's pauses are digital silence)."""
    w = RATE // 100
    level = 20 * np.log10(np.sqrt((x[:len(x) // w * w].reshape(-1, w) ** 2).mean(1)) + 1e-12)
    loud = np.flatnonzero(level > quiet_dbfs)
    runs, start, last = [], loud[0], loud[0]
    for i in loud[1:]:
        if (i - last - 1) * 0.01 >= min_gap_s:
            runs.append((start * w, (last + 1) * w))
            start = i
        last = i
    runs.append((start * w, (last + 1) * w))
    return runs


@pytest.fixture(scope="module")
def fake_microphone(tmp_path_factory):
    """The WAV and the truth: where each utterance starts and ends in it (seconds)."""
    clip = _clip_audio()
    runs = sorted(speech_runs(clip), key=lambda r: r[1] - r[0], reverse=True)
    first, second = sorted(runs[:2])  # the two longest runs, in the clip's order
    pieces = [clip[a:b] for a, b in (first, second)]
    out = np.zeros(int(FILE_S * RATE), np.float32)
    truth, at = [], LEAD_S
    for piece in pieces:
        i = int(at * RATE)
        out[i:i + len(piece)] = piece
        truth.append((at, at + len(piece) / RATE))
        at += len(piece) / RATE + GAP_S
    path = tmp_path_factory.mktemp("microphone") / "answer.wav"
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes((np.clip(out, -1, 1) * 32767).astype("<i2").tobytes())
    return path, out, truth


@pytest.fixture(scope="module")
def speaking_browser(playwright_driver, fake_camera, fake_microphone):
    b = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=BASE_ARGS + FAKE_MEDIA_ARGS + [f"--use-file-for-fake-video-capture={fake_camera}",
                                            f"--use-file-for-fake-audio-capture="
                                            f"{fake_microphone[0]}"])
    yield b
    b.close()


def file_offset(recorded: np.ndarray, source: np.ndarray, rate: int) -> float:
    """Where in ``source`` the recording started (s): the lag of the cross-correlation's peak
    (FFT), over the whole recording."""
    n = 1 << int(np.ceil(np.log2(len(source) + len(recorded))))
    corr = np.fft.irfft(np.fft.rfft(source, n) * np.conj(np.fft.rfft(recorded, n)), n)
    lag = int(np.argmax(corr[:len(source)]))
    return lag / rate


def test_speech_onset_and_speaking_time_measured_from_a_recorded_answer(
        speaking_browser, voila_server, app_workspace, fake_microphone):
    from rupture_widgets.research import timing

    _, source, truth = fake_microphone
    context = speaking_browser.new_context(permissions=["camera", "microphone"],
                                           viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_app(page, voila_server, "Vad Timing")
        watch_recorder(page)
        record_answer(page, 13)  # opens the microphone (the file starts), 3-2-1, 13 s, Stop
    finally:
        context.close()

    wb = workbook_of(app_workspace, "vad.timing")
    [attempt] = wb.attempts()
    path = wb.recording_path(attempt.id)
    measured = timing.measure_recording(path)

    recorded, _ = timing.decode_audio(path)
    source16 = (np.interp(np.arange(int(len(source) / RATE * 16000)) / 16000,
                          np.arange(len(source)) / RATE, source) * 32767)
    offset = file_offset(recorded.astype(np.float64), source16, 16000)
    truth_rec = [(a - offset, b - offset) for a, b in truth]  # on the recording's clock
    truth_onset = truth_rec[0][0]
    truth_speaking = sum(b - a for a, b in truth_rec)
    print(f"\nfile offset at the start of recording {offset:.3f} s; truth onset "
          f"{truth_onset:.3f} s, measured {measured.onset_s} s (error "
          f"{measured.onset_s - truth_onset:+.3f} s); truth speaking {truth_speaking:.3f} s, "
          f"measured {measured.speaking_s} s (error "
          f"{100 * (measured.speaking_s - truth_speaking) / truth_speaking:+.1f} %); segments "
          f"{measured.segments} vs truth {[(round(a, 3), round(b, 3)) for a, b in truth_rec]}; "
          f"browser's estimate: latency {attempt.latency_s} s, speaking {attempt.speaking_s} s; "
          f"cue_s {attempt.cue_s}")
    assert 0.5 < truth_onset < 6.0, "the speech should start well inside the recording"
    assert measured.onset_s == pytest.approx(truth_onset, abs=0.15)
    assert measured.speaking_s == pytest.approx(truth_speaking, rel=0.10)
    assert len(measured.segments) == 2

    # the columns load_attempts shows: after "Record my answer" (no clip end since the last
    # answer) the cue is the start of recording itself, so the latency is the onset
    cols = timing.timing_columns(wb, attempt)
    assert attempt.cue_s == 0.0
    assert cols == {"vad_onset_s": measured.onset_s, "vad_latency_s": measured.onset_s,
                    "vad_speaking_s": measured.speaking_s}


def _truth_on_recording(path, source, truth):
    """The utterances' boundaries moved onto the recording's clock (see the module docstring)."""
    from rupture_widgets.research import timing

    recorded, _ = timing.decode_audio(path)
    source16 = (np.interp(np.arange(int(len(source) / RATE * 16000)) / 16000,
                          np.arange(len(source)) / RATE, source) * 32767)
    offset = file_offset(recorded.astype(np.float64), source16, 16000)
    return [(a - offset, b - offset) for a, b in truth]


def test_latency_from_the_clip_s_end_when_recording_starts_by_itself(
        speaking_browser, voila_server, app_workspace, fake_microphone):
    """"Start recording when the clip ends": the cue is the clip's end, then the microphone
    opens and the 3-2-1 runs; the latency from the audio (cue_s + onset) against the truth on
    the page's clock: the clip's "ended" event, and the start of recording plus the onset."""
    from rupture_widgets.research import timing

    _, source, truth = fake_microphone
    context = speaking_browser.new_context(permissions=["camera", "microphone"],
                                           viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_app(page, voila_server, "Vad Latency")
        page.get_by_role("checkbox", name="Start recording when the clip ends").check()
        page.evaluate("""() => { const v = document.querySelector('video.rw-clip-video');
            v.addEventListener('ended', () => { window.__ended = Date.now(); }, {once: true}); }""")
        page.get_by_role("button", name="Play clip", exact=True).click()
        page.wait_for_function("document.querySelector('video.rw-clip-video').currentTime > 0.5")
        page.locator("video.rw-clip-video").evaluate("v => { v.currentTime = v.duration - 0.3; }")
        wait_status(page, "recording", timeout=30_000)
        page.wait_for_timeout(13_000)
        page.get_by_role("button", name="Stop recording").click()
        wait_status(page, "saved", timeout=30_000)
        ended_ms = page.evaluate("window.__ended")
        recording_ms = status_times(page, "recording")[0]
    finally:
        context.close()

    wb = workbook_of(app_workspace, "vad.latency")
    [attempt] = wb.attempts()
    cols = timing.timing_columns(wb, attempt)
    truth_onset = _truth_on_recording(wb.recording_path(attempt.id), source, truth)[0][0]
    truth_latency = (recording_ms - ended_ms) / 1000 + truth_onset
    print(f"\ncue_s {attempt.cue_s} (page clock: {(recording_ms - ended_ms) / 1000:.3f}); "
          f"truth latency {truth_latency:.3f} s, from the audio {cols['vad_latency_s']} s "
          f"(error {cols['vad_latency_s'] - truth_latency:+.3f} s); browser's estimate "
          f"{attempt.latency_s} s")
    assert attempt.cue_s is not None and attempt.cue_s >= 2.9  # the countdown at least
    assert cols["vad_latency_s"] == pytest.approx(attempt.cue_s + cols["vad_onset_s"])
    assert cols["vad_latency_s"] == pytest.approx(truth_latency, abs=0.15)
