"""The per-trainee workbook: the notebook that is the system of record (DESIGN.md decisions 5, 6).

``workspace/trainees/<trainee_id>/workbook.ipynb`` holds a header cell, then per attempt an
``attempt-<id>`` cell (readable summary, ``<video>`` by relative path) and a ``feedback-<id>`` cell,
each carrying ``cell.metadata["rupture"]`` (schema: data/attempt.schema.json).

How no write loses work: every change is first appended to ``workbook.journal.jsonl`` (fsynced),
then, under ``workbook.ipynb.lock``, the notebook is re-read, merged with the journal by attempt
and feedback id, and replaced atomically. Cells a person added in JupyterLab are kept where they
were; text a reviewer typed below the line in a feedback cell is captured as a note. A stale copy
saved over the notebook loses nothing: the next write restores what the journal knows. An
unreadable notebook is set aside (``workbook.corrupt-<UTC>.ipynb``) with a warning and rebuilt.
"""
from __future__ import annotations

import html
import json
import logging
import os
import re
import threading
import time
import uuid
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from collections import defaultdict
from typing import Any, Callable, Iterable

from . import storage
from .errors import (CorruptWorkbook, CorruptWorkbookWarning, InvalidRecord, InvalidTraineeId,
                     UnknownAttempt)
from .recordings import Recording
from .storage import (Journal, UnreadableFile, atomic_write_text, locked, read_notebook_json,
                      set_aside, utc_now)
from .taxonomy import load_taxonomy

log = logging.getLogger(__name__)

TRAINEE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Record ids become cell ids ('feedback-' + id must fit nbformat's 64 characters) and file names.
RECORD_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,54}")


@dataclass(frozen=True)
class Attempt:
    id: str
    trainee_id: str
    clip_id: str
    marker: str
    level: str
    created_at: str
    recording: str | None = None
    duration_s: float | None = None
    latency_s: float | None = None
    speaking_s: float | None = None
    status: str = "complete"
    self_assessment: dict | None = None
    sent_to: tuple = ()

    @classmethod
    def from_record(cls, rec: dict) -> "Attempt":
        # Copies: the records are shared with the journal cache, which must never change.
        sa = rec.get("self_assessment")
        return cls(**{**rec, "sent_to": tuple(dict(s) for s in rec.get("sent_to", ())),
                      "self_assessment": None if sa is None else
                      {**sa, "strategies": list(sa.get("strategies", ()))}})

    def to_record(self) -> dict:
        return {**asdict(self), "sent_to": [dict(s) for s in self.sent_to]}


@dataclass(frozen=True)
class Feedback:
    id: str
    attempt_id: str
    reviewer: str
    role: str
    created_at: str
    ratings: dict = field(default_factory=dict)
    strategies: tuple = ()
    comments: tuple = ()
    summary: str = ""

    @classmethod
    def from_record(cls, rec: dict) -> "Feedback":
        return cls(**{**rec, "ratings": dict(rec.get("ratings", {})),
                      "strategies": tuple(rec.get("strategies", ())),
                      "comments": tuple(dict(c) for c in rec.get("comments", ()))})

    def to_record(self) -> dict:
        return {**asdict(self), "strategies": list(self.strategies),
                "comments": [dict(c) for c in self.comments]}


class Workspace:
    """A folder of trainee workbooks: ``<root>/trainees/<trainee_id>/``."""

    def __init__(self, root: str | os.PathLike | None = None):
        chosen = root or os.environ.get("RUPTURE_WORKSPACE") or "workspace"
        self.root = Path(chosen).expanduser().resolve()
        self._workbooks: dict[str, Workbook] = {}  # keeps each journal's read cache warm

    def workbook(self, trainee_id: str) -> "Workbook":
        check_trainee_id(trainee_id)
        wb = self._workbooks.get(trainee_id)
        if wb is None:
            wb = self._workbooks[trainee_id] = Workbook(self, trainee_id)
        wb._check_inside_root()
        return wb

    def trainees(self) -> list[str]:
        base = self.root / "trainees"
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir()
                      if p.is_dir() and TRAINEE_ID_RE.fullmatch(p.name) and ".." not in p.name
                      and ((p / "workbook.ipynb").exists() or (p / "workbook.journal.jsonl").exists()))


