"""The Jupyter server configuration that makes `rupture serve`'s settings hold under Binder.

On Binder (and a JupyterHub) Voilà runs as an extension of the user's Jupyter server, not as
`rupture serve`. Voilà's extension reads only ``VoilaConfiguration`` (from the server's config
and from a voila.json on the config path); its ``Voila`` section, where ``notebooks/voila.json``
keeps the websocket message size and the page's headers, is the standalone app's and is ignored,
and so is ``MappingKernelManager`` in a voila.json. So the settings are written where the server
reads them, ``~/.jupyter/jupyter_server_config.json`` (binder/postBuild copies it), made here from
voila.json so that the two cannot drift (tests/server/test_binder_config.py compares the file
with ``binder_config()``; the Binder tests prove each setting on a real server,
docs/decisions.md #33). Regenerate with ``python -m rupture_widgets.server.binder_config``.

What is not carried over, and why (``NOT_CARRIED``; binder/README.md says the same):
- ``Voila.ip``, ``auto_token``, ``allow_remote_access``, ``identity_provider_class``: how
  `rupture serve` guards a laptop. Under Binder the hub authenticates and proxies (its own Host
  and login); the page's ``_xsrf`` cookie comes from ``server/extension.py`` instead.
- ``kernel_websocket_connection_class``: the defect it guards against is in Voilà's own kernel
  websocket handler (websocket.py); under a Jupyter server the page talks to the server's.
- ``preheat_kernel``, ``default_pool_size``, ``multi_kernel_manager_class``: Voilà's kernel
  pool exists only in the standalone app; the extension starts one kernel per page with the
  server's kernel manager (culling, below, still applies to it).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ..errors import RuptureError
from .serve import CONFIG, PROJECT

BINDER_CONFIG = PROJECT / "binder" / "jupyter_server_config.json"
EXTENSION = "rupture_widgets.server.extension"
#: VoilaConfiguration traits the server extension reads and the app relies on (a URL may not
#: pick another template: `?template=lab` would bring back the CDN links)
VOILA_KEYS = ("file_allowlist", "template", "allow_template_override", "show_tracebacks")
#: tornado settings the app relies on: recordings arrive in websocket messages above tornado's
#: 10 MiB default (docs/decisions.md #1), and the page may load nothing from elsewhere
TORNADO_KEYS = ("websocket_max_message_size", "headers")

#: every other setting of voila.json, by section and name, with why it stays `rupture serve`'s
#: (a setting added to voila.json must be added here or carried over: a test says so)
NOT_CARRIED = {
    ("VoilaConfiguration", "preheat_kernel"): "no kernel pool under the server extension",
    ("VoilaConfiguration", "default_pool_size"): "no kernel pool under the server extension",
    ("VoilaConfiguration", "multi_kernel_manager_class"): "the standalone app's kernel manager",
    ("Voila", "ip"): "the hub's proxy decides who reaches the server",
    ("Voila", "auto_token"): "the hub authenticates",
    ("Voila", "identity_provider_class"): "the hub's (or the server's) identity; the page "
                                          "cookie comes from server/extension.py",
    ("Voila", "kernel_websocket_connection_class"): "guards Voilà's own websocket handler, "
                                                    "which the extension does not use",
    ("Voila", "tornado_settings", "allow_remote_access"): "the hub proxies with its own Host",
}


def binder_config(voila: dict, folder: str | None = None) -> dict:
    """The server configuration for a Jupyter server running Voilà as an extension.
    ``folder``: where the repository is below the server's root (a hub's nbgitpuller puts it
    in ``~/<folder>``); the clip allow-list then names clips under it."""
    tornado = voila["Voila"]["tornado_settings"]
    carried = {key: voila["VoilaConfiguration"][key] for key in VOILA_KEYS}
    if folder:
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", folder):
            raise RuptureError(f"The folder name {folder!r} is not one nbgitpuller makes from a "
                               "repository's name: give the folder name only, letters, digits "
                               "and . _ - (no '/').")
        carried["file_allowlist"] = [re.escape(folder) + "/" + pattern
                                     for pattern in carried["file_allowlist"]]
    return {
        "ServerApp": {
            "jpserver_extensions": {EXTENSION: True},
            "tornado_settings": {key: tornado[key] for key in TORNADO_KEYS},
        },
        "VoilaConfiguration": carried,
        "MappingKernelManager": dict(voila["MappingKernelManager"]),
    }


def rendered(voila_json: Path = CONFIG, folder: str | None = None) -> str:
    config = binder_config(json.loads(voila_json.read_text(encoding="utf-8")), folder)
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write binder/jupyter_server_config.json from notebooks/voila.json; with
    ``--hub-folder NAME``, print a hub's version instead (the repository pulled into ~/NAME)."""
    parser = argparse.ArgumentParser(prog="python -m rupture_widgets.server.binder_config",
                                     description=main.__doc__)
    parser.add_argument("--hub-folder", help="the repository's folder in a hub user's home")
    args = parser.parse_args(argv)
    try:
        text = rendered(folder=args.hub_folder)
    except RuptureError as e:
        parser.error(str(e))
    if args.hub_folder:
        sys.stdout.write(text)
        return 0
    BINDER_CONFIG.write_text(text, encoding="utf-8")
    print(f"wrote {BINDER_CONFIG}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
