"""Durable files for the workbook: atomic replace, the append-only journal, careful reads.

DESIGN.md decision 6: no write may lose someone else's work. Three people can touch one
workbook at once (trainee app, review app, a person in JupyterLab), so this module offers only
operations that are safe when interrupted at any instant:

* ``atomic_write_text`` - temp file in the same folder, fsync, ``os.replace``, fsync the folder.
  A reader sees the old file or the new one, never half of either.
* ``Journal`` - one JSON event per line, appended and fsynced *before* the notebook is rewritten,
  so a notebook lost to a crash, a corrupt save or a stale "Overwrite" in JupyterLab can be
  rebuilt. Lines are never rewritten; a torn last line (crash mid-append) is ignored on read and
  fenced off with a newline before the next append.
* ``read_notebook_json`` - JupyterLab writes notebooks *in place* (jupyter_server's
  ``atomic_writing`` truncates then writes), so a read can catch a half-written file. A parse
  failure is retried briefly before the file is declared unreadable.
* ``set_aside`` - an unreadable notebook is renamed, never overwritten or deleted.

Nothing here knows what an attempt is; workbook.py owns the meaning.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

#: How long a write waits for another process holding the workbook lock before giving up.
LOCK_TIMEOUT_S = float(os.environ.get("RUPTURE_LOCK_TIMEOUT_S", "60"))


def utc_now() -> str:
    """ISO-8601 UTC timestamp with milliseconds, e.g. '2024-05-01T10:02:03.123Z'."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def fsync_dir(directory: Path) -> None:
    """Make a rename or new file in ``directory`` durable (no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open folders; os.replace is durable enough there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that no reader ever sees a partial file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; a notebook should be as readable as any file the user makes.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the cross-process lock ``lock_path`` (a filelock.FileLock) for the block."""
    from filelock import FileLock  # imported here: reads never need it

    with FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S if timeout is None else timeout):
        yield


class UnreadableFile(Exception):
    """Internal: the file exists but is not the JSON we expected (reason in args[0])."""


def read_notebook_json(path: Path, retries: int = 5, wait_s: float = 0.03) -> dict | None:
    """Parse ``path`` as a notebook-shaped JSON object; None if the file does not exist.

    Retries a failed parse a few times because JupyterLab may be half-way through rewriting the
    file in place; raises UnreadableFile when it stays unreadable.
    """
    reason = ""
    for attempt in range(retries + 1):
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            reason = f"not valid JSON: {e}"
        else:
            if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
                reason = "not a notebook (no list of cells)"
            elif data.get("nbformat") != 4:
                reason = f"unsupported nbformat {data.get('nbformat')!r} (expected 4)"
            else:
                return data
        if attempt < retries:
            time.sleep(wait_s * (attempt + 1))
    raise UnreadableFile(reason)


