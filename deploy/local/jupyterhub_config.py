"""JupyterHub for a training programme on one machine (docs/hub.md): `deploy/local/run`.

- Real Unix users, each server run as its user (LocalProcessSpawner), homes 0700
  (deploy/local/add-user); sign-in with their Unix password (PAM).
- Members are the Unix group `rupture`; the hub groups `instructors` and `supervisors` are the
  Unix groups `rupture-instructors` and `rupture-supervisors`, synced at every sign-in and at
  every start of the hub, which knows every member from its start: a trainee can send to a
  reviewer who has never signed in.
- Each server serves the read-only app (notebooks, clips); the user's workspace is
  ~/rupture, never served.
- Trainees land in the practice app (Voilà), reviewers in the review app.
- The exchange is a hub-managed service, run as its own Unix user `rupture-exchange`, the only
  one who can open the exchange folder; servers reach it with their own hub token
  (docs/decisions.md #36).
"""
import grp
import os
import pwd
from pathlib import Path

from jupyterhub import orm
from jupyterhub.auth import PAMAuthenticator
from sqlalchemy.orm import object_session

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

PREFIX = Path(os.environ.get("RUPTURE_HUB_PREFIX", "/opt/rupture-hub"))
VENV, APP = PREFIX / "venv", PREFIX / "app"
IP = os.environ.get("RUPTURE_HUB_IP", "127.0.0.1")
PORT = int(os.environ.get("RUPTURE_HUB_PORT", "8000"))
HUB_API_PORT = int(os.environ.get("RUPTURE_HUB_API_PORT", "8081"))
PROXY_API_PORT = int(os.environ.get("RUPTURE_PROXY_API_PORT", "8001"))
EXCHANGE_PORT = int(os.environ.get("RUPTURE_EXCHANGE_PORT", "10101"))
SERVICE = "rupture-exchange"
MEMBERS = "rupture"
# hub group -> the Unix group that fills it; and the review role each hub group grants
HUB_GROUPS = {"instructors": "rupture-instructors", "supervisors": "rupture-supervisors"}
REVIEWER_GROUPS = "instructor=instructors,supervisor=supervisors"
REVIEWERS = {"instructors", "supervisors"}  # they land in the review app
PRACTICE_URL = "/voila/render/notebooks/practice.ipynb"
REVIEW_URL = "/voila/render/notebooks/review.ipynb"


def unix_members(group: str) -> set[str]:
    try:
        g = grp.getgrnam(group)
    except KeyError:
        return set()
    return set(g.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == g.gr_gid}


class ProgrammeAuthenticator(PAMAuthenticator):
    """PAM (the Unix password), for members of the Unix group `rupture` only, with the hub
    groups taken from Unix groups at every sign-in (manage_groups)."""

    def check_allowed(self, username, authentication=None):
        return username in unix_members(MEMBERS)

    async def authenticate(self, handler, data):
        user = await super().authenticate(handler, data)
        if not user:
            return None
        name = user["name"] if isinstance(user, dict) else user
        return {"name": name, "groups": hub_groups_of(name)}

    async def add_user(self, user):
        """Also at the hub's start, for every member (``allowed_users`` below puts them all in
        its database): their hub groups as their Unix groups say, before any sign-in, so the
        exchange finds a reviewer in their role who has not signed in yet."""
        await super().add_user(user)
        orm_user = getattr(user, "orm_user", user)  # at start: the database's own row
        db, wanted = object_session(orm_user), hub_groups_of(orm_user.name)
        if db is None or {g.name for g in orm_user.groups} == set(wanted):
            return
        groups = []
        for name in wanted:
            group = orm.Group.find(db, name)
            if group is None:
                group = orm.Group(name=name)
                db.add(group)
            groups.append(group)
        orm_user.groups = groups
        db.commit()


def hub_groups_of(name: str) -> list[str]:
    return sorted(h for h, u in HUB_GROUPS.items() if name in unix_members(u))


