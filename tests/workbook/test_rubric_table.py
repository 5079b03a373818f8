"""rubric_table: the rubric scored in a markdown table below the line of a feedback cell, saved
by JupyterLab and read back as ratings, with plain messages for scores that cannot count."""
from __future__ import annotations

import json
import logging

import nbformat
import pytest

from _cell_records import FEEDBACK, TAX, attempt, render, state_with
from _workbook_fixtures import ATTEMPT, cells_by_id, jupyterlab_save, read_valid
from rupture_widgets.workbook import NOTES_MARK, Workspace
from rupture_widgets.workbook.records import validate_record
from rupture_widgets.workbook.rubric_table import blank_table, read_note
from rupture_widgets.workbook.state import WorkbookState, merge_notebook

LABEL = {it.id: it.label for it in TAX.rubric_items}
RANGE = f"from {TAX.rubric_min} to {TAX.rubric_max}"


@pytest.fixture
def wb(tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return Workspace(tmp_path / "workspace").workbook("alex")


def fill(table: str, scores: dict[str, str]) -> str:
    """The blank table with scores typed into it, the way a person edits the cell."""
    for item, score in scores.items():
        row = f"| {LABEL.get(item, item)} | |"
        assert row in table or item not in LABEL
        table = table.replace(row, f"| {LABEL.get(item, item)} | {score} |")
    return table


def save_with_note(wb, attempt_id: str, edit) -> None:
    """Open the workbook, change the text below the line, save it as JupyterLab does."""
    nb = nbformat.read(str(wb.path), as_version=4)
    cell = cells_by_id(nb)[f"feedback-{attempt_id}"]
    head, below = cell.source.split(NOTES_MARK)
    cell.source = head + NOTES_MARK + "\n" + edit(below.strip()) + "\n"
    jupyterlab_save(wb.path, nbformat.writes(nb))  # re-indented, source split into lines


def note_events(wb) -> list[dict]:
    return [e for e in map(json.loads, wb.journal_path.read_text().splitlines())
            if e["event"] == "note"]


# -- render ---------------------------------------------------------------------------------------

def test_a_feedback_cell_without_a_note_ends_with_the_blank_table():
    nb = render(state_with({"event": "attempt", "attempt": attempt()}))
    source = nb.cells[2].source
    assert source.endswith(NOTES_MARK + "\n" + blank_table(TAX) + "\n")
    below = source.split(NOTES_MARK)[1]
    assert f"| Rubric item (score {TAX.rubric_min}–{TAX.rubric_max}) | Score |" in below
    for it in TAX.rubric_items:
        assert f"| {it.label} | |" in below
    assert "_No feedback yet._" in source
    assert read_note(below.strip(), TAX).text == ""  # the blank table is nobody's note
    # Merged back untouched (also after a JupyterLab save), it makes no note.
    state = state_with({"event": "attempt", "attempt": attempt()})
    merge_notebook(json.loads(nbformat.writes(nb)), state)
    assert state.notes == {} and state.adopt == []


def test_a_cell_with_feedback_also_offers_the_table_until_there_is_a_note():
    state = state_with({"event": "attempt", "attempt": attempt()},
                       {"event": "feedback", "feedback": FEEDBACK})
    assert render(state).cells[2].source.endswith(blank_table(TAX) + "\n")
    state.apply({"event": "note", "attempt_id": "a1", "text": "Mine", "at": FEEDBACK["created_at"]})
    source = render(state).cells[2].source
    assert source.endswith(NOTES_MARK + "\nMine\n") and "Rubric item" not in source


# -- read -----------------------------------------------------------------------------------------

def test_read_note_takes_labels_or_ids_in_any_case_and_emphasis():
    text = ("Good pacing.\n\n| Rubric item (score 1–5) | Score |\n|:---|---:|\n"
            "|  **EMPATHY**  |  4 |\n| rupture_repair | 3/5\n| Hope & positive expectations | "
            "`2` |\n| Warmth, acceptance &amp; understanding | |\n\nSee you Tuesday.")
    read = read_note(text, TAX)
    assert read.ratings == {"empathy": 4, "rupture_repair": 3, "hope": 2}
    assert read.problems == () and read.text == text.strip()
    assert read.summary == "Good pacing.\n\n\nSee you Tuesday."


def test_a_reviewers_own_table_is_just_text():
    text = "| Moment | What |\n|---|---|\n| 0:10 | a good pause |"
    read = read_note(text, TAX)
    assert read.ratings == {} and read.problems == () and read.summary == read.text == text


# -- JupyterLab round trip ------------------------------------------------------------------------

def test_scores_typed_in_jupyterlab_become_ratings(wb):
    a, other = wb.log_attempt(**ATTEMPT), wb.log_attempt(**ATTEMPT)
    save_with_note(wb, a.id, lambda table: "Lovely warmth.\n\n" + fill(table, {
        "empathy": "4", "warmth": "5", "verbal_fluency": " 3/5 "}))
    [fb] = wb.feedback(a.id)  # a read already sees it
    assert fb.role == "notebook" and fb.reviewer == "(written in the notebook)"
    assert fb.ratings == {"empathy": 4, "warmth": 5, "verbal_fluency": 3}
    assert fb.summary == "Lovely warmth."
    assert wb.feedback(other.id) == []  # the other cell's untouched table is no feedback

    wb.log_attempt(**ATTEMPT)  # the next write journals the note and renders the cell again
    [ev] = note_events(wb)
    assert ev["ratings"] == fb.ratings and ev["problems"] == []
    cell = cells_by_id(read_valid(wb.path))[f"feedback-{a.id}"]
    assert f"| {LABEL['empathy']} | 4 |" in cell.source  # the table as the reviewer typed it
    assert "⚠" not in cell.source and "_No feedback yet._" not in cell.source
    validate_record("feedback_cell", cell.metadata["rupture"], "test")
    assert cell.metadata["rupture"]["notes"][0]["ratings"] == fb.ratings
    jupyterlab_save(wb.path, nbformat.writes(read_valid(wb.path)))  # saved again, unchanged
    wb.repair()
    [again] = wb.feedback(a.id)
    assert len(note_events(wb)) == 1 and (again.ratings, again.summary) == (fb.ratings, fb.summary)


BAD = [("empathy", "7"), ("empathy", "four"), ("empathy", "3.5"), ("empathy", "0"),
       ("empathy", "4/10")]


@pytest.mark.parametrize("item,score", BAD)
def test_a_bad_score_is_reported_and_the_rest_still_counts(wb, caplog, item, score):
    a = wb.log_attempt(**ATTEMPT)
    save_with_note(wb, a.id, lambda table: fill(table, {item: score, "warmth": "4"})
                   + "\n\nThe rest is fine.")
    with caplog.at_level(logging.WARNING, logger="rupture_widgets.workbook.state"):
        [fb] = wb.feedback(a.id)
    message = (f"Score for {LABEL[item]} must be a whole number {RANGE} (got {score!r}); "
               "it was not counted.")
    assert message in caplog.text
    assert fb.ratings == {"warmth": 4} and fb.summary == "The rest is fine."
    wb.repair()
    [ev] = note_events(wb)
    assert ev["problems"] == [message] and f"| {LABEL[item]} | {score} |" in ev["text"]
    cell = cells_by_id(read_valid(wb.path))[f"feedback-{a.id}"]
    above, below = cell.source.split(NOTES_MARK)
    assert "⚠ Score for " + LABEL[item] in above and "whole number " + RANGE in above
    assert below.strip() == ev["text"]  # nothing typed is lost

    # Corrected and saved again: the score counts and the warning goes.
    save_with_note(wb, a.id, lambda text: text.replace(f"| {score} |", "| 3 |"))
    wb.repair()
    assert wb.feedback(a.id)[0].ratings == {"warmth": 4, item: 3}
    assert "⚠" not in cells_by_id(read_valid(wb.path))[f"feedback-{a.id}"].source


def test_an_unknown_row_is_reported_naming_the_items_and_range():
    table = blank_table(TAX) + "\n| Humour | 4 |\n| Patience | |"
    read = read_note(fill(table, {"hope": "2"}), TAX)
    assert read.ratings == {"hope": 2}
    [problem] = read.problems  # an unknown row left empty is not a problem
    assert "'Humour' is not a rubric item" in problem and "'4'" in problem and LABEL["empathy"] in problem and RANGE in problem


def test_scores_only_and_only_bad_scores_are_still_a_note():
    only = read_note(fill(blank_table(TAX), {"empathy": "5"}), TAX)
    assert only.ratings == {"empathy": 5} and only.summary == "" and only.text
    bad = read_note(fill(blank_table(TAX), {"empathy": "5+"}), TAX)
    assert bad.ratings == {} and bad.text and len(bad.problems) == 1


def test_a_note_without_a_table_works_as_before(wb):
    a = wb.log_attempt(**ATTEMPT)
    save_with_note(wb, a.id, lambda table: "Slow down at the start.")
    wb.repair()
    [fb] = wb.feedback(a.id)
    assert (fb.summary, fb.ratings) == ("Slow down at the start.", {})
    cell = cells_by_id(read_valid(wb.path))[f"feedback-{a.id}"]
    assert cell.source.endswith(NOTES_MARK + "\nSlow down at the start.\n")


# -- who wrote it ---------------------------------------------------------------------------------

def test_the_jupyterhub_user_is_the_reviewer_and_survives_a_lost_journal(wb, monkeypatch):
    a = wb.log_attempt(**ATTEMPT)
    save_with_note(wb, a.id, lambda table: fill(table, {"empathy": "4"}))
    monkeypatch.setenv("JUPYTERHUB_USER", "dr.kim")
    wb.repair()
    assert wb.feedback(a.id)[0].reviewer == "dr.kim"
    monkeypatch.setenv("JUPYTERHUB_USER", "someone-else")
    wb.journal_path.unlink()  # rebuilt from the notebook's metadata: still Dr Kim's
    wb.repair()
    [fb] = wb.feedback(a.id)
    assert fb.reviewer == "dr.kim" and fb.ratings == {"empathy": 4}


def test_the_trainees_own_hub_user_is_not_taken_for_the_reviewer(wb, monkeypatch):
    a = wb.log_attempt(**ATTEMPT)
    save_with_note(wb, a.id, lambda table: "Looks good.")
    monkeypatch.setenv("JUPYTERHUB_USER", "alex")  # the trainee's own app doing the merge
    assert wb.feedback(a.id)[0].reviewer == "(written in the notebook)"


# -- older files ----------------------------------------------------------------------------------

def test_an_older_journal_and_notebook_without_the_new_keys_load(wb):
    a = wb.log_attempt(**ATTEMPT)
    old = {"v": 1, "at": "2024-05-01T10:00:00.000Z", "event": "note", "attempt_id": a.id,
           "text": "Old note."}
    with open(wb.journal_path, "a", encoding="utf-8") as f:
        f.write(json.dumps(old) + "\n")
    [fb] = wb.feedback(a.id)
    assert (fb.summary, fb.ratings, fb.reviewer) == ("Old note.", {}, "(written in the notebook)")
    wb.repair()
    cell = cells_by_id(read_valid(wb.path))[f"feedback-{a.id}"]
    assert cell.metadata["rupture"]["notes"] == [{"text": "Old note.", "at": old["at"]}]
    validate_record("feedback_cell", cell.metadata["rupture"], "test")
    wb.journal_path.unlink()  # only the older notebook is left: adopted, schema-checked
    wb.repair()
    assert [f.summary for f in wb.feedback(a.id)] == ["Old note."]


def test_an_older_notebook_cell_with_a_plain_note_merges():
    state = state_with({"event": "attempt", "attempt": attempt()},
                       {"event": "note", "attempt_id": "a1", "text": "Plain.",
                        "at": "2024-05-01T10:00:00.000Z"})
    nb = json.loads(nbformat.writes(render(state)))
    fresh = WorkbookState()
    merge_notebook(nb, fresh)
    [note] = fresh.notes["a1"]
    assert (note["text"], note["at"], note["ratings"]) == ("Plain.", "2024-05-01T10:00:00.000Z", {})
