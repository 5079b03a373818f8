"""The exchange: how an attempt travels from a trainee to a reviewer and feedback comes back
(docs/decisions.md #10). Four verbs, one interface, so another transport (a JupyterHub service,
later) can replace the folder without changing the apps:

    send(workbook, attempt_id, reviewer, role)   trainee -> reviewer
    queue(reviewer)                              what a reviewer has been sent
    return_feedback(reviewer, trainee_id, ...)   reviewer -> trainee
    collect(workbook)                            what has come back to a trainee
    withdraw(workbook, attempt_id)               trainee takes back what is not yet reviewed

and ``delete_attempt(workbook, attempt_id)``, the one call the app makes to delete an attempt
(withdraw, then ``Workbook.delete_attempt``; docs/decisions.md #19).

``FolderExchange`` (folder.py) is a folder on this machine, by default ``<workspace>/exchange/``;
``HubExchange`` (hub.py) the same verbs through the JupyterHub-managed exchange service
(service.py), which alone owns such a folder (docs/decisions.md #36).
"""
from __future__ import annotations

import abc
from dataclasses import dataclass

from ..workbook import Attempt, Feedback, Workbook

__all__ = ["Exchange", "Sent", "Withdrawal", "open_exchange"]

STATUSES = ("new", "in review", "returned")


@dataclass(frozen=True)
class Sent:
    """One attempt in a reviewer's queue."""
    trainee_id: str
    reviewer_id: str
    role: str
    attempt: Attempt
    sent_at: str
    status: str  # one of STATUSES


@dataclass(frozen=True)
class Withdrawal:
    """What became of the copies of one attempt when the trainee took it back: reviewer ids it
    was withdrawn from, and those who had already returned feedback and keep their review."""
    attempt_id: str
    withdrawn: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()


class Exchange(abc.ABC):
    @abc.abstractmethod
    def send(self, workbook: Workbook, attempt_id: str, *, reviewer: str, role: str) -> Sent:
        """Deliver one attempt (its record and recording) to a reviewer; only then is it
        marked as sent in the trainee's workbook."""

    @abc.abstractmethod
    def queue(self, reviewer: str) -> list[Sent]:
        """Everything sent to ``reviewer``, newest first. Nobody else's."""

    @abc.abstractmethod
    def statuses(self, trainee_id: str) -> dict[tuple[str, str], str]:
        """Where each attempt a trainee sent stands, by (attempt id, reviewer id): one of
        STATUSES. Only the state, never a reviewer's draft itself."""

    @abc.abstractmethod
    def review_workbook(self, reviewer: str, trainee_id: str) -> Workbook:
        """The per-trainee review notebook of ``reviewer``: the attempts that trainee sent them,
        each with its recording beside it and a feedback cell."""

    @abc.abstractmethod
    def save_draft(self, reviewer: str, trainee_id: str, feedback: dict) -> Feedback:
        """Keep a review being written (a feedback record) with the reviewer only."""

    @abc.abstractmethod
    def return_feedback(self, reviewer: str, trainee_id: str, feedback: dict) -> Feedback:
        """Send a feedback record back to the trainee. Returning a record with the same id
        again replaces the earlier version."""

    @abc.abstractmethod
    def return_notes(self, reviewer: str) -> list[Feedback]:
        """Return what a reviewer wrote in their review notebooks' feedback cells (JupyterLab)."""

    @abc.abstractmethod
    def collect(self, workbook: Workbook) -> list[Feedback]:
        """Merge what came back to this trainee into their workbook, by attempt and feedback
        id; returns the feedback that was new or changed."""

    @abc.abstractmethod
    def withdraw(self, workbook: Workbook, attempt_id: str) -> Withdrawal:
        """Take an attempt back from every reviewer who holds it and has not returned feedback
        on it: their copy (record, recording, any draft review) is deleted. A reviewer who has
        returned feedback keeps their review (docs/decisions.md #19). Works by id, so it can be
        run again after a crash, also once the trainee's own copy is gone."""

    def delete_attempt(self, workbook: Workbook, attempt_id: str) -> Withdrawal:
        """Delete an attempt the trainee does not want kept, everywhere it can be: withdrawn
        from reviewers first, then deleted from the workbook (recording and returned feedback
        with it). The safe order: if anything stops half-way, the trainee still sees the
        attempt and deleting it again finishes the job; no reviewer is left holding a copy the
        trainee was told is gone. Raises UnknownAttempt for an id never logged."""
        if not workbook.was_deleted(attempt_id):
            workbook.attempt(attempt_id)  # UnknownAttempt before anything is touched
        withdrawal = self.withdraw(workbook, attempt_id)
        workbook.delete_attempt(attempt_id)
        return withdrawal


def open_exchange(workspace, root=None) -> Exchange:
    """The exchange for ``workspace``: ``root``, else the hub's exchange service when
    ``$RUPTURE_EXCHANGE_URL`` is set (JupyterHub, docs/hub.md), else ``$RUPTURE_EXCHANGE``,
    else ``<workspace>/exchange``."""
    import os

    from .folder import FolderExchange

    if root is None and os.environ.get("RUPTURE_EXCHANGE_URL"):
        from ..workbook import Workspace
        from .hub import HubExchange

        ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        return HubExchange.from_environment(ws)

    return FolderExchange.for_workspace(workspace, root)
