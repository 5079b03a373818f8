"""AnswerPlayer: one of the trainee's recordings, played through the kernel, with time and seek.

Recordings are private (docs/decisions.md #7): they are never given a URL. The file goes to the
browser in pieces, the next only when the browser acknowledges the last, each transfer under a
token so a newer load replaces one still in flight. The first piece is small
(``FIRST_PIECE_BYTES``), the others ``PLAYBACK_PART_BYTES``: the browser feeds them to the video
as they arrive (Media Source Extensions, static/answer_stream.js), so a long answer starts
playing at once; where it cannot stream, it plays one Blob URL of every piece. It reports where
it is (``current_time``, ``playing``, ``duration``, ``loaded``); :meth:`seek`, :meth:`play` and
:meth:`pause` are messages to it.

The caller decides which file may be played: check it is the trainee's own first
(``Workbook.owns_recording``), as ``Recorder.play_attempt`` does.

Message protocol (browser -> kernel, ``kind``): ``ready`` {view} when a view is shown,
``piece-ack`` {part, token, view}, ``loaded`` {load, duration, view}. Kernel -> browser:
``piece`` {part, parts, token, mime_type, to, start_at, load} + one buffer, ``seek`` {seconds},
``play``, ``pause``, ``clear``. ``to`` lists the views a piece is for (None: every view); ``start_at`` is a
seek asked for before the file was loaded; ``load`` numbers the :meth:`load` calls, so a
``loaded`` report about an older file is ignored.

Why ``ready``: a notebook usually calls :meth:`load` while it runs, before any page shows the
widget (Voilà runs the notebook first, even in a pre-heated kernel), and a custom message sent
then reaches no one. So each view says when it is there, and gets the file then.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Callable

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

from ..errors import RecordingError
from .recorder import PLAYBACK_PART_BYTES

log = logging.getLogger(__name__)
_STATIC = Path(__file__).parent / "static"

#: The first piece is small: the browser streams the pieces into the video as they arrive
#: (static/answer_stream.js), so playing starts once this much is in, not the first 4 MiB.
FIRST_PIECE_BYTES = 256 * 1024


def _pieces(size: int) -> int:
    first = min(FIRST_PIECE_BYTES, PLAYBACK_PART_BYTES)
    return 1 if size <= first else 1 + -(-(size - first) // PLAYBACK_PART_BYTES)


def _span(part: int) -> tuple[int, int]:
    """(offset, length) of one piece."""
    first = min(FIRST_PIECE_BYTES, PLAYBACK_PART_BYTES)
    return (0, first) if part == 0 else (first + (part - 1) * PLAYBACK_PART_BYTES,
                                         PLAYBACK_PART_BYTES)


class AnswerPlayer(anywidget.AnyWidget):
    """A ``<video>`` with native (keyboard-operable) controls for one recorded answer.

    ``current_time``, ``playing``, ``duration`` and ``loaded`` are reports from the browser:
    setting them here does not move the video (use :meth:`seek`, :meth:`play`, :meth:`pause`).
    """

    #: the browser side, two files joined into the one ES module anywidget loads
    _esm = "\n".join((_STATIC / name).read_text(encoding="utf-8")
                      for name in ("answer_stream.js", "answer_player.js"))
    _css = _STATIC / "answer_player.css"

    label = t.Unicode("Your recorded answer", help="The video's accessible name (aria-label)."
                      ).tag(sync=True)
    current_time = t.Float(0.0, help="Where the video is, in seconds (set by the browser: about "
                           "4 times a second while playing, and on pause and after a seek)."
                           ).tag(sync=True)
    duration = t.Float(None, allow_none=True, help="The recording's length in seconds, once the "
                       "browser has read it; None before, or when the file does not say.",
                       ).tag(sync=True)
    playing = t.Bool(False, help="True while the video plays (set by the browser)."
                     ).tag(sync=True)
    loaded = t.Bool(False, help="True once the browser has the whole file and can play it; "
                    "False again when another file is loaded.").tag(sync=True)

    @t.validate("current_time")
    def _valid_time(self, proposal):
        value = proposal["value"]
        if not math.isfinite(value) or value < 0:
            raise t.TraitError(f"current_time must be a finite number >= 0, got {value!r}")
        return value

    def __init__(self, label: str = "Your recorded answer", **kwargs):
        super().__init__(label=label, **kwargs)
        self._source = None     # (path, parts, mime_type) of the file loaded last
        self._transfer = None   # the transfer in flight: token, sent, to
        self._token = 0
        self._start_at = None   # a seek asked for before the browser had the file
        self._loads = 0         # which load() a view's "loaded" report is about
        self._time_callbacks = CallbackDispatcher()
        self.observe(lambda change: self._time_callbacks(change["new"]), "current_time")
        self.on_msg(self._handle_message)

    # -- what the app calls -------------------------------------------------------------------
    def load(self, path: Path | str, mime_type: str = "video/webm",
             label: str | None = None) -> None:
        """Send the file at ``path`` to every view, replacing whatever was loaded or loading."""
        path = Path(path)
        if not path.is_file():
            raise RecordingError(f"The recording {path} cannot be played: there is no such file. "
                                 "It may have been moved or deleted; record the answer again.")
        size = path.stat().st_size
        if size == 0:
            raise RecordingError(f"The recording {path} cannot be played: the file is empty.")
        parts = _pieces(size)
        self._source = (path, parts, mime_type)
        self._start_at = None
        self._loads += 1
        with self.hold_sync():
            if label is not None:
                self.label = label
            self.loaded, self.playing, self.duration, self.current_time = False, False, None, 0.0
        self._begin(to=None)

    def seek(self, seconds: float) -> None:
        """Move the video to ``seconds`` (clamped to 0 and, once known, the duration)."""
        seconds = float(seconds)
        if math.isnan(seconds):
            raise ValueError("seek() needs a number of seconds, got NaN")
        seconds = max(0.0, seconds)
        if self.duration is not None:
            seconds = min(seconds, self.duration)
        if not self.loaded:  # a view still loading (or not yet shown) applies it once loaded
            self._start_at = seconds
        self.send({"kind": "seek", "seconds": seconds})

    def play(self) -> None:
        """Ask the browser to play (a browser may refuse to autoplay sound without a click)."""
        self.send({"kind": "play"})

    def pause(self) -> None:
        self.send({"kind": "pause"})

    def clear(self) -> None:
        """Drop the recording (e.g. it was deleted): the transfer stops and every view lets go
        of its copy."""
        self._source, self._transfer, self._start_at = None, None, None
        with self.hold_sync():
            self.loaded, self.playing, self.duration, self.current_time = False, False, None, 0.0
        self.send({"kind": "clear"})

    def on_time(self, callback: Callable[[float], None], remove: bool = False) -> None:
        """``callback(seconds)`` whenever the browser reports a new ``current_time``."""
        self._time_callbacks.register_callback(callback, remove=remove)

    # -- sending the file -----------------------------------------------------------------------
    def _begin(self, to: list[str] | None) -> None:
        """Start a transfer from piece 0 under a new token (any older one stops there)."""
        self._token += 1
        self._transfer = {"token": self._token, "sent": -1, "to": to}
        self._send_piece(0)

    def _send_piece(self, part: int) -> None:
        tr, source = self._transfer, self._source
        if tr is None or source is None or part >= source[1]:
            self._transfer = None
            return
        path, parts, mime_type = source
        try:
            offset, length = _span(part)
            with open(path, "rb") as f:
                f.seek(offset)
                piece = f.read(length)
        except OSError as e:  # deleted or unreadable mid-way: stop; the page keeps what it had
            log.warning("answer player: %s could not be read (%s)", path, e)
            self._transfer = None
            return
        tr["sent"] = part
        if part == parts - 1:  # the browser does not ack the last piece: nothing more to send
            self._transfer = None
        self.send({"kind": "piece", "part": part, "parts": parts, "token": tr["token"],
                   "mime_type": mime_type, "to": tr["to"], "start_at": self._start_at,
                   "load": self._loads},
                  buffers=[piece])

    # -- browser messages -----------------------------------------------------------------------
    def _handle_message(self, _widget, content, _buffers) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        tr = self._transfer
        if kind == "piece-ack":
            # every view it was sent to acks; only the first ack of a piece counts
            if tr and content.get("token") == tr["token"] and content.get("part") == tr["sent"]:
                self._send_piece(tr["sent"] + 1)
        elif kind == "ready" and self._source is not None:
            view = content.get("view")
            if tr is None:  # the others have the file already: send it to this view only
                self._begin(to=[view])
            elif tr["to"] is not None:  # this view missed piece 0: start again, for it too
                self._begin(to=[*tr["to"], view])
            else:  # a transfer to every view is under way: start it again, now including it
                self._begin(to=None)
        elif kind == "loaded" and content.get("load") == self._loads:  # not an older file's
            duration = content.get("duration")
            ok = isinstance(duration, (int, float)) and math.isfinite(duration) and duration > 0
            self._start_at = None
            with self.hold_sync():
                self.duration = float(duration) if ok else None
                self.loaded = True