def set_aside(path: Path, label: str = "corrupt") -> Path:
    """Rename an unreadable file to ``<stem>.<label>-<UTC timestamp><suffix>``; return the new path.

    Renaming (not copying) means the broken file can never be mistaken for the live one again,
    and nothing is deleted: a person can still open it and recover text by hand.
    """
    path = Path(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{label}-{stamp}-{n}{path.suffix}")
        n += 1
    os.replace(path, target)
    fsync_dir(path.parent)
    return target


class Journal:
    """Append-only JSON-lines event log with an incremental, per-process read cache.

    Re-reading the whole journal on every write would make a 400-attempt workbook slow, so the
    parsed events are cached with the byte offset reached; only new bytes are parsed next time.
    The cache is dropped if the file was replaced or shrank (restored from a bundle, say).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._reset(None)

    def _reset(self, ino: int | None) -> None:
        self._events: list[dict] = []
        self._offset = 0
        self._line_count = 0
        self._ino = ino
        self.bad_lines: list[int] = []  # line numbers that could not be parsed (kept in the file)

    def append(self, event: dict) -> None:
        """Append one event and fsync it. Call under the workbook lock."""
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if "\n" in line:  # json.dumps never emits raw newlines; guard the line format anyway
            raise ValueError("journal events must serialise to one line")
        data = (line + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            size = os.fstat(fd).st_size
            if size and not self._ends_with_newline(size):
                data = b"\n" + data  # fence off a torn line left by a crash mid-append
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if size == 0:
            fsync_dir(self.path.parent)

    def _ends_with_newline(self, size: int) -> bool:
        with open(self.path, "rb") as f:
            f.seek(size - 1)
            return f.read(1) == b"\n"

    def events(self) -> list[dict]:
        """All complete events so far, oldest first (a shared list: do not mutate)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._reset(None)
            return self._events
        if st.st_ino != self._ino or st.st_size < self._offset:
            self._reset(st.st_ino)
        if st.st_size > self._offset:
            with open(self.path, "rb") as f:
                f.seek(self._offset)
                chunk = f.read(st.st_size - self._offset)
            end = chunk.rfind(b"\n") + 1  # a last line without newline is still being written
            first_line = self._line_count
            for i, raw in enumerate(chunk[:end].split(b"\n")):
                if not raw.strip():
                    continue
                try:
                    event = json.loads(raw)
                except ValueError:
                    self.bad_lines.append(first_line + i + 1)
                    continue
                if isinstance(event, dict):
                    self._events.append(event)
                else:
                    self.bad_lines.append(first_line + i + 1)
            self._line_count = first_line + chunk[:end].count(b"\n")
            self._offset += end
        return self._events


# -- the record format: schema, validation, upgrades -------------------------------------------

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "data" / "attempt.schema.json"

#: Upgrade hook, nbgrader-style: ``UPGRADES[n]`` turns cell metadata at schema_version n into
#: schema_version n + 1. Version 1 is the first, so it is empty; a future v2 adds ``{1: fn}``.
UPGRADES: dict = {}

_validators: dict = {}


def _validator(definition: str):
    """A compiled checker for ``$defs/<definition>``.

    fastjsonschema (an nbformat dependency) rather than jsonschema: importing jsonschema costs
    ~2.5 s here (its format checkers build grammars), which a trainee would feel on the first
    logged attempt; a compiled fastjsonschema check takes ~10 us.
    """
    v = _validators.get(definition)
    if v is None:
        import fastjsonschema

        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        v = fastjsonschema.compile({"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]})
        _validators[definition] = v
    return v


def validate_record(definition: str, record: object, where: str) -> None:
    """Check ``record`` against ``$defs/<definition>`` of the schema; InvalidRecord names the
    record, the field and the bad value."""
    import fastjsonschema

    from .errors import InvalidRecord

    try:
        _validator(definition)(record)
    except fastjsonschema.JsonSchemaValueException as e:
        field = ".".join(str(p) for p in e.path[1:]) or "the record"
        message = e.message.replace(e.name, field, 1) if e.name else e.message
        raise InvalidRecord.bad(definition.replace("_", " "), where,
                                f"{message} (got {e.value!r:.200})") from None


def upgrade_metadata(meta: dict, where: str) -> dict:
    """Bring ``cell.metadata['rupture']`` up to SCHEMA_VERSION through the UPGRADES chain."""
    from .errors import InvalidRecord

    version = meta.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        raise InvalidRecord.bad("cell metadata", where, f"schema_version {version!r} is not "
                                f"understood by this version (up to {SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        if version not in UPGRADES:
            raise InvalidRecord.bad("cell metadata", where, f"no upgrade from schema_version "
                                    f"{version}")
        meta = UPGRADES[version](dict(meta))
        if meta.get("schema_version", version) <= version:
            raise RuntimeError(f"UPGRADES[{version}] did not raise schema_version")
        version = meta["schema_version"]
    return meta


def upgrade_event(event: dict) -> dict:
    """Journal events carry 'v'; upgrade their records with the same hook as cell metadata."""
    version = event.get("v", SCHEMA_VERSION)
    if version == SCHEMA_VERSION or event.get("event") not in ("attempt", "feedback"):
        return event
    if event["event"] == "attempt":
        meta = upgrade_metadata({"kind": "attempt", "schema_version": version,
                                 "attempt": event["attempt"]}, "in the journal")
        return {**event, "v": SCHEMA_VERSION, "attempt": meta["attempt"]}
    fb = event["feedback"]
    meta = upgrade_metadata({"kind": "feedback", "schema_version": version,
                             "attempt_id": fb.get("attempt_id"), "feedback": [fb]},
                            "in the journal")
    return {**event, "v": SCHEMA_VERSION, "feedback": meta["feedback"][0]}


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
