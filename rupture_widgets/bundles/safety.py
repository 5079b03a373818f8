"""The checks a zip must pass before anything in it is believed: names, entry types, sizes.

A bundle comes from someone else's machine (a trainee's download, a file passed around), so it
is read as hostile until shown otherwise (docs/decisions.md #32):

- every entry name is a plain relative path: no absolute path, drive letter, backslash, '..',
  empty or '.' part, control character; no two names the same (also after case folding and
  Unicode normalisation, which would collide on macOS or Windows);
- every entry is a regular file (the Unix mode in the external attributes: no symbolic link,
  device or fifo), not encrypted, stored or deflated;
- the sizes it declares fit ``Limits`` (entries, total, compression ratio), and reading stops
  the moment an entry gives more bytes than it declared (``read_entry``), so a lying header
  cannot make it decompress more than the limits allow.
"""
from __future__ import annotations

import contextlib
import hashlib
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Unsafe(ValueError):
    """Internal: a zip that must not be imported (reason in args[0], worded for the message)."""


@dataclass(frozen=True)
class Limits:
    """What a bundle may declare. A trainee's whole workshop is far below these: a 2-minute
    answer is ~40 MB, a 400-attempt notebook a few MB (docs/bundles.md)."""
    max_total_bytes: int = 4 << 30     # everything, uncompressed
    max_entries: int = 10_000
    max_ratio: float = 100.0           # uncompressed / compressed, per entry
    ratio_floor_bytes: int = 1 << 20   # small files may compress further (JSON of zeros)
    max_text_bytes: int = 64 << 20     # one notebook, journal or return, read into memory
    max_manifest_bytes: int = 16 << 20


def check_entries(zf: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """The zip's file entries by name, once every entry passed the checks above; Unsafe names
    the first problem. Folder entries (a zip made by hand) are checked, then left out."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise Unsafe(f"it has {len(infos):,} entries, more than the {limits.max_entries:,} a "
                     "bundle may have (a zip bomb, or not a bundle)")
    files: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        _check_name(name, info.orig_filename)
        key = unicodedata.normalize("NFC", name).casefold()
        if key in folded:
            raise Unsafe(f"it holds the name {name!r} twice (a duplicate entry)")
        folded.add(key)
        _check_type(info)
        if name.endswith("/"):
            if info.file_size:
                raise Unsafe(f"its folder entry {name!r} has content")
            continue
        _check_size(info, limits)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise Unsafe(f"it would unpack to more than {limits.max_total_bytes:,} bytes, the "
                         "limit for a bundle (a zip bomb?)")
        files[name] = info
    return files


def _check_name(name: str, original: str) -> None:
    shown = repr(original)
    if "\x00" in original or _CONTROL.search(name):
        raise Unsafe(f"the entry name {shown} holds control characters")
    if name.startswith("/") or original.startswith(("/", "\\")):
        raise Unsafe(f"the entry {shown} is an absolute path, which would write outside the "
                     "workspace")
    if _DRIVE.match(name):
        raise Unsafe(f"the entry {shown} names a drive, which would write outside the workspace")
    if "\\" in original:
        raise Unsafe(f"the entry {shown} holds a backslash (a Windows path)")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        raise Unsafe(f"the entry {shown} leads out of its folder with '..', which would write "
                     "outside the workspace")
    if any(p in ("", ".") for p in parts):
        raise Unsafe(f"the entry {shown} is not a plain relative path")


def _check_type(info: zipfile.ZipInfo) -> None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise Unsafe(f"the entry {info.filename!r} is a symbolic link, which could lead "
                     "outside the workspace")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise Unsafe(f"the entry {info.filename!r} is not a regular file")
    if info.flag_bits & 0x1:
        raise Unsafe(f"the entry {info.filename!r} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Unsafe(f"the entry {info.filename!r} uses a compression method bundles never use")


def _check_size(info: zipfile.ZipInfo, limits: Limits) -> None:
    size, packed = info.file_size, info.compress_size
    if size > limits.ratio_floor_bytes and (packed == 0 or size / packed > limits.max_ratio):
        ratio = size / packed if packed else float("inf")
        raise Unsafe(f"the entry {info.filename!r} would unpack {ratio:,.0f} times larger than "
                     f"it is stored (more than {limits.max_ratio:,.0f}: a zip bomb?)")


#: What the zipfile module raises on bytes it cannot make sense of (a damaged header can give
#: a negative offset, an impossible size, an undecodable name), beside BadZipFile itself.
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OverflowError, struct.error,
              NotImplementedError, RuntimeError)


@contextlib.contextmanager
def _damage_refused(name: str):
    try:
        yield
    except ZIP_DAMAGE as e:
        raise Unsafe(f"the entry {name!r} is damaged ({e})") from None


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sink=None, keep: bool = False
               ) -> tuple[str, int, bytes | None]:
    """Read an entry: (SHA-256, size, the bytes if ``keep``), each chunk given to ``sink``.
    Stops as soon as it yields more than its header declared; a damaged entry (CRC, deflate
    stream) is Unsafe too."""
    h, n, kept = hashlib.sha256(), 0, []
    with _damage_refused(info.filename):
        f = zf.open(info)
    with f:
        while True:
            with _damage_refused(info.filename):
                chunk = f.read(_CHUNK)
            if not chunk:
                break
            n += len(chunk)
            if n > info.file_size:
                raise Unsafe(f"the entry {info.filename!r} unpacks to more than the "
                             f"{info.file_size:,} bytes it declares (a zip bomb?)")
            h.update(chunk)
            if sink is not None:  # outside the catch: a full disk is not a damaged bundle
                sink(chunk)
            if keep:
                kept.append(chunk)
    if n != info.file_size:
        raise Unsafe(f"the entry {info.filename!r} unpacks to {n:,} bytes, not the "
                     f"{info.file_size:,} it declares")
    return h.hexdigest(), n, b"".join(kept) if keep else None
