"""records: ids, the checks on the way in (each message names the bad value), the schema, upgrades."""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

import pytest

from rupture_widgets.workbook import records
from rupture_widgets.errors import InvalidRecord, InvalidTraineeId
from rupture_widgets.workbook.records import (Attempt, Feedback, attempt_record, check_record_id,
                                     check_reviewer, check_trainee_id, feedback_record,
                                     new_record_id, orphan_record, self_assessment_record,
                                     utc_iso, validate_record)
from rupture_widgets.taxonomy import load_taxonomy

TAX = load_taxonomy()


@pytest.fixture
def new_attempt(tmp_path):
    def make(**changes):
        kwargs = dict(clip_id="c3-beginner-maya", marker="C3", level="beginner",
                      recording=None, duration_s=3.0, started_at=None, latency_s=None,
                      speaking_s=None, self_assessment=None, status="complete")
        kwargs.update(changes)
        return attempt_record(TAX, tmp_path, "alex", "a1", "'a1'", **kwargs)
    return make


# -- ids ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("good", ["alex", "alex.morgan", "A_1-b", "x" * 64])
def test_good_trainee_ids(good):
    assert check_trainee_id(good) == good


@pytest.mark.parametrize("bad,reason", [
    ("", "it is empty"), (7, "it is not text"), ("x" * 65, "it is 65 characters long"),
    ("a..b", "contains '..'"), ("../etc", "contains '..'"), ("a/b", "not allowed"),
    ("alex morgan", "not allowed"), (".hidden", "not allowed"), ("tab\there", "not allowed"),
])
def test_bad_trainee_ids_say_which_and_why(bad, reason):
    with pytest.raises(InvalidTraineeId) as err:
        check_trainee_id(bad)
    assert repr(bad) in str(err.value) and reason in str(err.value)
    assert "for example 'alex.morgan'" in str(err.value)  # what to do instead


def test_record_ids_are_unguessable_and_valid():
    ids = {new_record_id() for _ in range(100)}
    assert len(ids) == 100 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert all(check_record_id(i) == i for i in ids)


@pytest.mark.parametrize("bad", ["", "../x", "a/b", "-a", "x" * 56, None, 12])
def test_bad_record_ids_are_named(bad):
    with pytest.raises(InvalidRecord, match=re.escape(repr(bad))):
        check_record_id(bad, "feedback id")


# -- attempts ----------------------------------------------------------------------------------

def test_a_checked_attempt(new_attempt, tmp_path):
    rec = new_attempt(recording=tmp_path / "recordings" / "a1.webm", speaking_s=2,
                      started_at=datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
                      self_assessment={"difficulty": 4, "strategies": "S3", "note": "ok"})
    assert rec["recording"] == "recordings/a1.webm"  # relative to the trainee's folder
    assert rec["created_at"] == "2024-05-01T10:00:00.000Z" and rec["speaking_s"] == 2.0
    assert rec["self_assessment"] == {"difficulty": 4, "strategies": ["S3"], "note": "ok"}
    assert Attempt.from_record(rec).to_record() == rec


@pytest.mark.parametrize("changes,named", [
    ({"marker": "Z9"}, "marker 'Z9' is not one of"),
    ({"level": "expert"}, "level 'expert' is not one of ['beginner'"),
    ({"recording": "/etc/passwd"}, "recording '/etc/passwd' is not inside"),
    ({"recording": "../bob/recordings/x.webm"}, "is not inside the trainee's folder"),
    ({"duration_s": -1}, "duration_s should be a finite number of seconds (0 or more), got -1"),
    ({"latency_s": "2s"}, "latency_s should be a finite number of seconds (0 or more), got '2s'"),
    ({"started_at": "yesterday"}, "started_at should be a datetime or ISO-8601 text between "
                                 "the years 1970 and 2999, got 'yesterday'"),
    ({"status": "finished"}, "'finished'"),
    ({"self_assessment": {"difficulty": 3, "strategies": ["S99"]}}, "strategy 'S99' is not one"),
    ({"self_assessment": {"difficulty": 11}}, "from 0 to 10, got 11"),
])
def test_a_bad_attempt_names_the_bad_value(new_attempt, changes, named):
    with pytest.raises(InvalidRecord) as err:
        new_attempt(**changes)
    assert named in str(err.value) and "'a1'" in str(err.value)


