"""The research tables on a study made through the real workbook and exchange APIs: one row per
thing counted, the documented dtypes, attempts numbered in time order, deleted attempts gone,
and each source (workspace, folder, workbooks, exchange) read as its docstring says."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from _study import COMMENT, NOTE, SUMMARY, TAX
from rupture_widgets.errors import ResearchError
from rupture_widgets.research import (load_attempts, load_comments, load_ratings,
                                      load_strategies_heard, load_tables)
from rupture_widgets.research import columns


def by_id(df, study, label):
    return df[df.attempt_id == study.attempts[label].id]


def test_every_table_has_its_documented_columns_and_dtypes(study):
    tables = load_tables(study.ws).as_dict()
    for name, df in tables.items():
        assert list(df.columns) == [c for c, _, _ in columns.TABLES[name]], name
        assert {c: str(t) for c, t in df.dtypes.items()} == columns.dtypes(name), name
    assert str(tables["attempts"].recorded_at.dt.tz) == "UTC"
    assert tables["attempts"].level.cat.ordered
    assert list(tables["attempts"].level.cat.categories) == ["beginner", "intermediate",
                                                             "advanced"]


def test_one_row_per_attempt_numbered_per_trainee_and_clip_in_time_order(study):
    df = load_attempts(study.ws)
    assert len(df) == len(study.attempts) == 7
    assert set(df.attempt_id) == {a.id for a in study.attempts.values()}
    for label in study.attempts:  # labels say trainee-marker-number, logged out of order
        assert by_id(df, study, label).attempt_number.item() == int(label[-1]), label
    alex = df[df.trainee_id == "alex.morgan"]
    assert alex.recorded_at.is_monotonic_increasing
    incomplete = by_id(df, study, "alex-c3-3")
    assert incomplete.status.item() == "incomplete" and incomplete.duration_s.isna().item()


def test_attempt_columns_come_from_the_record_the_catalog_and_the_taxonomy(study):
    df = load_attempts(study.ws)
    c3, w2 = study.clips
    first = by_id(df, study, "alex-c3-1").iloc[0]
    assert (first.clip_id, first.marker, first.family, first.level, first.salience) == (
        c3.id, "C3", "C", "beginner", c3.salience)
    assert (first.difficulty, first.strategies, first.note) == (7, "S4;S1", NOTE)
    assert (first.n_sent, first.sent, first.n_reviews, first.returned) == (2, True, 2, True)
    assert first.duration_s == pytest.approx(1.0, abs=0.1)
    second = by_id(df, study, "alex-c3-2").iloc[0]
    assert (second.latency_s, second.speaking_s, second.best) == (0.8, 12.5, True)
    assert pd.isna(second.difficulty) and pd.isna(second.strategies) and not second.sent
    assert by_id(df, study, "jose-c3-1").strategies.item() == ""  # assessed, none ticked
    w = by_id(df, study, "wang-w2-1").iloc[0]
    assert (w.family, w.level, w.salience, w.sent, w.returned) == ("W", "advanced",
                                                                   w2.salience, True, False)
    assert df.vad_latency_s.isna().all() and df.vad_speaking_s.isna().all()  # audio=False


def test_a_deleted_attempt_and_its_reviews_are_left_out(study):
    tables = load_tables(study.ws)
    for df in tables.as_dict().values():
        assert study.deleted not in set(df.attempt_id.astype(str))
    # ... although its review is still in the exchange (the reviewer keeps it, decisions #19)
    returns = list((study.ws.root / "exchange" / "returns" / "jose.obrien").glob("*.json"))
    assert any(study.deleted in p.read_text() for p in returns)


def test_ratings_one_row_per_score_from_both_reviewers_collected_or_not(study):
    r = load_ratings(study.ws)
    both = r[r.attempt_id == study.attempts["alex-c3-1"].id]
    assert set(both.reviewer_id) == {"dr.sam.rivera", "priya.natarajan"}
    assert dict(zip(both.reviewer_id.astype(str), both.reviewer_role.astype(str))) == {
        "dr.sam.rivera": "supervisor", "priya.natarajan": "peer"}
    scores = {(row.reviewer_id, row.item): row.score for row in both.itertuples()}
    # the edited review, returned again after it was collected, replaces the first version
    assert scores == {("dr.sam.rivera", "empathy"): 4, ("dr.sam.rivera", "warmth"): 5,
                      ("dr.sam.rivera", "hope"): 3, ("priya.natarajan", "empathy"): 2,
                      ("priya.natarajan", "warmth"): 4}
    # jose's review was returned but never collected: it is read from the exchange
    jose = r[r.attempt_id == study.attempts["jose-c3-1"].id]
    assert list(zip(jose.item, jose.score)) == [("empathy", 5)]
    assert len(r) == 6 and r.rated_at.notna().all()
    # one load, one set of categories: a merge keeps them
    attempts = load_tables(study.ws).attempts
    merged = r.merge(attempts[["attempt_id", "clip_id"]], on="attempt_id")
    assert str(merged.attempt_id.dtype) == "category" and len(merged) == len(r)


def test_comments_and_strategies_heard_one_row_each(study):
    c = load_comments(study.ws)
    alex = c[c.attempt_id == study.attempts["alex-c3-1"].id].sort_values("t_s")
    assert list(alex.t_s) == [0.5, 1.25, 2.0]
    assert set(alex.text) == {COMMENT, "Then you rushed"}
    s = load_strategies_heard(study.ws)
    heard = s[s.attempt_id == study.attempts["alex-c3-1"].id]
    assert sorted(zip(heard.reviewer_id.astype(str), heard.strategy.astype(str))) == [
        ("dr.sam.rivera", "S4"), ("priya.natarajan", "S4"), ("priya.natarajan", "S5")]
    reviews = load_tables(study.ws).reviews
    assert set(reviews.summary) == {SUMMARY}
    assert reviews.set_index("review_id").loc[study.review_ids["priya"], "n_comments"] == 2


def test_a_folder_a_list_of_workbooks_and_a_workspace_give_the_same_attempts(study):
    ws = load_attempts(study.ws)
    pd.testing.assert_frame_equal(load_attempts(str(study.ws.root)), ws)
    workbooks = [study.ws.workbook(t) for t in study.ws.trainees()]
    listed = load_attempts(workbooks)
    pd.testing.assert_frame_equal(listed.drop(columns=["n_reviews", "returned"]),
                                  ws.drop(columns=["n_reviews", "returned"]))
    # a list of workbooks is what they hold: jose's return was never collected into his
    jose1 = study.attempts["jose-c3-1"].id
    assert not listed.set_index("attempt_id").loc[jose1, "returned"]
    assert ws.set_index("attempt_id").loc[jose1, "returned"]


def test_an_exchange_folder_gives_the_attempts_as_sent_and_the_reviews_returned(study):
    tables = load_tables(study.ws.root / "exchange")
    sent = {study.attempts[k].id for k in ("alex-c3-1", "jose-c3-1", "wang-w2-1")}
    # the deleted attempt's copy stays with the reviewer who returned a review of it
    assert set(tables.attempts.attempt_id) == sent | {study.deleted}
    first = tables.attempts.set_index("attempt_id").loc[study.attempts["alex-c3-1"].id]
    assert (first.n_sent, first.n_reviews, first.difficulty, first.note) == (2, 2, 7, NOTE)
    # an exchange holds only the attempts sent: how many came before each is not known there
    assert tables.attempts.attempt_number.isna().all()
    assert len(tables.ratings) == 7  # the six above + the deleted attempt's one


def test_bad_sources_are_refused_with_what_to_give(study, tmp_path):
    with pytest.raises(ResearchError, match="not a folder"):
        load_attempts(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResearchError, match="neither a workspace"):
        load_attempts(tmp_path / "empty")
    with pytest.raises(ResearchError, match="Workbook objects only"):
        load_attempts([study.ws.workbook("alex.morgan"), "jose.obrien"])
    from rupture_widgets.exchange import open_exchange

    copy = open_exchange(study.ws).review_workbook("Dr Sam Rivera", "alex.morgan")
    with pytest.raises(ResearchError, match="more than one workbook of alex.morgan"):
        load_attempts([study.ws.workbook("alex.morgan"), copy])
    with pytest.raises(ResearchError, match="Cannot read research tables from int"):
        load_attempts(42)


def test_loading_changes_no_file_in_the_workspace(study):
    def snapshot():
        return {p: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(study.ws.root.rglob("*")) if p.is_file()}

    before = snapshot()
    load_tables(study.ws)
    load_tables(study.ws.root / "exchange")
    assert snapshot() == before


def test_a_progress_bar_for_many_workbooks_and_none_for_a_few(study, capsys):
    load_tables(study.ws)  # three workbooks: silent
    assert "Reading workbooks" not in capsys.readouterr().err
    load_tables(study.ws, progress=True)
    assert "Reading workbooks" in capsys.readouterr().err
    for i in range(9):  # more than a handful
        study.ws.workbook(f"trainee{i}").log_attempt(clip_id=study.clips[0].id, marker="C3",
                                                     level="beginner")
    df = load_attempts(study.ws)
    assert "Reading workbooks" in capsys.readouterr().err and len(df) == 16
    load_attempts(study.ws, progress=False)
    assert capsys.readouterr().err == ""


def test_scores_typed_into_the_trainees_notebook_are_ratings_by_an_unknown_reviewer(
        study, monkeypatch):
    import nbformat

    from _workbook_fixtures import cells_by_id, jupyterlab_save
    from rupture_widgets.workbook import NOTES_MARK

    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    wang = study.ws.workbook(study.ids["王小明"])
    aid = study.attempts["wang-w2-1"].id
    nb = nbformat.read(str(wang.path), as_version=4)
    cell = cells_by_id(nb)[f"feedback-{aid}"]
    below = cell.source.split(NOTES_MARK)[1].strip()
    label = next(it.label for it in TAX.rubric_items if it.id == "hope")
    cell.source = (cell.source.split(NOTES_MARK)[0] + NOTES_MARK + "\nKeep going.\n\n"
                   + below.replace(f"| {label} | |", f"| {label} | 2 |") + "\n")
    jupyterlab_save(wang.path, nbformat.writes(nb))
    wang.repair()  # journaled, as the next write by anyone would
    tables = load_tables(study.ws)
    mine = tables.ratings[tables.ratings.attempt_id == aid]
    assert list(zip(mine.item, mine.score, mine.reviewer_role)) == [("hope", 2, "notebook")]
    assert mine.reviewer_id.isna().all()
    attempt = tables.attempts.set_index("attempt_id").loc[aid]
    assert (attempt.returned, attempt.n_reviews) == (True, 1)
    assert tables.reviews.set_index("attempt_id").loc[aid, "summary"] == "Keep going."


def test_a_workspace_without_attempts_gives_empty_tables_with_the_same_dtypes(tmp_path):
    from rupture_widgets.workbook import Workspace

    ws = Workspace(tmp_path / "ws")
    ws.workbook("alex.morgan", display_name="Alex Morgan")
    for name, df in load_tables(ws).as_dict().items():
        assert df.empty and {c: str(t) for c, t in df.dtypes.items()} == columns.dtypes(name)
