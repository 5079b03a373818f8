"""The whole feedback loop, as two people who never share a screen do it: a trainee in the
practice app and a reviewer in the review app, two Voilà servers on one workspace, two browser
contexts. The trainee records and sends; the reviewer finds it in the queue, plays it, pins two
comments at different moments, scores all 8 rubric items, tags a strategy and returns it; the
trainee's open page shows the feedback (no reload) and a comment plays the answer from there."""
from __future__ import annotations

import os

import pytest

from browser_support import ROOT, Server, free_port, record_answer, watch_recorder

CLIP_TITLE = "How does my childhood help?"
REVIEWER = "Dr Sam Rivera"


@pytest.fixture
def two_apps(tmp_path):
    from rupture_widgets.server.serve import (REVIEW_NOTEBOOK, serve_environment,
                                              voila_command)

    workspace = tmp_path / "workspace"
    p1, p2 = free_port(), free_port()
    practice = Server(voila_command(p1), p1, serve_environment(workspace), ROOT,
                      tmp_path / "practice.log")
    env = serve_environment(workspace)
    env["RUPTURE_REVIEWER"] = REVIEWER
    review = Server(voila_command(p2, notebook=REVIEW_NOTEBOOK), p2, env, ROOT,
                    tmp_path / "review.log")
    yield practice, review
    practice.stop()
    review.stop()


def shot(page, name: str) -> None:
    """Screenshots of each view for a person to look at, when $RUPTURE_SHOTS names a folder."""
    folder = os.environ.get("RUPTURE_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def set_answer_time(page, seconds: float) -> None:
    """Move the reviewer's answer player as a person dragging its slider does."""
    page.evaluate("""(t) => { const v = document.querySelector('.rw-answer-video');
                              v.pause(); v.currentTime = t; }""", seconds)
    page.wait_for_function("(t) => Math.abs(document.querySelector('.rw-answer-video')"
                           ".currentTime - t) < 0.05", arg=seconds)
    page.wait_for_timeout(600)  # the moment reaches the kernel (reported on 'seeked')


def test_a_trainee_and_a_reviewer_complete_the_loop(browser, two_apps):
    practice, review = two_apps
    trainee_ctx = browser.new_context(permissions=["camera", "microphone"],
                                      viewport={"width": 1280, "height": 1000})
    reviewer_ctx = browser.new_context(viewport={"width": 1280, "height": 1400})
    try:
        trainee = trainee_ctx.new_page()
        trainee.set_default_timeout(60_000)
        trainee.goto(practice.app_url)
        trainee.get_by_role("textbox", name="Your name").fill("Robin Loop")
        trainee.get_by_role("button", name="Start practising").click()
        trainee.get_by_role("button", name=f"Practise: {CLIP_TITLE}").click()
        watch_recorder(trainee)
        record_answer(trainee, 5)
        trainee.locator(".rw-recorder[data-answer='local']").wait_for()  # replayed at once
        shot(trainee, "practice-after-stop")
        trainee.get_by_role("button", name="Send attempt 1 for feedback").click()
        trainee.get_by_role("textbox", name="Reviewer's name").fill(REVIEWER)
        trainee.get_by_role("combobox", name="Reviewer's role").select_option(label="Supervisor")
        trainee.get_by_role("button", name="Send", exact=True).click()
        trainee.get_by_role("status").filter(has_text=f"Sent to {REVIEWER} (supervisor).") \
            .wait_for()

        rev = reviewer_ctx.new_page()
        rev.set_default_timeout(60_000)
        rev.goto(review.app_url)
        rev.get_by_text("Reviewing as").wait_for()
        rev.get_by_role("button", name=f"Review robin.loop's answer to {CLIP_TITLE}").wait_for()
        shot(rev, "review-queue")
        rev.get_by_role("button", name=f"Review robin.loop's answer to {CLIP_TITLE}").click()
        rev.locator(".rw-answer-player[data-state='loaded']").wait_for()
        rev.evaluate("document.querySelector('.rw-answer-video').play()")
        rev.wait_for_function("document.querySelector('.rw-answer-video').currentTime > 0.5")
        set_answer_time(rev, 1.0)
        rev.get_by_role("textbox", name="Comment").fill("You slowed down here: good.")
        rev.get_by_role("button", name="Pin comment at 0:01.0").click()
        set_answer_time(rev, 3.5)
        rev.get_by_role("textbox", name="Comment").fill("Name the rupture here.")
        rev.get_by_role("button", name="Pin comment at 0:03.5").click()
        for label in ("Verbal fluency", "Hope & positive expectations", "Persuasiveness",
                      "Emotional expression", "Warmth, acceptance & understanding", "Empathy",
                      "Alliance bond capacity", "Alliance rupture-repair responsiveness"):
            rev.get_by_role("combobox", name=label).select_option(label="4")
        rev.get_by_role("checkbox", name="S4", exact=False).first.check()
        rev.get_by_role("textbox", name="Summary").fill("Warm and direct.")
        rev.get_by_role("button", name="Return to trainee").click()
        rev.get_by_role("status").filter(has_text="Returned to robin.loop").wait_for()
        shot(rev, "review-form")

        # the trainee's page, open all along: the feedback arrives without a reload
        trainee.get_by_text(f"Feedback from {REVIEWER} (supervisor)").wait_for(timeout=30_000)
        feedback = trainee.locator("section.rw-feedback")
        assert "Warm and direct." in feedback.inner_text()
        assert feedback.locator(".rw-ratings li").count() == 8
        first = trainee.get_by_role("button", name="0:01.0 You slowed down here: good.")
        second = trainee.get_by_role("button", name="0:03.5 Name the rupture here.")
        first.wait_for()
        second.click()
        trainee.locator(".rw-answer-player[data-state='loaded']").wait_for()
        trainee.wait_for_function(
            "() => { const v = document.querySelector('.rw-answer-player .rw-answer-video');"
            " return v && v.currentTime >= 3.3; }")
        shot(trainee, "practice-feedback")
    finally:
        trainee_ctx.close()
        reviewer_ctx.close()
