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

import urllib.request

import pytest

from browser_support import ROOT, Server, free_port
from served_app import settled_kernels

IDLE_S, INTERVAL_S = 10, 2


@pytest.fixture
def short_cull_server(tmp_path):
    from rupture_widgets.server.serve import serve_environment, voila_command

    port = free_port()
    cmd = voila_command(port) + [f"--MappingKernelManager.cull_idle_timeout={IDLE_S}",
                                 f"--MappingKernelManager.cull_interval={INTERVAL_S}"]
    server = Server(cmd, port, serve_environment(tmp_path / "workspace"), ROOT,
                    tmp_path / "voila.log")
    yield server
    server.stop()


def test_five_reloads_leave_one_kernel_per_open_page(page, short_cull_server):
    server = short_cull_server

    name_box = page.get_by_role("textbox", name="Your name")
    page.goto(server.app_url)
    name_box.wait_for()
    for _ in range(5):
        page.wait_for_timeout(1000)
        page.reload()
        name_box.wait_for()
    for _ in range(2):  # no browser: nothing will ever connect to these pages' kernels
        urllib.request.urlopen(server.app_url, timeout=60).read()
    page.wait_for_timeout((IDLE_S + 3 * INTERVAL_S) * 1000)

    open_pages, pool = 1, 1
    assert settled_kernels(server.proc, quiet=2 * INTERVAL_S + 1) <= open_pages + pool
    # the open page kept its kernel (idle, but connected): it still answers
    name_box.fill("Kim Lifetime")
    page.get_by_role("button", name="Start practising").click()
    page.get_by_role("button", name="Practise: How does my childhood help?").wait_for()
