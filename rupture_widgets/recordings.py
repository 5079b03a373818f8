"""Recording files: chunks appended as they arrive, then finalised into a seekable WebM.

DESIGN.md decision 1: the browser's MediaRecorder sends a chunk about every second. Each chunk is
appended to ``recordings/<attempt_id>.part.webm`` and flushed at once, so a closed tab or a dead
kernel leaves everything recorded so far on disk. A chunked MediaRecorder WebM has no duration
in its header (players show no length and cannot seek well), so ``finalise`` remuxes it with a
stream copy - no re-encoding, ~0.15 s for 20 MB - into ``<attempt_id>.webm``.

PyAV is imported only inside ``finalise``/``probe_duration``: the trainee app's start-up path must
stay light (DESIGN.md decision 8).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .errors import RecordingError
from .storage import fsync_dir


def _max_bytes_from_env() -> int:
    raw = os.environ.get("RUPTURE_MAX_RECORDING_MB", "300")
    try:
        mb = float(raw)
    except ValueError:
        raise ValueError(f"RUPTURE_MAX_RECORDING_MB should be a number of megabytes, got {raw!r}"
                         ) from None
    return int(mb * 1_000_000)


#: Size cap per recording. 300 MB is ~15 minutes at the ~2.7 Mbit/s Chromium records 720p at,
#: far beyond a practice answer, but small enough that a forgotten recorder cannot fill a disk.
DEFAULT_MAX_BYTES = _max_bytes_from_env()


class Recording:
    """One attempt's recording on disk.

    ``directory`` is the trainee's ``recordings`` folder; ``relative_to`` is the folder the
    notebook lives in (default: the parent of ``directory``), so ``relative_path`` is what the
    notebook's ``<video src=...>`` needs.
    """

    def __init__(self, directory: Path | str, attempt_id: str, *, max_bytes: int | None = None,
                 relative_to: Path | str | None = None):
        self.directory = Path(directory)
        self.attempt_id = attempt_id
        self.max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else int(max_bytes)
        self._base = Path(relative_to) if relative_to is not None else self.directory.parent
        self.part_path = self.directory / f"{attempt_id}.part.webm"
        self.final_path = self.directory / f"{attempt_id}.webm"
        # Resuming after a kernel restart: count what is already there against the cap.
        self.bytes_written = self.part_path.stat().st_size if self.part_path.exists() else 0
        self.finished = self.final_path.exists() and not self.part_path.exists()
        self.duration_s: float | None = None

    @property
    def relative_path(self) -> str:
        """The finalised file relative to the workbook folder, e.g. 'recordings/<id>.webm'."""
        return self.final_path.relative_to(self._base).as_posix()

    def append(self, chunk: bytes) -> None:
        """Append the next chunk and flush it to disk.

        A chunk that would take the file past ``max_bytes`` is refused whole (half a WebM cluster
        is worse than none) and RecordingError.too_large is raised; what is on disk stays.
        """
        if self.finished:
            raise RecordingError.already_finished(self.final_path)
        chunk = bytes(chunk)  # accept memoryview/bytearray from widget buffers
        if self.bytes_written + len(chunk) > self.max_bytes:
            raise RecordingError.too_large(self.part_path, self.max_bytes)
        new_file = not self.part_path.exists()
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.part_path, "ab") as f:
            f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if new_file:
            fsync_dir(self.directory)
        self.bytes_written += len(chunk)

    def finalise(self) -> float:
        """Remux the part file into ``final_path``; return the duration in seconds.

        The part file is removed only after the final file has been written, fsynced and read
        back with a positive duration *and every block of the part file in it*: the demuxer
        skips a damaged cluster without a word, and a shorter copy must not replace the
        original. An undecodable or damaged part file raises RecordingError and is kept
        untouched (the attempt then points at it, as incomplete).
        """
        if self.finished:
            raise RecordingError.already_finished(self.final_path)
        if not self.part_path.exists():
            raise RecordingError.undecodable(self.part_path, "no data was recorded")
        tmp = self.directory / f".{self.attempt_id}.finalising.webm"
        try:
            copied = _remux(self.part_path, tmp)
            duration = probe_duration(tmp)
            if not duration > 0:
                raise RecordingError.undecodable(self.part_path, "it holds no audio or video")
            recorded, damaged = scan_blocks(self.part_path)
            if damaged or copied < recorded or count_packets(tmp) < copied:
                raise RecordingError.damaged(self.part_path, (
                    f"{damaged:,} of its {self.part_path.stat().st_size:,} bytes are not audio "
                    "or video that can be read" if damaged else
                    f"only {min(copied, recorded):,} of its {recorded:,} audio and video blocks "
                    "could be copied"))
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, self.final_path)
            fsync_dir(self.directory)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        self.part_path.unlink()
        fsync_dir(self.directory)
        self.finished = True
        self.duration_s = duration
        return duration


def _remux(src_path: Path, dst_path: Path) -> int:
    """Stream-copy the audio and video of ``src_path`` into a WebM that has a duration; return
    how many packets were copied."""
    import av  # heavy: only when a recording is finalised

    try:
        with av.open(str(src_path)) as src:
            streams = [s for s in src.streams if s.type in ("video", "audio")]
            if not streams:
                raise RecordingError.undecodable(src_path, "it holds no audio or video")
            with av.open(str(dst_path), "w", format="webm") as dst:
                out = {s.index: dst.add_stream_from_template(s) for s in streams}
                packets = 0
                for packet in src.demux(*streams):
                    if packet.dts is None:  # demuxer's end-of-stream flush packet
                        continue
                    packet.stream = out[packet.stream.index]
                    dst.mux(packet)
                    packets += 1
                if not packets:
                    raise RecordingError.undecodable(src_path, "it holds no audio or video")
                return packets
    except RecordingError:
        raise
    except (av.FFmpegError, ValueError, OSError) as e:
        raise RecordingError.undecodable(src_path, str(e) or type(e).__name__) from e


def probe_duration(path: Path | str) -> float:
    """Duration in seconds: from the header when present, else from the last packet's end."""
    import av

    try:
        with av.open(str(path)) as c:
            if c.duration is not None and c.duration > 0:
                return c.duration / 1_000_000  # AV_TIME_BASE is microseconds
            end = 0.0
            for packet in c.demux():
                if packet.pts is None or packet.time_base is None:
                    continue
                stop = packet.pts + (packet.duration or 0)
                end = max(end, float(stop * packet.time_base))
            start = c.start_time / 1_000_000 if c.start_time else 0.0
            return max(0.0, end - start)
    except (av.FFmpegError, ValueError, OSError) as e:
        raise RecordingError.undecodable(path, str(e) or type(e).__name__) from e


