"""The trainee's name as typed, kept in the workbook; drafts of text being typed."""
from __future__ import annotations

import json
import re
import threading

import pytest

from _workbook_fixtures import ATTEMPT, cells_by_id, jupyterlab_save, read_valid
from rupture_widgets.errors import InvalidName, InvalidRecord
from rupture_widgets.workbook import HEADER_ID, Workspace, paths
from rupture_widgets.workbook.drafts import MAX_DRAFT_CHARS, MAX_DRAFTS


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "workspace")


# -- the display name -------------------------------------------------------------------------

def test_the_display_name_is_kept_in_the_header_and_read_back(ws):
    wb = ws.workbook("jose.obrien", display_name="  José O'Brien ")
    assert wb.display_name == "José O'Brien"
    header = cells_by_id(read_valid(wb.path))[HEADER_ID]
    assert header.metadata["rupture"]["display_name"] == "José O'Brien"
    assert "José O&#x27;Brien" in header.source and "<code>jose.obrien</code>" in header.source


def test_without_a_display_name_the_id_stands_in(ws):
    wb = ws.workbook("alex")
    assert wb.display_name == "alex" and not wb.path.exists()  # reading wrote nothing


def test_the_same_name_again_writes_nothing_and_a_new_one_replaces_it(ws):
    wb = ws.workbook("sam", display_name="Sam")
    lines = wb.journal_path.read_bytes()
    ws.workbook("sam", display_name="Sam")
    assert wb.journal_path.read_bytes() == lines
    assert ws.workbook("sam", display_name="Sam Rivera").display_name == "Sam Rivera"


def test_the_display_name_survives_a_stale_save_and_a_lost_journal(ws, tmp_path):
    wb = ws.workbook("wang", display_name="王小明")
    wb.log_attempt(**ATTEMPT)
    jupyterlab_save(wb.path, wb.path.read_text("utf-8").replace('"display_name": "王小明", ', ""))
    assert wb.display_name == "王小明"  # the journal knows it
    wb.repair()
    text = wb.path.read_text("utf-8")
    wb.journal_path.unlink()
    jupyterlab_save(wb.path, text)
    assert Workspace(tmp_path / "workspace").workbook("wang").display_name == "王小明"


@pytest.mark.parametrize("bad,message", [
    ("", "Type your name first."), ("   ", "Type your name first."),
    ("Sam\nRivera", "control character (U+000A"), ("Sam\x07", "control character (U+0007"),
    ("\u202enimda", "text-direction control (U+202E)"), ("x" * 81, "81 characters long"),
    ("Sam \ud83d", "not valid Unicode"), ("../..", "no letters or digits")])
def test_a_display_name_that_cannot_be_kept_is_refused_in_plain_words(ws, bad, message):
    with pytest.raises(InvalidName, match=re.escape(message)):
        ws.workbook("sam", display_name=bad)
    assert not (ws.root / "trainees" / "sam").exists()


def test_a_hand_edited_display_name_in_the_header_is_ignored(ws):
    wb = ws.workbook("sam")
    wb.log_attempt(**ATTEMPT)
    nb = json.loads(wb.path.read_text("utf-8"))
    nb["cells"][0]["metadata"]["rupture"]["display_name"] = "bad\x00name"
    jupyterlab_save(wb.path, json.dumps(nb))
    assert wb.display_name == "sam"
    wb.repair()  # and the write goes on
    assert read_valid(wb.path)


# -- drafts -----------------------------------------------------------------------------------

def test_a_draft_is_kept_replaced_and_cleared(ws):
    wb = ws.workbook("alex")
    wb.save_draft("self-assessment:a1:note", "I froze when")
    wb.save_draft("self-assessment:a1:note", "I froze when she said")
    wb.save_draft("send:message", "Could you look at the pause?")
    again = Workspace(ws.root).workbook("alex")  # a reload: another process, say
    assert again.drafts() == {"self-assessment:a1:note": "I froze when she said",
                              "send:message": "Could you look at the pause?"}
    again.clear_draft("send:message")
    again.save_draft("self-assessment:a1:note", "")  # emptied: no draft
    assert wb.drafts() == {}
    assert paths.TraineeFolder(wb.dir).drafts.exists() and not wb.path.exists()


def test_an_unchanged_draft_writes_nothing(ws):
    wb = ws.workbook("alex")
    wb.save_draft("note", "same")
    file = paths.TraineeFolder(wb.dir).drafts
    before = file.stat().st_mtime_ns, file.stat().st_ino
    wb.save_draft("note", "same")
    wb.clear_draft("never-saved")
    assert (file.stat().st_mtime_ns, file.stat().st_ino) == before


@pytest.mark.parametrize("key", ["", "Note", "a/b", "../x", "x" * 81, "with space", None])
def test_a_draft_key_must_be_the_apps_own_kind_of_name(ws, key):
    with pytest.raises(InvalidRecord, match="draft key"):
        ws.workbook("alex").save_draft(key, "text")


def test_a_draft_too_long_or_not_valid_unicode_is_refused_and_the_old_one_kept(ws):
    wb = ws.workbook("alex")
    wb.save_draft("note", "kept")
    with pytest.raises(InvalidRecord, match="20,000"):
        wb.save_draft("note", "x" * (MAX_DRAFT_CHARS + 1))
    with pytest.raises(InvalidRecord, match="not valid Unicode"):
        wb.save_draft("note", "I froze \ud83d")
    assert wb.drafts() == {"note": "kept"}


def test_an_unreadable_drafts_file_loses_only_drafts(ws):
    wb = ws.workbook("alex")
    wb.dir.mkdir(parents=True)
    paths.TraineeFolder(wb.dir).drafts.write_text("{not json")
    assert wb.drafts() == {}
    wb.save_draft("note", "new")
    assert wb.drafts() == {"note": "new"}


def test_only_the_most_recent_drafts_are_kept(ws):
    wb = ws.workbook("alex")
    for i in range(MAX_DRAFTS + 5):
        wb.save_draft(f"note:{i}", f"text {i}")
    wb.save_draft("note:0", "touched again")  # the oldest, saved again, is recent now
    kept = wb.drafts()
    assert len(kept) == MAX_DRAFTS and kept["note:0"] == "touched again"
    assert "note:1" not in kept and f"note:{MAX_DRAFTS + 4}" in kept


def test_two_tabs_typing_at_once_both_keep_their_text(ws):
    wb_a, wb_b = ws.workbook("alex"), Workspace(ws.root).workbook("alex")

    def typing(wb, key):
        for i in range(60):
            wb.save_draft(key, "x" * (i + 1))

    threads = [threading.Thread(target=typing, args=(wb_a, "tab-a")),
               threading.Thread(target=typing, args=(wb_b, "tab-b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wb_a.drafts() == {"tab-a": "x" * 60, "tab-b": "x" * 60}


def test_a_draft_save_is_atomic_but_not_fsynced(ws, monkeypatch):
    """On every keystroke an fsync would cost 5-10 ms on a busy disk (bench/drafts.py); a
    reload still finds the draft, and only a power cut could lose the last keystrokes."""
    import os

    wb = ws.workbook("alex")
    wb.save_draft("note", "first")  # the folder exists now
    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    wb.save_draft("note", "second")
    assert synced == [] and Workspace(ws.root).workbook("alex").drafts() == {"note": "second"}
    assert not [p for p in wb.dir.iterdir() if p.name.endswith(".tmp")]  # replaced, not torn
