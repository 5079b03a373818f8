"""``ImportReport``: what an import added and what it found already there, in plain words.

The apps show the counts ("3 attempts restored"); ``str(report)`` is what the command line
prints and what a facilitator reads after importing a room's bundles.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


@dataclass
class ImportReport:
    bundle: str                 # where it came from: a path, or "" (bytes, an upload)
    kind: str                   # "trainee" or "reviewer"
    owner: str                  # their id
    attempts_added: int = 0     # in the trainee's own workbook
    attempts_present: int = 0
    recordings_added: int = 0   # every folder's
    recordings_present: int = 0
    feedback_ids: set = field(default_factory=set)  # feedback new here: returns or records
    reviews_added: int = 0      # attempts new to a reviewer's review notebook (sent for review)
    notes: list = field(default_factory=list)   # what was kept as it was here, and why
    other_changes: int = 0      # drafts, seen feedback, a person's cells, notes in a notebook

    @property
    def feedback_added(self) -> int:
        """Reviews new here, each counted once (a return and the record it became when
        collected are one review)."""
        return len(self.feedback_ids)

    @property
    def changed(self) -> bool:
        return bool(self.attempts_added or self.recordings_added or self.feedback_added
                    or self.reviews_added or self.other_changes)

    def __str__(self) -> str:
        who = f"{self.kind} {self.owner}"
        source = f" ({self.bundle})" if self.bundle else ""
        if not self.changed and not self.notes:
            return (f"Nothing to import from the bundle of {who}{source}: everything in it is "
                    "here already.")
        lines = [f"Imported the bundle of {who}{source}." if self.changed else
                 f"Nothing new from the bundle of {who}{source}; some of it differs from "
                 "what is here:"]
        if self.attempts_added or self.attempts_present:
            lines.append(f"  Attempts: {self.attempts_added} added, {self.attempts_present} "
                         "already here.")
        if self.recordings_added or self.recordings_present:
            lines.append(f"  Recordings: {self.recordings_added} added, "
                         f"{self.recordings_present} already here.")
        if self.feedback_added:
            lines.append(f"  Feedback: {_n(self.feedback_added, 'review')} added.")
        if self.reviews_added:
            lines.append(f"  Sent for review: {_n(self.reviews_added, 'attempt')} added to "
                         "review notebooks.")
        for note in self.notes:
            lines.append(f"  Kept as it was: {note}")
        return "\n".join(lines)
