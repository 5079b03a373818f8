"""cells: attempts and feedback rendered as notebook cells."""
from __future__ import annotations

import json

import nbformat

from rupture_widgets.workbook.cells import (HEADER_ID, NOTES_MARK, cell_text, notebook_text,
                                            workbook_text)
from rupture_widgets.workbook.state import WorkbookState, merge_notebook
from rupture_widgets.workbook.records import SCHEMA_VERSION

from rupture_widgets.workbook.rubric_table import blank_table

from _cell_records import FEEDBACK, TAX, attempt, render, state_with


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
    assert "- At 0:03.0: a &lt;good&gt; pause" in f.source and "> Well done<br>again" in f.source
    # below the line: the blank rubric table a reviewer can fill in JupyterLab
    assert f.source.endswith(NOTES_MARK + "\n" + blank_table(TAX) + "\n")
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
