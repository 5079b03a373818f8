"""Stable pseudonyms for people and records: a keyed hash, its key kept outside any export.

A pseudonym is HMAC-SHA256(key, kind + NUL + id), its first 16 hex digits (64 bits: two of
100,000 people share one with odds of about 3 in 10 billion; a clash is refused, never
written), after a prefix: ``p-`` for a person, ``a-`` for an attempt, ``r-`` for a review.
Trainees and reviewers share the ``p-`` kind on purpose: their ids are derived from names the
same way (workbook/names.py), so a peer who practises and reviews is one pseudonym in both
roles. Without the key nobody can recompute a pseudonym from an id (a plain hash of a name
could be found by hashing a list of names); with it, the same ids always give the same
pseudonyms, so exports made months apart join.

The key: 32 random bytes (``secrets.token_bytes``), written as hex on first use to
``<workspace>/research/pseudonym.key`` (or ``--key FILE``), the file 0600 and its folder 0700.
It lives with the workspace because it unlocks nothing the workspace does not already show, and
is backed up with it; it is never written into an export.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from ..errors import ResearchError

KEY_BYTES = 32
KEY_FOLDER, KEY_FILE = "research", "pseudonym.key"
PREFIXES = {"person": "p-", "attempt": "a-", "review": "r-"}
DIGITS = 16


def default_key_path(workspace_root: Path) -> Path:
    return Path(workspace_root) / KEY_FOLDER / KEY_FILE


def load_or_create_key(path: Path) -> tuple[bytes, bool]:
    """The key in ``path`` and whether it was created now. Two exports started at once get the
    same key: the file is created exclusively, and the loser reads the winner's."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _read_key(path), False
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        return key, True
    return _read_key(path), False


def _read_key(path: Path) -> bytes:
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ResearchError(f"The pseudonym key {path} can be read by other users "
                            f"(mode {stat.filemode(mode)}); anyone with it can link pseudonyms "
                            f"to ids. Make it private (chmod 600 {path}) and run again.")
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise ResearchError(f"The pseudonym key {path} is not a key this tool wrote (64 hex "
                            "digits). Restore the original to keep the pseudonyms of earlier "
                            "exports, or give another file with --key.") from None
    if len(key) < KEY_BYTES:
        raise ResearchError(f"The pseudonym key {path} holds {len(key)} bytes; a key needs "
                            f"{KEY_BYTES} or more.")
    return key


class Pseudonyms:
    """Ids -> pseudonyms under one key."""

    def __init__(self, key: bytes):
        if not isinstance(key, bytes) or len(key) < KEY_BYTES:
            raise ResearchError(f"A pseudonym key must be at least {KEY_BYTES} bytes.")
        self._key = key

    def of(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}\0{value}".encode(), hashlib.sha256)
        return PREFIXES[kind] + digest.hexdigest()[:DIGITS]

    def key_id(self) -> str:
        """Names the key without revealing it: two exports with the same key id join."""
        return hmac.new(self._key, b"key id", hashlib.sha256).hexdigest()[:8]

    def mapping(self, kind: str, values) -> dict[str, str]:
        """``{value: pseudonym}`` for distinct ``values``; a clash of two pseudonyms raises."""
        out = {v: self.of(kind, v) for v in dict.fromkeys(values)}
        if len(set(out.values())) != len(out):
            raise ResearchError("Two ids were given the same pseudonym (a 1 in 10^10 event); "
                                "nothing was written. Run again with a new key (--key NEWFILE).")
        return out
