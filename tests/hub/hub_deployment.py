"""The local deployment (deploy/local/) brought up for a test: real Unix users made as root,
the hub on free loopback ports, everything stopped and removed afterwards.

The test users carry a marker in their GECOS field, so a run cut short is cleaned up by the
next one, and a real account of the same name is never touched (the test stops instead).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "local"
PREFIX = Path(os.environ.get("RUPTURE_HUB_TEST_PREFIX", "/opt/rupture-hub-test"))
MARK = "rupture-widgets hub test user"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gecos(name: str) -> str | None:
    import pwd

    try:
        return pwd.getpwnam(name).pw_gecos
    except KeyError:
        return None


def _kill_processes_of(name: str | None = None) -> None:
    """Processes the hub started and left behind, by pid: a test user's (their servers,
    kernels), or, without a name, any run from the test's own prefix (the proxy, the service)."""
    import psutil

    for p in psutil.process_iter(["pid", "username", "cmdline"]):
        mine = (p.info["username"] == name if name else
                any(str(PREFIX) in part for part in (p.info["cmdline"] or ())))
        if mine and p.pid != os.getpid():
            try:
                p.kill()
            except psutil.Error:
                pass


def remove_user(name: str) -> None:
    if _gecos(name) is None:
        return
    if _gecos(name) != MARK:
        raise RuntimeError(f"A Unix user {name!r} exists that this test did not make; "
                           "the hub test will not touch it.")
    _kill_processes_of(name)
    time.sleep(0.5)
    subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)


class Deployment:
    def __init__(self, users: dict[str, str], log: Path):
        self.users = users  # name -> role (trainee, instructor, supervisor)
        self.passwords = {u: secrets.token_urlsafe(12) for u in users}
        self.log = log
        self.ports = {k: free_port() for k in ("HUB", "HUB_API", "PROXY_API", "EXCHANGE")}
        self.base = f"http://127.0.0.1:{self.ports['HUB']}"
        self.proc = None

    @property
    def env(self) -> dict:
        # as an administrator's shell would be: nothing of this test's Python (no PYTHONPATH
        # into the checkout), so the hub, the service and the servers run the installed copy
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "RUPTURE_", "PYTHON", "VIRTUAL_ENV"))}
        env["RUPTURE_HUB_PREFIX"] = str(PREFIX)
        env.update({f"RUPTURE_{k}_PORT": str(v) for k, v in self.ports.items()})
        return env

    def up(self) -> "Deployment":
        subprocess.run([str(DEPLOY / "setup")], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        _empty_state()  # a fresh hub database and exchange each run
        for name, role in self.users.items():
            remove_user(name)
            # marked first, so that whatever happens next, the clean-up knows it is ours
            subprocess.run(["useradd", "--create-home", "--comment", MARK, name], check=True)
            subprocess.run([str(DEPLOY / "add-user"), name, role],
                           input=self.passwords[name] + "\n", text=True, check=True,
                           capture_output=True)
        self.proc = subprocess.Popen([str(DEPLOY / "run")], env=self.env,
                                     stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the hub stopped:\n" + self.log_tail())
            try:
                with urllib.request.urlopen(self.base + "/hub/api/", timeout=5) as r:
                    json.loads(r.read())
                with urllib.request.urlopen(self.base + "/services/rupture-exchange/api/whoami",
                                            timeout=5):
                    pass
            except urllib.error.HTTPError as e:
                if e.code == 403:  # the exchange answers (and wants a token): up
                    return self
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError("the hub did not come up in 120 s:\n" + self.log_tail())

    def log_tail(self, n: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def down(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the hub stops the users' servers
            try:
                self.proc.wait(90)  # each server: SIGINT, 10 s, SIGTERM, 5 s, SIGKILL
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        _kill_processes_of()  # the proxy and servers are in sessions of their own
        for name in self.users:
            remove_user(name)
        _empty_state()  # the venv, the app copy and the proxy stay, to be reused


def _empty_state() -> None:
    for folder in ("state", "exchange"):
        for child in (PREFIX / folder).iterdir() if (PREFIX / folder).is_dir() else ():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def require_root_and_hub() -> str | None:
    """Why the hub tests cannot run here, or None."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return "the hub tests make Unix users: they run as root on Linux (CI does)"
    if shutil.which("useradd") is None or shutil.which("chpasswd") is None:
        return "useradd and chpasswd are needed"
    try:
        import jupyterhub  # noqa: F401  (the 'hub' extra, for the test's own side)
        import psutil  # noqa: F401
    except ImportError as e:
        return f"the 'hub' extra is not installed ({e})"
    return None
