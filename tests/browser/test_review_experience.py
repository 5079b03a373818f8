"""The review app as a reviewer meets it: focus at each new view, Enter pins a comment, and a
reload comes back to the attempt under review (Chromium against a real Voilà)."""
from __future__ import annotations

import re

import pytest
from browser_support import wait_focus
from views import REVIEWER, SEEDED_TRAINEE, practice_clip, served_review_app


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    with served_review_app(tmp_path_factory.mktemp("review-ux")) as server:
        yield server


def test_focus_moves_to_each_view_and_a_reload_returns_to_the_attempt(page, review_server):
    page.goto(review_server.app_url)
    page.get_by_role("textbox", name="Your name").fill(REVIEWER)
    page.get_by_role("textbox", name="Your name").press("Enter")
    wait_focus(page, r"^h2\|Sent to you for feedback$")
    title = practice_clip().title
    page.get_by_role("button", name=f"Review {SEEDED_TRAINEE}'s answer to {title}").click()
    wait_focus(page, r"^h2\|" + re.escape(f"{SEEDED_TRAINEE}: {title}"))
    page.locator(".rw-answer-player[data-state='loaded']").wait_for()

    # Enter pins a comment, as the button does
    box = page.get_by_role("textbox", name="Comment")
    box.click()
    page.keyboard.type("Warm opening")
    page.keyboard.press("Enter")
    page.locator(".rw-comment", has_text="Warm opening").wait_for()
    assert box.input_value() == ""

    page.wait_for_function("location.hash.includes('view=attempt')")
    page.reload()
    wait_focus(page, r"^h2\|" + re.escape(f"{SEEDED_TRAINEE}: {title}"))
    assert page.get_by_role("textbox", name="Your name").count() == 0
    page.get_by_text(f"Reviewing as {REVIEWER}").wait_for()
    page.locator(".rw-comment", has_text="Warm opening").wait_for()  # the draft was kept
