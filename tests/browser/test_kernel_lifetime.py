"""No kernel outlives its page for long: reloading the app 5 times in Chromium, and two requests
that never connect a page, leave at most the open page's kernel (plus the one pre-heated kernel
waiting in the pool) once the cull time has passed.

The server is `rupture serve`'s Voilà with the shipped voila.json; only the cull times are made
short (10 s idle, checked every 2 s, against the shipped 600 s and 60 s), so the test takes
seconds, not minutes. A reloaded page's kernel ends at once through the page's own shutdown
request (server/identity.py); the kernels of pages that never connected end by culling
(server/kernels.py).
"""
from __future__ import annotations

import json
import urllib.request

import pytest

from browser_support import ROOT, Server, free_port
from served_app import settled_kernels

IDLE_S, INTERVAL_S = 10, 2


@pytest.fixture
def short_cull_server(tmp_path):
    """The shipped settings, with only the cull times made short."""
    from rupture_widgets.server.serve import CONFIG, serve_environment, voila_command

    shipped = json.loads(CONFIG.read_text("utf-8")).get("MappingKernelManager", {})
    assert shipped.get("cull_idle_timeout", 0) > 0, "the shipped settings cull no kernel"
    assert shipped.get("cull_connected") is False and shipped.get("cull_busy") is False
    port = free_port()
    cmd = voila_command(port) + [f"--MappingKernelManager.cull_idle_timeout={IDLE_S}",
                                 f"--MappingKernelManager.cull_interval={INTERVAL_S}"]
    server = Server(cmd, port, serve_environment(tmp_path / "workspace"), ROOT,
                    tmp_path / "voila.log")
    yield server
    server.stop()


def start_practising(page, name: str) -> None:
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("button", name="Start practising").click()
    page.get_by_role("button", name="Practise: How does my childhood help?").wait_for()


def test_five_reloads_leave_one_kernel_per_open_page(browser, page, short_cull_server):
    server = short_cull_server
    open_pages, pool = 1, 1
    name_box = page.get_by_role("textbox", name="Your name")
    page.goto(server.app_url)
    name_box.wait_for()
    for _ in range(5):
        page.wait_for_timeout(1000)
        page.reload()
        name_box.wait_for()
    # a reloaded page ends its own kernel as it goes (long before any cull time)
    assert settled_kernels(server.proc, quiet=3) <= open_pages + pool

    for _ in range(2):  # no browser: nothing will ever connect to these pages' kernels
        urllib.request.urlopen(server.app_url, timeout=60).read()
    page.wait_for_timeout((IDLE_S + 3 * INTERVAL_S) * 1000)
    assert settled_kernels(server.proc, quiet=2 * INTERVAL_S + 1) <= open_pages + pool

    start_practising(page, "Kim Lifetime")  # the open page (idle, connected) kept its kernel
    # the pre-heated kernel has now waited longer than the cull time: a new page still gets it
    other = browser.new_context(permissions=["camera", "microphone"])
    try:
        late = other.new_page()
        late.goto(server.app_url)
        start_practising(late, "Lee Later")
    finally:
        other.close()
