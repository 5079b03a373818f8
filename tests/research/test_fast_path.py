"""The research tables read each workbook's records as the store holds them (``Workbook.records``,
no ``Attempt`` made per row) and build the attempts table column by column. That path must give
the table the full path gives: ``Workbook.snapshot`` (the typed records, as the apps read them),
one row at a time, on a workspace where the notebook and the journal disagree: attempts only
the journal has (a stale notebook saved over newer ones), attempts deleted (and brought back by
a stale save, which must not count), feedback in the journal and a note typed into the notebook
that no write has journaled yet.

Below: the journal-only read (``workbook.reflected``, docs/decisions.md #30), which reads a
workbook from its journal when its notebook is the store's own, against the full read, table by
table, on a workspace of every case where the two could part."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from _workbook_fixtures import jupyterlab_save, typed_note
from rupture_widgets.library.catalog import load_catalog
from rupture_widgets.research import load_attempts, load_tables
from rupture_widgets.research import columns, tables
from rupture_widgets.research.sources import _reviewer_id_of
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import NOTES_MARK, Workspace

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)


def _typed_note(nb_text: str, attempt_id: str, note: str) -> str:
    """The notebook with ``note`` typed below the line of one attempt's feedback cell, as a
    reviewer in JupyterLab would (the cell's source is one JSON string on one line)."""
    import json

    nb = json.loads(nb_text)
    for cell in nb["cells"]:
        if cell.get("id") == f"feedback-{attempt_id}":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = src[:src.index(NOTES_MARK) + len(NOTES_MARK)] + "\n" + note
    return json.dumps(nb, indent=1)


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace(tmp_path / "workspace")
    clips = list(load_catalog())[:6]
    for t in range(3):
        wb = ws.workbook(f"trainee.{t}", display_name=f"Trainee {t}")
        logged = []
        for i in range(8):
            clip = clips[(i * (t + 1)) % len(clips)]
            sa = {"difficulty": i, "strategies": ["S4"], "note": f"n{i}"} if i % 3 else None
            logged.append(wb.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level,
                                         duration_s=10.0 + i, latency_s=0.5, speaking_s=8.0,
                                         self_assessment=sa, workshop=("spring26", "rupture-101",
                                                                       None, None)[i % 4],
                                         started_at=T0 + timedelta(
                                             hours=(7 - i) if i % 2 else i)))  # out of order
        wb.mark_best(logged[2].id)
        wb.mark_sent(logged[1].id, reviewer="Dr Sam Rivera", role="supervisor")
        wb.add_feedback(logged[1].id, reviewer="Dr Sam Rivera", role="supervisor",
                        ratings={"empathy": 4}, strategies=["S4"],
                        comments=[{"t": 1.0, "text": "pause"}], summary="warm")
        wb.add_feedback(logged[3].id, reviewer="Priya Natarajan", role="peer",
                        ratings={"warmth": 2})
        stale = wb.path.read_text("utf-8")  # holds logged[5], deleted below
        wb.delete_attempt(logged[5].id)
        wb.log_attempt(clip_id=clips[0].id, marker=clips[0].marker, level=clips[0].level,
                       status="incomplete", started_at=T0 + timedelta(days=2))
        wb.log_attempt(clip_id=clips[1].id, marker=clips[1].marker, level=clips[1].level,
                       duration_s=3.0, started_at=T0 + timedelta(days=3))
        # JupyterLab's Overwrite of the stale copy: the deleted attempt is back in the notebook,
        # the last two attempts are only in the journal, and a reviewer's note is typed in
        jupyterlab_save(wb.path, _typed_note(stale, logged[3].id,
                                             "Good.\n\n| Rubric item | Score |\n|---|---|\n"
                                             "| Empathy | 3 |"))
    return ws


def _full_path_attempts(ws: Workspace) -> pd.DataFrame:
    """The attempts table as it was built before the fast path: from ``snapshot``, row by row."""
    tax = load_taxonomy()
    salience = {c.id: c.salience for c in load_catalog()}
    rows = []
    for trainee in ws.trainees():
        snap = Workspace(ws.root).workbook(trainee).snapshot()
        numbers: Counter = Counter()
        for practised, a in enumerate(snap.attempts, 1):
            numbers[a.clip_id] += 1
            sa = a.self_assessment
            marker = tax.markers.get(a.marker)
            n_reviews, n_sent = len(snap.feedback[a.id]), len(a.sent_to)
            rows.append({
                "attempt_id": a.id, "trainee_id": trainee, "clip_id": a.clip_id,
                "marker": a.marker if marker else None,
                "family": marker.family if marker else None, "level": a.level,
                "salience": salience.get(a.clip_id), "attempt_number": numbers[a.clip_id],
                "practice_number": practised,
                "recorded_at": a.created_at, "duration_s": a.duration_s,
                "latency_s": a.latency_s, "speaking_s": a.speaking_s,
                "vad_latency_s": None, "vad_speaking_s": None,
                "difficulty": sa["difficulty"] if sa else None,
                "strategies": ";".join(sa["strategies"]) if sa else None,
                "note": sa.get("note", "") if sa else None, "status": a.status,
                "n_sent": n_sent, "sent": n_sent > 0, "n_reviews": n_reviews,
                "returned": n_reviews > 0, "best": bool(a.best), "workshop": a.workshop})
    data = {name: [r[name] for r in rows] for name, _, _ in columns.ATTEMPTS}
    cats = tables._categories(tables.read_source(Workspace(ws.root), progress=False), tax)
    return tables._frame("attempts", data, cats)


