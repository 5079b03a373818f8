"""The query string of the Voilà page the app is shown in (where a workshop link's clips are).

Voilà hands a page's request to its kernel as CGI-style variables (voila/handler.py, 0.5.13):
a kernel started for the page gets ``QUERY_STRING`` in its environment before the notebook runs.
A pre-heated kernel (``rupture serve``: ``preheat_kernel``) ran the notebook before any page
asked for it, so it has none; when a page takes it, Voilà sends the request to the kernel over
its ``voila/query/<kernel id>`` websocket and ``voila.utils.wait_for_request()`` puts it into
``os.environ``. By then (the page has connected and says it has arrived) Voilà has already sent
it, so the wait is short; it is still bounded here, because a wait that never ends would freeze
the app, and in JupyterLab no page request will ever come.
"""
from __future__ import annotations

import os
import threading

#: Enough for a local websocket round trip on a busy machine; the app opens without a workshop
#: rather than hang when it passes.
WAIT_S = 5.0


def preheated() -> bool:
    """True in a kernel Voilà started ahead of its page (its request comes later)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def query_string_now() -> str | None:
    """The page's query string if the kernel already has it, else None (pre-heated, waiting)."""
    if preheated() and "QUERY_STRING" not in os.environ:
        return None
    return os.environ.get("QUERY_STRING", "")


def query_string(wait_s: float = WAIT_S) -> str:
    """The page's query string, waiting for a pre-heated kernel's request at most ``wait_s``."""
    now = query_string_now()
    if now is not None:
        return now
    try:
        from voila.utils import wait_for_request
    except ImportError:  # not under Voilà at all
        return ""

    def receive():
        try:
            wait_for_request()
        except Exception:  # no server to ask (JupyterLab, a test): no workshop, no crash
            pass

    # a daemon thread: wait_for_request() itself has no timeout once connected
    waiter = threading.Thread(target=receive, name="voila-query", daemon=True)
    waiter.start()
    waiter.join(wait_s)
    return os.environ.get("QUERY_STRING", "")
