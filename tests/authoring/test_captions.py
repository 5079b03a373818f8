"""Captions are timed for reading: a minimum time on screen, a reading-speed limit, short cues
merged, no flicker between close cues, and what cannot be met is reported.

The shaping tests need only the core install; the build test needs the 'authoring' extra.
"""
from __future__ import annotations

import json
import random

import pytest

from rupture_widgets.authoring.captions import Caption, readable_captions
from rupture_widgets.authoring.encode import write_vtt
from rupture_widgets.library.check import parse_webvtt
from rupture_widgets.library.thresholds import DEFAULT, Thresholds
from test_authoring import SHORT_SCRIPT

T = DEFAULT
FRAME = 1 / 24
GAP = 2 * FRAME  # the 2-frame gap kept between captions
MS = 0.0015      # the VTT keeps milliseconds


def _cue(start, end, text):
    return Caption(start, end, text)


def _words(cues) -> list[str]:
    return " ".join(c.text for c in cues).split()


def _assert_sound(spoken, shaped, clip_end, t=T):
    """What holds for every shaping: words kept, nothing overlapping or past the end, every cue
    fitting the box and the longest time, and every broken limit reported."""
    cues = shaped.cues
    assert _words(cues) == _words(spoken)
    for a, b in zip(cues, cues[1:]):
        assert b.start - a.end >= GAP - MS, f"{a} and {b} overlap or touch"
    assert all(0 <= c.start < c.end <= clip_end + 1e-9 for c in cues)
    assert all(c.duration <= t.caption_max_s + MS for c in cues)
    assert set(shaped.too_fast) == {c for c in cues if c.cps > t.caption_max_cps + 1e-6}
    assert set(shaped.too_short) == {c for c in cues if c.duration < t.caption_min_s - 1e-6}


def test_a_one_word_cue_stays_on_screen_for_the_minimum_time():
    spoken = [_cue(0.9, 1.21, "No."), _cue(3.0, 4.6, "You're not listening to me.")]
    shaped = readable_captions(spoken, 10.0)
    no = shaped.cues[0]
    assert no.text == "No." and no.start == 0.9  # on its word, not merged: there is room
    assert no.duration >= T.caption_min_s
    assert shaped.too_short == [] and shaped.too_fast == []
    _assert_sound(spoken, shaped, 10.0)


def test_a_fast_cue_lingers_into_the_following_pause():
    text = "They are actually dumping it on me."  # 35 characters spoken in 1.2 s: 29 a second
    spoken = [_cue(1.0, 2.2, text), _cue(4.5, 6.0, "I'm paying for this.")]
    shaped = readable_captions(spoken, 10.0)
    fast = shaped.cues[0]
    assert fast.text == text and fast.start == 1.0
    assert fast.end > 2.2 and fast.cps <= T.caption_max_cps
    # it lingers only as long as reading needs, so the screen is blank again before the next one
    assert fast.end <= 1.0 + len(text) / T.caption_max_cps + 0.01
    assert shaped.cues[1].start == 4.5
    _assert_sound(spoken, shaped, 10.0)


def test_two_cues_close_together_are_joined_without_flicker():
    spoken = [_cue(1.0, 3.0, "I tried it every night this week."),
              _cue(3.2, 5.0, "It didn't help at all.")]  # 0.2 s of blank screen between them
    shaped = readable_captions(spoken, 10.0)
    first, second = shaped.cues
    assert second.start == 3.2
    assert first.end == pytest.approx(3.2 - GAP, abs=MS)  # closed to the 2-frame gap
    # a pause longer than caption_min_gap_s stays blank
    apart = [_cue(1.0, 3.0, spoken[0].text), _cue(4.5, 6.0, spoken[1].text)]
    assert readable_captions(apart, 10.0).cues[0].end < 4.5 - T.caption_min_gap_s


