"""Deleting an attempt the trainee does not want kept: its cells, its feedback and its recording
go for good, and neither a crash half-way nor a stale notebook saved later brings it back."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _workbook_fixtures import ATTEMPT, cells_by_id, jupyterlab_save, read_valid
from rupture_widgets.errors import InvalidRecord, UnknownAttempt
from rupture_widgets.workbook import Workspace, paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def wb(tmp_path):
    return Workspace(tmp_path / "workspace").workbook("alex")


def recorded(wb, seconds_old: float = 0.0):
    """An attempt with a finalised recording, as the recorder leaves one (sidecar removed)."""
    rec = wb.start_recording(clip_id=ATTEMPT["clip_id"])
    rec.final_path.parent.mkdir(parents=True, exist_ok=True)
    rec.final_path.write_bytes(b"webm bytes")
    attempt = wb.log_attempt(**ATTEMPT, attempt_id=rec.attempt_id, recording=rec.final_path)
    return attempt, rec


def recording_files(wb, aid: str) -> list[Path]:
    return [p for p in paths.recording_files(wb.recordings_dir, aid) if p.exists()]


def test_deleting_removes_the_cells_the_feedback_and_every_recording_file(wb):
    keep, _ = recorded(wb)
    gone, rec = recorded(wb)
    wb.add_feedback(gone.id, reviewer="Dr Kim", role="instructor", summary="warm")
    rec.part_path.write_bytes(b"a part file left by an earlier try")
    paths.sidecar_file(wb.recordings_dir, gone.id).write_text("{}")
    assert len(recording_files(wb, gone.id)) == 3

    wb.delete_attempt(gone.id)

    assert [a.id for a in wb.attempts()] == [keep.id]
    assert recording_files(wb, gone.id) == []
    assert recording_files(wb, keep.id) == [paths.recording_file(wb.recordings_dir, keep.id)]
    cells = cells_by_id(read_valid(wb.path))
    assert f"attempt-{gone.id}" not in cells and f"feedback-{gone.id}" not in cells
    assert gone.id not in wb.path.read_text("utf-8")
    with pytest.raises(UnknownAttempt):
        wb.feedback(gone.id)
    last = json.loads(wb.journal_path.read_text("utf-8").splitlines()[-1])
    assert last["event"] == "delete" and last["attempt_id"] == gone.id  # journaled


def test_deleting_an_attempt_that_does_not_exist_is_a_clear_error(wb):
    recorded(wb)
    before = wb.journal_path.read_bytes()
    with pytest.raises(UnknownAttempt, match="There is no attempt 'nope'"):
        wb.delete_attempt("nope")
    with pytest.raises(InvalidRecord, match="attempt id"):
        wb.delete_attempt("../x")
    assert wb.journal_path.read_bytes() == before


def test_deleting_again_is_harmless(wb):
    a, _ = recorded(wb)
    wb.delete_attempt(a.id)
    lines = wb.journal_path.read_bytes()
    wb.delete_attempt(a.id)  # a double click, or the re-run after a crash
    assert wb.journal_path.read_bytes() == lines and wb.attempts() == []


def test_a_stale_notebook_saved_after_the_delete_does_not_bring_it_back(wb):
    keep, _ = recorded(wb)
    gone, _ = recorded(wb)
    wb.add_feedback(gone.id, reviewer="Dr Kim", role="instructor", summary="warm")
    stale = wb.path.read_text("utf-8")  # JupyterLab has the notebook open
    wb.delete_attempt(gone.id)
    jupyterlab_save(wb.path, stale)  # ... and the instructor clicks Save
    assert [a.id for a in wb.attempts()] == [keep.id]
    wb.log_attempt(**ATTEMPT)  # the next write rewrites the notebook from the journal
    cells = cells_by_id(read_valid(wb.path))
    assert f"attempt-{gone.id}" not in cells and f"feedback-{gone.id}" not in cells
    assert len(wb.attempts()) == 2


def test_a_stale_notebook_with_no_journal_to_hand_cannot_resurrect_either(wb, tmp_path):
    """A fresh process (no journal cache) reading a stale save: the tombstone is in the file."""
    gone, _ = recorded(wb)
    stale = wb.path.read_text("utf-8")
    wb.delete_attempt(gone.id)
    jupyterlab_save(wb.path, stale)
    again = Workspace(tmp_path / "workspace").workbook("alex")
    assert again.attempts() == []
    again.repair()
    assert gone.id not in again.path.read_text("utf-8")


def test_a_persons_cells_after_a_deleted_attempt_stay_where_they_were(wb):
    first, _ = recorded(wb)
    gone, _ = recorded(wb)
    last, _ = recorded(wb)
    nb = json.loads(wb.path.read_text("utf-8"))
    ids = [c["id"] for c in nb["cells"]]
    mine = {"cell_type": "markdown", "id": "my-note", "metadata": {}, "source": "my note"}
    nb["cells"].insert(ids.index(f"feedback-{gone.id}") + 1, mine)
    jupyterlab_save(wb.path, json.dumps(nb))
    wb.delete_attempt(gone.id)
    order = [c["id"] for c in read_valid(wb.path).cells]
    assert order.index(f"feedback-{first.id}") < order.index("my-note") < order.index(
        f"attempt-{last.id}")


def test_an_attempt_deleted_cannot_be_logged_again_under_its_id(wb):
    a, _ = recorded(wb)
    wb.delete_attempt(a.id)
    with pytest.raises(InvalidRecord, match="was deleted"):
        wb.log_attempt(**ATTEMPT, attempt_id=a.id)


def test_a_deleted_incomplete_recording_is_never_adopted_again(wb):
    rec = wb.start_recording(clip_id=ATTEMPT["clip_id"])
    rec.append(b"\x1a\x45\xdf\xa3 not much of a webm")
    (orphan,) = wb.incomplete_recordings(min_age_s=0)
    wb.delete_attempt(orphan.id)
    assert recording_files(wb, orphan.id) == []
    assert wb.incomplete_recordings(min_age_s=0) == [] and wb.attempts() == []


_KILLED = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from rupture_widgets.workbook import Workspace, store
    wb = Workspace({root!r}).workbook("alex")
    if sys.argv[1] == "before-files":   # journal and notebook written, files not yet removed
        wb._remove_recording_files = lambda aid: os.kill(os.getpid(), signal.SIGKILL)
    else:                                # journal written, notebook not yet replaced
        store.atomic_write_text = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
    wb.delete_attempt({aid!r})
""")


@pytest.mark.parametrize("where", ["before-files", "before-notebook"])
def test_a_delete_killed_half_way_stays_deleted_and_is_finished_later(wb, where):
    keep, _ = recorded(wb)
    gone, _ = recorded(wb)
    code = _KILLED.format(tests=str(ROOT / "tests"), root=str(wb.workspace.root), aid=gone.id)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code, where], env=env, capture_output=True,
                          check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert recording_files(wb, gone.id)  # killed before the files went
    assert [a.id for a in wb.attempts()] == [keep.id]  # but the journal already says deleted
    wb.incomplete_recordings(min_age_s=0)  # what the app does when it starts
    assert recording_files(wb, gone.id) == [] and [a.id for a in wb.attempts()] == [keep.id]
    wb.repair()
    assert gone.id not in wb.path.read_text("utf-8")
