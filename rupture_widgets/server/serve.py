"""`rupture serve`: the practice app in Voilà, on 127.0.0.1, with the shipped configuration.

Voilà serves files relative to its root folder, so the root is the project folder (the clip
library ``clips/`` must be reachable); ``notebooks/voila.json`` allow-lists only clip media and
raises the websocket message cap (docs/decisions.md #4, #7). Kernels inherit this process's environment,
which is how the app learns the workspace, the trainee and the served root.

Access is Jupyter's own (docs/security.md): ``voila.json`` turns on Voilà's token
(``Voila.auto_token``; the token is read from ``$JUPYTER_TOKEN``, which ``rupture serve`` sets to
a fresh random one unless it is already set) and the Host check (``allow_remote_access`` false:
only 127.0.0.1, localhost and loopback addresses), so neither another local process nor a web
page (DNS rebinding) can open a kernel. The URL with the token is printed, as ``jupyter lab``
does; the first visit with it sets the login cookie that the page's websocket and later requests
use. Voilà runs as ``server.app.PracticeVoila``: Voilà with the clip files route confined.
The page is Voilà's lab template without its CDN links, with the apps' stylesheet: the
"rupture" template in ``server/jupyter/voila/templates/rupture/``, put on the Jupyter data path
here.
"""
from __future__ import annotations

import json
import os
import re
import contextlib
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..errors import RuptureError
from ..workbook import paths

PROJECT = Path(__file__).resolve().parents[2]
NOTEBOOK = PROJECT / "notebooks" / "practice.ipynb"
REVIEW_NOTEBOOK = PROJECT / "notebooks" / "review.ipynb"
CONFIG = NOTEBOOK.parent / "voila.json"
#: A Jupyter data folder holding Voilà's "rupture" template (voila/templates/rupture/), which
#: voila.json names; Voilà finds templates on the Jupyter data path only (docs/decisions.md #23).
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
#: Files a workspace holds (one trainee's), to test against the allow-list: none may be served.
_WORKSPACE_FILES = (*paths.example_files(), "media.mp4")


def voila_command(port: int = 8866, *, open_browser: bool = False,
                  notebook: Path = NOTEBOOK, root: Path = PROJECT) -> list[str]:
    """The Voilà command line (configuration that is not a dict goes here; dicts such as
    tornado_settings must stay in voila.json, where they keep their types)."""
    cmd = [sys.executable, "-m", "rupture_widgets.server.app", str(notebook), f"--port={port}",
           "--Voila.ip=127.0.0.1", f"--Voila.root_dir={root}",
           f"--Voila.config_file_paths={notebook.parent}"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def serve_environment(workspace: str | os.PathLike | None = None, trainee: str | None = None,
                      root: Path = PROJECT, base: dict | None = None) -> dict[str, str]:
    """The environment the app's kernels see: absolute workspace (relative to where
    ``rupture serve`` was run, not to the notebook), served root, trainee if given."""
    env = dict(os.environ if base is None else base)
    chosen = workspace or env.get("RUPTURE_WORKSPACE") or "workspace"
    env["RUPTURE_WORKSPACE"] = str(check_workspace(Path(chosen).expanduser().resolve(), root))
    env["RUPTURE_SERVER_ROOT"] = str(root)
    # first on the Jupyter data path, so this checkout's template is the one Voilà renders
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(JUPYTER_DATA), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep)
                              if p and p != str(JUPYTER_DATA)]])
    # Voilà's token (voila.json: Voila.auto_token reads it from here), as `jupyter lab` uses it
    env["JUPYTER_TOKEN"] = env.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    if trainee:
        env["RUPTURE_TRAINEE"] = trainee
    return env


def check_workspace(workspace: Path, root: Path = PROJECT,
                    allowlist: list[str] | None = None) -> Path:
    """Refuse a workspace whose files the server would hand to anyone: inside the clip library
    (``clips/``) or anywhere the allow-list of ``voila.json`` reaches. Recordings are private
    (docs/decisions.md #7)."""
    if allowlist is None:
        allowlist = json.loads(CONFIG.read_text(encoding="utf-8"))["VoilaConfiguration"][
            "file_allowlist"]
    workspace, clips = Path(workspace).resolve(), (root / "clips").resolve()
    where = clips if workspace.is_relative_to(clips) else None
    if where is None and workspace.is_relative_to(root.resolve()):
        rel = workspace.relative_to(root.resolve()).as_posix()
        probes = [name if rel == "." else f"{rel}/{name}" for name in _WORKSPACE_FILES]
        # Voilà's own test: re.fullmatch, case-insensitive
        if any(re.fullmatch(p, probe, re.IGNORECASE) for p in allowlist for probe in probes):
            where = f"a path allow-listed in {CONFIG.name}"
    if where is not None:
        raise RuptureError(
            f"The workspace {workspace} is inside {where}, which the practice app serves to "
            "anyone who can open it, so trainees' recordings could be downloaded. Choose a "
            f"workspace outside it, for example {root / 'workspace'}.")
    return workspace


