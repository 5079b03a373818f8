"""The files route serves clip media and nothing else: a link in clips/ that leads out of the
library (say, to a trainee's recording in ./workspace, named like a clip) is not served."""
from __future__ import annotations

import shutil

import pytest

from served_app import ROOT, Served, free_port


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from rupture_widgets.server.serve import serve_environment, voila_command

    tmp = tmp_path_factory.mktemp("files")
    root = tmp / "served"  # a served folder of its own, laid out as the project is
    (root / "notebooks").mkdir(parents=True)
    for name in ("practice.ipynb", "voila.json"):
        shutil.copy(ROOT / "notebooks" / name, root / "notebooks" / name)
    media = root / "clips" / "media"
    media.mkdir(parents=True)
    shutil.copy(ROOT / "clips" / "media" / "c3-beginner-maya.jpg", media / "poster.jpg")
    recordings = root / "workspace" / "trainees" / "bob" / "recordings"
    recordings.mkdir(parents=True)
    (recordings / "answer.webm").write_bytes(b"bob's face and voice")
    (recordings / "export.mp4").write_bytes(b"bob's face and voice, exported")
    (media / "bob.mp4").symlink_to(recordings / "answer.webm")  # named like a clip
    (root / "clips" / "ws").symlink_to(root / "workspace")  # a whole folder
    (media / "alias.jpg").symlink_to(media / "poster.jpg")  # a link inside the library
    port = free_port()
    env = serve_environment(tmp / "elsewhere", root=root)
    server = Served(voila_command(port, notebook=root / "notebooks" / "practice.ipynb",
                                  root=root), port, env, tmp / "voila.log", cwd=root)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("path, expected", [
    ("clips/media/poster.jpg", 200),
    ("clips/media/alias.jpg", 200),
    ("clips/media/bob.mp4", 403),
    ("clips/ws/trainees/bob/recordings/export.mp4", 403),
])
def test_only_files_inside_the_clip_library_are_served(served, path, expected):
    status, _, body = served.get(f"/voila/files/{path}?token={served.token}")
    assert status == expected
    assert "bob's face" not in body
