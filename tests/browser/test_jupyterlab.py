"""The same widgets inside JupyterLab 4: ClipPlayer + Recorder fed by an ipywebrtc CameraStream."""
from __future__ import annotations

import json
import os
import shutil
import sys

import nbformat
import pytest

from browser_support import (ROOT, Server, free_port, record_answer, recorded_ms, wait_status,
                             watch_recorder)

CELLS = [
    "import os\n"
    "from rupture_widgets import ClipPlayer, Recorder, Workspace, load_catalog\n"
    "clip = load_catalog().clips[0]\n"
    "workbook = Workspace(os.environ['LAB_TEST_WORKSPACE']).workbook('lab.user')",
    "player = ClipPlayer.for_clip(clip)\nplayer",
    # the design card's camera source: an ipywebrtc CameraStream feeds the recorder
    "from ipywebrtc import CameraStream\n"
    "camera = CameraStream(constraints={'audio': True, 'video': {'width': 640, 'height': 480}})\n"
    "recorder = Recorder(workbook, source=camera, clip_id=clip.id, marker=clip.marker,\n"
    "                    level=clip.level)\n"
    "recorder",
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a folder holding the clip library and a notebook that uses it."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "clips", root / "clips", ignore=shutil.ignore_patterns("*.part"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, root / "widgets.ipynb")
    workspace = root / "workspace"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUPTURE_", "JUPYTERHUB_"))}
    env.update(LAB_TEST_WORKSPACE=str(workspace), RUPTURE_CLIPS=str(root / "clips"),
               JUPYTER_CONFIG_DIR=str(root / ".jupyter"))
    (root / ".jupyter").mkdir()
    # no announcements or update checks: CI is offline
    (root / ".jupyter" / "jupyter_server_config.json").write_text(json.dumps(
        {"LabApp": {"news_url": None, "check_for_updates_class":
                    "jupyterlab.NeverCheckForUpdate"}}))
    cmd = [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--port={port}", "--IdentityProvider.token=", "--LabApp.expose_app_in_browser=True",
           f"--ServerApp.root_dir={root}"]
    server = Server(cmd, port, env, root, root / "lab.log")
    yield server, workspace
    server.stop()


def test_clip_player_and_recorder_work_in_jupyterlab(page, lab):
    server, workspace = lab
    page.goto(server.url + "lab/tree/widgets.ipynb")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                           timeout=120_000)
    page.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session"
                           ".kernel.status === 'idle'", timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    watch_recorder(page)
    wait_status(page, "idle", timeout=120_000)  # the camera waits for the person

    # the clip plays from JupyterLab's own files route (not through the kernel)
    video = page.locator("video.rw-clip-video")
    assert "/files/clips/" in video.get_attribute("src")
    page.wait_for_function("document.querySelector('video.rw-clip-video').readyState >= 1")

    record_answer(page, 3)  # the CameraStream source opens, the countdown, recording

    from rupture_widgets.workbook import Workspace

    wb = Workspace(workspace).workbook("lab.user")
    [attempt] = wb.attempts()
    # compared with what was recorded by the page's clock, not the 3 s asked for: a loaded
    # machine stretches the wait between the two clicks
    assert attempt.status == "complete"
    assert attempt.duration_s == pytest.approx(recorded_ms(page, 0) / 1000, abs=0.5)
    assert wb.recording_path(attempt.id).stat().st_size > 0


def test_what_people_typed_shows_as_typed_in_the_workbook(page, lab):
    """An instructor opens a workbook in JupyterLab: markdown, math and HTML that a trainee or
    reviewer typed are text, so no remote image (a tracking pixel) is fetched and nothing typed
    becomes a heading, a link or a formula."""
    from rupture_widgets.workbook import Workspace

    server, workspace = lab
    wb = Workspace(workspace).workbook("typed.text")
    a = wb.log_attempt(clip_id="c3-beginner-maya", marker="C3", level="beginner")
    wb.set_self_assessment(a.id, difficulty=4, note="![pixel](http://tracker.example/p.png) "
                           "# froze $x^2$ <img src=http://tracker.example/q.png>")
    wb.add_feedback(a.id, reviewer="[Dr](http://tracker.example) Lee", role="peer",
                    comments=[{"t": 1, "text": "**well** done"}], summary="# Try\n- naming it")
    off_machine = []
    page.on("request", lambda r: off_machine.append(r.url) if "tracker.example" in r.url else None)
    page.goto(server.url + "lab/tree/workspace/trainees/typed.text/workbook.ipynb")
    cells = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown")
    attempt, feedback = cells.nth(1), cells.nth(2)
    attempt.get_by_text("froze").wait_for()
    feedback.get_by_text("naming it").wait_for()
    assert "![pixel](http://tracker.example/p.png) # froze $x^2$" in attempt.inner_text()
    for cell in (attempt, feedback):
        assert cell.locator("img, h1, a[href*='tracker'], mjx-container, .MathJax").count() == 0
    assert feedback.locator("strong", has_text="well").count() == 0
    assert off_machine == []
