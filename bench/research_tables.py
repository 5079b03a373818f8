"""``load_attempts`` on a study-sized workspace (1,000 trainees x 50 attempts by default), against
a plain ``json.load`` of the same files, in the same run (issue 13).

The workspace: one trainee's workbook is written through the real store (``Workbook``:
log_attempt with a self-assessment, set_self_assessment on some, mark_sent, add_feedback, one
attempt logged and then deleted, so its journal holds a tombstone and the notebook no longer
holds its cells), then that trainee's folder is replicated for the others: the notebook and the
journal are copied with the trainee id and every record id replaced by fresh ones of the same
length, and the store then writes each copy's notebook again (``Workbook.repair``), so every
notebook is what the store writes, with its own mark of the journal it reflects
(``workbook.reflected``). Writing 1,000 workbooks through the store from scratch (~150 fsynced
writes each) would take minutes; this takes seconds, one fsynced write per copy. No recordings
are written (the attempts table reads none unless ``audio=True``).

What is compared, every job reading the same files in the same run, in the same page-cache
state (all warm: each job is run once before the rounds):
- ``json.load`` of every notebook (the baseline the acceptance line names);
- the same plus ``json.loads`` of every journal line (for reference: the journal is how
  journal-only attempts are seen and deleted ones stay deleted, so any reader keeping the
  store's guarantees parses it);
- ``load_attempts`` as a researcher calls it: a workbook whose notebook is what the store wrote
  from its journal is read from the journal alone (its notebook's bytes are hashed, not parsed);
- ``load_attempts`` with every workbook read the full way (journal and notebook parsed and
  merged, as before the journal-only read): what a workspace of notebooks all saved in
  JupyterLab since their last write would cost.
``load_attempts`` is given the workspace's folder each round (a fresh ``Workspace``: no read
cache carried over from the round before, as a researcher's first load). Rounds alternate the
order; medians of the wall-clock time and, beside it, of this process's CPU time (on a machine
shared with others the wall clock also counts their work).

    .venv/bin/python -m bench.research_tables [--trainees 1000] [--attempts 50] [--rounds 5]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)


def _template(root: Path, attempts: int, seed: int = 13) -> tuple[str, list[str]]:
    """One trainee's workbook through the real store; returns its trainee id and record ids."""
    from rupture_widgets.library.catalog import load_catalog
    from rupture_widgets.workbook import Workspace

    rng = random.Random(seed)
    clips = list(load_catalog())
    ws = Workspace(root)
    tid = "bench.t000000"
    wb = ws.workbook(tid, display_name="Bench T000000")
    ids: list[str] = []
    logged = []
    for i in range(attempts + 1):  # one more: it is deleted below
        clip = rng.choice(clips)
        sa = None
        if rng.random() < 0.8:
            sa = {"difficulty": rng.randint(0, 10), "strategies": rng.sample(["S1", "S3", "S4"],
                                                                             rng.randint(0, 2)),
                  "note": rng.choice(["", "Froze when she raised her voice", "Better pace"])}
        a = wb.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level,
                           duration_s=round(rng.uniform(10, 90), 1),
                           latency_s=round(rng.uniform(0.3, 3), 2),
                           speaking_s=round(rng.uniform(5, 60), 1), self_assessment=sa,
                           started_at=T0 + timedelta(hours=6 * i + rng.random()))
        logged.append(a)
        ids.append(a.id)
    for a in logged[::5]:  # a self-assessment done later, from the history
        wb.set_self_assessment(a.id, difficulty=rng.randint(0, 10), strategies=["S4"],
                               note="Later: I rushed the rationale")
    for a in logged[1::4]:  # sent for feedback, most of them returned and collected
        wb.mark_sent(a.id, reviewer="Dr Sam Rivera", role="supervisor")
        if rng.random() < 0.8:
            fb = wb.add_feedback(a.id, reviewer="Dr Sam Rivera", role="supervisor",
                                 ratings={"empathy": rng.randint(1, 5),
                                          "warmth": rng.randint(1, 5)},
                                 strategies=["S4"],
                                 comments=[{"t": 1.5, "text": "Lovely pause"}],
                                 summary="Warm, but the rationale came too soon")
            ids.append(fb.id)
    wb.delete_attempt(logged[-1].id)
    return tid, ids


