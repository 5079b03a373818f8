"""Who may do what through the exchange service (docs/decisions.md #36).

Every request carries a JupyterHub token (the kernel's ``$JUPYTERHUB_API_TOKEN``); the hub
says whose it is and whether it may reach this service (``access:services!service=…``). The
caller's hub name is the only identity: nothing in a request names the caller.

- As a trainee, the caller sends only their own attempts, and reads only their own statuses
  and returns.
- As a reviewer, the caller reads only their own inbox, and saves drafts and returns feedback
  only on attempts that were sent to them, signed with their own name.
- A trainee chooses the role they send for; ``instructor`` and ``supervisor`` (configurable)
  need the reviewer to be in that role's hub group; ``peer`` needs any hub user.

Group membership is asked of the hub with the service's own token (scopes ``read:users:name``,
``read:users:groups``), kept for ``ttl_s`` seconds, so a change of groups holds within that.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from urllib.parse import quote

from ..errors import ExchangeRefused
from ..workbook.records import TRAINEE_ID_RE
from .folder import reviewer_id

#: The hub group whose members may review in each role; a programme sets its own names with
#: $RUPTURE_REVIEWER_GROUPS, e.g. "instructor=faculty,supervisor=supervisors".
DEFAULT_GROUPS = {"instructor": "instructors", "supervisor": "supervisors"}


def role_groups(spec: str | None = None) -> dict[str, str]:
    spec = spec if spec is not None else os.environ.get("RUPTURE_REVIEWER_GROUPS", "")
    groups = dict(DEFAULT_GROUPS)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        role, sep, group = part.partition("=")
        if not sep or not role.strip() or not group.strip():
            raise ValueError(f"$RUPTURE_REVIEWER_GROUPS: {part!r} should be role=group")
        groups[role.strip()] = group.strip()
    return groups


@dataclass(frozen=True)
class Caller:
    """The hub user a request came from; ``name`` is also their trainee and reviewer id."""
    name: str
    groups: frozenset

    def check_own(self, what: str, name: str) -> None:
        if reviewer_id(name) != self.name:
            raise ExchangeRefused.answered(
                403, f"You are signed in as {self.name}; {what} of {name!r} are not yours.")


def caller_from_model(model: dict | None) -> Caller:
    """The Caller for the hub's model of a token, or 403: a service's token, a name the
    exchange cannot use as an id as it is."""
    if not model or model.get("kind", "user") != "user":
        raise ExchangeRefused.answered(403, "Only a signed-in hub user may use the exchange.")
    name = model.get("name", "")
    if not (isinstance(name, str) and TRAINEE_ID_RE.fullmatch(name) and ".." not in name
            and reviewer_id(name) == name):
        raise ExchangeRefused.answered(
            403, f"The hub user name {name!r} cannot be used by the exchange (ids are letters, "
                 "digits, '.', '_' and '-', not ending in one of those); ask the administrator.")
    return Caller(name, frozenset(model.get("groups") or ()))


class Directory:
    """The hub's users and groups, as the service's own token may read them."""

    def __init__(self, api_url: str, token: str, groups: dict[str, str], ttl_s: float = 30.0):
        self.api_url, self.token = api_url.rstrip("/") + "/", token
        self.groups, self.ttl_s = groups, ttl_s
        self._cache: dict[str, tuple[float, dict | None]] = {}

    async def user(self, name: str) -> dict | None:
        hit = self._cache.get(name)
        if hit and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        from tornado.httpclient import AsyncHTTPClient, HTTPClientError

        try:
            resp = await AsyncHTTPClient().fetch(
                self.api_url + "users/" + quote(name, safe=""),
                headers={"Authorization": f"token {self.token}"})
            model = json.loads(resp.body)
        except HTTPClientError as e:
            if e.code != 404:
                raise
            model = None
        self._cache[name] = (time.monotonic(), model)
        return model

    async def roles_of(self, name: str) -> list[str]:
        """The review roles ``name`` holds: the roles whose group they are in, and peer."""
        model = await self.user(name)
        if model is None:
            return []
        mine = set(model.get("groups") or ())
        return [role for role, group in self.groups.items() if group in mine] + ["peer"]

    async def check_reviewer(self, name: str, role: str) -> str:
        """The id to send to, once ``name`` may review in ``role``; else 403 in plain words."""
        try:
            rid = reviewer_id(name)
        except Exception as e:
            raise ExchangeRefused.answered(400, str(e)) from None
        roles = await self.roles_of(rid)
        if not roles:
            raise ExchangeRefused.answered(
                404, f"There is nobody called {name!r} on this hub. Check the name with your "
                     "supervisor (it is their hub user name).")
        if role not in roles:
            group = self.groups.get(role)
            raise ExchangeRefused.answered(
                403, f"{name} is not an {role} on this hub" + (
                    f" (not in the hub group {group!r})" if group else "") +
                     "; choose another role or reviewer.")
        return rid
