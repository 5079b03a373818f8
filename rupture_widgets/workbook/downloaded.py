"""Whether a trainee's work has changed since it was last downloaded (a throw-away server).

On a server that keeps nothing, the page warns before it is left while there is work the
trainee has not downloaded (docs/decisions.md #34). "Not downloaded" is known by comparing the
folder's *state* now with the state at the last download or restore, kept in a small file
beside the workbook (``paths.DOWNLOADED``) rather than in the kernel: a reload starts a new
kernel, and work recorded before it must still count as not downloaded.

The state is a fingerprint of what every change to the work touches, read from the file system
alone (no workbook read, so the app can check it every few seconds): the journal (every attempt,
self-assessment, best, delete and collected feedback is appended there first), the recordings
folder (names and sizes: a recording under way grows, a finished one is renamed) and which
feedback was seen. It can only err on the safe side: a change that is not work (the journal
rewritten by a repair) asks once more for a download; nothing that is work goes unnoticed.
"""
from __future__ import annotations

import hashlib
import os

from ..storage import NotJSON, atomic_write_text, dumps, parse_json
from . import paths


def work_state(workbook) -> str:
    """A fingerprint of the trainee's work as it is now (20 hex digits)."""
    folder = paths.TraineeFolder(workbook.dir)
    parts = [_stat(folder.journal), _stat(folder.seen)]
    try:
        with os.scandir(folder.recordings) as entries:
            parts += sorted(f"{e.name}:{_stat(e.path)}" for e in entries
                            if not e.name.startswith("."))  # a remux's scratch copy is not work
    except OSError:  # no recordings yet
        pass
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def has_work(workbook) -> bool:
    """Anything that would be lost with the server: an attempt or a recording file."""
    folder = paths.TraineeFolder(workbook.dir)
    try:
        with os.scandir(folder.recordings) as entries:
            if any(not e.name.startswith(".") for e in entries):
                return True
    except OSError:
        pass
    return bool(folder.has_workbook() and workbook.attempts())


def last_downloaded(workbook) -> str | None:
    """The state at the last download or restore; None if there was none (or the file is
    unreadable: then the work counts as not downloaded, the safe side)."""
    try:
        data = parse_json(paths.TraineeFolder(workbook.dir).downloaded.read_bytes())
    except (OSError, NotJSON):
        return None
    state = data.get("state") if isinstance(data, dict) else None
    return state if isinstance(state, str) else None


def mark_downloaded(workbook, state: str, *, at: str) -> None:
    """Remember ``state`` (``work_state`` taken *before* the bundle was made, so a change made
    while it was being made still counts as not downloaded) as downloaded at ``at``."""
    folder = paths.TraineeFolder(workbook.dir)
    folder.dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder.downloaded, dumps({"state": state, "at": at}), durable=False)


def not_downloaded(workbook, state: str | None = None) -> bool:
    """True when there is work and it has changed since the last download or restore."""
    state = work_state(workbook) if state is None else state
    return state != last_downloaded(workbook) and has_work(workbook)


def _stat(path) -> str:
    try:
        s = os.stat(path)
    except OSError:
        return "-"
    return f"{s.st_size}:{s.st_mtime_ns}"
