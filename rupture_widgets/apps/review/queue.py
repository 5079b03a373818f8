"""The reviewer's queue: every attempt sent to them, newest first, filtered by trainee and
status (new, in review, returned)."""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w

from ...exchange import STATUSES

ALL = "all"
#: Rows shown at once: a queue of hundreds opens as fast as one of twenty (each row is widgets
#: the page must build), and "Show more" brings the next page.
PAGE = 20


class ReviewQueue(w.VBox):
    def __init__(self, catalog, taxonomy, *, open_attempt: Callable[[object], None]):
        self.catalog, self.taxonomy, self._open = catalog, taxonomy, open_attempt
        self.items: list = []
        self.limit = PAGE
        self.more = w.Button(description="Show more", layout=w.Layout(width="auto"))
        self.more.on_click(lambda _: self._show_more())
        style = {"description_width": "initial"}
        self.trainee = w.Dropdown(description="Trainee", options=[("All trainees", ALL)],
                                  value=ALL, style=style)
        self.status = w.Dropdown(description="Status", style=style, value=ALL,
                                 options=[("Any status", ALL)] + [(s.capitalize(), s)
                                                                  for s in STATUSES])
        self.rows = w.VBox()
        self.refresh = w.Button(description="Refresh", icon="refresh",
                                layout=w.Layout(width="auto"))
        self.trainee.observe(lambda _: self._filtered(), "value")
        self.status.observe(lambda _: self._filtered(), "value")
        self.heading = w.HTML()
        self.set_focus_key("")
        super().__init__([self.heading,
                          w.HBox([self.trainee, self.status, self.refresh],
                                 layout=w.Layout(flex_flow="row wrap", grid_gap="0.5rem 1rem")),
                          self.rows, self.more])

    def set_focus_key(self, key: str) -> None:
        """Mark the heading so the page can move focus to it (Page.focus)."""
        self.heading.value = (f"<h2 data-rw-focus='{escape(key)}' tabindex='-1'>Sent to you for "
                              "feedback</h2>")

    def on_refresh(self, callback: Callable[[], None]) -> None:
        self.refresh.on_click(lambda _: callback())

    def show(self, items: list) -> None:
        self.items = items
        trainees = sorted({s.trainee_id for s in items})
        keep = self.trainee.value if self.trainee.value in trainees else ALL
        self.trainee.options = [("All trainees", ALL)] + [(t, t) for t in trainees]
        self.trainee.value = keep
        self._show()

    def _filtered(self) -> None:
        self.limit = PAGE
        self._show()

    def _show_more(self) -> None:
        self.limit += PAGE
        self._show()

    def _show(self) -> None:
        shown = [s for s in self.items
                 if self.trainee.value in (ALL, s.trainee_id)
                 and self.status.value in (ALL, s.status)]
        self.more.layout.display = "none" if len(shown) <= self.limit else None
        self.more.description = f"Show more ({len(shown) - self.limit} not shown)"
        if not shown:
            self.rows.children = [w.HTML("<p>Nothing here yet: attempts trainees send you "
                                         "appear here.</p>" if not self.items else
                                         "<p>Nothing matches these filters.</p>")]
            return
        self.rows.children = [self._row(s) for s in shown[:self.limit]]

    def _row(self, sent) -> w.Widget:
        a = sent.attempt
        clip = next((c for c in self.catalog.clips if c.id == a.clip_id), None)
        marker = self.taxonomy.markers.get(a.marker)
        level = next((lv.label for lv in self.taxonomy.levels if lv.id == a.level), a.level)
        text = " · ".join([
            f"<strong>{escape(sent.trainee_id)}</strong>",
            escape(clip.title if clip else a.clip_id),
            escape(f"{a.marker} {marker.label}" if marker else a.marker), escape(level),
            f"sent {escape(sent.sent_at[:10])} {escape(sent.sent_at[11:16])} UTC",
            f"<span class='rw-status'>{escape(sent.status)}</span>"])
        button = w.Button(description=f"Review {sent.trainee_id}'s answer to "
                          f"{clip.title if clip else a.clip_id}", layout=w.Layout(width="auto"))
        button.on_click(lambda _: self._open(sent))
        return w.HBox([w.HTML(text, layout=w.Layout(flex="1 1 18rem")), button],
                      layout=w.Layout(align_items="center", flex_flow="row wrap",
                                      grid_gap="0.4rem"))
