"""recordings: chunks appended as they arrive, finalised into a WebM with a duration, kept on error."""
from __future__ import annotations

import os
import subprocess
import sys

import av
import pytest

from _workbook_fixtures import ATTEMPT, chunked_webm, read_valid, split
from rupture_widgets.errors import RecordingError
from rupture_widgets.workbook.recordings import DEFAULT_MAX_BYTES, Recording, probe_duration
from rupture_widgets.workbook.webm import SLOT_LENGTH, scan_file, with_duration_slot
from rupture_widgets.workbook import Workspace


@pytest.fixture(scope="module")
def webm_bytes(tmp_path_factory):
    """~3 s of VP8 + Opus, streamed like MediaRecorder: no duration in the header."""
    path = tmp_path_factory.mktemp("media") / "answer.webm"
    data = chunked_webm(path, seconds=3.0)
    with av.open(str(path)) as c:
        assert c.duration is None  # the premise: a chunked recording has no duration
        assert sorted(s.codec_context.name for s in c.streams) == ["opus", "vp8"]
    return data


def test_chunks_are_appended_and_finalised_with_a_duration(tmp_path, webm_bytes):
    rec = Recording(tmp_path / "recordings", "a1")
    chunks = split(webm_bytes, 3)  # ~1 s each, cut at arbitrary bytes like MediaRecorder's
    for chunk in chunks:
        rec.append(memoryview(chunk))
        assert rec.part_path.stat().st_size == rec.bytes_written  # flushed at once
    assert rec.bytes_written == len(webm_bytes) + SLOT_LENGTH  # room for the Duration
    duration = rec.finalise()
    assert duration == pytest.approx(3.0, abs=0.5)
    assert not rec.part_path.exists() and rec.final_path.exists()
    assert rec.relative_path == "recordings/a1.webm"
    with av.open(str(rec.final_path)) as c:  # the header now carries the duration
        assert c.duration / 1e6 == pytest.approx(duration, abs=0.01)
        assert sorted(s.codec_context.name for s in c.streams) == ["opus", "vp8"]
        assert sum(1 for p in c.demux() if p.dts is not None) > 50
    assert probe_duration(rec.final_path) == pytest.approx(duration, abs=0.01)
    assert [p.name for p in rec.directory.iterdir()] == ["a1.webm"]
    first_cluster = webm_bytes.index(b"\x1f\x43\xb6\x75")
    assert rec.final_path.read_bytes()[first_cluster + SLOT_LENGTH:] == \
        webm_bytes[first_cluster:]  # every byte of the answer as it arrived
    with pytest.raises(RecordingError, match="already finished"):
        rec.append(b"more")
    with pytest.raises(RecordingError, match="already finished"):
        rec.finalise()


def test_probe_duration_of_a_chunked_file_reads_the_packets(tmp_path, webm_bytes):
    path = tmp_path / "x.part.webm"
    path.write_bytes(webm_bytes)
    assert probe_duration(path) == pytest.approx(3.0, abs=0.5)


@pytest.mark.parametrize("damage", ["header-only", "garbage", "empty-file"])
def test_an_undecodable_recording_is_kept_with_a_clear_error(tmp_path, webm_bytes, damage):
    data = {"header-only": webm_bytes[:300], "garbage": os.urandom(5000),
            "empty-file": b""}[damage]
    rec = Recording(tmp_path / "recordings", "a1")
    rec.directory.mkdir()
    rec.part_path.write_bytes(data)
    with pytest.raises(RecordingError, match="could not be read as video") as err:
        rec.finalise()
    assert str(rec.part_path) in str(err.value) and "The file is kept" in str(err.value)
    assert rec.part_path.read_bytes() == data
    assert [p.name for p in rec.directory.iterdir()] == ["a1.part.webm"]  # no half-made files


def test_nothing_recorded(tmp_path):
    with pytest.raises(RecordingError, match="no data was recorded"):
        Recording(tmp_path, "a1").finalise()


