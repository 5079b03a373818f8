"""Where the Jupyter server serves files from, so a clip can be fetched by URL.

The browser fetches clip media from the server's file route (docs/decisions.md #4), which takes a path
relative to the server's root folder. The kernel only knows its own working folder, so the root
is found, in order, from: ``$RUPTURE_SERVER_ROOT`` (set by ``rupture serve``), the running
Jupyter server that started this kernel (its ``jpserver-<pid>.json`` names ``root_dir``), and
finally the kernel's working folder.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def server_root() -> Path:
    """The folder the Jupyter server serves files from (best knowledge)."""
    env = os.environ.get("RUPTURE_SERVER_ROOT")
    if env:
        return Path(env).resolve()
    found = _root_of_parent_server()
    return found if found is not None else Path.cwd().resolve()


def _root_of_parent_server() -> Path | None:
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:  # pragma: no cover - jupyter_core ships with every kernel
        return None
    info = Path(jupyter_runtime_dir()) / f"jpserver-{os.getppid()}.json"
    try:
        root = json.loads(info.read_text(encoding="utf-8")).get("root_dir")
    except (OSError, ValueError):
        return None
    return Path(root).expanduser().resolve() if root else None


def served_path(path: Path | str, root: Path | str | None = None) -> str:
    """``path`` as the server's file route wants it: relative to the root, '/'-separated.

    Raises ValueError when the file lies outside what the server serves.
    """
    base = Path(root).resolve() if root is not None else server_root()
    try:
        return Path(path).resolve().relative_to(base).as_posix()
    except ValueError:
        raise ValueError(f"{path} is outside the folder the Jupyter server serves ({base}); start "
                         "the server from a folder that contains the clip library, or set "
                         "RUPTURE_SERVER_ROOT") from None
