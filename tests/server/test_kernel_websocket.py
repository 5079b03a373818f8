"""One client cannot stall the server: a kernel websocket without the v1 protocol is refused
before it can send Voilà 0.5.13 into its binary-frame loop (server/websocket.py), while a v1
client, as every browser page is, still gets an answer played back (binary buffers)."""
from __future__ import annotations

import threading
import time
import urllib.request

import pytest
import websocket

from kernel_client import KernelClient
from served_app import ROOT, Served, free_port, kernel_id
from webm_media import make_webm

CLIP = "voila/files/clips/media/c3-beginner-maya.mp4"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from rupture_widgets.server.serve import serve_environment, voila_command

    tmp = tmp_path_factory.mktemp("ws")
    port = free_port()
    env = serve_environment(tmp / "workspace", trainee="ws.client")  # straight to the library
    server = Served(voila_command(port), port, env, tmp / "voila.log", cwd=ROOT)
    try:
        server.settled_kernels()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def answer(tmp_path_factory) -> bytes:
    return make_webm(tmp_path_factory.mktemp("answer") / "a.webm", seconds=2.0).read_bytes()


def open_page(served) -> tuple[str, str]:
    """(kernel id, login cookie) of a freshly served page, as a browser gets them."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{served.url}?token={served.token}", timeout=120) as resp:
        body = resp.read().decode()
    return kernel_id(body), "; ".join(f"{c.name}={c.value}" for c in jar)


def test_a_legacy_client_asking_for_playback_does_not_stall_clip_fetches(served, answer):
    kid, cookie = open_page(served)
    fetches, rss, stop = [], [served.rss_mb()], threading.Event()

    def fetch_clips():
        while not stop.is_set():
            start = time.monotonic()
            try:
                with urllib.request.urlopen(f"{served.url}{CLIP}?token={served.token}",
                                            timeout=5) as r:
                    ok = r.status == 200 and len(r.read()) > 1000
            except Exception:  # a timeout is what a stalled server gives
                ok = False
            fetches.append((ok, time.monotonic() - start))
            rss.append(served.rss_mb())
            stop.wait(0.25)

    fetcher = threading.Thread(target=fetch_clips, daemon=True)
    fetcher.start()
    try:
        try:
            legacy = KernelClient(served.url, kid, "legacy", header=[f"Cookie: {cookie}"])
        except websocket.WebSocketBadStatusException as e:
            refused = e.status_code
        else:  # an unfixed server accepts it: ask for what makes the kernel send buffers
            refused = None
            legacy.record_an_answer(answer)
        time.sleep(8)
    finally:
        stop.set()
        fetcher.join(timeout=10)
    assert len(fetches) >= 10
    assert all(ok for ok, _ in fetches), f"{sum(not ok for ok, _ in fetches)} fetches failed"
    assert max(t for _, t in fetches) < 1.0
    assert max(rss) - rss[0] < 50, f"server memory grew {max(rss) - rss[0]:.0f} MB"
    assert refused == 400


def test_a_v1_client_records_and_gets_the_playback(served, answer):
    kid, cookie = open_page(served)
    client = KernelClient(served.url, kid, "v1", header=[f"Cookie: {cookie}"])
    try:
        client.record_an_answer(answer)
        # after Stop the page replays the answer from its own copy; "Play attempt 1" loads the
        # saved one into the AnswerPlayer, whose view says "ready", and the kernel sends the
        # file in pieces, each a binary buffer
        client.wait_for(lambda m: m["msg_type"] == "comm_open" and m["content"]["data"]
                        .get("state", {}).get("description") == "Play attempt 1", 30)
        play = next(cid for cid, state in client.widgets.items()
                    if state.get("description") == "Play attempt 1")
        client.comm_msg(play, {"method": "custom", "content": {"event": "click"}})
        player = next(cid for cid, state in client.widgets.items()
                      if "current_time" in state and "loaded" in state)
        client.comm_msg(player, {"method": "custom", "content": {"kind": "ready", "view": "t"}})
        piece = client.wait_for(
            lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == player
            and m["content"]["data"].get("content", {}).get("kind") == "piece", 60)
    finally:
        client.close()
    assert piece is not None
    played = bytes(piece["buffers"][0])  # the saved answer: the browser's bytes + Duration
    assert played[:4] == b"\x1a\x45\xdf\xa3" and 0 <= len(played) - len(answer) < 64
