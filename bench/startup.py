"""Navigation → interactive: the practice app against a one-widget Voilà notebook.

Both are served the way `rupture serve` serves the app (same command line, same voila.json,
same machine, interleaved rounds, a fresh browser context each time so nothing is cached).
Voilà keeps one pre-heated kernel per notebook (voila.json: preheat_kernel); rounds are spaced
PAUSE_S apart so the pool has refilled, as it has when a trainee opens the app once.
"Interactive" is the moment the first thing the user acts on is in the page: for the practice
app (trainee known, as under JupyterHub or `rupture serve --trainee`) the first "Practise …"
button of the clip library; for the baseline its only widget, a button. Timed in the page with
performance.now() (milliseconds since navigation start) by a MutationObserver.

    .venv/bin/python -m bench.startup [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from ._browser import ROOT, Server, free_port, launch

PAUSE_S = 8.0  # > the time a pre-heated kernel takes to start and run either notebook here

BASELINE_CELL = '''import anywidget

class Ready(anywidget.AnyWidget):
    _esm = """export default { render({ el }) {
      const b = document.createElement("button"); b.textContent = "Ready"; el.appendChild(b);
    } }"""

Ready()'''

# Records performance.now() when the first button whose text starts with PREFIX appears.
WATCH_JS = """
(() => {
  const prefix = %s;
  const check = () => {
    if (window.__interactive_ms) return;
    for (const b of document.querySelectorAll('button')) {
      if ((b.textContent || '').trim().startsWith(prefix)) {
        window.__interactive_ms = performance.now(); return;
      }
    }
  };
  new MutationObserver(check).observe(document, {childList: true, subtree: true});
})();
"""


def baseline_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASELINE_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "one_widget.ipynb"
    nbformat.write(nb, path)
    shutil.copy(ROOT / "notebooks" / "voila.json", folder / "voila.json")
    return path


def time_to_interactive(browser, url: str, prefix: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(WATCH_JS % json.dumps(prefix))
        page.goto(url)
        page.wait_for_function("window.__interactive_ms", timeout=120_000)
        return page.evaluate("window.__interactive_ms") / 1000
    finally:
        context.close()


def run(rounds: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    from rupture_widgets.server.serve import serve_environment, voila_command

    app_s, base_s = [], []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        tmp = Path(tmp)
        env = serve_environment(tmp / "workspace", "bench.trainee")
        p1, p2 = free_port(), free_port()
        app = Server(voila_command(p1), p1, env, ROOT, tmp / "app.log")
        nb = baseline_notebook(tmp)
        base = Server(voila_command(p2, notebook=nb, root=tmp), p2, env, tmp, tmp / "base.log")
        try:
            with sync_playwright() as p:
                browser = launch(p)
                time_to_interactive(browser, app.app_url, "Practise")  # warm the OS file cache
                time_to_interactive(browser, base.app_url, "Ready")
                for r in range(rounds):
                    time.sleep(PAUSE_S)
                    app_s.append(time_to_interactive(browser, app.app_url, "Practise"))
                    base_s.append(time_to_interactive(browser, base.app_url, "Ready"))
                    print(f"  round {r + 1}: practice app {app_s[-1]:.2f} s, "
                          f"one-widget notebook {base_s[-1]:.2f} s", flush=True)
                browser.close()
        finally:
            app.stop()
            base.stop()
    a, b = statistics.median(app_s), statistics.median(base_s)
    return {"rounds": rounds, "practice_app_s": a, "one_widget_s": b, "ratio": a / b,
            "practice_app_rounds_s": app_s, "one_widget_rounds_s": base_s}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    r = run(ap.parse_args(argv).rounds)
    print(f"practice app {r['practice_app_s']:.2f} s, one widget {r['one_widget_s']:.2f} s, "
          f"ratio {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
