"""The rubric as a markdown table that a reviewer fills in below the line of a feedback cell.

A feedback cell with no note yet ends with ``blank_table(tax)``, one row per rubric item:

    | Rubric item (score 1–5) | Score |
    |---|---|
    | Empathy | |

``read_note(text, tax)`` reads what a reviewer typed below the line. JupyterLab re-indents the
notebook's JSON when it saves, never the text of a cell, so the table comes back as typed:

- A rubric table is a run of lines starting with ``|`` whose header says "Rubric item", or one of
  whose rows names a rubric item. A row names an item by its label or its id, ignoring case,
  spacing and ``*``/``_`` emphasis. The score is the second column: a whole number from
  ``rubric_min`` to ``rubric_max`` ("4", or "4/5"). An empty score means "not scored".
- A bad score ("7", "four", "3.5") or a scored row that names no rubric item is not counted, and
  ``problems`` says which item and what is allowed. Nothing typed is dropped.
- ``summary`` is the text outside rubric tables (the note as feedback). ``text`` is what is kept
  as the note: everything typed, except a rubric table without a single score in it (the blank
  template, which nobody typed).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

HEADER = "Rubric item"
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_DELIMITER = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?")
_SCORE = re.compile(r"([0-9]+)(?:\s*/\s*([0-9]+))?")
_EMPHASIS = "*_` \t"
_SPACES = re.compile(r"\s+")
_blank_cache: dict[int, tuple[object, str]] = {}


@dataclass(frozen=True)
class RubricNote:
    """A note read: ``text`` to keep, ``summary`` outside the tables, the counted ``ratings``
    ({item id: score}) and the ``problems`` with what was not counted."""
    text: str
    summary: str
    ratings: dict = field(default_factory=dict)
    problems: tuple = ()


def _label_cell(label: str) -> str:
    """A label as a table cell: a '|' would split it, '<' could start HTML."""
    text = _SPACES.sub(" ", label).strip()
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def blank_table(tax) -> str:
    """The table to fill in: one row per rubric item, every score empty."""
    hit = _blank_cache.get(id(tax))
    if hit is not None and hit[0] is tax:
        return hit[1]
    rows = [f"| {HEADER} (score {tax.rubric_min}–{tax.rubric_max}) | Score |", "|---|---|"]
    rows += [f"| {_label_cell(it.label)} | |" for it in tax.rubric_items]
    text = "\n".join(rows)
    if len(_blank_cache) > 8:
        _blank_cache.clear()
    _blank_cache[id(tax)] = (tax, text)
    return text


def _norm(cell: str) -> str:
    """How a row names an item: '**Empathy**', 'empathy ' and 'EMPATHY' are the same."""
    text = html.unescape(cell.replace("\\|", "|")).strip(_EMPHASIS)
    return _SPACES.sub(" ", text).casefold()


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [c.strip() for c in _CELL_SPLIT.split(text)]


def _score(raw: str, tax) -> int | None:
    m = _SCORE.fullmatch(raw.strip(_EMPHASIS))
    if m is None or (m[2] is not None and int(m[2]) != tax.rubric_max):
        return None
    value = int(m[1])
    return value if tax.rubric_min <= value <= tax.rubric_max else None


def _read_table(lines: list[str], items: dict, tax, ratings: dict,
                problems: list[str]) -> bool | None:
    """One run of '|' lines: None if it is not a rubric table (a reviewer's own table, kept as
    text), else whether any score cell has something in it."""
    header = None
    if len(lines) >= 2 and _DELIMITER.fullmatch(lines[1].strip()):
        header, lines = _cells(lines[0]), lines[2:]
    rows = [_cells(line) for line in lines if not _DELIMITER.fullmatch(line.strip())]
    if not ((header and _norm(header[0]).startswith(HEADER.casefold()))
            or any(_norm(r[0]) in items for r in rows)):
        return None
    lo, hi = tax.rubric_min, tax.rubric_max
    touched = False
    for row in rows:
        raw = row[1].strip() if len(row) > 1 else ""
        if not raw.strip(_EMPHASIS):
            continue  # not scored
        touched = True
        shown = raw if len(raw) <= 40 else raw[:39] + "…"
        item = items.get(_norm(row[0]))
        if item is None:
            labels = ", ".join(it.label for it in tax.rubric_items)
            problems.append(f"The row {row[0]!r} is not a rubric item, so its score ({shown!r}) "
                            f"was not counted; the items are {labels}, each scored from {lo} "
                            f"to {hi}.")
            continue
        value = _score(raw, tax)
        if value is None:
            problems.append(f"Score for {item.label} must be a whole number from {lo} to {hi} "
                            f"(got {shown!r}); it was not counted.")
        elif item.id in ratings and ratings[item.id] != value:
            problems.append(f"{item.label} is scored twice ({ratings[item.id]} and {value}); "
                            f"the first score counts.")
        else:
            ratings[item.id] = value
    return touched


def read_note(text: str, tax) -> RubricNote:
    """What a reviewer typed below the line: the note to keep, its ratings and problems."""
    items: dict = {}
    for it in tax.rubric_items:
        items.setdefault(_norm(it.label), it)
        items.setdefault(_norm(it.id), it)
    lines = text.splitlines()
    kept: list[str] = []
    outside: list[str] = []
    ratings: dict[str, int] = {}
    problems: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            kept.append(lines[i])
            outside.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            j += 1
        touched = _read_table(lines[i:j], items, tax, ratings, problems)
        if touched is None:
            kept += lines[i:j]
            outside += lines[i:j]
        elif touched:
            kept += lines[i:j]
        i = j
    return RubricNote(text="\n".join(kept).strip(), summary="\n".join(outside).strip(),
                      ratings=ratings, problems=tuple(problems))
