"""Comments pinned to moments of the answer: typing pauses the answer and keeps the moment;
a comment's time seeks the answer there; comments can be edited and deleted."""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w

from ..forms import on_enter


def clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}.{int((seconds - s) * 10)}"


class PinnedComments(w.VBox):
    def __init__(self, answer, on_change: Callable[[], None]):
        self.answer, self._on_change = answer, on_change
        self.comments: list[dict] = []
        self.pending_t: float | None = None
        self.box = w.Text(description="Comment", placeholder="Type: the answer pauses here",
                          continuous_update=True, style={"description_width": "initial"},
                          layout=w.Layout(flex="1"))
        self.pin = w.Button(description="Pin comment", layout=w.Layout(width="auto"))
        self.rows = w.VBox()
        self.box.observe(self._typed, "value")
        self.pin.on_click(lambda _: self.add())
        on_enter(self.box, self.add)  # Enter pins the comment, as the button does
        super().__init__([w.HTML("<h4>Comments at moments of the answer</h4>"),
                          w.HBox([self.box, self.pin]), self.rows])

    def set(self, comments: list[dict]) -> None:
        self.comments = sorted((dict(c) for c in comments), key=lambda c: c["t"])
        self._show()

    def _typed(self, change) -> None:
        if change["new"] and self.pending_t is None:  # the first keystroke: hold the moment
            self.answer.pause()
            self.pending_t = float(self.answer.current_time or 0.0)
            self.pin.description = f"Pin comment at {clock(self.pending_t)}"
        elif not change["new"]:
            self.pending_t = None
            self.pin.description = "Pin comment"

    def add(self) -> None:
        text = self.box.value.strip()
        if not text:
            return
        t = self.pending_t if self.pending_t is not None else float(self.answer.current_time)
        self.comments = sorted([*self.comments, {"t": round(t, 2), "text": text}],
                               key=lambda c: c["t"])
        self.box.value = ""
        self._show()
        self._on_change()

    def _show(self) -> None:
        self.rows.children = [self._row(i, c) for i, c in enumerate(self.comments)]

    def _row(self, i: int, c: dict) -> w.Widget:
        at = w.Button(description=clock(c["t"]), tooltip="Play the answer from here",
                      layout=w.Layout(width="auto"))
        edit = w.Button(description="Edit", layout=w.Layout(width="auto"))
        delete = w.Button(description="Delete", layout=w.Layout(width="auto"))
        at.on_click(lambda _: self.answer.seek(c["t"]))
        edit.on_click(lambda _: self._edit(i))
        delete.on_click(lambda _: self._delete(i))
        return w.HBox([at, w.HTML(f"<span class='rw-comment'>{escape(c['text'])}</span>",
                                  layout=w.Layout(flex="1")), edit, delete],
                      layout=w.Layout(align_items="center"))

    def _edit(self, i: int) -> None:
        c = self.comments.pop(i)
        self.box.value = c["text"]  # back in the box, at its own moment
        self.pending_t = c["t"]
        self.pin.description = f"Pin comment at {clock(c['t'])}"
        self._show()
        self._on_change()

    def _delete(self, i: int) -> None:
        del self.comments[i]
        self._show()
        self._on_change()
