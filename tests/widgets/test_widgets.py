"""The widgets' Python side, driven by simulated browser messages (no browser needed)."""
from __future__ import annotations

import subprocess
import sys

import pytest
import traitlets

from webm_media import chunked
from rupture_widgets.widgets import ClipPlayer, Recorder
from rupture_widgets.widgets.served import served_path


def browser_says(widget, content, buffers=()):
    """Deliver a message as ipywidgets does when the front end calls model.send()."""
    widget._handle_custom_msg(content, list(buffers))


@pytest.fixture
def recorder(workbook):
    rec = Recorder(workbook, clip_id="c3-beginner-maya", marker="C3", level="beginner")
    rec.sent = []
    rec.send = lambda content, buffers=None: rec.sent.append((content, buffers))
    return rec


def record(recorder, data, started_at_ms=1_700_000_000_000.0, **stop):
    browser_says(recorder, {"kind": "start", "mime_type": "video/webm;codecs=vp8,opus",
                            "started_at_ms": started_at_ms})
    for i, buf in enumerate(chunked(data)):
        browser_says(recorder, {"kind": "chunk", "seq": i}, [buf])
    browser_says(recorder, {"kind": "stop", "elapsed_ms": 3000, "reason": "user",
                            "chunks": len(chunked(data)), **stop})


def test_stop_finalises_the_streamed_chunks_and_logs_the_attempt(recorder, workbook, webm_3s):
    seen = []
    recorder.on_attempt(seen.append)
    record(recorder, webm_3s, speaking_ms=2500, speech_onset_ms=400)

    [attempt] = workbook.attempts()
    assert seen == [attempt]
    assert attempt.status == "complete"
    assert attempt.clip_id == "c3-beginner-maya" and attempt.marker == "C3"
    assert attempt.duration_s == pytest.approx(3.0, abs=0.2)
    assert attempt.speaking_s == pytest.approx(2.5)
    path = workbook.recording_path(attempt.id)
    assert path.name == f"{attempt.id}.webm" and path.stat().st_size > 0
    assert not list(path.parent.glob("*.part.webm"))
    assert (recorder.status, recorder.last_attempt_id, recorder.error) == ("saved", attempt.id, "")


def test_an_answer_missing_chunks_is_kept_as_it_arrived_and_marked_incomplete(recorder, workbook,
                                                                             webm_3s):
    browser_says(recorder, {"kind": "start", "started_at_ms": 1.0})
    pieces = chunked(webm_3s)
    received = pieces[:2] + pieces[3:]  # the third chunk never reached the kernel
    for i, buf in enumerate(received):
        browser_says(recorder, {"kind": "chunk", "seq": i if i < 2 else i + 1}, [buf])
    browser_says(recorder, {"kind": "stop", "elapsed_ms": 3000, "reason": "user",
                            "chunks": len(pieces)})

    [attempt] = workbook.attempts()
    assert attempt.status == "incomplete"
    kept = workbook.recording_path(attempt.id)
    assert kept.name.endswith(".part.webm")
    assert kept.read_bytes() == b"".join(bytes(b) for b in received)  # not finalised, not lost
    assert recorder.error_code == "save-failed"
    assert f"Only {len(received)} of the {len(pieces)} pieces" in recorder.error


def test_latency_is_measured_from_the_end_of_the_clip(recorder, workbook, webm_3s):
    recorder.clip_ended_at_ms = 1_700_000_000_000.0 - 500
    record(recorder, webm_3s, speech_onset_ms=1200)
    assert workbook.attempts()[0].latency_s == pytest.approx(1.7)


