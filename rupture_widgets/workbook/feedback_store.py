"""The workbook's feedback: a reviewer's records, and the notes typed into a feedback cell.

Split from ``store`` (a mixin of ``Workbook``, using its ``_read``/``_write``): feedback is
written by the review app and the exchange, never by the trainee's own practice loop.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import UnknownAttempt
from ..taxonomy import load_taxonomy
from .records import Feedback, feedback_record, validate_record
from .state import WorkbookState

#: The reviewer of a note typed into the notebook when nobody knows who typed it.
UNKNOWN_NOTE_AUTHOR = "(written in the notebook)"


class FeedbackRecords:
    """The feedback half of ``Workbook``."""
    def add_feedback(self, attempt_id: str, *, reviewer: str, role: str, ratings=None,
                     strategies=(), comments=(), summary: str = "") -> Feedback:
        rec = feedback_record(load_taxonomy(), attempt_id, reviewer=reviewer, role=role,
                              ratings=ratings, strategies=strategies, comments=comments,
                              summary=summary)

        def change(state: WorkbookState) -> list[dict]:
            if attempt_id not in state.attempts:
                raise UnknownAttempt.named(attempt_id, self.path)
            return [{"event": "feedback", "feedback": rec}]

        self._write(change)
        return Feedback.from_record(rec)

    def put_feedback(self, record: dict) -> bool:
        """Store a feedback record as it is, by its id: a new one is added, one with a known id
        replaces the earlier version (a review edited and returned again). Returns whether
        anything changed. Used by the exchange to bring returned feedback home."""
        where = f"{record.get('id')!r} for attempt {record.get('attempt_id')!r}"
        validate_record("feedback", record, where)
        rec = dict(record)
        changed: list[bool] = []

        def change(state: WorkbookState) -> list[dict]:
            if rec["attempt_id"] not in state.attempts:
                raise UnknownAttempt.named(rec["attempt_id"], self.path)
            if state.feedback.get(rec["attempt_id"], {}).get(rec["id"]) == rec:
                return []
            changed.append(True)
            return [{"event": "feedback", "feedback": rec}]

        if self._read().feedback.get(rec["attempt_id"], {}).get(rec["id"]) == rec:
            return False  # nothing new: no lock, no write
        self._write(change)
        return bool(changed)

    def feedback(self, attempt_id: str) -> list[Feedback]:
        """Feedback in the order given; text typed into the notebook comes last (role 'notebook'):
        its rubric table's scores as ratings, the text outside the table as the summary."""
        state = self._read()
        if attempt_id not in state.attempts:
            raise UnknownAttempt.named(attempt_id, self.path)
        return _feedback_in(state, attempt_id)



def feedback_in(state: WorkbookState, attempt_id: str) -> list[Feedback]:
    """``Workbook.feedback`` from a state already read (``Workbook.snapshot``)."""
    return _feedback_in(state, attempt_id)


def _feedback_in(state: WorkbookState, attempt_id: str) -> list[Feedback]:
    out = [Feedback.from_record(r) for r in state.feedback.get(attempt_id, {}).values()]
    notes = state.notes.get(attempt_id)
    if notes and notes[-1]["text"].strip():
        from .rubric_table import read_note  # (only for a note, not for each of 13,000 reviews)

        note = notes[-1]
        # Read from the text against today's rubric, so a note journaled before notes had
        # "ratings" gets them too, and a rubric item since removed is never returned.
        read = read_note(note["text"], load_taxonomy())
        out.append(Feedback(id=f"note-{attempt_id}", attempt_id=attempt_id,
                            reviewer=note.get("reviewer") or UNKNOWN_NOTE_AUTHOR,
                            role="notebook", created_at=note["at"], ratings=read.ratings,
                            summary=read.summary))
    return out


@dataclass(frozen=True)
class Records:
    """What ``Workbook.records`` returns: the records themselves, as the store holds them.

    ``attempts`` are attempt records (dicts, in the order ``attempts()`` gives) and
    ``feedback`` holds ``Feedback`` for the attempts that have some (a note typed into the
    notebook last, as ``feedback()`` returns it). The dicts are the store's own, shared with
    its read cache: read them, never change them."""
    display_name: str
    attempts: list
    feedback: dict


def records_of(state: WorkbookState, trainee_id: str) -> Records:
    """``Workbook.records`` of a state already read (also of one ``reflected`` read)."""
    attempts = state.ordered_attempts()
    with_feedback = {aid for aid, fb in state.feedback.items() if fb} | set(state.notes)
    feedback = {}
    for rec in attempts:
        if rec["id"] in with_feedback:
            found = _feedback_in(state, rec["id"])
            if found:
                feedback[rec["id"]] = found
    return Records(state.display_name or trainee_id, attempts, feedback)
