"""Who may use the served app, and the cookie its pages need to end their kernel.

Token: the default identity provider of the Jupyter server (``PasswordIdentityProvider``) is
kept, so a request needs the token that ``rupture serve`` prints (or the cookie the first visit
with ``?token=`` sets), as with ``jupyter lab``.

The ``_xsrf`` cookie (Voilà 0.5.13): on ``beforeunload`` the page posts
``/voila/api/shutdown/<kernel>`` with the form field ``_xsrf`` copied from ``document.cookie``,
but nothing in a Voilà page load reads ``RequestHandler.xsrf_token``, the only thing that sets
that cookie (the page is rendered by nbconvert, with pre-heated kernels before the request even
exists). So the field is empty and jupyter_server's XSRF check answers 403: every closed tab
left its kernel running (9 of 9 in a measured run). Reading ``xsrf_token`` when the page itself
is requested sets the standard double-submit cookie exactly as any Jupyter server page does;
XSRF checking stays on (a POST without the field, or with a wrong one, is still refused).
"""
from __future__ import annotations

from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider


class PracticeIdentityProvider(PasswordIdentityProvider):
    """Jupyter's token/password identity, plus the ``_xsrf`` cookie on the app's page."""

    async def get_user(self, handler):
        user = await ensure_async(super().get_user(handler))
        if user is not None and handler.request.method == "GET":
            from voila.handler import VoilaHandler

            if isinstance(handler, VoilaHandler):
                # prepare() sets current_user to this same user right after get_user returns;
                # tornado's xsrf_token reads it, so set it first.
                handler.current_user = user
                handler.xsrf_token  # noqa: B018 - sets the _xsrf cookie if the browser has none
        return user
