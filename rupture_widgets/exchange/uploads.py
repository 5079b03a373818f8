"""Recordings arriving at the exchange service: chunked, size-limited, checksummed.

A trainee's kernel declares an upload (attempt id, size, SHA-256), then puts its chunks in
order, each at the offset the service expects; only a file that is complete and whose SHA-256
matches the declared one is ever used. Uploads live in ``<exchange>/uploads/<trainee>/``,
0700 like the rest, named by a random id the service gives: a caller can only name uploads of
their own (the folder is theirs), and a guessed id of someone else's is not in it.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path

from ..errors import ExchangeRefused
from ..storage import file_sha256
from ..workbook import check_record_id, check_trainee_id

UPLOADS = "uploads"
#: An upload not finished within this long is abandoned (a closed tab, a lost network).
STALE_S = 3600
#: At most this many unfinished uploads per trainee: a loop cannot fill the disk.
MAX_OPEN = 8
_HEX64 = frozenset("0123456789abcdef")


class Uploads:
    def __init__(self, root: Path, max_bytes: int):
        self.root, self.max_bytes = Path(root), int(max_bytes)

    def _folder(self, trainee: str) -> Path:
        folder = self.root / UPLOADS / check_trainee_id(trainee)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def _paths(self, trainee: str, upload_id: str) -> tuple[Path, Path]:
        if not (isinstance(upload_id, str) and len(upload_id) == 32
                and set(upload_id) <= _HEX64):
            raise ExchangeRefused.answered(404, "There is no such upload.")
        folder = self._folder(trainee)
        return folder / f"{upload_id}.part", folder / f"{upload_id}.json"

    def start(self, trainee: str, attempt_id: str, size: int, sha256: str) -> str:
        check_record_id(attempt_id)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ExchangeRefused.answered(400, "An upload needs the recording's size in bytes.")
        if size > self.max_bytes:
            raise ExchangeRefused.answered(
                413, f"This recording is {size / 1e6:.0f} MB; the exchange takes recordings of "
                     f"up to {self.max_bytes / 1e6:.0f} MB. Record a shorter answer.")
        if not (isinstance(sha256, str) and len(sha256) == 64 and set(sha256) <= _HEX64):
            raise ExchangeRefused.answered(400, "An upload needs the recording's SHA-256.")
        self._sweep(trainee)
        upload_id = secrets.token_hex(16)
        part, meta = self._paths(trainee, upload_id)
        meta.write_text(f'{{"attempt_id": "{attempt_id}", "size": {size}, '
                        f'"sha256": "{sha256}"}}')
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        return upload_id

    def put(self, trainee: str, upload_id: str, offset: int, data: bytes) -> int:
        """Append ``data`` at ``offset``; returns the bytes received so far."""
        part, meta = self._paths(trainee, upload_id)
        info = self._info(meta)
        have = part.stat().st_size
        if offset != have:
            raise ExchangeRefused.answered(
                409, f"This upload has {have} bytes; a chunk at {offset} does not follow on.")
        if have + len(data) > info["size"]:
            raise ExchangeRefused.answered(413, "The chunk goes past the recording's size.")
        with open(part, "ab") as f:
            f.write(data)
        return have + len(data)

    def finish(self, trainee: str, upload_id: str, attempt_id: str) -> Path:
        """The complete, checked file (still in the uploads folder; the caller moves it)."""
        part, meta = self._paths(trainee, upload_id)
        info = self._info(meta)
        if info["attempt_id"] != attempt_id:
            raise ExchangeRefused.answered(400, "This upload is of another attempt.")
        if part.stat().st_size != info["size"]:
            raise ExchangeRefused.answered(
                409, f"The recording arrived incomplete ({part.stat().st_size} of "
                     f"{info['size']} bytes); nothing was sent. Try sending again.")
        if file_sha256(part) != info["sha256"]:
            self.discard(trainee, upload_id)
            raise ExchangeRefused.answered(
                422, "The recording arrived damaged (its checksum does not match); nothing was "
                     "sent. Try sending again.")
        return part

    def discard(self, trainee: str, upload_id: str) -> None:
        for p in self._paths(trainee, upload_id):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()

    def _info(self, meta: Path) -> dict:
        import json

        try:
            return json.loads(meta.read_text())
        except FileNotFoundError:
            raise ExchangeRefused.answered(404, "There is no such upload.") from None

    def _sweep(self, trainee: str) -> None:
        folder = self._folder(trainee)
        metas = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        now = time.time()
        for i, meta in enumerate(metas):
            if now - meta.stat().st_mtime > STALE_S or len(metas) - i >= MAX_OPEN:
                self.discard(trainee, meta.stem)

