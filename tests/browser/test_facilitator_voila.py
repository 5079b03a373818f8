"""The facilitator notebook as a Voilà app, in Chromium: on demo bundles it shows the links and
the roster; axe-core finds nothing serious at 1280 px, and at 400 px nothing is cut off."""
from __future__ import annotations

import os
import sys

import pytest

from browser_support import ROOT, Server, clipped_controls, free_port

CLIPS = ["w1-intermediate-maya", "c3-beginner-maya", "c1-beginner-kwame"]


@pytest.fixture(scope="module")
def facilitator(tmp_path_factory):
    from rupture_widgets.bundles import export_bundle
    from rupture_widgets.research import demo
    from rupture_widgets.workbook import Workspace

    base = tmp_path_factory.mktemp("facilitator")
    demo.make_demo(base / "laptops", trainees=3, attempts=3, seed=2, media=False)
    laptops = Workspace(base / "laptops")
    (base / "bundles").mkdir()
    for trainee in laptops.trainees():
        export_bundle(laptops, base / "bundles" / f"{trainee}.zip", trainee=trainee)
    env = {**os.environ, "RUPTURE_WORKSPACE": str(base / "review"),
           "RUPTURE_BUNDLES": str(base / "bundles"), "RUPTURE_WORKSHOP_CLIPS": ",".join(CLIPS),
           "RUPTURE_WORKSHOP_CODE": "spring-26", "RUPTURE_WORKSHOP_TITLE": "Spring <i>one</i>",
           "RUPTURE_BINDER_REPO": "jane/rw", "RUPTURE_JUPYTERHUB": "https://hub.example.org"}
    port = free_port()
    server = Server([sys.executable, "-m", "voila", "notebooks/facilitator.ipynb",
                     "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"], port, env, ROOT,
                    base / "voila.log")
    yield server, [laptops.workbook(t).display_name for t in laptops.trainees()]
    server.stop()


def opened(browser, server, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(120_000)
    page.goto(server.url)
    page.locator("table.rw-roster").wait_for()
    return page


def test_the_facilitator_app_shows_links_and_the_roster(browser, facilitator):
    from rupture_widgets.workshop import practice_target
    from test_accessibility import BLOCKING, axe_violations, describe

    server, names = facilitator
    page = opened(browser, server, 1280)
    links = [t.input_value() for t in page.locator("textarea").all()]
    targets = [practice_target(link) for link in links if link]
    assert [t.notebook for t in targets] == ["notebooks/practice.ipynb",
                                             "rw/notebooks/practice.ipynb"]
    assert all(list(t.clips) == CLIPS for t in targets)
    rows = page.locator("table.rw-roster tbody tr")
    shown = sorted(t.split(" (")[0] for t in rows.locator("th").all_inner_texts())
    assert shown == sorted(names)
    assert "Spring <i>one</i>" in page.locator("table.rw-roster caption").inner_text()
    assert "3 of 3 bundles imported" in page.locator("pre").inner_text()
    problems = describe("facilitator", [v for v in axe_violations(page)
                                        if v["impact"] in BLOCKING])
    assert not problems, "axe-core found:\n" + "\n".join(problems)
    page.close()


def test_the_facilitator_app_fits_a_phone(browser, facilitator):
    server, _ = facilitator
    page = opened(browser, server, 400)
    # An option of a list box cannot wrap, so the longest clip titles are cut there on a phone;
    # every id is also written out below the order, where it wraps. Anything else counts.
    problems = [p for p in clipped_controls(page)
                if not (p["what"].startswith("select ") and p["why"] == "text cut")]
    assert problems == [], "\n".join(map(str, problems))
    page.close()
