"""A trainee takes back an attempt: withdrawn from every reviewer who has not yet returned
feedback on it, kept by one who has (docs/decisions.md #19), and deleted everywhere it can be."""
from __future__ import annotations

import os

import pytest

from _workbook_fixtures import (chunked_webm, jupyterlab_save, read_valid,
                               recorded_attempt)
from rupture_widgets.errors import UnknownAttempt
from rupture_widgets.exchange import Withdrawal, open_exchange
from rupture_widgets.exchange.folder import reviewer_id
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace, paths
from rupture_widgets.workbook.records import feedback_record

TAX = load_taxonomy()


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "workspace")


@pytest.fixture(scope="module")
def answer(tmp_path_factory) -> bytes:
    return chunked_webm(tmp_path_factory.mktemp("a") / "a.webm", seconds=1.0)


def recorded(wb, answer: bytes):
    return recorded_attempt(wb, answer, pieces=2)


def review_of(attempt_id: str, reviewer: str) -> dict:
    return feedback_record(TAX, attempt_id, reviewer=reviewer, role="peer", ratings={},
                           strategies=[], comments=[], summary=f"from {reviewer}")


@pytest.fixture
def sent(ws, answer):
    """One attempt sent to three reviewers: one has not opened it, one has a draft review,
    one has returned feedback (and the trainee has collected it)."""
    ex, alex = open_exchange(ws), ws.workbook("alex", display_name="Alex Morgan")
    a, other = recorded(alex, answer), recorded(alex, answer)
    for who in ("Dr Lee", "Kim Peer", "Sam Rivera"):
        ex.send(alex, a.id, reviewer=who, role="peer")
    ex.send(alex, other.id, reviewer="Dr Lee", role="peer")
    ex.save_draft("Kim Peer", "alex", review_of(a.id, "Kim Peer"))
    ex.return_feedback("Sam Rivera", "alex", review_of(a.id, "Sam Rivera"))
    ex.collect(alex)
    return ex, alex, a, other


def test_withdrawing_takes_it_from_reviewers_who_have_not_returned_it(sent):
    ex, alex, a, other = sent
    lee, kim, sam = (ex.review_workbook(n, "alex") for n in ("Dr Lee", "Kim Peer", "Sam Rivera"))
    linked = [lee.recording_path(a.id), kim.recording_path(a.id)]

    got = ex.withdraw(alex, a.id)

    assert got == Withdrawal(a.id, withdrawn=("dr.lee", "kim.peer"), kept=("sam.rivera",))
    assert [x.id for x in lee.attempts()] == [other.id] and kim.attempts() == []
    assert not any(p.exists() for p in linked)  # the reviewers' links to the recording are gone
    assert [x.id for x in sam.attempts()] == [a.id]  # returned: the reviewer keeps the review
    assert {(s.trainee_id, s.attempt.id) for s in ex.queue("Dr Lee")} == {("alex", other.id)}
    assert ex.queue("Kim Peer") == []
    assert alex.attempt(a.id).sent_to  # withdrawing alone deletes nothing of the trainee's
    for review in (lee, kim):
        assert read_valid(review.path).cells[0].source.startswith("# Review notebook of ")


def test_a_stale_review_notebook_saved_after_the_withdrawal_does_not_bring_it_back(sent):
    ex, alex, a, _ = sent
    kim = ex.review_workbook("Kim Peer", "alex")
    stale = kim.path.read_text("utf-8")  # the reviewer has it open in JupyterLab
    ex.withdraw(alex, a.id)
    jupyterlab_save(kim.path, stale)
    assert ex.queue("Kim Peer") == [] and kim.attempts() == []


def test_a_review_cannot_be_returned_once_withdrawn(sent):
    ex, alex, a, _ = sent
    ex.withdraw(alex, a.id)
    with pytest.raises(UnknownAttempt):
        ex.return_feedback("Kim Peer", "alex", review_of(a.id, "Kim Peer"))


def test_deleting_withdraws_then_deletes_and_returned_feedback_goes_with_it(sent):
    ex, alex, a, other = sent
    own = alex.recording_path(a.id)
    got = ex.delete_attempt(alex, a.id)
    assert got.withdrawn == ("dr.lee", "kim.peer") and got.kept == ("sam.rivera",)
    assert [x.id for x in alex.attempts()] == [other.id] and not own.exists()
    assert alex.was_deleted(a.id)
    assert ex.collect(alex) == [] and alex.attempts() == [alex.attempt(other.id)]
    assert "from Sam Rivera" not in alex.path.read_text("utf-8")  # it went with the attempt
    again = ex.delete_attempt(alex, a.id)  # a re-run (double click, crash) is harmless
    assert again == Withdrawal(a.id, (), ("sam.rivera",))


def test_withdrawing_or_deleting_an_attempt_never_logged_is_a_clear_error(sent):
    ex, alex, _, _ = sent
    with pytest.raises(UnknownAttempt, match="There is no attempt 'nope'"):
        ex.delete_attempt(alex, "nope")
    with pytest.raises(UnknownAttempt):
        ex.withdraw(alex, "nope")


def test_an_attempt_withdrawn_but_kept_can_be_sent_again(sent, answer):
    ex, alex, a, _ = sent
    ex.withdraw(alex, a.id)
    ex.send(alex, a.id, reviewer="Kim Peer", role="peer")
    kim = ex.review_workbook("Kim Peer", "alex")
    assert [x.id for x in kim.attempts()] == [a.id]
    assert os.path.samefile(kim.recording_path(a.id), alex.recording_path(a.id))
    assert paths.recording_file(kim.recordings_dir, a.id).exists()


def test_the_review_notebook_shows_the_trainees_name_as_typed(sent):
    ex, *_ = sent
    assert ex.review_workbook("Dr Lee", "alex").display_name == "Alex Morgan"


@pytest.mark.parametrize("name,rid", [("Dr Sam Rivera", "dr.sam.rivera"), ("Sam.", "sam"),
                                      ("José O'Brien", "jose.obrien"), ("Łukasz", "lukasz")])
def test_reviewer_names_become_ids_as_trainee_names_do(name, rid):
    assert reviewer_id(name) == rid


def test_a_reviewer_name_in_another_script_gets_a_stable_id():
    assert reviewer_id("王小明") == reviewer_id(" 王小明 ") != reviewer_id("王小红")
    assert reviewer_id("王小明").startswith("t-")
