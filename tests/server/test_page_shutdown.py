"""A closed or reloaded tab ends its kernel: the page's own shutdown request, sent as Voilà's
page sends it on ``beforeunload`` (a form whose ``_xsrf`` field is copied from the cookie),
succeeds, while a request without the field or with a wrong one is still refused."""
from __future__ import annotations

import http.cookiejar
import time
import urllib.error
import urllib.request
import uuid

import pytest

from served_app import Served, kernel_id

WRONG = "2|00000000|" + "0" * 64 + "|1700000000"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shutdown")
    server = Served.rupture_serve(tmp / "workspace", tmp / "serve.log")
    try:
        yield server
    finally:
        server.stop()


def form(fields: dict) -> tuple[bytes, str]:
    b = uuid.uuid4().hex
    body = "".join(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in fields.items()) + f"--{b}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={b}"


@pytest.mark.parametrize("xsrf, ends", [("cookie", True), (None, False), (WRONG, False)],
                         ids=["as-the-page-sends-it", "no-field", "wrong-field"])
def test_the_pages_shutdown_request_ends_its_kernel(served, xsrf, ends):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    kid = kernel_id(opener.open(served.url, timeout=120).read().decode())
    cookies = {c.name: c.value for c in jar}
    fields = {} if xsrf is None else {"_xsrf": cookies.get("_xsrf", "") if xsrf == "cookie"
                                      else xsrf}
    body, ctype = form(fields)
    request = urllib.request.Request(f"http://127.0.0.1:{served.port}/voila/api/shutdown/{kid}",
                                     data=body, method="POST", headers={"Content-Type": ctype})
    try:
        status = opener.open(request, timeout=30).status
    except urllib.error.HTTPError as e:
        status = e.code
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        alive = any(kid in " ".join(k.cmdline()) for k in served.kernels())
        if not alive or not ends:
            break
        time.sleep(0.5)
    assert (status < 300, not alive) == (ends, ends)
