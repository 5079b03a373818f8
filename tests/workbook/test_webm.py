"""webm: room for the Duration in the first chunk, and the clusters walked as the chunks arrive."""
from __future__ import annotations

import av
import pytest

from _workbook_fixtures import chunked_webm
from rupture_widgets.workbook import webm
from rupture_widgets.workbook.recordings import probe_duration

CLUSTER = b"\x1f\x43\xb6\x75"


@pytest.fixture(scope="module")
def streamed(tmp_path_factory) -> bytes:
    """~3 s of VP8 + Opus as a live muxer streams it: Segment of unknown size, no Duration."""
    return chunked_webm(tmp_path_factory.mktemp("media") / "answer.webm", seconds=3.0)


def unknown_size_clusters(data: bytes) -> bytes:
    """The same file with every Cluster's size made "unknown", as Chromium's MediaRecorder
    writes them (the muxer above sizes its clusters)."""
    out, pos = bytearray(data), data.index(CLUSTER)
    while pos >= 0:
        _, size, start = webm.element_head(data, pos)
        size_len = start - pos - 4
        out[pos + 4:start] = ((1 << (7 * size_len + 1)) - 1).to_bytes(size_len, "big")
        pos = data.find(CLUSTER, start + size)
    return bytes(out)


def demuxed(path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for p in c.demux() if p.dts is not None)


def scan(data: bytes, chunk: int) -> webm.BlockScanner:
    scanner = webm.BlockScanner()
    for i in range(0, len(data), chunk):
        scanner.feed(memoryview(data)[i:i + chunk])
    return scanner.finish()


def test_unknown_size_clusters_are_what_the_demuxer_still_reads(streamed, tmp_path):
    shaped = unknown_size_clusters(streamed)
    assert webm.element_head(shaped, shaped.index(CLUSTER))[1] == -1
    (tmp_path / "a.webm").write_bytes(streamed)
    (tmp_path / "b.webm").write_bytes(shaped)
    assert demuxed(tmp_path / "b.webm") == demuxed(tmp_path / "a.webm") > 100


def test_the_first_chunk_gets_room_for_a_duration_and_stays_playable(streamed, tmp_path):
    first, rest = streamed[:4000], streamed[4000:]
    slotted = webm.with_duration_slot(first)
    assert len(slotted) == len(first) + webm.SLOT_LENGTH
    path = tmp_path / "slotted.webm"
    path.write_bytes(slotted + rest)
    with av.open(str(path)) as c:  # still a valid WebM, still without a duration
        assert c.duration is None
        assert sorted(s.codec_context.name for s in c.streams) == ["opus", "vp8"]
    assert demuxed(path) == demuxed_bytes(streamed, tmp_path)
    scanner = scan(slotted + rest, 1000)
    slot = scanner.duration_slot
    assert (slotted + rest)[slot:slot + 2] == bytes([webm.VOID_ID, 0x89])
    # overwriting the slot in place gives the file its duration
    patched = bytearray(slotted + rest)
    patched[slot:slot + webm.SLOT_LENGTH] = webm.duration_element(2750.0)  # in milliseconds
    path.write_bytes(patched)
    assert probe_duration(path) == pytest.approx(2.75)
    assert demuxed(path) == demuxed_bytes(streamed, tmp_path)


def demuxed_bytes(data: bytes, tmp_path) -> int:
    path = tmp_path / "original.webm"
    path.write_bytes(data)
    return demuxed(path)


@pytest.mark.parametrize("case", ["not-webm", "info-cut-off", "already-has-duration",
                                  "segment-of-known-size"])
def test_no_slot_is_made_where_one_does_not_fit(streamed, tmp_path, case):
    info_at = streamed.index(webm.INFO_ID.to_bytes(4, "big"))
    if case == "not-webm":
        first = b"\x00\x00\x00\x1cftypmp42" + bytes(200)  # Safari records MP4
    elif case == "info-cut-off":
        first = streamed[:info_at + 8]
    elif case == "already-has-duration":
        slotted = bytearray(webm.with_duration_slot(streamed[:4000]))
        slot = scan(bytes(slotted), 4000).duration_slot
        slotted[slot:slot + webm.SLOT_LENGTH] = webm.duration_element(1000.0)
        first = bytes(slotted)
    else:  # what a seekable muxer writes: a Segment with its size, a Duration, Cues
        from webm_media import make_webm

        first = make_webm(tmp_path / "sized.webm", seconds=1.0).read_bytes()[:4000]
    assert webm.with_duration_slot(first) is None


@pytest.mark.parametrize("shape", ["sized clusters", "unknown-size clusters"])
@pytest.mark.parametrize("chunk", [7, 4096, 1 << 20])
def test_the_scanner_counts_every_block_the_demuxer_reads(streamed, tmp_path, shape, chunk):
    data = streamed if shape == "sized clusters" else unknown_size_clusters(streamed)
    path = tmp_path / "x.webm"
    path.write_bytes(data)
    scanner = scan(data, chunk)
    assert (scanner.blocks, scanner.damaged) == (demuxed(path), 0)
    assert scanner.duration_s() == pytest.approx(probe_duration(path), abs=0.07)


@pytest.mark.parametrize("shape", ["sized clusters", "unknown-size clusters"])
def test_a_cut_off_recording_is_short_but_not_damaged(streamed, shape):
    data = streamed if shape == "sized clusters" else unknown_size_clusters(streamed)
    whole = scan(data, 4096)
    counts = []
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        cut = scan(data[:int(len(data) * fraction)], 4096)
        assert cut.damaged == 0
        counts.append(cut.blocks)
    assert counts == sorted(counts) and 0 < counts[0] and counts[-1] < whole.blocks


@pytest.mark.parametrize("shape", ["sized clusters", "unknown-size clusters"])
def test_bytes_that_fit_no_element_are_damage(streamed, shape):
    data = streamed if shape == "sized clusters" else unknown_size_clusters(streamed)
    whole = scan(data, 4096)
    clusters = [i for i in range(len(data)) if data.startswith(CLUSTER, i)]
    between = clusters[len(clusters) // 2]
    garbage = b"not a webm element " * 20
    inserted = scan(data[:between] + garbage + data[between:], 4096)
    assert (inserted.blocks, inserted.damaged) == (whole.blocks, len(garbage))
    zeroed = data[:between + 2] + bytes(64) + data[between + 66:]  # a cluster's head destroyed
    hurt = scan(zeroed, 4096)
    assert hurt.damaged > 0 and hurt.blocks < whole.blocks


def test_a_scanner_of_something_else_counts_nothing():
    scanner = scan(b"\x00\x00\x00\x1cftypmp42" + bytes(5000), 100)
    assert (scanner.is_webm, scanner.blocks, scanner.damaged, scanner.duration_slot) == (
        False, 0, 0, None)
    assert scanner.duration_s() == 0.0
