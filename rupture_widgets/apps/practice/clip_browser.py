"""The clip library as cards, filtered by marker family, marker and level."""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w

ALL = "all"


class ClipBrowser(w.VBox):
    """Filters plus one card per clip: title, marker, level, context line, times practised."""

    def __init__(self, catalog, taxonomy, practised: Callable[[], dict[str, int]],
                 new_feedback: Callable[[], set[str]] = set):
        self.catalog, self.taxonomy, self._practised = catalog, taxonomy, practised
        self._new_feedback = new_feedback
        self._pick_callbacks: list[Callable] = []
        style = {"description_width": "initial"}
        self.family = w.Dropdown(description="Marker family", style=style,
                                 options=[("All families", ALL)] + [
                                     (label, fid) for fid, label in taxonomy.families.items()])
        self.marker = w.Dropdown(description="Marker", style=style)
        self.level = w.Dropdown(description="Level", style=style,
                                options=[("All levels", ALL)] + [
                                    (lv.label, lv.id) for lv in taxonomy.levels])
        self._marker_options()
        self.cards = w.VBox()
        self.family.observe(lambda _: (self._marker_options(), self.refresh()), "value")
        self.marker.observe(lambda _: self.refresh(), "value")
        self.level.observe(lambda _: self.refresh(), "value")
        super().__init__([w.HTML("<h2>Choose a clip</h2>"),
                          w.HBox([self.family, self.marker, self.level]), self.cards])
        self.refresh()

    def on_pick(self, callback: Callable) -> None:
        """``callback(clip)`` when the trainee chooses a clip to practise."""
        self._pick_callbacks.append(callback)

    def show_level(self, level_id: str) -> None:
        """Jump to a level, e.g. after the app suggests moving up or down."""
        self.level.value = level_id

    def _marker_options(self) -> None:
        fam = self.family.value
        markers = [m for m in self.taxonomy.markers.values() if fam == ALL or m.family == fam]
        current = self.marker.value
        self.marker.options = [("All markers", ALL)] + [(f"{m.id} {m.label}", m.id)
                                                         for m in markers]
        self.marker.value = current if current in {m.id for m in markers} else ALL

    def refresh(self) -> None:
        """Rebuild the cards (after a filter change or a new attempt)."""
        def chosen(v):
            return None if v == ALL else v
        clips = self.catalog.filter(family=chosen(self.family.value),
                                    marker=chosen(self.marker.value),
                                    level=chosen(self.level.value))
        counts, new = self._practised(), self._new_feedback()
        self.cards.children = [self._card(c, counts.get(c.id, 0), c.id in new)
                               for c in clips] or [
            w.HTML("<p>No clips match these filters. Choose “All” in one of them.</p>")]

    def _card(self, clip, times: int, new_feedback: bool = False) -> w.Widget:
        marker = self.taxonomy.markers.get(clip.marker)
        level = next((lv.label for lv in self.taxonomy.levels if lv.id == clip.level), clip.level)
        practised = ("Not practised yet" if times == 0 else
                     f"Practised {times} time{'s' if times != 1 else ''}")
        info = w.HTML(
            f"<div class='rw-card'><strong>{escape(clip.title)}</strong><br>"
            f"<span>{escape(clip.marker)} {escape(marker.label if marker else '')} · "
            f"{escape(level)}</span><br><em>{escape(clip.context)}</em><br>"
            f"<span class='rw-practised'>{practised}</span>"
            + (" · <strong class='rw-new'>New feedback</strong>" if new_feedback else "")
            + "</div>",
            layout=w.Layout(flex="1"))
        go = w.Button(description=f"Practise: {clip.title}", button_style="primary",
                      layout=w.Layout(width="auto"))
        go.on_click(lambda _b, c=clip: [cb(c) for cb in self._pick_callbacks])
        return w.HBox([info, go], layout=w.Layout(border="1px solid #ccc", padding="0.5rem",
                                                  margin="0 0 0.5rem 0", align_items="center"))
