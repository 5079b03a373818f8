"""The quality stage of `rupture clips check`, on shipped clips copied and broken one way each:
every bad clip (or persona, or cell of the grid) is named with the check that caught it."""
from __future__ import annotations

import contextlib
import io
import json
import re
import sys

import numpy as np
import pytest

from _clip_edits import CLEAN_VTT, copy_clip, repaint, write_library
from rupture_widgets import cli
from rupture_widgets.authoring.avatar import AT_REST_S, feature_masks
from rupture_widgets.authoring.script import load_script
from rupture_widgets.library.check import main
from rupture_widgets.library.decode import decode_audio
from rupture_widgets.library.faces import feature_contrast
from rupture_widgets.library.loudness import integrated_loudness
from rupture_widgets.library.thresholds import DEFAULT

TARGET = DEFAULT.loudness_target_lufs

SHORT_CUE_VTT = CLEAN_VTT + "\n00:06.500 --> 00:06.800\nNo.\n"
# 60 characters in 2 s (the line break reads as a space)
FAST_LINES = ("I tried the breathing twice,", "and it felt so pointless to me.")
FAST_CUE_VTT = ("WEBVTT\n\n00:01.000 --> 00:03.000\nHonestly, I tried it.\n\n"
                "00:04.000 --> 00:06.000\n" + "\n".join(FAST_LINES) + "\n")


def _normalising_gain(source_id: str) -> float:
    """dB that bring a shipped clip to the library's target, so a copy fails only as broken."""
    from _clip_edits import CLIPS

    samples, rate = decode_audio(CLIPS / "media" / f"{source_id}.mp4")
    return TARGET - integrated_loudness(samples, rate)


