"""The first page right after the server starts: the practice app against a cold, bare
one-widget Voilà page (issue 11: ready within 0.6x of it).

Every round starts fresh servers, alternating which goes first:
- **app, announced**: the practice app served as `rupture serve` serves it, loaded when
  `rupture serve` says "ready" (the pre-heated kernel has run the app: $RUPTURE_READY_FILE,
  server/kernels.py), as a trainee following the announcement (or `rupture serve --open`) does;
- **app, at once**: the same, loaded as soon as the port listens (what `--open` did before);
- **bare**: `python -m voila one_widget.ipynb` from the same virtualenv, no configuration,
  loaded as soon as the port listens.
"Ready" is the first actionable control (a "Practise …" button, the bare page's button),
timed in the page from navigation start (startup.py's watcher). Only the page load is timed: a
trainee waits for the announcement before they can load anything, and that wait is reported
too (server start → announced).

    .venv/bin/python -m bench.cold_start [--rounds 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ._browser import ROOT, Server, free_port, launch
from .startup import baseline_notebook, time_to_interactive


def _app(tmp: Path, n: int, ready: Path | None, extra=()) -> Server:
    from rupture_widgets.server.serve import serve_environment, voila_command

    env = serve_environment(tmp / "workspace", "bench.trainee")
    if ready is not None:
        env["RUPTURE_READY_FILE"] = str(ready)
    port = free_port()
    return Server(voila_command(port) + list(extra), port, env, ROOT, tmp / f"app{n}.log")


def _bare(tmp: Path, nb: Path, n: int) -> Server:
    from rupture_widgets.server.serve import serve_environment

    port = free_port()
    env = serve_environment(tmp / "workspace")
    env.pop("JUPYTER_TOKEN")  # a bare Voilà: no token, no configuration of ours
    cmd = [sys.executable, "-m", "voila", str(nb), f"--port={port}", "--no-browser",
           f"--Voila.root_dir={nb.parent}"]
    return Server(cmd, port, env, nb.parent, tmp / f"bare{n}.log")


def run(rounds: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    out = {"announced": [], "at_once": [], "bare": [], "wait_for_announcement": []}
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        bare_dir = tmp / "bare"
        bare_dir.mkdir()
        nb = baseline_notebook(bare_dir)
        (bare_dir / "voila.json").unlink()  # bare: Voilà's defaults
        browser = launch(p)
        order = ["announced", "at_once", "bare"]
        for r in range(rounds):
            for kind in order[r % 3:] + order[:r % 3]:
                n = f"{r}{kind}"
                started = time.monotonic()
                if kind == "bare":
                    server, url, prefix = _bare(tmp, nb, n), None, "Ready"
                else:
                    ready = tmp / f"ready{n}" if kind == "announced" else None
                    server, prefix = _app(tmp, n, ready), "Practise"
                try:
                    url = server.app_url
                    if kind == "announced":
                        while not ready.exists():
                            if time.monotonic() - started > 180:
                                raise TimeoutError("the app was never announced")
                            time.sleep(0.05)
                        out["wait_for_announcement"].append(time.monotonic() - started)
                    out[kind].append(time_to_interactive(browser, url, prefix))
                finally:
                    server.stop()
            print(f"  round {r + 1}: announced {out['announced'][-1]:.2f} s, at once "
                  f"{out['at_once'][-1]:.2f} s, bare {out['bare'][-1]:.2f} s, announced after "
                  f"{out['wait_for_announcement'][-1]:.1f} s", flush=True)
        browser.close()
    med = {k: statistics.median(v) for k, v in out.items()}
    return {"rounds": rounds, "median_s": med, "rounds_s": out,
            "ratio_announced": med["announced"] / med["bare"],
            "ratio_at_once": med["at_once"] / med["bare"]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    r = run(ap.parse_args(argv).rounds)
    m = r["median_s"]
    print(f"announced {m['announced']:.2f} s, at once {m['at_once']:.2f} s, bare "
          f"{m['bare']:.2f} s: ratios {r['ratio_announced']:.2f} (announced), "
          f"{r['ratio_at_once']:.2f} (at once); announced {m['wait_for_announcement']:.1f} s "
          "after start")


if __name__ == "__main__":
    main()