def _untimed(feedback: list) -> list:
    """A note no write has journaled yet is read as made now, on every read (its time is only
    fixed when it is journaled), so two reads differ in that one field."""
    from dataclasses import replace

    return [replace(f, created_at="(now)") if f.role == "notebook" else f for f in feedback]


def test_records_are_what_snapshot_and_feedback_return(workspace):
    for trainee in workspace.trainees():
        wb = Workspace(workspace.root).workbook(trainee)
        recs, snap = wb.records(), wb.snapshot()
        snap = type(snap)(snap.display_name, snap.attempts,
                          {aid: _untimed(fb) for aid, fb in snap.feedback.items()})
        assert [r["id"] for r in recs.attempts] == [a.id for a in snap.attempts] \
            == [a.id for a in wb.attempts()]
        assert [wb.attempt(r["id"]).to_record() for r in recs.attempts] == \
            [a.to_record() for a in snap.attempts]
        assert {aid: fb for aid, fb in snap.feedback.items() if fb} == \
            {aid: _untimed(fb) for aid, fb in recs.feedback.items()}
        assert {a.id: _untimed(wb.feedback(a.id)) for a in snap.attempts} == snap.feedback
        assert recs.display_name == snap.display_name == wb.display_name


def test_the_fast_path_gives_the_full_paths_table(workspace):
    got = load_tables(str(workspace.root), progress=False)
    want = _full_path_attempts(workspace)
    pd.testing.assert_frame_equal(got.attempts, want)
    # attempts 0, 4 and 1, 5 of each trainee; 5 is deleted
    assert got.attempts.workshop.value_counts().to_dict() == {"spring26": 6, "rupture-101": 3}
    pd.testing.assert_frame_equal(load_attempts(workspace, progress=False), want)  # a Workspace
    # what the workspace holds, so the comparison is not between two empty tables
    assert len(want) == 3 * 9  # 8 + 2 logged, 1 deleted (and resurrected by no stale save)
    assert want.status.eq("incomplete").sum() == 3
    assert want.n_reviews.tolist().count(2) == 3  # the journal's review and the typed note
    notes = got.ratings[got.ratings.reviewer_role == "notebook"]
    assert notes.score.tolist() == [3, 3, 3] and set(notes.item) == {"empathy"}
    # the reviews table too: one row per Feedback the full path returns
    full = [(a.id, f.id, _reviewer_id_of(f)) for t in workspace.trainees()
            for s in [Workspace(workspace.root).workbook(t).snapshot()] for a in s.attempts
            for f in s.feedback[a.id]]
    assert list(zip(got.reviews.attempt_id.astype(str), got.reviews.review_id.astype(str),
                    got.reviews.reviewer_id.astype(object).where(got.reviews.reviewer_id.notna(),
                                                                 None))) == full


def test_reading_writes_nothing(workspace):
    before = {p: p.read_bytes() for p in workspace.root.rglob("*") if p.is_file()}
    load_tables(str(workspace.root), progress=False)
    assert {p: p.read_bytes() for p in workspace.root.rglob("*") if p.is_file()} == before


# -- the journal-only read (workbook.reflected) against the full read, table by table ----------

