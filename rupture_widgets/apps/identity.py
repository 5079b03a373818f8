"""Who is practising: said once, from JupyterHub, the command line, or a name box."""
from __future__ import annotations

import os
import re
from typing import Callable, Mapping

import ipywidgets as w

from ..errors import RuptureError


def trainee_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """$JUPYTERHUB_USER under JupyterHub (the hub has authenticated them), else $RUPTURE_TRAINEE
    (``rupture serve --trainee``), else None: the app asks."""
    return environ.get("JUPYTERHUB_USER") or environ.get("RUPTURE_TRAINEE") or None


def reviewer_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """$JUPYTERHUB_USER under JupyterHub, else $RUPTURE_REVIEWER (``rupture review
    --reviewer``), else None: the review app asks."""
    return environ.get("JUPYTERHUB_USER") or environ.get("RUPTURE_REVIEWER") or None


def as_trainee_id(name: str) -> str:
    """A typed name as an id: 'Alex Morgan' -> 'alex.morgan' (ids become folder names)."""
    return re.sub(r"\s+", ".", name.strip()).lower()


class WhoAreYou(w.VBox):
    """The name box shown when nobody has said who is practising."""

    def __init__(self, open_workbook: Callable[[str], object], *,
                 intro: str = "Your answers are kept in your own workbook under this name, so "
                              "use the same name each time.",
                 button: str = "Start practising"):
        self._open_workbook = open_workbook
        self._callbacks: list[Callable] = []
        # continuous_update=False: the value arrives on Enter (or leaving the box)
        self.name = w.Text(description="Your name", placeholder="e.g. Alex Morgan",
                           continuous_update=False, style={"description_width": "initial"})
        self._done = False
        self.go = w.Button(description=button, button_style="success")
        self.problem = w.HTML()
        intro = w.HTML(f"<h2>Welcome</h2><p>{_escape(intro)}</p>")
        self.go.on_click(lambda _: self._submit())
        self.name.observe(lambda _: self._submit(), "value")
        super().__init__([intro, w.HBox([self.name, self.go]), self.problem])

    def on_identified(self, callback: Callable) -> None:
        """``callback(workbook)`` once a valid name is given."""
        self._callbacks.append(callback)

    def _submit(self) -> None:
        if self._done or not self.name.value.strip():
            return
        try:
            workbook = self._open_workbook(as_trainee_id(self.name.value))
        except RuptureError as e:  # a bad name, or a workbook that cannot be opened
            self.problem.value = f"<p role='alert'>{_escape(str(e))}</p>"
            return
        self.problem.value = ""
        self._done = True
        for cb in self._callbacks:
            cb(workbook)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
