"""ClipGrid: the clip library as poster cards, grouped by level, with one recommended clip.

One widget for the whole library (static/clip_grid.js) instead of three ipywidgets a card: the
library opens faster and each card can be what a trainee expects (poster, title, marker, level,
length, how often practised, feedback waiting, one "Practise" button). Posters come from the
server's file route like the clips themselves (docs/decisions.md #4).

Message protocol (browser -> kernel): ``pick`` {clip}.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

_STATIC = Path(__file__).parent / "static"
ESM_PARTS = ("served_url.js", "clip_grid.js")


class ClipGrid(anywidget.AnyWidget):
    """``sections``: ``[{"level", "label", "cards": [card, …]}]``; a card is a dict with
    ``id``, ``title``, ``marker``, ``marker_label``, ``level_label``, ``persona``,
    ``duration_s``, ``practised`` (int), ``new_feedback`` (bool), ``poster`` (served path)
    and ``context``. ``recommended``: ``{"card": card, "reason": str}`` or ``{}``."""

    _esm = "\n".join((_STATIC / name).read_text(encoding="utf-8") for name in ESM_PARTS)
    _css = _STATIC / "clip_grid.css"

    sections = t.List(help="The cards, one section per level.").tag(sync=True)
    recommended = t.Dict(help="The clip recommended next and why ({} for none).").tag(sync=True)
    files_url = t.Unicode("", help="URL prefix for posters; '' detects Voilà or JupyterLab."
                          ).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._picked = CallbackDispatcher()
        self.on_msg(self._handle_message)

    def on_pick(self, callback: Callable[[str], None]) -> None:
        """``callback(clip_id)`` when the trainee presses a card's "Practise"."""
        self._picked.register_callback(callback)

    def _handle_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("kind") == "pick" and isinstance(
                content.get("clip"), str):
            self._picked(content["clip"])
