"""Enter submits a form with all that was typed, even when the text arrives after the Enter."""
from __future__ import annotations

import time

import ipywidgets as w

from rupture_widgets.apps.forms import on_enter

ENTER = {"event": "submit"}


def wait_until(condition, timeout=3.0):
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)
    return condition()


def test_text_that_arrives_after_enter_is_what_is_submitted():
    box, seen = w.Text(), []
    on_enter(box, lambda: seen.append(box.value), settle_s=5.0)
    box.value = "D"                      # the first keystroke reached the kernel
    box._handle_custom_msg(ENTER, [])    # Enter overtook the rest of the typing ...
    assert seen == []                    # ... so nothing is submitted yet
    box.value = "Dr Key"                 # the held-back text arrives
    assert seen == ["Dr Key"]            # submitted at once, with all of it


def test_enter_with_everything_already_there_submits_after_the_settle_time():
    box, seen = w.Text(value="Dr Lee"), []
    on_enter(box, lambda: seen.append(box.value), settle_s=0.05)
    box._handle_custom_msg(ENTER, [])
    assert wait_until(lambda: seen == ["Dr Lee"])
    box.value = "Dr Lee, again"          # typing afterwards is not another submit
    time.sleep(0.1)
    assert seen == ["Dr Lee"]


def test_two_enters_before_the_text_settles_submit_once():
    box, seen = w.Text(), []
    on_enter(box, lambda: seen.append(box.value), settle_s=0.05)
    box._handle_custom_msg(ENTER, [])
    box._handle_custom_msg(ENTER, [])
    assert wait_until(lambda: seen == [""]) and (time.sleep(0.1) or seen == [""])
