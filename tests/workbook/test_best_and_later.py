"""A best attempt per clip, and a self-assessment given (or changed) at any time later."""
from __future__ import annotations

import json

import pytest

from _workbook_fixtures import ATTEMPT, cells_by_id, jupyterlab_save, read_valid
from rupture_widgets.errors import InvalidRecord, UnknownAttempt
from rupture_widgets.workbook import Attempt, Workspace
from rupture_widgets.workbook.records import validate_record

OTHER = {**ATTEMPT, "clip_id": "c1-beginner-sam"}


@pytest.fixture
def wb(tmp_path):
    return Workspace(tmp_path / "workspace").workbook("alex")


def bests(wb) -> list[tuple[str, bool]]:
    return [(a.clip_id, a.best) for a in wb.attempts()]


def test_marking_one_best_unmarks_the_others_of_that_clip_only(wb):
    a1, a2, b1 = wb.log_attempt(**ATTEMPT), wb.log_attempt(**ATTEMPT), wb.log_attempt(**OTHER)
    assert not any(a.best for a in wb.attempts())
    assert wb.mark_best(a1.id).best
    assert wb.mark_best(b1.id).best
    assert wb.mark_best(a2.id).best
    assert {a.id: a.best for a in wb.attempts()} == {a1.id: False, a2.id: True, b1.id: True}
    wb.mark_best(a2.id, best=False)
    assert {a.id: a.best for a in wb.attempts()} == {a1.id: False, a2.id: False, b1.id: True}


def test_the_best_attempt_is_shown_in_its_cell_and_survives_a_stale_save(wb):
    a1, a2 = wb.log_attempt(**ATTEMPT), wb.log_attempt(**ATTEMPT)
    stale = wb.path.read_text("utf-8")
    wb.mark_best(a2.id)
    cells = cells_by_id(read_valid(wb.path))
    assert "★ Best attempt" in cells[f"attempt-{a2.id}"].source
    assert "Best" not in cells[f"attempt-{a1.id}"].source
    assert cells[f"attempt-{a2.id}"].metadata["rupture"]["attempt"]["best"] is True
    jupyterlab_save(wb.path, stale)
    assert wb.attempt(a2.id).best


def test_an_incomplete_or_unknown_attempt_cannot_be_best(wb):
    wb.log_attempt(**ATTEMPT)
    broken = wb.log_attempt(**ATTEMPT, status="incomplete")
    with pytest.raises(InvalidRecord, match="incomplete recording cannot be marked"):
        wb.mark_best(broken.id)
    with pytest.raises(UnknownAttempt):
        wb.mark_best("nope")
    with pytest.raises(InvalidRecord, match="True or False"):
        wb.mark_best(broken.id, best="yes")


def test_a_record_from_before_best_reads_as_not_best_and_stays_valid(wb):
    a = wb.log_attempt(**ATTEMPT)
    old = {k: v for k, v in a.to_record().items() if k != "best"}  # as an older version wrote
    validate_record("attempt", old, "an older record")
    assert Attempt.from_record(old).best is False
    nb = json.loads(wb.path.read_text("utf-8"))
    for cell in nb["cells"]:
        rec = cell["metadata"].get("rupture", {}).get("attempt")
        if rec:
            rec.pop("best")
    wb.journal_path.unlink()  # only the notebook is left: the records are adopted from it
    jupyterlab_save(wb.path, json.dumps(nb))
    assert wb.attempt(a.id).best is False
    assert wb.mark_best(a.id).best


def test_an_attempt_can_be_self_assessed_later_and_reassessed(wb):
    first = wb.log_attempt(**ATTEMPT)  # left without a self-assessment
    wb.log_attempt(**ATTEMPT, self_assessment={"difficulty": 3, "strategies": [], "note": ""})
    wb.add_feedback(first.id, reviewer="Dr Kim", role="instructor", summary="good")
    wb.mark_sent(first.id, reviewer="Dr Kim", role="instructor")
    later = wb.set_self_assessment(first.id, difficulty=7, strategies=["S3"], note="hard")
    assert later.self_assessment == {"difficulty": 7, "strategies": ["S3"], "note": "hard"}
    changed = wb.set_self_assessment(first.id, difficulty=4, note="easier on replay")
    assert changed.self_assessment == {"difficulty": 4, "strategies": [], "note": "easier on "
                                       "replay"}
    kept = wb.attempt(first.id)
    assert kept.self_assessment["difficulty"] == 4 and kept.sent_to  # nothing else changed
    assert [f.summary for f in wb.feedback(first.id)] == ["good"]
    assert "difficulty **4/10**" in cells_by_id(read_valid(wb.path))[f"attempt-{first.id}"].source


def test_a_later_self_assessment_keeps_the_best_mark(wb):
    a = wb.log_attempt(**ATTEMPT)
    wb.mark_best(a.id)
    assert wb.set_self_assessment(a.id, difficulty=5).best
