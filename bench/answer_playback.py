"""Answer playback: Stop → the answer playable in the recorder, and Play → playing through the
AnswerPlayer, in the real practice app.

Voilà (as `rupture serve` runs it) + Chromium whose fake camera plays a noisy 640x480 y4m, so
MediaRecorder records at ~3 Mbit/s, as bench/recording.py does. Each round records a short
answer (the baseline) and a long one in the same page, after one short warm-up answer that is
not counted (the first start of the encoder is slower, ~1 s on a loaded machine). Page-clock times (Date.now(), from
capture listeners on the document, so no event arrival delay counts):

- Stop → playable: the click on "Stop recording" to the recorder's video firing ``canplay``
  with the answer's Blob URL and a finite duration (replayed from the browser's own chunks).
- Play → playing: the click on "Play attempt N" (the kernel sends the file through the widget's
  comm) to the AnswerPlayer's video firing ``playing``; for the first short and the first long
  attempt, streamed (Media Source Extensions) and, as the reference, with MediaSource removed
  from the page so the Blob fallback (every piece first, as before streaming) plays it.

    .venv/bin/python -m bench.answer_playback [--rounds 3] [--short 5] [--long 120]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ._browser import ROOT, Server, free_port, launch, wait_status, watch_recorder, write_y4m

TRAINEE = "bench.playback"

# Page-clock marks: clicks on the buttons measured, and the two videos' media events.
MARKS_JS = """
(() => {
  window.__marks = [];
  const mark = (kind, extra) => window.__marks.push({ kind, t: Date.now(), ...extra });
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest && ev.target.closest("button");
    if (b) mark("click", { name: b.textContent.trim() });
  }, true);
  for (const type of ["canplay", "playing"]) {
    document.addEventListener(type, (ev) => {
      const v = ev.target;
      if (!(v instanceof HTMLVideoElement)) return;
      const which = v.classList.contains("rw-recorder-video") ? "recorder"
        : v.classList.contains("rw-answer-video") ? "answer" : "";
      if (which && (v.src || "").startsWith("blob:") && Number.isFinite(v.duration)) {
        mark(type, { which });
      }
    }, true);
  }
})();
"""


def marks(page) -> list[dict]:
    return page.evaluate("window.__marks")


def after(page, first: dict, kind: str, which: str, timeout_s: float = 120) -> float:
    """Seconds from ``first`` (a mark) to the next ``kind`` mark on ``which`` video."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for m in marks(page):
            if m["kind"] == kind and m.get("which") == which and m["t"] >= first["t"]:
                return (m["t"] - first["t"]) / 1000
        time.sleep(0.05)
    raise TimeoutError(f"no {kind} on the {which} video within {timeout_s} s")


def last_click(page, name: str) -> dict:
    return [m for m in marks(page) if m["kind"] == "click" and m["name"] == name][-1]


def record_once(page, seconds: float) -> float:
    """Record an answer; seconds from Stop to the answer playable in the recorder."""
    again = page.get_by_role("button", name="Record again", exact=True)
    if again.is_visible():
        again.click()
        wait_status(page, "ready")
    page.get_by_role("button", name="Record my answer", exact=True).click()
    wait_status(page, "recording", timeout=30_000)
    time.sleep(seconds)
    page.get_by_role("button", name="Stop recording", exact=True).click()
    playable = after(page, last_click(page, "Stop recording"), "canplay", "recorder")
    wait_status(page, "saved", timeout=120_000)
    return playable


def play_once(page, n: int, streamed: bool) -> float:
    """Seconds from the click on "Play attempt n" to the AnswerPlayer playing it."""
    page.evaluate("(on) => { if (!on) { window.__ms = window.__ms || window.MediaSource; "
                  "window.MediaSource = undefined; } else if (window.__ms) { "
                  "window.MediaSource = window.__ms; } }", streamed)
    page.get_by_role("button", name=f"Play attempt {n}", exact=True).click()
    seconds = after(page, last_click(page, f"Play attempt {n}"), "playing", "answer")
    page.evaluate("document.querySelector('.rw-answer-video').pause()")
    return seconds


def run(rounds: int = 3, short_s: float = 5, long_s: float = 120) -> dict:
    if rounds < 2:
        raise ValueError("needs 2 rounds or more: the Blob reference plays the second long answer")
    from playwright.sync_api import sync_playwright

    from rupture_widgets.library.catalog import load_catalog
    from rupture_widgets.server.serve import serve_environment, voila_command

    clip = min(load_catalog().clips, key=lambda c: c.duration_s)
    stop_short, stop_long, play = [], [], {"short": [], "long": [], "long_blob": []}
    with tempfile.TemporaryDirectory(prefix="bench-playback-") as tmp:
        tmp = Path(tmp)
        camera = write_y4m(tmp / "camera.y4m")
        port = free_port()
        server = Server(voila_command(port), port, serve_environment(tmp / "workspace", TRAINEE),
                        ROOT, tmp / "voila.log")
        try:
            with sync_playwright() as p:
                browser = launch(p, camera)
                context = browser.new_context(permissions=["camera", "microphone"])
                context.add_init_script(MARKS_JS)
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(server.app_url)
                page.get_by_role("button", name=f"Practise: {clip.title}").first.click()
                watch_recorder(page)
                record_once(page, short_s)  # warm-up, not counted: the first encoder start
                for r in range(rounds):
                    stop_short.append(record_once(page, short_s))
                    stop_long.append(record_once(page, long_s))
                    print(f"  round {r + 1}: Stop → playable: short {stop_short[-1]:.3f} s, "
                          f"long {stop_long[-1]:.3f} s", flush=True)
                # attempts 1 (warm-up), 2, 4 … are short, 3, 5 … long; each click asks for
                # another attempt than the one loaded, so every play sends a whole file
                for r in range(rounds):
                    play["short"].append(play_once(page, 2, streamed=True))
                    play["long"].append(play_once(page, 3, streamed=True))
                    play["long_blob"].append(play_once(page, 5, streamed=False))
                    print(f"  round {r + 1}: Play → playing: short {play['short'][-1]:.3f} s, "
                          f"long {play['long'][-1]:.3f} s, long as one Blob "
                          f"{play['long_blob'][-1]:.3f} s", flush=True)
                browser.close()
        finally:
            server.stop()
    med = statistics.median
    return {
        "rounds": rounds, "short_s": short_s, "long_s": long_s,
        "stop_short_s": med(stop_short), "stop_long_s": med(stop_long),
        "stop_ratio": med(stop_long) / med(stop_short),
        "play_short_s": med(play["short"]), "play_long_s": med(play["long"]),
        "play_long_blob_s": med(play["long_blob"]),
        "play_ratio": med(play["long"]) / med(play["short"]),
        "stop_short_rounds": stop_short, "stop_long_rounds": stop_long, "play_rounds": play,
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--short", type=float, default=5)
    ap.add_argument("--long", type=float, default=120)
    args = ap.parse_args(argv)
    r = run(args.rounds, args.short, args.long)
    for k, v in r.items():
        if not k.endswith("_rounds"):
            print(f"{k:24} {v:.3f}" if isinstance(v, float) else f"{k:24} {v}")


if __name__ == "__main__":
    main()