def make_workspace(root: Path, trainees: int = 1000, attempts: int = 50) -> dict:
    """The benchmark's workspace at ``root``; returns what it holds and how long making it took."""
    started = time.perf_counter()
    tid, ids = _template(root, attempts)
    template_s = time.perf_counter() - started
    folder = root / "trainees" / tid
    names = ("workbook.ipynb", "workbook.journal.jsonl")
    texts = {n: (folder / n).read_text(encoding="utf-8") for n in names}
    for i in range(1, trainees):
        new_tid = f"bench.t{i:06d}"  # same length as the template's id
        subs = {tid: new_tid, "Bench T000000": f"Bench T{i:06d}",
                **{old: uuid.uuid4().hex for old in ids}}
        target = root / "trainees" / new_tid
        target.mkdir(parents=True)
        for n, text in texts.items():
            for old, new in subs.items():
                text = text.replace(old, new)
            (target / n).write_text(text, encoding="utf-8")
    from rupture_widgets.workbook import Workspace

    ws = Workspace(root)
    for i in range(1, trainees):  # the store writes each copy's notebook again: its own mark
        ws.workbook(f"bench.t{i:06d}").repair()
    notebook = folder / names[0]
    return {"trainees": trainees, "attempts_per_trainee": attempts,
            "template_s": template_s, "make_s": time.perf_counter() - started,
            "notebook_kib": notebook.stat().st_size / 1024,
            "journal_kib": (folder / names[1]).stat().st_size / 1024,
            "journal_lines": texts[names[1]].count("\n")}


def baseline_notebooks(root: Path) -> int:
    """``json.load`` of every trainee's notebook; returns the attempt cells seen."""
    n = 0
    for folder in sorted((root / "trainees").iterdir()):
        with open(folder / "workbook.ipynb", encoding="utf-8") as f:
            nb = json.load(f)
        n += sum(1 for c in nb["cells"] if c["id"].startswith("attempt-"))
    return n


def baseline_notebooks_and_journals(root: Path) -> int:
    """The same, plus ``json.loads`` of every journal line."""
    n = baseline_notebooks(root)
    for folder in sorted((root / "trainees").iterdir()):
        with open(folder / "workbook.journal.jsonl", encoding="utf-8") as f:
            for line in f:
                json.loads(line)
    return n


def full_way(root: Path):
    """``load_attempts`` with the journal-only read turned off: every workbook read the full
    way (``Workbook.records``)."""
    from unittest import mock

    from rupture_widgets.research import load_attempts, sources

    with mock.patch.object(sources, "journal_records", lambda *args: None):
        return load_attempts(str(root), progress=False)


def journal_only_count(root: Path) -> int:
    """How many workbooks ``load_attempts`` reads from the journal alone (a check: all)."""
    from unittest import mock

    from rupture_widgets.research import load_attempts, sources

    taken = []

    def counted(*args):
        got = real(*args)
        taken.append(got is not None)
        return got

    real = sources.journal_records
    with mock.patch.object(sources, "journal_records", counted):
        load_attempts(str(root), progress=False)
    return sum(taken)


