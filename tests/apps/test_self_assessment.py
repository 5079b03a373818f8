"""The self-assessment form: nothing a trainee typed is lost, and every refusal is in plain words."""
from __future__ import annotations

from pathlib import Path

import pytest

from rupture_widgets.apps.practice import PracticeApp
from test_practice_app import answer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def session(workspace, catalog, monkeypatch):
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("RUPTURE_TRAINEE", raising=False)
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex")
    app.practise(catalog.get("c3-beginner-maya"))
    return app.session


def test_an_unsaved_self_assessment_is_saved_when_the_next_answer_arrives(session, webm_3s):
    answer(session, webm_3s)
    first = session.workbook.attempts()[0]
    form = session.assessment
    form.difficulty.value = "6"
    form.strategies["S3"].value = True
    form.note.value = "I rushed the apology"
    answer(session, webm_3s)  # never pressed Save
    assert session.workbook.attempt(first.id).self_assessment == {
        "difficulty": 6, "strategies": ["S3"], "note": "I rushed the apology"}
    assert form.attempt_id != first.id and form.note.value == ""
    assert "previous answer was saved" in form.message.value


def test_a_saved_form_is_not_saved_again(session, webm_3s):
    answer(session, webm_3s)
    form = session.assessment
    form.difficulty.value = "3"
    form._submit()
    answer(session, webm_3s)
    assert form.message.value == "" and form.back_to_draft.layout.display == "none"


def test_a_note_without_a_difficulty_is_kept_as_a_draft(session, webm_3s):
    answer(session, webm_3s)
    first = session.workbook.attempts()[0]
    form = session.assessment
    form.note.value = "the silence felt long"
    answer(session, webm_3s)
    second = form.attempt_id
    assert session.workbook.attempt(first.id).self_assessment is None
    assert "not saved" in form.message.value and "no difficulty" in form.message.value
    assert form.back_to_draft.layout.display is None and form.note.value == ""

    form.difficulty.value = "2"  # the new answer's form, part-filled: kept when switching back
    form.back_to_draft.click()
    assert form.attempt_id == first.id and form.note.value == "the silence felt long"
    form.difficulty.value = "7"
    form._submit()
    assert session.workbook.attempt(first.id).self_assessment["note"] == "the silence felt long"
    form.back_to_draft.click()
    assert form.attempt_id == second and form.difficulty.value == "2"
    assert form.back_to_draft.layout.display == "none"


def test_a_note_that_is_too_long_is_refused_in_plain_words_and_kept(session, webm_3s):
    answer(session, webm_3s)
    form = session.assessment
    form.difficulty.value = "5"
    form.note.value = "x" * 10_412
    form._submit()
    assert "the note is 10,412 characters; keep it to 10,000 or fewer" in form.message.value
    assert "role='alert'" in form.message.value and "exactly by one" not in form.message.value
    assert form.note.value == "x" * 10_412  # nothing typed is thrown away
    aid = form.attempt_id
    answer(session, webm_3s)  # switching keeps it as a draft, since it cannot be saved
    assert form.drafts[aid][1][2] == "x" * 10_412 and "10,412" in form.message.value


def test_send_for_feedback_shows_workbook_errors(session, webm_3s):
    answer(session, webm_3s)
    send = session.history.form
    send.ask("no-such-attempt", 1)
    send.reviewer.value = "Dr Lee"
    send._submit()
    assert "Not sent: There is no attempt &#x27;no-such-attempt&#x27;" in send.message.value


def test_the_name_box_shows_why_a_workbook_cannot_be_opened(workspace, catalog, monkeypatch):
    from rupture_widgets.errors import CorruptWorkbook

    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("RUPTURE_TRAINEE", raising=False)
    app = PracticeApp(workspace=workspace, catalog=catalog)
    gate = app.body.children[0]

    def refuse(trainee_id):
        raise CorruptWorkbook.unreadable("workbook.ipynb", "disk trouble")

    gate._open_workbook = refuse
    gate.name.value = "Alex"
    gate.submit()
    assert "could not be read (disk trouble)" in gate.problem.value and app.workbook is None


def test_a_note_that_is_not_valid_unicode_is_refused_in_plain_words_and_kept(session, webm_3s):
    answer(session, webm_3s)
    form = session.assessment
    form.difficulty.value = "4"
    form.note.value = "I froze \ud83d"  # half an emoji: what a broken paste can leave
    form._submit()
    assert "not valid Unicode" in form.message.value and "role='alert'" in form.message.value
    assert form.note.value == "I froze \ud83d"
    aid = form.attempt_id
    answer(session, webm_3s)  # moving on keeps it as a draft rather than losing it
    assert form.drafts[aid][1][2] == "I froze \ud83d"
    assert "not valid Unicode" in form.message.value
