"""Binder: a server built from the ``binder/`` files alone, as repo2docker builds it, with Voilà
as an extension of `jupyter server` under Binder's kind of base URL (``/user/test/``), opened
the way a Binder link opens it (``…/voila/render/notebooks/practice.ipynb``).

Each setting the app relies on is shown to hold on that real server (docs/decisions.md #33):
clip media served under the base URL to the logged-in user only, nothing outside the
allow-list and no link leading out of the library; the "rupture" page template, linking nothing
elsewhere, with the Content-Security-Policy; a websocket message above tornado's 10 MiB default
arriving; the page's shutdown request ending its kernel; culling as configured; and the practice
flow (name, clip, play, record, stop) logged in the workbook in ``$HOME/workspace``.
The build (copy, venv, requirements, postBuild) takes 40–80 s with wheels at hand
(docs/testing.md).
"""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from binder_support import BASE_URL, BinderServer, build, hub_home
from browser_support import ROOT, record_answer, wait_captions_loaded, wait_status, watch_recorder
from served_app import is_app, kernel_id

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from kernel_client import KernelClient  # noqa: E402  (tests/server/kernel_client.py)

VOILA_JSON = json.loads((ROOT / "notebooks" / "voila.json").read_text(encoding="utf-8"))
SECRET = b"a trainee's face and voice"


