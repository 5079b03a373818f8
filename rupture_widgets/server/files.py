"""The files route serves clip media and nothing else, links included, and only to a person
who has the token.

Voilà's files route is a plain tornado handler: no token and no Host check (measured: 200 with
``Host: rebind.example`` and no token), so a DNS-rebinding page could read the clip library.
Made a ``JupyterHandler`` here, it gets the server's own Host check and login, as every other
route of the app; the browser's ``<video>``, poster and caption requests carry the login cookie.

Voilà's ``AllowListFileHandler`` matches the allow-list against the path as requested, and
tornado (6.6) follows a symbolic link anywhere inside the served root, which is the project
folder, ``./workspace`` included. So a link ``clips/media/x.mp4`` to a trainee's recording (or a
folder link ``clips/w`` to the workspace) would be served under a clip's name. This handler also
requires the file, once every link is followed, to be inside the clip library.
``rupture clips check`` names such links (``library.check.links_leading_out``).
"""
from __future__ import annotations

import os

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from voila.static_file_handler import AllowListFileHandler


class ClipFileHandler(JupyterHandler, AllowListFileHandler):
    async def prepare(self):
        # 403 rather than a redirect to the login page: these are media requests, not pages
        await super().prepare(_redirect_to_login=False)
        # Voilà's app refuses an unknown user in prepare(); a Jupyter server (Voilà as its
        # extension, as on Binder) lets every handler through that does not ask
        # (ServerApp.allow_unauthenticated_access, true by default): measured, a clip was
        # served without the token there (tests/browser/test_binder.py)
        if self.current_user is None:
            raise web.HTTPError(403, "Log in to the server first")

    def initialize(self, clips_dir: str, **kwargs):
        super().initialize(**kwargs)
        self.clips_dir = os.path.realpath(clips_dir)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        path = super().validate_absolute_path(root, absolute_path)
        if path is not None:
            real = os.path.realpath(path)
            if os.path.commonpath([real, self.clips_dir]) != self.clips_dir:
                self.log.warning("Refusing %s: it leads outside the clip library, to %s",
                                 self.request.path, real)
                raise web.HTTPError(403, "Not part of the clip library")
        return path
