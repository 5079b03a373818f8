"""A bundle carries a trainee's work off one server and onto another, byte for byte, and
importing it again changes nothing."""
from __future__ import annotations

import io
import zipfile

from _workbook_fixtures import read_valid
from conftest import REVIEWER, TRAINEE, tree_hashes
from rupture_widgets.bundles import export_bundle, import_bundle
from rupture_widgets.exchange import open_exchange
from rupture_widgets.storage import parse_json
from rupture_widgets.workbook import Workspace


def test_a_trainee_bundle_restores_the_same_attempts_and_recordings(practised, tmp_path):
    ws, wb, ids, review = practised
    out = tmp_path / "alex.zip"
    manifest = export_bundle(ws, out, trainee=TRAINEE)
    assert (manifest.kind, manifest.owner, manifest.format_version) == ("trainee", TRAINEE, 1)
    with zipfile.ZipFile(out) as zf:
        listed = parse_json(zf.read("manifest.json"))
        assert sorted(zf.namelist()) == sorted([f["path"] for f in listed["files"]]
                                               + ["manifest.json"])

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
    assert [f.id for f in ex.collect(restored)] == [review["id"]]
    assert restored.feedback(ids[0])[0].summary == "Warm and clear."


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
