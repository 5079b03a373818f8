"""Real servers and Debian's Chromium with a fake camera fed from a noisy y4m file.

Never `playwright install`: Playwright drives /usr/bin/chromium (docs/testing.md). The fake camera
plays a y4m we write ourselves from numpy noise, so MediaRecorder produces a realistic bitrate
(Chromium's built-in fake camera is ~0.4 Mbit/s and hides size problems).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser_support import (BASE_ARGS, CHROMIUM, FAKE_MEDIA_ARGS, ROOT, Server, free_port,
                             write_y4m)

ARTIFACTS = Path(os.environ.get("RUPTURE_TEST_ARTIFACTS", "/tmp/rupture-browser-artifacts"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.failed_call = rep.failed


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def fake_camera(tmp_path_factory) -> Path:
    return write_y4m(tmp_path_factory.mktemp("camera") / "camera.y4m")


@pytest.fixture(scope="session")
def app_workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("served") / "workspace"


@pytest.fixture(scope="session")
def voila_server(app_workspace, tmp_path_factory, request):
    """`rupture serve`'s Voilà (same command line, config and environment) on a free port."""
    from rupture_widgets.server.serve import serve_environment, voila_command

    port = free_port()
    env = serve_environment(app_workspace)
    env.pop("RUPTURE_TRAINEE", None)
    env.pop("JUPYTERHUB_USER", None)
    server = Server(voila_command(port), port, env, ROOT,
                    tmp_path_factory.mktemp("logs") / "voila.log")
    yield server
    server.stop()
    if request.session.testsfailed:
        print("voila log (tail):\n" + server.log.read_text(errors="replace")[-4000:])


# playwright_driver: tests/conftest.py (one per session, shared with tests/hub/)


@pytest.fixture(scope="session")
def browser(playwright_driver, fake_camera):
    """Chromium whose camera is the noisy y4m and whose permission prompts say yes."""
    b = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=BASE_ARGS + FAKE_MEDIA_ARGS + [f"--use-file-for-fake-video-capture={fake_camera}"])
    yield b
    b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(permissions=["camera", "microphone"],
                                  viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    yield page
    if getattr(request.node, "failed_call", False):  # leave evidence for whoever reads CI logs
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}\nconsole:\n" + "\n".join(console[-40:]))
        for name in request.fixturenames:  # the server's (and its kernels') log, this test's end
            server = request.getfixturevalue(name) if name.endswith("server") else None
            log = getattr(server, "log", None)
            if isinstance(log, Path) and log.exists():
                print(f"{name} log (tail):\n" + log.read_text(errors="replace")[-5000:])
    context.close()


@pytest.fixture
def denying_browser(playwright_driver):
    """Chromium with a fake camera but no fake prompt: camera requests are refused."""
    b = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=BASE_ARGS + ["--use-fake-device-for-media-stream"])
    yield b
    b.close()


