"""Which returned feedback the trainee has seen, so the practice app can mark what is new.

A small file beside the workbook (``paths.SEEN``), not the notebook: it is the trainee's own
reading state, not part of the record a reviewer annotates. Each feedback is remembered by a
fingerprint of its whole record, so a review edited and returned again is new again. Losing the
file only makes old feedback look new once more.
"""
from __future__ import annotations

import hashlib

from ..storage import NotJSON, atomic_write_text, dumps, parse_json
from . import paths


def fingerprint(feedback) -> str:
    return hashlib.sha256(dumps(feedback.to_record(), sort_keys=True).encode()).hexdigest()[:20]


def _seen(workbook) -> set[str]:
    try:
        data = parse_json(paths.TraineeFolder(workbook.dir).seen.read_bytes())
    except (OSError, NotJSON):
        return set()
    return {x for x in data if isinstance(x, str)} if isinstance(data, list) else set()


def unseen(workbook, feedback: list) -> list:
    """The items of ``feedback`` the trainee has not seen yet."""
    seen = _seen(workbook)
    return [f for f in feedback if fingerprint(f) not in seen]


def mark_seen(workbook, feedback: list) -> None:
    new = {fingerprint(f) for f in feedback} - (seen := _seen(workbook))
    if new:
        atomic_write_text(paths.TraineeFolder(workbook.dir).seen, dumps(sorted(seen | new)))


def clips_with_unseen(workbook) -> set[str]:
    """Clip ids with feedback the trainee has not seen (for the clip cards)."""
    seen = _seen(workbook)
    return {a.clip_id for a in workbook.attempts()
            if any(fingerprint(f) not in seen for f in workbook.feedback(a.id))}


def merge_in(workbook, data: bytes) -> int:
    """What a copy of this folder (a bundle) had seen, added to what was seen here; returns
    how many were new. An unreadable copy adds nothing (it only makes old feedback look new)."""
    try:
        incoming = parse_json(data)
    except NotJSON:
        return 0
    new = ({x for x in incoming if isinstance(x, str)} if isinstance(incoming, list) else set()
           ) - (seen := _seen(workbook))
    if new:
        atomic_write_text(paths.TraineeFolder(workbook.dir).seen, dumps(sorted(seen | new)))
    return len(new)
