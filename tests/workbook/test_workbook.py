"""workbook: the per-trainee notebook as the system of record, and the merge that loses nothing."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from _workbook_fixtures import ATTEMPT, cells_by_id, jupyterlab_save, read_valid
from rupture_widgets.errors import (CorruptWorkbookWarning, InvalidRecord, InvalidTraineeId,
                                    UnknownAttempt)
from rupture_widgets.workbook import NOTES_MARK, Attempt, Feedback, Workspace


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "workspace")


@pytest.fixture
def wb(ws):
    return ws.workbook("alex.morgan")


def all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


# -- workspace and trainee ids ------------------------------------------------------------------

def test_workspace_root_from_argument_env_or_default(tmp_path, monkeypatch):
    assert Workspace(tmp_path / "a").root == (tmp_path / "a").resolve()
    monkeypatch.setenv("RUPTURE_WORKSPACE", str(tmp_path / "env"))
    assert Workspace().root == (tmp_path / "env").resolve()
    monkeypatch.delenv("RUPTURE_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    assert Workspace().root == tmp_path.resolve() / "workspace"
    assert Workspace("rel").root.is_absolute()


def test_paths_and_trainee_listing(ws, wb):
    assert wb.trainee_id == "alex.morgan"
    assert wb.dir == ws.root / "trainees" / "alex.morgan"
    assert wb.path == wb.dir / "workbook.ipynb" and wb.recordings_dir == wb.dir / "recordings"
    assert ws.trainees() == [] and not wb.path.exists()  # nothing written until there is work
    wb.log_attempt(**ATTEMPT)
    ws.workbook("Bo-2").log_attempt(**ATTEMPT)
    (ws.root / "trainees" / "stray-folder").mkdir()
    assert ws.trainees() == ["Bo-2", "alex.morgan"]


HOSTILE_IDS = ["../x", "/etc", "a\\b", "", "a" * 65, "a/../b", "a\x00b", "..", ".hidden",
               "-rf", "a b", "C:\\x", "x/", "é", None, 7]


@pytest.mark.parametrize("bad", HOSTILE_IDS, ids=repr)
def test_hostile_trainee_ids_are_refused_and_nothing_is_written(tmp_path, bad):
    ws = Workspace(tmp_path / "workspace")
    before = all_files(tmp_path)
    with pytest.raises(InvalidTraineeId, match="cannot be used as a trainee id"):
        ws.workbook(bad)
    assert all_files(tmp_path) == before


def test_longest_allowed_id_works(ws):
    wb = ws.workbook("a" * 64)
    wb.log_attempt(**ATTEMPT)
    assert wb.path.exists()


def test_symlink_escape_is_refused(tmp_path):
    ws = Workspace(tmp_path / "workspace")
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.root / "trainees").mkdir(parents=True)
    (ws.root / "trainees" / "mallory").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidTraineeId, match="outside the workspace"):
        ws.workbook("mallory")
    # A link planted after the workbook was opened is caught at the next write.
    wb = ws.workbook("eve")
    (ws.root / "trainees" / "eve").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidTraineeId, match="outside the workspace"):
        wb.log_attempt(**ATTEMPT)
    with pytest.raises(InvalidTraineeId):
        wb.start_recording()
    assert list(outside.iterdir()) == []


# -- attempts ------------------------------------------------------------------------------------

def test_log_attempt_writes_a_valid_readable_notebook(wb):
    a = wb.log_attempt(**ATTEMPT, recording="recordings/x1.webm", duration_s=12.5,
                       latency_s=1.5, speaking_s=10, self_assessment={
                           "difficulty": 6, "strategies": ["S3", "S4"], "note": "too <fast>"})
    assert isinstance(a, Attempt) and len(a.id) == 32 and a.status == "complete"
    assert a.created_at.endswith("Z") and a.recording == "recordings/x1.webm"
    assert a.speaking_s == 10.0 and a.sent_to == ()
    nb = read_valid(wb.path)
    cells = cells_by_id(nb)
    assert nb.cells[0].id == "rupture-header"
    assert [c.id for c in nb.cells[1:]] == [f"attempt-{a.id}", f"feedback-{a.id}"]
    attempt_cell, feedback_cell = cells[f"attempt-{a.id}"], cells[f"feedback-{a.id}"]
    meta = attempt_cell.metadata["rupture"]
    assert meta["kind"] == "attempt" and meta["schema_version"] == 1
    assert meta["attempt"] == a.to_record()
    src = attempt_cell.source
    assert '<video controls preload="metadata" width="480" src="recordings/x1.webm">' in src
    assert "C3 Complaint about the activities of therapy" in src and "Beginner" in src
    assert "difficulty **6/10**" in src and "S4 Invite the client" in src
    assert "too &lt;fast&gt;" in src  # a trainee's text cannot inject HTML
    assert feedback_cell.metadata["rupture"] == {"kind": "feedback", "schema_version": 1,
                                                 "attempt_id": a.id, "feedback": []}
    assert "No feedback yet" in feedback_cell.source
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_attempts_in_creation_order_and_by_clip(wb):
    ids = [wb.log_attempt(**{**ATTEMPT, "clip_id": f"clip-{i % 2}"}).id for i in range(5)]
    assert [a.id for a in wb.attempts()] == ids
    assert [a.id for a in wb.attempts("clip-1")] == ids[1::2]
    assert wb.attempt(ids[2]).clip_id == "clip-0"
    with pytest.raises(UnknownAttempt, match="no attempt 'nope'"):
        wb.attempt("nope")


def test_started_at_sets_the_time_and_order(wb):
    late = wb.log_attempt(**ATTEMPT, started_at="2024-05-01T12:00:00+02:00")
    early = wb.log_attempt(**ATTEMPT, started_at="2024-05-01T09:00:00Z")
    assert late.created_at == "2024-05-01T10:00:00.000Z"
    assert [a.id for a in wb.attempts()] == [early.id, late.id]


@pytest.mark.parametrize("kwargs, match", [
    ({"marker": "Z9"}, "marker 'Z9'"),
    ({"level": "expert"}, "level 'expert'"),
    ({"duration_s": -1}, "duration_s"),
    ({"latency_s": "soon"}, "latency_s"),
    ({"status": "done"}, "status"),
    ({"clip_id": ""}, "clip_id"),
    ({"attempt_id": "../../etc"}, "attempt id"),
    ({"attempt_id": "x" * 56}, "attempt id"),
    ({"started_at": "yesterday"}, "ISO-8601"),
    ({"self_assessment": {"difficulty": 11}}, "difficulty"),
    ({"self_assessment": {"difficulty": True}}, "difficulty"),
    ({"self_assessment": {"difficulty": 3, "strategies": ["S99"]}}, "S99"),
    ({"self_assessment": {"difficulty": 3, "mood": "ok"}}, "expected a dict with keys"),
    ({"self_assessment": 7}, "expected a dict with keys"),
    ({"recording": "../bob/recordings/x.webm"}, "not inside"),
    ({"recording": "/etc/passwd"}, "not inside"),
])
def test_bad_attempts_are_refused_with_the_bad_value(wb, kwargs, match):
    with pytest.raises(InvalidRecord, match=match):
        wb.log_attempt(**{**ATTEMPT, **kwargs})
    assert wb.attempts() == []


def test_recording_may_be_absolute_inside_the_workbook_folder(wb):
    a = wb.log_attempt(**ATTEMPT, recording=wb.recordings_dir / "r.webm")
    assert a.recording == "recordings/r.webm"


def test_duplicate_attempt_id_is_refused(wb):
    wb.log_attempt(**ATTEMPT, attempt_id="a1")
    with pytest.raises(InvalidRecord, match="already logged"):
        wb.log_attempt(**ATTEMPT, attempt_id="a1")


def test_self_assessment_and_sending(wb):
    a = wb.log_attempt(**ATTEMPT)
    b = wb.set_self_assessment(a.id, difficulty=9, strategies=["S5"], note="hard")
    assert b.self_assessment == {"difficulty": 9, "strategies": ["S5"], "note": "hard"}
    wb.mark_sent(a.id, reviewer="Dr Kim", role="supervisor")
    c = wb.mark_sent(a.id, reviewer="Sam", role="peer")
    assert [(s["reviewer"], s["role"]) for s in c.sent_to] == [("Dr Kim", "supervisor"),
                                                              ("Sam", "peer")]
    assert wb.attempt(a.id) == c
    assert "Sent to Dr Kim (supervisor" in cells_by_id(read_valid(wb.path))[f"attempt-{a.id}"].source
    with pytest.raises(InvalidRecord, match="'boss' is not one of"):
        wb.mark_sent(a.id, reviewer="X", role="boss")
    with pytest.raises(InvalidRecord, match="reviewer name"):
        wb.mark_sent(a.id, reviewer="  ", role="peer")
    with pytest.raises(UnknownAttempt):
        wb.set_self_assessment("nope", difficulty=3)
    with pytest.raises(UnknownAttempt):
        wb.mark_sent("nope", reviewer="X", role="peer")


def test_returned_records_are_copies(wb):
    a = wb.log_attempt(**ATTEMPT, self_assessment={"difficulty": 4})
    a.self_assessment["difficulty"] = 10
    assert wb.attempt(a.id).self_assessment["difficulty"] == 4


# -- feedback ------------------------------------------------------------------------------------

def test_feedback_is_validated_stored_and_rendered(wb):
    a = wb.log_attempt(**ATTEMPT)
    f = wb.add_feedback(a.id, reviewer="Dr Kim", role="instructor",
                        ratings={"empathy": 4, "rupture_repair": 5}, strategies=["S4"],
                        comments=[{"t": 3, "text": "good <pause>"}, {"t": 65.5, "text": "x"}],
                        summary="Warm.\nTry naming it sooner.")
    assert isinstance(f, Feedback) and f.comments[0] == {"t": 3.0, "text": "good <pause>"}
    assert wb.feedback(a.id) == [f]
    cell = cells_by_id(read_valid(wb.path))[f"feedback-{a.id}"]
    assert cell.metadata["rupture"]["feedback"] == [f.to_record()]
    assert "Empathy 4/5" in cell.source and "At 1:05.5: x" in cell.source
    assert "good &lt;pause&gt;" in cell.source and "> Warm.<br>Try naming it sooner." in cell.source
    assert "No feedback yet" not in cell.source


@pytest.mark.parametrize("kwargs, match", [
    ({"role": "boss"}, "'boss' is not one of"),
    ({"reviewer": ""}, "reviewer name"),
    ({"ratings": {"charisma": 3}}, "'charisma' is not a rubric item"),
    ({"ratings": {"empathy": 6}}, "from 1 to 5"),
    ({"ratings": {"empathy": 0}}, "from 1 to 5"),
    ({"ratings": {"empathy": 3.5}}, "from 1 to 5"),
    ({"ratings": {"empathy": True}}, "from 1 to 5"),
    ({"strategies": ["S42"]}, "S42"),
    ({"comments": [{"t": -1, "text": "x"}]}, "'t'"),
    ({"comments": [{"text": "x"}]}, "'t'"),
    ({"comments": [{"t": 1, "text": ""}]}, "'text'"),
    ({"comments": ["just text"]}, "'t'"),
    ({"summary": 5}, "summary"),
])
def test_bad_feedback_is_refused(wb, kwargs, match):
    a = wb.log_attempt(**ATTEMPT)
    with pytest.raises(InvalidRecord, match=match):
        wb.add_feedback(a.id, **{"reviewer": "Dr Kim", "role": "instructor", **kwargs})
    assert wb.feedback(a.id) == []


def test_feedback_for_an_unknown_attempt(wb):
    with pytest.raises(UnknownAttempt):
        wb.add_feedback("nope", reviewer="Dr Kim", role="instructor")
    with pytest.raises(UnknownAttempt):
        wb.feedback("nope")


# -- losing nothing ------------------------------------------------------------------------------

def test_a_stale_copy_saved_over_the_notebook_is_repaired(wb):
    first = [wb.log_attempt(**ATTEMPT) for _ in range(2)]
    stale = wb.path.read_bytes()  # an instructor opened the notebook in JupyterLab here
    later = [wb.log_attempt(**ATTEMPT) for _ in range(3)]
    fb = wb.add_feedback(first[0].id, reviewer="Dr Kim", role="instructor", summary="ok")
    wb.mark_sent(first[1].id, reviewer="Dr Kim", role="instructor")
    jupyterlab_save(wb.path, stale)  # ... and clicked "Overwrite"
    # Reads already see everything (journal + notebook).
    assert [a.id for a in wb.attempts()] == [a.id for a in first + later]
    assert wb.feedback(first[0].id) == [fb] and wb.attempt(first[1].id).sent_to
    # The next write restores every dropped cell, and the stale copy rolls nothing back.
    extra = wb.log_attempt(**ATTEMPT)
    nb = read_valid(wb.path)
    ids = [a.id for a in first + later + [extra]]
    assert [c.id for c in nb.cells if c.id.startswith("attempt-")] == [f"attempt-{i}" for i in ids]
    cells = cells_by_id(nb)
    assert cells[f"feedback-{first[0].id}"].metadata["rupture"]["feedback"] == [fb.to_record()]
    assert cells[f"attempt-{first[1].id}"].metadata["rupture"]["attempt"]["sent_to"]


def test_a_fresh_workspace_object_sees_the_same_workbook(ws, wb):
    a = wb.log_attempt(**ATTEMPT)
    other = Workspace(ws.root).workbook(wb.trainee_id)
    b = other.log_attempt(**ATTEMPT)
    assert [x.id for x in wb.attempts()] == [a.id, b.id]


def test_cells_and_notes_added_in_jupyterlab_are_kept(wb):
    import nbformat

    a1, a2 = wb.log_attempt(**ATTEMPT), wb.log_attempt(**ATTEMPT)
    nb = nbformat.read(str(wb.path), as_version=4)
    pos = [c.id for c in nb.cells].index(f"attempt-{a1.id}")
    mine = nbformat.v4.new_code_cell("print('my analysis')")
    nb.cells.insert(pos + 1, mine)
    top = nbformat.v4.new_markdown_cell("Supervision notes for Alex")
    nb.cells.insert(1, top)
    fcell = cells_by_id(nb)[f"feedback-{a2.id}"]
    fcell.source = fcell.source + "\nLovely warmth; slow down at 0:10."
    nbformat.write(nb, str(wb.path))  # a person saving from JupyterLab
    assert [f.summary for f in wb.feedback(a2.id)] == ["Lovely warmth; slow down at 0:10."]

    a3 = wb.log_attempt(**ATTEMPT)
    nb = read_valid(wb.path)
    order = [c.id for c in nb.cells]
    assert order[:2] == ["rupture-header", top.id]
    assert order[order.index(f"attempt-{a1.id}") + 1] == mine.id
    assert cells_by_id(nb)[mine.id].source == "print('my analysis')"
    note_cell = cells_by_id(nb)[f"feedback-{a2.id}"]
    assert note_cell.source.endswith(NOTES_MARK + "\nLovely warmth; slow down at 0:10.\n")
    [note] = wb.feedback(a2.id)
    assert note.role == "notebook" and note.attempt_id == a2.id
    assert order[-2:] == [f"attempt-{a3.id}", f"feedback-{a3.id}"]

    # The note survives a later real feedback and a stale copy without the note.
    stale = wb.path.read_text()
    edited = stale.replace("Lovely warmth; slow down at 0:10.", "Revised: lovely warmth.")
    jupyterlab_save(wb.path, edited)
    wb.add_feedback(a2.id, reviewer="Dr Kim", role="instructor", summary="formal")
    jupyterlab_save(wb.path, stale)  # older text: must not roll the note back
    wb.log_attempt(**ATTEMPT)
    assert [f.summary for f in wb.feedback(a2.id)] == ["formal", "Revised: lovely warmth."]


def test_duplicate_and_missing_cell_ids_from_jupyterlab_are_repaired(wb):
    a = wb.log_attempt(**ATTEMPT)
    nb = json.loads(wb.path.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": f"attempt-{a.id}", "metadata": {},
                        "source": "pasted copy"})
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "old-style, no id"})
    wb.path.write_text(json.dumps(nb))
    wb.log_attempt(**ATTEMPT)
    nb = read_valid(wb.path)
    sources = [c.source for c in nb.cells]
    assert "pasted copy" in sources and "old-style, no id" in sources


def test_a_corrupt_notebook_is_kept_and_work_continues(wb):
    a = wb.log_attempt(**ATTEMPT)
    wb.add_feedback(a.id, reviewer="Dr Kim", role="peer", summary="kept")
    wb.path.write_bytes(b'{"cells": [ broken by a bad merge')
    with pytest.warns(CorruptWorkbookWarning, match=str(wb.path)) as record:
        b = wb.log_attempt(**ATTEMPT)
    message = str(record[0].message)
    assert "has not been changed or deleted" in message and "workbook.corrupt-" in message
    [aside] = wb.dir.glob("workbook.corrupt-*.ipynb")
    assert aside.read_bytes() == b'{"cells": [ broken by a bad merge'
    assert aside.name in message
    nb = read_valid(wb.path)  # rebuilt from the journal
    assert {f"attempt-{a.id}", f"attempt-{b.id}"} <= set(cells_by_id(nb))
    assert [f.summary for f in wb.feedback(a.id)] == ["kept"]


def test_reading_a_corrupt_notebook_warns_but_changes_nothing(wb):
    a = wb.log_attempt(**ATTEMPT)
    wb.path.write_text("not json")
    with pytest.warns(CorruptWorkbookWarning):
        assert [x.id for x in wb.attempts()] == [a.id]
    assert wb.path.read_text() == "not json"  # reads never rename or write


def test_a_lost_journal_is_rebuilt_from_the_notebook(wb):
    a = wb.log_attempt(**ATTEMPT)
    f = wb.add_feedback(a.id, reviewer="Dr Kim", role="instructor", ratings={"hope": 2})
    wb.journal_path.unlink()  # e.g. only the notebook was copied to a new server
    assert [x.id for x in wb.attempts()] == [a.id]
    b = wb.log_attempt(**ATTEMPT)
    events = [json.loads(line) for line in wb.journal_path.read_text().splitlines()]
    assert [e["event"] for e in events] == ["attempt", "feedback", "attempt"]
    wb.path.unlink()  # now the journal alone is enough
    assert [x.id for x in wb.attempts()] == [a.id, b.id] and wb.feedback(a.id) == [f]


def test_tampered_metadata_is_kept_as_a_plain_cell(wb):
    a = wb.log_attempt(**ATTEMPT)
    nb = json.loads(wb.path.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "odd", "source": "hand-made",
                        "metadata": {"rupture": {"kind": "attempt", "schema_version": 1,
                                                 "attempt": {"id": "zz", "status": "??"}}}})
    wb.path.write_text(json.dumps(nb))
    wb.log_attempt(**ATTEMPT)
    assert [x.id for x in wb.attempts()][0] == a.id and len(wb.attempts()) == 2
    assert cells_by_id(read_valid(wb.path))["odd"].source == "hand-made"


# -- recordings through the workbook ---------------------------------------------------------

def test_incomplete_recordings_are_adopted_once_and_kept(wb):
    rec = wb.start_recording(clip_id="c5-advanced-sam", marker="C5", level="advanced")
    rec.append(b"\x1a\x45\xdf\xa3 partial webm")
    bare = wb.start_recording()
    bare.append(b"more")
    fresh = wb.start_recording(clip_id="x", marker="W1", level="beginner")
    fresh.append(b"still recording")
    old = time.time() - 3600
    for r in (rec, bare):
        os.utime(r.part_path, (old, old))
    done = wb.log_attempt(**ATTEMPT)
    found = wb.incomplete_recordings(min_age_s=60)
    assert {a.id for a in found} == {rec.attempt_id, bare.attempt_id}
    by_id = {a.id: a for a in found}
    assert (by_id[rec.attempt_id].clip_id, by_id[rec.attempt_id].marker) == ("c5-advanced-sam", "C5")
    assert by_id[bare.attempt_id].clip_id == "unknown"
    assert by_id[rec.attempt_id].recording == f"recordings/{rec.attempt_id}.part.webm"
    assert wb.recording_path(rec.attempt_id) == rec.part_path and rec.part_path.exists()
    assert len(wb.incomplete_recordings(min_age_s=60)) == 2  # logged once
    assert len(wb.attempts()) == 3 and done.id in {a.id for a in wb.attempts()}
    # The trainee's app comes back and finishes it: same attempt, now complete.
    finished = wb.log_attempt(**ATTEMPT, attempt_id=rec.attempt_id, recording=rec.part_path)
    assert finished.status == "complete" and finished.clip_id == ATTEMPT["clip_id"]
    assert {a.id for a in wb.incomplete_recordings(min_age_s=60)} == {bare.attempt_id}
    assert read_valid(wb.path)


def test_recording_path(wb):
    a = wb.log_attempt(**ATTEMPT)
    assert wb.recording_path(a.id) is None
    rec = wb.start_recording()
    rec.append(b"x")
    b = wb.log_attempt(**ATTEMPT, attempt_id=rec.attempt_id, recording=rec.part_path,
                       status="incomplete")
    assert wb.recording_path(b.id) == rec.part_path
    with pytest.raises(UnknownAttempt):
        wb.recording_path("nope")


# -- many attempts (speed is measured in bench/workbook_writes.py, not asserted here) ---------

def test_a_workbook_with_400_attempts_keeps_every_one(wb):
    for _ in range(400):
        a = wb.log_attempt(**ATTEMPT, self_assessment={"difficulty": 5, "strategies": ["S3"],
                                                       "note": "fine"}, duration_s=30.0)
    wb.add_feedback(a.id, reviewer="Dr Kim", role="instructor", ratings={"empathy": 4})
    for _ in range(20):
        wb.log_attempt(**ATTEMPT, duration_s=30.0)
    assert len(wb.attempts()) == 420
    assert len(read_valid(wb.path).cells) == 1 + 2 * 420


def test_looking_for_incomplete_recordings_writes_nothing_when_there_are_none(ws, wb):
    assert wb.incomplete_recordings() == []
    assert not wb.dir.exists()
    wb.log_attempt(**ATTEMPT)
    before = wb.path.stat().st_mtime_ns, wb.journal_path.stat().st_size
    assert wb.incomplete_recordings(min_age_s=0) == []
    assert (wb.path.stat().st_mtime_ns, wb.journal_path.stat().st_size) == before


def test_an_interrupted_finalise_prefers_the_finished_file(wb):
    rec = wb.start_recording(clip_id="c", marker="W2", level="beginner")
    rec.append(b"chunk")
    rec.final_path.write_bytes(b"remuxed")  # finalise died before removing the part file
    [a] = wb.incomplete_recordings(min_age_s=0)
    assert a.recording == f"recordings/{rec.attempt_id}.webm"
    assert rec.part_path.exists()  # nothing deleted


def test_a_hand_edited_sidecar_still_gets_its_recording_adopted(wb):
    rec = wb.start_recording(clip_id="c", marker="W2", level="beginner")
    rec.append(b"chunk")
    (wb.recordings_dir / f"{rec.attempt_id}.part.json").write_text(
        json.dumps({"clip_id": 12, "marker": "W2", "started_at": "whenever"}))
    [a] = wb.incomplete_recordings(min_age_s=0)
    assert (a.id, a.clip_id, a.marker) == (rec.attempt_id, "unknown", "W2")
    assert rec.part_path.exists()


def test_the_feedback_cell_says_no_feedback_only_when_there_is_none(wb):
    from _workbook_fixtures import jupyterlab_save
    import nbformat

    a = wb.log_attempt(**ATTEMPT)
    nb = read_valid(wb.path)
    cell = next(c for c in nb.cells if c.id == f"feedback-{a.id}")
    assert "No feedback yet" in cell.source and "review app" not in cell.source
    cell.source += "\nSlow down at the start.\n"  # an instructor writes below the line
    jupyterlab_save(wb.path, nbformat.writes(nb))
    wb.repair()
    cell = next(c for c in read_valid(wb.path).cells if c.id == f"feedback-{a.id}")
    assert "No feedback yet" not in cell.source and "Slow down at the start." in cell.source
