"""LeaveGuard: the browser asks before the page is left while ``active`` is True.

For a throw-away server (apps/practice/work_bar.py): the trainee is reminded to download their
work before closing the tab. The dialog is the browser's own ("Leave site? Changes you made may
not be saved."): browsers no longer show a page's own wording there. The asking is done by the
"rupture" page template's first listener (server/jupyter/voila/templates/rupture/
leave_first.js), which also keeps Voilà from shutting the kernel down before the trainee has
answered; static/leave_guard.js tells it whether to ask.
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets as t

_STATIC = Path(__file__).parent / "static"


class LeaveGuard(anywidget.AnyWidget):
    """Invisible; display it once, anywhere in the app."""

    _esm = _STATIC / "leave_guard.js"

    active = t.Bool(False, help="Ask before the page is left.").tag(sync=True)
