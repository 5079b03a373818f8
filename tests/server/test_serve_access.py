"""Who can reach `rupture serve`: only a browser on this machine that was given the printed URL.

A real `rupture serve`. A kernel is a program running as the user, so the checks count the
server's ipykernel children: a refused request must not start one. Voilà keeps one pre-heated
kernel ready (voila.json); a page served takes it and the pool starts another, so an accepted
request shows as one more kernel (which shows the count sees real starts).
"""
from __future__ import annotations

import http.cookiejar
import re
import urllib.request

import pytest
import websocket

from kernel_client import KernelClient
from served_app import Served, is_app, kernel_id

FOREIGN = "rebind.example"  # what a DNS-rebinding page's requests carry as Host
CLIP = "/voila/files/clips/media/c3-beginner-maya.mp4"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve-access")
    server = Served.rupture_serve(tmp / "workspace", tmp / "serve.log")
    try:
        server.settled_kernels()  # the pre-heated kernel is up
        yield server
    finally:
        server.stop()


def test_the_printed_url_carries_a_token(served):
    assert re.fullmatch(rf"http://127\.0\.0\.1:{served.port}/\?token=[0-9a-f]{{48}}", served.url)


@pytest.mark.parametrize("with_token", [False, True], ids=["no-token", "token"])
@pytest.mark.parametrize("host", [FOREIGN, f"localhost.{FOREIGN}", "0.0.0.0"])
def test_a_foreign_host_gets_no_app_and_starts_no_kernel(served, host, with_token):
    before = served.settled_kernels()
    query = f"/?token={served.token}" if with_token else "/"
    status, _, body = served.get(query, host=f"{host}:{served.port}")
    assert (status, is_app(body), served.settled_kernels() - before) == (403, False, 0)


@pytest.mark.parametrize("target", ["/", "/?token=0123456789abcdef", "/voila/render/x"])
def test_without_the_token_no_app_and_no_kernel(served, target):
    before = served.settled_kernels()
    status, headers, body = served.get(target)
    refused = status == 403 or (status == 302 and "/login" in headers.get("Location", ""))
    assert (refused, is_app(body), served.settled_kernels() - before) == (True, False, 0)


@pytest.mark.parametrize("how", ["no-token", "foreign-host", "token"])
def test_clip_media_needs_the_token_and_this_host(served, how):
    target = f"{CLIP}?token={served.token}" if how != "no-token" else CLIP
    host = f"{FOREIGN}:{served.port}" if how == "foreign-host" else None
    status, _, _ = served.get(target, host=host)
    assert status == (200 if how == "token" else 403)


def test_the_printed_url_opens_the_app_and_its_kernel(served):
    before = served.settled_kernels()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(served.url, timeout=120) as resp:
        body = resp.read().decode()
    assert resp.status == 200 and is_app(body)
    assert served.settled_kernels() == before + 1
    kid = kernel_id(body)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert cookie, "the visit with the token set no login cookie"
    # the page's websocket carries the cookie, not the token
    client = KernelClient(served.url, kid, "v1", header=[f"Cookie: {cookie}"])
    assert client.kernel_info() == "ok"
    client.close()
    with pytest.raises(websocket.WebSocketBadStatusException, match="403"):
        KernelClient(served.url, kid, "v1")  # neither cookie nor token
    with pytest.raises(websocket.WebSocketBadStatusException, match="403"):
        KernelClient(served.url, kid, "v1", header=[f"Cookie: {cookie}"],
                     host=f"{FOREIGN}:{served.port}", origin=f"http://{FOREIGN}:{served.port}")
    with opener.open(f"http://127.0.0.1:{served.port}/", timeout=120) as resp:
        assert resp.status == 200 and is_app(resp.read().decode())  # the cookie is enough now