@pytest.fixture
def cases(tmp_path, monkeypatch):
    """One trainee per case: a notebook only the store wrote (a deleted attempt, a note typed in
    JupyterLab and journaled by the next write); a journal holding records the notebook does not
    (its write failed); the same with a delete among them; a notebook someone edited and saved
    in JupyterLab (a note typed, a cell of their own); a stale copy saved over a newer one."""
    import nbformat

    from rupture_widgets.errors import StorageError
    from rupture_widgets.workbook import store as store_module

    ws = Workspace(tmp_path / "workspace")
    clips = list(load_catalog())[:4]

    def practised(trainee: str, n: int = 5):
        wb = ws.workbook(trainee, display_name=trainee.title())
        logged = [wb.log_attempt(clip_id=c.id, marker=c.marker, level=c.level,
                                 duration_s=5.0 + i, self_assessment={
                                     "difficulty": i, "strategies": ["S1"], "note": f"n{i}"},
                                 started_at=T0 + timedelta(hours=i))
                  for i, c in enumerate((clips * 3)[:n])]
        wb.mark_sent(logged[1].id, reviewer="Dr Sam Rivera", role="supervisor")
        wb.add_feedback(logged[1].id, reviewer="Dr Sam Rivera", role="supervisor",
                        ratings={"empathy": 4, "warmth": 3}, strategies=["S4"],
                        comments=[{"t": 2.0, "text": "a good pause"}], summary="warm")
        return wb, logged

    def failing_write(wb, change):
        def disk_full(*args, **kw):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(store_module, "atomic_write_text", disk_full)
        with pytest.raises(StorageError):
            change()
        monkeypatch.undo()

    wb, logged = practised("store.only")
    wb.delete_attempt(logged[3].id)
    wb.mark_best(logged[0].id)
    typed_note(wb.path, logged[1].id, "Agreed.\n\n| Rubric item | Score |\n|---|---|\n"
                                      "| Empathy | 5 |")
    wb.repair()  # the note journaled
    wb, logged = practised("journal.ahead")
    failing_write(wb, lambda: wb.log_attempt(clip_id=clips[0].id, marker=clips[0].marker,
                                             level=clips[0].level, started_at=T0))
    failing_write(wb, lambda: wb.add_feedback(logged[2].id, reviewer="Priya Natarajan",
                                              role="peer", ratings={"warmth": 2}))
    wb, logged = practised("pending.delete")
    failing_write(wb, lambda: wb.delete_attempt(logged[1].id))
    wb, logged = practised("jupyterlab")
    typed_note(wb.path, logged[2].id, "Rushed.\n\n| Rubric item | Score |\n|---|---|\n"
                                      "| Empathy | 2 |")
    nb = nbformat.reads(wb.path.read_text("utf-8"), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("My own reflection"))
    jupyterlab_save(wb.path, nbformat.writes(nb))
    wb, logged = practised("stale")
    stale = wb.path.read_text("utf-8")
    wb.delete_attempt(logged[4].id)
    wb.log_attempt(clip_id=clips[1].id, marker=clips[1].marker, level=clips[1].level,
                   started_at=T0 + timedelta(days=1))
    jupyterlab_save(wb.path, stale)
    return ws


def _loads(source, monkeypatch, *, journal_only: bool):
    """``load_tables`` and the trainees read from the journal alone; ``journal_only=False``:
    every workbook the full way. A note typed but not journaled reads as made "now": the clock
    is stopped so that two reads agree."""
    from rupture_widgets.research import sources
    from rupture_widgets.workbook import state

    monkeypatch.setattr(state, "utc_now", lambda: "2026-11-30T12:00:00.000Z")
    taken = []
    real = sources.journal_records

    def spy(notebook, journal, trainee_id):
        got = real(notebook, journal, trainee_id) if journal_only else None
        if got is not None:
            taken.append(trainee_id)
        return got

    monkeypatch.setattr(sources, "journal_records", spy)
    tables_read = load_tables(source, progress=False)
    monkeypatch.undo()
    return tables_read, taken


@pytest.mark.parametrize("as_workspace", [False, True])
def test_the_journal_only_read_gives_every_table_the_full_read_gives(cases, monkeypatch,
                                                                     as_workspace):
    source = Workspace(cases.root) if as_workspace else str(cases.root)
    fast, taken = _loads(source, monkeypatch, journal_only=True)
    full, none = _loads(str(cases.root), monkeypatch, journal_only=False)
    assert taken == ["journal.ahead", "store.only"] and none == []
    for name, table in full.as_dict().items():
        pd.testing.assert_frame_equal(getattr(fast, name), table, obj=name)
    # what the tables hold, so the comparison is not between empty ones
    per = full.attempts.groupby("trainee_id", observed=True).size().to_dict()
    assert per == {"journal.ahead": 6, "jupyterlab": 5, "pending.delete": 4, "stale": 5,
                   "store.only": 4}
    notes = full.ratings[full.ratings.reviewer_role == "notebook"]
    assert sorted(zip(notes.trainee_id.astype(str), notes.score)) == [("jupyterlab", 2),
                                                                     ("store.only", 5)]
    ahead = full.reviews[full.reviews.trainee_id == "journal.ahead"]
    assert sorted(ahead.reviewer_role.astype(str)) == ["peer", "supervisor"]


@pytest.mark.parametrize("link", ["a trainee's folder", "the trainees folder"])
def test_a_folder_that_is_a_link_is_refused_as_the_store_refuses_it(tmp_path, link):
    """The journal-only read checks confinement once per load (sources._confinement); a link
    to another trainee's folder, or out of the workspace, still raises the store's error."""
    from rupture_widgets.errors import InvalidTraineeId

    clip = list(load_catalog())[0]
    elsewhere = Workspace(tmp_path / "elsewhere")
    elsewhere.workbook("bob").log_attempt(clip_id=clip.id, marker=clip.marker,
                                          level=clip.level, started_at=T0)
    ws = Workspace(tmp_path / "workspace")
    if link == "a trainee's folder":
        ws.workbook("bob").log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level,
                                       started_at=T0)
        (ws.root / "trainees" / "alice").symlink_to(ws.root / "trainees" / "bob")
    else:
        ws.root.mkdir(parents=True)
        (ws.root / "trainees").symlink_to(elsewhere.root / "trainees")
    with pytest.raises(InvalidTraineeId):
        load_attempts(str(ws.root), progress=False)
