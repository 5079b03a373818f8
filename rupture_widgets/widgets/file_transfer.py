"""FileDownload and FileUpload: a file from the kernel saved by the browser, and one chosen in
the browser handed to the kernel, both in pieces.

A file can be far larger than one websocket message may be (tornado's default is 10 MiB, which
a Binder server keeps; a larger message is dropped without a word: docs/decisions.md #1), so
either way it travels as binary buffers of ``PIECE_BYTES``, at most ``WINDOW`` of them not yet
acknowledged: memory on both sides stays at a few pieces, not the whole file, until the browser
makes the Blob. Nothing leaves the host: the browser saves the Blob itself (an object URL and an
``<a download>``), and reads the chosen file from the disk with ``File.slice``.

Each widget draws its own button (static/file_download.js, static/file_upload.js), with the
page's button classes, so that it is the click on the page that starts the transfer.

FileDownload protocol (browser -> kernel, ``kind``): ``request`` (the button), ``ack`` {id,
index}, ``saved`` {id, size}, ``failed`` {id, message}. Kernel -> browser: ``begin`` {id, name,
size, pieces, mime_type}, ``piece`` {id, index} + one buffer, ``cancel`` {id}.

FileUpload protocol (browser -> kernel): ``begin`` {id, name, size}, ``piece`` {id, index} + one
buffer, ``end`` {id}, ``unreadable`` {id, message} (the browser could not read the file). Kernel -> browser: ``ack`` {id, index}, ``refused`` {id, message},
``received`` {id}.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

log = logging.getLogger(__name__)
_STATIC = Path(__file__).parent / "static"
#: well under any websocket cap a server may keep (tornado's 10 MiB)
PIECE_BYTES = 1024 * 1024
#: pieces sent before the first acknowledgement: the link stays busy, memory stays small
WINDOW = 4
#: the largest file FileUpload takes unless told otherwise (a workshop's answers fit easily)
UPLOAD_MAX_BYTES = 4 * 1024 ** 3


class _Transfer(anywidget.AnyWidget):
    label = t.Unicode(help="The button's text (and accessible name).").tag(sync=True)
    busy = t.Bool(False, help="True while the kernel works: the button waits.").tag(sync=True)
    disabled = t.Bool(False).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._count = 0
        self.on_msg(self._message)

    def _next_id(self) -> str:
        self._count += 1
        return f"t{self._count}"

    def _message(self, _widget, content, buffers) -> None:
        if isinstance(content, dict) and isinstance(content.get("kind"), str):
            getattr(self, f"_on_{content['kind'].replace('-', '_')}", lambda *_: None)(
                content, buffers)


class FileDownload(_Transfer):
    """A "Download" button: ``on_request(callback())`` is called when it is pressed, and the
    callback (or anyone) calls :meth:`send_file`; ``on_saved(callback(name, size))`` once the
    browser has the whole file and has saved it."""

    _esm = _STATIC / "file_download.js"
    label = t.Unicode("Download").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._requested, self._saved, self._failed = (CallbackDispatcher(), CallbackDispatcher(),
                                                      CallbackDispatcher())
        self._out: dict | None = None

    def on_request(self, callback: Callable[[], None]) -> None:
        self._requested.register_callback(callback)

    def on_saved(self, callback: Callable[[str, int], None]) -> None:
        self._saved.register_callback(callback)

    def on_failed(self, callback: Callable[[str], None]) -> None:
        """``callback(message)`` when the browser could not put the file together."""
        self._failed.register_callback(callback)

    def send_file(self, name: str, file: BinaryIO, *, mime_type: str = "application/zip"
                  ) -> None:
        """Send ``file`` (a binary file object, read from its start; closed when done) to be
        saved as ``name``. A transfer still under way is cancelled."""
        self._close()
        file.seek(0, os.SEEK_END)
        size = file.tell()
        pieces = max(1, -(-size // PIECE_BYTES))
        self._out = {"id": self._next_id(), "file": file, "pieces": pieces, "sent": 0}
        self.send({"kind": "begin", "id": self._out["id"], "name": name, "size": size,
                   "pieces": pieces, "mime_type": mime_type})
        for _ in range(WINDOW):
            self._send_piece()

    def _send_piece(self) -> None:
        out = self._out
        if out is None or out["sent"] >= out["pieces"]:
            return
        index = out["sent"]
        out["file"].seek(index * PIECE_BYTES)
        data = out["file"].read(PIECE_BYTES)
        out["sent"] += 1
        self.send({"kind": "piece", "id": out["id"], "index": index}, [data])

    def _close(self) -> None:
        if self._out is not None:
            self._out["file"].close()
            self._out = None

    def _current(self, content) -> bool:
        return self._out is not None and content.get("id") == self._out["id"]

    def _on_request(self, content, _buffers) -> None:
        if not self.busy and not self.disabled:
            self._requested()

    def _on_ack(self, content, _buffers) -> None:
        if self._current(content):
            self._send_piece()

    def _on_saved(self, content, _buffers) -> None:
        if self._current(content):
            self._close()
            self._saved(content.get("name", ""), int(content.get("size") or 0))

    def _on_failed(self, content, _buffers) -> None:
        if self._current(content):
            self._close()
            self._failed(str(content.get("message", ""))[:300])


class FileUpload(_Transfer):
    """A button that opens the browser's file chooser; the chosen file arrives in pieces into a
    temporary file, and ``on_received(callback(name, path))`` is called with it (the file is
    deleted when the callback returns). ``on_refused(callback(message))`` for a file that cannot
    be taken (too large, cut off)."""

    _esm = _STATIC / "file_upload.js"
    label = t.Unicode("Upload").tag(sync=True)
    accept = t.Unicode("", help="The file chooser's accept list, e.g. '.zip,application/zip'."
                       ).tag(sync=True)

    def __init__(self, *, max_bytes: int = UPLOAD_MAX_BYTES, **kwargs):
        super().__init__(**kwargs)
        self.max_bytes = max_bytes
        self._received, self._refused = CallbackDispatcher(), CallbackDispatcher()
        self._in: dict | None = None

    def on_received(self, callback: Callable[[str, Path], None]) -> None:
        self._received.register_callback(callback)

    def on_refused(self, callback: Callable[[str], None]) -> None:
        self._refused.register_callback(callback)

    def _refuse(self, upload_id, message: str) -> None:
        self._discard()
        self.send({"kind": "refused", "id": upload_id, "message": message})
        self._refused(message)

    def _discard(self) -> None:
        if self._in is not None:
            self._in["file"].close()
            shutil.rmtree(self._in["dir"], ignore_errors=True)
            self._in = None

    def _on_begin(self, content, _buffers) -> None:
        self._discard()  # a new choice replaces one still arriving
        size, name = content.get("size"), str(content.get("name") or "upload")[:200]
        if not isinstance(size, int) or size < 0:
            return
        if size > self.max_bytes:
            self._refuse(content.get("id"), f"{name} is {size / 1e6:,.0f} MB, more than the "
                         f"{self.max_bytes / 1e6:,.0f} MB this app takes in one file.")
            return
        folder = Path(tempfile.mkdtemp(prefix="rupture-upload-"))
        self._in = {"id": content.get("id"), "name": name, "size": size, "dir": folder,
                    "file": open(folder / "upload", "wb"), "next": 0, "got": 0}

    def _on_piece(self, content, buffers) -> None:
        up = self._in
        if up is None or content.get("id") != up["id"] or not buffers:
            return
        if content.get("index") != up["next"] or up["got"] + len(buffers[0]) > up["size"]:
            self._refuse(up["id"], f"{up['name']} did not arrive whole (a piece came out of "
                         "order or too long); choose it again.")
            return
        up["file"].write(buffers[0])
        up["got"] += len(buffers[0])
        up["next"] += 1
        self.send({"kind": "ack", "id": up["id"], "index": content["index"]})

    def _on_unreadable(self, content, _buffers) -> None:
        up = self._in
        if up is not None and content.get("id") == up["id"]:
            self._refuse(up["id"], f"{up['name']} could not be read from your disk "
                         f"({str(content.get('message', ''))[:200]}); choose it again.")

    def _on_end(self, content, _buffers) -> None:
        up = self._in
        if up is None or content.get("id") != up["id"]:
            return
        if up["got"] != up["size"]:
            self._refuse(up["id"], f"{up['name']} did not arrive whole ({up['got']:,} of "
                         f"{up['size']:,} bytes); choose it again.")
            return
        up["file"].close()
        self.send({"kind": "received", "id": up["id"]})
        try:
            self._received(up["name"], up["dir"] / "upload")
        finally:
            self._discard()