def test_after_record_again_latency_is_measured_from_when_that_answer_was_cued(recorder,
                                                                              workbook, webm_3s):
    # Regression: the second answer's latency was measured from the end of the FIRST playback
    # of the clip ("82.1 s before speaking"). With no clip end since the last answer, the
    # answer was cued when recording started (after the countdown).
    clip_end = 1_700_000_000_000.0
    recorder.clip_ended_at_ms = clip_end
    record(recorder, webm_3s, started_at_ms=clip_end + 3000, speech_onset_ms=700)
    record(recorder, webm_3s, started_at_ms=clip_end + 80_000, speech_onset_ms=900)
    recorder.clip_ended_at_ms = clip_end + 120_000  # the clip is played again, then answered
    record(recorder, webm_3s, started_at_ms=clip_end + 123_000, speech_onset_ms=500)
    first, second, third = workbook.attempts()
    assert first.latency_s == pytest.approx(3.7)
    assert second.latency_s == pytest.approx(0.9)
    assert third.latency_s == pytest.approx(3.5)


def test_a_cut_off_recording_is_kept_and_marked_incomplete(recorder, workbook, webm_3s):
    browser_says(recorder, {"kind": "start", "started_at_ms": 1.0})
    half = chunked(webm_3s)[: len(chunked(webm_3s)) // 2]
    for i, buf in enumerate(half):
        browser_says(recorder, {"kind": "chunk", "seq": i}, [buf])
    browser_says(recorder, {"kind": "abort", "reason": "view closed"})

    [attempt] = workbook.attempts()
    assert attempt.status == "incomplete"
    kept = workbook.recording_path(attempt.id)
    assert kept.name.endswith(".part.webm") and kept.stat().st_size == sum(len(b) for b in half)
    assert recorder.error_code == "cut-off" and "kept" in recorder.error


def test_a_new_start_without_stop_keeps_the_earlier_answer_as_incomplete(recorder, workbook,
                                                                          webm_3s):
    browser_says(recorder, {"kind": "start", "started_at_ms": 1.0})
    browser_says(recorder, {"kind": "chunk", "seq": 0}, [chunked(webm_3s)[0]])
    record(recorder, webm_3s)
    statuses = sorted(a.status for a in workbook.attempts())
    assert statuses == ["complete", "incomplete"]


def test_the_size_limit_stops_the_browser_and_keeps_what_was_received(recorder, workbook,
                                                                       webm_3s, monkeypatch):
    real_start = workbook.start_recording
    monkeypatch.setattr(workbook, "start_recording",
                        lambda **kw: real_start(max_bytes=len(webm_3s) - 1, **kw))
    record(recorder, webm_3s)
    assert ({"kind": "stop", "reason": "kernel"}, None) in recorder.sent
    [attempt] = workbook.attempts()
    assert attempt.status == "complete"  # everything up to the limit is a playable answer
    assert recorder.error_code == "too-large" and "size limit" in recorder.error


def test_stop_with_nothing_received_says_so(recorder, workbook):
    browser_says(recorder, {"kind": "stop", "elapsed_ms": 10})
    assert recorder.status == "error" and "Nothing was received" in recorder.error
    assert workbook.attempts() == []


def test_recordings_play_back_through_the_kernel_one_piece_at_a_time(recorder, workbook, webm_3s,
                                                                    monkeypatch):
    import rupture_widgets.widgets.recorder as module

    monkeypatch.setattr(module, "PLAYBACK_PART_BYTES", 50_000)
    record(recorder, webm_3s)
    recorder.sent.clear()
    recorder.play_attempt(recorder.last_attempt_id)

    def pieces():
        return [(m, b) for m, b in recorder.sent if m["kind"] == "playback"]

    assert len(pieces()) == 1  # nothing more until the browser asks
    while pieces()[-1][0]["part"] < pieces()[-1][0]["parts"] - 1:
        last = pieces()[-1][0]
        for view in ("a", "b"):  # a widget shown twice acks twice; the piece is sent once
            browser_says(recorder, {"kind": "playback-ack", "part": last["part"],
                                    "token": last["token"], "view": view})
    assert [m["part"] for m, _ in pieces()] == list(range(pieces()[0][0]["parts"]))
    sent = b"".join(bytes(b[0]) for _, b in pieces())
    assert sent == workbook.recording_path(recorder.last_attempt_id).read_bytes()
    assert all("url" not in m and "path" not in m for m, _ in pieces())


def test_a_new_playback_replaces_the_one_in_flight(recorder, workbook, webm_3s, monkeypatch):
    import rupture_widgets.widgets.recorder as module

    monkeypatch.setattr(module, "PLAYBACK_PART_BYTES", 50_000)
    record(recorder, webm_3s)
    recorder.play_attempt(recorder.last_attempt_id)
    old = [m for m, _ in recorder.sent if m["kind"] == "playback"][-1]
    recorder.play_attempt(recorder.last_attempt_id)
    recorder.sent.clear()
    browser_says(recorder, {"kind": "playback-ack", "part": 0, "token": old["token"]})
    assert recorder.sent == []


def test_record_and_stop_are_commands_to_the_browser(recorder):
    recorder.record()
    recorder.stop()
    assert [m["kind"] for m, _ in recorder.sent] == ["record", "stop"]


def test_traits_are_validated_with_the_bad_value_named():
    with pytest.raises(traitlets.TraitError, match="0"):
        Recorder(max_seconds=0)
    with pytest.raises(traitlets.TraitError, match="'dancing'"):
        Recorder(status="dancing")
    assert Recorder().max_seconds == 300


def test_every_synced_trait_has_a_default_and_help():
    for cls in (ClipPlayer, Recorder):
        for name, trait in cls.class_traits(sync=True).items():
            if name.startswith("_") or name in {"layout", "tabbable", "tooltip"}:
                continue
            assert trait.help, f"{cls.__name__}.{name} has no help"


def test_clip_player_points_at_the_served_files(catalog):
    clip = catalog.get("c3-beginner-maya")
    player = ClipPlayer.for_clip(clip, root=catalog.root.parent)
    assert player.src == "clips/media/c3-beginner-maya.mp4"
    assert player.captions.endswith(".vtt") and player.poster.endswith(".jpg")
    assert player.title == clip.title


def test_clip_player_reports_start_and_end(catalog):
    player = ClipPlayer()
    started, ended = [], []
    player.on_started(started.append)
    player.on_ended(ended.append)
    browser_says(player, {"kind": "started", "at_ms": 10.0})
    browser_says(player, {"kind": "ended", "at_ms": 20.0})
    assert (started, ended) == ([10.0], [20.0])


def test_a_clip_outside_the_served_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="outside the folder"):
        served_path(tmp_path / "x.mp4", root=tmp_path / "served")


