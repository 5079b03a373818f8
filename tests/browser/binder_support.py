"""A Binder server, built the way repo2docker builds one, from the ``binder/`` files alone.

repo2docker clones the repository into ``$HOME``, installs ``binder/requirements.txt`` into the
environment the server runs from, runs ``binder/postBuild`` from the repository's folder, and
starts the server through ``binder/start``. Here: a copy of this checkout (its tracked and
untracked-but-not-ignored files, as a clone would hold them) is the home folder, a fresh virtual
environment is the server's environment, and `jupyter server` runs on 127.0.0.1 with a token and
Binder's kind of base URL, Voilà as its extension. Nothing of the test's own environment leaks
in: no PYTHONPATH, no JUPYTER_* or RUPTURE_* variables, HOME is the copy.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from browser_support import ROOT, Server, free_port

BASE_URL = "/user/test/"  # Binder's shape: /user/<name>/
APP = "voila/render/notebooks/practice.ipynb"


def copy_checkout(home: Path) -> None:
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], check=True, capture_output=True).stdout
    for name in files.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():  # a file deleted but not yet committed is skipped
            (home / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, home / name, follow_symlinks=False)


def clean_environment(home: Path, venv: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("JUPYTER", "RUPTURE_", "VIRTUAL_ENV", "PYTHON", "IPYTHON"))}
    keep["PATH"] = os.pathsep.join([str(venv / "bin"), os.environ.get("PATH", "")])
    keep["HOME"] = str(home)
    # the runner's own pip cache (HOME is moved): wheels are reused, as a warm Binder build
    # would not, but every step is the same
    keep["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    return keep


def build(home: Path, venv: Path, log: Path) -> dict[str, float]:
    """Copy, make the environment, requirements, postBuild. Returns each step's seconds."""
    times: dict[str, float] = {}
    home.mkdir(parents=True)
    start = time.monotonic()
    copy_checkout(home)
    times["copy"] = time.monotonic() - start
    env = clean_environment(home, venv)
    steps = {
        "venv": [sys.executable, "-m", "venv", str(venv)],
        "requirements": [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                         "-r", "binder/requirements.txt"],
        "postBuild": ["bash", "binder/postBuild"],
    }
    with open(log, "ab") as out:
        for name, cmd in steps.items():
            start = time.monotonic()
            out.write(f"\n$ {' '.join(cmd)}\n".encode())
            out.flush()
            done = subprocess.run(cmd, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
            times[name] = time.monotonic() - start
            if done.returncode:
                raise RuntimeError(f"{name} failed ({done.returncode}):\n"
                                   + log.read_text(errors="replace")[-4000:])
    return times


class BinderServer(Server):
    """`binder/start jupyter server ...` from the built environment, in its own session.
    ``hub=True``: a JupyterHub's server instead, which has no binder/start; ``env`` adds to the
    environment (the hub's spawner environment)."""

    def __init__(self, home: Path, venv: Path, log: Path, *, hub: bool = False,
                 env: dict | None = None):
        self.home = home
        token = secrets.token_hex(16)
        port = free_port()
        environment = {**clean_environment(home, venv), **(env or {})}
        cmd = [str(venv / "bin" / "jupyter"), "server", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               f"--ServerApp.token={token}", f"--ServerApp.base_url={BASE_URL}",
               f"--ServerApp.root_dir={home}", "--ServerApp.port_retries=0"]
        if not hub:
            cmd[:0] = ["bash", "binder/start"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")  # Binder runs as a user; CI machines often as root
        super().__init__(cmd, port, environment, home, log)
        self.token = token
        self.root = f"http://127.0.0.1:{port}{BASE_URL}"
        self.app_url = f"{self.root}{APP}?token={token}"


def hub_home(home: Path, binder_home: Path, folder: str) -> Path:
    """A hub user's home after an nbgitpuller link: the repository pulled into ``~/<folder>``,
    and what the hub's image provides, as its admin would set it up (binder/README.md): the
    settings made for that folder, the page template on the data path."""
    sys.path.insert(0, str(ROOT))
    from rupture_widgets.server.binder_config import rendered

    copy_checkout(home / folder)
    (home / ".jupyter").mkdir(parents=True)
    (home / ".jupyter" / "jupyter_server_config.json").write_text(
        rendered(ROOT / "notebooks" / "voila.json", folder=folder), encoding="utf-8")
    templates = home / ".local" / "share" / "jupyter" / "voila" / "templates"
    templates.mkdir(parents=True)
    # the image's installed copy of the template (the built environment's editable checkout)
    (templates / "rupture").symlink_to(
        binder_home / "rupture_widgets" / "server" / "jupyter" / "voila" / "templates" / "rupture")
    return home
