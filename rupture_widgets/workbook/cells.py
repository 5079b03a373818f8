"""How attempts and feedback look as notebook cells: the whole workbook rendered as text.

One cell per line (``notebook_text``), re-rendering only the cells whose records changed. The
cells a person added are written back after the cell they followed. The reverse, folding a
notebook someone saved back into the records, is ``state.merge_notebook``.
"""
from __future__ import annotations

import html
import json
import re
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Callable

from ..errors import InvalidRecord
from ..storage import NotJSON, dumps
from .records import SCHEMA_VERSION
from .rubric_table import blank_table

if TYPE_CHECKING:
    from .state import WorkbookState

HEADER_ID = "rupture-header"
CELL_ID_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: Everything a reviewer types below this line in a feedback cell is kept as their feedback.
NOTES_MARK = "<!-- rupture: reviewers may write below this line; the text is kept as feedback -->"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def cell_text(cell: dict) -> str:
    """One cell, compact, on one line (the C JSON encoder: ~4x faster than ``indent=1``).
    Strict JSON: a NaN or Infinity would make JupyterLab refuse the whole notebook."""
    try:
        return dumps(cell, sort_keys=True)
    except NotJSON as e:
        raise InvalidRecord.bad("cell", repr(cell.get("id")), str(e)) from None


def notebook_text(cell_texts: list[str], metadata: dict) -> str:
    """A notebook with one cell per line.

    Not byte-identical to ``nbformat.writes`` (which indents everything, through the slow pure-
    Python encoder), but valid nbformat 4.5 that JupyterLab and nbformat read as usual, and a
    changed cell is a one-line diff. JupyterLab re-indents it when a person saves.
    """
    return _cells_part(cell_texts) + _metadata_part(metadata)


def _cells_part(cell_texts: list[str]) -> str:
    """The notebook's text up to its metadata (``reflected`` checks it is still this)."""
    return '{\n "cells": [\n  ' + ",\n  ".join(cell_texts) + "\n ],\n"


def _metadata_part(metadata: dict) -> str:
    return (f' "metadata": {dumps(metadata, sort_keys=True)},\n'
            ' "nbformat": 4,\n "nbformat_minor": 5\n}\n')


# -- render out: records as cells -------------------------------------------------------------

#: What makes markdown mid-line: emphasis, code, links and images, strikethrough, tables and
#: autolinks (the ':' of 'http:'). A backslash shows each as typed, so no image is fetched (a
#: tracking pixel) and nothing becomes a link. '<', '>', '&' and quotes become HTML entities,
#: and so does '$': JupyterLab takes $...$ out as math before markdown sees any backslash, and
#: typesets what is rendered, so text with a '$' is also marked for MathJax to leave alone.
_INLINE = re.compile(r"([\\`*_\[\]!~|:])")
#: What makes a block at the start of a line: a heading, list, quote, rule or code block.
_BLOCK_START = re.compile(r"^(\d*)([#+=.)-])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _esc(text: object) -> str:
    """Text a person typed, made safe for a markdown cell: markdown and HTML shown as typed,
    line breaks kept as <br> so that no line of it can start a block."""
    text = _INLINE.sub(r"\\\1", str(text).strip())
    text = _BLOCK_START.sub(r"\1\\\2", text)
    text = _NEWLINES.sub("<br>", html.escape(text, quote=True).replace("$", "&#36;"))
    return f'<span class="tex2jax_ignore mathjax_ignore">{text}</span>' if "&#36;" in text else text


def _when(iso: str) -> str:
    return f"{iso[:10]} {iso[11:16]} UTC"


def _clock(seconds: float | None) -> str:
    if seconds is None:  # a NaN an older version journaled, read back as unknown
        return "an unknown moment"
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _attempt_markdown(rec: dict, n: int, tax) -> str:
    m = tax.markers.get(rec["marker"])
    levels = {lv.id: lv.label for lv in tax.levels}
    marker = f"{rec['marker']} {m.label}" if m else rec["marker"]
    lines = [f"### Attempt {n} · {_esc(marker)} · {_esc(levels.get(rec['level'], rec['level']))}"
             + (" · ★ Best attempt" if rec.get("best") else "")]  # no "best" in older records
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
                     f'src="{html.escape(rec["recording"], quote=True)}"></video>')
    else:
        lines.append("_No recording._")
    return "\n\n".join(lines) + "\n"