def check_trainee_id(trainee_id: object) -> str:
    if not isinstance(trainee_id, str):
        raise InvalidTraineeId.because(trainee_id, "it is not text")
    if not trainee_id:
        raise InvalidTraineeId.because(trainee_id, "it is empty")
    if len(trainee_id) > 64:
        raise InvalidTraineeId.because(trainee_id, f"it is {len(trainee_id)} characters long")
    if ".." in trainee_id:
        raise InvalidTraineeId.because(trainee_id, "it contains '..'")
    if not TRAINEE_ID_RE.fullmatch(trainee_id):
        raise InvalidTraineeId.because(trainee_id, "it contains characters that are not allowed "
                                       "(such as '/', '\\', spaces or control characters)")
    return trainee_id


def new_record_id() -> str:
    """Unguessable: recordings are private (DESIGN.md decision 7), so ids must not be sequential."""
    return uuid.uuid4().hex


def check_record_id(record_id: object, what: str = "attempt id") -> str:
    if not isinstance(record_id, str) or not RECORD_ID_RE.fullmatch(record_id):
        raise InvalidRecord.bad(what, repr(record_id), "use 1-55 letters, digits, '_' or '-', "
                                "starting with a letter or digit")
    return record_id


def _utc_iso(value: datetime | str | None) -> str:
    if value is None:
        return utc_now()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRecord.bad("timestamp", repr(value), "expected ISO-8601") from None
    if not isinstance(value, datetime):
        raise InvalidRecord.bad("timestamp", repr(value), "expected a datetime or ISO-8601 text")
    value = value.astimezone(timezone.utc)  # naive datetimes are taken as local time
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _State:
    """Attempts, feedback and notes merged from the journal and the notebook, plus the cells
    a person added that must be written back unchanged."""

    def __init__(self):
        self.attempts: dict[str, dict] = {}
        self.feedback: dict[str, dict[str, dict]] = {}
        self.notes: dict[str, list[dict]] = {}
        self.adopt: list[dict] = []  # events found only in the notebook, to be journaled
        self.nb_metadata: dict = {}
        self.foreign: list[tuple[str | None, dict]] = []  # (anchor cell id, cell)

    def apply(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "attempt":
            rec = event["attempt"]
            self.attempts[rec["id"]] = rec
        elif kind == "feedback":
            rec = event["feedback"]
            self.feedback.setdefault(rec["attempt_id"], {})[rec["id"]] = rec
        elif kind == "note":
            self.notes.setdefault(event["attempt_id"], []).append(
                {"text": event["text"], "at": event["at"]})

    def ordered_attempts(self) -> list[dict]:
        seq = {aid: i for i, aid in enumerate(self.attempts)}
        return sorted(self.attempts.values(), key=lambda r: (r["created_at"], seq[r["id"]]))


class Workbook:
    """One trainee's workbook. Get it from ``Workspace.workbook(trainee_id)``."""

    def __init__(self, workspace: Workspace, trainee_id: str):
        self.workspace = workspace
        self.trainee_id = check_trainee_id(trainee_id)
        self.dir = workspace.root / "trainees" / trainee_id
        self.path = self.dir / "workbook.ipynb"
        self.recordings_dir = self.dir / "recordings"
        self.journal_path = self.dir / "workbook.journal.jsonl"
        self.lock_path = self.dir / "workbook.ipynb.lock"
        self._journal = Journal(self.journal_path)
        self._thread_lock = threading.RLock()  # the journal cache is shared by threads
        self._cell_cache: dict = {}

    def __repr__(self) -> str:
        return f"Workbook({self.trainee_id!r}, {str(self.path)!r})"

    # -- recordings -------------------------------------------------------------------------
    def start_recording(self, attempt_id: str | None = None, max_bytes: int | None = None, *,
                        clip_id: str | None = None, marker: str | None = None,
                        level: str | None = None) -> Recording:
        """A new recording; its sidecar lets ``incomplete_recordings`` say what it was for."""
        attempt_id = check_record_id(attempt_id or new_record_id())
        self._check_inside_root()
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        sidecar = {"attempt_id": attempt_id, "clip_id": clip_id, "marker": marker,
                   "level": level, "started_at": utc_now()}
        atomic_write_text(self.recordings_dir / f"{attempt_id}.part.json", json.dumps(sidecar))
        return Recording(self.recordings_dir, attempt_id, max_bytes=max_bytes, relative_to=self.dir)

    def recording_path(self, attempt_id: str) -> Path | None:
        rec = self.attempt(attempt_id).recording
        candidates = [self.dir / rec] if rec else []
        candidates += [self.recordings_dir / f"{attempt_id}.webm",
                       self.recordings_dir / f"{attempt_id}.part.webm"]
        return next((p for p in candidates if p.exists()), None)

    def incomplete_recordings(self, min_age_s: float = 30.0) -> list[Attempt]:
        """Adopt recordings never logged (tab closed, kernel died) as 'incomplete' attempts,
        then return every attempt whose status is 'incomplete'.

        A file younger than ``min_age_s`` may still be receiving chunks, so it is left alone.
        Nothing is deleted or moved; each orphan is logged once.
        """
        if self._orphans(self._read(), min_age_s):  # write (and lock) only when there is work

            def change(state: _State) -> list[dict]:
                events = []
                for aid, path in self._orphans(state, min_age_s):
                    try:
                        rec = self._orphan_record(aid, path)
                    except InvalidRecord as e:  # e.g. a hand-edited sidecar: skip, keep file
                        log.warning("Not adopting %s: %s", path, e)
                        continue
                    state.apply({"event": "attempt", "attempt": rec})
                    events.append({"event": "attempt", "attempt": rec})
                return events

            self._write(change)
        return [a for a in self.attempts() if a.status == "incomplete"]

    def _orphans(self, state: _State, min_age_s: float) -> list[tuple[str, Path]]:
        if not self.recordings_dir.is_dir():
            return []
        found: dict[str, Path] = {}
        now = time.time()
        # Finalised files first: if finalise died between its two steps, prefer the whole file.
        for p in sorted(self.recordings_dir.iterdir(),
                        key=lambda p: (p.name.endswith(".part.webm"), p.name)):
            suffix = ".part.webm" if p.name.endswith(".part.webm") else ".webm"
            aid = p.name[: -len(suffix)]
            if (not p.name.endswith(".webm") or not RECORD_ID_RE.fullmatch(aid)
                    or aid in state.attempts or aid in found
                    or now - p.stat().st_mtime < min_age_s):
                continue
            if suffix == ".webm" and not self._sidecar(aid):
                continue  # not one of ours; never guess what a stray file is
            found[aid] = p
        return list(found.items())

    def _orphan_record(self, aid: str, path: Path) -> dict:
        sidecar = self._sidecar(aid)
        try:
            created = _utc_iso(sidecar.get("started_at"))
        except InvalidRecord:
            created = None
        if not sidecar.get("started_at") or created is None:
            created = _utc_iso(datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))
        def text(key: str) -> str:  # the sidecar is a hint; a bad one must not lose the file
            value = sidecar.get(key)
            return value if isinstance(value, str) and 0 < len(value) <= 200 else "unknown"

        rec = {"id": aid, "trainee_id": self.trainee_id, "clip_id": text("clip_id"),
               "marker": text("marker"), "level": text("level"), "created_at": created,
               "recording": path.relative_to(self.dir).as_posix(), "duration_s": None,
               "latency_s": None, "speaking_s": None, "status": "incomplete",
               "self_assessment": None, "sent_to": []}
        storage.validate_record("attempt", rec, f"for the orphaned recording {path}")
        return rec

    def _sidecar(self, attempt_id: str) -> dict:
        try:
            data = json.loads((self.recordings_dir / f"{attempt_id}.part.json").read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    # -- attempts ---------------------------------------------------------------------------
    def log_attempt(self, *, clip_id: str, marker: str, level: str, recording=None,
                    duration_s=None, started_at=None, latency_s=None, speaking_s=None,
                    self_assessment: dict | None = None, status: str = "complete",
                    attempt_id: str | None = None) -> Attempt:
        """Record an attempt. Logging an id that was adopted as 'incomplete' completes it."""
        tax = load_taxonomy()
        aid = check_record_id(attempt_id or new_record_id())
        where = f"{aid!r} for trainee {self.trainee_id!r}"
        if marker not in tax.markers:
            raise InvalidRecord.bad("attempt", where, f"marker {marker!r} is not one of "
                                    f"{sorted(tax.markers)}")
        if level not in tax.level_ids:
            raise InvalidRecord.bad("attempt", where, f"level {level!r} is not one of "
                                    f"{tax.level_ids}")
        rec = {"id": aid, "trainee_id": self.trainee_id, "clip_id": clip_id, "marker": marker,
               "level": level, "created_at": _utc_iso(started_at),
               "recording": self._relative_recording(recording, where),
               "duration_s": _seconds(duration_s, "duration_s", where),
               "latency_s": _seconds(latency_s, "latency_s", where),
               "speaking_s": _seconds(speaking_s, "speaking_s", where), "status": status,
               "self_assessment": (None if self_assessment is None
                                   else _self_assessment_dict(tax, where, self_assessment)),
               "sent_to": []}
        storage.validate_record("attempt", rec, where)

        def change(state: _State) -> list[dict]:
            old = state.attempts.get(aid)
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
                (self.recordings_dir / f"{aid}.part.json").unlink()
            except OSError:
                pass
        return Attempt.from_record(rec)

    def set_self_assessment(self, attempt_id: str, *, difficulty: int, strategies=(),
                            note: str = "") -> Attempt:
        sa = _self_assessment(load_taxonomy(), repr(attempt_id), difficulty, strategies, note)
        return self._update_attempt(attempt_id, lambda rec: {**rec, "self_assessment": sa})

    def mark_sent(self, attempt_id: str, *, reviewer: str, role: str) -> Attempt:
        reviewer = _reviewer_and_role(reviewer, role, repr(attempt_id))
        entry = {"reviewer": reviewer, "role": role, "at": utc_now()}
        return self._update_attempt(attempt_id,
                                    lambda rec: {**rec, "sent_to": [*rec["sent_to"], entry]})

    def _update_attempt(self, attempt_id: str, update: Callable[[dict], dict]) -> Attempt:
        result: list[dict] = []

        def change(state: _State) -> list[dict]:
            old = state.attempts.get(attempt_id)
            if old is None:
                raise UnknownAttempt.named(attempt_id, self.path)
            new = update(old)
            storage.validate_record("attempt", new, repr(attempt_id))
            result.append(new)
            return [{"event": "attempt", "attempt": new}]

        self._write(change)
        return Attempt.from_record(result[0])

    def attempts(self, clip_id: str | None = None) -> list[Attempt]:
        """All attempts in the order they were made (optionally for one clip)."""
        return [Attempt.from_record(r) for r in self._read().ordered_attempts()
                if clip_id is None or r["clip_id"] == clip_id]

    def attempt(self, attempt_id: str) -> Attempt:
        rec = self._read().attempts.get(attempt_id)
        if rec is None:
            raise UnknownAttempt.named(attempt_id, self.path)
        return Attempt.from_record(rec)

    # -- feedback ---------------------------------------------------------------------------
    def add_feedback(self, attempt_id: str, *, reviewer: str, role: str, ratings=None,
                     strategies=(), comments=(), summary: str = "") -> Feedback:
        tax = load_taxonomy()
        where = f"for attempt {attempt_id!r}"
        reviewer = _reviewer_and_role(reviewer, role, where)
        ratings = dict(ratings or {})
        items = {it.id for it in tax.rubric_items}
        for item, value in ratings.items():
            if item not in items:
                raise InvalidRecord.bad("feedback", where, f"rating {item!r} is not a rubric item "
                                        f"({', '.join(sorted(items))})")
            if (isinstance(value, bool) or not isinstance(value, int)
                    or not tax.rubric_min <= value <= tax.rubric_max):
                raise InvalidRecord.bad("feedback", where, f"rating {item}={value!r} should be a "
                                        f"whole number from {tax.rubric_min} to {tax.rubric_max}")
        clean_comments = []
        for c in comments:
            t, text = (c.get("t"), c.get("text")) if isinstance(c, dict) else (None, None)
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not t >= 0:
                raise InvalidRecord.bad("feedback", where, f"comment {c!r} needs 't', the moment "
                                        "in seconds (0 or more)")
            if not isinstance(text, str) or not text.strip():
                raise InvalidRecord.bad("feedback", where, f"comment {c!r} needs some 'text'")
            clean_comments.append({"t": float(t), "text": text})
        if not isinstance(summary, str):
            raise InvalidRecord.bad("feedback", where, f"summary should be text, got {summary!r}")
        rec = {"id": new_record_id(), "attempt_id": attempt_id, "reviewer": reviewer,
               "role": role, "created_at": utc_now(), "ratings": ratings,
               "strategies": _strategies(tax, strategies, where), "comments": clean_comments,
               "summary": summary}
        storage.validate_record("feedback", rec, where)

        def change(state: _State) -> list[dict]:
            if attempt_id not in state.attempts:
                raise UnknownAttempt.named(attempt_id, self.path)
            return [{"event": "feedback", "feedback": rec}]

        self._write(change)
        return Feedback.from_record(rec)

    def feedback(self, attempt_id: str) -> list[Feedback]:
        """Feedback in the order given; text typed into the notebook comes last (role 'notebook')."""
        state = self._read()
        if attempt_id not in state.attempts:
            raise UnknownAttempt.named(attempt_id, self.path)
        out = [Feedback.from_record(r) for r in state.feedback.get(attempt_id, {}).values()]
        notes = state.notes.get(attempt_id)
        if notes and notes[-1]["text"].strip():
            out.append(Feedback(id=f"note-{attempt_id}", attempt_id=attempt_id,
                                reviewer="(written in the notebook)", role="notebook",
                                created_at=notes[-1]["at"], summary=notes[-1]["text"]))
        return out

    def repair(self) -> None:
        """Rewrite the notebook from journal + notebook now (the same merge every write does)."""
        self._write(lambda state: [])

    # -- the merge ------------------------------------------------------------------------
    def _check_inside_root(self) -> None:
        """Refuse a workbook folder that a symlink points outside the workspace."""
        root = self.workspace.root
        if not self.dir.resolve().is_relative_to(root.resolve()):
            raise InvalidTraineeId.because(self.trainee_id, "its folder points outside the "
                                           f"workspace {root}")

    def _relative_recording(self, recording, where: str) -> str | None:
        if recording is None:
            return None
        p = Path(recording)
        full = (p if p.is_absolute() else self.dir / p).resolve()
        if not full.is_relative_to(self.dir.resolve()) or full == self.dir.resolve():
            raise InvalidRecord.bad("attempt", where, f"recording {str(recording)!r} is not inside "
                                    f"the trainee's folder {self.dir}")
        return full.relative_to(self.dir.resolve()).as_posix()

    def _read(self) -> _State:
        with self._thread_lock:
            self._check_inside_root()
            return self._load(for_write=False)

    def _write(self, change: Callable[[_State], list[dict]]) -> None:
        with self._thread_lock:
            self._check_inside_root()
            self.dir.mkdir(parents=True, exist_ok=True)
            with locked(self.lock_path):
                state = self._load(for_write=True)
                events = state.adopt + change(state)
                stamp = utc_now()
                for ev in events:  # journal first: from here on the change survives anything
                    self._journal.append({"v": storage.SCHEMA_VERSION, "at": stamp, **ev})
                    state.apply(ev)
                tax = load_taxonomy()
                atomic_write_text(self.path, _notebook_text(self.trainee_id, state, tax,
                                                            self._cell_cache))

    def _load(self, for_write: bool) -> _State:
        state = _State()
        for ev in self._journal.events():
            try:
                state.apply(storage.upgrade_event(ev))
            except (KeyError, TypeError, InvalidRecord) as e:
                log.warning("Skipping an unreadable event in %s: %s", self.journal_path, e)
        if self._journal.bad_lines:
            log.warning("%s has unreadable lines %s (kept in the file, skipped)",
                        self.journal_path, self._journal.bad_lines[:10])
        try:
            nb = read_notebook_json(self.path, retries=5 if for_write else 2)
        except UnreadableFile as e:
            kept = set_aside(self.path) if for_write else None
            err = CorruptWorkbook.unreadable(self.path, str(e), kept_as=kept)
            warnings.warn(str(err), CorruptWorkbookWarning, stacklevel=4)
            log.warning("%s", err)
            nb = None
        if nb is not None:
            _merge_notebook(nb, state)
        return state


def _seconds(value, name: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise InvalidRecord.bad("attempt", where, f"{name} should be seconds (0 or more), "
                                f"got {value!r}")
    return float(value)


def _strategies(tax, strategies: Iterable[str], where: str) -> list[str]:
    if isinstance(strategies, str):
        strategies = [strategies]
    out = []
    for s in strategies:
        if s not in tax.strategies:
            raise InvalidRecord.bad("record", where, f"strategy {s!r} is not one of "
                                    f"{sorted(tax.strategies)}")
        if s not in out:
            out.append(s)
    return out


def _self_assessment(tax, where: str, difficulty: Any = None, strategies=(), note: str = ""
                     ) -> dict:
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 0 <= difficulty <= 10:
        raise InvalidRecord.bad("self-assessment", where, f"difficulty should be a whole number "
                                f"from 0 to 10, got {difficulty!r}")
    if not isinstance(note, str):
        raise InvalidRecord.bad("self-assessment", where, f"note should be text, got {note!r}")
    return {"difficulty": difficulty, "strategies": _strategies(tax, strategies, where),
            "note": note}


def _self_assessment_dict(tax, where: str, value: object) -> dict:
    keys = {"difficulty", "strategies", "note"}
    if not isinstance(value, dict) or not set(value) <= keys:
        raise InvalidRecord.bad("self-assessment", where, f"expected a dict with keys "
                                f"{sorted(keys)}, got {value!r}")
    return _self_assessment(tax, where, **value)


def _reviewer_and_role(reviewer: Any, role: Any, where: str) -> str:
    roles = load_taxonomy().roles
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise InvalidRecord.bad("reviewer", where, f"a reviewer name is needed, got {reviewer!r}")
    if role not in roles:
        raise InvalidRecord.bad("reviewer role", where, f"{role!r} is not one of {list(roles)}")
    return reviewer.strip()


# -- the notebook: merge in, render out -------------------------------------------------------

HEADER_ID = "rupture-header"
CELL_ID_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: Everything a reviewer types below this line in a feedback cell is kept as their feedback.
NOTES_MARK = "<!-- rupture: reviewers may write below this line; the text is kept as feedback -->"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _note_text(source: str) -> str:
    i = source.find(NOTES_MARK)
    return (source[i + len(NOTES_MARK):] if i >= 0 else source).strip()


def _merge_notebook(nb: dict, state: _State) -> None:
    """Fold the notebook into ``state`` (already holding the journal).

    The journal wins for every record it knows, so a stale copy cannot roll anything back;
    records only the notebook has (journal lost, bundle restored) are adopted into it. Only
    those are schema-checked here, which keeps a 400-attempt write fast.
    """
    state.nb_metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    anchor: str | None = None
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            log.warning("Dropping a notebook cell that is not an object: %.80r", cell)
            continue
        meta = cell.get("metadata", {}).get("rupture") if isinstance(cell.get("metadata"),
                                                                      dict) else None
        kind = meta.get("kind") if isinstance(meta, dict) else None
        if kind == "header":
            anchor = None
            continue
        if kind == "attempt" and isinstance(meta.get("attempt"), dict):
            aid = meta["attempt"].get("id")
            if aid not in state.attempts and not _adopt(state, meta, cell):
                state.foreign.append((anchor, cell))
                continue
            anchor = f"attempt-{aid}"
            continue
        if kind == "feedback" and isinstance(meta.get("attempt_id"), str):
            aid = meta["attempt_id"]
            known = state.feedback.get(aid, {})
            seen = {n["text"] for n in state.notes.get(aid, ())}
            if (any(not isinstance(f, dict) or f.get("id") not in known
                    for f in meta.get("feedback", ()))
                    or any(not isinstance(n, dict) or n.get("text") not in seen
                           for n in meta.get("notes", ()))):
                if not _adopt(state, meta, cell):
                    state.foreign.append((anchor, cell))
                    continue
            _adopt_note(state, aid, _note_text(_source(cell)), utc_now())
            anchor = f"feedback-{aid}"
            continue
        state.foreign.append((anchor, cell))


def _adopt(state: _State, meta: dict, cell: dict) -> bool:
    """Take records only the notebook has; False (cell kept as-is) if the metadata is bad."""
    where = f"in cell {cell.get('id', '?')!r} of the notebook"
    try:
        meta = storage.upgrade_metadata(meta, where)
        storage.validate_record(f"{meta['kind']}_cell", meta, where)
    except InvalidRecord as e:
        log.warning("Keeping cell %s unchanged: %s", cell.get("id"), e)
        return False
    if meta["kind"] == "attempt":
        ev = {"event": "attempt", "attempt": meta["attempt"]}
        state.adopt.append(ev)
        state.apply(ev)
        return True
    for rec in meta["feedback"]:
        if rec["id"] not in state.feedback.get(meta["attempt_id"], {}):
            ev = {"event": "feedback", "feedback": rec}
            state.adopt.append(ev)
            state.apply(ev)
    for note in meta.get("notes", ()):
        _adopt_note(state, meta["attempt_id"], note["text"], note["at"])
    return True


def _adopt_note(state: _State, attempt_id: str, text: str, at: str) -> None:
    """A note is new only if it was never seen: a stale copy shows an older note (or none), and
    must not roll back a newer one. The price: clearing a note is indistinguishable from a stale
    copy, so a note can be replaced but not emptied."""
    seen = state.notes.get(attempt_id, [])
    if not text or any(n["text"] == text for n in seen):
        return
    ev = {"event": "note", "attempt_id": attempt_id, "text": text, "at": at}
    state.adopt.append(ev)
    state.apply(ev)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _when(iso: str) -> str:
    return f"{iso[:10]} {iso[11:16]} UTC"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _attempt_markdown(rec: dict, n: int, tax) -> str:
    m = tax.markers.get(rec["marker"])
    levels = {lv.id: lv.label for lv in tax.levels}
    marker = f"{rec['marker']} {m.label}" if m else rec["marker"]
    lines = [f"### Attempt {n} · {_esc(marker)} · {_esc(levels.get(rec['level'], rec['level']))}"]
    facts = [f"clip <code>{_esc(rec['clip_id'])}</code>", _when(rec["created_at"])]
    for key, label in (("duration_s", "long"), ("latency_s", "before speaking"),
                       ("speaking_s", "speaking")):
        if rec[key] is not None:
            facts.append(f"{rec[key]:.1f} s {label}")
    if rec["status"] == "incomplete":
        facts.append("**incomplete recording** (never finished)")
    lines.append(" · ".join(facts))
    sa = rec["self_assessment"]
    if sa:
        text = f"Self-assessment: difficulty **{sa['difficulty']}/10**"
        if sa["strategies"]:
            text += "; intended: " + ", ".join(
                _esc(f"{s} {tax.strategies[s].label}" if s in tax.strategies else s)
                for s in sa["strategies"])
        if sa["note"]:
            text += f"; note: “{_esc(sa['note'])}”"
        lines.append(text)
    if rec["sent_to"]:
        lines.append("Sent to " + ", ".join(f"{_esc(s['reviewer'])} ({_esc(s['role'])}, "
                                            f"{_when(s['at'])})" for s in rec["sent_to"]))
    if rec["recording"]:
        lines.append(f'<video controls preload="metadata" width="480" '
                     f'src="{_esc(rec["recording"])}"></video>')
    else:
        lines.append("_No recording._")
    return "\n\n".join(lines) + "\n"


def _feedback_markdown(n: int, feedback: list[dict], note: str, tax) -> str:
    items = {it.id: it.label for it in tax.rubric_items}
    parts = [f"#### Feedback on attempt {n}"]
    for f in feedback:
        block = [f"**{_esc(f['reviewer'])}** ({_esc(f['role'])}, {_when(f['created_at'])})"]
        if f["ratings"]:
            block.append("- Ratings: " + ", ".join(
                f"{_esc(items.get(k, k))} {v}/{tax.rubric_max}" for k, v in f["ratings"].items()))
        if f["strategies"]:
            block.append("- Strategies heard: " + ", ".join(
                _esc(f"{s} {tax.strategies[s].label}" if s in tax.strategies else s)
                for s in f["strategies"]))
        for c in f["comments"]:
            block.append(f"- At {_clock(c['t'])}: {_esc(c['text'])}")
        if f["summary"]:
            block.append("\n" + "\n".join(f"> {_esc(line)}" for line in f["summary"].splitlines()))
        parts.append("\n".join(block))
    if not feedback:
        parts.append("_No feedback yet._")
    parts.append("_Reviewers: use the review app, or write your feedback below the line._\n\n---\n"
                 + NOTES_MARK)
    return "\n\n".join(parts) + ("\n" + note + "\n" if note else "\n")


def _md_cell(cell_id: str, source: str, meta: dict) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"rupture": meta},
            "source": source}


