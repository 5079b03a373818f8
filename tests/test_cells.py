"""cells: attempts and feedback rendered as notebook cells, and a notebook someone saved merged back."""
from __future__ import annotations

import json

import nbformat
import pytest

from rupture_widgets.cells import (HEADER_ID, NOTES_MARK, WorkbookState, cell_text, merge_notebook,
                                   notebook_text, workbook_text)
from rupture_widgets.records import SCHEMA_VERSION, feedback_record
from rupture_widgets.taxonomy import load_taxonomy

TAX = load_taxonomy()


def attempt(aid="a1", created="2024-05-01T10:02:03.123Z", **changes):
    rec = {"id": aid, "trainee_id": "alex", "clip_id": "c3-beginner-maya", "marker": "C3",
           "level": "beginner", "created_at": created,
           "recording": f"recordings/{aid}.webm", "duration_s": 12.34, "latency_s": 1.5,
           "speaking_s": None, "status": "complete",
           "self_assessment": {"difficulty": 6, "strategies": ["S3"], "note": "too <fast>"},
           "sent_to": [{"reviewer": "Dr Lee", "role": "supervisor",
                        "at": "2024-05-02T09:00:00.000Z"}]}
    return {**rec, **changes}


def state_with(*events) -> WorkbookState:
    state = WorkbookState()
    for ev in events:
        state.apply(ev)
    return state


def render(state, cache=None) -> nbformat.NotebookNode:
    text = workbook_text("alex", state, TAX, {} if cache is None else cache)
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    return nb


FEEDBACK = feedback_record(TAX, "a1", reviewer="Dr Lee", role="supervisor",
                           ratings={"warmth": 4}, strategies=["S4"],
                           comments=[{"t": 3, "text": "a <good> pause"}], summary="Well done\nagain")


def test_an_attempt_and_its_feedback_as_cells():
    nb = render(state_with({"event": "attempt", "attempt": attempt()},
                           {"event": "feedback", "feedback": FEEDBACK}))
    assert [c.id for c in nb.cells] == [HEADER_ID, "attempt-a1", "feedback-a1"]
    a, f = nb.cells[1], nb.cells[2]
    assert a.source.startswith("### Attempt 1 · C3 Complaint about the activities of therapy · ")
    assert "clip <code>c3-beginner-maya</code> · 2024-05-01 10:02 UTC · 12.3 s long" in a.source
    assert "difficulty **6/10**; intended: S3" in a.source
    assert "“too &lt;fast&gt;”" in a.source  # a trainee's text is escaped, never HTML
    assert "Sent to Dr Lee (supervisor, 2024-05-02 09:00 UTC)" in a.source
    assert 'src="recordings/a1.webm"' in a.source
    assert a.metadata["rupture"] == {"kind": "attempt", "schema_version": SCHEMA_VERSION,
                                     "attempt": attempt()}
    warmth = next(it.label for it in TAX.rubric_items if it.id == "warmth")
    assert f"- Ratings: {warmth.replace('&', '&amp;')} 4/5" in f.source
    assert "- At 0:03.0: a &lt;good&gt; pause" in f.source and "> Well done\n> again" in f.source
    assert f.source.rstrip().endswith(NOTES_MARK)
    assert f.metadata["rupture"]["feedback"] == [FEEDBACK]
    assert nb.metadata["rupture"] == {"kind": "workbook", "schema_version": SCHEMA_VERSION,
                                      "trainee_id": "alex"}


def test_an_incomplete_attempt_without_a_recording():
    nb = render(state_with({"event": "attempt", "attempt": attempt(
        status="incomplete", recording=None, duration_s=None, self_assessment=None,
        sent_to=[])}))
    source = nb.cells[1].source
    assert "**incomplete recording**" in source and "_No recording._" in source
    assert "Self-assessment" not in source and "_No feedback yet._" in nb.cells[2].source


def test_one_cell_per_line_and_only_changed_cells_are_rendered_again():
    state = state_with({"event": "attempt", "attempt": attempt("a1")},
                       {"event": "attempt", "attempt": attempt("a2", "2024-05-01T11:00:00.000Z")})
    cache: dict = {}
    first = workbook_text("alex", state, TAX, cache).splitlines()
    state.apply({"event": "attempt", "attempt": attempt("a2", "2024-05-01T11:00:00.000Z",
                                                        duration_s=99.0)})
    second = workbook_text("alex", state, TAX, cache).splitlines()
    changed = [i for i, (x, y) in enumerate(zip(first, second)) if x != y]
    assert len(first) == len(second) and len(changed) == 1  # a one-line diff
    assert json.loads(second[changed[0]].rstrip(","))["id"] == "attempt-a2"


def test_notebook_text_keeps_the_metadata_and_unicode():
    cell = {"cell_type": "raw", "id": "x", "metadata": {}, "source": "é ✓"}
    text = notebook_text([cell_text(cell)], {"custom": {"a": 1}})
    assert "\n" not in cell_text(cell) and "é ✓" in text
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    assert nb.metadata.custom.a == 1 and nb.nbformat_minor == 5


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


def test_a_persons_broken_cells_are_repaired_just_enough():
    cells = [{"cell_type": "code", "id": "dup", "source": "1"},
             {"cell_type": "markdown", "id": "dup", "source": "2", "outputs": []},
             {"cell_type": "widget", "source": "?"}]
    state = WorkbookState()
    merge_notebook({"cells": cells, "metadata": {}}, state)
    nb = render(state)
    code, md, raw = nb.cells[1:]
    assert code.outputs == [] and code.execution_count is None
    assert md.id != "dup" and "outputs" not in md
    assert raw.cell_type == "raw" and json.loads(raw.source)["cell_type"] == "widget"
