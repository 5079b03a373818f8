"""Navigation → interactive: the review app with 500 attempts from 50 trainees in its queue,
against the practice app (the baseline), both served as `rupture serve` / `rupture review` serve
them, interleaved rounds, a fresh browser context each time. "Interactive": the first "Review …"
button of the queue, and the first "Practise: …" button of the clip library (bench/startup.py).

    .venv/bin/python -m bench.review_startup [--rounds 5]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ._browser import ROOT, Server, free_port, launch
from .startup import PAUSE_S, time_to_interactive

TRAINEES, PER_TRAINEE = 50, 10
REVIEWER = "Dr Bench"


def fill_queue(workspace: Path, answer: Path) -> None:
    """500 attempts, each with a (hard-linked) recording, sent to REVIEWER."""
    import os

    from rupture_widgets.exchange.folder import FolderExchange
    from rupture_widgets.workbook import Workspace, paths

    ws = Workspace(workspace)
    ex = FolderExchange(workspace / "exchange")
    for t in range(TRAINEES):
        wb = ws.workbook(f"trainee{t:02d}")
        wb.recordings_dir.mkdir(parents=True)
        for i in range(PER_TRAINEE):
            aid = f"t{t:02d}a{i}"
            target = paths.recording_file(wb.recordings_dir, aid)
            os.link(answer, target)
            wb.log_attempt(clip_id="c3-beginner-maya", marker="C3", level="beginner",
                           recording=target, duration_s=5.0, attempt_id=aid)
            ex.send(wb, aid, reviewer=REVIEWER, role="supervisor")


def run(rounds: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    from rupture_widgets.server.serve import REVIEW_NOTEBOOK, serve_environment, voila_command

    review_s, practice_s = [], []
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        tmp = Path(tmp)
        answer = tmp / "answer.webm"
        answer.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(200_000))  # size only: never decoded
        fill_queue(tmp / "workspace", answer)
        env = serve_environment(tmp / "workspace", "bench.trainee")
        env["RUPTURE_REVIEWER"] = REVIEWER
        p1, p2 = free_port(), free_port()
        practice = Server(voila_command(p1), p1, env, ROOT, tmp / "practice.log")
        review = Server(voila_command(p2, notebook=REVIEW_NOTEBOOK), p2, env, ROOT,
                        tmp / "review.log")
        try:
            with sync_playwright() as p:
                browser = launch(p)
                time_to_interactive(browser, practice.app_url, "Practise:")  # warm caches
                time_to_interactive(browser, review.app_url, "Review ")
                for r in range(rounds):
                    time.sleep(PAUSE_S)
                    practice_s.append(time_to_interactive(browser, practice.app_url,
                                                          "Practise:"))
                    review_s.append(time_to_interactive(browser, review.app_url, "Review "))
                    print(f"  round {r + 1}: practice {practice_s[-1]:.2f} s, review "
                          f"{review_s[-1]:.2f} s", flush=True)
                browser.close()
        finally:
            practice.stop()
            review.stop()
    a, b = statistics.median(review_s), statistics.median(practice_s)
    return {"rounds": rounds, "review_s": a, "practice_s": b, "ratio": a / b,
            "review_rounds_s": review_s, "practice_rounds_s": practice_s,
            "queue": TRAINEES * PER_TRAINEE, "trainees": TRAINEES}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    r = run(ap.parse_args(argv).rounds)
    print(f"review app {r['review_s']:.2f} s, practice app {r['practice_s']:.2f} s, "
          f"ratio {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
