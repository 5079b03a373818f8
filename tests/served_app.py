"""A real `rupture serve` (or its exact Voilà command) for the server tests: start it in its own
session, read the URL it prints, count its kernels, make raw requests with any Host header.

Kernels run in sessions of their own, so stopping the process group is not enough: teardown
sends SIGTERM (Voilà then shuts its kernels down) and kills any kernel left.
"""
from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Served:
    """One server process; ``url`` is what it printed (with the token) or its bare address."""

    def __init__(self, cmd: list[str], port: int, env: dict, log: Path, cwd: Path = ROOT):
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}/"
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                         start_new_session=True)
        deadline = time.monotonic() + 90
        while not listening(port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not listen:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        printed = re.search(r"Practice app: (http://\S+)", log.read_text(errors="replace"))
        if printed:
            self.url = printed.group(1)
        token = re.search(r"[?&]token=([0-9a-f]+)", self.url)
        self.token = token.group(1) if token else env.get("JUPYTER_TOKEN", "")

    @classmethod
    def rupture_serve(cls, workspace: Path, log: Path, *extra: str, env: dict | None = None
                      ) -> "Served":
        """`rupture serve` itself, as a person types it (no token given: it makes one)."""
        port = free_port()
        env = {k: v for k, v in (os.environ if env is None else env).items()
               if k not in ("JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE", "RUPTURE_TRAINEE",
                            "JUPYTERHUB_USER")}
        rupture = Path(sys.executable).with_name("rupture")
        cmd = [str(rupture)] if rupture.exists() else [sys.executable, "-m", "rupture_widgets.cli"]
        return cls([*cmd, "serve", "--port", str(port), "--workspace", str(workspace), *extra],
                   port, env, log)

    def kernels(self) -> list[psutil.Process]:
        return kernels_of(self.proc)

    def settled_kernels(self, quiet: float = 4.0, timeout: float = 90.0) -> int:
        return settled_kernels(self.proc, quiet, timeout)

    def rss_mb(self) -> float:
        return psutil.Process(self.proc.pid).memory_info().rss / 1e6

    def get(self, target: str, host: str | None = None, headers: dict | None = None,
            timeout: float = 60):
        """A raw GET (no redirects followed) -> (status, headers, body text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", target, headers={"Host": host or f"127.0.0.1:{self.port}",
                                                  **(headers or {})})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read().decode(errors="replace")
        finally:
            conn.close()

    def stop(self) -> None:
        kernels = self.kernels()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)  # Voilà shuts its kernels down
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        for k in kernels:
            with contextlib.suppress(psutil.Error):
                k.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def kernels_of(proc: subprocess.Popen) -> list[psutil.Process]:
    """The ipykernel processes a server started."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        with contextlib.suppress(psutil.Error):
            if "ipykernel" in " ".join(child.cmdline()):
                found.append(child)
    return found


def settled_kernels(proc: subprocess.Popen, quiet: float = 4.0, timeout: float = 90.0) -> int:
    """The number of a server's kernels once it has not changed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    count, since = len(kernels_of(proc)), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = len(kernels_of(proc))
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return count
    raise AssertionError(f"the kernel count did not settle at {count}")


def is_app(body: str) -> bool:
    """The practice app's page (a Voilà page with its kernel), not a login or error page."""
    return '"kernelId"' in body and "application/vnd.jupyter.widget-view+json" in body


def kernel_id(body: str) -> str:
    return re.search(r'"kernelId": "([0-9a-f-]{36})"', body).group(1)
