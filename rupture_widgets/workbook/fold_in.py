"""A workbook from elsewhere (a bundle's copy) folded into this one through the store's own merge.

Used to restore a trainee's work on a new server, or to bring many trainees' work into a
review workspace (``rupture_widgets.bundles``). Never a file copied over the workbook: the
incoming journal and notebook are read into records the way the store reads its own
(``WorkbookState``: the journal, then the notebook merged in), rendered as one notebook, and
that notebook is merged under this workbook's lock exactly as a copy someone saved in
JupyterLab would be (``state.merge_notebook``). So what this workbook already holds wins:

- an attempt, feedback or note it does not know is added (and journaled);
- one it knows stays as it is here, even if the incoming copy differs (an older bundle can never
  roll back newer work; ``FoldIn.differing`` names them);
- an attempt deleted here is not brought back (its tombstone drops the incoming cells);
- a cell a person added is added once: one already here (same cell id, or same text) is not
  added again, so folding the same copy in twice changes nothing, byte for byte.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..errors import InvalidRecord
from ..storage import NotJSON, parse_json
from ..taxonomy import load_taxonomy
from .cells import workbook_text
from .records import upgrade_event, validate_record
from .state import WorkbookState, merge_notebook

log = logging.getLogger(__name__)


@dataclass
class FoldIn:
    """What folding a copy in added, and what it found already here."""
    added: list = field(default_factory=list)       # attempt ids new to this workbook
    same: list = field(default_factory=list)        # attempt ids here already, identical
    differing: list = field(default_factory=list)   # here already, different: this one's kept
    deleted_here: list = field(default_factory=list)  # deleted in this workbook: not restored
    feedback_added: list = field(default_factory=list)  # ids of feedback new here
    notes_added: int = 0
    cells_added: int = 0
    name_added: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.feedback_added or self.notes_added or self.cells_added
                    or self.name_added)


def incoming_state(journal: bytes | None, notebook: bytes | None, where: str,
                   reviewer: str | None = None, trainee_id: str | None = None) -> WorkbookState:
    """The records of a workbook copy, from its journal and notebook bytes, read as the store
    reads its own files (a torn last journal line ignored, as the store ignores it). Every
    record is checked; InvalidRecord names the first that fails, so a tampered copy is refused
    whole rather than half-adopted; so is an attempt of anyone but ``trainee_id`` (if given)."""
    state = WorkbookState()
    lines = (journal or b"").split(b"\n")
    for n, raw in enumerate(lines[:-1] if journal and not journal.endswith(b"\n") else lines, 1):
        if not raw.strip():
            continue
        try:
            event = parse_json(raw)
            state.apply(upgrade_event(event))
        except (NotJSON, KeyError, TypeError, AttributeError) as e:
            raise InvalidRecord.bad("journal line", f"{n} of {where}", str(e)) from None
    if notebook is not None:
        try:
            nb = parse_json(notebook)
        except NotJSON as e:
            raise InvalidRecord.bad("notebook", where, str(e)) from None
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) \
                or nb.get("nbformat") != 4:
            raise InvalidRecord.bad("notebook", where, "it is not a version 4 notebook")
        merge_notebook(nb, state, reviewer=reviewer)
    for rec in state.attempts.values():
        validate_record("attempt", rec, f"attempt {rec.get('id')!r} in {where}")
        if trainee_id is not None and rec["trainee_id"] != trainee_id:
            raise InvalidRecord.bad("attempt", f"{rec['id']!r} in {where}", f"it is "
                                    f"{rec['trainee_id']!r}'s, not {trainee_id!r}'s")
    for by_id in state.feedback.values():
        for rec in by_id.values():
            validate_record("feedback", rec, f"feedback {rec.get('id')!r} in {where}")
    return state


def as_notebook(trainee_id: str, state: WorkbookState, title: str) -> dict:
    """The copy's records as one notebook, rendered by the store's own ``cells``."""
    return parse_json(workbook_text(trainee_id, state, load_taxonomy(), {}, title=title))


def fold_in(workbook, incoming: dict) -> FoldIn:
    """Merge ``incoming`` (a notebook from ``as_notebook``) into ``workbook``; write only when
    something is new (a dry run on a read first, then the same merge under the lock)."""
    found = _merge(workbook._read(), incoming, workbook.reviewer)[1]
    if not found.changed:
        return found
    result: list[FoldIn] = []

    def change(state: WorkbookState) -> list[dict]:
        events, done = _merge(state, incoming, workbook.reviewer)
        result.append(done)
        return events

    workbook._write(change)
    return result[-1]


def _merge(state: WorkbookState, incoming: dict, reviewer: str | None
           ) -> tuple[list[dict], FoldIn]:
    found = FoldIn()
    before = dict(state.attempts)
    adopted_before = len(state.adopt)
    foreign_before = list(state.foreign)
    metadata = state.nb_metadata  # this notebook's own (kernelspec, title): not the copy's
    deleted = set(state.deleted)
    had_name = state.display_name is not None
    merge_notebook(incoming, state, reviewer=reviewer)
    state.nb_metadata = metadata
    events = state.adopt[adopted_before:]
    del state.adopt[adopted_before:]
    # A person's cell from the copy that is here already (restored before) is not added again.
    have = {_cell_key(c) for _, c in foreign_before}
    have |= {("id", f"{k}-{aid}") for aid in state.attempts for k in ("attempt", "feedback")}
    fresh = []
    for anchor, cell in state.foreign[len(foreign_before):]:
        key = _cell_key(cell)
        if key not in have:
            have.add(key)
            fresh.append((anchor, cell))
    state.foreign = foreign_before + fresh
    found.cells_added = len(fresh)
    for cell in incoming.get("cells", ()):
        rec = (cell.get("metadata", {}).get("rupture") or {}).get("attempt")
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
            continue
        aid = rec["id"]
        if aid in deleted:
            found.deleted_here.append(aid)
        elif aid not in before:
            found.added.append(aid)
        elif before[aid] == rec:
            found.same.append(aid)
        else:
            found.differing.append(aid)
    found.feedback_added = [ev["feedback"]["id"] for ev in events if ev["event"] == "feedback"]
    found.notes_added = sum(ev["event"] == "note" for ev in events)
    found.name_added = not had_name and any(ev["event"] == "profile" for ev in events)
    return events, found


def _cell_key(cell: dict) -> tuple:
    """A person's cell is the same cell if it has the same id (JupyterLab gives every cell one),
    or, without an id, the same type and text."""
    cid = cell.get("id")
    if isinstance(cid, str) and cid:
        return ("id", cid)
    src = cell.get("source", "")
    return ("text", cell.get("cell_type"), "".join(src) if isinstance(src, list) else str(src))
