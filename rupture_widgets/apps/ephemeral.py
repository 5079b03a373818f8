"""Is this a server that will be thrown away? (mybinder.org, or any host that says so.)

On such a server nothing the trainee records survives the session: the practice app then says
so, keeps "Download my work" in reach and asks for the name (``identity.py``). Two ways to know:

- **BinderHub** starts every server with the launch it came from in the environment
  (its spawner's ``get_env``: ``BINDER_REPO_URL``, ``BINDER_REF_URL``, ``BINDER_LAUNCH_HOST``,
  ``BINDER_REQUEST``, ``BINDER_PERSISTENT_REQUEST``). mybinder.org stops a server after about
  10 minutes without use, which is the default said here.
- **``RUPTURE_EPHEMERAL=1``**, set by whoever runs a host that discards servers; ``=0`` says a
  BinderHub keeps its servers' files (a deployment with storage), so nothing is said.

``RUPTURE_IDLE_MINUTES`` gives the idle limit the notice states (a whole number of minutes).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from ..errors import ServerSettingError

#: What BinderHub's spawner puts in a launched server's environment (any one is enough).
BINDER_VARIABLES = ("BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REPO_URL",
                    "BINDER_REF_URL", "BINDER_PERSISTENT_REQUEST")
#: mybinder.org's culling of idle servers (its documentation: "about 10 minutes").
BINDER_IDLE_MINUTES = 10
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class EphemeralServer:
    """A throw-away server; ``idle_minutes`` None when nobody said how long it waits."""

    idle_minutes: int | None
    binder: bool

    def notice(self) -> str:
        """The sentence at the top of every view, plain text (escaped where it is shown)."""
        if self.idle_minutes is None:
            stops = "it may stop when it is not in use"
        else:
            stops = (f"it stops after about {self.idle_minutes} minute"
                     f"{'' if self.idle_minutes == 1 else 's'} without use")
        return (f"This is a temporary server: {stops} and keeps nothing. Download your work "
                "before you leave, and restore it next time.")


def ephemeral_server(environ: Mapping[str, str] = os.environ) -> EphemeralServer | None:
    """The throw-away server this is, or None for one that keeps its files (``rupture serve``
    on a trainee's own machine, a JupyterHub with storage). Raises ServerSettingError for a
    setting that cannot be read, naming it."""
    said = environ.get("RUPTURE_EPHEMERAL", "").strip().lower()
    if said and said not in _TRUE | _FALSE:
        raise ServerSettingError.unreadable("RUPTURE_EPHEMERAL", environ["RUPTURE_EPHEMERAL"],
                                            "1 (the server is thrown away) or 0 (it is kept)")
    binder = any(environ.get(name) for name in BINDER_VARIABLES)
    if said in _FALSE or not (binder or said in _TRUE):
        return None
    return EphemeralServer(_idle_minutes(environ, binder), binder)


def _idle_minutes(environ: Mapping[str, str], binder: bool) -> int | None:
    raw = environ.get("RUPTURE_IDLE_MINUTES", "").strip()
    if not raw:
        return BINDER_IDLE_MINUTES if binder else None
    if not raw.isdigit() or not 0 < int(raw) <= 7 * 24 * 60:
        raise ServerSettingError.unreadable("RUPTURE_IDLE_MINUTES", raw,
                                            "a whole number of minutes, such as 10")
    return int(raw)
