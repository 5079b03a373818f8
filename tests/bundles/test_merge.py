"""Importing merges: a workspace that already has work keeps all of it and gains the bundle's,
through the workbook's own merge; nothing is replaced, and the report says what was kept."""
from __future__ import annotations

import io

from _workbook_fixtures import cells_by_id, read_valid, recorded_attempt
from _bundle_fixtures import TRAINEE, entries, tree_hashes
from rupture_widgets.bundles import export_bundle, import_bundle
from rupture_widgets.storage import dumps, parse_json
from rupture_widgets.workbook import Workspace


def bundle_of(ws, **who) -> bytes:
    out = io.BytesIO()
    export_bundle(ws, out, **who)
    return out.getvalue()


def test_a_workbook_with_its_own_attempts_keeps_them_and_gains_the_bundles(practised, tmp_path,
                                                                           answers):
    ws, wb, ids, _ = practised
    # a cell the trainee added in JupyterLab on the first server comes along, once
    nb = parse_json(wb.path.read_bytes())
    nb["cells"].append({"cell_type": "markdown", "id": "my-own-notes", "metadata": {},
                        "source": "Things to try next week"})
    wb.path.write_text(dumps(nb))
    data = bundle_of(ws, trainee=TRAINEE)

    server2 = Workspace(tmp_path / "server-2")  # practised again before restoring
    here = server2.workbook(TRAINEE, display_name="Alex M.")
    own = recorded_attempt(here, answers[1])
    own_bytes = here.recording_path(own.id).read_bytes()
    here.save_draft(f"self-assessment:{ids[0]}:note", "typed on the new server")
    report = import_bundle(server2, data)

    assert report.attempts_added == 2 and report.attempts_present == 0
    assert {a.id for a in here.attempts()} == {own.id, *ids}
    assert here.recording_path(own.id).read_bytes() == own_bytes
    assert here.display_name == "Alex M."  # the name kept here is not replaced
    assert here.drafts()[f"self-assessment:{ids[0]}:note"] == "typed on the new server"
    assert "draft(s)" in str(report)
    restored = read_valid(here.path)
    assert cells_by_id(restored)["my-own-notes"]["source"] == "Things to try next week"
    journal = here.journal_path.read_text()
    assert all(aid in journal for aid in ids)  # journaled: the next write keeps them

    before = tree_hashes(server2.root)
    assert not import_bundle(server2, data).changed
    assert tree_hashes(server2.root) == before
    assert [c["id"] for c in read_valid(here.path).cells].count("my-own-notes") == 1


def test_newer_work_here_is_never_rolled_back_nor_a_deletion_undone(practised, tmp_path):
    ws, wb, ids, _ = practised
    data = bundle_of(ws, trainee=TRAINEE)
    server2 = Workspace(tmp_path / "server-2")
    import_bundle(server2, data)
    here = server2.workbook(TRAINEE)
    here.set_self_assessment(ids[1], difficulty=2, note="Easier now")
    here.delete_attempt(ids[0])
    report = import_bundle(server2, data)
    assert here.attempt(ids[1]).self_assessment["note"] == "Easier now"
    assert not here.was_deleted(ids[1]) and here.was_deleted(ids[0])
    assert [a.id for a in here.attempts()] == [ids[1]]
    text = str(report)
    assert f"attempt {ids[1]}" in text and "this workspace's is kept" in text
    assert f"attempt {ids[0]}" in text and "deleted here" in text


def test_a_recording_with_other_bytes_is_kept_and_reported(practised, tmp_path, answers):
    ws, wb, ids, _ = practised
    data = bundle_of(ws, trainee=TRAINEE)
    server2 = Workspace(tmp_path / "server-2")
    path = server2.root / "trainees" / TRAINEE / "recordings" / wb.recording_path(ids[0]).name
    path.parent.mkdir(parents=True)
    path.write_bytes(answers[1])  # the same name, other bytes
    report = import_bundle(server2, data)
    assert path.read_bytes() == answers[1]
    assert report.recordings_added == 2  # the other own recording, and the copy sent
    assert f"{path.name} is here already with different content" in str(report)


def test_a_review_notebook_emptied_by_a_withdrawal_imports(practised, tmp_path):
    """The trainee took back the one attempt they had sent and no review was returned on it:
    the review notebook is empty (a tombstone only), and the bundle still imports."""
    from rupture_widgets.exchange import open_exchange

    ws, wb, ids, review = practised
    ex = open_exchange(ws)
    ex.send(wb, ids[1], reviewer="Jo Bell", role="peer")
    ex.withdraw(wb, ids[1])
    data = bundle_of(ws, trainee=TRAINEE)
    assert any(p.startswith("exchange/inbox/jo.bell/") for p in entries(data))
    report = import_bundle(Workspace(tmp_path / "server-2"), data)
    assert report.attempts_added == 2 and report.reviews_added == 1  # Dr Sam Rivera's copy
    assert not open_exchange(Workspace(tmp_path / "server-2")).queue("Jo Bell")
