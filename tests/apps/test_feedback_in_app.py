"""The trainee's side of the feedback loop in the practice app: "Send" delivers (and says so
only then), and feedback a reviewer returned shows at its attempt, comments listed by time."""
from __future__ import annotations

from pathlib import Path

import pytest

from rupture_widgets.apps.practice import PracticeApp
from rupture_widgets.exchange import open_exchange
from rupture_widgets.workbook.records import feedback_record
from test_practice_app import answer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def session(workspace, catalog, monkeypatch):
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex")
    app.practise(catalog.get("c3-beginner-maya"))
    return app.session


def send(session, attempt_id: str, reviewer: str, role: str = "supervisor") -> str:
    form = session.history.form
    form.ask(attempt_id, 1)
    form.reviewer.value, form.role.value = reviewer, role
    form._submit()
    return form.message.value


def test_send_delivers_to_the_reviewer_before_it_says_sent(session, workspace, webm_3s):
    answer(session, webm_3s)
    a = session.workbook.attempts()[0]
    assert "Sent to Dr Sam Rivera (supervisor)." in send(session, a.id, "Dr Sam Rivera")
    [queued] = open_exchange(workspace).queue("Dr Sam Rivera")
    assert (queued.trainee_id, queued.attempt.id, queued.status) == ("alex", a.id, "new")
    assert "sent to Dr Sam Rivera (supervisor)" in session.history.rows.children[0].children[0].value


def test_a_failed_delivery_says_not_sent(session, webm_3s):
    answer(session, webm_3s)
    a = session.workbook.attempts()[0]
    message = send(session, a.id, "../..")
    assert "Not sent" in message and "reviewer" in message
    assert session.workbook.attempt(a.id).sent_to == ()


def test_returned_feedback_shows_at_its_attempt(session, workspace, webm_3s):
    from rupture_widgets.taxonomy import load_taxonomy

    answer(session, webm_3s)
    a = session.workbook.attempts()[0]
    send(session, a.id, "Dr Lee")
    review = feedback_record(load_taxonomy(), a.id, reviewer="Dr Lee", role="supervisor",
                             ratings={"empathy": 4}, strategies=["S4"],
                             comments=[{"t": 2.5, "text": "the <pause> here"},
                                       {"t": 0.5, "text": "good start"}],
                             summary="Warm.")
    open_exchange(workspace).return_feedback("Dr Lee", "alex", review)
    session.refresh()  # what opening the clip or a new answer does
    html = "".join(getattr(c, "value", "") for c in session.history.rows.children)
    assert "Feedback from Dr Lee (supervisor)" in html and "Warm." in html
    assert html.index("good start") < html.index("the &lt;pause&gt; here")  # by time, escaped
    assert "0:00" in html and "0:02" in html
    assert "feedback returned by Dr Lee" in session.history.rows.children[0].children[0].value
