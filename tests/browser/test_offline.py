"""No request leaves the machine (issue 11): every request each app's page makes, from the
first view to the last (name box, library, a clip, a recorded answer; who-are-you, the queue,
an attempt under review), goes to the app's own server.

The pages carry a Content-Security-Policy that would stop a request to another host
(docs/decisions.md #17), so these contexts bypass it (``bypass_csp``): what is recorded is what
the page asks for, not what the policy lets through. On main before the "rupture" template,
both pages asked cdn.jsdelivr.net for Font Awesome and these tests failed.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from views import PRACTICE_VIEWS, new_page, practice_views, review_views, served_review_app


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    with served_review_app(tmp_path_factory.mktemp("review")) as server:
        yield server


def _foreign(urls: list[str], server) -> list[str]:
    """URLs whose origin is not the server's (a blob: URL's origin is the part after blob:)."""
    own = urlsplit(server.url).netloc
    out = []
    for url in urls:
        if url.startswith("data:"):
            continue
        parts = urlsplit(url.removeprefix("blob:"))
        if parts.netloc != own:
            out.append(url)
    return sorted(set(out))


def _walk_recording_requests(browser, server, walk) -> tuple[list[str], list[str]]:
    urls = []
    with new_page(browser, bypass_csp=True) as page:
        page.context.on("request", lambda r: urls.append(r.url))
        page.on("websocket", lambda ws: urls.append(ws.url.replace("ws://", "http://", 1)))
        views = list(walk(page, server))
        page.wait_for_timeout(1000)  # whatever the last view loads late (posters, fonts)
    return urls, views


def test_the_practice_page_asks_nothing_of_another_host(browser, voila_server):
    urls, views = _walk_recording_requests(browser, voila_server, practice_views)
    assert views == list(PRACTICE_VIEWS)
    assert any("/api/kernels/" in u for u in urls)  # the recording was on: it saw the websocket
    assert _foreign(urls, voila_server) == []


def test_the_review_page_asks_nothing_of_another_host(browser, review_server):
    urls, views = _walk_recording_requests(browser, review_server, review_views)
    assert views == ["who-are-you", "queue", "attempt"]
    assert any("/api/kernels/" in u for u in urls)
    assert _foreign(urls, review_server) == []


def test_foreign_tells_the_own_server_from_another_host():
    class S:
        url = "http://127.0.0.1:8866/"

    urls = ["http://127.0.0.1:8866/voila/static/x.js", "blob:http://127.0.0.1:8866/abc",
            "data:image/png;base64,AAAA", "https://cdn.jsdelivr.net/npm/x.css",
            "http://127.0.0.1:9999/other", "blob:https://evil.example/abc"]
    assert _foreign(urls, S) == ["blob:https://evil.example/abc",
                                 "http://127.0.0.1:9999/other",
                                 "https://cdn.jsdelivr.net/npm/x.css"]