def test_short_cues_in_quick_succession_merge_within_two_lines_of_42(tmp_path):
    words = ["No.", "Not that.", "Sure.", "I guess so.", "Fine.", "Whatever you think.",
             "Okay.", "Really.", "It's fine, honestly.", "Yes.", "Mm.", "Right."]
    spoken, t = [], 1.0
    for w in words:  # each one spoken quickly with barely a breath before the next
        spoken.append(_cue(t, t + 0.3, w))
        t += 0.42
    shaped = readable_captions(spoken, t + 2.0)
    assert len(shaped.cues) < len(spoken), "nothing was merged"
    assert any(" " in c.text and c.text not in words for c in shaped.cues)
    # the VTT as the build writes it: encode.wrap lays the lines out
    vtt = tmp_path / "c.vtt"
    write_vtt(vtt, [(c.start, c.end, c.text) for c in shaped.cues])
    parsed, problems = parse_webvtt(vtt.read_text())
    assert problems == [] and len(parsed) == len(shaped.cues)
    for _, _, text in parsed:
        lines = text.split("\n")
        assert len(lines) <= T.caption_lines and all(len(ln) <= T.caption_line_chars
                                                    for ln in lines), text
    _assert_sound(spoken, shaped, t + 2.0)


def test_a_sentence_too_long_for_two_lines_is_split_at_a_natural_point(tmp_path):
    text = ("I don't really see how talking about my childhood is going to help with the panic "
            "attacks.")  # 90 characters: three lines of 42
    spoken = [_cue(0.9, 5.1, text), _cue(5.7, 8.0, "It's the train, every morning.")]
    shaped = readable_captions(spoken, 12.0)
    assert len(shaped.cues) == 3
    write_vtt(tmp_path / "c.vtt", [(c.start, c.end, c.text) for c in shaped.cues])
    for _, _, text in parse_webvtt((tmp_path / "c.vtt").read_text())[0]:
        assert text.count("\n") < T.caption_lines
    assert shaped.cues[1].text.split()[0] in {"is", "to", "with"}  # not 'my / childhood'
    _assert_sound(spoken, shaped, 12.0)


def test_speech_too_fast_to_read_even_with_every_pause_is_reported():
    fast = [_cue(1.0, 3.0, "You keep turning everything into something about my feelings."),
            _cue(3.1, 5.0, "I came here for help, not to be told that it is all my fault.")]
    shaped = readable_captions(fast, 6.0)
    # too long to share a caption, and no pause to linger in: 30 characters a second
    assert [c.text for c in shaped.too_fast] == [c.text for c in fast]
    assert len(shaped.problems) == 2 and "characters a second" in shaped.problems[0]
    _assert_sound(fast, shaped, 6.0)


def test_nothing_runs_past_the_end_of_the_clip():
    spoken = [_cue(1.0, 1.4, "Okay."), _cue(9.1, 9.5, "Bye.")]
    shaped = readable_captions(spoken, 10.0)
    assert shaped.cues[-1].end <= 10.0 and shaped.too_short == []
    # a last word too close to the end for the minimum: it keeps what there is, and it is said
    late = [_cue(1.0, 1.4, "Okay."), _cue(9.6, 9.9, "Bye.")]
    shaped = readable_captions(late, 10.0)
    assert shaped.cues[-1].end == 10.0 and shaped.cues[-1].start >= 9.5
    assert [c.text for c in shaped.too_short] == ["Bye."] and "minimum" in shaped.problems[0]
    _assert_sound(late, shaped, 10.0)


def test_a_library_can_set_its_own_thresholds():
    strict = Thresholds(caption_min_s=1.5, caption_max_cps=12.0)
    spoken = [_cue(1.0, 1.3, "No."), _cue(4.0, 5.5, "They are actually dumping it on me.")]
    shaped = readable_captions(spoken, 10.0, strict)
    assert shaped.cues[0].duration >= 1.5
    assert shaped.cues[1].cps <= 12.0
    _assert_sound(spoken, shaped, 10.0, strict)


