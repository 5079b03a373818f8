"""The practice app in a workshop: the link's clips in the link's order, the code on attempts.

The workshop comes from the page's query string (``?workshop=CODE&clips=a,b&title=...``,
docs/decisions.md #35), read through workshop.page_query: at once in a kernel started for the
page, on the page's arrival in a pre-heated one. It is read once: the hash changes that follow
(the app's own place in the URL) do not change the link the page was opened with.
"""
from __future__ import annotations

from ...workshop.definition import from_query
from ...workshop import page_query


class WorkshopMode:
    """``app``: the PracticeApp (its ``browser`` and ``workbook`` are set once a trainee is known)."""

    def __init__(self, catalog, query: str | None, app):
        self.catalog, self.app = catalog, app
        self.current = None  # workshop.definition.PageWorkshop, or None for the whole library
        self._read = False
        self._use(query if query is not None else page_query.query_string_now())

    def read_page(self) -> None:
        """On the page's arrival: a pre-heated kernel waits (briefly) for the page's request."""
        if not self._read:
            self._use(page_query.query_string())

    def _use(self, query: str | None) -> None:
        if query is None:  # pre-heated: the page's request has not reached this kernel yet
            return
        self._read = True
        self.current = from_query(query, self.catalog)
        self.apply()

    @property
    def code(self) -> str | None:
        return self.current.code if self.current is not None and self.current.clips else None

    def apply(self) -> None:
        """Show the workshop in the library, and have new attempts carry its code."""
        if self.app.browser is not None and self.current is not None:
            self.app.browser.set_workshop(self.current)
        if self.app.workbook is not None:
            self.app.workbook.workshop = self.code
