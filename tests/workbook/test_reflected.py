"""``reflected``: a workbook read from its journal alone when its notebook is exactly what the
store wrote from it. After every kind of write the journal-only read must give the records the
full read gives (journal and notebook merged); whenever the notebook or the journal is not what
the mark says, it must refuse (None), so the caller reads the full way."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import nbformat
import pytest

from _workbook_fixtures import jupyterlab_save, typed_note
from rupture_widgets.errors import StorageError
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook import reflected
from rupture_widgets.workbook import store as store_module
from rupture_widgets.workbook.reflected import journal_records, written_from

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
CLIP = {"clip_id": "c3-beginner-maya", "marker": "C3", "level": "beginner"}


def fast(wb):
    return journal_records(wb.path, wb.journal_path, wb.trainee_id)


def full(wb):
    """The full read, by a workbook object that has read nothing before (no cache)."""
    return Workspace(wb.workspace.root).workbook(wb.trainee_id).records()


def log(wb, i: int, **kw):
    return wb.log_attempt(**CLIP, duration_s=10.0 + i, latency_s=0.5, speaking_s=8.0,
                          started_at=T0 + timedelta(hours=i), **kw)


@pytest.fixture
def wb(tmp_path):
    return Workspace(tmp_path / "ws").workbook("alex", display_name="Alex Doe")


def test_after_every_kind_of_write_the_journal_alone_gives_the_full_read(wb, decoder):
    checked = []

    def same():
        got = fast(wb)
        assert got is not None, "the store's own notebook was not taken as reflecting its journal"
        assert got == full(wb)
        checked.append(len(got.attempts))

    a = [log(wb, i, self_assessment={"difficulty": i, "strategies": ["S4"], "note": f"n{i}"}
             if i % 2 else None) for i in range(4)]
    same()
    wb.set_self_assessment(a[0].id, difficulty=7, strategies=["S1"], note="later")
    wb.mark_sent(a[1].id, reviewer="Dr Sam Rivera", role="supervisor")
    wb.add_feedback(a[1].id, reviewer="Dr Sam Rivera", role="supervisor",
                    ratings={"empathy": 4}, comments=[{"t": 1.0, "text": "pause"}])
    wb.mark_best(a[2].id)
    same()
    copy = wb.attempt(a[3].id).to_record()
    wb.delete_attempt(a[3].id)  # a tombstone in the journal
    same()
    assert a[3].id not in [r["id"] for r in fast(wb).attempts]
    wb.put_attempt(copy)  # logged again on purpose: the tombstone lifted
    same()
    typed_note(wb.path, a[1].id, "Warm.\n\n| Rubric item | Score |\n|---|---|\n| Empathy | 3 |")
    assert fast(wb) is None  # saved by JupyterLab: only the full read sees the note
    wb.repair()  # the next write journals the note: the journal alone has it again
    same()
    assert [f.role for f in fast(wb).feedback[a[1].id]] == ["supervisor", "notebook"]
    wb.set_display_name("Alex D.")
    log(wb, 9, status="incomplete")
    same()
    assert checked == [4, 4, 3, 4, 4, 5]


def test_a_notebook_edited_or_replaced_is_refused(wb):
    a = log(wb, 0)
    log(wb, 1)
    text = wb.path.read_text("utf-8")
    assert fast(wb) is not None and written_from(wb.path.read_bytes()) is not None
    # JupyterLab saves the same notebook, unchanged but re-indented
    jupyterlab_save(wb.path, nbformat.writes(nbformat.reads(text, as_version=4)))
    assert fast(wb) is None
    # a text editor changes one cell and keeps the store's layout and mark
    jupyterlab_save(wb.path, text.replace("10.0 s long", "11.0 s long", 1))
    assert "11.0 s long" in wb.path.read_text("utf-8") and fast(wb) is None
    # a person's cell pasted in, layout kept
    cell = json.dumps({"cell_type": "markdown", "id": "mine", "metadata": {}, "source": "x"})
    jupyterlab_save(wb.path, text.replace(",\n  ", f",\n  {cell},\n  ", 1))
    assert fast(wb) is None
    # a stale copy: the store's own text, written from fewer journal bytes
    stale = text
    wb.mark_sent(a.id, reviewer="Dr Sam Rivera", role="supervisor")
    jupyterlab_save(wb.path, stale)
    got = fast(wb)  # the journal holds the send past what the notebook reflects: read too
    assert got is not None and got == full(wb) and got.attempts[0]["sent_to"]
    wb.path.unlink()
    assert fast(wb) is None


def test_a_journal_changed_under_the_mark_is_refused(wb):
    log(wb, 0)
    log(wb, 1)
    journal = wb.journal_path.read_bytes()
    assert b'"duration_s":10.0' in journal
    wb.journal_path.write_bytes(journal.replace(b'"duration_s":10.0', b'"duration_s":19.0', 1))
    assert fast(wb) is None  # same length, other bytes: not what the notebook reflects
    wb.journal_path.write_bytes(journal[:len(journal) // 2])
    assert fast(wb) is None  # shorter (restored from an older copy)
    wb.journal_path.unlink()
    assert fast(wb) is None  # lost: the notebook's records are adopted by the full read
    assert len(full(wb).attempts) == 2


def test_events_past_the_mark_are_read_unless_one_is_a_delete(wb, monkeypatch):
    """A write whose notebook could not be replaced leaves its events in the journal only."""
    a = log(wb, 0)
    wb.add_feedback(a.id, reviewer="Dr Sam Rivera", role="supervisor", ratings={"empathy": 4})
    b = log(wb, 1)

    def disk_full(*args, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "atomic_write_text", disk_full)
    with pytest.raises(StorageError):
        log(wb, 2)  # in the journal, not in the notebook
    got = fast(wb)
    assert got is not None and len(got.attempts) == 3 and got == full(wb)
    copy = wb.attempt(a.id).to_record()
    with pytest.raises(StorageError):
        wb.delete_attempt(a.id)
    with pytest.raises(StorageError):
        wb.put_attempt(copy)  # deleted and logged again, neither in the notebook
    # the full merge takes the old feedback back from the notebook's cells: only it can say so
    assert fast(wb) is None
    assert [f.reviewer for f in full(wb).feedback[a.id]] == ["Dr Sam Rivera"]
    monkeypatch.undo()
    wb.mark_best(b.id)  # a write that succeeds: the notebook reflects the journal again
    assert fast(wb) == full(wb)


@pytest.fixture(params=["msgspec", "json"])
def decoder(request, monkeypatch):
    """Each journal-only read below with the research extra's decoder and without it."""
    if request.param == "json":
        monkeypatch.setattr(reflected, "_fast_decoder", lambda: None)
    else:
        assert reflected._fast_decoder() is not None, "msgspec (the research extra) is missing"
    return request.param


