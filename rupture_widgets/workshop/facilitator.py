"""The facilitator's app (notebooks/facilitator.ipynb): compose a workshop into launch links,
import the trainees' bundles at the end, and see the roster.

Composition only: the logic is in definition.py, links.py, imports.py and roster_table.py. The
notebook passes its parameters (environment variables, for a headless run) straight in; every
input can also be typed here, in JupyterLab or in Voilà. Links are shown as text to copy (a badge
image would be fetched from a CDN, which the apps never do: docs/decisions.md #17).
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from ..errors import RuptureError
from .definition import Workshop
from .imports import import_bundles, summary
from .links import binder_link, nbgitpuller_link
from .roster_table import roster, roster_html

ALL = "all"
_WIDE = w.Layout(width="calc(100% - 4px)")  # a widget's 2 px margins: 100% would overflow
_STYLE = {"description_width": "9rem"}
#: ipywidgets put a label beside its box at a fixed width; on a phone that pushes the box off
#: the screen, so below 600 px the label goes above the box (inline: no stylesheet of ours here).
_CSS = """<style>
.rw-facilitator .widget-inline-hbox, .rw-facilitator .widget-textarea,
.rw-facilitator .widget-select, .rw-facilitator .widget-select-multiple
  { max-width: calc(100% - 4px); box-sizing: border-box; }
@media (max-width: 600px) {
  .rw-facilitator .widget-inline-hbox { flex-wrap: wrap; height: auto !important; }
  .rw-facilitator .widget-inline-hbox > .widget-label { width: 100% !important;
    max-width: none !important; text-align: left; }
}
</style>"""


def _text(description: str, value: str = "", placeholder: str = "") -> w.Text:
    return w.Text(value=value or "", description=description, placeholder=placeholder,
                  style=_STYLE, layout=w.Layout(width="calc(100% - 4px)", max_width="42rem"))


class ClipChooser(w.VBox):
    """The catalog filtered by marker and level; the workshop's clips in order (add, move, remove)."""

    def __init__(self, catalog, taxonomy, chosen=()):
        self.catalog, self.taxonomy = catalog, taxonomy
        self.by_id = {c.id: c for c in catalog.clips}
        self.marker = w.Dropdown(description="Marker", style=_STYLE, options=[("All markers", ALL)]
                                 + [(f"{m.id} {m.label}", m.id) for m in taxonomy.markers.values()])
        self.level = w.Dropdown(description="Level", style=_STYLE, options=[("All levels", ALL)]
                                + [(lv.label, lv.id) for lv in taxonomy.levels])
        self.available = w.SelectMultiple(description="Clips", rows=8, style=_STYLE, layout=_WIDE)
        self.order = w.Select(description="In this order", rows=8, style=_STYLE, layout=_WIDE)
        self.ids = w.HTML()
        add, up, down, remove = (w.Button(description=d) for d in
                                 ("Add to the workshop", "Move up", "Move down", "Remove"))
        add.on_click(lambda _: self.add(self.available.value))
        up.on_click(lambda _: self._move(-1))
        down.on_click(lambda _: self._move(1))
        remove.on_click(lambda _: self._remove())
        self.marker.observe(lambda _: self._filter(), "value")
        self.level.observe(lambda _: self._filter(), "value")
        self.chosen: list[str] = []
        self._filter()
        self.add(chosen)
        row = w.Layout(flex_flow="row wrap", grid_gap="0.5rem")
        super().__init__([self.marker, self.level, self.available,
                          w.HBox([add], layout=row), self.order, self.ids,
                          w.HBox([up, down, remove], layout=row)])

    def _label(self, clip) -> str:
        # short enough for most clips on a phone (an option's text cannot wrap); the ids are
        # listed below the order, where they wrap
        return f"{clip.title} ({clip.marker} {clip.level}, {clip.persona.name})"

    def _filter(self) -> None:
        marker = None if self.marker.value == ALL else self.marker.value
        level = None if self.level.value == ALL else self.level.value
        self.available.options = [(self._label(c), c.id) for c in
                                  self.catalog.filter(marker=marker, level=level)]

    def add(self, clip_ids) -> None:
        """Append clips (unknown ones are left for Workshop to name in its error)."""
        for clip_id in clip_ids:
            if clip_id not in self.chosen:
                self.chosen.append(clip_id)
        self._show()

    def _show(self, selected: str | None = None) -> None:
        self.order.options = [(f"{i}. {self._label(self.by_id[c]) if c in self.by_id else c}", c)
                              for i, c in enumerate(self.chosen, 1)]
        self.order.value = selected if selected in self.chosen else None
        self.ids.value = ("<p>Clip ids, in order: " + ", ".join(
            f"<code>{escape(c)}</code>" for c in self.chosen) + "</p>") if self.chosen else ""

    def _move(self, step: int) -> None:
        clip_id = self.order.value
        if clip_id not in self.chosen:
            return
        i = self.chosen.index(clip_id)
        j = min(max(i + step, 0), len(self.chosen) - 1)
        self.chosen[i], self.chosen[j] = self.chosen[j], self.chosen[i]
        self._show(clip_id)

    def _remove(self) -> None:
        if self.order.value in self.chosen:
            self.chosen.remove(self.order.value)
            self._show()


