"""A clip's trainer note, as both apps show it: to the trainee once they have answered the clip
(never before, like the example responses), and to every reviewer of an answer to it."""
from __future__ import annotations

from html import escape


def trainer_note_html(clip) -> str:
    """The note as a labelled aside, or "" for a clip without one."""
    note = getattr(clip, "trainer_note", "")
    if not note:
        return ""
    return ("<aside class='rw-trainer-note' role='note' aria-label='Trainer note'>"
            f"<h4>Trainer note</h4><p>{escape(note)}</p></aside>")