def test_a_recording_cut_off_mid_stream_is_salvaged(tmp_path, webm_bytes):
    """A closed tab stops the chunks mid-cluster; everything before the cut is still playable."""
    rec = Recording(tmp_path, "a1")
    rec.append(webm_bytes[: len(webm_bytes) * 2 // 3])
    duration = rec.finalise()
    assert 0.5 < duration < 3.0


def test_the_size_cap_refuses_the_chunk_and_keeps_what_was_written(tmp_path, webm_bytes):
    chunks = split(webm_bytes, 3)
    kept = with_duration_slot(chunks[0]) + chunks[1]
    rec = Recording(tmp_path, "a1", max_bytes=len(kept) + 10)
    rec.append(chunks[0])
    rec.append(chunks[1])
    with pytest.raises(RecordingError, match="size limit of 0 MB") as err:
        rec.append(chunks[2])
    assert str(rec.part_path) in str(err.value)
    assert rec.part_path.read_bytes() == kept
    assert rec.bytes_written == len(kept)
    assert 0.5 < rec.finalise() < 3.0  # what was kept is still a playable recording


def test_a_resumed_recording_counts_what_is_on_disk(tmp_path, webm_bytes):
    first = Recording(tmp_path, "a1", max_bytes=len(webm_bytes))
    first.append(webm_bytes[:1000])
    again = Recording(tmp_path, "a1", max_bytes=len(webm_bytes))  # e.g. after a kernel restart
    assert again.bytes_written == first.bytes_written == 1000 + SLOT_LENGTH
    with pytest.raises(RecordingError, match="size limit"):
        again.append(webm_bytes)


def test_a_resumed_recording_still_gets_its_duration_in_place(tmp_path, webm_bytes, monkeypatch):
    from rupture_widgets.workbook import recordings

    first = Recording(tmp_path, "a1")
    first.append(webm_bytes[:5000])
    again = Recording(tmp_path, "a1")  # the kernel restarted mid-answer; the rest arrives
    again.append(webm_bytes[5000:])
    monkeypatch.setattr(recordings, "_remux", None)  # no copy is made: calling it would fail
    assert again.finalise() == pytest.approx(3.0, abs=0.5)
    with av.open(str(again.final_path)) as c:
        assert c.duration / 1e6 == pytest.approx(again.duration_s, abs=0.01)


def test_default_cap_is_300_mb_and_configurable():
    assert DEFAULT_MAX_BYTES == 300_000_000 or "RUPTURE_MAX_RECORDING_MB" in os.environ
    code = "from rupture_widgets.workbook.recordings import DEFAULT_MAX_BYTES as m; print(m)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "RUPTURE_MAX_RECORDING_MB": "2.5"})
    assert out.stdout.strip() == "2500000"
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "RUPTURE_MAX_RECORDING_MB": "lots"})
    assert bad.returncode != 0 and "RUPTURE_MAX_RECORDING_MB" in bad.stderr


def test_record_finalise_and_log_through_the_workbook(tmp_path, webm_bytes):
    wb = Workspace(tmp_path).workbook("alex")
    rec = wb.start_recording(**{k: ATTEMPT[k] for k in ("clip_id", "marker", "level")})
    assert len(rec.attempt_id) == 32 and rec.directory == wb.recordings_dir
    assert (wb.recordings_dir / f"{rec.attempt_id}.part.json").exists()  # says what it was for
    for chunk in split(webm_bytes, 3):
        rec.append(chunk)
    duration = rec.finalise()
    a = wb.log_attempt(**ATTEMPT, attempt_id=rec.attempt_id, recording=rec.relative_path,
                       duration_s=duration)
    assert a.recording == f"recordings/{a.id}.webm" and a.duration_s == pytest.approx(3, abs=0.5)
    assert wb.recording_path(a.id) == rec.final_path
    assert sorted(p.name for p in wb.recordings_dir.iterdir()) == [f"{a.id}.webm"]
    nb = read_valid(wb.path)
    assert f'src="recordings/{a.id}.webm"' in nb.cells[1].source
    assert wb.incomplete_recordings(min_age_s=0) == []


