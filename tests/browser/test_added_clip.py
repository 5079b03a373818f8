"""Footage added with `rupture clips add` plays in the practice app like any shipped clip."""
from __future__ import annotations

import json
import shutil

from browser_support import ROOT, Server, free_port, record_answer, watch_recorder
from footage import make_video


def test_an_added_clip_plays_in_the_practice_app_and_can_be_answered(page, tmp_path):
    from rupture_widgets.authoring.add import main as add_main
    from rupture_widgets.cli import build_parser
    from rupture_widgets.library.check import check_library
    from rupture_widgets.server.serve import serve_environment, voila_command
    from rupture_widgets.workbook import Workspace

    # a served folder of its own: the practice notebook, its Voilà settings, a one-clip library
    served = tmp_path / "served"
    (served / "notebooks").mkdir(parents=True)
    for name in ("practice.ipynb", "voila.json"):
        shutil.copy(ROOT / "notebooks" / name, served / "notebooks" / name)
    library = served / "clips"
    library.mkdir()
    (library / "catalog.json").write_text(json.dumps({"schema_version": 1, "personas": {},
                                                      "clips": []}))
    video = make_video(tmp_path / "our footage.avi", 11.0, size=(320, 240))
    args = build_parser().parse_args([
        "clips", "add", str(video), "--marker", "C5", "--level", "beginner", "--id",
        "our-c5-footage", "--title", "Nothing has changed", "--transcript",
        "We've been doing this for two months and nothing has changed.",
        "--context", "Session 9. You have just asked how the week went.",
        "--clips-dir", str(library)])
    assert add_main(args) == 0
    assert check_library(library) == []

    workspace = tmp_path / "workspace"
    env = serve_environment(workspace, trainee="kim.added", root=served)
    env["RUPTURE_CLIPS"] = str(library)
    port = free_port()
    server = Server(voila_command(port, notebook=served / "notebooks" / "practice.ipynb",
                                  root=served), port, env, served, tmp_path / "voila.log")
    try:
        page.goto(server.app_url)
        page.get_by_role("button", name="Practise: Nothing has changed").click()
        watch_recorder(page)
        player = page.locator("video.rw-clip-video")
        assert "clips/media/our-c5-footage.mp4" in player.get_attribute("src")
        assert not page.get_by_role("checkbox", name="Start recording when the clip ends"
                                    ).is_checked()  # off until the trainee chooses it
        page.get_by_role("button", name="Play clip", exact=True).click()
        # the browser really decodes and plays the transcoded footage
        page.wait_for_function("document.querySelector('video.rw-clip-video').currentTime > 1.0")
        assert player.evaluate("v => v.videoWidth") > 0

        record_answer(page, 2)
    finally:
        server.stop()

    [attempt] = Workspace(workspace).workbook("kim.added").attempts()
    assert (attempt.clip_id, attempt.marker, attempt.status) == ("our-c5-footage", "C5",
                                                                 "complete")
