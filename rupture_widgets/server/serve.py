"""`rupture serve`: the practice app in Voilà, on 127.0.0.1, with the shipped configuration.

Voilà serves files relative to its root folder, so the root is the project folder (the clip
library ``clips/`` must be reachable); ``notebooks/voila.json`` allow-lists only clip media and
raises the websocket message cap (docs/decisions.md #4, #7). Kernels inherit this process's environment,
which is how the app learns the workspace, the trainee and the served root.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from ..errors import RuptureError
from ..workbook import paths

PROJECT = Path(__file__).resolve().parents[2]
NOTEBOOK = PROJECT / "notebooks" / "practice.ipynb"
CONFIG = NOTEBOOK.parent / "voila.json"
#: Files a workspace holds (one trainee's), to test against the allow-list: none may be served.
_WORKSPACE_FILES = (*paths.example_files(), "media.mp4")


def voila_command(port: int = 8866, *, open_browser: bool = False,
                  notebook: Path = NOTEBOOK, root: Path = PROJECT) -> list[str]:
    """The Voilà command line (configuration that is not a dict goes here; dicts such as
    tornado_settings must stay in voila.json, where they keep their types)."""
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--port={port}",
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
          open_browser: bool = False) -> int:
    """Run Voilà in place of this process (POSIX), so that a SIGTERM or SIGINT sent to
    ``rupture serve`` reaches Voilà itself and no server is left running with the port."""
    if not NOTEBOOK.exists():
        raise RuptureError(f"The practice app {NOTEBOOK} is missing; run `rupture serve` from a "
                           "checkout of rupture-widgets (pip install -e .).")
    env = serve_environment(workspace, trainee)
    cmd = voila_command(port, open_browser=open_browser)
    print(f"Practice app: http://127.0.0.1:{port}/  (workspace: {env['RUPTURE_WORKSPACE']})",
          flush=True)
    if os.name == "posix":
        sys.stderr.flush()
        os.chdir(PROJECT)
        os.execvpe(cmd[0], cmd, env)  # does not return
    try:  # Windows has no exec: Ctrl+C reaches the whole console group, Voilà included
        return subprocess.call(cmd, env=env, cwd=PROJECT)
    except KeyboardInterrupt:
        return 0
