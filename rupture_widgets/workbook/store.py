"""The per-trainee workbook: the notebook that is the system of record (docs/decisions.md #5, #6).

Each trainee's notebook holds a header cell, then per attempt an ``attempt-<id>`` cell (readable
summary, ``<video>`` by relative path) and a ``feedback-<id>`` cell, each carrying
``cell.metadata["rupture"]`` (schema: data/attempt.schema.json). The files are named in ``paths``.

How no write loses work: every change is first appended to the journal (fsynced),
then, under the workbook's lock, the notebook is re-read, merged with the journal by attempt
and feedback id, and replaced atomically. Cells a person added in JupyterLab are kept where they
were; text a reviewer typed below the line in a feedback cell is captured as a note. A stale copy
saved over the notebook loses nothing: the next write restores what the journal knows. An
unreadable notebook is set aside (``storage.set_aside``) with a warning and rebuilt.

This module is the store's public face and its write path; the recording files are handled in
``recording_store`` and feedback in ``feedback_store`` (both parts of ``Workbook``), records
(ids, typed records, checks) live in ``records``, how records look as cells in ``cells``, how a
saved notebook is merged back in ``state``, and every file name in ``paths``.
"""
from __future__ import annotations

import logging
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import (CorruptWorkbook, CorruptWorkbookWarning, InvalidRecord, InvalidTraineeId,
                      StorageError, UnknownAttempt)
from ..storage import (Journal, UnreadableFile, atomic_write_text, locked, read_notebook_json,
                       remove_stale_temp_files, set_aside, utc_now)
from ..taxonomy import load_taxonomy
from . import paths
from .cells import CELL_ID_RE, HEADER_ID, KERNELSPEC, NOTES_MARK, workbook_text
from .feedback_store import FeedbackRecords
from .records import (RECORD_ID_RE, SCHEMA_VERSION, TRAINEE_ID_RE, Attempt, Feedback,
                      attempt_record, check_record_id, check_reviewer, check_trainee_id,
                      new_record_id, self_assessment_record, upgrade_event, validate_record)
from .recording_store import RecordingFiles
from .state import WorkbookState, merge_notebook

__all__ = ["Workspace", "Workbook", "Attempt", "Feedback", "check_trainee_id", "new_record_id",
           "check_record_id", "NOTES_MARK", "HEADER_ID", "CELL_ID_RE", "KERNELSPEC",
           "TRAINEE_ID_RE", "RECORD_ID_RE"]

log = logging.getLogger(__name__)

_NOT_SAVED = "This change was not saved; nothing saved before was lost."
_IN_JOURNAL = ("The change is kept in the journal {journal} and goes into the notebook at the "
               "next save; the notebook itself is unchanged, and nothing was lost.")


@dataclass(frozen=True)
class Snapshot:
    """What ``Workbook.snapshot`` returns: everything in the workbook at one moment."""
    display_name: str
    attempts: list
    feedback: dict


@dataclass(frozen=True)
class Records:
    """What ``Workbook.records`` returns: the records themselves, as the store holds them.

    ``attempts`` are attempt records (dicts, in the order ``attempts()`` gives) and
    ``feedback`` holds ``Feedback`` for the attempts that have some (a note typed into the
    notebook last, as ``feedback()`` returns it). The dicts are the store's own, shared with
    its read cache: read them, never change them."""
    display_name: str
    attempts: list
    feedback: dict


class Workspace:
    """A folder of trainee workbooks: ``<root>/trainees/<trainee_id>/``."""

    def __init__(self, root: str | os.PathLike | None = None):
        chosen = root or os.environ.get("RUPTURE_WORKSPACE") or "workspace"
        self.root = Path(chosen).expanduser().resolve()
        self._workbooks: dict[str, Workbook] = {}  # keeps each journal's read cache warm

    def workbook(self, trainee_id: str, display_name: str | None = None) -> "Workbook":
        """The trainee's workbook; ``display_name`` (the name as typed) is recorded when given
        and different from the one kept (``names.check_display_name`` says what is refused)."""
        check_trainee_id(trainee_id)
        wb = self._workbooks.get(trainee_id)
        if wb is None:
            wb = self._workbooks[trainee_id] = Workbook(self, trainee_id)
        wb._check_inside_root()
        if display_name is not None:
            wb.set_display_name(display_name)
        return wb

    def trainees(self) -> list[str]:
        base = paths.trainees_dir(self.root)
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir()
                      if p.is_dir() and TRAINEE_ID_RE.fullmatch(p.name) and ".." not in p.name
                      and paths.TraineeFolder(p).has_workbook())



