"""The page around the apps: Voilà's lab template without its CDN links, with the apps'
stylesheet, as `rupture serve` renders it ("rupture", server/jupyter/voila/templates/rupture/;
docs/decisions.md #23). The browser tests check what the page then does (tests/browser/
test_offline.py, test_accessibility.py, test_phone_layout.py)."""
from __future__ import annotations

import json
import os
import urllib.request
from http.cookiejar import CookieJar

import pytest

from rupture_widgets.server.serve import CONFIG, JUPYTER_DATA, serve_environment
from served_app import Served, is_app

TEMPLATE = JUPYTER_DATA / "voila" / "templates" / "rupture"


def test_serve_puts_the_template_first_on_the_jupyter_path_keeping_the_rest(tmp_path):
    env = serve_environment(tmp_path / "ws", base={"JUPYTER_PATH": os.pathsep.join(
        ["/opt/a", str(JUPYTER_DATA), "/opt/b"])})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(JUPYTER_DATA), "/opt/a", "/opt/b"]
    assert serve_environment(tmp_path / "ws", base={})["JUPYTER_PATH"] == str(JUPYTER_DATA)


def test_voila_finds_the_template_and_its_lab_parent(monkeypatch):
    from voila.paths import collect_template_paths

    assert json.loads(CONFIG.read_text())["VoilaConfiguration"]["template"] == "rupture"
    monkeypatch.setenv("JUPYTER_PATH", str(JUPYTER_DATA))
    paths = collect_template_paths(["voila", "nbconvert"], "rupture", prune=True)
    assert paths[0] == str(TEMPLATE)
    assert any(p.endswith(os.path.join("voila", "templates", "lab")) for p in paths)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("template")
    server = Served.rupture_serve(tmp / "workspace", tmp / "serve.log")
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with opener.open(server.url, timeout=120) as resp:
            yield resp.read().decode()
    finally:
        server.stop()


def test_rupture_serve_renders_the_app_in_the_template(page):
    assert is_app(page)
    assert "<title>Rupture repair practice</title>" in page
    assert 'id="rupture-page-style"' in page and ":focus-visible" in page
    assert '<div id="rendered_cells" role="main"' in page


def test_the_page_links_nothing_on_another_host(page):
    """Voilà's lab template links Font Awesome from cdn.jsdelivr.net; ours does not."""
    import re

    links = re.findall(r"<(?:link|script)\b[^>]*(?:href|src)=\"([^\"]+)\"", page)
    assert links and not [u for u in links if "://" in u or u.startswith("//")]
