"""Every view of both apps, reached as a person reaches it: the one place that knows the way.

``practice_views(page, server)`` and ``review_views(page, server)`` are generators: each goes to
the next view, waits until it is on screen, and yields its name, so a test (accessibility,
offline, phone layout) or the screenshot script checks each view in one walk, without starting a
kernel per view. When the apps change how a view is reached (labels, a camera that opens only
on "Record my answer"), change the step here and every check follows.

The review app needs something sent to a reviewer: ``seed_sent_attempt`` puts a real WebM
answer in a trainee's workbook and sends it through the exchange, as the practice app's "Send"
does, so the review walk does not depend on the practice walk.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from browser_support import ROOT, Server, free_port, record_answer

TRAINEE = "Robin Views"
REVIEWER = "Dr Sam Rivera"
SEEDED_TRAINEE = "alex.morgan"

PRACTICE_VIEWS = ("name-box", "library", "clip", "assessed", "progress")
EPHEMERAL_VIEWS = ("name-box", "assessed", "downloaded")
#: what a throw-away server's practice app is started with (start_app's env_extra)
EPHEMERAL_ENV = {"RUPTURE_EPHEMERAL": "1", "RUPTURE_IDLE_MINUTES": "10"}
REVIEW_VIEWS = ("who-are-you", "queue", "attempt")


def practice_clip():
    """The shortest clip with a trainer note whose title is unique in the library: every view
    then shows all it can (the note after an answer, and to the reviewer)."""
    from collections import Counter

    from rupture_widgets.library.catalog import load_catalog

    clips = load_catalog().clips
    titles = Counter(c.title for c in clips)
    return min((c for c in clips if titles[c.title] == 1 and c.trainer_note),
               key=lambda c: c.duration_s)


def practice_views(page, server, trainee: str = TRAINEE, record_s: float = 2.0):
    """name box -> library -> a clip -> one recorded answer with the self-assessment shown."""
    clip = practice_clip()
    page.goto(server.app_url)
    page.get_by_role("textbox", name="Your name").wait_for()
    yield "name-box"
    page.get_by_role("textbox", name="Your name").fill(trainee)
    page.get_by_role("button", name="Start practising").click()
    card = page.get_by_role("button", name=f"Practise: {clip.title}")
    card.wait_for()
    yield "library"
    card.click()
    page.locator("video.rw-clip-video").wait_for()
    page.get_by_role("button", name="Play clip", exact=True).wait_for()
    yield "clip"
    record_answer(page, record_s)
    page.get_by_role("button", name="Save self-assessment").wait_for()
    page.locator(".rw-recorder[data-answer='local']").wait_for()  # the answer, replayed at once
    page.get_by_role("note", name="Trainer note").wait_for()  # once answered (never before:
    # tests/apps/test_practice_app.py; a walk may reuse a trainee who has answered already)
    yield "assessed"
    page.get_by_role("button", name="My progress").click()
    page.get_by_role("heading", name="Your progress").wait_for()
    yield "progress"


def ephemeral_views(page, server, trainee: str = "Robin Temporary", record_s: float = 2.0):
    """On a throw-away server (EPHEMERAL_ENV): the name box under the notice, an answer with
    the bar pinned above, and the bar once "Download my work" has saved the bundle."""
    for view in practice_views(page, server, trainee=trainee, record_s=record_s):
        if view in ("name-box", "assessed"):
            page.get_by_role("note").filter(has_text="This is a temporary server").wait_for()
            yield view
        if view == "assessed":
            break
    with page.expect_download():
        page.get_by_role("button", name="Download my work").click()
    page.get_by_role("status").filter(has_text="Saved rupture-").wait_for()
    yield "downloaded"


def review_views(page, server, reviewer: str = REVIEWER, trainee: str = SEEDED_TRAINEE):
    """who are you -> the queue -> the attempt sent by ``trainee`` (see seed_sent_attempt)."""
    clip = practice_clip()
    page.goto(server.app_url)
    page.get_by_role("textbox", name="Your name").wait_for()
    yield "who-are-you"
    page.get_by_role("textbox", name="Your name").fill(reviewer)
    page.get_by_role("button", name="Start reviewing").click()
    item = page.get_by_role("button", name=f"Review {trainee}'s answer to {clip.title}")
    item.wait_for()
    yield "queue"
    item.click()
    page.locator(".rw-answer-player[data-state='loaded']").wait_for()
    page.get_by_role("note", name="Trainer note").wait_for()
    yield "attempt"


def seed_sent_attempt(workspace: Path, answer_webm: Path, reviewer: str = REVIEWER,
                      trainee: str = SEEDED_TRAINEE) -> None:
    """A recorded, self-assessed answer to ``practice_clip()`` sent to ``reviewer``."""
    from rupture_widgets.exchange import open_exchange
    from rupture_widgets.workbook import Workspace

    clip = practice_clip()
    ws = Workspace(workspace)
    wb = ws.workbook(trainee)
    rec = wb.start_recording(clip_id=clip.id, marker=clip.marker, level=clip.level)
    data = answer_webm.read_bytes()
    for i in range(0, len(data), 64 * 1024):
        rec.append(memoryview(data)[i:i + 64 * 1024])
    duration = rec.finalise()
    attempt = wb.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level,
                             attempt_id=rec.attempt_id, recording=rec.final_path,
                             duration_s=duration,
                             self_assessment={"difficulty": 4, "strategies": ["S4"],
                                              "note": "Slowed down."})
    open_exchange(ws).send(wb, attempt.id, reviewer=reviewer, role="supervisor")


def start_app(workspace: Path, log: Path, *, review: bool = False, env_extra=None) -> Server:
    """An app served as `rupture serve` / `rupture review` serve it (no trainee, no reviewer
    given, so the name boxes show)."""
    from rupture_widgets.server.serve import (NOTEBOOK, REVIEW_NOTEBOOK, serve_environment,
                                              voila_command)

    port = free_port()
    env = serve_environment(workspace)
    for name in ("RUPTURE_TRAINEE", "RUPTURE_REVIEWER", "JUPYTERHUB_USER"):
        env.pop(name, None)
    env.update(env_extra or {})
    notebook = REVIEW_NOTEBOOK if review else NOTEBOOK
    return Server(voila_command(port, notebook=notebook), port, env, ROOT, log)


@contextmanager
def served_review_app(folder: Path):
    """The review app on a workspace holding one sent answer (seed_sent_attempt)."""
    workspace = folder / "workspace"
    seed_sent_attempt(workspace, make_answer_webm(folder / "answer.webm"))
    server = start_app(workspace, folder / "review.log", review=True)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def new_page(browser, width: int = 1280, height: int = 1000, **context_options):
    """A page in a fresh context that may use the (fake) camera, collecting console lines in
    ``page.console`` for a failure message."""
    context = browser.new_context(permissions=["camera", "microphone"],
                                  viewport={"width": width, "height": height}, **context_options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.console = []
    page.on("console", lambda m: page.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.console.append(f"pageerror: {e}"))
    try:
        yield page
    finally:
        context.close()


def make_answer_webm(path: Path, seconds: float = 3.0) -> Path:
    """A real VP8/Opus answer (tests/webm_media.py), for seed_sent_attempt."""
    import sys

    tests = str(Path(__file__).resolve().parents[1])
    if tests not in sys.path:
        sys.path.insert(0, tests)
    from webm_media import make_webm

    return make_webm(path, seconds=seconds)


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("RUPTURE_TEST_ARTIFACTS", "/tmp/rupture-browser-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