@pytest.mark.parametrize("text", [
    '[{"n": 123456789012345678901234567890, "m": -98765432109876543210987}]',  # big integers
    '[{"f": [0.1, 1.0000000000000002, 5e-324, 1.7976931348623157e308, 9007199254740993.0]}]',
    '[{"f": [1.50000000000000000001, 123456789e-20, 1e-400, -0.0, 1E2]}]',
    '[{"s": "\\u00e9\\n\\t\\"\\\\ \\ud83d\\ude00 \u00e9"}]',  # escapes, a pair, raw UTF-8
    '[{"a": 1, "a": 2}, {"b": {"c": [true, false, null, {}]}}]',  # duplicate keys: the last
    '[{"inf": 1e400}]', '[{"s": "\\ud800"}]',  # refused by msgspec, read by the standard one
])
def test_the_fast_decoder_gives_what_the_standard_library_gives(text):
    want = json.loads(text)
    got = reflected._decoded(text.encode("utf-8"))
    assert got == want and repr(got) == repr(want)  # (repr: 1 and 1.0, -0.0 and 0.0 differ)


@pytest.mark.parametrize("line, taken", [
    (b'{"at":"2026-10-01T09:00:00.000Z","attempt":{"id":', True),  # torn: still being written
    (b'{"at":"2026-10-01T09:00:00.000Z","event":"profile","display_name":"X","v":1}\n', True),
    (b"\n", False),  # a blank line
    (b'{"event":"profile","display_name":"Y","v":NaN}\n', False),  # repaired by the full read
    (b'{"event":"x","deep":' + b"[" * 120 + b"]" * 120 + b"}\n", False),  # nested too deep
    (b"[1, 2]\n", False),  # not an event
    (b'{"event":"note"}\n', False),  # an event the full read skips (no attempt_id)
])
def test_lines_past_the_mark_are_taken_only_as_the_full_read_takes_them(wb, line, taken,
                                                                      decoder):
    log(wb, 0)
    with open(wb.journal_path, "ab") as f:
        f.write(line)
    got = fast(wb)
    assert (got is not None) is taken
    if taken:
        assert got == full(wb)


def test_a_journal_the_store_could_not_read_cleanly_is_checked_line_by_line(wb):
    """A line nested too deep is skipped by the full read (and by the store that wrote the
    notebook after it): the mark says the journal was not read cleanly, so the journal-only
    read checks every line, and refuses rather than take the attempt in it."""
    a = log(wb, 0)
    rec = {**wb.attempt(a.id).to_record(), "id": "deep1", "extra": json.loads("[" * 120 +
                                                                             "]" * 120)}
    with open(wb.journal_path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"event": "attempt", "attempt": rec, "v": 1}) + "\n")
    log(wb, 1)  # the store reads the journal (the line unreadable to it) and writes
    mark = written_from(wb.path.read_bytes())
    assert mark is not None and mark["journal_clean"] is False
    assert "deep1" not in [r["id"] for r in full(wb).attempts]
    assert fast(wb) is None
