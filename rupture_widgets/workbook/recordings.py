"""Recording files: chunks appended as they arrive, then finalised into a WebM with a duration.

docs/decisions.md #1: the browser's MediaRecorder sends a chunk about every second. Each chunk is
appended to the attempt's part file (``paths.part_file``) and flushed at once, so a closed tab or a dead
kernel leaves everything recorded so far on disk. A chunked MediaRecorder WebM has no duration
in its header (players show no length and cannot seek well). The first chunk is written with
room for one (``webm.with_duration_slot``) and every chunk is walked as it arrives
(``webm.BlockScanner``), so ``finalise`` only writes the 11-byte Duration in place and renames
the file: its cost does not grow with the answer's length (docs/benchmarks.md). A recording
that did not start that way (an unusual first chunk, a resumed part file from an older version)
is remuxed instead, with a stream copy into a new file.

PyAV is imported only inside ``finalise``/``probe_duration``: the trainee app's start-up path must
stay light (docs/decisions.md #8).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..errors import RecordingError
from ..storage import fsync_dir
from . import paths, webm


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
        self.part_path = paths.part_file(self.directory, attempt_id)
        self.final_path = paths.recording_file(self.directory, attempt_id)
        self.finished = self.final_path.exists() and not self.part_path.exists()
        self.duration_s: float | None = None
        self.chunks = 0  # appended by this object (the recorder compares it with the browser's)
        # A chunk that could not be written (full disk) leaves a hole: nothing after it would
        # play, so the recording takes no more chunks and is never called complete.
        self.write_failed = False
        if self.part_path.exists():  # resuming after a kernel restart: walk what is there
            self._scanner = webm.scan_file(self.part_path)
            self.bytes_written = self.part_path.stat().st_size  # counts against the cap
        else:
            self._scanner, self.bytes_written = webm.BlockScanner(), 0

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
        if self.write_failed:
            raise RecordingError.after_failed_write(self.part_path)
        chunk = bytes(chunk)  # accept memoryview/bytearray from widget buffers
        if not self.bytes_written:
            chunk = webm.with_duration_slot(chunk) or chunk
        if self.bytes_written + len(chunk) > self.max_bytes:
            raise RecordingError.too_large(self.part_path, self.max_bytes)
        new_file = not self.part_path.exists()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # 0600: a recording of a face and voice is readable by its owner only
            fd = os.open(self.part_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:  # unbuffered, so nothing of a failed chunk can be flushed after the cut below
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            except OSError:
                # whatever part of the chunk landed is torn data: cut it off again
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self.bytes_written)
                raise
            finally:
                os.close(fd)
        except OSError as e:
            self.write_failed = True
            raise RecordingError.write_failed(self.part_path, e) from e
        if new_file:
            fsync_dir(self.directory)
        self.bytes_written += len(chunk)
        self.chunks += 1
        self._scanner.feed(chunk)

    def finalise(self) -> float:
        """Give the recording its duration and make it ``final_path``; return the duration (s).

        Damage (bytes that are part of no readable element) or nothing to play raises
        RecordingError and leaves the part file as it is (the attempt then points at it, as
        incomplete). The part file becomes the final file only once it has a duration that
        PyAV reads back.
        """
        if self.finished:
            raise RecordingError.already_finished(self.final_path)
        if not self.part_path.exists():
            raise RecordingError.undecodable(self.part_path, "no data was recorded")
        if self.write_failed:
            raise RecordingError.after_failed_write(self.part_path)
        scan = self._scanner.finish()
        if scan.damaged:
            raise RecordingError.damaged(self.part_path, (
                f"{scan.damaged:,} of its {self.bytes_written:,} bytes are not audio or video "
                "that can be read"))
        duration = scan.duration_s()
        if scan.duration_slot is not None and duration > 0:
            self._write_duration(scan.duration_slot, duration, scan.timecode_scale)
        else:
            duration = self._remux_into_final(scan.blocks)
        fsync_dir(self.directory)
        self.finished = True
        self.duration_s = duration
        return duration

    def _write_duration(self, slot: int, duration: float, timecode_scale: int) -> None:
        """Overwrite the slot kept in Info with the Duration, then rename: constant time."""
        with open(self.part_path, "r+b") as f:
            f.seek(slot)
            f.write(webm.duration_element(duration * 1e9 / timecode_scale))
            f.flush()
            os.fsync(f.fileno())
        read_back = probe_duration(self.part_path)  # header only: the file has a duration now
        if abs(read_back - duration) > 0.01:
            raise RecordingError.damaged(self.part_path, (
                f"its duration reads back as {read_back:.3f} s, not {duration:.3f} s"))
        os.replace(self.part_path, self.final_path)

    def _remux_into_final(self, recorded: int) -> float:
        """Stream-copy into a new file; the part file is removed only once the copy has been
        read back with a duration *and every block of the part file in it*: the demuxer skips
        a damaged cluster without a word, and a shorter copy must not replace the original."""
        tmp = paths.remux_copy_file(self.directory, self.attempt_id)
        try:
            copied = _remux(self.part_path, tmp)
            duration = probe_duration(tmp)
            if not duration > 0:
                raise RecordingError.undecodable(self.part_path, "it holds no audio or video")
            if copied < recorded or count_packets(tmp) < copied:
                raise RecordingError.damaged(self.part_path, (
                    f"only {min(copied, recorded):,} of its {recorded:,} audio and video blocks "
                    "could be copied"))
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)  # a recording is its owner's alone, like the part file
            os.replace(tmp, self.final_path)
            fsync_dir(self.directory)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        self.part_path.unlink()
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
