"""What the apps' forms share: Enter in a text box submits its form, with all that was typed.

ipywidgets sends Enter as a 'submit' message, but that message can overtake the text itself:
the page holds back state updates while the kernel is busy with the previous one and sends
them merged once it is idle, whereas a custom message goes at once. Typed quickly ("Dr Key",
Enter), the kernel saw the submit while the box still said "D". So Enter is acted on once the
held-back text has arrived: at the next change of the value, or, when none comes (the kernel
had it all), after SETTLE_S.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import ipywidgets as w

#: how long to wait for held-back text after Enter (the page sends it as soon as the kernel is
#: idle again, i.e. right after the submit has been handled: milliseconds on a local server)
SETTLE_S = 0.3


def on_enter(text: w.Text, submit: Callable[[], None], settle_s: float = SETTLE_S) -> None:
    """Enter in ``text`` calls ``submit()`` once the text as typed has reached the kernel."""
    lock = threading.Lock()
    pending: list[threading.Timer] = []

    def fire() -> None:
        with lock:
            if not pending:
                return
            pending.pop().cancel()
        submit()

    def entered(_widget, content, _buffers) -> None:
        if not (isinstance(content, dict) and content.get("event") == "submit"):
            return
        with lock:
            if pending:  # Enter twice before the text settled: one submit
                return
            timer = threading.Timer(settle_s, fire)
            timer.daemon = True
            pending.append(timer)
        timer.start()

    text.continuous_update = True  # the kernel follows the typing; Enter only says "done"
    text.observe(lambda _change: fire() if pending else None, "value")
    text.on_msg(entered)