def test_random_speech_always_gives_sound_captions():
    rng = random.Random(12)
    vocabulary = ("no yes I you it the that really fine sessions helping honestly "
                  "everything therapist homework breathing morning").split()
    for _ in range(300):
        spoken, t = [], rng.uniform(0.0, 1.0)
        for _ in range(rng.randint(1, 9)):
            n = rng.randint(1, 16)
            text = " ".join(rng.choice(vocabulary) for _ in range(n)).capitalize() + "."
            length = max(0.15, len(text) / rng.uniform(8, 30))
            spoken.append(_cue(round(t, 3), round(t + length, 3), text))
            t += length + rng.choice([0.0, 0.05, 0.2, 0.4, 0.8, 1.5])
        end = t + rng.uniform(0.0, 1.5)
        shaped = readable_captions(spoken, end)
        _assert_sound(spoken, shaped, end)
        # never before the speech: a caption starts at most MAX_LEAD_S before its first word
        starts, done = {}, 0  # word index -> when the spoken cue beginning there starts
        for c in spoken:
            starts[done] = c.start
            done += len(c.text.split())
        done = 0
        for c in shaped.cues:
            if done in starts:  # a caption that begins where a spoken cue begins
                assert c.start >= starts[done] - 0.1 - 1e-9, (c, starts[done])
            done += len(c.text.split())


# --- a real build --------------------------------------------------------------------------

CAPTION_SCRIPT = {
    "schema_version": 1, "id": "w1-test-captions", "title": "Captions test clip",
    "persona": SHORT_SCRIPT["persona"],  # the inline test persona of test_authoring.py
    "marker": "W1", "salience": 3, "level": "intermediate", "seed": 12,
    "context": "Session 5. You have just asked how the week went.",
    "lines": [
        {"text": "No. No, it's fine. Really.", "emotion": "flat", "gaze": "down",
         "pause_after": 0.3},
        {"text": "I tried the exercise every night this week, and honestly it made me feel "
                 "worse.", "emotion": "sad", "gaze": "therapist"},
    ],
    "examples": [
        {"text": "It sounds like it didn't help. Can you tell me more?", "strategies": ["S4"]},
        {"text": "Thank you for telling me. Let's look at it together.", "strategies": ["S2"]},
    ],
}


def test_a_built_clip_has_captions_within_the_thresholds(tmp_path, capsys):
    from test_authoring import _needs_authoring_extra

    _needs_authoring_extra()
    from rupture_widgets.authoring.build import build_clip
    from rupture_widgets.library.catalog import load_catalog

    script = tmp_path / "w1-test-captions.json"
    script.write_text(json.dumps(CAPTION_SCRIPT))
    build_clip(script, tmp_path / "lib")
    reported = capsys.readouterr().out
    clip = load_catalog(tmp_path / "lib").get("w1-test-captions")
    cues, problems = parse_webvtt(clip.captions_path.read_text(encoding="utf-8"))
    assert problems == []
    spoken = " ".join(line["text"] for line in CAPTION_SCRIPT["lines"])
    assert " ".join(text.replace("\n", " ") for *_, text in cues).split() == spoken.split()
    assert len(cues) < 5, "'No.', 'No, it's fine.' and 'Really.' should not each flash by"
    for start, end, text in cues:
        lines = text.split("\n")
        assert len(lines) <= T.caption_lines and max(map(len, lines)) <= T.caption_line_chars
        assert T.caption_min_s - MS <= end - start <= T.caption_max_s + MS, (start, end, text)
        cps = len(text) / (end - start)  # the line break counts as the space it replaces
        assert cps <= T.caption_max_cps + 0.01 or repr(text.replace("\n", " ")) in reported, (
            f"{text!r} at {cps:.1f} characters a second, and the build did not say so")
        assert end <= clip.duration_s + 0.05
    for (_, end, _), (start, _, _) in zip(cues, cues[1:]):
        gap = start - end
        assert gap >= GAP - MS and (gap >= T.caption_min_gap_s or gap < GAP + MS), (end, start)