def test_importing_the_widgets_stays_light():
    code = ("import sys, rupture_widgets as r; r.ClipPlayer, r.Recorder; "
            "print(sorted(m for m in ('av', 'pandas', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unexpected_failure_is_reported_not_left_hanging(recorder, workbook, monkeypatch):
    def disk_full(**_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workbook, "start_recording", disk_full)
    browser_says(recorder, {"kind": "start", "started_at_ms": 1.0})
    assert recorder.status == "error" and recorder.error_code == "save-failed"
    assert "No space left on device" in recorder.error


def test_a_recorder_shown_twice_takes_the_answer_from_one_view(recorder, workbook, webm_3s):
    browser_says(recorder, {"kind": "start", "started_at_ms": 1.0, "view": "a"})
    browser_says(recorder, {"kind": "start", "started_at_ms": 2.0, "view": "b"})
    assert ({"kind": "busy", "view": "b"}, None) in recorder.sent
    for i, buf in enumerate(chunked(webm_3s)):
        browser_says(recorder, {"kind": "chunk", "seq": i, "view": "a"}, [buf])
        browser_says(recorder, {"kind": "chunk", "seq": i, "view": "b"}, [b"garbage"])
    browser_says(recorder, {"kind": "stop", "elapsed_ms": 3000, "view": "b"})
    assert workbook.attempts() == []  # b's Stop is not a's
    browser_says(recorder, {"kind": "stop", "elapsed_ms": 3000, "view": "a"})
    [attempt] = workbook.attempts()
    assert attempt.status == "complete"
    assert workbook.recording_path(attempt.id).stat().st_size > 0
