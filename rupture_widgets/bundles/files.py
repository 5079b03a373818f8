"""Files a bundle writes: always new, never over another file, never half-written.

A temp file beside the target (named so the store's tidy-up, ``storage.remove_stale_temp_files``,
removes it if the process is killed), filled, fsynced, checked, then hard-linked to the target
name: the link fails if the name exists, so two imports at once, or an app writing the same
recording, can never replace one another's file. Where the filesystem has no hard links the
temp file is renamed after a last look that the name is still free.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from ..storage import NO_HARD_LINK, file_sha256, fsync_dir




def same_file(path: Path, sha256: str) -> bool:
    """Whether ``path`` is a regular file (not a link) holding exactly these bytes."""
    try:
        if not os.path.isfile(path) or os.path.islink(path):
            return False
        return file_sha256(path) == sha256
    except OSError:
        return False


def make_folders(base: Path, parts: tuple) -> Path:
    """``base/parts...``, each missing folder made 0700 (only its owner may read it: the
    exchange's rule, kept for everything a bundle brings)."""
    path = Path(base)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    for part in parts:
        path = path / part
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
    return path


def write_new(target: Path, fill: Callable[[BinaryIO], str], expect_sha256: str | None = None
              ) -> bool:
    """Create ``target`` with what ``fill(file)`` writes (it returns the SHA-256 of it). False
    when the name was taken meanwhile (nothing replaced). A fill whose checksum is not
    ``expect_sha256`` leaves nothing behind and raises ValueError."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            got = fill(f)
            f.flush()
            os.fsync(f.fileno())
        if expect_sha256 is not None and got != expect_sha256:
            raise ValueError(f"{target.name}: the bytes written do not match the checksum")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError as e:
            if e.errno not in NO_HARD_LINK:
                raise
            if os.path.lexists(target):
                return False
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    fsync_dir(target.parent)
    return True


def link_new(source: Path, target: Path) -> bool:
    """``target`` as a hard link of ``source`` (the exchange's way: a recording sent is the
    trainee's own file, not a copy); False when the filesystem cannot link or the name is
    taken (the caller then writes the bytes, or finds them there)."""
    try:
        os.link(source, target)
    except OSError:
        return False
    fsync_dir(target.parent)
    return True
