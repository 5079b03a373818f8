"""Servers and Chromium for the benchmarks: the same set-up as the browser tests.

The fake camera, server process handling and recorder-status log live with the browser tests
(tests/browser/browser_support.py); the benchmarks reuse them rather than keep a second copy.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_support import (BASE_ARGS, CHROMIUM, FAKE_MEDIA_ARGS, Server,  # noqa: E402
                             free_port, status_times, wait_status, watch_recorder, write_y4m)

__all__ = ["BASE_ARGS", "CHROMIUM", "FAKE_MEDIA_ARGS", "ROOT", "Server", "free_port",
           "status_times", "wait_status", "watch_recorder", "write_y4m", "launch"]


def launch(playwright, camera_y4m: Path | None = None):
    args = BASE_ARGS + FAKE_MEDIA_ARGS
    if camera_y4m:
        args = args + [f"--use-file-for-fake-video-capture={camera_y4m}"]
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
