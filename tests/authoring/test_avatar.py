"""The client on screen: faces readable on every skin and beard, mouth shapes that follow the
speech sounds, breath and head movement after a still start, expressions scaled by level."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PIL")
from rupture_widgets.authoring import affect, avatar, colours, visemes  # noqa: E402
from rupture_widgets.authoring.face import FACES, GAZE, Palette, face_for  # noqa: E402
from rupture_widgets.authoring.room import CX, HY, S  # noqa: E402
from rupture_widgets.authoring.script import Look, load_persona  # noqa: E402
from rupture_widgets.library.faces import feature_contrast  # noqa: E402

PERSONAS = sorted((Path(__file__).resolve().parents[2] / "clips" / "scripts" / "personas")
                  .glob("*.json"))
SKINS = ["#f3d6c2", "#e2b593", "#c28a62", "#8a5a3c", "#5e3e2b", "#3b2219"]


@pytest.mark.parametrize("skin", SKINS)
@pytest.mark.parametrize("beard", ["none", "stubble", "full"])
@pytest.mark.parametrize("hair", ["#141010", "#8a8580", "#b0703a"])
def test_feature_colours_reach_the_contrast_on_any_skin_and_beard(skin, beard, hair):
    look = Look(skin=skin, hair=hair, hair_style="short", top="crew", top_colour="#445566",
                beard=beard)
    pal = Palette.of(look, _rgb(hair))
    assert colours.contrast(pal.crease, pal.around_mouth) >= 0.30
    assert colours.contrast(pal.brow, pal.skin) >= 0.30
    assert colours.contrast(pal.line, pal.skin) >= 0.30


def _rgb(c: str) -> tuple[int, int, int]:
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


def test_readable_keeps_a_colour_that_already_contrasts_and_fixes_one_that_does_not():
    assert colours.readable((40, 20, 20), (240, 220, 200), 0.3) == (40, 20, 20)
    dark_skin = (94, 62, 43)
    lips = (94, 55, 43)  # the old lip colour on Amara's skin: 4 % contrast
    assert colours.contrast(lips, dark_skin) < 0.1
    fixed = colours.readable(lips, dark_skin, 0.3)
    assert colours.contrast(fixed, dark_skin) >= 0.3 and fixed[0] >= fixed[2]  # still warm
    black_beard = (21, 17, 16)  # too dark to darken against: lightened instead
    near = (30, 24, 22)
    assert colours.contrast(near, black_beard) < 0.3
    lighter = colours.readable(near, black_beard, 0.3)
    assert colours.luminance(lighter) > colours.luminance(near)
    assert colours.contrast(lighter, black_beard) >= 0.3


@pytest.mark.parametrize("path", PERSONAS, ids=lambda p: p.stem)
def test_every_persona_s_mouth_and_brows_read_in_a_frame_at_rest(path):
    persona = load_persona(path)
    client = avatar.Client(persona, persona.room)
    frame = np.asarray(client.frame(FACES["neutral"], GAZE["therapist"], 0.0))
    masks = avatar.feature_masks(persona, persona.room)
    for feature in ("mouth", "brows"):
        assert masks[feature].sum() > 40, feature
        assert feature_contrast(frame, masks[feature]) >= 0.30, feature


def test_the_mouth_rounds_for_low_sounds_spreads_for_high_ones_and_closes_in_silence():
    sr, fps = 22050, 24
    t = np.arange(int(sr * 0.5)) / sr

    def vowel(formants):  # a 120 Hz voice with energy around the given formants
        f0 = 120 * np.arange(1, 60)
        amp = sum(np.exp(-((f0 - f) / 150.0) ** 2) for f in formants)
        return (amp[:, None] * np.sin(2 * np.pi * f0[:, None] * t)).sum(axis=0)

    oo, ee = vowel([300, 800]), vowel([300, 2300, 3000])
    hiss = np.random.default_rng(1).normal(size=len(t)) * np.sin(2 * np.pi * 6000 * t)
    quiet = np.zeros(len(t))
    audio = np.concatenate([quiet, oo, quiet, ee, quiet, hiss * 0.5, quiet]).astype(np.float32)
    audio /= np.abs(audio).max()
    shapes = visemes.mouth_shapes(audio, sr, fps)
    seg = lambda k: shapes[k * 12 + 3:k * 12 + 9]  # noqa: E731 - the middle of each part
    assert all(s.open < 0.5 for s in seg(0))
    rounded = np.mean([s.width for s in seg(1)])
    spread = np.mean([s.width for s in seg(3)])
    assert rounded < 0.95 < spread, (rounded, spread)
    assert np.mean([s.open for s in seg(1)]) > 2
    assert any(s.teeth for s in seg(5)), "hiss shows the teeth"
    assert all(s.open < 0.5 for s in seg(6))


def test_the_head_is_still_at_first_then_breathes_and_moves():
    motion = avatar.Motion(np.random.default_rng(3), 24, line_starts=[0.9, 5.0])
    steps = [motion.step(i, "neutral") for i in range(24 * 12)]
    rest = steps[:int(24 * avatar.AT_REST_S)]
    assert all(s == (0, (0, 0)) for s in rest)
    later = steps[24 * 2:]
    assert {b for b, _ in later} == set(range(avatar.BREATH_STEPS))  # a full breath, all heights
    assert len({h for _, h in later}) > 5  # the head drifts, not a fixed offset
    assert max(abs(v) for _, h in later for v in h) < avatar.MARGIN


def test_a_head_offset_moves_the_face_and_only_the_face():
    persona = load_persona(PERSONAS[0])
    client = avatar.Client(persona, persona.room)
    still = np.asarray(client.frame(FACES["neutral"], GAZE["therapist"], 0.0), dtype=int)
    moved = np.asarray(client.frame(FACES["neutral"], GAZE["therapist"], 0.0,
                                    head=(2 * S, 0)), dtype=int)
    changed = np.abs(still - moved).sum(axis=2) > 30
    ys, xs = np.nonzero(changed)
    assert changed.sum() > 200
    x0, y0, x1, y1 = avatar.REGION
    assert xs.min() >= x0 and xs.max() < x1 and ys.min() >= y0 and ys.max() < y1
    # the face moved two output pixels right (2 S canvas px): shifted back, it is the still one
    face = (slice(HY - 20, HY + 60), slice(CX - 40, CX + 40))
    same_place = np.abs(moved[face] - still[face]).mean()
    shifted = np.abs(moved[face[0], CX - 38:CX + 42] - still[face]).mean()
    assert shifted < 0.5 < same_place, (shifted, same_place)


def test_affect_rises_with_level_and_falls_for_subtle_withdrawal():
    beginner, inter, adv = (affect.affect_for(lv, 4) for lv in ("beginner", "intermediate",
                                                                 "advanced"))
    subtle = affect.affect_for("advanced", 2)
    for field in ("face", "voice_range", "loudness_lu"):
        assert getattr(beginner, field) < getattr(inter, field) < getattr(adv, field)
        assert getattr(subtle, field) < getattr(inter, field)
    angry = face_for("angry", adv.face)
    assert angry.inner < FACES["angry"].inner < face_for("angry", beginner.face).inner


def test_a_peaky_voice_still_reaches_its_loudness_and_never_clips():
    pyloudnorm = pytest.importorskip("pyloudnorm")
    sr = 22050
    t = np.arange(sr * 12) / sr
    speech = 0.05 * np.sin(2 * np.pi * 140 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
    speech[sr * 3:sr * 3 + 200] = 0.9  # one sharp peak that plain gain would have to respect
    out = affect.to_loudness(speech.astype(np.float32), sr, -22.0)
    assert np.abs(out).max() <= affect.PEAK + 1e-6
    assert abs(pyloudnorm.Meter(sr).integrated_loudness(out.astype(np.float64)) + 22.0) < 0.3
    quiet = (0.01 * np.sin(2 * np.pi * 140 * t)).astype(np.float64)
    assert np.array_equal(affect.limit(quiet, sr), quiet)  # nothing to limit: untouched
