"""`rupture serve`: the Voilà command line, environment and shipped configuration."""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rupture_widgets.errors import RuptureError
from served_app import free_port, listening
from rupture_widgets.server.serve import (NOTEBOOK, PROJECT, check_workspace, serve_environment,
                                    voila_command)

CONFIG = PROJECT / "notebooks" / "voila.json"


def test_voila_reads_the_shipped_configuration_with_its_types():
    from voila.app import Voila

    app = Voila()
    app.initialize(voila_command(8877)[3:])  # the arguments after `python -m voila`
    assert app.ip == "127.0.0.1"
    assert Path(app.root_dir) == PROJECT  # so clips/ is under the files route
    assert app.tornado_settings["websocket_max_message_size"] >= 64 * 1024 * 1024
    assert app.voila_configuration.file_allowlist == json.loads(CONFIG.read_text())[
        "VoilaConfiguration"]["file_allowlist"]


@pytest.mark.parametrize("path,allowed", [
    ("clips/media/c3-beginner-maya.mp4", True),
    ("clips/media/c3-beginner-maya.vtt", True),
    ("clips/media/c3-beginner-maya.jpg", True),
    ("clips/media/sub/x.mp4", True),
    ("clips/media/x.webm", False),  # no clip is webm; recordings are
    ("clips/catalog.json", False),
    ("clips/../workspace/trainees/a/recordings/x.webm", False),
    ("clips/./media/x.mp4", False),
    ("workspace/trainees/a/recordings/x.webm", False),
    ("notebooks/practice.ipynb", False),
    ("rupture_widgets/serve.py", False),
    ("clips/media/x.mp4.py", False),
])
def test_only_the_clip_library_media_is_allow_listed(path, allowed):
    patterns = json.loads(CONFIG.read_text())["VoilaConfiguration"]["file_allowlist"]
    # Voilà's own check: re.fullmatch, case-insensitive
    assert any(re.fullmatch(p, path, re.IGNORECASE) for p in patterns) is allowed


def test_the_workspace_is_absolute_from_where_serve_was_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = serve_environment(None, "alex", base={})
    assert env["RUPTURE_WORKSPACE"] == str(tmp_path / "workspace")
    assert env["RUPTURE_TRAINEE"] == "alex" and env["RUPTURE_SERVER_ROOT"] == str(PROJECT)
    env = serve_environment(None, None, base={"RUPTURE_WORKSPACE": "elsewhere"})
    assert env["RUPTURE_WORKSPACE"] == str(tmp_path / "elsewhere") and "RUPTURE_TRAINEE" not in env


@pytest.mark.parametrize("workspace", ["clips", "clips/workspace", "clips/media/ws"])
def test_a_workspace_inside_the_clip_library_is_refused(workspace):
    with pytest.raises(RuptureError, match="recordings could be downloaded") as err:
        serve_environment(PROJECT / workspace, None, base={})
    assert str(PROJECT / workspace) in str(err.value) and str(PROJECT / "clips") in str(err.value)


def test_a_workspace_reached_by_the_allow_list_is_refused(tmp_path):
    served = [r"shared/.*\.webm"]
    with pytest.raises(RuptureError, match="allow-listed in voila.json"):
        check_workspace(tmp_path / "shared" / "ws", root=tmp_path, allowlist=served)
    assert check_workspace(tmp_path / "private", root=tmp_path, allowlist=served) == (
        tmp_path / "private")
    assert check_workspace(PROJECT / "workspace") == PROJECT / "workspace"  # the default


def test_the_command_serves_the_practice_notebook_on_localhost_only():
    cmd = voila_command(9000)
    assert str(NOTEBOOK) in cmd and "--port=9000" in cmd and "--no-browser" in cmd
    assert "--Voila.ip=127.0.0.1" in cmd
    assert "--no-browser" not in voila_command(9000, open_browser=True)


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is a POSIX signal")
def test_stopping_rupture_serve_stops_voila(tmp_path):
    """A service manager (or a CI job) stops `rupture serve` with SIGTERM; Voilà must go too."""
    port = free_port()
    rupture = Path(sys.executable).with_name("rupture")
    cmd = [str(rupture)] if rupture.exists() else [sys.executable, "-m", "rupture_widgets.cli"]
    proc = subprocess.Popen([*cmd, "serve", "--port", str(port), "--workspace",
                             str(tmp_path / "workspace")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not listening(port):
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            assert time.monotonic() < deadline, "Voilà did not start listening within 60 s"
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)  # to `rupture serve` only, not its process group
        deadline = time.monotonic() + 10
        while listening(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not listening(port), "the port is still served after SIGTERM"
        proc.wait(timeout=10)
        assert proc.stdout.readline().decode().startswith(f"Practice app: http://127.0.0.1:{port}/")
    finally:  # never leave a server behind, even when `rupture serve` itself is gone
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the session started for this test only
        proc.wait()
