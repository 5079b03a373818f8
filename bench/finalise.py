"""`Recording.finalise` alone, on the real answers the recording benchmark just recorded.

Stop → logged (bench/recording.py) is measured through the page, where round-to-round noise is
as large as what finalising costs. Here the kernel's part is timed on its own: each answer is
turned back into what arrived (its Duration replaced by the Void that held its place), streamed
into a fresh Recording in 1 MB chunks, and finalised. The short answer is the baseline; the two
alternate, median of the rounds. PyAV is imported before timing (in the app that happens once,
at the first Stop).
"""
from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path


def as_streamed(path: Path) -> bytes:
    """The file as MediaRecorder's chunks built it, before the Duration was written."""
    from rupture_widgets.workbook import webm

    data = bytearray(path.read_bytes())
    slot = webm.scan_file(path).finish().duration_slot
    if slot is None or data[slot:slot + 2] != webm.DURATION_ID.to_bytes(2, "big"):
        raise ValueError(f"{path} has no Duration where a streamed recording keeps it")
    data[slot:slot + webm.SLOT_LENGTH] = bytes([webm.VOID_ID, 0x89]) + bytes(9)
    return bytes(data)


def finalise_once(data: bytes) -> float:
    from rupture_widgets.workbook.recordings import Recording

    folder = Path(tempfile.mkdtemp(prefix="bench-finalise-"))
    try:
        rec = Recording(folder, "answer")
        for i in range(0, len(data), 1 << 20):
            rec.append(data[i:i + (1 << 20)])
        started = time.perf_counter()
        rec.finalise()
        return time.perf_counter() - started
    finally:
        shutil.rmtree(folder)


def run(short_path: Path, long_path: Path, rounds: int = 5) -> dict:
    import av  # noqa: F401  (imported once, as in the app)

    short, long = as_streamed(short_path), as_streamed(long_path)
    finalise_once(short)  # warm the page cache and PyAV's first open
    short_s, long_s = [], []
    for _ in range(rounds):
        short_s.append(finalise_once(short))
        long_s.append(finalise_once(long))
    return {"short_mb": len(short) / 1e6, "long_mb": len(long) / 1e6,
            "short_ms": 1000 * statistics.median(short_s),
            "long_ms": 1000 * statistics.median(long_s),
            "ratio": statistics.median(long_s) / statistics.median(short_s)}
