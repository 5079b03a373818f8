"""Can the clients be understood? An offline recogniser (PocketSphinx, in the 'test' extra)
transcribes a clip and the word error rate is measured against its transcript. The whole library
is measured by `make intelligibility` (about 3 minutes for 84 clips on one free core: too long
for every CI run); here, the measure itself, one clip, and the clips that were hardest to
understand. A missing pocketsphinx is a failure, never a skip: `make test` installs it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from rupture_widgets.authoring import intelligibility as intel

CLIPS = Path(__file__).resolve().parents[2] / "clips"
LANGUAGE_MODEL = "default"  # PocketSphinx's general English model: see docs/clips.md


def test_text_is_compared_in_one_normal_form():
    assert intel.normal_words("I don't know. It's 10 o'clock—OK?") == [
        "i", "do", "not", "know", "it", "is", "ten", "o'clock", "okay"]
    assert intel.normal_words("you're") == intel.normal_words("You are")
    assert intel.normal_words("We've been meeting for two months") == intel.normal_words(
        "we have been meeting for 2 months")
    assert intel.number_words(42) == "forty two" and intel.number_words(1300) == (
        "one thousand three hundred")


def test_british_and_american_spellings_are_the_same_word():
    """The scripts are written in British English; the recogniser's dictionary is American (it
    writes "favor", and has no "pyjamas" at all), so a word it heard right must not count as
    wrong for its spelling."""
    assert intel.word_error_rate("Can I ask you a favour?", "can i ask you a favor") == 0.0
    assert intel.word_error_rate("Like I'm on a programme.", "like i'm on a program") == 0.0
    assert intel.word_error_rate("in our pyjamas", "in our pajamas") == 0.0
    assert intel.word_error_rate("You keep summarising", "you keep summarizing") == 0.0
    assert intel.word_error_rate("my neighbour", "my neighbor") == 0.0
    # a spelling is not a licence for a different word
    assert intel.word_error_rate("a favour", "a flavor") == 0.5


def test_word_error_rate_counts_substitutions_deletions_and_insertions():
    ref = "I don't really see how this helps"  # 8 words once "don't" is "do not"
    assert intel.word_error_rate(ref, "i do not really see how this helps") == 0.0
    assert intel.word_error_rate(ref, "i do not really see how it helps") == 1 / 8
    assert intel.word_error_rate(ref, "i do not see how this helps") == 1 / 8
    assert intel.word_error_rate(ref, "and i do not really see how this helps me") == 2 / 8
    assert intel.word_error_rate(ref, "") == 1.0


def test_the_recogniser_hears_a_shipped_clip():
    """The measure end to end on one real clip (decode, segment, recognise, compare): a clip
    whose audio were lost or garbled in the pipeline would come out near 1. The library-wide
    limits (mean <= 0.15, none above 0.30) are `make intelligibility` (docs/clips.md)."""
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        pytest.fail("pocketsphinx is not installed: pip install -e '.[test]'")
    [heard] = intel.measure_library(CLIPS, LANGUAGE_MODEL, ["w7-advanced-tomas"])
    assert heard.wer <= intel.MAX_MEAN_WER, intel.report([heard])


def test_words_the_recogniser_cannot_know_are_named():
    """A word missing from the recogniser's dictionary can never be heard, however clear the
    voice: the report names it, so an author rewords the line rather than retuning the voice."""
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        pytest.fail("pocketsphinx is not installed: pip install -e '.[test]'")
    assert intel.unknown_words("We were out in our pyjamas. Cognitively, I mean.") == [
        "pyjamas", "cognitively"]
    assert intel.unknown_words("I don't need a poster, honestly.") == []
    line = intel.report([intel.Heard("x", "in our pyjamas", "in our pajamas", 0.0, 1.0,
                                     ("pyjamas",))])
    assert "not in the recogniser's dictionary: pyjamas" in line


#: The clips of the second edition that the recogniser understood worst (WER 0.29-0.33 with
#: PocketSphinx's own model), before their hardest lines were reworded: a voice or wording change
#: that brings one back above the limit fails here, in CI, not only in `make intelligibility`.
HARDEST_CLIPS = ["c7-intermediate-priya", "w6-advanced-priya", "c2-advanced-jordan",
                 "w4-beginner-lin", "c7-advanced-marcus"]


def test_the_hardest_clips_are_understood():
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        pytest.fail("pocketsphinx is not installed: pip install -e '.[test]'")
    heard = intel.measure_library(CLIPS, LANGUAGE_MODEL, HARDEST_CLIPS)
    assert sorted(h.clip_id for h in heard) == sorted(HARDEST_CLIPS)
    assert all(h.wer <= intel.MAX_CLIP_WER for h in heard), intel.report(heard)
