"""A hub user as the tests drive them: signed in with their password, their own server
started, code run in a kernel of that server (the user's own Python, as that Unix user), and
HTTP requests with their own token. Standard library + tornado (the hub's own dependency)."""
from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


class HubUser:
    def __init__(self, base: str, name: str, password: str):
        self.base, self.name, self.password = base.rstrip("/"), name, password
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token: str | None = None

    # -- the hub -----------------------------------------------------------------------------
    def _xsrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "_xsrf"), "")

    def login(self) -> "HubUser":
        self.opener.open(self.base + "/hub/login", timeout=60).read()
        form = urllib.parse.urlencode({"username": self.name, "password": self.password,
                                       "_xsrf": self._xsrf()}).encode()
        with self.opener.open(self.base + "/hub/login?next=", data=form, timeout=60) as r:
            r.read()
        if not any(c.name.startswith("jupyterhub-session") or c.name == "jupyterhub-hub-login"
                   for c in self.jar):
            raise AssertionError(f"{self.name} could not sign in")
        # a token of their own (what their kernel's $JUPYTERHUB_API_TOKEN is to the hub)
        req = urllib.request.Request(
            f"{self.base}/hub/api/users/{self.name}/tokens", method="POST",
            data=json.dumps({"note": "test", "expires_in": 3600}).encode(),
            headers={"X-XSRFToken": self._xsrf(), "Content-Type": "application/json",
                     "Referer": self.base + "/hub/"})
        with self.opener.open(req, timeout=60) as r:
            self.token = json.loads(r.read())["token"]
        return self

    def request(self, method: str, url: str, body=None, *, token: str | None = None,
                raw: bytes | None = None, cookies: bool = False) -> tuple[int, bytes]:
        """(status, body) of a request with this user's token (or ``token``); never raises
        for an HTTP status, so a test can count what answered what."""
        url = url if url.startswith("http") else self.base + url
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Content-Type": "application/json"}
        if not cookies:
            headers["Authorization"] = f"token {token or self.token}"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        opener = self.opener if cookies else urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def start_server(self, timeout_s: float = 180) -> None:
        status, body = self.request("POST", f"/hub/api/users/{self.name}/server")
        if status not in (201, 202, 400):  # 400: already running
            raise AssertionError(f"{self.name}'s server did not start: {status} {body[:300]!r}")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            _, body = self.request("GET", f"/hub/api/users/{self.name}")
            model = json.loads(body)
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(1)
        raise AssertionError(f"{self.name}'s server was not ready in {timeout_s} s")

    # -- their server's kernel --------------------------------------------------------------
    def run(self, code: str, timeout_s: float = 120) -> str:
        """Run ``code`` in a fresh kernel of this user's server; its stdout, or AssertionError
        with the traceback."""
        status, body = self.request("POST", f"/user/{self.name}/api/kernels", {})
        assert status == 201, (status, body[:300])
        kernel = json.loads(body)["id"]
        try:
            return _execute(self.base, self.name, kernel, self.token, code, timeout_s)
        finally:
            self.request("DELETE", f"/user/{self.name}/api/kernels/{kernel}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the login page) is an answer to count, not to follow


def _execute(base, user, kernel, token, code, timeout_s) -> str:
    from jupyter_server.services.kernels.connection.base import (
        deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1)
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = base.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel}/channels"

    async def go():
        # the v1 kernel protocol, the only one the servers speak (server/websocket.py)
        ws = await websocket_connect(
            HTTPRequest(url, headers={"Authorization": f"token {token}"},
                        request_timeout=timeout_s),
            subprotocols=["v1.kernel.websocket.jupyter.org"])
        msg_id = uuid.uuid4().hex
        ws.write_message(serialize_msg_to_ws_v1({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                       "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {},
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False}}, "shell",
            lambda d: json.dumps(d).encode()), binary=True)
        out, error = [], None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            raw = await ws.read_message()
            if raw is None:
                raise AssertionError("the kernel's websocket closed")
            channel, parts = deserialize_msg_from_ws_v1(raw)
            header, parent, _meta, content = (json.loads(p) for p in parts[:4])
            msg = {"header": header, "parent_header": parent, "content": content}
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                error = "\n".join(msg["content"]["traceback"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                ws.close()
                if error:
                    raise AssertionError(f"in {user}'s kernel:\n{error}")
                return "".join(out)
        raise AssertionError(f"{user}'s kernel did not finish in {timeout_s} s")

    return _run(go)


def _run(coro_fn):
    """Run the coroutine on a loop of its own in a thread of its own: Playwright's sync API
    (the browser tests of the same session) keeps an event loop running in this thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result()
