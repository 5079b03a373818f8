"""Acceptance (issue 15): the local deployment with two trainees and an instructor. alice signs
in to the hub, lands in the practice app, records an answer with the (fake) camera and sends it
to the instructor; the instructor signs in, lands in the review app, finds it, plays it and
returns feedback; alice's open page shows it. Both sides in Debian's Chromium, each person in
their own browser context (their own hub cookie), each app in their own server as their own
Unix user, the attempt and the feedback through the exchange service."""
from __future__ import annotations

import json
import pwd
import time
from pathlib import Path

from browser_support import record_answer, wait_captions_loaded
from views import practice_clip


def sign_in(browser, hub, name: str, **context):
    ctx = browser.new_context(viewport={"width": 1280, "height": 1100}, **context)
    page = ctx.new_page()
    page.set_default_timeout(90_000)
    page.console = []
    page.on("console", lambda m: page.console.append(f"{m.type}: {m.text}"))
    page.goto(hub.base + "/hub/login")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(hub.passwords[name])
    page.locator("#login_submit").click()
    return ctx, page


def test_alice_records_and_sends_the_instructor_returns_alice_sees_it(hub, users, hub_browser):
    clip = practice_clip()
    alice_ctx, alice = sign_in(hub_browser, hub, "alice",
                               permissions=["camera", "microphone"])
    inst_ctx, inst = None, None
    try:
        # the hub's default URL for a trainee: the practice app, as alice, with no name box
        alice.get_by_text("Practising as").wait_for()
        assert "/user/alice/voila/render/notebooks/practice.ipynb" in alice.url
        assert "alice" in alice.locator("h1 + p").inner_text()
        assert alice.get_by_role("textbox", name="Your name").count() == 0
        alice.get_by_role("button", name=f"Practise: {clip.title}").click()
        alice.get_by_role("button", name="Play clip", exact=True).wait_for()
        # the clip's captions load (a <track> fetch is refused by a hub's server without the
        # XSRF token: the player fetches them with it)
        wait_captions_loaded(alice)
        record_answer(alice, 3.0)
        alice.get_by_role("button", name="Send attempt 1 for feedback").click()
        alice.get_by_role("textbox", name="Reviewer's name").fill("instructor")
        alice.get_by_role("combobox", name="Reviewer's role").select_option(label="Instructor")
        alice.get_by_role("button", name="Send", exact=True).click()
        alice.get_by_role("status").filter(has_text="Sent to instructor (instructor).") \
            .wait_for()
        # alice's recording is in her own home, hers alone; the service has its own copy
        home = Path(pwd.getpwnam("alice").pw_dir)
        webms = list((home / "rupture/trainees/alice/recordings").glob("*.webm"))
        assert len(webms) == 1 and webms[0].stat().st_uid == pwd.getpwnam("alice").pw_uid

        # the instructor lands in the review app (the hub group 'instructors')
        inst_ctx, inst = sign_in(hub_browser, hub, "instructor")
        inst.get_by_text("Reviewing as").wait_for()
        assert "/user/instructor/voila/render/notebooks/review.ipynb" in inst.url
        item = inst.get_by_role("button", name=f"Review alice's answer to {clip.title}")
        item.click()
        inst.locator(".rw-answer-player[data-state='loaded']").wait_for()
        inst.evaluate("document.querySelector('.rw-answer-video').play()")
        inst.wait_for_function("document.querySelector('.rw-answer-video').currentTime > 0.5")
        inst.get_by_role("combobox", name="Empathy").select_option(label="4")
        inst.get_by_role("textbox", name="Summary").fill("Warm, and you named the rupture.")
        inst.get_by_role("button", name="Return to trainee").click()
        inst.get_by_role("status").filter(has_text="Returned to alice").wait_for()

        # alice's page, open all along, shows the feedback
        alice.get_by_text("Feedback from instructor (instructor)").wait_for(timeout=60_000)
        assert "Warm, and you named the rupture." in \
            alice.locator("section.rw-feedback").inner_text()
        alice.screenshot(path=str(hub.log.parent / "alice-feedback.png"), full_page=True)
        inst.screenshot(path=str(hub.log.parent / "instructor-returned.png"), full_page=True)
    except BaseException:
        for who, page in (("alice", alice), ("instructor", inst)):
            if page is not None:
                page.screenshot(path=str(hub.log.parent / f"{who}-failed.png"), full_page=True)
                print(f"{who}'s console:\n" + "\n".join(page.console[-30:]))
        print("hub log (tail):\n" + hub.log_tail(8000))
        raise
    finally:
        alice.close(run_before_unload=True)  # as a person closes the tab: the page's shutdown
        alice_ctx.close()
        if inst_ctx is not None:
            inst_ctx.close()
    # closing her tab ended its kernel (the page's own shutdown, with the _xsrf cookie the
    # project's server extension sets): nothing of hers keeps running for the culler to find
    alice_api = users["alice"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = alice_api.request("GET", "/user/alice/api/kernels")
        if status == 200 and json.loads(body) == []:
            break
        time.sleep(1)
    assert json.loads(body) == [], "alice's kernel outlived her closed tab"


def test_a_reviewer_who_has_never_signed_in_can_be_sent_to(hub, users):
    """sam, a supervisor, has never signed in: the hub knows every member and their groups from
    its start, so the exchange lets alice send to sam as a supervisor (and not as an
    instructor), and still says so plainly of a name that is no member."""
    api = "/services/rupture-exchange/api/sent"
    alice = users["alice"]
    assert "sam" not in users  # never signed in, no server
    status, body = alice.request("POST", api, {"reviewer": "sam", "role": "supervisor"})
    # past the reviewer check, stopped only by what this request leaves out (no attempt)
    assert (status, b"needs the attempt" in body) == (400, True), body
    status, body = alice.request("POST", api, {"reviewer": "sam", "role": "instructor"})
    assert (status, b"not in the hub group" in body) == (403, True), body
    status, body = alice.request("POST", api, {"reviewer": "nobody-here", "role": "peer"})
    assert (status, b"nobody called" in body) == (404, True), body
