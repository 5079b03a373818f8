"""`rupture clips check`: the shipped clips pass; each kind of broken media is named."""
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from _media_fixtures import make_clip, make_mp4, make_webm, write_catalog, write_vtt
from rupture_widgets.library.check import (check_library, check_poster, main,
                                         mp4_layout_problems, parse_webvtt)

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_clips_pass_the_check_through_the_cli():
    env = {k: v for k, v in os.environ.items() if k != "RUPTURE_CLIPS"}
    out = subprocess.run([sys.executable, "-m", "rupture_widgets.cli", "clips", "check"],
                         capture_output=True, text=True, cwd=REPO, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("clips OK")


def grid_not_required(root: Path) -> None:
    """A library of a few test clips cannot cover the marker x level grid; these tests are about
    the format checks, so the library says so in its own quality.json."""
    (root / "quality.json").write_text(json.dumps({"clips_per_cell": 0}), encoding="utf-8")


@pytest.fixture(scope="module")
def broken_library(tmp_path_factory):
    root = tmp_path_factory.mktemp("clips")
    media = root / "media"
    clips = [make_clip(root, "good")]

    clips.append(make_clip(root, "recorded", media="media/recorded.webm"))
    make_webm(media / "recorded.webm")

    clips.append(make_clip(root, "too-long", seconds=2.0, duration_s=4.0))

    clips.append(make_clip(root, "bad-captions"))
    write_vtt(media / "bad-captions.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nBackwards.\n")

    clips.append(make_clip(root, "slow-start"))
    make_mp4(media / "slow-start.mp4", faststart=False)

    clips.append(make_clip(root, "cut-short"))
    data = (media / "cut-short.mp4").read_bytes()
    (media / "cut-short.mp4").write_bytes(data[: len(data) // 2])

    clips.append(make_clip(root, "cut-before-index"))  # the 'moov' index was never written
    make_mp4(media / "cut-before-index.mp4", faststart=False)
    data = (media / "cut-before-index.mp4").read_bytes()
    (media / "cut-before-index.mp4").write_bytes(data[: len(data) // 2])

    clips.append(make_clip(root, "bad-poster"))
    (media / "bad-poster.jpg").write_bytes((media / "bad-poster.jpg").read_bytes()[:200])
    write_catalog(root, clips)
    return root


EXPECTED = {
    "recorded: media: container is 'matroska,webm'",
    "recorded: media: video codec is vp8, not h264",
    "recorded: media: no audio track",
    "too-long: duration_s: the catalog says 4 s but the media lasts 2.",
    "bad-captions: captions: line 3: cue ends",
    "slow-start: media: not faststart",
    "cut-short: media: truncated",
    "cut-before-index: media: truncated",
    "cut-before-index: media: cannot be read as video",
    "bad-poster: poster: the JPEG image cannot be decoded",
}


def test_check_library_names_each_broken_clip_and_field(broken_library):
    problems = check_library(broken_library)
    for prefix in EXPECTED:
        assert any(p.startswith(prefix) for p in problems), (prefix, problems)
    # Nothing about the good clip, nothing unexpected (a truncated file may also fail to decode).
    broken = {e.split(":")[0] for e in EXPECTED}
    assert all(p.split(":")[0] in broken for p in problems), problems


def test_the_cli_exits_non_zero_and_lists_the_problems(broken_library):
    out = subprocess.run([sys.executable, "-m", "rupture_widgets.cli", "clips", "check",
                          str(broken_library)], capture_output=True, text=True, cwd=REPO)
    assert out.returncode != 0
    assert "problem(s) in the clip library" in out.stdout
    for prefix in EXPECTED:
        assert f"  - {prefix}" in out.stdout


def test_catalog_problems_are_reported_alongside_media_problems(tmp_path, capsys):
    clips = [make_clip(tmp_path, "good"), make_clip(tmp_path, "odd-marker", marker="Z1"),
             make_clip(tmp_path, "slow-start")]
    make_mp4(tmp_path / "media" / "slow-start.mp4", faststart=False)
    write_catalog(tmp_path, clips)
    grid_not_required(tmp_path)
    assert main(str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "odd-marker: marker: unknown marker 'Z1'" in out
    assert "slow-start: media: not faststart" in out and "good:" not in out


def test_a_clean_library_prints_how_many_clips_are_ok(tmp_path, capsys):
    write_catalog(tmp_path, [make_clip(tmp_path, "one"), make_clip(tmp_path, "two", seconds=3)])
    grid_not_required(tmp_path)
    assert main(str(tmp_path)) == 0
    assert capsys.readouterr().out.strip() == "2 clips OK"


def test_a_missing_catalog_is_a_problem_not_a_crash(tmp_path, capsys):
    assert main(str(tmp_path)) == 1
    assert "catalog: file:" in capsys.readouterr().out


def test_captions_running_past_the_end_of_the_media_are_flagged(tmp_path):
    clip = make_clip(tmp_path, "late-cue")
    write_vtt(tmp_path / "media" / "late-cue.vtt",
              "WEBVTT\n\n00:00.500 --> 00:01.000\nOn time.\n\n00:01.000 --> 00:04.000\nToo late.\n")
    write_catalog(tmp_path, [clip])
    assert check_library(tmp_path) == [
        "late-cue: captions: a cue ends at 4.000 s, after the media ends (2.00 s)"]


def test_a_valid_webvtt_file_parses_with_identifiers_notes_and_settings():
    cues, problems = parse_webvtt(
        "\ufeffWEBVTT - client line\nKind: captions\n\nNOTE written by hand\n\n"
        "intro\n00:00:01.000 --> 00:00:02.500 align:start line:90%\nNo, that's fine.\n\n"
        "01:02.000 --> 01:03.250\nReally.\nI mean it.\n")
    assert problems == []
    assert cues == [(1.0, 2.5, "No, that's fine."), (62.0, 63.25, "Really.\nI mean it.")]


@pytest.mark.parametrize("text,problem", [
    ("WEBVT\n\n00:01.000 --> 00:02.000\nHi\n", "line 1: must start with 'WEBVTT'"),
    ("", "line 1: must start with 'WEBVTT'"),
    ("WEBVTT\n", "no cues"),
    ("WEBVTT\n\n00:01,000 --> 00:02.000\nHi\n", "line 3: bad cue timing"),
    ("WEBVTT\n\n0:01.000 --> 0:02.000\nHi\n", "line 3: bad cue timing"),
    ("WEBVTT\n\n00:01.000 -> 00:02.000\nHi\n", "line 3: expected a cue timing line"),
    ("WEBVTT\n\n00:02.000 --> 00:02.000\nHi\n", "line 3: cue ends"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n\n", "line 3: cue has no text"),
    ("WEBVTT\n\n00:03.000 --> 00:04.000\nA\n\n00:01.000 --> 00:02.000\nB\n",
     "line 6: cue starts at 1.000 s, before the previous cue"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n00:02.000 --> 00:03.000\nB\n",
     "line 3: cue text contains '-->'"),
])
def test_malformed_webvtt_is_reported_with_its_line(text, problem):
    _, problems = parse_webvtt(text)
    assert any(p.startswith(problem) for p in problems), problems


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_an_mp4_without_an_index_box_is_named(tmp_path):
    path = tmp_path / "x.mp4"
    path.write_bytes(_box(b"ftyp", b"isom\0\0\2\0isom") + _box(b"mdat", b"\0" * 64))
    assert mp4_layout_problems(path) == ["no 'moov' index box (the file is incomplete)"]


def test_a_poster_that_is_not_an_image_is_named(tmp_path):
    (tmp_path / "poster.jpg").write_text("<html>404 not found</html>")
    assert check_poster(tmp_path / "poster.jpg") == ["not a JPEG, PNG or WebP image"]


def test_a_link_in_the_library_that_leads_out_of_it_is_refused(tmp_path):
    root = tmp_path / "clips"
    write_catalog(root, [make_clip(root, "good")])
    workspace = tmp_path / "workspace" / "trainees" / "bob" / "recordings"
    workspace.mkdir(parents=True)
    (workspace / "answer.webm").write_bytes(b"bob's face")
    (root / "media" / "bob.mp4").symlink_to(workspace / "answer.webm")  # named like a clip
    (root / "workspace").symlink_to(tmp_path / "workspace")  # a whole folder
    (root / "media" / "alias.mp4").symlink_to(root / "media" / "good.mp4")  # inside: fine
    problems = check_library(root)
    out = [p for p in problems if "leads outside" in p]
    assert len(out) == 2, problems
    assert any("media/bob.mp4" in p for p in out) and any("'workspace'" in p for p in out)
    assert not any("alias.mp4" in p for p in problems)
    assert main(str(root)) == 1
