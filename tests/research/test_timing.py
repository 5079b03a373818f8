"""timing.py on real WebM files (VP8 + Opus, written as MediaRecorder writes them) whose speech
is at moments known from how the sound was built (research/speech_audio.py)."""
from __future__ import annotations

import numpy as np
import pytest

from rupture_widgets.research import speech_audio, timing
from rupture_widgets.research.timing import NoAudio, measure_recording, speech_segments


@pytest.mark.parametrize("utterances, total", [
    ([(1.3, 2.0), (4.0, 1.2)], 6.0),   # a pause of 0.7 s between two utterances
    ([(2.45, 3.0)], 6.0),
    ([(0.6, 1.5), (2.9, 1.5), (5.2, 1.5)], 7.5),
])
def test_onset_and_speaking_time_of_a_webm_answer(tmp_path, utterances, total):
    sound = speech_audio.answer_sound(total, utterances, rng=7)
    got = measure_recording(speech_audio.write_answer_webm(tmp_path / "a.webm", sound))
    truth_onset, truth_speaking = utterances[0][0], sum(length for _, length in utterances)
    assert got.onset_s == pytest.approx(truth_onset, abs=0.06)
    assert got.speaking_s == pytest.approx(truth_speaking, rel=0.10)
    assert len(got.segments) == len(utterances)  # pauses over 300 ms split the speech
    for (start, length), (a, b) in zip(utterances, got.segments):
        assert a == pytest.approx(start, abs=0.06) and b == pytest.approx(start + length, abs=0.15)


def test_silence_and_room_noise_are_not_speech(tmp_path):
    quiet = speech_audio.answer_sound(4.0, [], rng=1, noise_dbfs=-45)
    got = measure_recording(speech_audio.write_answer_webm(tmp_path / "q.webm", quiet))
    assert got.onset_s is None and got.speaking_s == 0.0 and got.segments == ()
    assert got.duration_s == pytest.approx(4.0, abs=0.05)


def test_a_click_is_not_the_start_of_speech(tmp_path):
    sound = speech_audio.answer_sound(5.0, [(3.0, 1.5)], rng=2)
    click = 0.8 * np.exp(-np.arange(80) / 16) * np.sign(np.sin(np.arange(80)))  # 5 ms, a key
    sound[12800:12880] += click
    got = measure_recording(speech_audio.write_answer_webm(tmp_path / "c.webm", sound))
    assert got.onset_s == pytest.approx(3.0, abs=0.06)


def test_the_smoothing_rule():
    v = np.array([0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1] + [0] * 5 + [1] * 3 + [0] * 12
                 + [1] * 6 + [0] * 3, dtype=bool)
    # a click (3 frames) is not speech; the first window with 5 of 6 voiced starts at frame 6;
    # a 5-frame gap is bridged (under the 10-frame hangover), the 12-frame one ends it
    assert speech_segments(v) == [(6, 20), (32, 38)]
    assert speech_segments(np.array([1, 1, 1, 1, 0, 1, 1, 1, 1, 0] * 3, bool)) == [(0, 29)]
    assert speech_segments(np.array([1, 1, 0, 1, 1, 0, 1, 1, 0] * 3, bool)) == []  # 4 of 6


def test_audio_only_and_mp4_are_read(tmp_path):
    sound = speech_audio.answer_sound(3.0, [(1.0, 1.0)], rng=3)
    webm = speech_audio.write_answer_webm(tmp_path / "audio.webm", sound, video=False)
    assert measure_recording(webm).onset_s == pytest.approx(1.0, abs=0.06)
    from rupture_widgets.library.catalog import load_catalog

    clip = load_catalog().clips[0]
    spoken = measure_recording(clip.media_path)  # a shipped clip: mp4, AAC
    assert spoken.speaking_s > 0.5 * clip.duration_s


def test_a_file_without_audio_says_so(tmp_path):
    import av

    path = tmp_path / "silent.webm"
    with av.open(str(path), "w", format="webm") as out:
        v = out.add_stream("libvpx", rate=10)
        v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            f = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            f.pts = i
            out.mux(v.encode(f))
        out.mux(v.encode())
    with pytest.raises(NoAudio, match="no audio track"):
        measure_recording(path)
    (tmp_path / "junk.webm").write_bytes(b"not a recording")
    with pytest.raises(NoAudio, match="could not be opened"):
        measure_recording(tmp_path / "junk.webm")


def test_timing_columns_of_logged_attempts(tmp_path):
    from rupture_widgets.workbook import Workspace

    wb = Workspace(tmp_path / "ws").workbook("alex.morgan")
    sound = speech_audio.answer_sound(4.0, [(1.5, 2.0)], rng=4)
    rec = wb.start_recording(clip_id="c3-beginner-maya")
    data = speech_audio.write_answer_webm(tmp_path / "src.webm", sound).read_bytes()
    rec.append(data)
    duration = rec.finalise()
    a = wb.log_attempt(clip_id="c3-beginner-maya", marker="C3", level="beginner",
                       attempt_id=rec.attempt_id, recording=rec.final_path, duration_s=duration,
                       cue_s=3.2)
    cols = timing.timing_columns(wb, wb.attempt(a.id))
    assert cols["vad_onset_s"] == pytest.approx(1.5, abs=0.06)
    assert cols["vad_latency_s"] == pytest.approx(3.2 + cols["vad_onset_s"])
    assert cols["vad_speaking_s"] == pytest.approx(2.0, rel=0.10)
    bare = wb.log_attempt(clip_id="c3-beginner-maya", marker="C3", level="beginner")
    assert timing.timing_columns(wb, bare) == {"vad_onset_s": None, "vad_latency_s": None,
                                               "vad_speaking_s": None}


def test_audio_timing_table(tmp_path):
    paths = [speech_audio.write_answer_webm(tmp_path / f"{i}.webm",
                                            speech_audio.answer_sound(3.0, [(0.5 + i, 1.0)],
                                                                      rng=i)) for i in range(2)]
    (tmp_path / "bad.webm").write_bytes(b"x")
    df = timing.audio_timing([*paths, tmp_path / "bad.webm"])
    assert list(df.columns) == ["path", "onset_s", "speaking_s", "duration_s", "segments"]
    assert df.onset_s.iloc[:2].tolist() == pytest.approx([0.5, 1.5], abs=0.06)
    assert np.isnan(df.onset_s.iloc[2]) and df.segments.iloc[2] == 0