def _clean_foreign(cell: dict, used: set[str]) -> dict:
    """Keep a person's cell, fixing only what would make the notebook invalid."""
    cell = dict(cell)
    if cell.get("cell_type") not in ("markdown", "code", "raw"):
        cell = {"cell_type": "raw", "source": json.dumps(cell, ensure_ascii=False)}
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    cell.setdefault("source", "")
    if cell["cell_type"] == "code":
        cell.setdefault("outputs", [])
        cell.setdefault("execution_count", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    cid = cell.get("id")
    if not isinstance(cid, str) or not CELL_ID_RE.fullmatch(cid) or cid in used:
        cell["id"] = f"cell-{uuid.uuid4().hex[:16]}"  # JupyterLab copy-paste can duplicate ids
    used.add(cell["id"])
    return cell


def _notebook_text(trainee_id: str, state: _State, tax, cache: dict) -> str:
    """The whole notebook as text, re-rendering only cells whose records changed.

    ``cache`` maps cell id -> (record objects, serialised cell). Journal records are never
    mutated (updates are new dicts), so identity tells whether a cell is unchanged; this keeps a
    400-attempt write at a few milliseconds of rendering instead of ~40.
    """
    if cache.get("__taxonomy__") is not tax:
        cache.clear()
        cache["__taxonomy__"] = tax
    header = (f"# Practice workbook: {_esc(trainee_id)}\n\n"
              "Each attempt has a summary with its recording, then a feedback cell. Attempt "
              "cells are rewritten by the practice app; reviewers write in the feedback cells, "
              "below the line. Your own extra cells are kept where you put them.\n")
    out = [storage.cell_text(_md_cell(HEADER_ID, header, {
        "kind": "header", "schema_version": storage.SCHEMA_VERSION, "trainee_id": trainee_id}))]
    used = {HEADER_ID}
    ordered = state.ordered_attempts()
    for rec in ordered:
        used.update((f"attempt-{rec['id']}", f"feedback-{rec['id']}"))
    foreign: dict[str | None, list[str]] = defaultdict(list)
    for anchor, cell in state.foreign:
        foreign[anchor].append(storage.cell_text(_clean_foreign(cell, used)))
    out += foreign.pop(None, [])

    def cached(cell_id: str, key: tuple, render: Callable[[], dict]) -> str:
        hit = cache.get(cell_id)
        if hit is not None and len(hit[0]) == len(key) and all(
                a is b or (type(a) in (int, tuple) and a == b) for a, b in zip(hit[0], key)):
            return hit[1]
        text = storage.cell_text(render())
        cache[cell_id] = (key, text)
        return text

    for n, rec in enumerate(ordered, 1):
        aid = rec["id"]
        out.append(cached(f"attempt-{aid}", (n, rec), lambda: _md_cell(
            f"attempt-{aid}", _attempt_markdown(rec, n, tax),
            {"kind": "attempt", "schema_version": storage.SCHEMA_VERSION, "attempt": rec})))
        out += foreign.pop(f"attempt-{aid}", [])
        fb = list(state.feedback.get(aid, {}).values())
        notes = state.notes.get(aid, [])
        note_key = tuple((x["text"], x["at"]) for x in notes)

        def feedback_cell() -> dict:
            meta = {"kind": "feedback", "schema_version": storage.SCHEMA_VERSION,
                    "attempt_id": aid, "feedback": fb}
            if notes:
                meta["notes"] = notes
            return _md_cell(f"feedback-{aid}", _feedback_markdown(
                n, fb, notes[-1]["text"] if notes else "", tax), meta)

        out.append(cached(f"feedback-{aid}", (n, note_key, *fb), feedback_cell))
        out += foreign.pop(f"feedback-{aid}", [])
    for rest in foreign.values():  # anchors that no longer exist: keep the cells at the end
        out += rest
    metadata = dict(state.nb_metadata)
    metadata.setdefault("kernelspec", KERNELSPEC)
    metadata["rupture"] = {"kind": "workbook", "schema_version": storage.SCHEMA_VERSION,
                           "trainee_id": trainee_id}
    return storage.notebook_text(out, metadata)
