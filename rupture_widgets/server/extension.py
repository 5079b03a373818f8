"""Voilà as a Jupyter server extension (Binder, a JupyterHub): the two things `rupture serve`
does in code, done to the server's own routes. The settings (allow-list, template, websocket
message size, culling) are configuration: ``binder/jupyter_server_config.json``, made from
``notebooks/voila.json`` by ``server/binder_config.py`` (docs/decisions.md #33).

Under `jupyter server` (or a hub's ``jupyterhub-singleuser``) Voilà's server extension registers
its own ``/voila/files/`` route: Voilà's plain tornado ``AllowListFileHandler``, which asks for
no login and follows links out of the clip library (``files.py`` says why that matters). This
extension registers ``files.ClipFileHandler`` at the same address, first in the routing table
whatever order the extensions load in, so the server's login and the library's confinement hold.

The page's ``_xsrf`` cookie: without it the page's shutdown request on ``beforeunload`` is
refused and a closed tab leaves its kernel running (``identity.py``). `rupture serve` sets it in
its identity provider; here the identity provider is the server's or the hub's and is not ours
to replace, so the page handler sets it instead, once the server has said who the user is.
Enabled by ``ServerApp.jpserver_extensions`` in that config file.
"""
from __future__ import annotations

import os

from jupyter_server.utils import url_path_join
from voila.configuration import VoilaConfiguration
from voila.paths import collect_template_paths
from voila.server_extension import load_config_file
from voila.tornado.handler import TornadoVoilaHandler
from voila.utils import get_server_root_dir

from ..library.catalog import default_clips_dir
from .files import ClipFileHandler


class PracticePageHandler(TornadoVoilaHandler):
    """Voilà's page route, plus the standard double-submit ``_xsrf`` cookie on the page."""

    async def prepare(self):
        await super().prepare()
        if self.current_user is not None and self.request.method == "GET":
            self.xsrf_token  # noqa: B018 - sets the _xsrf cookie if the browser has none


def voila_configuration(server_app) -> VoilaConfiguration:
    """The configuration Voilà's own extension reads: the server's config, then voila.json
    from the Jupyter config path and the working folder (voila/server_extension.py)."""
    configuration = VoilaConfiguration(parent=server_app)
    local = load_config_file()
    if local is not None:
        configuration.update_config(local)
    return configuration


def handlers(server_app) -> list[tuple]:
    settings = server_app.web_app.settings
    base = url_path_join(settings["base_url"])
    configuration = voila_configuration(server_app)
    root = os.path.expanduser(get_server_root_dir(settings))
    # the library the app shows ($RUPTURE_CLIPS, else the checkout's clips/: $HOME/clips on
    # Binder, <repo folder>/clips under nbgitpuller when the hub sets RUPTURE_CLIPS)
    library = str(default_clips_dir())
    template_paths = collect_template_paths(["voila", "nbconvert"], configuration.template)
    return [
        (url_path_join(base, r"/voila/files/(.*)"), ClipFileHandler,
         {"allowlist": configuration.file_allowlist, "denylist": configuration.file_denylist,
          "path": root, "clips_dir": library}),
        (url_path_join(base, "/voila/render/(.*)"), PracticePageHandler,
         {"config": server_app.config, "template_paths": template_paths,
          "voila_configuration": configuration}),
    ]


def _load_jupyter_server_extension(server_app) -> None:
    web_app = server_app.web_app
    # tornado tries host rules in order and add_handlers appends: move ours to the front, so
    # these routes win over Voilà's whether its extension loaded before this one or after
    rules = web_app.default_router.rules
    before = list(rules)
    web_app.add_handlers(".*$", handlers(server_app))
    added = [rule for rule in rules if rule not in before]
    rules[:] = added + [rule for rule in rules if rule not in added]
    server_app.log.info("rupture-widgets: clip files confined to the library, page cookie set "
                        "(rupture_widgets.server.extension)")


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "rupture_widgets.server.extension"}]


load_jupyter_server_extension = _load_jupyter_server_extension  # the older entry point's name
