"""Playback reaches only the trainee's own recordings: a path in a saved notebook or journal that
leads elsewhere, or a trainee folder that is a link to another trainee's, is refused."""
from __future__ import annotations

import json

import pytest

from _workbook_fixtures import ATTEMPT
from rupture_widgets.errors import InvalidRecord, InvalidTraineeId, RecordingError, UnknownAttempt
from rupture_widgets.widgets import Recorder
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.records import validate_record


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "workspace")


def bobs_recording(ws) -> str:
    bob = ws.workbook("bob")
    rec = bob.start_recording()
    rec.append(b"bob's face and voice")
    bob.log_attempt(**ATTEMPT, attempt_id=rec.attempt_id, recording=rec.part_path,
                    status="incomplete")
    return rec.part_path.name


def test_a_journal_that_points_at_another_trainees_file_gets_no_playback(ws):
    name = bobs_recording(ws)
    alice = ws.workbook("alice")
    a = alice.log_attempt(**ATTEMPT)
    alice.repair()
    text = alice.journal_path.read_text("utf-8")  # hand-edited, or written by a hostile client
    alice.journal_path.write_text(text.replace('"recording":null',
                                               f'"recording":"../bob/recordings/{name}"'), "utf-8")
    alice.path.unlink()
    alice = Workspace(ws.root).workbook("alice")
    assert alice.attempt(a.id).recording == f"../bob/recordings/{name}"
    assert alice.recording_path(a.id) is None


def test_a_saved_notebook_cannot_bring_in_a_path_outside_the_trainees_folder(ws):
    name = bobs_recording(ws)
    alice = ws.workbook("alice")
    a = alice.log_attempt(**ATTEMPT)
    nb = json.loads(alice.path.read_text("utf-8"))
    cell = next(c for c in nb["cells"] if c["id"] == f"attempt-{a.id}")
    forged = dict(cell["metadata"]["rupture"]["attempt"], id="forged1",
                  recording=f"../bob/recordings/{name}")
    cell2 = {**cell, "id": "attempt-forged1",
             "metadata": {"rupture": {**cell["metadata"]["rupture"], "attempt": forged}}}
    nb["cells"].append(cell2)
    alice.path.write_text(json.dumps(nb), "utf-8")
    alice.journal_path.unlink()  # so the notebook's records are adopted, schema-checked
    alice = Workspace(ws.root).workbook("alice")
    with pytest.raises(UnknownAttempt):
        alice.attempt("forged1")  # the cell is kept as it is, but never adopted as an attempt
    assert f"attempt-{a.id}" in alice.path.read_text("utf-8")
    with pytest.raises(InvalidRecord, match="recording"):
        validate_record("attempt", forged, "forged")


def test_a_trainee_folder_that_links_to_another_trainees_is_refused(ws):
    bobs_recording(ws)
    (ws.root / "trainees" / "alice").symlink_to(ws.root / "trainees" / "bob")
    with pytest.raises(InvalidTraineeId, match="link"):
        ws.workbook("alice").attempts()


def test_a_recordings_folder_that_links_elsewhere_plays_nothing(ws):
    name = bobs_recording(ws)
    alice = ws.workbook("alice")
    alice.recordings_dir.parent.mkdir(parents=True)
    alice.recordings_dir.symlink_to(ws.root / "trainees" / "bob" / "recordings")
    same_id = name.split(".")[0]  # ids are random, but a hand-made cell can copy one
    alice.log_attempt(**ATTEMPT, attempt_id=same_id, status="incomplete")
    assert alice.recording_path(same_id) is None


def test_the_recorder_refuses_to_play_what_is_not_the_trainees(ws, monkeypatch):
    name = bobs_recording(ws)
    alice = ws.workbook("alice")
    a = alice.log_attempt(**ATTEMPT)
    monkeypatch.setattr(alice, "recording_path",
                        lambda aid: ws.root / "trainees" / "bob" / "recordings" / name)
    rec = Recorder(alice)
    rec.sent = []
    rec.send = lambda content, buffers=None: rec.sent.append((content, buffers))
    with pytest.raises(RecordingError, match="not one of this trainee's"):
        rec.play_attempt(a.id)
    assert rec.sent == []


def test_recordings_are_readable_by_their_owner_only(ws, tmp_path):
    from _workbook_fixtures import chunked_webm, split

    wb = ws.workbook("alice")
    rec = wb.start_recording()
    for chunk in split(chunked_webm(tmp_path / "a.webm"), 4):
        rec.append(chunk)
    assert rec.part_path.stat().st_mode & 0o777 == 0o600
    rec.finalise()
    assert rec.final_path.stat().st_mode & 0o777 == 0o600