def _feedback_markdown(n: int, feedback: list[dict], note: str, tax, problems=()) -> str:
    """The feedback given, then the line; below it the note typed there, or the blank rubric
    table to fill in (``rubric_table``). Scores in the note that were not counted are listed
    above the line, where the next render replaces them."""
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
            block.append("\n> " + _esc(f["summary"].strip()))
        parts.append("\n".join(block))
    if not feedback and not note:  # a note below the line is feedback too
        parts.append("_No feedback yet._")
    parts += [f"⚠ {_esc(p)}" for p in problems]
    if problems:
        parts.append("_Correct the score in the table below the line and save; everything you "
                     "typed there is kept._")
    how = "_Reviewers: write your feedback below the line._"
    if not note:
        how = (f"_Reviewers: write your feedback below the line, and score the rubric in its "
               f"table: a whole number from {tax.rubric_min} to {tax.rubric_max}, or leave the "
               f"score empty._")
    parts.append(how + "\n\n---\n" + NOTES_MARK)
    return "\n\n".join(parts) + "\n" + (note or blank_table(tax)) + "\n"


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


def workbook_text(trainee_id: str, state: WorkbookState, tax, cache: dict,
                  title: str = "Practice workbook",
                  journal_read: tuple[int, str, bool] | None = None) -> str:
    """The whole notebook as text, re-rendering only cells whose records changed.

    ``journal_read``: how many bytes of the journal ``state`` was read from, their SHA-256,
    and whether they were read cleanly (``Journal.read_through``); the store passes it, and it
    is marked in the metadata so that a reader can tell the notebook reflects exactly those
    bytes (``reflected``).

    ``cache`` maps cell id -> (record objects, serialised cell). Journal records are never
    mutated (updates are new dicts), so identity tells whether a cell is unchanged; this keeps a
    400-attempt write at a few milliseconds of rendering instead of ~40.
    """
    if cache.get("__taxonomy__") is not tax:
        cache.clear()
        cache["__taxonomy__"] = tax
    who = _esc(state.display_name) if state.display_name else _esc(trainee_id)
    if state.display_name and state.display_name != trainee_id:
        who += f" (<code>{_esc(trainee_id)}</code>)"
    header = (f"# {_esc(title)}: {who}\n\n"
              "Each attempt has a summary with its recording, then a feedback cell. Attempt "
              "cells are rewritten by the practice app; reviewers write in the feedback cells, "
              "below the line. Your own extra cells are kept where you put them.\n")
    header_meta = {"kind": "header", "schema_version": SCHEMA_VERSION, "trainee_id": trainee_id}
    if state.display_name:
        header_meta["display_name"] = state.display_name
    out = [cell_text(_md_cell(HEADER_ID, header, header_meta))]
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
            last = notes[-1] if notes else {"text": ""}
            return _md_cell(f"feedback-{aid}", _feedback_markdown(
                n, fb, last["text"], tax, last.get("problems", ())), meta)

        out.append(cached(f"feedback-{aid}", (n, note_key, *fb), feedback_cell))
        out += foreign.pop(f"feedback-{aid}", [])
    for rest in foreign.values():  # anchors that no longer exist: keep the cells at the end
        out += rest
    metadata = dict(state.nb_metadata)
    metadata.setdefault("kernelspec", KERNELSPEC)
    metadata["rupture"] = {"kind": "workbook", "schema_version": SCHEMA_VERSION,
                           "trainee_id": trainee_id}
    cells = _cells_part(out)
    if journal_read is not None:
        from .reflected import mark

        metadata["rupture"]["written_from"] = mark(cells, *journal_read)
    return cells + _metadata_part(metadata)
