"""Input that must get a clear error and lose nothing: non-finite numbers, deep nesting, text that
is not Unicode, a full disk, markdown in what people type, and the smaller cases of the probe."""
from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import datetime, timezone

import pytest

from _workbook_fixtures import ATTEMPT, chunked_webm, read_valid, split
from rupture_widgets import errors
from rupture_widgets.errors import InvalidRecord, InvalidTraineeId, RecordingError
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.cells import workbook_text
from rupture_widgets.workbook.state import WorkbookState


@pytest.fixture
def wb(tmp_path):
    return Workspace(tmp_path / "workspace").workbook("alex")


def strict_json(path) -> object:
    """Parse the way JupyterLab and every browser do: no NaN, no Infinity."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(path.read_text("utf-8"), parse_constant=refuse)


# -- non-finite numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["duration_s", "latency_s", "speaking_s"])
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_non_finite_number_is_refused_at_the_door(wb, field, value):
    with pytest.raises(InvalidRecord, match=field):
        wb.log_attempt(**ATTEMPT, **{field: value})
    assert not wb.path.exists() and not wb.journal_path.exists()


@pytest.mark.parametrize("t", [float("inf"), float("nan")])
def test_a_comment_at_a_non_finite_moment_is_refused_and_the_workbook_still_writes(wb, t):
    a = wb.log_attempt(**ATTEMPT)
    with pytest.raises(InvalidRecord, match="moment"):
        wb.add_feedback(a.id, reviewer="Dr Lee", role="supervisor",
                        comments=[{"t": t, "text": "here"}])
    wb.add_feedback(a.id, reviewer="Dr Lee", role="supervisor", comments=[{"t": 2, "text": "ok"}])
    strict_json(wb.path)
    for line in wb.journal_path.read_text("utf-8").splitlines():
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in the journal"))
    assert [f.comments[0]["t"] for f in wb.feedback(a.id)] == [2.0]


def test_a_journal_that_already_holds_infinity_is_repaired_not_left_unwritable(wb):
    a = wb.log_attempt(**ATTEMPT, duration_s=3.0)
    fb = wb.add_feedback(a.id, reviewer="Dr Lee", role="supervisor",
                         comments=[{"t": 1, "text": "fine"}])
    # what an older version journaled before the door was closed
    lines = wb.journal_path.read_text("utf-8").splitlines()
    lines = [ln.replace('"duration_s":3.0', '"duration_s":Infinity').replace('"t":1.0', '"t":NaN')
             for ln in lines]
    wb.journal_path.write_text("\n".join(lines) + "\n", "utf-8")
    wb.path.unlink()
    wb2 = Workspace(wb.workspace.root).workbook("alex")
    wb2.log_attempt(**ATTEMPT)  # every write works again
    nb = read_valid(wb2.path)
    strict_json(wb2.path)
    assert [x.id for x in wb2.attempts()][0] == a.id
    assert wb2.attempt(a.id).duration_s is None  # unknown, not infinite
    assert [f.id for f in wb2.feedback(a.id)] == [fb.id]  # the comment's text is kept
    assert "fine" in json.dumps(nb.cells[2].metadata["rupture"])


def test_a_notebook_that_holds_infinity_is_repaired_on_the_next_write(wb):
    a = wb.log_attempt(**ATTEMPT, duration_s=3.0)
    text = wb.path.read_text("utf-8")
    wb.path.write_text(text.replace('"duration_s": 3.0', '"duration_s": Infinity'), "utf-8")
    assert "Infinity" in wb.path.read_text("utf-8")  # as an older version could leave it
    wb.log_attempt(**ATTEMPT)
    strict_json(wb.path)
    assert wb.attempt(a.id).duration_s == 3.0  # the journal knew the real value


def test_rendering_never_writes_a_non_finite_number():
    state = WorkbookState()
    state.apply({"event": "attempt", "attempt": {
        "id": "a1", "trainee_id": "alex", "clip_id": "c3-beginner-maya", "marker": "C3",
        "level": "beginner", "created_at": "2024-05-01T10:00:00.000Z", "recording": None,
        "duration_s": float("inf"), "latency_s": None, "speaking_s": None,
        "status": "complete", "self_assessment": None, "sent_to": []}})
    from rupture_widgets.taxonomy import load_taxonomy
    with pytest.raises(InvalidRecord, match="not a finite number"):
        workbook_text("alex", state, load_taxonomy(), {})


# -- deep nesting ------------------------------------------------------------------------------

def test_a_workbook_nested_1000_deep_is_unreadable_not_a_crash(wb):
    a = wb.log_attempt(**ATTEMPT)
    nb = json.loads(wb.path.read_text("utf-8"))
    text = json.dumps(nb)[:-1] + ', "deeper": ' + "[" * 100_000 + "]" * 100_000 + "}"
    wb.path.write_text(text, "utf-8")
    assert [x.id for x in wb.attempts()] == [a.id]  # a read: the journal still answers
    with pytest.warns(UserWarning, match="nested too deeply"):
        wb.log_attempt(**ATTEMPT)
    read_valid(wb.path)


def test_a_journal_line_nested_too_deeply_is_skipped_and_kept(wb):
    a = wb.log_attempt(**ATTEMPT)
    with open(wb.journal_path, "a", encoding="utf-8") as f:
        f.write('{"event":"note","x":' + "[" * 100_000 + "]" * 100_000 + "}\n")
    wb.log_attempt(**ATTEMPT)
    assert a.id in [x.id for x in wb.attempts()]
    assert "[[[[" in wb.journal_path.read_text("utf-8")  # kept in the file, never rewritten


def test_metadata_nested_deep_but_parseable_does_not_break_writes(wb):
    wb.log_attempt(**ATTEMPT)
    nb = json.loads(wb.path.read_text("utf-8"))
    deep: list = []
    for _ in range(900):
        deep = [deep]
    nb["metadata"]["deep"] = deep
    wb.path.write_text(json.dumps(nb), "utf-8")
    wb.log_attempt(**ATTEMPT)
    read_valid(wb.path)
    assert len(wb.attempts()) == 2



def test_the_depth_limit_is_exact_whatever_shortcut_the_parser_takes():
    """parse_json skips its walk when the text has too few brackets to be deep; the verdict
    must be the depth itself, brackets inside strings and wide documents included."""
    from rupture_widgets.storage import MAX_DEPTH, NotJSON, parse_json

    def depth_of(value: object) -> int:  # the plain recursive definition, for reference
        if isinstance(value, dict):
            return 1 + max(map(depth_of, value.values()), default=0)
        if isinstance(value, list):
            return 1 + max(map(depth_of, value), default=0)
        return 0

    def nested(depth: int, wide: int, in_strings: int) -> object:
        value: object = ["[{" * in_strings, *([[]] * wide)]
        for level in range(depth):
            value = {"k": value, "s": "}]" * in_strings} if level % 2 else [value, "{["]
        return value

    seen = set()
    for depth in (0, 1, MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH + 3):
        for wide in (0, 150):
            for in_strings in (0, 60):
                value = nested(depth, wide, in_strings)
                seen.add(depth_of(value))
                for text in (json.dumps(value), json.dumps(value).encode("utf-8"),
                             json.dumps(value).encode("utf-16")):
                    if depth_of(value) > MAX_DEPTH:
                        with pytest.raises(NotJSON, match="nested too deeply"):
                            parse_json(text)
                    else:
                        assert parse_json(text) == value
    assert {MAX_DEPTH, MAX_DEPTH + 1} <= seen

# -- text that is not Unicode --------------------------------------------------------------------

LONE = "\ud83d"  # half of an emoji's surrogate pair, as a broken clipboard or client can send


def test_a_note_with_a_lone_surrogate_is_refused_in_plain_words(wb):
    a = wb.log_attempt(**ATTEMPT)
    with pytest.raises(InvalidRecord, match="not valid Unicode"):
        wb.set_self_assessment(a.id, difficulty=3, note=f"felt {LONE} odd")
    wb.set_self_assessment(a.id, difficulty=3, note="felt odd")
    assert wb.attempt(a.id).self_assessment["note"] == "felt odd"


@pytest.mark.parametrize("field", ["reviewer", "summary", "comment"])
def test_feedback_text_with_a_lone_surrogate_is_refused(wb, field):
    a = wb.log_attempt(**ATTEMPT)
    kw = {"reviewer": "Dr Lee", "role": "supervisor", "summary": "",
          "comments": [{"t": 1, "text": "ok"}]}
    if field == "comment":
        kw["comments"] = [{"t": 1, "text": LONE}]
    else:
        kw[field] = f"Dr {LONE}"
    with pytest.raises(InvalidRecord, match="not valid Unicode"):
        wb.add_feedback(a.id, **kw)
    with pytest.raises(InvalidRecord, match="not valid Unicode"):
        wb.mark_sent(a.id, reviewer=f"Dr {LONE}", role="peer")
    assert wb.feedback(a.id) == [] and wb.attempt(a.id).sent_to == ()


# -- a full disk (a real one: a small tmpfs, filled) ---------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs mounted for the test (CI runs as root); ``fill()`` takes every free byte."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)

    def fill(leave: int = 0):
        with open(mount / "filler", "ab") as f:
            while True:
                free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
                if free <= leave:
                    return
                try:
                    f.write(b"\0" * min(free - leave, 65536))
                    f.flush()
                except OSError:
                    return

    try:
        yield mount, fill
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_names_the_file_and_says_nothing_saved_was_lost(small_disk):
    mount, fill = small_disk
    ws = Workspace(mount / "ws")
    alice = ws.workbook("alice")
    alice.log_attempt(**ATTEMPT)
    fill()
    with pytest.raises(errors.StorageError) as e:
        ws.workbook("bob").log_attempt(**ATTEMPT)
    msg = str(e.value)
    assert "disk is full" in msg and str(ws.workbook("bob").dir) in msg
    assert "not saved" in msg and "nothing saved before was lost" in msg.lower()
    assert "free" in msg.lower()
    assert [a.status for a in alice.attempts()] == ["complete"]


def test_a_full_disk_while_rewriting_the_notebook_keeps_the_old_one(small_disk):
    mount, fill = small_disk
    wb = Workspace(mount / "ws").workbook("alex")
    a = wb.log_attempt(**ATTEMPT)
    before = wb.path.read_bytes()
    fill()
    with pytest.raises(errors.StorageError, match="disk is full") as e:
        wb.set_self_assessment(a.id, difficulty=4, note="x" * 3000)
    assert str(wb.path) in str(e.value) and "journal" in str(e.value)
    assert wb.path.read_bytes() == before  # the notebook JupyterLab opens is intact
    assert not list(wb.dir.glob(".workbook.ipynb.*.tmp"))
    (mount / "filler").unlink()
    wb.repair()  # space again: the journal, which has the change, brings the notebook up to date
    assert wb.attempt(a.id).self_assessment["difficulty"] == 4
    read_valid(wb.path)


def test_finalise_after_an_append_that_failed_part_way_is_not_complete(small_disk, tmp_path):
    mount, fill = small_disk
    data = chunked_webm(tmp_path / "src.webm", seconds=3.0)
    chunks = split(data, 3)
    wb = Workspace(mount / "ws").workbook("alex")
    rec = wb.start_recording()
    rec.append(chunks[0])
    kept = rec.part_path.stat().st_size
    fill(leave=len(chunks[1]) // 2)
    with pytest.raises(RecordingError, match="disk is full"):
        rec.append(chunks[1])
    (mount / "filler").unlink()
    with pytest.raises(RecordingError, match="could not be written"):
        rec.append(chunks[2])  # a hole in the middle would garble everything after it
    with pytest.raises(RecordingError, match="could not be written"):
        rec.finalise()
    assert rec.part_path.exists() and not rec.final_path.exists()
    assert rec.part_path.stat().st_size == kept  # what was received whole is kept, nothing torn


# -- markdown in what people type ----------------------------------------------------------------

INJECTED = ("![pixel](http://tracker.example/p.png) # Heading $x^2$\n\n# Real heading\n"
            "[link](javascript:alert(1)) **bold** <img src=x> `code`\n    indented\n---")


def _rendered_html(markdown_text: str) -> str:
    import mistune  # the renderer nbconvert uses; CommonMark, like JupyterLab's
    return mistune.html(markdown_text)


def test_markdown_in_typed_text_is_shown_as_typed_not_interpreted(wb):
    a = wb.log_attempt(**ATTEMPT)
    wb.set_self_assessment(a.id, difficulty=3, note=INJECTED)
    wb.mark_sent(a.id, reviewer="# Dr ![x](http://t.example/r.png)", role="peer")
    wb.add_feedback(a.id, reviewer="[Dr](http://t.example) Lee", role="supervisor",
                    comments=[{"t": 1, "text": INJECTED}], summary=INJECTED)
    nb = read_valid(wb.path)
    for cell in nb.cells[1:]:
        html = _rendered_html(cell.source.split("_Reviewers: write your feedback")[0])
        assert "<img" not in html and "<a " not in html  # nothing fetched, nothing to click
        assert "<h1" not in html and "<h2" not in html and "<hr" not in html
        assert "<strong>bold" not in html and "<code>code" not in html and "<pre" not in html
        assert "$" not in cell.source.split("_Reviewers: write your feedback")[0]  # JupyterLab would render math
    assert "pixel" in _rendered_html(nb.cells[1].source)  # the words are still there
    assert "$x^2$" in _rendered_html(nb.cells[1].source).replace("&#36;", "$")


# -- the smaller ones ----------------------------------------------------------------------------

def test_a_far_future_start_time_is_a_clear_error(wb):
    with pytest.raises(InvalidRecord, match="started_at"):
        wb.log_attempt(**ATTEMPT, started_at=datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc)
                       .replace(tzinfo=None))
    with pytest.raises(InvalidRecord, match="started_at"):
        wb.log_attempt(**ATTEMPT, started_at="9999-12-31T23:59:59-05:00")


def test_strategies_none_means_none(wb):
    a = wb.log_attempt(**ATTEMPT)
    assert wb.set_self_assessment(a.id, difficulty=2, strategies=None).self_assessment[
        "strategies"] == []
    fb = wb.add_feedback(a.id, reviewer="Dr Lee", role="peer", strategies=None)
    assert fb.strategies == ()
    with pytest.raises(InvalidRecord, match="strategies"):
        wb.set_self_assessment(a.id, difficulty=2, strategies=5)


@pytest.mark.parametrize("name", ["CON", "nul", "Aux", "COM1", "lpt9", "con.txt", "PRN"])
def test_windows_reserved_names_are_refused_as_trainee_ids(tmp_path, name):
    with pytest.raises(InvalidTraineeId, match="Windows reserves"):
        Workspace(tmp_path).workbook(name)
    assert not (tmp_path / "trainees").exists()


def test_stale_temp_files_left_by_a_killed_write_are_cleaned(wb):
    wb.log_attempt(**ATTEMPT)
    stale = wb.dir / ".workbook.ipynb.abc123.tmp"
    stale.write_text("half a notebook")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = wb.dir / ".workbook.ipynb.def456.tmp"  # could belong to a write under way elsewhere
    fresh.write_text("being written")
    wb.log_attempt(**ATTEMPT)
    assert not stale.exists() and fresh.exists()