c.JupyterHub.authenticator_class = ProgrammeAuthenticator
c.Authenticator.manage_groups = True
# every member in the hub's database from its start (who may sign in is still check_allowed's)
c.Authenticator.allowed_users = unix_members(MEMBERS)
c.PAMAuthenticator.open_sessions = False  # no login session per server: a container has none
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [str(PREFIX / "node/node_modules/.bin/configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{PREFIX / 'state/jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(PREFIX / "state/jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(PREFIX / "state/jupyterhub.pid")

# -- every user's server --------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV / "bin/jupyterhub-singleuser")]
# Kernels talk over Unix sockets in their owner's runtime folder (0700), not loopback ports:
# on one machine every user's server picks its kernels' ports alone, and two starting at once
# could take the same one (seen: "Address already in use", a page that never loaded); and a
# port can be reached by every user of the machine, a socket in a 0700 folder by its owner only.
c.Spawner.args = ["--KernelManager.transport=ipc"]
# The server serves the read-only app (notebooks, clip library) and nothing else: the
# workspace, in the user's home, is never a URL, not even to its owner (decisions.md #7).
c.Spawner.notebook_dir = str(APP)
# nothing of the hub's own environment but the basics (no PYTHONPATH into a checkout)
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "LANGUAGE", "TZ"]
c.Spawner.default_url = PRACTICE_URL
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# the server's own token may also reach the exchange service (and nothing more than before)
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server",
                                 f"access:services!service={SERVICE}"]


def _home(spawner) -> Path:
    return Path(pwd.getpwnam(spawner.user.name).pw_dir)


c.Spawner.environment = {
    "RUPTURE_WORKSPACE": lambda spawner: str(_home(spawner) / "rupture"),
    "RUPTURE_CLIPS": str(APP / "clips"),
    "RUPTURE_SERVER_ROOT": str(APP),
    "RUPTURE_EXCHANGE_URL": f"http://127.0.0.1:{PORT}/services/{SERVICE}/",
    # the page: the project's Voilà template, and the servers' settings (deploy/local/setup)
    "JUPYTER_PATH": str(APP / "rupture_widgets/server/jupyter"),
    "JUPYTER_CONFIG_PATH": str(PREFIX / "etc/jupyter"),  # binder/jupyter_server_config.json
}


def pre_spawn_hook(spawner):
    """As root, before the server starts: the user's home is theirs alone (0700), their
    workspace exists, and a reviewer lands in the review app."""
    pw = pwd.getpwnam(spawner.user.name)
    home = Path(pw.pw_dir)
    os.chmod(home, 0o700)
    workspace = home / "rupture"
    workspace.mkdir(mode=0o700, exist_ok=True)
    os.chown(workspace, pw.pw_uid, pw.pw_gid)
    groups = {g.name for g in spawner.user.groups}
    spawner.default_url = REVIEW_URL if groups & REVIEWERS else PRACTICE_URL


c.Spawner.pre_spawn_hook = pre_spawn_hook

# -- the exchange service -----------------------------------------------------------------
c.JupyterHub.services = [{
    "name": SERVICE,
    "url": f"http://127.0.0.1:{EXCHANGE_PORT}",
    "command": [str(VENV / "bin/python"), "-m", "rupture_widgets.exchange.service"],
    "user": SERVICE,
    "cwd": str(PREFIX / "exchange"),
    "environment": {"RUPTURE_EXCHANGE_ROOT": str(PREFIX / "exchange"),
                    "RUPTURE_REVIEWER_GROUPS": REVIEWER_GROUPS,
                    "RUPTURE_MAX_RECORDING_MB": os.environ.get("RUPTURE_MAX_RECORDING_MB", "512")},
}]
c.JupyterHub.load_roles = [
    # every user may reach the service (it then decides what is theirs)
    {"name": "user", "scopes": ["self", f"access:services!service={SERVICE}"]},
    # the service may look up who is in which group, nothing else
    {"name": SERVICE, "services": [SERVICE], "scopes": ["read:users:name", "read:users:groups"]},
]
