"""Durable files for the workbook: atomic replace, the append-only journal, careful reads.

docs/decisions.md #6: no write may lose someone else's work. Three people can touch one
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
* ``parse_json`` / ``dumps`` - strict JSON both ways, as JupyterLab and browsers read it: no NaN
  or Infinity is ever written, one that was written by an older version reads as null, and JSON
  nested deeper than ``MAX_DEPTH`` is unreadable rather than a RecursionError.
* ``remove_stale_temp_files`` - the temp files of writes that were killed half-way.

Nothing here knows what an attempt is; the workbook package owns the meaning.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

#: Deeper than this is no notebook a person or JupyterLab made; nbformat itself recurses per
#: level and fails near 1,000, and so would every reader after us.
MAX_DEPTH = 100
#: A temp file of ``atomic_write_text`` older than this belongs to a write that was killed.
STALE_TEMP_S = 600.0

#: How long a write waits for another process holding the workbook lock before giving up.
LOCK_TIMEOUT_S = float(os.environ.get("RUPTURE_LOCK_TIMEOUT_S", "60"))


def utc_now() -> str:
    """ISO-8601 UTC timestamp with milliseconds, e.g. '2024-05-01T10:02:03.123Z'."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: errors of os.link that mean "this filesystem or this file cannot be hard-linked here": copy
#: instead (another device, no permission, too many links, no support)
NO_HARD_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES}


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks (recordings can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


class NotJSON(ValueError):
    """Internal: text that strict JSON refuses (reason in args[0])."""


def dumps(value: object, **kw) -> str:
    """JSON text with no NaN or Infinity (``allow_nan=False``): strict readers refuse them."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, **kw)
    except ValueError as e:
        raise NotJSON(f"a value is not a finite number ({e})") from None
    except RecursionError:
        raise NotJSON(f"nested more than {MAX_DEPTH} levels deep") from None


def parse_json(text: str | bytes, repaired: list | None = None) -> object:
    """Parse strict JSON; NaN/Infinity (written by an older version) become None, and each is
    noted in ``repaired``. Raises NotJSON for anything unreadable, deep nesting included."""
    return _parse(text, _decoder(repaired))


def _decoder(repaired: list | None) -> json.JSONDecoder:
    """What ``json.loads(text, parse_constant=...)`` makes on every call, made once for many
    texts (a journal's lines): NaN and Infinity read as None, each noted in ``repaired``."""
    def constant(name: str):
        if repaired is not None:
            repaired.append(name)
        return None

    return json.JSONDecoder(parse_constant=constant)


def _parse(text: str | bytes, decoder: json.JSONDecoder) -> object:
    """``parse_json`` with a decoder from ``_decoder``: what ``json.loads`` does (bytes decoded
    as it detects their encoding, a str's BOM refused), then the depth check."""
    try:
        if isinstance(text, (bytes, bytearray)):
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        elif not isinstance(text, str):
            raise TypeError(f"JSON text must be str or bytes, not {type(text).__name__}")
        elif text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        data = decoder.decode(text)
    except RecursionError:
        raise NotJSON(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise NotJSON(f"not valid JSON: {e}") from None
    if _containers_bound(text) > MAX_DEPTH and _depth_over(data, MAX_DEPTH):
        raise NotJSON(f"nested too deeply (more than {MAX_DEPTH} levels)")
    return data


def _containers_bound(text: str) -> int:
    """At least the nesting depth of ``text``: every object or array opens with '{' or '['
    (strings may hold more of them, which only makes the bound looser). Counted in C, so the
    walk below is skipped for a journal line or any small document, which cannot be deep."""
    return text.count("{") + text.count("[")


def _depth_over(value: object, limit: int) -> bool:
    """Whether ``value`` holds a dict or list more than ``limit`` levels deep (the top is level
    1). Level by level, never recursing, and only containers are kept for the next level."""
    level = [value] if value.__class__ in (dict, list) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        below: list = []
        for v in level:  # json.loads makes plain dicts and lists only
            below += [x for x in (v.values() if v.__class__ is dict else v)
                      if x.__class__ is dict or x.__class__ is list]
        level = below
        depth += 1
    return False


def remove_stale_temp_files(directory: Path, older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Delete temp files ``atomic_write_text`` left in ``directory`` when a write was killed
    (kill -9, power loss). Only old ones: a young one may be a write under way elsewhere."""
    removed, now = [], time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for e in entries:
        if e.name.startswith(".") and e.name.endswith(_TEMP_SUFFIX) and e.is_file(
                follow_symlinks=False):
            with contextlib.suppress(OSError):
                if now - e.stat(follow_symlinks=False).st_mtime > older_than_s:
                    os.unlink(e.path)
                    removed.append(Path(e.path))
    return removed


_TEMP_SUFFIX = ".tmp"


def atomic_write_text(path: Path, text: str, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` so that no reader ever sees a partial file.

    ``durable=False`` skips both fsyncs: still atomic for every reader (a reload, a restarted
    kernel), but a power cut may leave the old file. Only for what may be lost that way (a draft
    saved on every keystroke, where the fsyncs are nearly all of the cost)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            if durable:
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
    if durable:
        fsync_dir(path.parent)


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the cross-process lock ``lock_path`` (a filelock.FileLock) for the block."""
    from filelock import FileLock  # imported here: reads never need it

    with FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S if timeout is None else timeout):
        yield


class UnreadableFile(Exception):
    """Internal: the file exists but is not the JSON we expected (reason in args[0])."""


def read_notebook_json(path: Path, retries: int = 5, wait_s: float = 0.03,
                       repaired: list | None = None) -> dict | None:
    """Parse ``path`` as a notebook-shaped JSON object; None if the file does not exist.

    Retries a failed parse a few times because JupyterLab may be half-way through rewriting the
    file in place; raises UnreadableFile when it stays unreadable. Non-finite numbers read as
    None and are noted in ``repaired``.
    """
    reason = ""
    for attempt in range(retries + 1):
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = parse_json(raw.decode("utf-8"), repaired)
        except (UnicodeDecodeError, NotJSON) as e:
            reason = str(e) if isinstance(e, NotJSON) else f"not valid JSON: {e}"
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
        self.repaired: list[str] = []  # NaN/Infinity an older version wrote, read as None
        self._digest = hashlib.sha256()  # of the bytes read so far: what the events came from

    def read_through(self) -> tuple[int, str, bool]:
        """How many bytes of the file the events were read from, their SHA-256, and whether
        every line of them was read as it is (none unreadable, no number repaired): what a
        notebook written from these events reflects (``workbook.reflected``)."""
        return (self._offset, self._digest.hexdigest(),
                not self.bad_lines and not self.repaired)

    def append(self, event: dict) -> None:
        """Append one event and fsync it. Call under the workbook lock."""
        line = dumps(event, separators=(",", ":"), sort_keys=True)
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
            decoder = _decoder(self.repaired)
            for i, raw in enumerate(chunk[:end].split(b"\n")):
                if not raw.strip():
                    continue
                try:
                    event = _parse(raw, decoder)
                except NotJSON:
                    self.bad_lines.append(first_line + i + 1)
                    continue
                if isinstance(event, dict):
                    self._events.append(event)
                else:
                    self.bad_lines.append(first_line + i + 1)
            self._line_count = first_line + chunk[:end].count(b"\n")
            self._offset += end
            self._digest.update(memoryview(chunk)[:end])
        return self._events
