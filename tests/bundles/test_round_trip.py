"""A bundle carries a trainee's work off one server and onto another, byte for byte, and
importing it again changes nothing."""
from __future__ import annotations

import io
import os
import zipfile

import pytest

from _bundle_fixtures import REVIEWER, TRAINEE, tree_hashes
from _workbook_fixtures import read_valid
from rupture_widgets.bundles import export_bundle, import_bundle, read_manifest
from rupture_widgets.errors import BundleError
from rupture_widgets.exchange import open_exchange
from rupture_widgets.storage import parse_json
from rupture_widgets.workbook import Workspace


def test_a_trainee_bundle_restores_the_same_attempts_and_recordings(practised, tmp_path):
    ws, wb, ids, review = practised
    out = tmp_path / "alex.zip"
    manifest = export_bundle(ws, out, trainee=TRAINEE)
    assert (manifest.kind, manifest.owner, manifest.format_version) == ("trainee", TRAINEE, 1)
    assert manifest.file_name.startswith(f"rupture-{TRAINEE}-20") and \
        manifest.file_name.endswith("Z.zip")
    with zipfile.ZipFile(out) as zf:
        listed = parse_json(zf.read("manifest.json"))
        stored = [f["path"] for f in listed["files"] if "same_as" not in f]
        assert sorted(zf.namelist()) == sorted(stored + ["manifest.json"])
    # the recording sent to the reviewer is a hard link of the trainee's: stored once
    [copy] = [f for f in listed["files"] if "same_as" in f]
    assert copy["path"].startswith("exchange/inbox/dr.sam.rivera/") and \
        copy["same_as"] == f"trainees/{TRAINEE}/recordings/{ids[0]}.webm"

    fresh = Workspace(tmp_path / "server-2")
    report = import_bundle(fresh, out)
    assert (report.attempts_added, report.recordings_added) == (2, 3)  # 2 own + 1 sent copy
    assert report.feedback_added == 1 and "2 added" in str(report)
    restored = fresh.workbook(TRAINEE)
    assert [a.to_record() for a in restored.attempts()] == [a.to_record() for a in wb.attempts()]
    assert restored.display_name == "Alex Morgan"
    for aid in ids:
        assert restored.recording_path(aid).read_bytes() == wb.recording_path(aid).read_bytes()
    read_valid(restored.path)
    assert restored.drafts() == wb.drafts()
    # what was sent waits in this exchange; what came back is collected as on the first server
    ex = open_exchange(fresh)
    assert [s.attempt.id for s in ex.queue(REVIEWER)] == [ids[0]]
    sent = ex.review_workbook(REVIEWER, TRAINEE).recording_path(ids[0])
    assert os.path.samefile(sent, restored.recording_path(ids[0]))  # a link again, as sent
    assert [f.id for f in ex.collect(restored)] == [review["id"]]
    assert restored.feedback(ids[0])[0].summary == "Warm and clear."

    # collected, the review is both a return and a record: still one review in the report
    third = Workspace(tmp_path / "server-3")
    export_bundle(fresh, tmp_path / "again.zip", trainee=TRAINEE)
    assert import_bundle(third, tmp_path / "again.zip").feedback_added == 1


def test_importing_twice_changes_nothing_byte_for_byte(practised, tmp_path):
    ws = practised[0]
    data = io.BytesIO()
    export_bundle(ws, data, trainee=TRAINEE)  # as the practice app does, in memory
    fresh = Workspace(tmp_path / "server-2")
    import_bundle(fresh, data.getvalue())
    before = tree_hashes(fresh.root)
    again = import_bundle(fresh, io.BytesIO(data.getvalue()))
    assert tree_hashes(fresh.root) == before
    assert not again.changed and "everything in it is here already" in str(again)
    assert again.attempts_present == 2 and again.recordings_present == 3


def test_a_bundle_from_a_stream_that_cannot_seek_or_a_memoryview_imports(practised, tmp_path):
    """An upload may arrive as a memoryview (ipywidgets' FileUpload) or a pipe."""
    ws = practised[0]
    data = io.BytesIO()
    export_bundle(ws, data, trainee=TRAINEE)

    class Pipe(io.RawIOBase):
        def __init__(self, raw: bytes):
            self._raw = io.BytesIO(raw)

        def readable(self):
            return True

        def readinto(self, b):
            return self._raw.readinto(b)

    assert import_bundle(Workspace(tmp_path / "a"), Pipe(data.getvalue())).attempts_added == 2
    assert import_bundle(Workspace(tmp_path / "b"),
                         memoryview(data.getvalue())).attempts_added == 2


def test_the_manifest_can_be_read_before_importing(practised, tmp_path):
    """So the practice app can say whose work a bundle is before restoring it."""
    ws = practised[0]
    out = tmp_path / "alex.zip"
    made = export_bundle(ws, out, trainee=TRAINEE)
    assert read_manifest(out) == made and read_manifest(out.read_bytes()).owner == TRAINEE
    damaged = bytearray(out.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    with pytest.raises(BundleError):
        read_manifest(bytes(damaged))


def test_the_exchange_part_goes_where_the_workspace_keeps_its_exchange(practised, tmp_path,
                                                                        monkeypatch):
    """``exchange/`` in a bundle is the workspace's exchange, wherever $RUPTURE_EXCHANGE is."""
    ws = practised[0]
    data = io.BytesIO()
    export_bundle(ws, data, trainee=TRAINEE)
    elsewhere = tmp_path / "shared-exchange"
    monkeypatch.setenv("RUPTURE_EXCHANGE", str(elsewhere))
    fresh = Workspace(tmp_path / "server-2")
    import_bundle(fresh, data.getvalue())
    assert not (fresh.root / "exchange").exists()
    assert [s.trainee_id for s in open_exchange(fresh).queue(REVIEWER)] == [TRAINEE]
    assert (elsewhere / "returns" / TRAINEE).is_dir()
