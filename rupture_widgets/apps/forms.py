"""What the apps' forms share: Enter in a text box submits its form."""
from __future__ import annotations

import warnings
from collections.abc import Callable

import ipywidgets as w


def on_enter(text: w.Text, submit: Callable[[], None]) -> None:
    """Enter in ``text`` calls ``submit()``. ipywidgets 8 still sends Enter as a 'submit'
    message; ``on_submit`` is deprecated only in favour of observing ``value`` with
    ``continuous_update=False``, which also fires on leaving the box (Tab), so a form would be
    sent by moving on from it. Enter alone is what a person means."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        text.on_submit(lambda _t: submit())
