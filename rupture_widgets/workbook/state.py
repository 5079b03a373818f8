"""The workbook's state: attempts, feedback and notes merged from the journal and the notebook.

In: a notebook that JupyterLab, a reviewer or a stale copy wrote is folded into the state the
journal already holds. The journal wins for every record it knows, records only the notebook has
are adopted, text typed below the line in a feedback cell becomes a note (its rubric table read
by ``rubric_table``: the note event carries "ratings" and "problems", and "reviewer" where known),
and every other cell a person added is kept after the cell it followed (``cells`` writes them
back there).

A deleted attempt leaves a tombstone (a "delete" event): its cells in any notebook saved later,
a stale copy from JupyterLab say, are dropped rather than adopted, so nothing brings it back.
Only an explicit new "attempt" event for the same id (a reviewer's copy sent again) lifts it.
"""
from __future__ import annotations

import logging
import operator
import os

from ..errors import InvalidName, InvalidRecord
from ..storage import utc_now
from ..taxonomy import load_taxonomy
from .cells import NOTES_MARK
from .records import upgrade_metadata, validate_record
from .rubric_table import blank_table, read_note

log = logging.getLogger(__name__)
_CREATED_AT = operator.itemgetter("created_at")


class WorkbookState:
    """Attempts, feedback and notes merged from the journal and the notebook, plus the cells
    a person added that must be written back unchanged."""

    def __init__(self):
        self.attempts: dict[str, dict] = {}
        self.feedback: dict[str, dict[str, dict]] = {}
        self.notes: dict[str, list[dict]] = {}
        self.adopt: list[dict] = []  # events found only in the notebook, to be journaled
        self.nb_metadata: dict = {}
        self.foreign: list[tuple[str | None, dict]] = []  # (anchor cell id, cell)
        self.deleted: set[str] = set()  # tombstones: attempt ids deleted on purpose
        self.display_name: str | None = None  # the name as typed; None: the id stands in

    def apply(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "attempt":
            rec = event["attempt"]
            self.attempts[rec["id"]] = rec
            self.deleted.discard(rec["id"])
        elif kind == "delete":
            self._forget(event["attempt_id"])
        elif kind == "profile":
            self.display_name = event["display_name"]
        elif kind == "feedback":
            rec = event["feedback"]
            self.feedback.setdefault(rec["attempt_id"], {})[rec["id"]] = rec
        elif kind == "note":  # "reviewer", "ratings", "problems": only in newer events
            note = {"text": event["text"], "at": event["at"]}
            for key, typ in (("reviewer", str), ("ratings", dict), ("problems", list)):
                if isinstance(event.get(key), typ):
                    note[key] = event[key]
            self.notes.setdefault(event["attempt_id"], []).append(note)

    def _forget(self, attempt_id: str) -> None:
        """Remove an attempt, its feedback and notes; a person's cells that followed its cells
        move up to follow the cell before them, rather than to the end of the notebook."""
        ordered = [r["id"] for r in self.ordered_attempts()]
        if attempt_id in ordered:
            i = ordered.index(attempt_id)
            before = f"feedback-{ordered[i - 1]}" if i else None
            gone = {f"attempt-{attempt_id}", f"feedback-{attempt_id}"}
            self.foreign = [(before if anchor in gone else anchor, cell)
                            for anchor, cell in self.foreign]
        self.attempts.pop(attempt_id, None)
        self.feedback.pop(attempt_id, None)
        self.notes.pop(attempt_id, None)
        self.deleted.add(attempt_id)

    def ordered_attempts(self) -> list[dict]:
        # by time; the sort is stable, so equal times keep the order they were first journaled
        return sorted(self.attempts.values(), key=_CREATED_AT)


# -- merge in: a notebook someone saved -------------------------------------------------------

def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _note_text(source: str) -> str:
    i = source.find(NOTES_MARK)
    return (source[i + len(NOTES_MARK):] if i >= 0 else source).strip()


def _reviewer_here(trainee_id: object) -> str | None:
    """Who typed a new note, where known: the JupyterHub user of this process, unless that is
    the trainee (then it is most likely the trainee's own app doing the merge, and who typed the
    note is unknown). A review notebook knows its reviewer and will pass it to ``merge_notebook``
    later; until then this is a best guess, and None means "(written in the notebook)"."""
    user = os.environ.get("JUPYTERHUB_USER", "").strip()
    if not user or len(user) > 200 or user == trainee_id:
        return None
    try:
        user.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in the environment
        return None
    return user


def merge_notebook(nb: dict, state: WorkbookState, reviewer: str | None = None) -> None:
    """Fold the notebook into ``state`` (already holding the journal).

    The journal wins for every record it knows, so a stale copy cannot roll anything back;
    records only the notebook has (journal lost, bundle restored) are adopted into it. Only
    those are schema-checked here, which keeps a 400-attempt write fast. ``reviewer``: who
    typed into this notebook, if the caller knows (a review notebook will pass it in; not yet
    wired); otherwise ``$JUPYTERHUB_USER`` (``_reviewer_here``).
    """
    state.nb_metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    if reviewer is None:  # a review notebook passes its reviewer (Workbook.reviewer)
        rupture = state.nb_metadata.get("rupture")
        reviewer = _reviewer_here(rupture.get("trainee_id") if isinstance(rupture, dict)
                                  else None)
    tax = load_taxonomy()  # once: ~50 us, which per cell would be most of a 400-attempt merge
    blank = blank_table(tax)  # what most feedback cells hold below the line: nobody typed it
    deleted = state.deleted
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
            _adopt_display_name(state, meta)
            continue
        if deleted and _cell_attempt_id(kind, meta) in deleted:
            continue  # a deleted attempt's cells, in a copy saved before it was deleted
        if kind == "attempt" and isinstance(meta.get("attempt"), dict):
            aid = meta["attempt"].get("id")
            if aid not in state.attempts and not _adopt(state, meta, cell, tax):
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
                if not _adopt(state, meta, cell, tax):
                    state.foreign.append((anchor, cell))
                    continue
            text = _note_text(_source(cell))
            if text and text != blank:  # (_adopt_note would ignore either)
                _adopt_note(state, aid, text, None, tax, reviewer)
            anchor = f"feedback-{aid}"
            continue
        state.foreign.append((anchor, cell))


def _cell_attempt_id(kind: object, meta: dict) -> str | None:
    """The attempt a record cell is about (None for any other cell, or a hand-edited id)."""
    found = None
    if kind == "attempt" and isinstance(meta.get("attempt"), dict):
        found = meta["attempt"].get("id")
    elif kind == "feedback":
        found = meta.get("attempt_id")
    return found if isinstance(found, str) else None


def _adopt_display_name(state: WorkbookState, meta: dict) -> None:
    """The display name in the header, if the journal does not know one (journal lost)."""
    from .names import check_display_name

    name = meta.get("display_name")
    if state.display_name is not None or name is None:
        return
    try:
        name = check_display_name(name)
    except InvalidName as e:  # a hand-edited header
        log.warning("Ignoring the display name in the notebook's header: %s", e)
        return
    ev = {"event": "profile", "display_name": name}
    state.adopt.append(ev)
    state.apply(ev)


def _adopt(state: WorkbookState, meta: dict, cell: dict, tax) -> bool:
    """Take records only the notebook has; False (cell kept as-is) if the metadata is bad."""
    where = f"in cell {cell.get('id', '?')!r} of the notebook"
    try:
        meta = upgrade_metadata(meta, where)
        validate_record(f"{meta['kind']}_cell", meta, where)
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
        _adopt_note(state, meta["attempt_id"], note["text"], note["at"], tax,
                    note.get("reviewer"))
    return True


def _adopt_note(state: WorkbookState, attempt_id: str, text: str, at: str | None, tax,
                reviewer: str | None = None) -> None:
    """A note is new only if it was never seen: a stale copy shows an older note (or none), and
    must not roll back a newer one. The price: clearing a note is indistinguishable from a stale
    copy, so a note can be replaced but not emptied.

    The rubric table in it is read (``rubric_table.read_note``): an untouched blank table is not
    kept (nobody typed it); a score that cannot count is logged, kept in the note's "problems"
    and shown in the cell on the next render, while the text typed is kept as it is.
    ``at`` None: now (a note typed into the notebook; the clock is read only if it is new)."""
    seen = state.notes.get(attempt_id, [])
    if not text or any(n["text"] == text for n in seen):
        return
    if text == blank_table(tax):  # the table as rendered, nothing filled in (the usual case)
        return
    read = read_note(text, tax)
    text = read.text
    if not text or any(n["text"] == text for n in seen):
        return
    for problem in read.problems:
        log.warning("A score typed into the notebook for attempt %s was not counted: %s",
                    attempt_id, problem)
    ev = {"event": "note", "attempt_id": attempt_id, "text": text,
          "at": utc_now() if at is None else at,
          "ratings": read.ratings, "problems": list(read.problems)}
    if reviewer:
        ev["reviewer"] = reviewer
    state.adopt.append(ev)
    state.apply(ev)
