"""How long ``Workbook.save_draft`` takes, the call the app makes on every keystroke, against the
floor for the same write.

The floor is a bare atomic write of the same bytes (temp file, fsync, ``os.replace``); a draft
save adds a read of the drafts file, its lock and the folder's fsync. Both are measured in the
same run, interleaved, on the same file system. A save with unchanged text (a keystroke that only
moved the cursor) writes nothing and is measured too.

    .venv/bin/python bench/drafts.py [--rounds 5] [--calls 50] [--dir DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.workbook_writes import bare_atomic_write
from rupture_widgets.workbook import Workspace, paths

NOTE = "I noticed I rushed to explain the exercise instead of asking what felt pointless. "


def run(rounds: int = 5, calls: int = 50, directory: str | os.PathLike | None = None) -> dict:
    """Milliseconds per call: each round's mean, then the median of the rounds."""
    with tempfile.TemporaryDirectory(prefix="bench-drafts-", dir=directory) as tmp:
        wb = Workspace(Path(tmp) / "workspace").workbook("bench.trainee")
        for i in range(20):  # a trainee with a few drafts kept already
            wb.save_draft(f"self-assessment:a{i}:note", NOTE * 3)
        file = paths.TraineeFolder(wb.dir).drafts
        floor_path = wb.dir / "floor.json"
        save, floor, same = [], [], []
        text = NOTE * 2
        for _ in range(rounds):
            t = time.perf_counter()
            for i in range(calls):
                text += "x"  # one more character typed
                wb.save_draft("send:message", text)
            save.append((time.perf_counter() - t) / calls * 1000)
            data = file.read_bytes()
            t = time.perf_counter()
            for _ in range(calls):
                bare_atomic_write(floor_path, data)
            floor.append((time.perf_counter() - t) / calls * 1000)
            t = time.perf_counter()
            for _ in range(calls):
                wb.save_draft("send:message", text)
            same.append((time.perf_counter() - t) / calls * 1000)
        med = statistics.median
        return {"save_ms": round(med(save), 3), "floor_ms": round(med(floor), 3),
                "unchanged_ms": round(med(same), 3),
                "save_ratio": round(med(save) / med(floor), 2),
                "file_bytes": file.stat().st_size, "rounds": rounds, "calls": calls}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.rounds, args.calls, args.dir), indent=1))
