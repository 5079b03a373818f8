"""The folder exchange: an attempt sent reaches its reviewer (recording linked, never copied on
one filesystem), feedback returned comes home merged by id, and nobody sees what is not theirs."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
import time

import pytest

from _workbook_fixtures import (ATTEMPT, chunked_webm, jupyterlab_save, read_valid,
                               recorded_attempt)
from rupture_widgets.errors import ExchangeError, InvalidRecord, InvalidTraineeId, UnknownAttempt
from rupture_widgets.exchange import open_exchange
from rupture_widgets.exchange.folder import FolderExchange, reviewer_id
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.records import feedback_record

TAX = load_taxonomy()


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "workspace")


@pytest.fixture(scope="module")
def answer(tmp_path_factory) -> bytes:
    return chunked_webm(tmp_path_factory.mktemp("a") / "a.webm", seconds=2.0)


def recorded(wb, answer: bytes):
    return recorded_attempt(wb, answer, pieces=3)


def review_of(attempt_id: str, reviewer="Dr Sam Rivera", role="supervisor", **kw) -> dict:
    return feedback_record(TAX, attempt_id, reviewer=reviewer, role=role,
                           ratings=kw.get("ratings", {"empathy": 4}),
                           strategies=kw.get("strategies", ["S4"]),
                           comments=kw.get("comments", [{"t": 1.5, "text": "Good pause."}]),
                           summary=kw.get("summary", "Warm and clear."))


def test_sending_delivers_the_attempt_and_its_recording_without_copying(ws, answer):
    alex = ws.workbook("alex")
    a = recorded(alex, answer)
    ex = open_exchange(ws)
    assert ex.root == ws.root / "exchange"
    sent = ex.send(alex, a.id, reviewer="Dr Sam Rivera", role="supervisor")
    assert (sent.trainee_id, sent.reviewer_id, sent.status) == ("alex", "dr.sam.rivera", "new")
    review = ex.review_workbook("Dr Sam Rivera", "alex")
    copy = review.recording_path(a.id)
    assert os.path.samefile(copy, alex.recording_path(a.id))  # a hard link: no bytes copied
    assert review.attempt(a.id).self_assessment == a.self_assessment
    assert alex.attempt(a.id).sent_to[0]["reviewer"] == "Dr Sam Rivera"
    read_valid(review.path)  # a notebook the reviewer can open in JupyterLab


def test_nothing_is_marked_sent_when_delivery_fails(ws):
    alex = ws.workbook("alex")
    a = alex.log_attempt(**ATTEMPT)  # no recording
    with pytest.raises(ExchangeError, match="no recording"):
        open_exchange(ws).send(alex, a.id, reviewer="Dr Lee", role="peer")
    assert alex.attempt(a.id).sent_to == ()


def test_across_filesystems_the_recording_is_copied_and_checked(ws, answer, tmp_path):
    disk = tmp_path / "volume"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], check=True)
    try:
        alex = ws.workbook("alex")
        a = recorded(alex, answer)
        ex = FolderExchange(disk / "exchange")
        ex.send(alex, a.id, reviewer="Dr Lee", role="instructor")
        copy = ex.review_workbook("Dr Lee", "alex").recording_path(a.id)
        assert not os.path.samefile(copy, alex.recording_path(a.id))
        assert copy.read_bytes() == alex.recording_path(a.id).read_bytes()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_reviewer_sees_only_what_was_sent_to_them(ws, answer):
    ex = open_exchange(ws)
    alex, bo = ws.workbook("alex"), ws.workbook("bo")
    a1, a2, b1 = recorded(alex, answer), recorded(alex, answer), recorded(bo, answer)
    ex.send(alex, a1.id, reviewer="Dr Lee", role="supervisor")
    ex.send(bo, b1.id, reviewer="Dr Lee", role="supervisor")
    ex.send(alex, a2.id, reviewer="Kim Peer", role="peer")
    assert {(s.trainee_id, s.attempt.id) for s in ex.queue("Dr Lee")} == {("alex", a1.id),
                                                                          ("bo", b1.id)}
    assert [(s.attempt.id, s.role) for s in ex.queue("Kim Peer")] == [(a2.id, "peer")]
    assert ex.queue("Nobody Yet") == []
    assert [s.sent_at for s in ex.queue("Dr Lee")] == sorted(
        (s.sent_at for s in ex.queue("Dr Lee")), reverse=True)


def test_returned_feedback_comes_home_and_returning_again_updates_it(ws, answer):
    ex = open_exchange(ws)
    alex = ws.workbook("alex")
    a = recorded(alex, answer)
    ex.send(alex, a.id, reviewer="Dr Lee", role="supervisor")
    draft = review_of(a.id, reviewer="Dr Lee")
    ex.save_draft("Dr Lee", "alex", draft)
    assert [s.status for s in ex.queue("Dr Lee")] == ["in review"]
    assert ex.collect(alex) == [] and alex.feedback(a.id) == []  # a draft stays with the reviewer
    ex.return_feedback("Dr Lee", "alex", draft)
    assert [s.status for s in ex.queue("Dr Lee")] == ["returned"]
    [got] = ex.collect(alex)
    assert (got.id, got.reviewer, got.role, got.comments[0]["t"]) == (
        draft["id"], "Dr Lee", "supervisor", 1.5)
    assert ex.collect(alex) == []  # nothing new: nothing written
    edited = {**draft, "summary": "Warm, clear, and you named the rupture."}
    ex.return_feedback("Dr Lee", "alex", edited)
    ex.collect(alex)
    assert [f.summary for f in alex.feedback(a.id)] == [edited["summary"]]  # one, updated
    read_valid(alex.path)


def test_two_reviewers_returning_while_the_trainee_practises_lose_nothing(ws, answer):
    """...and while a stale copy of the workbook is saved over it, as JupyterLab does."""
    ex = open_exchange(ws)
    alex = ws.workbook("alex")
    a = recorded(alex, answer)
    for who in ("Dr Lee", "Kim Peer"):
        ex.send(alex, a.id, reviewer=who, role="peer")
    reviews = [review_of(a.id, reviewer=who, role="peer") for who in ("Dr Lee", "Kim Peer")]
    errors: list[BaseException] = []

    def run(fn):
        try:
            fn()
        except BaseException as e:  # surfaced below
            errors.append(e)

    jobs = [threading.Thread(target=run, args=(lambda r=r: (
                ex.return_feedback(r["reviewer"], "alex", r),
                ex.collect(Workspace(ws.root).workbook("alex"))),)) for r in reviews]
    jobs.append(threading.Thread(target=run, args=(lambda: [
        Workspace(ws.root).workbook("alex").log_attempt(**ATTEMPT) for _ in range(10)],)))
    stale = alex.path.read_bytes()  # a JupyterLab tab opened before any of this

    def save_stale_copy():
        for _ in range(5):
            jupyterlab_save(alex.path, stale)  # "Overwrite" with what the tab still shows
            time.sleep(0.01)
    jobs.append(threading.Thread(target=run, args=(save_stale_copy,)))
    for j in jobs:
        j.start()
    for j in jobs:
        j.join()
    assert not errors
    ex.collect(alex)
    alex.repair()  # the next write after the last stale save restores what the journal knows
    assert {f.reviewer for f in alex.feedback(a.id)} == {"Dr Lee", "Kim Peer"}
    assert len(alex.attempts()) == 11
    read_valid(alex.path)


def test_ids_that_try_to_leave_the_exchange_are_refused(ws, answer):
    ex = open_exchange(ws)
    alex = ws.workbook("alex")
    a = recorded(alex, answer)
    for bad in ("../bob", "..", "/etc", "a/b"):
        with pytest.raises(InvalidTraineeId):
            ex.review_workbook("Dr Lee", bad)
        with pytest.raises(InvalidTraineeId):
            ex.collect(Workspace(ws.root).workbook(bad))
    assert reviewer_id("../../etc") == "etc"  # a name is made an id, never a path
    with pytest.raises(ExchangeError):
        reviewer_id("../..")
    bad = {**review_of(a.id), "id": "../../x"}
    ex.send(alex, a.id, reviewer="Dr Lee", role="peer")
    with pytest.raises(InvalidRecord):
        ex.return_feedback("Dr Lee", "alex", bad)
    assert not (ws.root / "x.json").exists() and not (ws.root / "exchange" / "x.json").exists()


def test_a_trainee_collects_only_their_own_returns(ws, answer):
    ex = open_exchange(ws)
    alex, bo = ws.workbook("alex"), ws.workbook("bo")
    a, b = recorded(alex, answer), recorded(bo, answer)
    ex.send(alex, a.id, reviewer="Dr Lee", role="peer")
    ex.send(bo, b.id, reviewer="Dr Lee", role="peer")
    ex.return_feedback("Dr Lee", "bo", review_of(b.id, reviewer="Dr Lee", role="peer"))
    assert ex.collect(alex) == []
    assert [f.attempt_id for f in ex.collect(bo)] == [b.id]
    with pytest.raises(UnknownAttempt):
        alex.feedback(b.id)


def test_no_folder_of_the_exchange_is_writable_by_others(ws, answer):
    ex = open_exchange(ws)
    alex = ws.workbook("alex")
    a = recorded(alex, answer)
    ex.send(alex, a.id, reviewer="Dr Lee", role="peer")
    ex.return_feedback("Dr Lee", "alex", review_of(a.id, reviewer="Dr Lee", role="peer"))
    folders = [p for p in ex.root.rglob("*") if p.is_dir()] + [ex.root]
    assert folders and all(not p.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH) for p in folders)
    for top in (ex.root, ex.root / "inbox", ex.root / "returns"):
        assert stat.S_IMODE(top.stat().st_mode) == 0o700
    envelope = json.loads(next((ex.root / "returns" / "alex").glob("*.json")).read_text())
    assert envelope["reviewer_id"] == "dr.lee" and envelope["feedback"]["reviewer"] == "Dr Lee"


def test_a_trainee_learns_where_their_attempts_stand_and_nothing_of_others(ws, answer):
    ex = open_exchange(ws)
    alex, bo = ws.workbook("alex"), ws.workbook("bo")
    a1, a2, b1 = recorded(alex, answer), recorded(alex, answer), recorded(bo, answer)
    for wb, a, who in ((alex, a1, "Dr Lee"), (alex, a2, "Kim Peer"), (bo, b1, "Dr Lee")):
        ex.send(wb, a.id, reviewer=who, role="peer")
    ex.save_draft("Dr Lee", "alex", review_of(a1.id, reviewer="Dr Lee", role="peer"))
    ex.return_feedback("Kim Peer", "alex", review_of(a2.id, reviewer="Kim Peer", role="peer"))
    assert ex.statuses("alex") == {(a1.id, "dr.lee"): "in review",
                                   (a2.id, "kim.peer"): "returned"}
    assert ex.statuses("bo") == {(b1.id, "dr.lee"): "new"}
    with pytest.raises(InvalidTraineeId):
        ex.statuses("../alex")


def test_feedback_written_in_the_review_notebook_in_jupyterlab_is_returned(ws, answer):
    import nbformat

    ex = open_exchange(ws)
    alex = ws.workbook("alex")
    a = recorded(alex, answer)
    ex.send(alex, a.id, reviewer="Dr Lee", role="supervisor")
    review = ex.review_workbook("Dr Lee", "alex")
    nb = read_valid(review.path)
    assert nb.cells[0].source.startswith("# Review notebook of Dr Lee: alex")
    cell = next(c for c in nb.cells if c.id == f"feedback-{a.id}")
    cell.source = (cell.source.replace("| Empathy | |", "| Empathy | 4 |")
                   .replace("| Warmth, acceptance & understanding | |",
                            "| Warmth, acceptance & understanding | 5 |")
                   + "\nYou named the rupture early. Well done.\n")
    jupyterlab_save(review.path, nbformat.writes(nb))  # re-indented, as JupyterLab saves
    assert ex.queue("Dr Lee")[0].status == "in review"
    [returned] = ex.return_notes("Dr Lee")
    assert ex.return_notes("Dr Lee") == []  # unchanged: not returned twice
    [got] = ex.collect(alex)
    assert (got.reviewer, got.role, got.ratings) == ("Dr Lee", "supervisor",
                                                     {"empathy": 4, "warmth": 5})
    assert "You named the rupture early." in got.summary and got.id == returned.id
    assert ex.queue("Dr Lee")[0].status == "returned"
    nb = read_valid(review.path)
    cell = next(c for c in nb.cells if c.id == f"feedback-{a.id}")
    cell.source = cell.source.replace("| Empathy | 4 |", "| Empathy | 3 |")
    jupyterlab_save(review.path, nbformat.writes(nb))
    ex.return_notes("Dr Lee")
    ex.collect(alex)
    assert [f.ratings.get("empathy") for f in alex.feedback(a.id)] == [3]  # updated, one


def test_rupture_review_return_notes_returns_what_was_written_in_jupyterlab(ws, answer):
    import nbformat

    from rupture_widgets.cli import main

    ex = open_exchange(ws)
    alex = ws.workbook("alex")
    a = recorded(alex, answer)
    ex.send(alex, a.id, reviewer="Dr Lee", role="peer")
    review = ex.review_workbook("Dr Lee", "alex")
    nb = read_valid(review.path)
    cell = next(c for c in nb.cells if c.id == f"feedback-{a.id}")
    cell.source += "\nWarm start.\n"
    jupyterlab_save(review.path, nbformat.writes(nb))
    assert main(["review", "--workspace", str(ws.root), "--reviewer", "Dr Lee",
                 "--return-notes"]) == 0
    assert "Warm start." in ex.collect(alex)[0].summary
