"""The practice app opened from a workshop link, in a real `rupture serve` Voilà (pre-heated
kernels, as served): the library shows exactly the link's clips, in the link's order."""
from __future__ import annotations

import os
import sys
from urllib.parse import quote

import pytest

from browser_support import ROOT, Server, free_port

SHOTS = os.environ.get("RUPTURE_WORKSHOP_SHOTS")  # a folder: keep screenshots of the library


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Its own server: the first page takes the pre-heated kernel that ran before any request."""
    from rupture_widgets.server.serve import serve_environment, voila_command

    port = free_port()
    env = serve_environment(tmp_path_factory.mktemp("workshop") / "workspace")
    env.pop("RUPTURE_TRAINEE", None)
    env.pop("JUPYTERHUB_USER", None)
    served = Server(voila_command(port), port, env, ROOT,
                    tmp_path_factory.mktemp("logs") / "voila.log")
    yield served
    served.stop()


def open_workshop(page, server, query: str, name: str) -> None:
    page.goto(f"{server.app_url}&{query}")
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("button", name="Start practising").click()
    page.locator(".rw-level-section .rw-clip-card").first.wait_for()


def shown(page) -> list[str]:
    return page.eval_on_selector_all(".rw-level-section .rw-clip-card",
                                     "cards => cards.map(c => c.dataset.clip)")


@pytest.mark.parametrize("width", [1280, 400])
def test_the_library_shows_exactly_the_workshops_clips_in_order(page, server, width):
    clips = ["w1-intermediate-maya", "c3-beginner-maya", "c1-beginner-kwame"]
    query = ("workshop=wk-browser&clips=" + ",".join(clips[:2] + ["no-such-clip"] + clips[2:])
             + "&title=" + quote("Week 1 <b>repair</b>"))
    page.set_viewport_size({"width": width, "height": 900})
    open_workshop(page, server, query, f"Workshop Trainee {width}")
    assert shown(page) == clips
    recommended = page.locator(".rw-recommended .rw-clip-card").get_attribute("data-clip")
    assert recommended == clips[0]
    heading = page.locator(".rw-library").inner_text()
    assert "Week 1 <b>repair</b>" in heading  # the typed title as text, never markup
    assert "no-such-clip" in heading and "left out" in heading
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"practice-workshop-{width}.png"),
                        full_page=True)


def test_a_page_without_a_workshop_still_shows_the_whole_library(page, server):
    from rupture_widgets.library.catalog import load_catalog

    page.goto(server.app_url)
    page.get_by_role("textbox", name="Your name").fill("No Workshop")
    page.get_by_role("button", name="Start practising").click()
    page.locator(".rw-level-section .rw-clip-card").first.wait_for()
    assert len(shown(page)) == len(load_catalog().clips)


@pytest.fixture(scope="module")
def extension_server(tmp_path_factory):
    """Jupyter Server with Voilà as its extension, as Binder and JupyterHub run it: no pre-heated
    kernel, so the kernel started for the page has the query in $QUERY_STRING from the start."""
    from rupture_widgets.server.serve import serve_environment

    port = free_port()
    env = serve_environment(tmp_path_factory.mktemp("extension") / "workspace")
    for name in ("RUPTURE_TRAINEE", "JUPYTERHUB_USER"):
        env.pop(name, None)
    served = Server([sys.executable, "-m", "jupyter", "server", f"--port={port}", "--no-browser",
                     "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={ROOT}",
                     f"--IdentityProvider.token={env['JUPYTER_TOKEN']}"], port, env, ROOT,
                    tmp_path_factory.mktemp("logs") / "jupyter-server.log")
    yield served
    served.stop()


def test_a_link_through_voila_as_a_server_extension_opens_the_workshop(page, extension_server):
    """The page a Binder or nbgitpuller link redirects to: voila/render/notebooks/practice.ipynb
    with the workshop's query (and the token the service appends)."""
    clips = ["c1-beginner-kwame", "w1-intermediate-maya"]
    page.goto(f"{extension_server.url}voila/render/notebooks/practice.ipynb?workshop=ext-1"
              f"&clips={','.join(clips)}&token={extension_server.token}")
    page.get_by_role("textbox", name="Your name").fill("Extension Trainee")
    page.get_by_role("button", name="Start practising").click()
    page.locator(".rw-level-section .rw-clip-card").first.wait_for()
    assert shown(page) == clips
    assert "ext-1" in page.locator(".rw-library").inner_text()