def count_packets(path: Path | str) -> int:
    """How many audio and video packets the demuxer reads from ``path``."""
    import av

    try:
        with av.open(str(path)) as c:
            streams = [s for s in c.streams if s.type in ("video", "audio")]
            return sum(1 for p in c.demux(*streams) if p.dts is not None)
    except (av.FFmpegError, ValueError, OSError) as e:
        raise RecordingError.undecodable(path, str(e) or type(e).__name__) from e


# -- counting blocks without the demuxer ----------------------------------------------------
# A WebM is EBML: elements of (ID, size, data). MediaRecorder writes the Segment and every
# Cluster with "unknown" size, so a Cluster ends where the next top-level element begins. The
# frames are SimpleBlock or BlockGroup children of a Cluster. Walking that structure ourselves
# gives a count the demuxer cannot silently shorten, and says how many bytes did not fit the
# structure at all (damage), which the demuxer skips without a word.

_CLUSTER_ID = 0x1F43B675
_CLUSTER = _CLUSTER_ID.to_bytes(4, "big")
_BLOCKS = {0xA3, 0xA0}  # SimpleBlock, BlockGroup
#: IDs that end a Cluster of unknown size: the Segment's children (Cluster, Cues, Tags,
#: SeekHead, Info, Tracks, Attachments, Chapters) and a new Segment or EBML header.
_TOP_LEVEL = {_CLUSTER_ID, 0x1C53BB6B, 0x1254C367, 0x114D9B74, 0x1549A966, 0x1654AE6B,
              0x1941A469, 0x1043A770, 0x18538067, 0x1A45DFA3}
_LONGEST_HEAD = 12  # a 4-byte ID and an 8-byte size


def _element(buf, pos: int) -> tuple[int, int, int] | None:
    """(ID, size or -1 when unknown, data start) of the element at ``pos``; None if the bytes
    there are not an element header."""
    first = buf[pos] if pos < len(buf) else 0
    id_len, size_pos = 9 - first.bit_length(), 0
    if not first or id_len > 4 or pos + id_len >= len(buf):
        return None
    element_id = int.from_bytes(buf[pos:pos + id_len], "big")
    size_pos = pos + id_len
    lead = buf[size_pos]
    size_len = 9 - lead.bit_length()
    if not lead or size_pos + size_len > len(buf):
        return None
    size = int.from_bytes(buf[size_pos:size_pos + size_len], "big") & ((1 << (7 * size_len)) - 1)
    if size == (1 << (7 * size_len)) - 1:
        size = -1
    return element_id, size, size_pos + size_len


def _segment_start(buf) -> int:
    """Where the Segment's children begin (the first cluster ID, if the header is unusual).

    Walked, not searched for: a SeekHead holds the Cluster ID as data."""
    ebml = _element(buf, 0)
    if ebml is not None and ebml[0] == 0x1A45DFA3 and ebml[1] >= 0:
        segment = _element(buf, ebml[2] + ebml[1])
        if segment is not None and segment[0] == 0x18538067:
            return segment[2]
    return buf.find(_CLUSTER)


def scan_blocks(path: Path | str) -> tuple[int, int]:
    """(whole blocks in the clusters, bytes that are not part of any readable element).

    A recording cut off mid-element is not damage: only its last, partial block is missing.
    """
    import mmap

    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return 0, 0
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            end_of_file = len(buf)
            blocks, damaged, pos = 0, 0, _segment_start(buf)
            while 0 <= pos < end_of_file - _LONGEST_HEAD:
                head = _element(buf, pos)
                if head is None or (head[1] < 0 and head[0] != _CLUSTER_ID):
                    nxt = buf.find(_CLUSTER, pos + 1)
                    damaged += (end_of_file if nxt < 0 else nxt) - pos
                    pos = nxt
                    continue
                element_id, size, p = head
                end = end_of_file if size < 0 else min(end_of_file, p + size)
                if element_id != _CLUSTER_ID:  # Cues, Tags, Void...: skipped whole
                    pos = end
                    continue
                while p < end - _LONGEST_HEAD or (size >= 0 and p < end):
                    child = _element(buf, p)
                    if child is None or child[1] < 0 or child[0] in _TOP_LEVEL:
                        break
                    if child[2] + child[1] > end_of_file:
                        p = end_of_file  # cut off inside this block
                        break
                    blocks += child[0] in _BLOCKS
                    p = child[2] + child[1]
                pos = p if p < end_of_file - _LONGEST_HEAD else end_of_file
            return blocks, damaged
