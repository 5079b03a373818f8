"""storage: atomic replace, the journal, careful notebook reads, schema checks and upgrades."""
from __future__ import annotations

import json
import threading

import nbformat
import pytest

from rupture_widgets import storage
from rupture_widgets.workbook import cells, records
from rupture_widgets.errors import InvalidRecord
from rupture_widgets.storage import (Journal, UnreadableFile, atomic_write_text, read_notebook_json,
                                     set_aside)


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "workbook.ipynb"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second ✓")
    assert target.read_text(encoding="utf-8") == "second ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["workbook.ipynb"]
    assert oct(target.stat().st_mode & 0o777) != "0o600"  # not mkstemp's private mode


def test_failed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "workbook.ipynb"
    atomic_write_text(target, "precious")

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        atomic_write_text(target, "new")
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["workbook.ipynb"]


def test_journal_appends_and_reads_incrementally(tmp_path):
    path = tmp_path / "workbook.journal.jsonl"
    writer, reader = Journal(path), Journal(path)
    assert reader.events() == []
    writer.append({"event": "attempt", "n": 1})
    assert [e["n"] for e in reader.events()] == [1]
    writer.append({"event": "attempt", "n": 2, "text": "line\nbreak ✓"})
    assert [e["n"] for e in reader.events()] == [1, 2]
    assert reader.events()[1]["text"] == "line\nbreak ✓"
    assert path.read_text(encoding="utf-8").count("\n") == 2


def test_journal_ignores_a_torn_last_line_and_fences_it_off(tmp_path):
    path = tmp_path / "workbook.journal.jsonl"
    j = Journal(path)
    j.append({"n": 1})
    with open(path, "ab") as f:  # a crash half-way through an append
        f.write(b'{"n": 2, "trunc')
    assert [e["n"] for e in Journal(path).events()] == [1]
    j.append({"n": 3})
    fresh = Journal(path)
    assert [e["n"] for e in fresh.events()] == [1, 3]
    assert fresh.bad_lines == [2]  # reported, and still in the file for a person to read
    assert '{"n": 2, "trunc' in path.read_text()


def test_journal_cache_is_dropped_when_the_file_is_replaced(tmp_path):
    path = tmp_path / "j.jsonl"
    j = Journal(path)
    j.append({"n": 1})
    j.append({"n": 2})
    assert len(j.events()) == 2
    atomic_write_text(path, json.dumps({"n": 9}) + "\n")  # e.g. restored from a bundle
    assert [e["n"] for e in j.events()] == [9]


def test_read_notebook_json(tmp_path):
    path = tmp_path / "workbook.ipynb"
    assert read_notebook_json(path) is None
    path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert read_notebook_json(path)["cells"] == []
    for bad, reason in [('{"cells": [', "not valid JSON"), ("[1]", "not a notebook"),
                        ('{"cells": [], "nbformat": 3}', "unsupported nbformat"),
                        (b"\xff\xfe", "not valid JSON")]:
        path.write_bytes(bad if isinstance(bad, bytes) else bad.encode())
        with pytest.raises(UnreadableFile, match=reason):
            read_notebook_json(path, retries=1, wait_s=0.001)


def test_read_retries_while_jupyterlab_is_half_way_through_a_save(tmp_path):
    path = tmp_path / "workbook.ipynb"
    path.write_text('{"cells": [{"cell_ty')  # truncated mid-save...
    good = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    timer = threading.Timer(0.05, lambda: path.write_text(good))  # ...and the save completes
    timer.start()
    try:
        assert read_notebook_json(path, retries=5, wait_s=0.03)["nbformat"] == 4
    finally:
        timer.join()


def test_set_aside_renames_and_never_clobbers(tmp_path):
    path = tmp_path / "workbook.ipynb"
    path.write_bytes(b"garbage 1")
    first = set_aside(path)
    path.write_bytes(b"garbage 2")
    second = set_aside(path)
    assert not path.exists() and first != second
    assert first.name.startswith("workbook.corrupt-") and first.suffix == ".ipynb"
    assert first.read_bytes() == b"garbage 1" and second.read_bytes() == b"garbage 2"


GOOD_ATTEMPT = {"id": "a1", "trainee_id": "alex", "clip_id": "c", "marker": "C3",
                "level": "beginner", "created_at": "2024-05-01T10:02:03.123Z", "recording": None,
                "duration_s": 3.0, "latency_s": None, "speaking_s": None, "status": "complete",
                "self_assessment": None, "sent_to": []}


def test_validate_record_names_the_field_and_the_value():
    records.validate_record("attempt", GOOD_ATTEMPT, "a1")
    with pytest.raises(InvalidRecord, match=r"a1.*status.*'finished'"):
        records.validate_record("attempt", {**GOOD_ATTEMPT, "status": "finished"}, "a1")
    with pytest.raises(InvalidRecord, match=r"recording"):
        records.validate_record("attempt", {**GOOD_ATTEMPT, "recording": "/etc/passwd"}, "a1")
    with pytest.raises(InvalidRecord, match=r"id"):
        records.validate_record("attempt", {**GOOD_ATTEMPT, "id": "../x"}, "a1")


def test_schema_file_is_a_valid_schema_that_accepts_our_cells():
    import jsonschema

    schema = json.loads(records.SCHEMA_PATH.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate({"kind": "attempt", "schema_version": 1, "attempt": GOOD_ATTEMPT}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"kind": "attempt", "schema_version": 1, "attempt": {}}, schema)


def test_upgrade_hook_runs_the_chain(monkeypatch):
    old = {"kind": "attempt", "schema_version": 0, "attempt": {**GOOD_ATTEMPT}}
    old["attempt"].pop("sent_to")

    def v0_to_v1(meta):  # what a real upgrade looks like: add the field v1 introduced
        return {**meta, "schema_version": 1, "attempt": {**meta["attempt"], "sent_to": []}}

    with pytest.raises(InvalidRecord, match="no upgrade from schema_version 0"):
        records.upgrade_metadata(old, "cell x")
    monkeypatch.setitem(records.UPGRADES, 0, v0_to_v1)
    new = records.upgrade_metadata(old, "cell x")
    assert new["schema_version"] == 1 and new["attempt"]["sent_to"] == []
    records.validate_record("attempt_cell", new, "cell x")
    event = records.upgrade_event({"v": 0, "event": "attempt", "attempt": old["attempt"]})
    assert event["v"] == 1 and event["attempt"]["sent_to"] == []
    with pytest.raises(InvalidRecord, match="schema_version 7 is not understood"):
        records.upgrade_metadata({**old, "schema_version": 7}, "cell x")


def test_notebook_text_is_valid_nbformat():
    cell = {"cell_type": "markdown", "id": "attempt-a1", "metadata": {}, "source": "# Hi ✓"}
    text = cells.notebook_text([cells.cell_text(cell)], {"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}})
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.cells[0].source == "# Hi ✓"
    assert cells.cell_text(cell) in text.splitlines()[2]  # one cell, one line: one-line diffs
