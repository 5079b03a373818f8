"""Real servers and Debian's Chromium with a fake camera fed from a noisy y4m file.

Never `playwright install`: Playwright drives /usr/bin/chromium (RECIPES.md). The fake camera
plays a y4m we write ourselves from numpy noise, so MediaRecorder produces a realistic bitrate
(Chromium's built-in fake camera is ~0.4 Mbit/s and hides size problems).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--autoplay-policy=no-user-gesture-required"]
FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


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


def write_y4m(path: Path, seconds: float = 3.0, width: int = 640, height: int = 480,
              fps: int = 30) -> Path:
    """Raw YUV4MPEG2 (4:2:0): a drifting gradient under heavy noise, hard to compress on purpose."""
    import numpy as np

    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:height, 0:width]
    chroma = np.full((height // 2) * (width // 2) * 2, 128, dtype=np.uint8)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(int(seconds * fps)):
            base = ((xx + yy + 4 * i) % 256).astype(np.int16)
            luma = np.clip(base + rng.integers(-60, 61, base.shape), 0, 255).astype(np.uint8)
            f.write(b"FRAME\n")
            f.write(luma.tobytes())
            f.write(chroma.tobytes())
    return path


@pytest.fixture(scope="session")
def fake_camera(tmp_path_factory) -> Path:
    return write_y4m(tmp_path_factory.mktemp("camera") / "camera.y4m")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on port {port} after {timeout} s")


class Server:
    """A server process in its own process group (so its kernels die with it)."""

    def __init__(self, cmd: list[str], port: int, env: dict, cwd: Path, log: Path):
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}/"
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(port, self.proc)
        except Exception:
            self.stop()
            raise RuntimeError(f"{cmd[2:4]} did not start:\n{log.read_text()[-3000:]}")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()


@pytest.fixture(scope="session")
def app_workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("served") / "workspace"


@pytest.fixture(scope="session")
def voila_server(app_workspace, tmp_path_factory, request):
    """`rupture serve`'s Voilà (same command line, config and environment) on a free port."""
    from rupture_widgets.serve import serve_environment, voila_command

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


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


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
    context.close()


@pytest.fixture
def denying_browser(playwright_driver):
    """Chromium with a fake camera but no fake prompt: camera requests are refused."""
    b = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=BASE_ARGS + ["--use-fake-device-for-media-stream"])
    yield b
    b.close()


# -- helpers for the page ---------------------------------------------------------------------

STATUS_LOG_JS = """
() => {
  window.__rw = [];
  const seen = new WeakSet();
  const watch = () => document.querySelectorAll('.rw-recorder').forEach((el) => {
    if (seen.has(el)) return;
    seen.add(el);
    new MutationObserver(() => window.__rw.push({status: el.dataset.status, t: Date.now()}))
      .observe(el, {attributes: true, attributeFilter: ['data-status']});
  });
  watch();
  new MutationObserver(watch).observe(document.body, {childList: true, subtree: true});
}
"""


def watch_recorder(page) -> None:
    """Log every recorder status change with the page clock (Date.now())."""
    page.evaluate(STATUS_LOG_JS)


def status_times(page, status: str) -> list[int]:
    """Page-clock times at which the recorder entered ``status`` (repeats of a state skipped)."""
    times, previous = [], None
    for e in page.evaluate("window.__rw"):
        if e["status"] == status and previous != status:
            times.append(e["t"])
        previous = e["status"]
    return times


def wait_status(page, status: str, timeout: float = 60_000) -> None:
    page.locator(f".rw-recorder[data-status='{status}']").first.wait_for(timeout=timeout)

