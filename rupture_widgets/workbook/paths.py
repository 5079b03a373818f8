"""The one place that names the files in a workspace and in a trainee's folder.

```
<workspace>/trainees/<trainee_id>/
    workbook.ipynb              the notebook: the system of record (docs/decisions.md #5)
    workbook.journal.jsonl      every change, appended before the notebook is rewritten
    workbook.ipynb.lock         the file lock every writer takes
    feedback-seen.json          which returned feedback the trainee has seen (the app's "new")
    drafts.json                 text the trainee is typing, kept so a reload loses nothing
    drafts.json.lock            the lock for drafts.json (not the workbook's: drafts never wait)
    downloaded.json             what the work looked like at its last download or restore, on a
                                throw-away server (workbook/downloaded.py)
    recordings/<attempt_id>.webm        a finalised recording
    recordings/<attempt_id>.part.webm   a recording being received, or never finalised
    recordings/<attempt_id>.part.json   what a recording is for, until its attempt is logged
    recordings/.<attempt_id>.finalising.webm   the remux fallback's temporary copy
```
Every other module asks here; none spells a name itself.
"""
from __future__ import annotations

import os
from pathlib import Path

TRAINEES = "trainees"
WORKBOOK = "workbook.ipynb"
JOURNAL = "workbook.journal.jsonl"
LOCK = "workbook.ipynb.lock"
SEEN = "feedback-seen.json"
DRAFTS = "drafts.json"
DRAFTS_LOCK = "drafts.json.lock"
DOWNLOADED = "downloaded.json"
RECORDINGS = "recordings"
_FINAL, _PART, _SIDECAR = ".webm", ".part.webm", ".part.json"


def trainees_dir(workspace_root: Path) -> Path:
    return Path(workspace_root) / TRAINEES


class TraineeFolder:
    """The paths of one trainee's folder (nothing is created or read here)."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.workbook = self.dir / WORKBOOK
        self.journal = self.dir / JOURNAL
        self.lock = self.dir / LOCK
        self.seen = self.dir / SEEN
        self.drafts = self.dir / DRAFTS
        self.drafts_lock = self.dir / DRAFTS_LOCK
        self.downloaded = self.dir / DOWNLOADED
        self.recordings = self.dir / RECORDINGS

    def has_workbook(self) -> bool:
        return has_workbook(self.dir)


def has_workbook(directory: Path) -> bool:
    """Whether a trainee's folder holds a workbook (its notebook or its journal); without
    making a ``TraineeFolder``, for a listing of a thousand of them."""
    return os.path.exists(os.path.join(directory, WORKBOOK)) or \
        os.path.exists(os.path.join(directory, JOURNAL))


def recording_file(recordings_dir: Path, attempt_id: str) -> Path:
    return Path(recordings_dir) / f"{attempt_id}{_FINAL}"


def part_file(recordings_dir: Path, attempt_id: str) -> Path:
    return Path(recordings_dir) / f"{attempt_id}{_PART}"


def sidecar_file(recordings_dir: Path, attempt_id: str) -> Path:
    return Path(recordings_dir) / f"{attempt_id}{_SIDECAR}"


def remux_copy_file(recordings_dir: Path, attempt_id: str) -> Path:
    return Path(recordings_dir) / f".{attempt_id}.finalising{_FINAL}"


def recording_files(recordings_dir: Path, attempt_id: str) -> list[Path]:
    """Every file a recording can leave: finalised, part, sidecar, the remux fallback's copy."""
    return [recording_file(recordings_dir, attempt_id), part_file(recordings_dir, attempt_id),
            sidecar_file(recordings_dir, attempt_id), remux_copy_file(recordings_dir, attempt_id)]


def recording_attempt(path: Path) -> tuple[str, bool] | None:
    """(attempt id, is a part file) for a recording file's name; None for any other file."""
    name = Path(path).name
    for suffix, is_part in ((_PART, True), (_FINAL, False)):
        if name.endswith(suffix) and not name.startswith("."):
            return name[: -len(suffix)], is_part
    return None


def example_files() -> list[str]:
    """One of each file a workspace holds, relative to it: what no allow-list may reach."""
    folder = TraineeFolder(Path(TRAINEES) / "t")
    return [p.as_posix() for p in (folder.workbook, folder.journal, folder.lock, folder.seen,
                                   folder.drafts, folder.drafts_lock, folder.downloaded,
                                   recording_file(folder.recordings, "0123abcd"),
                                   part_file(folder.recordings, "0123abcd"),
                                   sidecar_file(folder.recordings, "0123abcd"))]
