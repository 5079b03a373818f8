"""The practice app: its notebook executed headless, and its loop driven from Python."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from webm_media import chunked
from rupture_widgets.apps.identity import as_trainee_id, trainee_from_environment
from rupture_widgets.apps.practice import PracticeApp

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "practice.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_the_notebook_is_thin_and_stripped():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum(len(c.source.splitlines()) for c in code) <= 5


@pytest.mark.parametrize("trainee", ["alex.morgan", None])
def test_the_notebook_executes_headless(tmp_path, monkeypatch, trainee):
    monkeypatch.setenv("RUPTURE_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    if trainee:
        monkeypatch.setenv("RUPTURE_TRAINEE", trainee)
    else:
        monkeypatch.delenv("RUPTURE_TRAINEE", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(WIDGET_VIEW in o.get("data", {}) for o in outputs)


def test_who_is_practising_comes_from_the_hub_then_the_command_line():
    assert trainee_from_environment({"JUPYTERHUB_USER": "hub.user",
                                     "RUPTURE_TRAINEE": "cli"}) == "hub.user"
    assert trainee_from_environment({"RUPTURE_TRAINEE": "cli"}) == "cli"
    assert trainee_from_environment({}) is None
    assert as_trainee_id("  Alex Morgan ") == "alex.morgan"


@pytest.fixture
def app(workspace, catalog, monkeypatch):
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("RUPTURE_TRAINEE", raising=False)
    return PracticeApp(workspace=workspace, catalog=catalog)


def answer(session, webm: bytes) -> None:
    """What the browser sends for one recorded answer."""
    rec = session.recorder
    rec.send = lambda *a, **k: None  # no front end here
    rec._handle_custom_msg({"kind": "start", "started_at_ms": 1.0}, [])
    for i, buf in enumerate(chunked(webm)):
        rec._handle_custom_msg({"kind": "chunk", "seq": i}, [buf])
    rec._handle_custom_msg({"kind": "stop", "elapsed_ms": 3000}, [])


def test_a_name_box_asks_who_is_practising_and_rejects_bad_ids(app):
    gate = app.body.children[0]
    gate.name.value = "Alex\x07"
    gate.submit()  # what Enter in the box does (tests/apps/test_identity.py presses it)
    assert "control character" in gate.problem.value and app.workbook is None
    gate.name.value = "Alex Morgan"
    gate.submit()
    assert app.workbook.trainee_id == "alex.morgan" and app.body.children == (app.browser,)


def library_cards(app) -> list[dict]:
    return [card for section in app.browser.grid.sections for card in section["cards"]]


def test_the_practice_loop(app, catalog, webm_3s):
    app.body.children[0].name.value = "alex"
    app.body.children[0].submit()
    clip = catalog.get("c3-beginner-maya")
    app.browser.family.value = "C"
    app.browser.marker.value = "C3"
    app.browser.level.value = "beginner"
    assert all(card["practised"] == 0 for card in library_cards(app))

    app.practise(clip)
    session = app.session
    assert session.player.src == "clips/" + clip.media
    assert session.examples_button.disabled  # examples never before an attempt
    session._reveal_examples()
    assert session.examples.value == ""

    answer(session, webm_3s)
    answer(session, webm_3s)
    attempts = app.workbook.attempts(clip_id=clip.id)
    assert [a.status for a in attempts] == ["complete", "complete"]
    assert len(session.history.rows.children) == 2
    assert session.assessment.attempt_id == attempts[1].id
    assert not session.examples_button.disabled
    session._reveal_examples()
    assert clip.examples[0].text[:30] in session.examples.value.replace("&#x27;", "'")

    form = session.assessment
    form.difficulty.value = "9"
    form.strategies["S4"].value = True
    form.note.value = "rushed"
    form._submit()
    assert app.workbook.attempt(attempts[1].id).self_assessment["strategies"] == ["S4"]
    assert "already the easiest level" in form.message.value  # beginner: cannot go lower
    form.level = "intermediate"
    form._submit()
    assert "try a beginner clip next" in form.message.value
    assert form.follow.description == "Show beginner clips"
    form.level = "beginner"
    form.difficulty.value = "0"
    form._submit()
    assert "try an intermediate clip next" in form.message.value  # not "a intermediate"

    send = session.history.form
    send.ask(attempts[0].id, 1)
    send.reviewer.value = "Dr Lee"
    send.role.value = "peer"
    send._submit()
    assert app.workbook.attempt(attempts[0].id).sent_to[0]["role"] == "peer"
    assert "sent to Dr Lee (peer)" in session.history.rows.children[0].children[0].value

    app.show_library()
    [card] = [c for c in library_cards(app) if c["id"] == clip.id]
    assert card["practised"] == 2


def test_a_trainer_note_shows_only_once_the_clip_is_answered(app, catalog, webm_3s):
    """Like the example responses: never before an attempt (it would cue the answer)."""
    app.body.children[0].name.value = "alex"
    app.body.children[0].submit()
    clip = catalog.get("w7-advanced-tomas")
    assert "not wanting to live" in clip.trainer_note
    app.practise(clip)
    assert app.session.trainer_note.value == ""
    answer(app.session, webm_3s)
    note = app.session.trainer_note.value
    assert "Trainer note" in note and "not wanting to live" in note and "role='note'" in note
    app.practise(catalog.get("c3-beginner-maya"))  # a clip without one
    assert app.session.trainer_note.value == ""


def test_a_trainer_note_is_escaped():
    from types import SimpleNamespace

    from rupture_widgets.apps.trainer_note import trainer_note_html

    html = trainer_note_html(SimpleNamespace(trainer_note="<img src=x onerror=alert(1)> & so"))
    assert "<img" not in html and "&lt;img" in html and "&amp; so" in html
    assert trainer_note_html(SimpleNamespace(trainer_note="")) == ""


def test_a_sent_line_goes_with_the_next_answer_and_examples_hide_again(app, catalog, webm_3s):
    app.body.children[0].name.value = "alex"
    app.body.children[0].submit()
    clip = catalog.get("c3-beginner-maya")
    app.practise(clip)
    session = app.session
    answer(session, webm_3s)
    first = app.workbook.attempts()[0]
    session.history.form.ask(first.id, 1)
    session.history.form.reviewer.value = "Dr Lee"
    session.history.form._submit()
    assert "Sent to Dr Lee" in session.history.form.message.value
    answer(session, webm_3s)  # a later recording: the old "Sent to ..." line is about attempt 1
    assert session.history.form.message.value == ""

    session.examples_button.click()
    assert session.examples.value and session.examples_button.description.startswith("Hide")
    session.examples_button.click()
    assert session.examples.value == "" and session.examples_button.description.startswith("Show")

    # the replay of the exchange: the clip from the start, then the answer (not a new recording)
    sent = []
    session.player.send = lambda content, buffers=None: sent.append(content)
    session.recorder.send = lambda content, buffers=None: sent.append(content)
    session.answer.send = lambda content, buffers=None: sent.append(content)
    session.recorder.auto_record = True
    session.replay_exchange(first.id)
    assert {"kind": "play", "from_start": True} in sent
    sent.clear()
    session.player._handle_custom_msg({"kind": "ended", "at_ms": 9.0}, [])
    assert {"kind": "play"} in sent and {"kind": "record"} not in sent


def test_the_clip_ending_can_start_the_recording(app, catalog):
    app.body.children[0].name.value = "alex"
    app.body.children[0].submit()
    app.practise(catalog.clips[0])
    sent = []
    app.session.recorder.send = lambda content, buffers=None: sent.append(content)
    app.session.player._handle_custom_msg({"kind": "ended", "at_ms": 5.0}, [])
    assert sent == [] and app.session.recorder.clip_ended_at_ms == 5.0  # off unless chosen
    app.session.recorder.auto_record = True  # the trainee ticks the box in the recorder
    app.session.player._handle_custom_msg({"kind": "ended", "at_ms": 6.0}, [])
    assert sent == [{"kind": "record"}] and app.session.recorder.clip_ended_at_ms == 6.0


def test_starting_the_app_imports_nothing_heavy(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from rupture_widgets.apps import practice_app; "
            f"practice_app(trainee='alex', workspace=__import__('rupture_widgets.workbook')"
            f".workbook.Workspace({str(tmp_path)!r})); "
            "print(sorted(m for m in ('av', 'pandas', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(tmp_path))
    assert out.stdout.strip().splitlines()[-1] == "[]"
