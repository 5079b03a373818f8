"""Page: what an app needs from the page around it — its place in the URL, focus, title.

An app built of ipywidgets cannot reach the page: a reload starts it again from nothing, focus
stays wherever the last click left it, and the tab is named after the notebook file. This small
widget (static/page.js) gives the app three things:

- **the place** (``place``, a flat dict of short strings, e.g. ``{"view": "clip", "clip": …}``)
  is written to the URL's fragment (``#view=clip&clip=…``) whenever the app changes it, and the
  fragment the page was opened with is reported once (``on_arrived(callback(place))``), so a
  reload, a bookmark or the browser's Back button return to the same view. The fragment never
  reaches the server, and it is read only by the app's own code.
- **focus**: :meth:`focus` moves keyboard focus to the element marked ``data-rw-focus=<key>``
  once it is on the page (the kernel's view change and the message race; the browser waits up to
  3 s for it), so after each step a keyboard or screen-reader user is at the new view's heading.
- **the title** of the browser tab (``title``).

Message protocol (browser -> kernel): ``arrived`` {place}. Kernel -> browser: ``focus`` {key}.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

_STATIC = Path(__file__).parent / "static"
#: what the fragment may carry: short keys and values (ids, filter choices), nothing free-form
PLACE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
PLACE_VALUE_MAX = 80


def clean_place(place: object) -> dict[str, str]:
    """What the browser reported, kept only where it is a short string under a known-shape key
    (the fragment is typed by whoever has the URL: never trust it further than that)."""
    if not isinstance(place, dict):
        return {}
    return {k: v for k, v in place.items()
            if isinstance(k, str) and PLACE_KEY.match(k) and isinstance(v, str)
            and 0 < len(v) <= PLACE_VALUE_MAX and v.isprintable()}


class Page(anywidget.AnyWidget):
    """Invisible; display it once, anywhere in the app."""

    _esm = _STATIC / "page.js"
    _css = _STATIC / "page.css"

    place = t.Dict(help="Where the app is, written to the URL's fragment (string values)."
                   ).tag(sync=True)
    title = t.Unicode("", help="The browser tab's title ('' leaves it as it is).").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._arrived = CallbackDispatcher()
        self._focus_count = 0
        self.on_msg(self._handle_message)

    def on_arrived(self, callback: Callable[[dict], None]) -> None:
        """``callback(place)`` when a page shows the app, with the place its URL named ({} if
        none): the app goes there."""
        self._arrived.register_callback(callback)

    def go(self, **place: str | None) -> None:
        """Record where the app is now (values None or '' are left out)."""
        self.place = {k: v for k, v in place.items() if v}

    def focus_key(self) -> str:
        """A fresh key to mark the element that should take focus (``data-rw-focus``)."""
        self._focus_count += 1
        return f"f{self._focus_count}"

    def focus(self, key: str) -> None:
        """Move focus to the element marked ``data-rw-focus="<key>"`` once it is shown."""
        self.send({"kind": "focus", "key": key})

    def _handle_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("kind") == "arrived":
            self._arrived(clean_place(content.get("place")))
