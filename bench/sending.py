"""Sending an attempt for feedback: a 120 s answer against a 5 s one (the baseline), on one
filesystem, where the exchange hard-links the recording instead of copying it.

Each round logs a fresh attempt per length (its recording a hard link of a file of the size
Chromium records at ~3.7 Mbit/s: 2.6 MB and 55 MB) and times `FolderExchange.send` (link,
review notebook written, attempt marked sent), the two lengths alternating; medians.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

SIZES = {"short": 2_600_000, "long": 55_000_000}


def run(rounds: int = 5) -> dict:
    from rupture_widgets.exchange.folder import FolderExchange
    from rupture_widgets.workbook import Workspace, paths

    times: dict[str, list[float]] = {k: [] for k in SIZES}
    with tempfile.TemporaryDirectory(prefix="bench-sending-") as tmp:
        ws = Workspace(Path(tmp) / "workspace")
        wb = ws.workbook("bench.trainee")
        wb.recordings_dir.mkdir(parents=True)
        sources = {}
        for name, size in SIZES.items():
            sources[name] = Path(tmp) / f"{name}.webm"
            with open(sources[name], "wb") as f:
                for _ in range(size // (1 << 20) + 1):
                    f.write(os.urandom(1 << 20))
        exchange = FolderExchange(Path(tmp) / "workspace" / "exchange")
        for r in range(rounds + 1):  # the first round warms caches and is not counted
            for name in (("short", "long") if r % 2 == 0 else ("long", "short")):
                aid = f"bench{r}{name}"
                target = paths.recording_file(wb.recordings_dir, aid)
                os.link(sources[name], target)
                wb.log_attempt(clip_id="c3-beginner-maya", marker="C3", level="beginner",
                               recording=target, duration_s=5.0, attempt_id=aid)
                started = time.perf_counter()
                exchange.send(wb, aid, reviewer="Dr Bench", role="supervisor")
                if r:
                    times[name].append(time.perf_counter() - started)
    short, long = statistics.median(times["short"]), statistics.median(times["long"])
    return {"short_s": short, "long_s": long, "ratio": long / short,
            "short_rounds_s": times["short"], "long_rounds_s": times["long"],
            "sizes": SIZES}


if __name__ == "__main__":
    r = run()
    print(f"send: 5 s answer {r['short_s'] * 1000:.1f} ms, 120 s answer "
          f"{r['long_s'] * 1000:.1f} ms, ratio {r['ratio']:.2f}")
