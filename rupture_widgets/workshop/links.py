"""Launch links for a workshop: mybinder.org (or any BinderHub) and nbgitpuller on a JupyterHub.

Both services take the page to open as ``urlpath``, a path below the user's server, and redirect
there once the server is up (BinderHub after the build and launch, nbgitpuller after the pull).
The practice page's own query string (the workshop) travels *inside* that one parameter, so it is
percent-encoded once more: ``?``, ``&``, ``=`` and ``,`` become ``%3F``, ``%26``, ``%3D``,
``%2C`` and the services decode them back to the page's query (slashes are left readable; both
services accept them). :func:`practice_target` undoes a link the same way the services do, which
is what the tests and the facilitator notebook use to show where a link leads. Checked against
the services' code: BinderHub's client reads ``urlpath`` with URLSearchParams and resolves it
against the user's server (``new URL``), nbgitpuller reads it with ``get_argument`` and appends
it to the server's base URL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from ..errors import WorkshopError
from .definition import Workshop

#: The practice app's notebook, relative to the repository's root (notebooks/practice.ipynb).
PRACTICE_NOTEBOOK = "notebooks/practice.ipynb"
#: BinderHub's repository providers whose spec is OWNER/REPO/REF.
_PROVIDERS = ("gh", "gl")
_OWNER_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def practice_urlpath(workshop: Workshop, folder: str = "") -> str:
    """``voila/render/[folder/]notebooks/practice.ipynb?workshop=...`` (not yet encoded)."""
    path = "/".join(p.strip("/") for p in ("voila/render", folder, PRACTICE_NOTEBOOK) if p)
    return f"{path}?{workshop.query_string()}"


def _https(url: str, what: str) -> str:
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.netloc:
        raise WorkshopError(f"The {what} {url!r} is not a web address; give it whole, starting "
                            "with https:// (for example https://hub.example.org).")
    return url.strip().rstrip("/")


def binder_link(workshop: Workshop, repo: str = "OWNER/REPO", ref: str = "main",
                provider: str = "gh", binderhub: str = "https://mybinder.org") -> str:
    """A BinderHub launch link that opens the practice app in Voilà with this workshop."""
    if provider not in _PROVIDERS:
        raise WorkshopError(f"The Binder provider {provider!r} is not supported here; use 'gh' "
                            "(GitHub) or 'gl' (GitLab).")
    if not isinstance(repo, str) or not _OWNER_REPO.fullmatch(repo.strip().strip("/")):
        raise WorkshopError(f"The repository {repo!r} should be written OWNER/REPO, as in its "
                            "address (for example 'jane/rupture-widgets').")
    if not isinstance(ref, str) or not ref.strip():
        raise WorkshopError("Give the branch, tag or commit to launch (for example 'main').")
    base = _https(binderhub, "BinderHub address")
    # BinderHub reads the ref as one path segment: a branch 'a/b' must be 'a%2Fb'
    spec = f"{repo.strip().strip('/')}/{quote(ref.strip(), safe='')}"
    return f"{base}/v2/{provider}/{spec}?urlpath={quote(practice_urlpath(workshop), safe='/')}"


def repo_folder(repo: str) -> str:
    """The folder nbgitpuller clones into by default: the URL's last segment as it is, '.git'
    included (nbgitpuller/handlers.py: ``repo.rstrip('/').split('/')[-1]``)."""
    return repo.rstrip("/").split("/")[-1]


def nbgitpuller_link(workshop: Workshop, hub: str = "https://hub.example.org",
                     repo: str = "https://github.com/OWNER/REPO", branch: str = "main",
                     target_path: str | None = None) -> str:
    """A JupyterHub link: nbgitpuller pulls the repository into the user's home, then opens the
    practice app in Voilà (the hub needs nbgitpuller and Voilà installed)."""
    base = _https(hub, "JupyterHub address")
    repo = _https(repo, "repository address")
    folder = (target_path or "").strip().strip("/") or repo_folder(repo)
    if not folder or ".." in folder.split("/"):
        raise WorkshopError(f"The folder {folder!r} cannot hold the repository; give a plain "
                            "folder name (targetPath), or leave it empty for the repository's "
                            "name.")
    params = {"repo": repo, "branch": branch.strip() or "main"}
    if target_path:
        params["targetPath"] = folder
    params["urlpath"] = practice_urlpath(workshop, folder)
    return f"{base}/hub/user-redirect/git-pull?{urlencode(params, safe='/', quote_via=quote)}"


@dataclass(frozen=True)
class PracticeTarget:
    """Where a launch link leads: the notebook path below the server and the workshop in it."""

    notebook: str
    workshop: str
    clips: tuple[str, ...]
    title: str


def practice_target(link: str) -> PracticeTarget:
    """Decode a launch link as BinderHub or nbgitpuller would (one unquote of ``urlpath``)."""
    outer = parse_qs(urlsplit(link).query)
    urlpath = (outer.get("urlpath") or [""])[0]
    if not urlpath:
        raise WorkshopError(f"{link!r} has no urlpath, so it opens no page.")
    inner = urlsplit(urlpath)
    q = parse_qs(inner.query)
    path = inner.path.lstrip("/")
    notebook = path[len("voila/render/"):] if path.startswith("voila/render/") else path
    return PracticeTarget(notebook=notebook, workshop=(q.get("workshop") or [""])[0],
                          clips=tuple(c for c in (q.get("clips") or [""])[0].split(",") if c),
                          title=(q.get("title") or [""])[0])
