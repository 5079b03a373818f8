"""Whether a workbook's notebook is exactly what the store last wrote from its journal, so that
its records can be read from the journal alone, without parsing the notebook (docs/decisions.md
#30): how the research tables read thousands of workbooks.

Every write of the store puts into the notebook's metadata what it was written from
(``metadata.rupture.written_from``): how many bytes of the journal its records came from, their
SHA-256, and the SHA-256 of the notebook's text before its metadata (every cell). When the
notebook's cells are still that text (nobody saved it since: JupyterLab re-indents the whole
file when it saves, and a stale copy was written from fewer journal bytes) and the journal still
begins with those bytes, merging the notebook (``state.merge_notebook``) adds nothing to the
journal's records: the store journals everything it adopts from a notebook before it writes
the next one, and a notebook it wrote holds only what its journal held. So the journal alone
gives the records the full read gives.

Events after those bytes (a write whose notebook could not be replaced, or one under way) are
read too, unless one of them deletes an attempt: an attempt deleted and then logged again would
take its old feedback back from the notebook's cells in the full merge. That, a journal line
this reader does not take as it is (unreadable, NaN, deeply nested, an old schema version that
fails to upgrade), and every other case the check does not cover give None: read the workbook
the full way (``Workbook.records``), which also says what is wrong.
"""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from ..errors import InvalidRecord
from ..storage import MAX_DEPTH, _depth_over
from .records import SCHEMA_VERSION, upgrade_event
from .state import WorkbookState

#: How ``cells.notebook_text`` ends the cells and starts the metadata, and how it ends the file.
_CELLS_END = b"\n ],\n"
_METADATA = b' "metadata": '
_TAIL = b',\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'


def mark(cells_part: str, journal_bytes: int, journal_sha256: str, journal_clean: bool) -> dict:
    """What the store writes into the notebook's metadata: ``cells_part`` is the notebook's text
    up to its metadata, written from the first ``journal_bytes`` of the journal;
    ``journal_clean``: the store read every line of them as it is (``Journal.read_through``),
    so a reader need not check them for what the full read would skip."""
    return {"journal_bytes": journal_bytes, "journal_sha256": journal_sha256,
            "journal_clean": journal_clean,
            "cells_sha256": hashlib.sha256(cells_part.encode("utf-8")).hexdigest()}


def written_from(raw: bytes) -> dict | None:
    """The mark in a notebook's bytes if its cells are still the text the store wrote; None if
    there is no mark, or anything differs."""
    i = raw.rfind(_CELLS_END + _METADATA)
    if i < 0 or not raw.endswith(_TAIL):
        return None
    cells_end = i + len(_CELLS_END)
    try:
        meta = json.loads(raw[cells_end + len(_METADATA):len(raw) - len(_TAIL)])
        found = meta["rupture"]["written_from"]
        n, journal_sha, cells_sha = (found["journal_bytes"], found["journal_sha256"],
                                     found["cells_sha256"])
    except (ValueError, KeyError, TypeError):
        return None
    if (type(n) is not int or n < 0 or not isinstance(journal_sha, str)
            or hashlib.sha256(memoryview(raw)[:cells_end]).hexdigest() != cells_sha):
        return None
    return found


class _NotAsWritten(Exception):
    """Internal: a journal line this reader does not take as it is (the full read decides)."""


def _constant(name: str):
    raise _NotAsWritten(name)  # NaN or Infinity: the full read repairs it and says so


_DECODER = json.JSONDecoder(parse_constant=_constant)


@functools.cache
def _fast_decoder():
    """The research extra's JSON decoder (msgspec): the same objects as the standard library's
    in half the time; None without it. Imported when first read with, not when the store
    writes a mark (the trainee app never reads thousands of workbooks)."""
    try:
        import msgspec
    except ImportError:
        return None
    return msgspec.json.Decoder(), msgspec.DecodeError


def _decoded(array: bytes) -> list:
    """``array`` (a JSON array of the journal's lines) decoded as the standard library decodes
    it. msgspec gives equal objects (arbitrary-precision integers, correctly rounded floats,
    the last of duplicate keys; tests/workbook/test_reflected.py holds it to that); what it
    refuses (NaN, 1e400, a lone surrogate, a torn line) goes to the standard decoder, which
    reads or refuses it as the full read would (nesting past either one's limit: RecursionError)."""
    fast = _fast_decoder()
    if fast is not None:
        decoder, refused = fast
        try:
            return decoder.decode(array)
        except refused:
            pass
    return _DECODER.decode(array.decode("utf-8"))


def _events(lines: bytes, clean: int = 0) -> list[dict] | None:
    """Every line of ``lines`` (complete lines) as an event, read in one call of the JSON
    decoder rather than one per line; None if any line is not exactly an event as written.
    The lines in the first ``clean`` bytes are known to be (the store read them so): only the
    others are looked at for nesting deeper than the full read allows."""
    if not lines:
        return []
    try:
        events = _decoded(b"[" + lines[:-1].replace(b"\n", b",") + b"]")
    except (ValueError, RecursionError, _NotAsWritten):  # a blank, torn or odd line: one by one
        return None
    rest = lines[clean:]
    if rest.count(b"{") + rest.count(b"[") > MAX_DEPTH:  # then some line might nest too deep
        first = lines.count(b"\n", 0, clean)
        for line, event in zip(rest.split(b"\n"), events[first:]):
            if line.count(b"{") + line.count(b"[") > MAX_DEPTH and _depth_over(event, MAX_DEPTH):
                return None
    if any(e.__class__ is not dict for e in events):
        return None
    return events


def journal_state(notebook: Path, journal_path: Path) -> WorkbookState | None:
    """The workbook's records from its journal alone, when its notebook reflects the journal
    (see the module docstring); None when the workbook must be read the full way. The paths
    are a trainee folder's (``paths.TraineeFolder``), already confined by the caller."""
    try:
        raw = notebook.read_bytes()
    except OSError:
        return None
    found = written_from(raw)
    if found is None:
        return None
    try:
        journal = journal_path.read_bytes()
    except FileNotFoundError:
        journal = b""
    except OSError:
        return None
    n = found["journal_bytes"]
    if len(journal) < n or hashlib.sha256(memoryview(journal)[:n]).hexdigest() \
            != found["journal_sha256"]:
        return None
    end = journal.rfind(b"\n") + 1  # a last line without its newline is still being written
    events = _events(journal[:end], n if found.get("journal_clean") is True else 0)
    if events is None:
        return None
    if end > n and any(e.get("event") == "delete"  # after the lines the notebook reflects
                       for e in events[journal.count(b"\n", 0, n):]):
        return None
    state = WorkbookState()
    attempts, deleted = state.attempts, state.deleted
    try:
        for event in events:
            if event.get("v") == SCHEMA_VERSION and event.get("event") == "attempt":
                rec = event["attempt"]  # most events: WorkbookState.apply's first case, inline
                attempts[rec["id"]] = rec
                deleted.discard(rec["id"])
            else:
                state.apply(upgrade_event(event))
    except (KeyError, TypeError, AttributeError, InvalidRecord):  # the full read logs and skips
        return None
    return state


def journal_records(notebook: Path, journal_path: Path, trainee_id: str):
    """``Workbook.records`` from the journal alone (``journal_state``), or None."""
    from .feedback_store import records_of

    state = journal_state(notebook, journal_path)
    return None if state is None else records_of(state, trainee_id)
