"""How attempts and feedback look as notebook cells, and how a notebook saved by someone else is
merged back.

Out: the whole workbook rendered as text, one cell per line (``notebook_text``),
re-rendering only the cells whose records changed. In: a notebook that JupyterLab, a reviewer or a
stale copy wrote is folded into the state the journal already holds; the journal wins for every
record it knows, records only the notebook has are adopted, text typed below the line in a
feedback cell becomes a note, and every other cell a person added is kept after the cell it
followed.
"""
from __future__ import annotations

import html
import json
import logging
import re
import uuid
from collections import defaultdict
from typing import Callable

from .errors import InvalidRecord
from .records import SCHEMA_VERSION, upgrade_metadata, validate_record
from .storage import utc_now

log = logging.getLogger(__name__)

HEADER_ID = "rupture-header"
CELL_ID_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: Everything a reviewer types below this line in a feedback cell is kept as their feedback.
NOTES_MARK = "<!-- rupture: reviewers may write below this line; the text is kept as feedback -->"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


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


def cell_text(cell: dict) -> str:
    """One cell, compact, on one line (the C JSON encoder: ~4x faster than ``indent=1``)."""
    return json.dumps(cell, sort_keys=True, ensure_ascii=False)


def notebook_text(cell_texts: list[str], metadata: dict) -> str:
    """A notebook with one cell per line.

    Not byte-identical to ``nbformat.writes`` (which indents everything, through the slow pure-
    Python encoder), but valid nbformat 4.5 that JupyterLab and nbformat read as usual, and a
    changed cell is a one-line diff. JupyterLab re-indents it when a person saves.
    """
    return ('{\n "cells": [\n  ' + ",\n  ".join(cell_texts) + "\n ],\n"
            f' "metadata": {json.dumps(metadata, sort_keys=True, ensure_ascii=False)},\n'
            ' "nbformat": 4,\n "nbformat_minor": 5\n}\n')


# -- render out: records as cells -------------------------------------------------------------

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


def workbook_text(trainee_id: str, state: WorkbookState, tax, cache: dict) -> str:
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
    out = [cell_text(_md_cell(HEADER_ID, header, {
        "kind": "header", "schema_version": SCHEMA_VERSION, "trainee_id": trainee_id}))]
    used = {HEADER_ID}
    ordered = state.ordered_attempts()
    for rec in ordered:
        used.update((f"attempt-{rec['id']}", f"feedback-{rec['id']}"))
    foreign: dict[str | None, list[str]] = defaultdict(list)
    for anchor, cell in state.foreign:
        foreign[anchor].append(cell_text(_clean_foreign(cell, used)))
    out += foreign.pop(None, [])

    def cached(cell_id: str, key: tuple, render: Callable[[], dict]) -> str:
        hit = cache.get(cell_id)
        if hit is not None and len(hit[0]) == len(key) and all(
                a is b or (type(a) in (int, tuple) and a == b) for a, b in zip(hit[0], key)):
            return hit[1]
        text = cell_text(render())
        cache[cell_id] = (key, text)
        return text

    for n, rec in enumerate(ordered, 1):
        aid = rec["id"]
        out.append(cached(f"attempt-{aid}", (n, rec), lambda: _md_cell(
            f"attempt-{aid}", _attempt_markdown(rec, n, tax),
            {"kind": "attempt", "schema_version": SCHEMA_VERSION, "attempt": rec})))
        out += foreign.pop(f"attempt-{aid}", [])
        fb = list(state.feedback.get(aid, {}).values())
        notes = state.notes.get(aid, [])
        note_key = tuple((x["text"], x["at"]) for x in notes)

        def feedback_cell() -> dict:
            meta = {"kind": "feedback", "schema_version": SCHEMA_VERSION,
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
    metadata["rupture"] = {"kind": "workbook", "schema_version": SCHEMA_VERSION,
                           "trainee_id": trainee_id}
    return notebook_text(out, metadata)
