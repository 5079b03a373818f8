"""How long ``Workbook.log_attempt`` takes at ~400 attempts, against the floor for the same write.

Every write re-reads the notebook, merges it with the journal, renders it and replaces it
atomically. The floor is what no implementation can avoid: writing the same notebook bytes to a
temp file, fsync, ``os.replace``. Both are measured in the same run, in interleaved rounds on the
same file system, so the ratio says how much the store adds, whatever the machine.

    .venv/bin/python bench/workbook_writes.py [--attempts 400] [--rounds 5] [--dir DIR]

A bench runner calls ``run()`` and gets the figures as a dict.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from rupture_widgets.workbook import Workspace

ATTEMPT = {"clip_id": "c3-beginner-maya", "marker": "C3", "level": "beginner"}
SELF_ASSESSMENT = {"difficulty": 5, "strategies": ["S3"], "note": "fine"}


def bare_atomic_write(path: Path, data: bytes) -> None:
    """The floor: temp file, fsync, replace (no lock, no merge, no rendering)."""
    tmp = path.with_name(f".{path.name}.bench.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def run(attempts: int = 400, rounds: int = 5, calls_per_round: int = 8,
        directory: str | os.PathLike | None = None) -> dict:
    """Figures in milliseconds per write: each round's mean, then the median of the rounds."""
    with tempfile.TemporaryDirectory(prefix="bench-workbook-", dir=directory) as tmp:
        wb = Workspace(Path(tmp) / "workspace").workbook("bench.trainee")
        for _ in range(attempts):
            last = wb.log_attempt(**ATTEMPT, self_assessment=SELF_ASSESSMENT, duration_s=30.0)
        wb.add_feedback(last.id, reviewer="Dr Kim", role="instructor", ratings={"empathy": 4})
        floor_path = wb.dir / "floor.ipynb"

        log_rounds, floor_rounds = [], []
        for _ in range(rounds):
            data = wb.path.read_bytes()  # the notebook as it is now, so both write the same size
            t = time.perf_counter()
            for _ in range(calls_per_round):
                bare_atomic_write(floor_path, data)
            floor_rounds.append(1000 * (time.perf_counter() - t) / calls_per_round)

            t = time.perf_counter()
            for _ in range(calls_per_round):
                wb.log_attempt(**ATTEMPT, duration_s=30.0)
            log_rounds.append(1000 * (time.perf_counter() - t) / calls_per_round)

        log_ms = statistics.median(log_rounds)
        floor_ms = statistics.median(floor_rounds)
        return {
            "attempts_before": attempts,
            "attempts_after": attempts + rounds * calls_per_round,
            "notebook_kib": wb.path.stat().st_size / 1024,
            "rounds": rounds,
            "calls_per_round": calls_per_round,
            "log_attempt_ms": log_ms,
            "atomic_write_ms": floor_ms,
            "ratio": log_ms / floor_ms if floor_ms else float("inf"),
            "log_attempt_rounds_ms": log_rounds,
            "atomic_write_rounds_ms": floor_rounds,
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=None,
                        help="where to put the scratch workspace (its file system is measured)")
    args = parser.parse_args(argv)
    r = run(attempts=args.attempts, rounds=args.rounds, directory=args.dir)
    print(f"workbook writes at {r['attempts_before']}-{r['attempts_after']} attempts "
          f"({r['notebook_kib']:.0f} KiB notebook), median of {r['rounds']} rounds "
          f"x {r['calls_per_round']} writes:")
    print(f"  log_attempt             {r['log_attempt_ms']:7.1f} ms   rounds: "
          + ", ".join(f"{x:.1f}" for x in r["log_attempt_rounds_ms"]))
    print(f"  bare atomic write floor {r['atomic_write_ms']:7.1f} ms   rounds: "
          + ", ".join(f"{x:.1f}" for x in r["atomic_write_rounds_ms"]))
    print(f"  ratio                   {r['ratio']:7.1f} x")


if __name__ == "__main__":
    main()