def serve(workspace: str | None = None, port: int = 8866, trainee: str | None = None,
          open_browser: bool = False, *, review: bool = False, reviewer: str | None = None
          ) -> int:
    """Run Voilà in place of this process (POSIX), so that a SIGTERM or SIGINT sent to
    ``rupture serve`` reaches Voilà itself and no server is left running with the port.
    ``review``: the review app (``rupture review``) instead of the practice app."""
    notebook, name = (REVIEW_NOTEBOOK, "Review app") if review else (NOTEBOOK, "Practice app")
    if not notebook.exists():
        raise RuptureError(f"The app {notebook} is missing; run `rupture` from a checkout of "
                           "rupture-widgets (pip install -e .).")
    env = serve_environment(workspace, trainee)
    if reviewer:
        env["RUPTURE_REVIEWER"] = reviewer
    # Voilà's own --open would open the URL without the token (its login page): open it here
    cmd = voila_command(port, notebook=notebook)
    url = app_url(port, env)
    print(f"{name}: {url}  (workspace: {env['RUPTURE_WORKSPACE']})", flush=True)
    print(f"{name} is starting; it says when the page will open at once.", flush=True)
    # the pre-heated kernel writes this once it has run the app (server/kernels.py)
    ready = Path(tempfile.mkdtemp(prefix="rupture-ready-")) / "ready"
    env["RUPTURE_READY_FILE"] = str(ready)
    _announce_when_ready(url, ready, env, name, open_browser)
    if os.name == "posix":
        sys.stderr.flush()
        os.chdir(PROJECT)
        os.execvpe(cmd[0], cmd, env)  # does not return
    try:  # Windows has no exec: Ctrl+C reaches the whole console group, Voilà included
        return subprocess.call(cmd, env=env, cwd=PROJECT)
    except KeyboardInterrupt:
        return 0


def app_url(port: int, env: dict[str, str]) -> str:
    """The app's address with its token, as ``jupyter lab`` prints it."""
    return f"http://127.0.0.1:{port}/?token={env['JUPYTER_TOKEN']}"


def _announce_when_ready(url: str, ready: Path, env: dict[str, str], name: str,
                         open_browser: bool) -> None:
    """From a helper that outlives the exec (its output goes where ours does): once the
    pre-heated kernel has run the app, say so and, if asked, open the browser. Opening it as
    soon as the port listened gave a first page that waited for a kernel still starting
    (docs/benchmarks.md, "Opening right after `rupture serve`")."""
    subprocess.Popen([sys.executable, "-c",
                      "from rupture_widgets.server.serve import _announcer; _announcer()"],
                     env={**env, "RUPTURE_OPEN_URL": url, "RUPTURE_APP_NAME": name,
                          "RUPTURE_OPEN": "1" if open_browser else "",
                          "RUPTURE_SERVER_PID": str(os.getpid())},  # Voilà's, after the exec
                     stdin=subprocess.DEVNULL, start_new_session=True)


def _announcer(timeout: float = 300.0) -> None:
    ready = Path(os.environ["RUPTURE_READY_FILE"])
    deadline = time.monotonic() + timeout
    server = int(os.environ["RUPTURE_SERVER_PID"])
    while not ready.exists():
        try:
            os.kill(server, 0)
        except OSError:  # the server is gone (or never started): nothing to announce
            return
        if time.monotonic() > deadline:
            return
        time.sleep(0.1)
    with contextlib.suppress(OSError):
        ready.unlink()
        ready.parent.rmdir()
    print(f"{os.environ['RUPTURE_APP_NAME']} ready.", flush=True)
    if os.environ.get("RUPTURE_OPEN"):
        _open(os.environ["RUPTURE_OPEN_URL"])


def _open(url: str) -> None:
    """Like Jupyter, the browser is given a private redirect file, not the token on its
    command line."""
    import webbrowser
    from html import escape

    fd, path = tempfile.mkstemp(suffix=".html", prefix="rupture-open-")  # mode 0600
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f'<!DOCTYPE html><meta http-equiv="refresh" content="0;url={escape(url)}">'
                f'<a href="{escape(url)}">Open the practice app</a>')
    try:
        webbrowser.open(Path(path).as_uri())
        time.sleep(30)  # let the browser read it
    finally:
        os.unlink(path)
