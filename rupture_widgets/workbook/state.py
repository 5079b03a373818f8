"""The workbook's state: attempts, feedback and notes merged from the journal and the notebook.

In: a notebook that JupyterLab, a reviewer or a stale copy wrote is folded into the state the
journal already holds. The journal wins for every record it knows, records only the notebook has
are adopted, text typed below the line in a feedback cell becomes a note, and every other cell a
person added is kept after the cell it followed (``cells`` writes them back there).
"""
from __future__ import annotations

import logging

from ..errors import InvalidRecord
from ..storage import utc_now
from .cells import NOTES_MARK
from .records import upgrade_metadata, validate_record

log = logging.getLogger(__name__)


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


# -- merge in: a notebook someone saved -------------------------------------------------------

def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _note_text(source: str) -> str:
    i = source.find(NOTES_MARK)
    return (source[i + len(NOTES_MARK):] if i >= 0 else source).strip()


def merge_notebook(nb: dict, state: WorkbookState) -> None:
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


def _adopt(state: WorkbookState, meta: dict, cell: dict) -> bool:
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
        _adopt_note(state, meta["attempt_id"], note["text"], note["at"])
    return True


def _adopt_note(state: WorkbookState, attempt_id: str, text: str, at: str) -> None:
    """A note is new only if it was never seen: a stale copy shows an older note (or none), and
    must not roll back a newer one. The price: clearing a note is indistinguishable from a stale
    copy, so a note can be replaced but not emptied."""
    seen = state.notes.get(attempt_id, [])
    if not text or any(n["text"] == text for n in seen):
        return
    ev = {"event": "note", "attempt_id": attempt_id, "text": text, "at": at}
    state.adopt.append(ev)
    state.apply(ev)
