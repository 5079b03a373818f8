"""Every shipped clip can be understood: an offline recogniser (PocketSphinx, in the 'test' extra)
transcribes it, and the word error rate against its transcript stays low across the library.

About a minute for the 21 clips with PocketSphinx's own language model (`make intelligibility`
prints the per-clip figures). A missing pocketsphinx is a failure, never a skip: `make test`
installs it.
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


def test_word_error_rate_counts_substitutions_deletions_and_insertions():
    ref = "I don't really see how this helps"  # 8 words once "don't" is "do not"
    assert intel.word_error_rate(ref, "i do not really see how this helps") == 0.0
    assert intel.word_error_rate(ref, "i do not really see how it helps") == 1 / 8
    assert intel.word_error_rate(ref, "i do not see how this helps") == 1 / 8
    assert intel.word_error_rate(ref, "and i do not really see how this helps me") == 2 / 8
    assert intel.word_error_rate(ref, "") == 1.0


def test_every_shipped_clip_is_understood_by_an_offline_recogniser():
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        pytest.fail("pocketsphinx is not installed: pip install -e '.[test]'")
    results = intel.measure_library(CLIPS, LANGUAGE_MODEL)
    assert len(results) >= 21
    wers = [r.wer for r in results]
    mean = sum(wers) / len(wers)
    figures = intel.report(results)
    assert mean <= intel.MAX_MEAN_WER and max(wers) <= intel.MAX_CLIP_WER, figures
