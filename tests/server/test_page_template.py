"""The page around the apps: Voilà's lab template without its CDN links, with the apps'
stylesheet, as `rupture serve` renders it ("rupture", server/jupyter/voila/templates/rupture/;
docs/decisions.md #23). The browser tests check what the page then does (tests/browser/
test_offline.py, test_accessibility.py, test_phone_layout.py)."""
from __future__ import annotations

import json
import os
import urllib.request
from http.cookiejar import CookieJar

import pytest

from rupture_widgets.server.serve import CONFIG, JUPYTER_DATA, serve_environment
from served_app import Served, is_app

TEMPLATE = JUPYTER_DATA / "voila" / "templates" / "rupture"


def test_serve_puts_the_template_first_on_the_jupyter_path_keeping_the_rest(tmp_path):
    env = serve_environment(tmp_path / "ws", base={"JUPYTER_PATH": os.pathsep.join(
        ["/opt/a", str(JUPYTER_DATA), "/opt/b"])})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(JUPYTER_DATA), "/opt/a", "/opt/b"]
    assert serve_environment(tmp_path / "ws", base={})["JUPYTER_PATH"] == str(JUPYTER_DATA)


def test_voila_finds_the_template_and_its_lab_parent(monkeypatch):
    from voila.paths import collect_template_paths

    assert json.loads(CONFIG.read_text())["VoilaConfiguration"]["template"] == "rupture"
    monkeypatch.setenv("JUPYTER_PATH", str(JUPYTER_DATA))
    paths = collect_template_paths(["voila", "nbconvert"], "rupture", prune=True)
    assert paths[0] == str(TEMPLATE)
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("template")
    server = Served.rupture_serve(tmp / "workspace", tmp / "serve.log")
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        yield server, opener
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(served):
    server, opener = served
    with opener.open(server.url, timeout=120) as resp:
        return resp.read().decode()


def _foreign_links(page: str) -> list[str]:
    import re

    links = re.findall(r"<(?:link|script)\b[^>]*(?:href|src)=\"([^\"]+)\"", page)
    assert links
    return [u for u in links if "://" in u or u.startswith("//")]


def test_rupture_serve_renders_the_app_in_the_template(page):
    assert is_app(page)
    assert "<title>Rupture repair practice</title>" in page
    assert 'id="rupture-page-style"' in page and ":focus-visible" in page
    assert '<div id="rendered_cells" role="main"' in page


def test_the_page_links_nothing_on_another_host(page):
    """Voilà's lab template links Font Awesome from cdn.jsdelivr.net; ours does not."""
    assert _foreign_links(page) == []


def test_a_url_cannot_choose_another_template(served):
    """Voilà lets `?template=lab` pick the page's template unless told not to; the lab template
    links a CDN. Seen failing before voila.json set allow_template_override to NO."""
    server, opener = served
    sep = "&" if "?" in server.url else "?"
    with opener.open(f"{server.url}{sep}template=lab", timeout=120) as resp:
        page = resp.read().decode()
    assert is_app(page) and 'id="rupture-page-style"' in page
    assert _foreign_links(page) == []


def test_rupture_serve_says_ready_once_the_pre_heated_kernel_has_run_the_app(tmp_path):
    """The first page after `rupture serve` starts: announced (and opened, with --open) only
    when a page will get a kernel that has already run the app (server/kernels.py)."""
    import time

    temp = tmp_path / "tmp"  # where `rupture serve` makes its ready file
    temp.mkdir()
    server = Served.rupture_serve(tmp_path / "workspace", tmp_path / "serve.log",
                                  env={**os.environ, "TMPDIR": str(temp)})
    try:
        deadline = time.monotonic() + 180
        while "Practice app ready." not in server.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, server.log.read_text()[-3000:]
            time.sleep(0.2)
        log = server.log.read_text(errors="replace")
        assert log.index("Practice app: http://") < log.index("Practice app ready.")
        assert "Using pre-heated kernel" not in log
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with opener.open(server.url, timeout=120) as resp:
            assert is_app(resp.read().decode())
        assert "Using pre-heated kernel" in server.log.read_text(errors="replace")
        assert not list(temp.glob("rupture-ready-*"))  # the announcement cleans up
    finally:
        server.stop()


def test_the_ready_file_is_written_after_the_notebook_ran(tmp_path, monkeypatch):
    """Voilà's "pool is filled" comes when the kernel has started; the file waits for the run."""
    import asyncio

    from rupture_widgets.server.kernels import PoolAwareCullingKernelManager

    ready = tmp_path / "ready"

    async def scenario():
        manager = PoolAwareCullingKernelManager.__new__(PoolAwareCullingKernelManager)
        loop = asyncio.get_running_loop()
        run = loop.create_future()  # the notebook, still running in the kernel
        entry = loop.create_future()
        entry.set_result({"kernel_id": "k1", "task": run})
        manager._pools = {"practice.ipynb": [entry]}
        writer = loop.create_task(manager._write_when_rendered("k1", ready))
        await asyncio.sleep(0.2)
        assert not ready.exists()
        run.set_result(None)
        await asyncio.wait_for(writer, 5)
        assert ready.read_text() == "k1"

    # its own thread: a session's Playwright (sync API) keeps an event loop running in this
    # one once the browser tests have run, and asyncio.run refuses to nest
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
