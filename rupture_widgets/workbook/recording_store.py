"""The workbook's recording files: a new recording, finding one, adopting the ones never logged.

Split from ``store`` along the seam between the notebook's records and the files beside them:
``RecordingFiles`` is a part of ``Workbook`` (a mixin using its ``_read``/``_write``), named in
``paths`` and written by ``recordings.Recording``.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from ..errors import InvalidRecord, StorageError
from ..storage import atomic_write_text, dumps, fsync_dir, parse_json, utc_now
from . import paths
from .recordings import Recording
from .records import RECORD_ID_RE, Attempt, check_record_id, new_record_id, orphan_record
from .state import WorkbookState

log = logging.getLogger(__name__)

_NOT_SAVED = "This change was not saved; nothing saved before was lost."


class RecordingFiles:
    """The recordings half of ``Workbook``: ``recordings/<attempt_id>.*`` (``paths``)."""
    def start_recording(self, attempt_id: str | None = None, max_bytes: int | None = None, *,
                        clip_id: str | None = None, marker: str | None = None,
                        level: str | None = None) -> Recording:
        """A new recording; its sidecar lets ``incomplete_recordings`` say what it was for."""
        attempt_id = check_record_id(attempt_id or new_record_id())
        self._check_inside_root()
        sidecar = {"attempt_id": attempt_id, "clip_id": clip_id, "marker": marker,
                   "level": level, "started_at": utc_now()}
        path = paths.sidecar_file(self.recordings_dir, attempt_id)
        try:
            self.recordings_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, dumps(sidecar))
        except OSError as e:
            raise StorageError.could_not_write(path, e, _NOT_SAVED) from e
        return Recording(self.recordings_dir, attempt_id, max_bytes=max_bytes, relative_to=self.dir)

    def recording_path(self, attempt_id: str) -> Path | None:
        rec = self.attempt(attempt_id).recording
        candidates = [self.dir / rec] if rec else []
        candidates += [paths.recording_file(self.recordings_dir, attempt_id),
                       paths.part_file(self.recordings_dir, attempt_id)]
        return next((p for p in candidates if self.owns_recording(p)), None)

    def owns_recording(self, path: Path | str) -> bool:
        """Whether ``path`` is a file directly in this trainee's own recordings folder once every
        link is followed (docs/decisions.md #9): playback never reaches anyone else's."""
        own = self.dir.resolve() / paths.RECORDINGS
        if self.recordings_dir.resolve() != own:  # the recordings folder is itself a link
            return False
        full = Path(path).resolve()
        return full.parent == own and full.is_file()

    def incomplete_recordings(self, min_age_s: float = 30.0) -> list[Attempt]:
        """Adopt recordings never logged (tab closed, kernel died) as 'incomplete' attempts,
        then return every attempt whose status is 'incomplete'.

        A file younger than ``min_age_s`` may still be receiving chunks, so it is left alone.
        Nothing is moved; each orphan is logged once. The only files deleted are those of an
        attempt the trainee deleted (a delete cut off between its journal line and its files):
        a tombstoned recording is finished off, never adopted.
        """
        state = self._read()
        for aid in self._leftovers(state):
            self._remove_recording_files(aid)
        if self._orphans(state, min_age_s):  # write (and lock) only when there is work

            def change(state: WorkbookState) -> list[dict]:
                events = []
                for aid, path in self._orphans(state, min_age_s):
                    try:
                        rec = orphan_record(self.dir, self.trainee_id, aid, path,
                                            self._sidecar(aid))
                    except InvalidRecord as e:  # e.g. a hand-edited sidecar: skip, keep file
                        log.warning("Not adopting %s: %s", path, e)
                        continue
                    state.apply({"event": "attempt", "attempt": rec})
                    events.append({"event": "attempt", "attempt": rec})
                return events

            self._write(change)
        return [a for a in self.attempts() if a.status == "incomplete"]

    def _leftovers(self, state: WorkbookState) -> list[str]:
        """Deleted attempts whose recording files are still on disk."""
        return [aid for aid in state.deleted
                if any(p.exists() for p in paths.recording_files(self.recordings_dir, aid))]

    def _remove_recording_files(self, attempt_id: str) -> None:
        """Really delete a recording: every file it can have left, then the folder's entry made
        durable. A file another process still has open is gone from the folder all the same."""
        if (self.recordings_dir.exists()
                and self.recordings_dir.resolve() != self.dir.resolve() / paths.RECORDINGS):
            log.warning("Not deleting the recording of %s: %s is a link to another folder",
                        attempt_id, self.recordings_dir)  # never delete in someone else's
            return
        removed = False
        for path in paths.recording_files(self.recordings_dir, attempt_id):
            try:
                path.unlink()
                removed = True
            except FileNotFoundError:
                continue
            except OSError as e:
                raise StorageError.could_not_write(path, e, (
                    "The attempt is deleted from the workbook; its recording is removed the "
                    "next time the app starts.")) from e
        if removed:
            fsync_dir(self.recordings_dir)

    def _orphans(self, state: WorkbookState, min_age_s: float) -> list[tuple[str, Path]]:
        if not self.recordings_dir.is_dir():
            return []
        found: dict[str, Path] = {}
        now = time.time()
        named = [(p, paths.recording_attempt(p)) for p in self.recordings_dir.iterdir()]
        # Finalised files first: if finalise died between its two steps, prefer the whole file.
        for p, (aid, is_part) in sorted(((p, n) for p, n in named if n),
                                        key=lambda pn: (pn[1][1], pn[0].name)):
            if (not RECORD_ID_RE.fullmatch(aid) or aid in state.attempts or aid in found
                    or aid in state.deleted
                    or now - p.stat().st_mtime < min_age_s):
                continue
            if not is_part and not self._sidecar(aid):
                continue  # not one of ours; never guess what a stray file is
            found[aid] = p
        return list(found.items())

    def _sidecar(self, attempt_id: str) -> dict:
        try:
            data = parse_json(paths.sidecar_file(self.recordings_dir, attempt_id).read_bytes())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}
