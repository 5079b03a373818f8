"""state: a notebook someone saved, merged back into the records the journal holds."""
from __future__ import annotations

import json

import nbformat
import pytest

from rupture_widgets.workbook.state import WorkbookState, merge_notebook
from rupture_widgets.workbook.cells import HEADER_ID

from _cell_records import FEEDBACK, attempt, render, state_with


def test_a_stale_notebook_cannot_roll_back_the_journal():
    new = attempt(self_assessment={"difficulty": 2, "strategies": [], "note": "later"})
    journal = state_with({"event": "attempt", "attempt": new})
    stale = render(state_with({"event": "attempt", "attempt": attempt()}))  # before the update
    merge_notebook(stale, journal)
    assert journal.attempts["a1"] is new and journal.adopt == [] and journal.foreign == []


def test_records_only_the_notebook_has_are_adopted_and_notes_kept():
    saved = render(state_with({"event": "attempt", "attempt": attempt("a1")},
                              {"event": "feedback", "feedback": FEEDBACK}))
    saved.cells[2].source += "\nAlso: slow down at the start.\n"  # typed below the line
    person = nbformat.v4.new_code_cell("print('mine')")
    saved.cells.insert(2, person)
    state = WorkbookState()  # the journal was lost
    merge_notebook(json.loads(nbformat.writes(saved)), state)
    assert [ev["event"] for ev in state.adopt] == ["attempt", "feedback", "note"]
    assert state.notes["a1"][0]["text"] == "Also: slow down at the start."
    assert [(anchor, cell["id"]) for anchor, cell in state.foreign] == [("attempt-a1", person.id)]
    ids = [c.id for c in render(state).cells]
    assert ids == [HEADER_ID, "attempt-a1", person.id, "feedback-a1"]  # kept where it was put


@pytest.mark.parametrize("bad", [
    {"kind": "attempt", "schema_version": 1, "attempt": {"id": "a9"}},  # fails the schema
    {"kind": "attempt", "schema_version": 99, "attempt": {"id": "a9"}},  # from the future
])
def test_a_cell_with_bad_metadata_is_kept_untouched(bad):
    cell = {"cell_type": "markdown", "id": "attempt-a9", "metadata": {"rupture": bad},
            "source": "hand-made"}
    state = WorkbookState()
    merge_notebook({"cells": [cell, "not a cell"], "metadata": {}}, state)
    assert state.attempts == {} and state.foreign == [(None, cell)]


