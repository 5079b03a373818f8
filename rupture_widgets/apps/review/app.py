"""The review app: who is reviewing -> the queue of what was sent to them -> one attempt."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from ...errors import RuptureError
from ...exchange import open_exchange
from ...exchange.folder import reviewer_id
from ...library.catalog import load_catalog
from ...taxonomy import load_taxonomy
from ...widgets.page import Page
from ...workbook import Workspace
from ..identity import WhoAreYou, identity_is_fixed, reviewer_from_environment


class ReviewApp(w.VBox):
    def __init__(self, workspace=None, catalog=None, taxonomy=None, reviewer: str | None = None,
                 exchange=None):
        self.workspace = workspace if workspace is not None else Workspace()
        self.catalog = catalog if catalog is not None else load_catalog()
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.exchange = exchange if exchange is not None else open_exchange(self.workspace)
        self.reviewer = None
        self.queue = self.form = None
        self._named_in_app = False  # the name was typed here, so the URL may carry it
        self.page = Page(title="Rupture review")
        self.page.on_arrived(self._arrived)
        self.header = w.HTML("<h1>Rupture repair review</h1>")
        self.notice = w.HTML()
        self.body = w.VBox()
        super().__init__([self.page, self.header, self.notice, self.body])
        self.add_class("rw-review-app")
        reviewer = reviewer or reviewer_from_environment()
        if reviewer:
            try:
                self._begin(self._check_name(reviewer))
                return
            except RuptureError as e:
                self.notice.value = f"<p role='alert'>{escape(str(e))}</p>"
        if identity_is_fixed():
            return  # the hub said who this is: no name box to become someone else
        gate = WhoAreYou(self._check_name, button="Start reviewing",
                         intro="Attempts trainees send you are kept under this name.")
        gate.on_identified(self._named)
        self.body.children = [gate]

    def _named(self, reviewer: str) -> None:
        self._named_in_app = True
        self._begin(reviewer)

    def _arrived(self, place: dict) -> None:
        """A page showed the app: back to where its URL says (a reload, a bookmark)."""
        if self.reviewer is None:
            if identity_is_fixed():
                return  # never another reviewer's queue from a URL under the hub
            name = place.get("reviewer")
            try:
                if not name:
                    return
                self._check_name(name)
            except RuptureError:
                return
            self._named(name)
        if place.get("view") == "attempt":
            sent = next((s for s in self.queue.items if s.attempt.id == place.get("attempt")
                         and s.trainee_id == place.get("trainee")), None)
            if sent is not None:
                self.review_attempt(sent)

    def _remember(self, **place) -> None:
        if self._named_in_app:
            place["reviewer"] = self.reviewer
        self.page.go(**place)

    def _focus(self, view) -> None:
        key = self.page.focus_key()
        view.set_focus_key(key)
        self.page.focus(key)

    def _check_name(self, name: str) -> str:
        reviewer_id(name)  # refuses, in plain words, a name that cannot be an id
        return name

    def _begin(self, reviewer: str) -> None:
        self.reviewer = reviewer
        self.header.value = (f"<h1>Rupture repair review</h1><p>Reviewing as "
                             f"<strong>{escape(reviewer)}</strong>.</p>")
        from .queue import ReviewQueue

        # the form (two players, the rubric, strategies) is built when first needed: the queue
        # is what a reviewer sees first, and every widget is something the page must build
        self.queue = ReviewQueue(self.catalog, self.taxonomy, open_attempt=self.review_attempt)
        self.queue.on_refresh(self.show_queue)
        self.show_queue()
        self.watch_queue()

    def watch_queue(self, every_s: float = 3.0) -> None:
        """Keep the queue current while it is shown: the app may have been started (a
        pre-heated kernel) before anything was sent, and trainees send at any time."""
        import threading

        def key(items):
            return [(s.trainee_id, s.attempt.id, s.status) for s in items]

        def loop():
            while not self._stop.wait(every_s):
                try:
                    self.exchange.return_notes(self.reviewer)
                    if self.body.children and self.body.children[0] is self.queue:
                        items = self.exchange.queue(self.reviewer)
                        if key(items) != key(self.queue.items):
                            self.queue.show(items)
                except Exception:  # a folder being written; the next look will do
                    continue

        if getattr(self, "_stop", None) is None:
            self._stop = threading.Event()
            threading.Thread(target=loop, daemon=True, name="queue-watch").start()

    def show_queue(self) -> None:
        try:
            self.exchange.return_notes(self.reviewer)  # what they wrote in JupyterLab, too
            self.queue.show(self.exchange.queue(self.reviewer))
        except RuptureError as e:
            self.notice.value = f"<p role='alert'>{escape(str(e))}</p>"
        self.body.children = [self.queue]
        self._focus(self.queue)
        self._remember(view="queue")

    def review_attempt(self, sent) -> None:
        if self.form is None:
            from .form import ReviewForm

            self.form = ReviewForm(self.exchange, self.catalog, self.taxonomy, self.reviewer,
                                   back=self.show_queue)
        self.form.review(sent)
        self.body.children = [self.form]
        self._focus(self.form)
        self._remember(view="attempt", trainee=sent.trainee_id, attempt=sent.attempt.id)


def review_app(**kwargs) -> ReviewApp:
    """The app as notebooks/review.ipynb shows it; keyword arguments as for ReviewApp."""
    return ReviewApp(**kwargs)
