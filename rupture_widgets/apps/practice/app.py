"""The trainee's practice app (``notebooks/practice.ipynb``, served by ``rupture serve``).

Composition only: who is practising (identity), the clip library (clip_browser), one clip's
practice loop (session). Start-up imports nothing heavy (docs/decisions.md #8): the widgets, the catalog
(json) and the workbook; PyAV loads only when the first answer is finalised.
"""
from __future__ import annotations

from collections import Counter
from html import escape

import ipywidgets as w

from ...library.catalog import load_catalog
from ...errors import RuptureError
from ...taxonomy import load_taxonomy
from ...workbook import Workspace
from .clip_browser import ClipBrowser
from ..identity import WhoAreYou, trainee_from_environment

#: A part file that has received nothing for this long is not being recorded any more: the
#: browser sends a chunk every second, so this is many missed chunks.
STALE_RECORDING_S = 5.0


class PracticeApp(w.VBox):
    """Who is practising → the clip library → one clip's loop (and back)."""

    def __init__(self, workspace=None, catalog=None, taxonomy=None, trainee: str | None = None):
        self.workspace = workspace if workspace is not None else Workspace()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.workbook = None
        self.exchange = None  # where sent attempts go, once we know who is practising
        self.browser = None
        self.session = None
        self.header = w.HTML("<h1>Rupture repair practice</h1>")
        self.notice = w.HTML()
        self.body = w.VBox()
        super().__init__([self.header, self.notice, self.body])
        self.add_class("rw-practice-app")
        trainee = trainee or trainee_from_environment()
        if trainee:
            try:
                self._begin(self.workspace.workbook(trainee))
                return
            except RuptureError as e:  # a bad id, or a workbook that cannot be opened
                self.notice.value = f"<p role='alert'>{escape(str(e))}</p>"
        gate = WhoAreYou(self.workspace.workbook)
        gate.on_identified(self._begin)
        self.body.children = [gate]

    def _begin(self, workbook) -> None:
        self.workbook = workbook
        self.header.value = (f"<h1>Rupture repair practice</h1><p>Practising as "
                             f"<strong>{escape(workbook.trainee_id)}</strong>.</p>")
        self._adopt_cut_off_recordings()
        from ...exchange import open_exchange

        self.exchange = open_exchange(self.workspace)
        self.browser = ClipBrowser(self.catalog, self.taxonomy, self._practised,
                                   self._new_feedback)
        self.browser.on_pick(self.practise)
        self.show_library()

    def _new_feedback(self) -> set[str]:
        """Clips with feedback the trainee has not seen (collected from the exchange first)."""
        from ...workbook.seen import clips_with_unseen

        try:
            self.exchange.collect(self.workbook)
            return clips_with_unseen(self.workbook)
        except Exception:  # the marker is a help, never a reason for the library to fail
            return set()

    def _practised(self) -> dict[str, int]:
        return Counter(a.clip_id for a in self.workbook.attempts())

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
        self.body.children = [self.browser]

    def practise(self, clip) -> None:
        """Open one clip's practice loop (the session is built on first use: the camera is only
        asked for once the trainee has chosen something to answer)."""
        if self.session is None:
            from .session import PracticeSession

            self.session = PracticeSession(self.workbook, self.taxonomy,
                                           back=self.show_library, suggest=self.show_library,
                                           exchange=self.exchange)
            self.session.watch_for_feedback()
        self._adopt_cut_off_recordings()
        self.session.practise(clip)
        self.body.children = [self.session]


def practice_app(**kwargs) -> PracticeApp:
    """The app as the notebook shows it; keyword arguments as for :class:`PracticeApp`."""
    return PracticeApp(**kwargs)
