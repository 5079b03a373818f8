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


def all_html(widget) -> str:
    """Every text shown inside ``widget``: HTML, and button labels escaped as HTML would be."""
    from html import escape

    if hasattr(widget, "children"):
        return "".join(all_html(c) for c in widget.children)
    if isinstance(getattr(widget, "value", None), str):
        return widget.value
    return escape(getattr(widget, "description", "") or "")


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
    html = all_html(session.history.rows)
    assert "Feedback from Dr Lee (supervisor)" in html and "Warm." in html
    assert html.index("good start") < html.index("the &lt;pause&gt; here")  # by time, escaped
    assert "0:00.5" in html and "0:02.5" in html
    assert "feedback returned by Dr Lee" in session.history.rows.children[0].children[0].value


def test_a_comment_plays_the_answer_from_its_moment(session, workspace, webm_3s):
    from rupture_widgets.taxonomy import load_taxonomy

    answer(session, webm_3s)
    a = session.workbook.attempts()[0]
    send(session, a.id, "Dr Lee")
    review = feedback_record(load_taxonomy(), a.id, reviewer="Dr Lee", role="peer",
                             ratings={}, strategies=[], summary="",
                             comments=[{"t": 1.5, "text": "here"}])
    open_exchange(workspace).return_feedback("Dr Lee", "alex", review)
    session.refresh()
    sent = []
    session.answer.send = lambda content, buffers=None: sent.append(content)
    block = next(r for r in session.history.rows.children if hasattr(r, "children")
                 and any(getattr(c, "value", "").startswith("<section") for c in r.children))
    [button] = block.children[2].children
    assert button.description == "0:01.5 here"
    button.click()
    assert session.answer_box.layout.display is None
    assert {"kind": "seek", "seconds": 1.5} in sent


def test_feedback_appears_without_a_reload(session, workspace, webm_3s):
    import time

    from rupture_widgets.taxonomy import load_taxonomy

    answer(session, webm_3s)
    a = session.workbook.attempts()[0]
    send(session, a.id, "Dr Lee")
    session.watch_for_feedback(every_s=0.2)
    open_exchange(workspace).return_feedback("Dr Lee", "alex", feedback_record(
        load_taxonomy(), a.id, reviewer="Dr Lee", role="peer", ratings={}, strategies=[],
        comments=[], summary="Seen from afar."))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        html = all_html(session.history.rows)
        if "Seen from afar." in html:
            break
        time.sleep(0.1)
    session._stop.set()
    assert "Seen from afar." in html


def test_the_attempt_says_where_it_stands_sent_in_review_returned(session, workspace, webm_3s):
    from rupture_widgets.taxonomy import load_taxonomy

    answer(session, webm_3s)
    a = session.workbook.attempts()[0]
    send(session, a.id, "Dr Lee")
    label = lambda: session.history.rows.children[0].children[0].value  # noqa: E731
    assert "sent to Dr Lee (supervisor)" in label()
    ex = open_exchange(workspace)
    draft = feedback_record(load_taxonomy(), a.id, reviewer="Dr Lee", role="supervisor",
                            ratings={}, strategies=[], comments=[], summary="half written")
    ex.save_draft("Dr Lee", "alex", draft)
    session.refresh()
    assert "being reviewed by Dr Lee" in label() and "half written" not in all_html(
        session.history.rows)  # the trainee sees the state, never the draft
    ex.return_feedback("Dr Lee", "alex", draft)
    session.refresh()
    assert "feedback returned by Dr Lee" in label()


def test_new_feedback_is_marked_on_the_clip_and_the_attempt_until_seen(workspace, catalog,
                                                                       monkeypatch, webm_3s):
    from rupture_widgets.taxonomy import load_taxonomy

    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex")
    clip = catalog.get("c3-beginner-maya")
    app.practise(clip)
    answer(app.session, webm_3s)
    a = app.session.workbook.attempts()[0]
    send(app.session, a.id, "Dr Lee")
    open_exchange(workspace).return_feedback("Dr Lee", "alex", feedback_record(
        load_taxonomy(), a.id, reviewer="Dr Lee", role="peer", ratings={}, strategies=[],
        comments=[], summary="Read me."))

    def new_feedback_on_card() -> bool:
        return next(c["new_feedback"] for s in app.browser.grid.sections for c in s["cards"]
                    if c["id"] == clip.id)
    app.show_library()
    assert new_feedback_on_card()
    assert app.browser.grid.recommended["card"]["id"] == clip.id  # feedback waiting: next
    app.practise(clip)  # the trainee opens the clip: the feedback is shown, marked New
    html = all_html(app.session.history.rows)
    assert "Read me." in html and "rw-new" in html
    app.session.refresh()  # seen now
    assert "rw-new" not in all_html(app.session.history.rows)
    app.show_library()
    assert not new_feedback_on_card()
