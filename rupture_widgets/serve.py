"""`rupture serve`: the practice app in Voilà, on 127.0.0.1, with the shipped configuration.

Voilà serves files relative to its root folder, so the root is the project folder (the clip
library ``clips/`` must be reachable); ``notebooks/voila.json`` allow-lists only clip media and
raises the websocket message cap (DESIGN.md #4, #7). Kernels inherit this process's environment,
which is how the app learns the workspace, the trainee and the served root.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .errors import RuptureError

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOK = PROJECT / "notebooks" / "practice.ipynb"


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
    env["RUPTURE_WORKSPACE"] = str(Path(chosen).expanduser().resolve())
    env["RUPTURE_SERVER_ROOT"] = str(root)
    if trainee:
        env["RUPTURE_TRAINEE"] = trainee
    return env


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