class FacilitatorApp(w.VBox):
    """Compose → links; bundles → review workspace → roster. Arguments are the notebook's
    parameters: given ``clips`` and ``code``, the links are made at once; given ``bundles`` (a
    folder of zips), they are imported at once."""

    def __init__(self, workspace=None, catalog=None, taxonomy=None, *, clips: str = "",
                 code: str = "", title: str = "", repo: str = "", ref: str = "main",
                 binderhub: str = "https://mybinder.org", hub: str = "", hub_repo: str = "",
                 bundles: str = ""):
        from ..library.catalog import load_catalog
        from ..taxonomy import load_taxonomy
        from ..workbook import Workspace

        self.workspace = workspace if workspace is not None else Workspace()
        if isinstance(self.workspace, (str, Path)):
            self.workspace = Workspace(self.workspace)
        self.catalog = catalog if catalog is not None else load_catalog()
        taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.workshop: Workshop | None = None
        ids = [c.strip() for c in (clips or "").split(",") if c.strip()]
        self.chooser = ClipChooser(self.catalog, taxonomy, ids)
        self.code, self.title = _text("Workshop code", code, "e.g. rupture-101"), _text(
            "Title", title, "shown to trainees above the clips")
        self.repo = _text("Binder repository", repo, "OWNER/REPO")
        self.ref = _text("Branch or tag", ref)
        self.binderhub = _text("BinderHub", binderhub)
        self.hub = _text("JupyterHub", hub, "https://hub.example.org (optional)")
        self.hub_repo = _text("Repository URL", hub_repo or (f"https://github.com/{repo}"
                                                             if repo else ""),
                              "https://github.com/OWNER/REPO")
        make = w.Button(description="Make the links", button_style="primary")
        make.on_click(lambda _: self.make_links())
        self.problem = w.HTML()
        self.binder_out = w.Textarea(description="Binder link", style=_STYLE, layout=_WIDE,
                                     rows=3)
        self.hub_out = w.Textarea(description="JupyterHub link", style=_STYLE, layout=_WIDE,
                                  rows=3)
        self.links_note = w.HTML()
        self.bundles = _text("Bundle folder", bundles, "a folder of the trainees' .zip bundles")
        self.upload = w.FileUpload(accept=".zip", multiple=True, description="Upload bundles")
        do_import = w.Button(description="Import the bundles")
        do_import.on_click(lambda _: self.import_now())
        self.import_out = w.HTML()
        refresh = w.Button(description="Refresh the roster")
        refresh.on_click(lambda _: self.show_roster())
        self.roster_out = w.HTML()
        where = escape(str(self.workspace.root))
        super().__init__([
            w.HTML(_CSS + "<h1>Workshop facilitator</h1><h2>1. Choose the clips, in order</h2>"),
            self.chooser,
            w.HTML("<h2>2. Name the workshop and where it runs</h2>"),
            self.code, self.title, self.repo, self.ref, self.binderhub, self.hub, self.hub_repo,
            make, self.problem, self.binder_out, self.hub_out, self.links_note,
            w.HTML(f"<h2>3. At the end: import the trainees' bundles</h2><p>Into the review "
                   f"workspace <code>{where}</code>. A bundle already imported adds nothing."
                   "</p>"),
            self.bundles, self.upload, do_import, self.import_out,
            w.HTML("<h2>4. Roster</h2>"), refresh, self.roster_out])
        self.add_class("rw-facilitator")
        if ids and code:
            self.make_links()
        if bundles:
            self.import_now()
        else:
            self.show_roster()

    def make_links(self) -> None:
        """Check the workshop and write both links (or say what to fix)."""
        self.problem.value = ""
        try:
            self.workshop = Workshop(self.code.value.strip(), list(self.chooser.chosen),
                                     title=self.title.value, catalog=self.catalog)
            binder = binder_link(self.workshop, repo=self.repo.value.strip() or "OWNER/REPO",
                                 ref=self.ref.value.strip() or "main",
                                 binderhub=self.binderhub.value.strip() or "https://mybinder.org")
            hub = (nbgitpuller_link(self.workshop, hub=self.hub.value, repo=self.hub_repo.value
                                    or f"https://github.com/{self.repo.value.strip()}",
                                    branch=self.ref.value.strip() or "main")
                   if self.hub.value.strip() else "")
        except RuptureError as e:  # no stale links left beside an error: they would be handed out
            self.binder_out.value = self.hub_out.value = self.links_note.value = ""
            self.problem.value = f"<p role='alert'>{escape(str(e))}</p>"
            return
        self.binder_out.value, self.hub_out.value = binder, hub
        n = len(self.workshop.clips)
        self.links_note.value = (
            f"<p role='status'>Hand out a link: it opens the practice app with {n} clip"
            f"{'s' if n != 1 else ''} in this order, and attempts made through it carry the code "
            f"<code>{escape(self.workshop.code)}</code>. On mybinder.org a session stops after "
            "about 10 idle minutes: ask trainees to download their work before they leave.</p>")
        self.show_roster()

    def import_now(self) -> None:
        sources = []
        if self.bundles.value.strip():
            folder = Path(self.bundles.value.strip()).expanduser()
            if not folder.exists():
                self.import_out.value = (f"<p role='alert'>There is no folder "
                                         f"{escape(str(folder))}.</p>")
                return
            sources.append(folder)
        sources += [(f["name"], bytes(f["content"])) for f in self.upload.value]
        if not sources:
            self.import_out.value = "<p>Give a folder of bundles or upload some first.</p>"
            return
        try:
            outcomes = import_bundles(self.workspace, sources)
        except RuptureError as e:
            self.import_out.value = f"<p role='alert'>{escape(str(e))}</p>"
            return
        self.outcomes = outcomes
        self.import_out.value = (f"<pre role='status' style='white-space: pre-wrap'>"
                                 f"{escape(summary(outcomes))}</pre>")
        self.show_roster()

    def show_roster(self) -> None:
        try:
            self.roster_out.value = roster_html(roster(self.workspace, self.workshop),
                                                self.workshop)
        except RuptureError as e:
            self.roster_out.value = f"<p role='alert'>{escape(str(e))}</p>"
