"""The workshop's loop on ephemeral servers: trainees' bundles imported into a review
workspace, where the reviewer finds what was sent; the reviewer's bundle carries the feedback
back, and the trainee sees it after importing it (through the exchange's ``collect``)."""
from __future__ import annotations

import io

import pytest

from _bundle_fixtures import REVIEWER, TRAINEE, entries, practise, rezip, tree_hashes
from _workbook_fixtures import read_valid
from rupture_widgets.bundles import export_bundle, import_bundle
from rupture_widgets.errors import BundleError
from rupture_widgets.exchange import open_exchange
from rupture_widgets.exchange.folder import reviewer_id
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.records import feedback_record


def bundle_of(ws, **who) -> bytes:
    out = io.BytesIO()
    export_bundle(ws, out, **who)
    return out.getvalue()


def test_sent_work_reaches_the_reviewer_and_feedback_comes_back(tmp_path, answers):
    alex_server = Workspace(tmp_path / "alex-server")
    wb, ids, _ = practise(alex_server, answers, returned=False)
    priya_server = Workspace(tmp_path / "priya-server")
    practise(priya_server, answers, trainee="priya.shah", name="Priya Shah", returned=False)

    review_ws = Workspace(tmp_path / "review")  # the facilitator imports the room's bundles
    for server, who in ((alex_server, TRAINEE), (priya_server, "priya.shah")):
        report = import_bundle(review_ws, bundle_of(server, trainee=who))
        assert report.reviews_added == 1
    ex = open_exchange(review_ws)
    queue = ex.queue(REVIEWER)
    assert sorted(s.trainee_id for s in queue) == ["alex.morgan", "priya.shah"]
    review = ex.review_workbook(REVIEWER, TRAINEE)
    assert review.recording_path(ids[0]).read_bytes() == wb.recording_path(ids[0]).read_bytes()
    read_valid(review.path)

    feedback = feedback_record(load_taxonomy(), ids[0], reviewer=REVIEWER, role="supervisor",
                               ratings={"empathy": 5}, strategies=["S4"],
                               comments=[{"t": 1.0, "text": "Right here."}], summary="Lovely.")
    ex.return_feedback(REVIEWER, TRAINEE, feedback)
    priyas = next(s.attempt.id for s in queue if s.trainee_id == "priya.shah")
    ex.save_draft(REVIEWER, "priya.shah", feedback_record(
        load_taxonomy(), priyas, reviewer=REVIEWER, role="supervisor", ratings={},
        strategies=[], comments=[], summary="Half done"))
    sam = bundle_of(review_ws, reviewer=REVIEWER)

    # the reviewer's own server gets their notebooks back, drafts included
    sam_server = Workspace(tmp_path / "sam-server")
    import_bundle(sam_server, sam)
    again = open_exchange(sam_server)
    assert sorted(s.status for s in again.queue(REVIEWER)) == ["in review", "returned"]

    # Alex, on a third server: his own bundle, then the reviewer's for him; collect shows it
    for_alex = bundle_of(review_ws, reviewer=REVIEWER, for_trainee=TRAINEE)
    alex_again = Workspace(tmp_path / "alex-server-2")
    import_bundle(alex_again, bundle_of(alex_server, trainee=TRAINEE))
    report = import_bundle(alex_again, for_alex)
    assert report.feedback_added == 1 and "1 review added" in str(report)
    restored = alex_again.workbook(TRAINEE)
    collected = open_exchange(alex_again).collect(restored)
    assert [f.summary for f in collected] == ["Lovely."]
    assert restored.feedback(ids[0])[0].ratings == {"empathy": 5}
    assert not any("priya" in p for p in tree_hashes(alex_again.root))  # nobody else's work
    before = tree_hashes(alex_again.root)
    assert not import_bundle(alex_again, for_alex).changed
    assert tree_hashes(alex_again.root) == before


def test_a_reviewer_bundle_for_one_trainee_refuses_anyone_elses_file(tmp_path, answers):
    ws = Workspace(tmp_path / "review")
    practise(ws, answers)
    practise(ws, answers, trainee="priya.shah", name="Priya Shah")
    full = bundle_of(ws, reviewer=REVIEWER)
    for_alex = bundle_of(ws, reviewer=REVIEWER, for_trainee=TRAINEE)
    assert any("priya.shah" in p for p in entries(full))
    assert not any("priya.shah" in p for p in entries(for_alex))
    smuggled = {**entries(for_alex), **{p: b for p, b in entries(full).items()
                                       if "priya.shah" in p}}
    with pytest.raises(BundleError, match="for trainee 'alex.morgan'"):
        import_bundle(Workspace(tmp_path / "alex"), rezip(smuggled, relist=True))
    assert not (tmp_path / "alex").exists()


def test_a_reviewer_bundle_holds_only_that_reviewers_work(practised, tmp_path):
    ws, wb, ids, _ = practised
    other = feedback_record(load_taxonomy(), ids[1], reviewer="Jo Bell", role="peer",
                            ratings={}, strategies=[], comments=[], summary="Someone else's")
    ex = open_exchange(ws)
    ex.send(wb, ids[1], reviewer="Jo Bell", role="peer")
    ex.return_feedback("Jo Bell", TRAINEE, other)
    manifest = export_bundle(ws, io.BytesIO(), reviewer=REVIEWER)
    paths = [f.path for f in manifest.files]
    me = reviewer_id(REVIEWER)
    assert manifest.owner == me and paths
    assert all(p.startswith((f"exchange/inbox/{me}/", "exchange/returns/")) for p in paths)
    assert not any(other["id"] in p for p in paths)
    assert not any(p.startswith("trainees/") for p in paths)
