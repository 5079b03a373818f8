"""The trainee's practice app (``notebooks/practice.ipynb``, served by ``rupture serve``).

Composition only: who is practising (identity), the clip library (clip_browser), one clip's
practice loop (session), the progress view (progress), and the page around them (widgets.Page:
the place in the URL, so a reload comes back to the same clip and view; focus moved to each new
view's heading). Start-up imports nothing heavy (docs/decisions.md #8): the widgets, the catalog
(json) and the workbook; PyAV loads only when the first answer is finalised.
"""
from __future__ import annotations

from html import escape

import ipywidgets as w

from ...errors import RuptureError, ServerSettingError
from ...library.catalog import load_catalog
from ...taxonomy import load_taxonomy
from ...widgets.page import Page
from ...workbook import Workspace
from ..ephemeral import EphemeralServer, ephemeral_server
from ..identity import WhoAreYou, identity_is_fixed, trainee_from_environment
from .clip_browser import ClipBrowser
from .workshop_mode import WorkshopMode

#: A part file that has received nothing for this long is not being recorded any more: the
#: browser sends a chunk every second, so this is many missed chunks.
STALE_RECORDING_S = 5.0
TITLE = "Rupture repair practice"


class PracticeApp(w.VBox):
    """Who is practising → the clip library (or progress) → one clip's loop (and back)."""

    def __init__(self, workspace=None, catalog=None, taxonomy=None, trainee: str | None = None,
                 workshop: str | None = None):
        self.workspace = workspace if workspace is not None else Workspace()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.workbook = None
        self.exchange = None  # where sent attempts go, once we know who is practising
        self.browser = None
        self.session = None
        self.progress = None
        self.view = "who"
        self._named_in_app = False  # identity typed here (so the URL may carry it), not given
        # a workshop link's clips (docs/workshops.md); ``workshop``: a query string, else the page's
        self.workshop = WorkshopMode(self.catalog, workshop, self)
        self.page = Page(title=TITLE)
        self.page.on_arrived(self._arrived)
        self.header = w.HTML(f"<h1>{TITLE}</h1>")
        self.nav = w.HBox(layout=w.Layout(flex_flow="row wrap", grid_gap="0.5rem"))
        self.nav.add_class("rw-nav")
        self.notice = w.HTML()
        self.body = w.VBox()
        self.work_bar = self._work_bar()  # None unless the server is thrown away
        bar = self.work_bar.parts() if self.work_bar else []  # above everything, every view
        super().__init__([self.page, *bar, self.header, self.nav, self.notice, self.body])
        self.add_class("rw-practice-app")
        trainee = trainee or trainee_from_environment()
        if trainee:
            try:
                self._begin(self.workspace.workbook(trainee))
                return
            except RuptureError as e:  # a bad id, or a workbook that cannot be opened
                self.notice.value = f"<p role='alert'>{escape(str(e))}</p>"
        if identity_is_fixed():
            return  # the hub said who this is: no name box to become someone else
        self.gate = WhoAreYou(self._open_named, **({"intro": (
            "Your answers are kept under this name. Type the name you used last time, then "
            "choose Restore my work to bring back what you downloaded.")} if self.work_bar else {}))
        self.gate.on_identified(self._identified)
        self.body.children = [self.gate]

    def _work_bar(self):
        """On a throw-away server (apps/ephemeral.py): the notice and Download / Restore."""
        try:
            server, problem = ephemeral_server(), ""
        except ServerSettingError as e:  # said, but unreadably: assume the worst, and say so
            server, problem = EphemeralServer(idle_minutes=None, binder=False), str(e)
        if server is None:
            return None
        from .work_bar import WorkBar

        bar = WorkBar(server, self.workspace, problem=problem)
        bar.on_restored(self._show_again)
        return bar

    def _show_again(self) -> None:
        """The current view, read again (after a restore added attempts)."""
        if self.view == "clip" and self.session is not None:
            self.session.refresh()
        elif self.view == "progress":
            self.show_progress()
        elif self.browser is not None:
            self.browser.refresh()  # focus stays on the button, where the status is read

    # -- who is practising ------------------------------------------------------------------
    def _open_named(self, trainee_id: str, display_name: str | None = None):
        return self.workspace.workbook(trainee_id, display_name=display_name)

    def _identified(self, workbook) -> None:
        self._named_in_app = True
        self._begin(workbook)
        if workbook.display_name != workbook.trainee_id:  # said once: the name's safe id
            self._welcome = self.notice.value = (
                f"<p role='status'>Welcome, {escape(workbook.display_name)}. Your answers are "
                f"kept in the workbook <code>{escape(workbook.trainee_id)}</code>; type the same "
                "name next time to come back to them.</p>")

    def _begin(self, workbook) -> None:
        self.workbook = workbook
        if self.work_bar is not None:
            self.work_bar.attach(workbook)
        self.header.value = (f"<h1>{TITLE}</h1><p>Practising as "
                             f"<strong>{escape(workbook.display_name)}</strong>.</p>")
        self._adopt_cut_off_recordings()
        from ...exchange import open_exchange

        self.exchange = open_exchange(self.workspace)
        self.browser = ClipBrowser(self.catalog, self.taxonomy, self.workbook.attempts,
                                   self._new_feedback)
        self.browser.on_pick(self.practise)
        self.workshop.apply()
        self.browser.on_filter(lambda _f: self._remember())
        library = w.Button(description="Clip library")
        progress = w.Button(description="My progress")
        library.on_click(lambda _: self.show_library())
        progress.on_click(lambda _: self.show_progress())
        self.nav.children = [library, progress]
        self._nav = {"library": library, "clip": library, "progress": progress}
        self.show_library()

    def _arrived(self, place: dict) -> None:
        """A page showed the app: go where its URL says (a reload, a bookmark, Back)."""
        self.workshop.read_page()  # a pre-heated kernel learns the page's link only now
        if self.workbook is None:
            if identity_is_fixed():
                return  # never another trainee's workbook from a URL under the hub
            wanted = place.get("trainee")
            if not wanted or wanted not in self.workspace.trainees():
                self._remember()
                return  # only an existing workbook is reopened from a URL, never created
            try:
                self._named_in_app = True
                self._begin(self.workspace.workbook(wanted))
            except RuptureError:
                return
        if self.browser is not None:
            self.browser.set_filters(place.get("family"), place.get("marker"), place.get("level"))
        clip = next((c for c in self.catalog.clips if c.id == place.get("clip")), None)
        if place.get("view") == "clip" and clip is not None:
            self.practise(clip)
        elif place.get("view") == "progress":
            self.show_progress()
        else:
            self.show_library()

    _welcome = None  # the one-time welcome, cleared once the trainee moves on

    def _remember(self) -> None:
        """Write where the app is into the URL's fragment (and mark it in the navigation)."""
        if self._welcome and self.view != "library":
            if self.notice.value == self._welcome:
                self.notice.value = ""
            self._welcome = None
        for view, button in getattr(self, "_nav", {}).items():
            if view != "clip":
                button.button_style = "info" if self._nav.get(self.view) is button else ""
        place = {"view": self.view}
        if self._named_in_app and self.workbook is not None:
            place["trainee"] = self.workbook.trainee_id
        if self.view == "clip" and self.session is not None and self.session.clip is not None:
            place["clip"] = self.session.clip.id
        if self.browser is not None:
            place.update(self.browser.filters())
        self.page.go(**place)

    def _focus(self, target) -> None:
        key = self.page.focus_key()
        target.set_focus_key(key)
        self.page.focus(key)

    # -- what the app shows -----------------------------------------------------------------
    def _new_feedback(self) -> set[str]:
        """Clips with feedback the trainee has not seen (collected from the exchange first)."""
        from ...workbook.seen import clips_with_unseen

        try:
            self.exchange.collect(self.workbook)
            return clips_with_unseen(self.workbook)
        except Exception:  # the marker is a help, never a reason for the library to fail
            return set()

    def _adopt_cut_off_recordings(self) -> None:
        """Recordings cut off by a closed tab or lost connection become 'incomplete' attempts."""
        before = {a.id for a in self.workbook.attempts() if a.status == "incomplete"}
        try:
            now = self.workbook.incomplete_recordings(min_age_s=STALE_RECORDING_S)
        except RuptureError as e:
            self.notice.value = f"<p role='alert'>{escape(str(e))}</p>"
            return
        new = [a for a in now if a.id not in before]
        if new:
            self.notice.value = (
                f"<p role='status'>{len(new)} earlier recording{'s were' if len(new) > 1 else ' was'}"
                " cut off (the tab was closed or the connection was lost). What was received is "
                "kept and listed as incomplete in the clip's attempts.</p>")

    def show_library(self, level: str | None = None) -> None:
        if level:
            self.browser.show_level(level)
        self.browser.refresh()
        self.view = "library"
        self.body.children = [self.browser]
        self._focus(self.browser)
        self._remember()

    def show_progress(self) -> None:
        from .progress import ProgressView

        if self.progress is None:
            self.progress = ProgressView(self.taxonomy)
        attempts = self.workbook.attempts()
        feedback = {a.id: self.workbook.feedback(a.id) for a in attempts}
        key = self.page.focus_key()
        self.progress.show(self.catalog.clips, attempts, feedback, focus_key=key)
        self.view = "progress"
        self.body.children = [self.progress]
        self.page.focus(key)
        self._remember()

    def practise(self, clip) -> None:
        """Open one clip's practice loop (the session is built on first use)."""
        if self.session is None:
            from .session import PracticeSession

            self.session = PracticeSession(self.workbook, self.taxonomy,
                                           suggest=self.show_library,
                                           exchange=self.exchange, focus=self._focus_key)
            self.session.watch_for_feedback()
        self._adopt_cut_off_recordings()
        self.session.practise(clip)
        self.view = "clip"
        self.body.children = [self.session]
        self._remember()

    def _focus_key(self) -> str:
        """For the session: a key to mark what should take focus, sent to the page once shown."""
        key = self.page.focus_key()
        self.page.focus(key)
        return key


def practice_app(**kwargs) -> PracticeApp:
    """The app as the notebook shows it; keyword arguments as for :class:`PracticeApp`."""
    return PracticeApp(**kwargs)