def test_a_note_is_limited_to_10000_characters_in_plain_words():
    assert self_assessment_record(TAX, "'a1'", 3, (), "x" * 10_000)["note"] == "x" * 10_000
    with pytest.raises(InvalidRecord) as err:
        self_assessment_record(TAX, "'a1'", 3, (), "x" * 10_412)
    assert "the note is 10,412 characters; keep it to 10,000 or fewer" in str(err.value)


def test_an_orphan_takes_what_it_can_from_a_bad_sidecar(tmp_path):
    path = tmp_path / "recordings" / "a1.part.webm"
    path.parent.mkdir()
    path.write_bytes(b"x")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    rec = orphan_record(tmp_path, "alex", "a1", path, {"clip_id": "c1", "marker": 5,
                                                         "level": "x" * 300, "started_at": "?"})
    assert (rec["clip_id"], rec["marker"], rec["level"]) == ("c1", "unknown", "unknown")
    assert rec["created_at"] == "2023-11-14T22:13:20.000Z"  # the file's time, not a bad hint
    assert rec["status"] == "incomplete" and rec["recording"] == "recordings/a1.part.webm"


def test_utc_iso():
    assert utc_iso("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00.000Z"
    assert utc_iso(datetime(2024, 5, 1, 10, tzinfo=timezone.utc)) == "2024-05-01T10:00:00.000Z"
    with pytest.raises(InvalidRecord, match="expected a datetime or ISO-8601 text"):
        utc_iso(5)


# -- feedback ----------------------------------------------------------------------------------

def _feedback(**changes):
    kwargs = dict(reviewer=" Dr Lee ", role="supervisor", ratings={"warmth": 4},
                  strategies=["S4"], comments=[{"t": 2, "text": "good pause"}], summary="")
    kwargs.update(changes)
    return feedback_record(TAX, "a1", **kwargs)


def test_a_checked_feedback_record():
    rec = _feedback()
    assert rec["reviewer"] == "Dr Lee" and rec["comments"] == [{"t": 2.0, "text": "good pause"}]
    assert Feedback.from_record(rec).to_record() == rec


@pytest.mark.parametrize("changes,named", [
    ({"reviewer": "  "}, "a reviewer name is needed, got '  '"),
    ({"role": "parent"}, "'parent' is not one of ['instructor', 'supervisor', 'peer']"),
    ({"ratings": {"charm": 3}}, "rating 'charm' is not a rubric item"),
    ({"ratings": {"warmth": 6}}, "rating warmth=6 should be a whole number from 1 to 5"),
    ({"ratings": {"warmth": True}}, "rating warmth=True"),
    ({"comments": [{"text": "no time"}]}, "needs 't', the moment in seconds"),
    ({"comments": [{"t": 1, "text": " "}]}, "needs some 'text'"),
    ({"strategies": ["S0"]}, "strategy 'S0' is not one of"),
    ({"summary": None}, "summary should be text, got None"),
])
def test_bad_feedback_names_the_bad_value(changes, named):
    with pytest.raises(InvalidRecord) as err:
        _feedback(**changes)
    assert named in str(err.value) and "for attempt 'a1'" in str(err.value)


def test_check_reviewer_strips_the_name():
    assert check_reviewer(" Sam ", "peer", "here") == "Sam"


# -- schema and upgrades -----------------------------------------------------------------------

def test_the_schema_message_names_the_field_and_the_value(new_attempt):
    rec = new_attempt()
    with pytest.raises(InvalidRecord) as err:
        validate_record("attempt", {**rec, "clip_id": ""}, "'a1'")
    assert "clip_id" in str(err.value) and "(got '')" in str(err.value)


def test_an_unknown_future_version_is_refused_and_the_chain_must_advance(monkeypatch):
    meta = {"kind": "header", "schema_version": records.SCHEMA_VERSION + 1}
    with pytest.raises(InvalidRecord, match="is not understood by this version"):
        records.upgrade_metadata(meta, "in cell x")
    monkeypatch.setitem(records.UPGRADES, 0, lambda m: m)  # forgets to raise the version
    with pytest.raises(RuntimeError, match=r"UPGRADES\[0\] did not raise schema_version"):
        records.upgrade_metadata({"kind": "header", "schema_version": 0}, "in cell x")
    event = {"event": "note", "v": 0, "text": "t"}  # only attempts and feedback are upgraded
    assert records.upgrade_event(event) is event
