"""Screenshots of every view of both apps at 1280 and 400 px wide, written next to this file.

    python docs/screens/make_screens.py            # needs the 'test' extra and /usr/bin/chromium
    python docs/screens/make_screens.py ephemeral  # only the apps named (practice review ephemeral)

Starts the real servers (`rupture serve`'s and `rupture review`'s Voilà) on a fresh demo
workspace holding one answer sent to a reviewer, drives Debian's Chromium with its fake camera
through each view (tests/browser/views.py, the same walk the browser tests take) and
writes ``<app>-<view>-<width>.png``; "ephemeral" is the practice app on a throw-away server
(the notice, Download / Restore my work). Nothing is fetched from the network.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT)]

WIDTHS = {1280: 900, 400: 800}


TALLEST = 4000  # px: the library is ~18,000 px tall at 400 px wide; its top says enough


def whole_view(page, path: Path, width: int, height: int) -> None:
    """The view from the top: Voilà scrolls inside #rendered_cells, not the document, so a
    full-page screenshot would be one screen; the viewport is made as tall as the view."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_timeout(500)  # let posters and fonts settle
    try:  # and every player show a frame rather than its loading spinner
        page.wait_for_function("[...document.querySelectorAll('video')].every((v) =>"
                               " v.readyState >= 2 || !(v.src || v.srcObject))", timeout=10_000)
    except PlaywrightTimeout as e:  # a screenshot with a spinner is still worth having
        print(f"{path.name}: a video was still loading ({e.__class__.__name__})")
    tall = page.evaluate("(document.getElementById('rendered_cells') || document.body)"
                         ".scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(height, tall), TALLEST)})
    page.evaluate("document.getElementById('rendered_cells')?.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})
    shrink(path)


def shrink(path: Path) -> None:
    """256 colours, optimised: a third of the bytes, and the text stays sharp."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> int:
    from playwright.sync_api import sync_playwright

    from browser_support import BASE_ARGS, CHROMIUM, FAKE_MEDIA_ARGS
    from views import (EPHEMERAL_ENV, ephemeral_views, make_answer_webm, practice_views,
                       review_views, seed_sent_attempt, start_app)

    wanted = set(sys.argv[1:]) or {"practice", "review", "ephemeral"}

    with tempfile.TemporaryDirectory(prefix="rupture-screens-") as tmp:
        tmp = Path(tmp)
        workspace = tmp / "workspace"
        seed_sent_attempt(workspace, make_answer_webm(tmp / "answer.webm"))
        starts = {"practice": lambda: start_app(workspace, tmp / "practice.log"),
                  "review": lambda: start_app(workspace, tmp / "review.log", review=True),
                  "ephemeral": lambda: start_app(tmp / "ephemeral-workspace",
                                                 tmp / "ephemeral.log", env_extra=EPHEMERAL_ENV)}
        servers = {app: start() for app, start in starts.items() if app in wanted}
        written = []
        try:
            with sync_playwright() as p:
                # Chromium's own fake camera (a moving test card): the tests' noisy y4m is for
                # realistic bitrates and would make every PNG a megabyte of noise
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=BASE_ARGS + FAKE_MEDIA_ARGS)
                for width, height in WIDTHS.items():
                    for app, walk in (("practice", practice_views), ("review", review_views),
                                      ("ephemeral", ephemeral_views)):
                        if app not in servers:
                            continue
                        server = servers[app]
                        context = browser.new_context(
                            permissions=["camera", "microphone"], accept_downloads=True,
                            viewport={"width": width, "height": height})
                        page = context.new_page()
                        page.set_default_timeout(60_000)
                        kwargs = {"trainee": f"Robin Screens {width}"} if app != "review" \
                            else {}
                        for view in walk(page, server, **kwargs):
                            path = HERE / f"{app}-{view}-{width}.png"
                            whole_view(page, path, width, height)
                            written.append(path.name)
                        context.close()
                browser.close()
        finally:
            for server in servers.values():
                server.stop()
    print("\n".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