def run(trainees: int = 1000, attempts: int = 50, rounds: int = 5,
        directory: str | os.PathLike | None = None) -> dict:
    from rupture_widgets.research import load_attempts

    tmp = tempfile.mkdtemp(prefix="bench-research-", dir=directory)
    try:
        root = Path(tmp) / "workspace"
        made = make_workspace(root, trainees, attempts)
        expected = trainees * attempts
        times: dict[str, list[float]] = {"notebooks": [], "notebooks_journals": [],
                                         "load_attempts": [], "full_way": []}
        jobs = {"notebooks": lambda: baseline_notebooks(root),
                "notebooks_journals": lambda: baseline_notebooks_and_journals(root),
                "load_attempts": lambda: len(load_attempts(str(root), progress=False)),
                "full_way": lambda: len(full_way(root))}
        for name, job in jobs.items():  # warm-up (page cache, imports), and a check
            got = job()
            if got != expected:
                raise AssertionError(f"{name} saw {got} attempts, expected {expected}")
        journal_only = journal_only_count(root)
        if journal_only != trainees:
            raise AssertionError(f"only {journal_only} of {trainees} workbooks were read from "
                                 "the journal alone")
        if not load_attempts(str(root), progress=False).equals(full_way(root)):
            raise AssertionError("the journal-only read gave another table than the full read")
        order = list(jobs)
        cpu: dict[str, list[float]] = {name: [] for name in jobs}
        for r in range(rounds):
            for name in (order if r % 2 == 0 else order[::-1]):
                gc.collect()  # what the job before left is not this job's to collect
                t, c = time.perf_counter(), time.process_time()
                jobs[name]()
                times[name].append(time.perf_counter() - t)
                cpu[name].append(time.process_time() - c)
        med = {k: statistics.median(v) for k, v in times.items()}
        med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
        return {**made, "rounds": rounds, "n_attempts": expected,
                "journal_only": journal_only, "full_s": med["full_way"],
                # CPU time of this process: what other programs on a shared machine take from
                # the wall clock is not in it (they still share the caches)
                "cpu_s": med_cpu, "cpu_ratio": med_cpu["load_attempts"] / med_cpu["notebooks"],
                "cpu_rounds_s": cpu,
                "full_ratio": med["full_way"] / med["notebooks"],
                "load_s": med["load_attempts"], "notebooks_s": med["notebooks"],
                "notebooks_journals_s": med["notebooks_journals"],
                "ratio": med["load_attempts"] / med["notebooks"],
                "ratio_with_journals": med["load_attempts"] / med["notebooks_journals"],
                "attempts_per_s": expected / med["load_attempts"],
                "rounds_s": times, "decoder": _decoder_used()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _decoder_used() -> str:
    """Which JSON decoder the journal-only read used (``reflected._fast_decoder``)."""
    from importlib.metadata import version

    from rupture_widgets.workbook.reflected import _fast_decoder

    return "the standard library" if _fast_decoder() is None else f"msgspec {version('msgspec')}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trainees", type=int, default=1000)
    ap.add_argument("--attempts", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args(argv)
    r = run(args.trainees, args.attempts, args.rounds, args.dir)
    print(f"{r['trainees']} trainees x {r['attempts_per_trainee']} attempts "
          f"(workspace made in {r['make_s']:.1f} s; notebook {r['notebook_kib']:.0f} KiB, "
          f"journal {r['journal_kib']:.0f} KiB / {r['journal_lines']} lines each)")
    for k, label in (("notebooks", "json.load notebooks"),
                     ("notebooks_journals", "json notebooks+journals"),
                     ("load_attempts", "load_attempts"),
                     ("full_way", "load_attempts, full way")):
        print(f"  {label:26s} {statistics.median(r['rounds_s'][k]):7.3f} s   rounds: "
              + ", ".join(f"{x:.3f}" for x in r["rounds_s"][k]))
    print(f"  CPU time: notebooks {r['cpu_s']['notebooks']:.3f} s, load_attempts "
          f"{r['cpu_s']['load_attempts']:.3f} s, ratio {r['cpu_ratio']:.2f}x")
    print(f"  ratio {r['ratio']:.2f}x (with journals {r['ratio_with_journals']:.2f}x; the full "
          f"way {r['full_ratio']:.2f}x), {r['attempts_per_s']:,.0f} attempts/s; "
          f"{r['journal_only']} of {r['trainees']} workbooks read from the journal alone, "
          f"journals decoded by {r['decoder']}")


if __name__ == "__main__":
    main()