class Workbook(RecordingFiles, FeedbackRecords):
    """One trainee's workbook. Get it from ``Workspace.workbook(trainee_id)``."""

    def __init__(self, workspace: Workspace, trainee_id: str):
        self.workspace = workspace
        self.trainee_id = check_trainee_id(trainee_id)
        folder = paths.TraineeFolder(paths.trainees_dir(workspace.root) / trainee_id)
        self.dir = folder.dir
        self.path = folder.workbook
        self.recordings_dir = folder.recordings
        self.journal_path = folder.journal
        self.lock_path = folder.lock
        self._journal = Journal(self.journal_path)
        self._thread_lock = threading.RLock()  # the journal cache is shared by threads
        self._cell_cache: dict = {}
        # A review notebook (exchange) says whose it is: its title, and who wrote its notes. The
        # practice app's workshop code goes on the attempts logged (docs/decisions.md #35).
        self.title, self.reviewer, self.workshop = "Practice workbook", None, None

    def __repr__(self) -> str:
        return f"Workbook({self.trainee_id!r}, {str(self.path)!r})"

    # -- attempts ---------------------------------------------------------------------------
    def log_attempt(self, *, clip_id: str, marker: str, level: str, recording=None,
                    duration_s=None, started_at=None, latency_s=None, speaking_s=None,
                    self_assessment: dict | None = None, status: str = "complete",
                    attempt_id: str | None = None, cue_s=None, workshop=None) -> Attempt:
        """Record an attempt. Logging an id that was adopted as 'incomplete' completes it."""
        tax = load_taxonomy()
        aid = check_record_id(attempt_id or new_record_id())
        where = f"{aid!r} for trainee {self.trainee_id!r}"
        rec = attempt_record(tax, self.dir, self.trainee_id, aid, where, clip_id=clip_id,
                             marker=marker, level=level, recording=recording,
                             duration_s=duration_s, started_at=started_at, latency_s=latency_s,
                             speaking_s=speaking_s, self_assessment=self_assessment,
                             status=status, cue_s=cue_s, workshop=workshop or self.workshop)

        def change(state: WorkbookState) -> list[dict]:
            old = state.attempts.get(aid)
            if aid in state.deleted:
                raise InvalidRecord.bad("attempt", where, "an attempt with this id was deleted")
            if old is not None:
                if old["status"] != "incomplete":
                    raise InvalidRecord.bad("attempt", where, "an attempt with this id is "
                                            "already logged")
                rec["created_at"] = old["created_at"] if started_at is None else rec["created_at"]
                rec["sent_to"] = old["sent_to"]
                rec["self_assessment"] = rec["self_assessment"] or old["self_assessment"]
            return [{"event": "attempt", "attempt": rec}]

        self._write(change)
        if status == "complete":  # the sidecar only mattered while the attempt was unlogged
            try:
                paths.sidecar_file(self.recordings_dir, aid).unlink()
            except OSError:
                pass
        return Attempt.from_record(rec)

    def set_self_assessment(self, attempt_id: str, *, difficulty: int, strategies=(),
                            note: str = "") -> Attempt:
        sa = self_assessment_record(load_taxonomy(), repr(attempt_id), difficulty, strategies,
                                    note)
        return self._update_attempt(attempt_id, lambda rec: {**rec, "self_assessment": sa})

    def mark_best(self, attempt_id: str, best: bool = True) -> Attempt:
        """Mark (or unmark) the trainee's best attempt at its clip: marking one unmarks the
        others of that clip, so a clip has at most one. Only a complete attempt can be best."""
        if not isinstance(best, bool):
            raise InvalidRecord.bad("attempt", repr(attempt_id), f"best should be True or False, "
                                    f"got {best!r}")
        result: list[dict] = []

        def change(state: WorkbookState) -> list[dict]:
            rec = state.attempts.get(attempt_id)
            if rec is None:
                raise UnknownAttempt.named(attempt_id, self.path)
            if best and rec["status"] != "complete":
                raise InvalidRecord.bad("attempt", repr(attempt_id), "an incomplete recording "
                                        "cannot be marked as the best attempt")
            events = [{"event": "attempt", "attempt": {**other, "best": False}}
                      for other in state.attempts.values() if best and other.get("best")
                      and other["clip_id"] == rec["clip_id"] and other["id"] != attempt_id]
            result.append({**rec, "best": best})
            if rec.get("best", False) != best:
                events.append({"event": "attempt", "attempt": result[0]})
            return events

        self._write(change)
        return Attempt.from_record(result[0])

    def delete_attempt(self, attempt_id: str) -> None:
        """Delete an attempt the trainee does not want kept: its cells, its feedback, and its
        recording (final file, part file, sidecar), for good.

        A "delete" event goes into the journal first (a tombstone), so neither a crash before
        the files are gone nor a stale notebook saved later (JupyterLab) brings it back; the
        files of a delete cut off half-way are removed by the next call, or by
        ``incomplete_recordings``. Deleting it again finishes that and is otherwise a no-op;
        an id never logged raises UnknownAttempt. Copies sent to reviewers are the exchange's
        (``Exchange.delete_attempt`` withdraws them first, then calls this).
        """
        check_record_id(attempt_id)

        def change(state: WorkbookState) -> list[dict]:
            if attempt_id in state.deleted:
                return []
            if attempt_id not in state.attempts:
                raise UnknownAttempt.named(attempt_id, self.path)
            return [{"event": "delete", "attempt_id": attempt_id}]

        self._write(change)
        self._remove_recording_files(attempt_id)

    def was_deleted(self, attempt_id: str) -> bool:
        """Whether ``attempt_id`` was deleted on purpose (``delete_attempt``)."""
        return attempt_id in self._read().deleted

    def mark_sent(self, attempt_id: str, *, reviewer: str, role: str) -> Attempt:
        reviewer = check_reviewer(reviewer, role, repr(attempt_id))
        entry = {"reviewer": reviewer, "role": role, "at": utc_now()}
        return self._update_attempt(attempt_id,
                                    lambda rec: {**rec, "sent_to": [*rec["sent_to"], entry]})

    def _update_attempt(self, attempt_id: str, update: Callable[[dict], dict]) -> Attempt:
        result: list[dict] = []

        def change(state: WorkbookState) -> list[dict]:
            old = state.attempts.get(attempt_id)
            if old is None:
                raise UnknownAttempt.named(attempt_id, self.path)
            new = update(old)
            validate_record("attempt", new, repr(attempt_id))
            result.append(new)
            return [{"event": "attempt", "attempt": new}]

        self._write(change)
        return Attempt.from_record(result[0])

    def attempts(self, clip_id: str | None = None) -> list[Attempt]:
        """All attempts in the order they were made (optionally for one clip)."""
        return [Attempt.from_record(r) for r in self._read().ordered_attempts()
                if clip_id is None or r["clip_id"] == clip_id]

    def snapshot(self) -> "Snapshot":
        """The display name, every attempt (in order) and the feedback of each, from one read
        (``attempts`` then ``feedback`` per attempt would read the workbook once per attempt)."""
        recs = self.records()
        attempts = [Attempt.from_record(r) for r in recs.attempts]
        return Snapshot(recs.display_name, attempts,
                        {a.id: recs.feedback.get(a.id, []) for a in attempts})

    def records(self) -> Records:
        """``snapshot`` without making an ``Attempt`` of every record: for a reader of
        thousands of workbooks that only reads them (the research tables)."""
        from .feedback_store import feedback_in

        state = self._read()
        attempts = state.ordered_attempts()
        with_feedback = {aid for aid, fb in state.feedback.items() if fb} | set(state.notes)
        feedback = {}
        for rec in attempts:
            if rec["id"] in with_feedback:
                found = feedback_in(state, rec["id"])
                if found:
                    feedback[rec["id"]] = found
        return Records(state.display_name or self.trainee_id, attempts, feedback)

    def attempt(self, attempt_id: str) -> Attempt:
        rec = self._read().attempts.get(attempt_id)
        if rec is None:
            raise UnknownAttempt.named(attempt_id, self.path)
        return Attempt.from_record(rec)

    def put_attempt(self, record: dict) -> Attempt:
        """Store an attempt record as it is (a copy sent for review keeps the trainee's ids,
        times and self-assessment). Replaces an attempt with the same id."""
        validate_record("attempt", record, repr(record.get("id")))
        rec = dict(record)
        self._write(lambda state: [] if state.attempts.get(rec["id"]) == rec
                    else [{"event": "attempt", "attempt": rec}])
        return Attempt.from_record(rec)

    # -- the trainee: name and drafts ----------------------------------------------------
    @property
    def display_name(self) -> str:
        """The trainee's name as they typed it; the id where none was given."""
        return self._read().display_name or self.trainee_id

    def set_display_name(self, name: str) -> str:
        """Keep ``name`` (checked: ``names.check_display_name``) as the trainee's display name,
        in the journal and the notebook's header; nothing is written when it is unchanged."""
        from .names import check_display_name

        name = check_display_name(name)
        if self._read().display_name != name:
            self._write(lambda state: [] if state.display_name == name
                        else [{"event": "profile", "display_name": name}])
        return name

    def save_draft(self, key: str, text: str) -> None:
        """Keep text being typed (``drafts``: cheap enough for every keystroke); '' clears it."""
        from . import drafts

        self._check_inside_root()
        drafts.save(paths.TraineeFolder(self.dir), key, text)

    def drafts(self) -> dict[str, str]:
        from . import drafts

        self._check_inside_root()
        return drafts.drafts(paths.TraineeFolder(self.dir))

    def clear_draft(self, key: str) -> None:
        from . import drafts

        self._check_inside_root()
        drafts.clear(paths.TraineeFolder(self.dir), key)

    def repair(self) -> None:
        """Rewrite the notebook from journal + notebook now (the same merge every write does)."""
        self._write(lambda state: [])

    # -- the merge ------------------------------------------------------------------------
    def _check_inside_root(self) -> None:
        """Refuse a trainee folder that is a link: out of the workspace, or to another
        trainee's folder (whose recordings it would then play)."""
        root = self.workspace.root
        real = self.dir.resolve()
        if not real.is_relative_to(root.resolve()):
            raise InvalidTraineeId.because(self.trainee_id, "its folder points outside the "
                                           f"workspace {root}")
        if real != paths.trainees_dir(root).resolve() / self.trainee_id:
            raise InvalidTraineeId.because(self.trainee_id, f"its folder is a link to {real}, "
                                           "and a trainee's folder must be their own")

    def _read(self) -> WorkbookState:
        with self._thread_lock:
            self._check_inside_root()
            return self._load(for_write=False)

    def _write(self, change: Callable[[WorkbookState], list[dict]]) -> None:
        with self._thread_lock:
            self._check_inside_root()
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StorageError.could_not_write(self.dir, e, _NOT_SAVED) from e
            with locked(self.lock_path):
                state = self._load(for_write=True)
                events = state.adopt + change(state)
                stamp = utc_now()
                for ev in events:  # journal first: from here on the change survives anything
                    try:
                        self._journal.append({"v": SCHEMA_VERSION, "at": stamp, **ev})
                    except OSError as e:
                        raise StorageError.could_not_write(self.journal_path, e, _NOT_SAVED) from e
                    state.apply(ev)
                text = workbook_text(self.trainee_id, state, load_taxonomy(), self._cell_cache,
                                     title=self.title)
                try:
                    atomic_write_text(self.path, text)
                except OSError as e:
                    raise StorageError.could_not_write(self.path, e, _IN_JOURNAL.format(
                        journal=self.journal_path)) from e
                for folder in (self.dir, self.recordings_dir):  # we hold the lock: tidy up
                    remove_stale_temp_files(folder)

    def _load(self, for_write: bool) -> WorkbookState:
        state = WorkbookState()
        for ev in self._journal.events():
            try:
                state.apply(upgrade_event(ev))
            except (KeyError, TypeError, InvalidRecord) as e:
                log.warning("Skipping an unreadable event in %s: %s", self.journal_path, e)
        if self._journal.bad_lines:
            log.warning("%s has unreadable lines %s (kept in the file, skipped)",
                        self.journal_path, self._journal.bad_lines[:10])
        if self._journal.repaired:
            log.warning("%s held %d non-finite numbers (written by an older version); read as "
                        "unknown", self.journal_path, len(self._journal.repaired))
        repaired: list[str] = []
        try:
            nb = read_notebook_json(self.path, retries=5 if for_write else 2, repaired=repaired)
        except UnreadableFile as e:
            kept = set_aside(self.path) if for_write else None
            err = CorruptWorkbook.unreadable(self.path, str(e), kept_as=kept)
            warnings.warn(str(err), CorruptWorkbookWarning, stacklevel=4)
            log.warning("%s", err)
            nb = None
        if repaired:
            log.warning("%s held %d non-finite numbers (NaN or Infinity, which JupyterLab "
                        "refuses); read as unknown, and written back without them",
                        self.path, len(repaired))
        if nb is not None:
            merge_notebook(nb, state, reviewer=self.reviewer)
        return state
