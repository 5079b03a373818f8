"""Many writers at once: trainee apps, a reviewer and a person saving stale copies in JupyterLab.

docs/decisions.md #6 under load: 8 processes log 50 attempts each into one workbook while another
process adds feedback and another keeps saving stale copies over the notebook the way
jupyter_server does (in place, without our lock). Afterwards nothing may be missing.
"""
from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from _workbook_fixtures import ATTEMPT, cells_by_id, jupyterlab_save, read_valid
from rupture_widgets.workbook import Workspace

TRAINEE = "alex"
LOGGERS, PER_LOGGER, FEEDBACK = 8, 50, 40


def _wait_for_go(flags: Path, name: str) -> None:
    (flags / f"ready-{name}").touch()
    deadline = time.time() + 120
    while not (flags / "go").exists():
        if time.time() > deadline:
            raise TimeoutError("the test never said go")
        time.sleep(0.005)


def log_attempts(root: str, flags: str, worker: int) -> list[str]:
    _wait_for_go(Path(flags), f"logger{worker}")
    wb = Workspace(root).workbook(TRAINEE)
    return [wb.log_attempt(**{**ATTEMPT, "clip_id": f"clip-{worker}"},
                           attempt_id=f"w{worker}-{i:03d}", duration_s=float(i)).id
            for i in range(PER_LOGGER)]


def give_feedback(root: str, flags: str) -> list[tuple[str, str]]:
    _wait_for_go(Path(flags), "reviewer")
    wb = Workspace(root).workbook(TRAINEE)
    given = []
    while len(given) < FEEDBACK:
        attempts = wb.attempts()
        if not attempts:
            time.sleep(0.01)
            continue
        target = attempts[(len(given) * 7) % len(attempts)]
        f = wb.add_feedback(target.id, reviewer="Dr Kim", role="instructor",
                            ratings={"empathy": 1 + len(given) % 5},
                            comments=[{"t": 1.5, "text": f"note {len(given)}"}])
        given.append((target.id, f.id))
    return given


def save_stale_copies(root: str, flags: str) -> int:
    """An instructor in JupyterLab: open (snapshot), read for a moment, click Overwrite."""
    _wait_for_go(Path(flags), "jupyterlab")
    path = Workspace(root).workbook(TRAINEE).path
    saves = 0
    while not (Path(flags) / "stop").exists():
        try:
            snapshot = path.read_bytes()
        except FileNotFoundError:
            time.sleep(0.01)
            continue
        time.sleep(0.03)
        jupyterlab_save(path, snapshot)
        saves += 1
        time.sleep(0.01)
    return saves


def test_eight_writers_a_reviewer_and_stale_saves_lose_nothing(tmp_path, capsys):
    root, flags = tmp_path / "workspace", tmp_path / "flags"
    flags.mkdir()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=LOGGERS + 2, mp_context=ctx) as pool:
        loggers = [pool.submit(log_attempts, str(root), str(flags), w) for w in range(LOGGERS)]
        reviewer = pool.submit(give_feedback, str(root), str(flags))
        stale = pool.submit(save_stale_copies, str(root), str(flags))
        deadline = time.time() + 60
        while len(list(flags.glob("ready-*"))) < LOGGERS + 2:
            assert time.time() < deadline, "workers did not start"
            time.sleep(0.01)
        start = time.perf_counter()
        (flags / "go").touch()
        logged = [f.result(timeout=120) for f in loggers]
        given = reviewer.result(timeout=120)
        writers_done = time.perf_counter() - start
        (flags / "stop").touch()
        saves = stale.result(timeout=30)

    with capsys.disabled():
        print(f"\n[concurrency] {LOGGERS}x{PER_LOGGER} attempts + {FEEDBACK} feedback with "
              f"{saves} stale saves: {writers_done:.1f} s")
    assert saves >= 5  # the stale saver really competed with the writers

    wb = Workspace(root).workbook(TRAINEE)
    expected = {f"w{w}-{i:03d}" for w in range(LOGGERS) for i in range(PER_LOGGER)}
    assert {i for ids in logged for i in ids} == expected
    attempts = wb.attempts()
    assert len(attempts) == LOGGERS * PER_LOGGER and {a.id for a in attempts} == expected
    for w in range(LOGGERS):  # each process's attempts stay in the order it made them
        assert [a.id for a in wb.attempts(f"clip-{w}")] == [f"w{w}-{i:03d}"
                                                          for i in range(PER_LOGGER)]
    for attempt_id, feedback_id in given:
        assert feedback_id in {f.id for f in wb.feedback(attempt_id)}

    wb.repair()  # the stale saver may have had the last word; the next write restores all
    nb = read_valid(wb.path)
    cells = cells_by_id(nb)
    assert len(nb.cells) == 1 + 2 * len(expected)
    assert {f"attempt-{i}" for i in expected} <= set(cells)
    for attempt_id, feedback_id in given:
        stored = cells[f"feedback-{attempt_id}"].metadata["rupture"]["feedback"]
        assert feedback_id in {f["id"] for f in stored}
    leftovers = sorted(p.name for p in wb.dir.iterdir())
    assert leftovers == ["workbook.ipynb", "workbook.ipynb.lock", "workbook.journal.jsonl"]


def test_threads_with_their_own_workspace_objects(tmp_path):
    root = tmp_path / "workspace"
    errors = []

    def worker(n):
        try:
            wb = Workspace(root).workbook(TRAINEE)
            for i in range(25):
                wb.log_attempt(**ATTEMPT, attempt_id=f"t{n}-{i}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    wb = Workspace(root).workbook(TRAINEE)
    assert len({a.id for a in wb.attempts()}) == 100
    assert len([c for c in read_valid(wb.path).cells if c.id.startswith("attempt-")]) == 100