def test_a_finalised_but_unlogged_recording_is_adopted(tmp_path, webm_bytes):
    """The kernel died between finalise and log_attempt: the sidecar says what it was."""
    wb = Workspace(tmp_path).workbook("alex")
    rec = wb.start_recording(clip_id="c1", marker="W1", level="beginner")
    rec.append(webm_bytes)
    rec.finalise()
    (wb.recordings_dir / "stray.webm").write_bytes(b"not ours")  # no sidecar: left alone
    [a] = wb.incomplete_recordings(min_age_s=0)
    assert (a.id, a.clip_id, a.recording) == (rec.attempt_id, "c1", rec.relative_path)


@pytest.mark.parametrize("where", ["cluster-header", "inside-a-cluster"])
def test_a_damaged_stretch_keeps_the_part_file(tmp_path, webm_bytes, where):
    """The demuxer skips a damaged cluster without a word; a shorter copy must not replace the
    original, and the attempt must point at the file that holds everything."""
    clusters = [i for i in range(len(webm_bytes)) if webm_bytes.startswith(b"\x1f\x43\xb6\x75", i)]
    middle = clusters[len(clusters) // 2] + {"cluster-header": 2, "inside-a-cluster": 12}[where]
    damaged = webm_bytes[:middle] + bytes(64) + webm_bytes[middle + 64:]
    wb = Workspace(tmp_path).workbook("alex")
    rec = wb.start_recording(**ATTEMPT)
    for chunk in split(damaged, 3):
        rec.append(chunk)
    with av.open(str(rec.part_path)) as c:  # the premise: the demuxer reads on, quietly short
        assert 0 < sum(1 for p in c.demux() if p.dts is not None) < 190
    with pytest.raises(RecordingError, match="is damaged in places") as err:
        rec.finalise()
    assert str(rec.part_path) in str(err.value) and "kept unchanged" in str(err.value)
    assert f"of its {len(damaged) + SLOT_LENGTH:,} bytes are not audio or video" in str(err.value)
    kept = rec.part_path.read_bytes()
    assert kept[clusters[0] + SLOT_LENGTH:] == damaged[clusters[0]:] and not rec.finished
    assert sorted(p.name for p in wb.recordings_dir.iterdir()) == [
        f"{rec.attempt_id}.part.json", f"{rec.attempt_id}.part.webm"]  # no shorter copy
    # what the recorder does with the error: the attempt points at the part file
    a = wb.log_attempt(**ATTEMPT, attempt_id=rec.attempt_id, recording=rec.part_path,
                       status="incomplete")
    assert wb.recording_path(a.id) == rec.part_path


def scan_blocks(path) -> tuple[int, int]:
    scanner = scan_file(path).finish()
    return scanner.blocks, scanner.damaged


def test_blocks_are_counted_without_the_demuxer(tmp_path, webm_bytes):
    path = tmp_path / "x.webm"
    path.write_bytes(webm_bytes)
    with av.open(str(path)) as c:
        packets = sum(1 for p in c.demux() if p.dts is not None)
    assert scan_blocks(path) == (packets, 0)
    path.write_bytes(webm_bytes[: len(webm_bytes) // 2])  # cut off: short, but not damaged
    blocks, damaged = scan_blocks(path)
    assert 0 < blocks < packets and damaged == 0
    path.write_bytes(b"")
    assert scan_blocks(path) == (0, 0)


def test_a_demuxer_that_stops_early_keeps_the_part_file(tmp_path, webm_bytes):
    """A recording that must be remuxed (its first chunk was too short to leave room for the
    Duration) whose structure shows blocks the demuxer never returned: the copy is short."""
    rec = Recording(tmp_path, "a1")
    rec.append(webm_bytes[:100])
    rec.append(webm_bytes[100:])
    assert rec._scanner.duration_slot is None  # the premise: no slot, so a remux
    rec._scanner.blocks = 10_000  # more than the demuxer can find in it
    with pytest.raises(RecordingError, match=r"only \d+ of its 10,000 audio and video blocks"):
        rec.finalise()
    assert rec.part_path.read_bytes() == webm_bytes and not rec.final_path.exists()
