"""Stop → attempt logged, and the kernel's memory while recording, through the real app.

Voilà (as `rupture serve` runs it) + Chromium whose fake camera plays a noisy 640x480 y4m, so
MediaRecorder records at ~3 Mbit/s. Each round records a short answer (the baseline) and a long
one in the same kernel; "Stop → logged" is the page-clock time from the Stop click (status
"saving") to the kernel's "saved" (file finalised, attempt in the workbook, status synced back).
Kernel memory is the ipykernel's RSS, sampled every 0.25 s from the click on Start to the click
on Stop; its baseline is the same kernel sampled for the same long while with the camera
previewing and nothing recorded.

    .venv/bin/python -m bench.recording [--rounds 5] [--short 5] [--long 120]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from . import finalise
from ._browser import (ROOT, Server, free_port, launch, status_times, wait_status,
                       watch_recorder, write_y4m)

TRAINEE = "bench.trainee"


class RssSampler:
    """Peak resident memory of a process between start() and stop()."""

    def __init__(self, proc, every_s: float = 0.25):
        self.proc, self.every_s = proc, every_s
        self.before = self.peak = proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(self.every_s)

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> float:
        """Growth in MB over the value at start."""
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)
        return (self.peak - self.before) / 1e6


def page_kernel(server: Server, page):
    """The ipykernel process serving this page (not the pre-heated spare Voilà keeps ready)."""
    import psutil

    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    for proc in psutil.Process(server.proc.pid).children(recursive=True):
        if any(kernel_id in arg for arg in proc.cmdline()):
            return proc
    raise LookupError(f"no process for kernel {kernel_id}")


def record_once(page, seconds: float, kernel, nth: int, workbook) -> dict:
    again = page.get_by_role("button", name="Record again", exact=True)
    if again.is_visible():  # back to the preview first
        again.click()
        wait_status(page, "ready")
    sampler = RssSampler(kernel).start()
    page.get_by_role("button", name="Record my answer", exact=True).click()
    wait_status(page, "recording")
    time.sleep(seconds)
    page.get_by_role("button", name="Stop recording").click()
    growth_mb = sampler.stop()
    wait_status(page, "saved", timeout=120_000)
    stop_to_logged_s = (status_times(page, "saved")[nth] - status_times(page, "saving")[nth]) / 1000
    attempt = workbook.attempts()[-1]  # the one this Stop logged
    size = workbook.recording_path(attempt.id).stat().st_size
    return {"seconds": seconds, "stop_to_logged_s": stop_to_logged_s, "growth_mb": growth_mb,
            "duration_s": attempt.duration_s, "mbit_per_s": size * 8 / attempt.duration_s / 1e6,
            "mb": size / 1e6, "path": workbook.recording_path(attempt.id)}


def run(rounds: int = 5, short_s: float = 5, long_s: float = 120, idle_s: float | None = None
        ) -> dict:
    from playwright.sync_api import sync_playwright

    from rupture_widgets.library.catalog import load_catalog
    from rupture_widgets.server.serve import serve_environment, voila_command
    from rupture_widgets.workbook import Workspace

    idle_s = long_s if idle_s is None else idle_s
    clip = min(load_catalog().clips, key=lambda c: c.duration_s)
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as tmp:
        tmp = Path(tmp)
        camera = write_y4m(tmp / "camera.y4m")
        port = free_port()
        server = Server(voila_command(port), port, serve_environment(tmp / "workspace", TRAINEE),
                        ROOT, tmp / "voila.log")
        try:
            with sync_playwright() as p:
                browser = launch(p, camera)
                page = browser.new_context(permissions=["camera", "microphone"]).new_page()
                page.set_default_timeout(120_000)
                page.goto(server.app_url)
                page.get_by_role("button", name=f"Practise: {clip.title}").first.click()
                watch_recorder(page)
                page.get_by_role("button", name="Turn camera on", exact=True).click()
                wait_status(page, "ready")
                kernel = page_kernel(server, page)
                workbook = Workspace(tmp / "workspace").workbook(TRAINEE)

                idle = RssSampler(kernel).start()
                time.sleep(idle_s)
                idle_growth = idle.stop()

                short, long = [], []
                for r in range(rounds):
                    short.append(record_once(page, short_s, kernel, 2 * r, workbook))
                    long.append(record_once(page, long_s, kernel, 2 * r + 1, workbook))
                    print(f"  round {r + 1}: short {short[-1]['stop_to_logged_s']:.3f} s, "
                          f"long {long[-1]['stop_to_logged_s']:.3f} s, "
                          f"{long[-1]['mbit_per_s']:.2f} Mbit/s, "
                          f"+{long[-1]['growth_mb']:.1f} MB while recording", flush=True)
                browser.close()
        finally:
            server.stop()
        alone = finalise.run(short[-1]["path"], long[-1]["path"], rounds)
        print(f"  finalise alone: short {alone['short_ms']:.1f} ms, long {alone['long_ms']:.1f} ms",
              flush=True)

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    return {
        "rounds": rounds, "short_s": short_s, "long_s": long_s, "idle_s": idle_s,
        "short_stop_to_logged_s": med(short, "stop_to_logged_s"),
        "long_stop_to_logged_s": med(long, "stop_to_logged_s"),
        "ratio": med(long, "stop_to_logged_s") / med(short, "stop_to_logged_s"),
        "short_mbit_per_s": med(short, "mbit_per_s"), "long_mbit_per_s": med(long, "mbit_per_s"),
        "long_mb": med(long, "mb"),
        "long_growth_mb": med(long, "growth_mb"), "short_growth_mb": med(short, "growth_mb"),
        "idle_growth_mb": idle_growth, "finalise": alone,
        "short_rounds": short, "long_rounds": long,
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--short", type=float, default=5)
    ap.add_argument("--long", type=float, default=120)
    args = ap.parse_args(argv)
    r = run(args.rounds, args.short, args.long)
    for k, v in r.items():
        if not k.endswith("_rounds"):
            print(f"{k:24} {v:.3f}" if isinstance(v, float) else f"{k:24} {v}")


if __name__ == "__main__":
    main()
