"""ClipPlayer: a client clip played by URL from the server's file route, never through the kernel."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

from .served import served_path

_STATIC = Path(__file__).parent / "static"


class ClipPlayer(anywidget.AnyWidget):
    """Plays one clip with poster and WebVTT captions; reports when it started and ended.

    ``src``, ``poster`` and ``captions`` are paths relative to the Jupyter server's root folder
    (Voilà serves them at ``{base}voila/files/<path>``, JupyterLab at ``{base}files/<path>``).
    Build one from a catalog clip with :meth:`for_clip`.
    """

    # the files-route URL is shared with ClipGrid (served_url.js), joined into one module
    _esm = "\n".join((_STATIC / name).read_text(encoding="utf-8")
                     for name in ("served_url.js", "clip_player.js"))
    _css = _STATIC / "clip_player.css"

    src = t.Unicode("", help="Clip media path relative to the server root, e.g. "
                    "'clips/media/c3-beginner-maya.mp4'.").tag(sync=True)
    poster = t.Unicode("", help="Poster image path relative to the server root ('' for none)."
                       ).tag(sync=True)
    captions = t.Unicode("", help="WebVTT captions path relative to the server root ('' for none)."
                         ).tag(sync=True)
    captions_on = t.Bool(True, help="Whether captions are shown.").tag(sync=True)
    title = t.Unicode("", help="The clip's title: the player's accessible name.").tag(sync=True)
    files_url = t.Unicode("", help="URL prefix for the paths above; '' detects Voilà's or "
                          "JupyterLab's file route from the page.").tag(sync=True)
    playing = t.Bool(False, help="True while the clip plays (set by the browser)."
                     ).tag(sync=True)
    started_at_ms = t.Float(0.0, help="Page clock (ms since the epoch) when playback last "
                            "started from the beginning; 0 before the first play.").tag(sync=True)
    ended_at_ms = t.Float(0.0, help="Page clock (ms since the epoch) when the clip last played "
                          "to its end; 0 before that.").tag(sync=True)
    plays = t.Int(0, help="How many times the clip has been played to the end.").tag(sync=True)
    error = t.Unicode("", help="Why the clip could not be played, in plain words ('' if it can)."
                      ).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._started = CallbackDispatcher()
        self._ended = CallbackDispatcher()
        self.on_msg(self._handle_message)

    @classmethod
    def for_clip(cls, clip, root: Path | str | None = None, **kwargs) -> "ClipPlayer":
        """A player for a catalog ``Clip`` (its files must lie under the served root)."""
        player = cls(**kwargs)
        player.show_clip(clip, root)
        return player

    def show_clip(self, clip, root: Path | str | None = None) -> None:
        """Switch to another catalog clip; resets the start/end report."""
        def rel(p):
            return served_path(p, root) if p else ""
        with self.hold_sync():
            self.src = rel(clip.media_path)
            self.poster = rel(getattr(clip, "poster_path", None))
            self.captions = rel(getattr(clip, "captions_path", None))
            self.title = clip.title
            self.started_at_ms = 0.0
            self.ended_at_ms = 0.0
            self.plays = 0
            self.error = ""

    def play(self, from_start: bool = False) -> None:
        """Ask the browser to play (a page may still refuse autoplay with sound)."""
        self.send({"kind": "play", "from_start": from_start})

    def pause(self) -> None:
        self.send({"kind": "pause"})

    def on_started(self, callback: Callable[[float], None], remove: bool = False) -> None:
        """``callback(at_ms)`` when the clip starts playing from the beginning."""
        self._started.register_callback(callback, remove=remove)

    def on_ended(self, callback: Callable[[float], None], remove: bool = False) -> None:
        """``callback(at_ms)`` when the clip has played to its end."""
        self._ended.register_callback(callback, remove=remove)

    def _handle_message(self, _widget, content, _buffers) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        at_ms = float(content.get("at_ms") or 0) if kind else 0.0
        if kind == "started":
            self._started(at_ms)
        elif kind == "ended":
            self._ended(at_ms)
