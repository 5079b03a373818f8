"""Who is practising: said once, from JupyterHub, the command line, or a name box.

A name is taken as typed, in any language ("José O'Brien", "王小明"); the id its workbook is
kept under is derived from it (``as_trainee_id``, ``workbook/names.py``) and the name itself is
recorded in the workbook (``Workspace.workbook(trainee_id, display_name=...)``).
"""
from __future__ import annotations

import html
import inspect
import os
from typing import Callable, Mapping

import ipywidgets as w

from .forms import on_enter
from ..errors import RuptureError, ServerSettingError
from ..workbook.names import check_display_name, id_from_name

__all__ = ["WhoAreYou", "as_trainee_id", "check_display_name", "identity_is_fixed",
           "reviewer_from_environment", "trainee_from_environment"]


def identity_is_fixed(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether JupyterHub said who this is ($JUPYTERHUB_USER): then nothing typed, neither a
    name box nor a name in the URL, may make the app open anyone else's work, even when the
    hub user's own workbook cannot be opened (docs/hub.md). Not on a throw-away server, whose
    hub user is a random name for one launch (``_hub_user``)."""
    return bool(_hub_user(environ))


def trainee_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """$JUPYTERHUB_USER under JupyterHub (the hub has authenticated them), else $RUPTURE_TRAINEE
    (``rupture serve --trainee``), else None: the app asks. On a throw-away server (Binder) the
    hub's user is a random name made for this launch, not a person: the app asks, so the same
    name gives the same workbook on the next launch and a restored bundle lands in it."""
    return _hub_user(environ) or environ.get("RUPTURE_TRAINEE") or None


def reviewer_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """$JUPYTERHUB_USER under JupyterHub, else $RUPTURE_REVIEWER (``rupture review
    --reviewer``), else None: the review app asks (as on a throw-away server, see above)."""
    return _hub_user(environ) or environ.get("RUPTURE_REVIEWER") or None


def _hub_user(environ: Mapping[str, str]) -> str | None:
    """$JUPYTERHUB_USER when it names a person: not on a throw-away server (a setting that
    cannot be read counts as throw-away: asking is the safe side)."""
    from .ephemeral import ephemeral_server

    try:
        throwaway = ephemeral_server(environ) is not None
    except ServerSettingError:
        throwaway = True
    return None if throwaway else environ.get("JUPYTERHUB_USER") or None


def as_trainee_id(name: str) -> str:
    """A typed name as a safe, stable id (ids become folder names): 'Alex Morgan' ->
    'alex.morgan', "José O'Brien" -> 'jose.obrien', '王小明' -> 't-' + 10 hex digits.
    Raises InvalidName ("Type your name first.", a control character, ...) in plain words."""
    return id_from_name(name)


class WhoAreYou(w.VBox):
    """The name box shown when nobody has said who is practising.

    Enter in the box, or the button, submits; an empty box says "Type your name first.".
    ``open_workbook`` is called as ``open_workbook(trainee_id, display_name=name)`` when it takes
    a ``display_name`` (``Workspace.workbook``), else as ``open_workbook(name)`` with the name as
    typed (trimmed), for a caller that derives its own id (the review app's reviewer).
    """

    def __init__(self, open_workbook: Callable[..., object], *,
                 intro: str = "Your answers are kept in your own workbook under this name, so "
                              "use the same name each time.",
                 button: str = "Start practising"):
        self._open_workbook = open_workbook
        self._callbacks: list[Callable] = []
        self.name = w.Text(description="Your name", placeholder="e.g. Alex Morgan",
                           style={"description_width": "initial"})
        self._done = False
        self.go = w.Button(description=button, button_style="success")
        self.problem = w.HTML()
        intro_html = w.HTML(f"<h2>Welcome</h2><p>{html.escape(intro)}</p>")
        self.go.on_click(lambda _: self.submit())
        on_enter(self.name, self.submit)  # once all that was typed has arrived (forms.py)
        super().__init__([intro_html, w.HBox([self.name, self.go]), self.problem])

    def on_identified(self, callback: Callable) -> None:
        """``callback(workbook)`` once a valid name is given."""
        self._callbacks.append(callback)

    def submit(self) -> None:
        """What Enter and the button do: open the workbook for the name in the box."""
        if self._done:
            return
        try:
            workbook = self._open(check_display_name(self.name.value))
        except RuptureError as e:  # no name, a name that cannot be kept, a workbook unreadable
            self.problem.value = f"<p role='alert'>{html.escape(str(e))}</p>"
            return
        self.problem.value = ""
        self._done = True
        for cb in self._callbacks:
            cb(workbook)

    def _open(self, name: str):
        try:
            takes_name = "display_name" in inspect.signature(self._open_workbook).parameters
        except (TypeError, ValueError):  # a callable without a signature to read
            takes_name = False
        if takes_name:
            return self._open_workbook(as_trainee_id(name), display_name=name)
        return self._open_workbook(name)
