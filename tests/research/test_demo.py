"""`rupture demo-data`: a workspace written through the real APIs, whose truth is known."""
from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from rupture_widgets.cli import main
from rupture_widgets.exchange import open_exchange
from rupture_widgets.research import agreement, demo, timing
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace


def ratings_of(ws: Workspace) -> pd.DataFrame:
    """The long ratings table, read with the workbook API (load_ratings lives elsewhere)."""
    rows = []
    for tid in ws.trainees():
        wb = ws.workbook(tid)
        for a in wb.attempts():
            for f in wb.feedback(a.id):
                rows += [{"attempt_id": a.id, "reviewer_id": f.reviewer, "item": k, "score": v}
                         for k, v in f.ratings.items()]
    return pd.DataFrame(rows)


def test_a_demo_with_recordings(tmp_path):
    result = demo.make_demo(tmp_path / "ws", trainees=2, attempts=6, seed=3)
    ws = Workspace(tmp_path / "ws")
    assert len(ws.trainees()) == 2
    truth = {r["attempt_id"]: r for r in result.attempts}
    tax = load_taxonomy()
    sent = 0
    for tid in ws.trainees():
        wb = ws.workbook(tid)
        attempts = wb.attempts()
        assert len(attempts) == 6 and wb.display_name in demo.TRAINEE_NAMES
        for a in attempts:
            t = truth[a.id]
            assert a.status == "complete" and a.cue_s == t["cue_s"]
            assert a.self_assessment["difficulty"] == t["difficulty"]
            cols = timing.timing_columns(wb, a)  # the audio measures run on every answer
            assert cols["vad_onset_s"] == pytest.approx(t["onset_s"], abs=0.06)
            assert cols["vad_latency_s"] == pytest.approx(t["cue_s"] + t["onset_s"], abs=0.06)
            assert cols["vad_speaking_s"] == pytest.approx(t["speaking_s"], rel=0.10)
            sent += len(a.sent_to)
            for f in wb.feedback(a.id):  # returned through the exchange and collected
                assert set(f.ratings) == {it.id for it in tax.rubric_items}
        # levels move as the practice app's rule says
        rows = [truth[a.id] for a in attempts]
        for before, after in zip(rows, rows[1:]):
            assert after["level"] == (tax.suggest_level(before["level"], before["difficulty"])
                                      or before["level"])
    exchange = open_exchange(ws)
    queued = sum(len(exchange.queue(r.name)) for r in result.parameters.reviewers)
    assert queued == sent and all(s.status == "returned" for r in result.parameters.reviewers
                                  for s in exchange.queue(r.name))
    stored = json.loads(result.truth_path.read_text())
    assert stored["parameters"]["reviewers"][1]["bias"] == 0.4 and len(stored["attempts"]) == 12
    with open(result.reference_path) as f:
        ref = list(csv.DictReader(f))
    assert ref and {r["attempt_id"] for r in ref} <= set(truth)


def test_the_same_seed_gives_the_same_data_and_a_folder_in_use_is_refused(tmp_path):
    a = demo.make_demo(tmp_path / "a", trainees=2, attempts=5, seed=9, media=False)
    b = demo.make_demo(tmp_path / "b", trainees=2, attempts=5, seed=9, media=False)
    assert a.attempts == b.attempts  # ids included
    assert a.reference_path.read_text() == b.reference_path.read_text()
    with pytest.raises(FileExistsError, match="not empty"):
        demo.make_demo(tmp_path / "a", trainees=1, attempts=1)


def test_the_command_line_without_media(tmp_path, capsys):
    assert main(["demo-data", "--trainees", "2", "--attempts", "4", "--seed", "2",
                 "--no-media", str(tmp_path / "ws")]) == 0
    assert "Wrote 8 attempts by 2 trainees" in capsys.readouterr().out
    ws = Workspace(tmp_path / "ws")
    for tid in ws.trainees():
        for a in ws.workbook(tid).attempts():
            assert a.recording is None
            assert timing.timing_columns(ws.workbook(tid), a)["vad_speaking_s"] is None


def test_agreement_on_the_demo_comes_out_as_generated(tmp_path):
    result = demo.make_demo(tmp_path / "ws", trainees=10, attempts=15, seed=5, media=False,
                            parameters=demo.DemoParameters(n_reference=60))
    ratings = ratings_of(Workspace(tmp_path / "ws"))
    reference = demo.reference_ratings(tmp_path / "ws")
    assert list(reference.columns) == ["attempt_id", "item", "score"]
    cal = agreement.calibration(ratings, reference, n_boot=100).set_index("reviewer_id")
    for r in result.parameters.reviewers:  # the known bias inside each reviewer's interval
        assert cal.loc[r.name, "bias_low"] - 0.1 < r.bias < cal.loc[r.name, "bias_high"] + 0.1
    # the reviewer with no bias and the least noise agrees best with the panel
    best = min(result.parameters.reviewers, key=lambda r: r.bias ** 2 + r.noise_sd ** 2).name
    assert cal["icc"].idxmax() == best and cal["alpha"].idxmax() == best
    report = agreement.agreement_report(ratings, n_boot=100).set_index("item")
    assert report.loc["rubric mean", "n_reviewers"] == 3
    assert 0.3 < report.loc["rubric mean", "icc_single"] < report.loc["rubric mean",
                                                                       "icc_average"]
