"""The clip library: filters (family, marker, level), the recommended clip, poster cards by level."""
from __future__ import annotations

from collections import Counter
from html import escape
from typing import Callable

import ipywidgets as w

from ...widgets.clip_grid import ClipGrid
from ...widgets.served import served_path
from .next_clip import recommend, recommend_in_order

ALL = "all"


class ClipBrowser(w.VBox):
    """``attempts()`` gives the trainee's attempts (counts and the recommendation come from them),
    ``new_feedback()`` the ids of clips with feedback the trainee has not seen."""

    def __init__(self, catalog, taxonomy, attempts: Callable[[], list],
                 new_feedback: Callable[[], set[str]] = set):
        self.catalog, self.taxonomy, self._attempts = catalog, taxonomy, attempts
        self._new_feedback = new_feedback
        self.workshop = None  # workshop.definition.PageWorkshop: only its clips, in its order
        self._workshop_notice = ""  # what the workshop's link named that could not be used
        self._pick_callbacks: list[Callable] = []
        self._filter_callbacks: list[Callable] = []
        style = {"description_width": "initial"}
        self.family = w.Dropdown(description="Marker family", style=style,
                                 options=[("All families", ALL)] + [
                                     (label, fid) for fid, label in taxonomy.families.items()])
        self.marker = w.Dropdown(description="Marker", style=style)
        self.level = w.Dropdown(description="Level", style=style,
                                options=[("All levels", ALL)] + [
                                    (lv.label, lv.id) for lv in taxonomy.levels])
        self._marker_options()
        self.heading = w.HTML()
        self.set_focus_key("")
        self.grid = ClipGrid()
        self.grid.on_pick(self._picked)
        self.family.observe(lambda _: (self._marker_options(), self._filtered()), "value")
        self.marker.observe(lambda _: self._filtered(), "value")
        self.level.observe(lambda _: self._filtered(), "value")
        filters = w.HBox([self.family, self.marker, self.level],
                         layout=w.Layout(flex_flow="row wrap", grid_gap="0.5rem 1rem"))
        filters.add_class("rw-filters")
        super().__init__([self.heading, filters, self.grid])
        self.add_class("rw-library")
        self.refresh()

    def set_focus_key(self, key: str) -> None:
        """Mark the heading so the page can move focus to it (Page.focus)."""
        self._focus_key = key
        about = ""
        if self.workshop is not None:  # the title was typed by a facilitator: escaped
            n = len(self.workshop.clips)
            about = (f"<p class='rw-workshop'>Workshop <strong>{escape(self.workshop.title)}"
                     f"</strong> ({escape(self.workshop.code)}): {n} clip{'s' if n != 1 else ''}"
                     ", in the order your facilitator chose.</p>")
        if self._workshop_notice:
            about += (f"<p class='rw-workshop-notice' role='status'>"
                      f"{escape(self._workshop_notice)}</p>")
        self.heading.value = (f"<h2 data-rw-focus='{escape(key)}' tabindex='-1'>Choose a clip"
                              f"</h2>{about}")

    def set_workshop(self, workshop) -> None:
        """Show only a workshop's clips, in its order (None: the library). The filters still
        narrow it, so "Show beginner clips" after a self-assessment means the workshop's
        beginner clips. A workshop without usable clips leaves the library, its notice says why."""
        self.workshop = workshop if workshop is not None and workshop.clips else None
        self._workshop_notice = workshop.notice if workshop is not None else ""
        self.set_focus_key(getattr(self, "_focus_key", ""))
        self.refresh()

    def on_pick(self, callback: Callable) -> None:
        """``callback(clip)`` when the trainee chooses a clip to practise."""
        self._pick_callbacks.append(callback)

    def on_filter(self, callback: Callable[[dict], None]) -> None:
        """``callback(filters)`` after the trainee changes a filter (the app keeps its place)."""
        self._filter_callbacks.append(callback)

    def filters(self) -> dict[str, str]:
        """The filters that are set (``family``, ``marker``, ``level``)."""
        return {k: v for k, v in (("family", self.family.value), ("marker", self.marker.value),
                                  ("level", self.level.value)) if v != ALL}

    def set_filters(self, family: str | None = None, marker: str | None = None,
                    level: str | None = None) -> None:
        """Restore filters (from the URL): unknown values fall back to "All"."""
        with self.hold_trait_notifications():
            self.family.value = family if family in self.taxonomy.families else ALL
            self._marker_options()
            ids = {v for _, v in self.marker.options}
            self.marker.value = marker if marker in ids else ALL
            self.level.value = level if level in self.taxonomy.level_ids else ALL
        self.refresh()

    def show_level(self, level_id: str) -> None:
        """Jump to a level, e.g. after the app suggests moving up or down."""
        self.level.value = level_id

    def _picked(self, clip_id: str) -> None:
        clip = next((c for c in self.catalog.clips if c.id == clip_id), None)
        if clip is not None:
            for cb in self._pick_callbacks:
                cb(clip)

    def _filtered(self) -> None:
        self.refresh()
        for cb in self._filter_callbacks:
            cb(self.filters())

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
        if self.workshop is not None:
            return self._refresh_workshop({c.id for c in clips})
        attempts, new = self._attempts(), self._new_feedback()
        counts = Counter(a.clip_id for a in attempts)
        rec = recommend(clips, self.taxonomy, attempts, new)
        self._show(rec, counts, new, [
                {"level": lv.id, "label": lv.label,
                 "cards": [self._card(c, counts[c.id], c.id in new)
                           for c in clips if c.level == lv.id]}
                for lv in self.taxonomy.levels])

    def _refresh_workshop(self, matching: set[str]) -> None:
        clips = [c for c in self.workshop.clips if c.id in matching]
        attempts, new = self._attempts(), self._new_feedback()
        counts = Counter(a.clip_id for a in attempts)
        self._show(recommend_in_order(clips, attempts, new, self.workshop.clips), counts, new, [
            {"level": "workshop", "label": self.workshop.title,
             "cards": [self._card(c, counts[c.id], c.id in new) for c in clips]}])

    def _show(self, rec, counts, new, sections) -> None:
        with self.grid.hold_sync():
            self.grid.sections = sections
            self.grid.recommended = ({"card": self._card(rec.clip, counts[rec.clip.id],
                                                         rec.clip.id in new),
                                      "reason": rec.reason} if rec else {})

    def _card(self, clip, times: int, new_feedback: bool) -> dict:
        marker = self.taxonomy.markers.get(clip.marker)
        level = next((lv.label for lv in self.taxonomy.levels if lv.id == clip.level), clip.level)
        try:
            poster = served_path(clip.poster_path) if clip.poster else ""
        except (ValueError, AttributeError):  # outside what the server serves: no poster
            poster = ""
        return {"id": clip.id, "title": clip.title, "marker": clip.marker,
                "marker_label": marker.label if marker else "", "level_label": level,
                "persona": clip.persona.name, "duration_s": clip.duration_s,
                "practised": times, "new_feedback": new_feedback, "poster": poster,
                "context": clip.context}