def _run(*args, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(*args, **kwargs)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def bad_library(tmp_path_factory):
    root = tmp_path_factory.mktemp("quality")
    gain = {s: _normalising_gain(s) for s in ("c2-beginner-lin", "c1-advanced-daniel",
                                               "c6-advanced-maya", "c4-intermediate-daniel",
                                               "w7-beginner-tomas")}
    entries = [
        copy_clip(root, "c2-beginner-lin", "lin-a", gain_db=gain["c2-beginner-lin"]),
        copy_clip(root, "c1-advanced-daniel", "daniel-a", gain_db=gain["c1-advanced-daniel"]),
        copy_clip(root, "c6-advanced-maya", "short-cue", gain_db=gain["c6-advanced-maya"]),
        copy_clip(root, "c6-advanced-maya", "fast-cue", gain_db=gain["c6-advanced-maya"]),
        copy_clip(root, "c4-intermediate-daniel", "quiet",
                  gain_db=gain["c4-intermediate-daniel"] - 12),
        # the same recording under another persona: two clients with one voice
        copy_clip(root, "c2-beginner-lin", "twin", persona="lin-twin",
                  gain_db=gain["c2-beginner-lin"]),
        copy_clip(root, "w7-beginner-tomas", "flat-face", gain_db=gain["w7-beginner-tomas"]),
    ]
    (root / "media" / "short-cue.vtt").write_text(SHORT_CUE_VTT, encoding="utf-8")
    (root / "media" / "fast-cue.vtt").write_text(FAST_CUE_VTT, encoding="utf-8")
    write_library(root, entries)
    # the mouth at rest painted the colour of the skin around it
    script = load_script(root / "scripts" / "flat-face.json")
    first = script.lines[0]
    mouth = feature_masks(script.persona, script.room, first.emotion, first.gaze)["mouth"]
    media = root / "media" / "flat-face.mp4"
    repaint(media, media.with_name("painted.mp4"), np.asarray(mouth, dtype=bool), AT_REST_S)
    media.with_name("painted.mp4").replace(media)
    code, out = _run(str(root), report=True)
    problems = [line[4:] for line in out.splitlines() if line.startswith("  - ")]
    return root, code, out, problems


def test_a_cue_of_0_3_s_is_named(bad_library):
    _, code, _, problems = bad_library
    assert code == 1
    assert 'short-cue: captions: cue 3 "No." lasts 0.30 s (at least 0.83 s)' in problems
    assert not any(p.startswith("lin-a: captions") for p in problems), problems


def test_a_cue_read_at_30_characters_per_second_is_named(bad_library):
    assert len(" ".join(FAST_LINES)) == 60
    problems = bad_library[3]
    assert "fast-cue: captions: cue 2 runs at 30.0 characters per second (at most 17)" in problems
    assert not any(p.startswith("fast-cue: captions: cue 1") for p in problems), problems


def test_a_quiet_clip_is_named_with_its_loudness(bad_library):
    problems = bad_library[3]
    quiet = [p for p in problems if p.startswith("quiet: loudness: ")]
    assert len(quiet) == 1, problems
    lufs, below = re.match(r"quiet: loudness: (-[\d.]+) LUFS, ([\d.]+) LU below the library's "
                           rf"target {TARGET:.1f} \(within ±2\)", quiet[0]).groups()
    assert float(lufs) == pytest.approx(TARGET - 12, abs=0.5)
    assert float(below) == pytest.approx(12, abs=0.5)
    assert not any(p.startswith("lin-a: loudness") for p in problems), problems


def test_a_low_contrast_face_is_named_by_persona(bad_library):
    problems = bad_library[3]
    flat = [p for p in problems if p.startswith("persona tomas: face: mouth contrast")]
    assert flat, problems
    assert int(re.search(r"contrast (\d+) %", flat[0]).group(1)) < 5
    assert not any(p.startswith("persona lin: face: mouth") for p in problems), problems


def test_gaps_in_the_grid_and_a_cell_with_one_persona_are_named(bad_library):
    problems = bad_library[3]
    assert "library: coverage: W1 x beginner has no clip (at least 2, by different personas)" \
        in problems
    assert "library: coverage: C1 x advanced has 1 clip (at least 2, by different personas)" \
        in problems
    assert ("library: coverage: C6 x advanced has 2 clips, all by maya (at least 2, by different "
            "personas)") in problems
    assert not any(p.startswith("library: coverage: C2 x beginner") for p in problems)


def test_two_personas_with_one_voice_are_named(bad_library):
    problems = bad_library[3]
    twins = [p for p in problems if re.match(r"personas (lin and lin-twin|lin-twin and lin): "
                                             r"voice: median pitch 0\.0 semitones apart and "
                                             r"third formant 0 % apart \(at least 2 semitones or 5 %\)$", p)]
    assert twins, problems
    assert not any(re.match(r"personas (daniel and lin|lin and daniel)", p) for p in problems)


def test_the_report_prints_the_measured_figures(bad_library):
    out = bad_library[2]
    assert re.search(r"^  C6 +0 +0 +2$", out, re.M), out  # the grid, with counts
    assert "Captions: 15 cues; 1 under 0.83 s (shortest 0.30 s)" in out
    assert "1 over 17 characters per second" in out
    assert re.search(r"^  quiet +-3\d\.\d$", out, re.M)
    assert re.search(r"^  lin-twin +1 +\d+\.\d +\d+ +\d+ +\d+ ", out, re.M), out
    assert re.search(r"^Closest voices: (lin and lin-twin|lin-twin and lin), median pitch 0\.0 "
                     r"semitones", out, re.M), out


@pytest.fixture
def one_clip(tmp_path):
    """A library of one synthesised clip with a 0.3 s cue, and no grid to cover."""
    entry = copy_clip(tmp_path, "c6-advanced-maya", "short-cue")
    (tmp_path / "media" / "short-cue.vtt").write_text(SHORT_CUE_VTT, encoding="utf-8")
    write_library(tmp_path, [entry])
    (tmp_path / "quality.json").write_text(json.dumps({"clips_per_cell": 0}), encoding="utf-8")
    return tmp_path


def test_thresholds_from_a_file_change_the_verdict(one_clip, tmp_path_factory):
    lenient = tmp_path_factory.mktemp("t") / "lenient.json"
    lenient.write_text(json.dumps({"clips_per_cell": 0, "caption_min_s": 0.25,
                                   "loudness_tolerance_lu": 10}), encoding="utf-8")
    _, strict = _run(str(one_clip))
    assert 'short-cue: captions: cue 3 "No." lasts 0.30 s' in strict
    code, out = _run(str(one_clip), thresholds=str(lenient))
    assert "cue 3" not in out and "loudness" not in out, out
    (one_clip / "quality.json").write_text(json.dumps({"caption_min_s": 0.35}))
    _, own = _run(str(one_clip))  # the library's own quality.json, without --thresholds
    assert 'cue 3 "No." lasts 0.30 s (at least 0.35 s)' in own


def test_a_bad_thresholds_file_is_refused_naming_each_mistake(one_clip, capsys):
    bad = one_clip / "mine.json"
    bad.write_text(json.dumps({"caption_min": 1, "caption_max_cps": "fast"}), encoding="utf-8")
    assert cli.main(["clips", "check", str(one_clip), "--thresholds", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rupture: {bad}: unknown threshold 'caption_min'")
    assert "'caption_max_cps' should be a number, got 'fast'" in err


def test_without_the_authoring_extra_the_check_says_what_it_could_not_measure(
        one_clip, monkeypatch):
    for name in ("numpy", "PIL", "pyloudnorm", "parselmouth"):  # the trainee install
        monkeypatch.setitem(sys.modules, name, None)  # as if never installed: import fails
    code, out = _run(str(one_clip))
    assert code == 1 and 'short-cue: captions: cue 3 "No." lasts 0.30 s' in out
    assert ("Not measured: loudness: needs numpy, pyloudnorm, in the authoring extra "
            "(pip install 'rupture-widgets[authoring]')") in out
    assert "Not measured: voice: needs numpy, parselmouth, in the authoring extra" in out
    assert "Not measured: face: needs numpy, PIL, in the authoring extra" in out


def test_with_nothing_to_complain_of_the_trainee_install_passes_and_says_what_it_skipped(
        one_clip, monkeypatch):
    (one_clip / "media" / "short-cue.vtt").write_text(CLEAN_VTT, encoding="utf-8")
    for name in ("numpy", "PIL", "pyloudnorm", "parselmouth"):
        monkeypatch.setitem(sys.modules, name, None)
    code, out = _run(str(one_clip))
    assert code == 0, out
    assert out.startswith("1 clips OK\nNot measured: loudness: needs numpy")


def test_json_gives_the_figures_and_the_problems(one_clip):
    code, out = _run(str(one_clip), as_json=True)
    data = json.loads(out)
    assert code == 1 and data["clips"] == 1 and data["thresholds"]["clips_per_cell"] == 0
    assert data["figures"]["captions"]["under_min_s"] == 1
    assert "short-cue" in data["figures"]["loudness"]["per_clip"]
    assert any(p.startswith("short-cue: captions: cue 3") for p in data["problems"])


def test_feature_contrast_is_wcag_contrast_minus_one():
    frame = np.full((20, 20, 3), 255, np.uint8)
    mask = np.zeros((20, 20), bool)
    assert feature_contrast(frame, mask) == 0  # nothing drawn: nothing to read
    mask[8:12, 8:12] = True
    assert feature_contrast(frame, mask) == pytest.approx(0)  # white on white
    frame[mask] = 0
    assert feature_contrast(frame, mask) == pytest.approx(20)  # black on white: 21:1
