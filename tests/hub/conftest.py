"""The hub tests: the local deployment with two trainees and an instructor, once per session
(bringing it up costs ~30 s), and Debian's Chromium with the fake camera for the browser part."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hub_client import HubUser
from hub_deployment import Deployment, require_root_and_hub

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
USERS = {"alice": "trainee", "bob": "trainee", "instructor": "instructor",
         "sam": "supervisor"}  # sam never signs in (test_hub_feedback_loop.py)


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    why = require_root_and_hub()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the hub tests: {why}")
        pytest.skip(why)
    d = Deployment(USERS, tmp_path_factory.mktemp("hub") / "hub.log")
    try:
        d.up()
        yield d
    except BaseException:
        print("hub log (tail):\n" + d.log_tail())
        raise
    finally:
        d.down()


@pytest.fixture(scope="session")
def users(hub) -> dict[str, HubUser]:
    """Everyone signed in (so the hub knows the instructor's group) with their server up."""
    out = {}
    for name in ("instructor", "alice", "bob"):
        out[name] = HubUser(hub.base, name, hub.passwords[name]).login()
        out[name].start_server()
    return out


@pytest.fixture(scope="session")
def hub_browser(tmp_path_factory, playwright_driver):
    from browser_support import BASE_ARGS, CHROMIUM, FAKE_MEDIA_ARGS, write_y4m

    camera = write_y4m(tmp_path_factory.mktemp("camera") / "camera.y4m")
    b = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=BASE_ARGS + FAKE_MEDIA_ARGS + [f"--use-file-for-fake-video-capture={camera}"])
    yield b
    b.close()
