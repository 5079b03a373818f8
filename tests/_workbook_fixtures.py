"""Helpers for the workbook, storage, recordings and concurrency tests (kept out of conftest.py,
which another part of the suite owns)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import nbformat

ATTEMPT = {"clip_id": "c3-beginner-maya", "marker": "C3", "level": "beginner"}


def chunked_webm(path: Path, seconds: float = 3.0, fps: int = 15) -> bytes:
    """A real VP8 + Opus WebM written the way MediaRecorder streams it: no duration, no cues
    (the matroska muxer's ``live`` mode). Returns its bytes."""
    import av
    import numpy as np

    with av.open(str(path), "w", format="webm", options={"live": "1"}) as out:
        v = out.add_stream("libvpx", rate=fps)
        v.width, v.height, v.pix_fmt = 160, 120, "yuv420p"
        a = out.add_stream("libopus", rate=48000)
        a.layout = "mono"
        for i in range(int(seconds * fps)):
            img = np.full((120, 160, 3), (i * 7) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(v.encode(frame))
        out.mux(v.encode())
        n = 960  # 20 ms Opus frames
        for i in range(int(seconds * 48000 / n)):
            t = np.arange(i * n, (i + 1) * n) / 48000
            samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 48000, i * n
            out.mux(a.encode(frame))
        out.mux(a.encode())
    return Path(path).read_bytes()


def split(data: bytes, parts: int) -> list[bytes]:
    step = -(-len(data) // parts)
    return [data[i:i + step] for i in range(0, len(data), step)]


def read_valid(path: Path) -> nbformat.NotebookNode:
    """Read a workbook the way JupyterLab would and insist it is valid nbformat."""
    nb = nbformat.read(str(path), as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.nbformat_minor >= 5
    return nb


def cells_by_id(nb) -> dict:
    return {c["id"]: c for c in nb.cells}


def jupyterlab_save(path: Path, data: bytes | str) -> None:
    """Save the way jupyter_server does: truncate and write in place (its 'atomic_writing' keeps
    a backup copy but rewrites the original file), so readers can see a half-written file."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def recorded_attempt(wb, answer: bytes, pieces: int = 2):
    """``answer`` streamed into ``wb`` in ``pieces`` chunks, finalised and logged (ATTEMPT)."""
    rec = wb.start_recording(clip_id=ATTEMPT["clip_id"])
    for chunk in split(answer, pieces):
        rec.append(chunk)
    duration = rec.finalise()
    return wb.log_attempt(**ATTEMPT, attempt_id=rec.attempt_id, recording=rec.final_path,
                          duration_s=duration)


def typed_note(nb_path, attempt_id: str, text: str) -> None:
    """A reviewer types below the line in JupyterLab and saves (re-indented, as it does)."""
    import nbformat

    from rupture_widgets.workbook import NOTES_MARK

    nb = nbformat.reads(nb_path.read_text("utf-8"), as_version=4)
    for cell in nb.cells:
        if cell.get("id") == f"feedback-{attempt_id}":
            cell.source = cell.source[:cell.source.index(NOTES_MARK) + len(NOTES_MARK)] + \
                "\n" + text
    jupyterlab_save(nb_path, nbformat.writes(nb))
