"""The review app without a browser: the queue lists what was sent to this reviewer, one attempt
is reviewed with pinned comments, the rubric and strategies, kept as a draft at every change,
returned, and the trainee's workbook receives it."""
from __future__ import annotations

from pathlib import Path

import pytest

from rupture_widgets.apps.review import ReviewApp
from rupture_widgets.exchange import open_exchange
from test_feedback_in_app import session  # noqa: F401 - the trainee's app, as a fixture
from test_practice_app import answer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sent(session, workspace, webm_3s):  # noqa: F811
    answer(session, webm_3s)
    a = session.workbook.attempts()[0]
    open_exchange(workspace).send(session.workbook, a.id, reviewer="Dr Sam Rivera",
                                  role="supervisor")
    return session.workbook, a


def test_a_reviewer_reviews_and_returns_an_attempt(sent, workspace, catalog, monkeypatch):
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    trainee_wb, attempt = sent
    app = ReviewApp(workspace=workspace, catalog=catalog, reviewer="Dr Sam Rivera")
    [row] = app.queue.rows.children
    assert "alex" in row.children[0].value and "new" in row.children[0].value
    row.children[1].click()
    form = app.form
    assert form.answer.loaded is False and form.answer.label.endswith(attempt.id)
    form.answer.current_time = 1.2  # what the browser reports while it plays
    told = []
    form.answer.send = lambda content, buffers=None: told.append(content.get("kind"))
    form.comments.box.value = "Lovely pause"  # typing holds the moment
    assert "pause" in told  # and pauses the answer, as video-feedback tools do
    form.answer.current_time = 2.9
    form.comments.add()
    form.comments.box.value = "Name the rupture here"
    form.comments.add()
    assert [c["t"] for c in form.comments.comments] == [1.2, 2.9]
    for dd in form.ratings.values():
        dd.value = 4
    form.strategies["S4"].value = True
    form.summary.value = "Warm and direct."
    app.show_queue()
    assert "in review" in app.queue.rows.children[0].children[0].value  # kept as a draft
    assert trainee_wb.feedback(attempt.id) == []  # the trainee sees nothing yet
    app.review_attempt(app.exchange.queue("Dr Sam Rivera")[0])
    assert [c["text"] for c in form.comments.comments] == ["Lovely pause",
                                                           "Name the rupture here"]
    form.give_back()
    assert "Returned to alex" in form.message.value
    open_exchange(workspace).collect(trainee_wb)
    [fb] = trainee_wb.feedback(attempt.id)
    assert (fb.reviewer, fb.role, len(fb.ratings), fb.strategies) == (
        "Dr Sam Rivera", "supervisor", 8, ("S4",))
    assert [c["t"] for c in fb.comments] == [1.2, 2.9]
    form.summary.value = "Warm and direct; try naming it sooner."
    form.give_back()  # edited and returned again: the same feedback, updated
    open_exchange(workspace).collect(trainee_wb)
    assert [f.summary for f in trainee_wb.feedback(attempt.id)] == [
        "Warm and direct; try naming it sooner."]


def test_the_reviewer_sees_the_clips_trainer_note(session, workspace, catalog, webm_3s,  # noqa: F811
                                                 monkeypatch):
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    clip = catalog.get("w7-advanced-tomas")
    session.practise(clip)
    answer(session, webm_3s)
    [a] = session.workbook.attempts(clip_id=clip.id)
    open_exchange(workspace).send(session.workbook, a.id, reviewer="Dr Sam Rivera",
                                  role="supervisor")
    app = ReviewApp(workspace=workspace, catalog=catalog, reviewer="Dr Sam Rivera")
    app.queue.rows.children[0].children[1].click()
    assert "Trainer note" in app.form.trainer_note.value
    assert "not wanting to live" in app.form.trainer_note.value


def test_another_reviewer_sees_nothing(sent, workspace, catalog):
    app = ReviewApp(workspace=workspace, catalog=catalog, reviewer="Kim Peer")
    assert "Nothing here yet" in app.queue.rows.children[0].value


def test_a_reviewer_name_that_cannot_be_an_id_is_refused(workspace, catalog, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("RUPTURE_REVIEWER", raising=False)
    app = ReviewApp(workspace=workspace, catalog=catalog)
    gate = app.body.children[0]
    gate.name.value = "../.."
    gate.submit()
    assert "cannot be used" in gate.problem.value and app.reviewer is None


def test_a_long_queue_opens_a_page_at_a_time(workspace, catalog, webm_3s):
    from rupture_widgets.apps.review.queue import PAGE
    from rupture_widgets.exchange.folder import FolderExchange
    from rupture_widgets.workbook import paths

    ex = FolderExchange(workspace.root / "exchange")
    source = workspace.root.parent / "answer.webm"
    source.write_bytes(webm_3s)
    for t in range(3):
        wb = workspace.workbook(f"trainee{t}")
        wb.recordings_dir.mkdir(parents=True)
        for i in range(10):
            target = paths.recording_file(wb.recordings_dir, f"a{t}x{i}")
            target.write_bytes(webm_3s)
            wb.log_attempt(clip_id="c3-beginner-maya", marker="C3", level="beginner",
                           recording=target, attempt_id=f"a{t}x{i}")
            ex.send(wb, f"a{t}x{i}", reviewer="Dr Lee", role="peer")
    app = ReviewApp(workspace=workspace, catalog=catalog, reviewer="Dr Lee", exchange=ex)
    assert len(app.queue.rows.children) == PAGE
    assert app.queue.more.description == f"Show more ({30 - PAGE} not shown)"
    app.queue.more.click()
    assert len(app.queue.rows.children) == 30 and app.queue.more.layout.display == "none"
    app.queue.trainee.value = "trainee1"
    assert len(app.queue.rows.children) == 10