@pytest.fixture(scope="module")
def binder(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("binder")
    home, venv = tmp / "home", tmp / "env"
    times = build(home, venv, tmp / "build.log")
    print("binder build, seconds per step:", {k: round(v, 1) for k, v in times.items()})
    # what must never be served: a recording in the workspace, a link to it named like a clip
    recordings = home / "workspace" / "trainees" / "sam" / "recordings"
    recordings.mkdir(parents=True)
    (recordings / "answer.webm").write_bytes(SECRET)
    (home / "clips" / "media" / "leak.mp4").symlink_to(recordings / "answer.webm")
    server = BinderServer(home, venv, tmp / "server.log")
    server.venv = venv
    try:
        yield server
    finally:
        server.stop()
        if os.environ.get("RUPTURE_BINDER_LOG"):
            print(server.log.read_text(errors="replace")[-6000:])


def raw_get(server, target: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("GET", target, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def api(server, method: str, path: str) -> object:
    request = urllib.request.Request(f"{server.root}api/{path}", method=method,
                                     headers={"Authorization": f"token {server.token}"},
                                     data=b"{}" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=60) as resp:
        return json.loads(resp.read() or b"null")


def test_the_server_runs_this_checkout_from_the_environment_binder_built(binder):
    where = subprocess.run([str(binder.venv / "bin" / "python"), "-c",
                            "import rupture_widgets, voila; print(rupture_widgets.__file__)"],
                           capture_output=True, text=True, check=True, cwd=binder.home.parent,
                           env={"PATH": os.environ["PATH"], "HOME": str(binder.home)})
    assert Path(where.stdout.strip()).is_relative_to(binder.home)
    config = json.loads((binder.home / ".jupyter" / "jupyter_server_config.json").read_text())
    assert config == json.loads((ROOT / "binder" / "jupyter_server_config.json").read_text())
    log = binder.log.read_text(errors="replace")
    assert "rupture_widgets.server.extension | extension was successfully loaded" in log
    assert "voila.server_extension | extension was successfully loaded" in log


CLIP = "clips/media/c3-beginner-maya.jpg"


@pytest.mark.parametrize("path, token, expected", [
    (CLIP, True, 200),
    (CLIP, False, 403),  # Voilà's own route served it to anyone (measured before the fix)
    ("clips/media/leak.mp4", True, 403),  # allow-listed name, but a link out of the library
    ("workspace/trainees/sam/recordings/answer.webm", True, 403),
    ("notebooks/practice.ipynb", True, 403),
    ("binder/jupyter_server_config.json", True, 403),
], ids=["clip", "clip-no-token", "link-out", "recording", "notebook", "config"])
def test_clip_media_only_under_the_base_url_to_the_logged_in(binder, path, token, expected):
    query = f"?token={binder.token}" if token else ""
    status, _, body = raw_get(binder, f"{BASE_URL}voila/files/{path}{query}")
    assert status == expected
    assert SECRET not in body
    if expected == 200:
        assert body == (binder.home / path).read_bytes()


def test_the_page_is_the_rupture_template_linking_nothing_elsewhere(binder):
    status, headers, body = raw_get(binder, f"{BASE_URL}voila/render/notebooks/practice.ipynb"
                                            f"?token={binder.token}")
    page = body.decode()
    assert status == 200 and is_app(page)
    assert "<title>Rupture repair practice</title>" in page
    assert 'id="rupture-page-style"' in page  # the template's own stylesheet
    links = re.findall(r"<(?:link|script)\b[^>]*(?:href|src)=\"([^\"]+)\"", page)
    assert links and not [u for u in links if "://" in u or u.startswith("//")]
    assert [u for u in links if u.startswith("/")] == [
        u for u in links if u.startswith(BASE_URL)]  # every asset under the base URL
    csp = VOILA_JSON["Voila"]["tornado_settings"]["headers"]["Content-Security-Policy"]
    assert headers["Content-Security-Policy"] == csp


def test_a_websocket_message_above_tornados_default_arrives(binder):
    """A recording's chunks and a Download my work bundle travel in kernel messages; tornado
    closes a websocket whose message exceeds 10 MiB unless the server raises the cap."""
    kid = api(binder, "POST", "kernels")["id"]
    try:
        client = KernelClient(binder.root, kid, "v1",
                              header=[f"Authorization: token {binder.token}"])
        assert client.kernel_info() == "ok"
        size = 16 * 2**20
        msg_id = client.send("execute_request", {
            "code": f"len(b'''{'x' * size}''')", "silent": False, "store_history": False,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        result = client.wait_for(lambda m: m["msg_type"] == "execute_result"
                                 and m["parent_header"].get("msg_id") == msg_id, 120)
        assert result is not None, "the 16 MiB message never reached the kernel"
        assert result["content"]["data"]["text/plain"] == str(size)
        client.close()
    finally:
        api(binder, "DELETE", f"kernels/{kid}")


def _form(fields: dict) -> tuple[bytes, str]:
    b = uuid.uuid4().hex
    body = "".join(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in fields.items()) + f"--{b}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={b}"


def test_the_pages_shutdown_request_ends_its_kernel(binder):
    """As the page sends it on beforeunload: the _xsrf field copied from the cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    kid = kernel_id(opener.open(binder.app_url, timeout=120).read().decode())
    cookies = {c.name: c.value for c in jar}
    assert "_xsrf" in cookies, "the page set no _xsrf cookie: its shutdown request would fail"
    assert kid in [k["id"] for k in api(binder, "GET", "kernels")]
    body, ctype = _form({"_xsrf": cookies["_xsrf"]})
    request = urllib.request.Request(f"{binder.root}voila/api/shutdown/{kid}", data=body,
                                     method="POST", headers={"Content-Type": ctype})
    assert opener.open(request, timeout=30).status < 300
    deadline = time.monotonic() + 15
    while kid in [k["id"] for k in api(binder, "GET", "kernels")]:
        assert time.monotonic() < deadline, "the kernel outlived its page"
        time.sleep(0.3)


def test_kernels_are_culled_as_voila_json_says(binder):
    kid = api(binder, "POST", "kernels")["id"]  # the culler starts with the first kernel
    api(binder, "DELETE", f"kernels/{kid}")
    cull = VOILA_JSON["MappingKernelManager"]
    said = (f"Culling kernels with idle durations > {cull['cull_idle_timeout']} seconds at "
            f"{cull['cull_interval']} second intervals")
    assert said in binder.log.read_text(errors="replace")


def practise_once(page, app_url: str, files_prefix: str, trainee: str):
    """Name, a clip (fetched from ``files_prefix``), play, record 2 s, Stop: the clip."""
    from rupture_widgets.library.catalog import load_catalog

    clip = min((c for c in load_catalog().clips if c.level == "beginner"),
               key=lambda c: c.duration_s)
    page.goto(app_url)
    page.get_by_role("textbox", name="Your name").fill(trainee)
    page.get_by_role("button", name="Start practising").click()
    page.get_by_role("button", name=f"Practise: {clip.title}").first.click()
    watch_recorder(page)
    src = page.locator("video.rw-clip-video").get_attribute("src")
    assert src.startswith(files_prefix) and src.endswith(clip.media), src
    wait_captions_loaded(page)  # (the caption file through the same route as the clip)
    page.get_by_role("button", name="Play clip", exact=True).click()
    page.wait_for_function("document.querySelector('video.rw-clip-video').currentTime > 0.5")
    wait_status(page, "idle")
    record_answer(page, 2)
    return clip


def assert_logged(workspace: Path, trainee_id: str, clip) -> None:
    from rupture_widgets.workbook import Workspace

    workbook = Workspace(workspace).workbook(trainee_id)
    [attempt] = workbook.attempts()
    assert attempt.status == "complete" and attempt.clip_id == clip.id
    assert workbook.recording_path(attempt.id).stat().st_size > 10_000
    assert attempt.duration_s == pytest.approx(2, abs=1.0)


def test_a_binder_link_opens_the_app_and_an_answer_is_logged(binder, page):
    clip = practise_once(page, binder.app_url, f"{BASE_URL}voila/files/clips/", "Robin Binder")
    page.screenshot(path=str(binder.home.parent / "binder-practice.png"), full_page=True)
    assert_logged(binder.home / "workspace", "robin.binder", clip)  # binder/start's workspace


def test_jupyterlab_on_the_same_server_works_under_the_apps_policy(binder, page):
    """The Content-Security-Policy applies to the whole server, JupyterLab included (Binder's
    default view, where an instructor opens workbooks): it still starts and runs a kernel."""
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{binder.root}lab/tree/notebooks/practice.ipynb?token={binder.token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
    assert blocked == []


# -- a JupyterHub: the repository pulled by nbgitpuller into ~/<folder> -------------------------

HUB_FOLDER = "rupture-widgets"


@pytest.fixture(scope="module")
def hub(binder, tmp_path_factory):
    """The hub's server as binder/README.md says to set it up, from the same environment."""
    home = hub_home(tmp_path_factory.mktemp("hub") / "jovyan", binder.home, HUB_FOLDER)
    library = home / HUB_FOLDER / "clips"
    recordings = home / "workspace" / "trainees" / "sam" / "recordings"
    recordings.mkdir(parents=True)
    (recordings / "answer.webm").write_bytes(SECRET)
    (library / "media" / "leak.mp4").symlink_to(recordings / "answer.webm")
    server = BinderServer(home, binder.venv, home.parent / "hub.log", hub=True,
                          env={"RUPTURE_CLIPS": str(library),
                               "RUPTURE_WORKSPACE": str(home / "workspace")})
    server.app_url = (f"{server.root}voila/render/{HUB_FOLDER}/notebooks/practice.ipynb"
                      f"?token={server.token}")
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("path, token, expected", [
    (f"{HUB_FOLDER}/{CLIP}", True, 200),
    (f"{HUB_FOLDER}/{CLIP}", False, 403),
    (f"{HUB_FOLDER}/clips/media/leak.mp4", True, 403),
    ("workspace/trainees/sam/recordings/answer.webm", True, 403),
], ids=["clip", "clip-no-token", "link-out", "recording"])
def test_on_a_hub_clips_come_from_the_pulled_folder_only(hub, path, token, expected):
    query = f"?token={hub.token}" if token else ""
    status, _, body = raw_get(hub, f"{BASE_URL}voila/files/{path}{query}")
    assert status == expected
    assert SECRET not in body


def test_an_nbgitpuller_link_opens_the_app_with_its_clips(hub, page):
    clip = practise_once(page, hub.app_url, f"{BASE_URL}voila/files/{HUB_FOLDER}/clips/",
                         "Robin Hub")
    assert_logged(hub.home / "workspace", "robin.hub", clip)
