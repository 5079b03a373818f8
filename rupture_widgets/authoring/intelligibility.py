"""Can the client be understood? An offline recogniser transcribes each clip; the word error rate
against the clip's transcript measures how intelligible the synthesised voice is.

Nobody has yet listened to every voice by ear, and a voice reshaped too far by Praat (pitch,
formants, pace) stops being understood long before it sounds broken to its author. A recogniser
is a blunt but repeatable listener: PocketSphinx (the 'test' extra) ships its US English acoustic
model, dictionary and language model in the wheel, so the measure needs no download.

Three language models, because the generic one does not know this library's sentences:

- ``default``: PocketSphinx's own general English trigram model, knowing nothing of the clips.
- ``library``: a trigram model built from the transcripts of every clip in the library together,
  the clip measured included. It makes recognition much easier (the recogniser expects these very
  sentences), so it measures whether the words come through, not open-vocabulary understanding.
- ``others``: built from every other clip's transcript, never the clip measured: a domain model,
  the fairer of the two library models (but a few hundred sentences know too few words).

Text is compared in one normal form on both sides: lower case, punctuation dropped, numbers as
words, contractions expanded ("don't" -> "do not"), British spellings in their American form
(the recogniser's dictionary is American), so a recogniser that writes "do not" where the script
says "don't", or "favor" where it says "favour", is not counted wrong.

Run `make intelligibility` (or ``python -m rupture_widgets.authoring.intelligibility``).
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from ..errors import AuthoringUnavailable

SAMPLE_RATE = 16_000  # the acoustic model's rate
LANGUAGE_MODELS = ("default", "library", "others")
MAX_MEAN_WER = 0.15   # across the library
MAX_CLIP_WER = 0.30   # any one clip


def _missing() -> AuthoringUnavailable:
    return AuthoringUnavailable("Measuring intelligibility needs the optional package "
                                "'pocketsphinx': pip install 'rupture-widgets[test]'")


# --- text in one normal form ------------------------------------------------------------------

_CONTRACTIONS = [  # whole words first, then endings; "'s" is read as "is" on both sides
    (r"\bcan't\b", "can not"), (r"\bwon't\b", "will not"), (r"\bshan't\b", "shall not"),
    (r"\blet's\b", "let us"), (r"\bain't\b", "is not"),
    (r"n't\b", " not"), (r"'re\b", " are"), (r"'ve\b", " have"), (r"'ll\b", " will"),
    (r"'d\b", " would"), (r"'m\b", " am"), (r"'s\b", " is"), (r"s'(?=\s|$)", "s"),
]
_SPELLINGS = {"ok": "okay", "alright": "all right"}
# The scripts are British English and the recogniser's dictionary American: it writes "favor"
# for a "favour" it heard right, and has no "pyjamas" or "summarising" at all. The British
# spellings in the library's transcripts, compared in their American form on both sides.
_SPELLINGS.update({"favour": "favor", "favours": "favors", "neighbour": "neighbor",
                   "neighbours": "neighbors", "programme": "program", "programmes": "programs",
                   "pyjamas": "pajamas", "summarising": "summarizing", "colour": "color",
                   "behaviour": "behavior", "realise": "realize", "realised": "realized"})
_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """0-999999 in words, as a listener (and the recogniser) would write them."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + (" " + number_words(rest) if rest else "")
    rest = n % 1000
    return number_words(n // 1000) + " thousand" + (" " + number_words(rest) if rest else "")


def normal_words(text: str) -> list[str]:
    """``text`` as the words compared: see the module docstring."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)  # hyphens and dashes separate words
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    words = [w.strip("'") for w in text.split()]
    return " ".join(_SPELLINGS.get(w, w) for w in words if w).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words: Levenshtein over words."""
    ref, hyp = normal_words(reference), normal_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / len(ref)


# --- audio and recognition --------------------------------------------------------------------

def clip_audio(path: Path | str) -> bytes:
    """The clip's sound as the recogniser takes it: 16 kHz mono signed 16-bit PCM."""
    import av

    chunks = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        for frame in container.decode(audio=0):
            chunks += [bytes(f.planes[0])[:2 * f.samples] for f in resampler.resample(frame)]
        chunks += [bytes(f.planes[0])[:2 * f.samples] for f in resampler.resample(None)]
    return b"".join(chunks)


def recognise(audio: bytes, lm: Path | None = None) -> str:
    """What PocketSphinx hears in ``audio`` (16 kHz mono s16), with its own language model or
    the ARPA model ``lm``. Its voice-activity segmenter cuts the clip at the pauses and each
    stretch of speech is decoded as an utterance: decoding a 30 s clip as one utterance drifts
    (on the first 21 clips: mean WER 0.150, worst 0.333 as one utterance; 0.136, 0.275 cut)."""
    try:
        from pocketsphinx import Decoder, Segmenter
    except ImportError:
        raise _missing() from None
    options = {"samprate": SAMPLE_RATE, "loglevel": "FATAL"}
    if lm is not None:
        options["lm"] = str(lm)
    decoder = Decoder(**options)
    heard = []
    for speech in Segmenter(sample_rate=SAMPLE_RATE).segment(io.BytesIO(audio)):
        decoder.start_utt()
        decoder.process_raw(speech.pcm, full_utt=True)
        decoder.end_utt()
        if (hyp := decoder.hyp()) is not None and hyp.hypstr:
            heard.append(hyp.hypstr)
    return " ".join(heard)


def dictionary_words(text: str) -> str:
    """A transcript as the recogniser's dictionary spells it (contractions kept: "don't" is
    one entry there), one sentence a line, for building a language model."""
    lines = []
    for sentence in re.split(r"(?<=[.?!])\s+", text.replace("\u2019", "'")):
        words = re.sub(r"[^a-z' ]+", " ", sentence.lower()).split()
        if words := [w.strip("'") for w in words if w.strip("'")]:
            lines.append(" ".join(words))
    return "\n".join(lines)


_DICTIONARY: frozenset[str] | None = None  # read once, on first use


def unknown_words(text: str) -> list[str]:
    """The words of ``text`` missing from the recogniser's dictionary, in order, once each: it
    can never hear them, however clear the voice, so the line needs other words."""
    try:
        from pocketsphinx import get_model_path
    except ImportError:
        raise _missing() from None
    global _DICTIONARY
    if _DICTIONARY is None:  # 134 000 entries; "word(2)" marks a second pronunciation
        path = Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"
        with path.open(encoding="utf-8") as f:
            _DICTIONARY = frozenset(line.split(maxsplit=1)[0].split("(")[0] for line in f
                                    if line.strip())
    words = dictionary_words(text).split()  # lines are sentences
    return list(dict.fromkeys(w for w in words if w not in _DICTIONARY))


def build_language_model(transcripts: list[str], path: Path) -> Path:
    """A trigram ARPA model of ``transcripts``, by PocketSphinx's own builder (fixed back-off)."""
    try:
        from pocketsphinx.lm import ArpaBoLM
    except ImportError:
        raise _missing() from None
    model = ArpaBoLM(text="\n".join(dictionary_words(t) for t in transcripts), add_start=True)
    model.compute()
    out = StringIO()
    model.write(out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# --- the library ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Heard:
    clip_id: str
    transcript: str
    heard: str
    wer: float
    seconds: float  # decoding the audio and recognising it
    unknown: tuple[str, ...] = ()  # transcript words the recogniser's dictionary lacks


def measure_library(clips_dir: Path | str | None = None, lm: str = "default",
                    only: list[str] | None = None) -> list[Heard]:
    """Transcribe every clip of the library (or those in ``only``) and score it."""
    from ..library.catalog import load_catalog

    if lm not in LANGUAGE_MODELS:
        raise ValueError(f"lm must be one of {LANGUAGE_MODELS}, not {lm!r}")
    clips = list(load_catalog(clips_dir))
    results = []
    with tempfile.TemporaryDirectory(prefix="rupture-lm-") as tmp:
        shared = (build_language_model([c.transcript for c in clips], Path(tmp) / "library.lm")
                  if lm == "library" else None)
        for clip in clips:
            if only and clip.id not in only:
                continue
            t0 = time.perf_counter()
            model = shared
            if lm == "others":
                model = build_language_model([c.transcript for c in clips if c.id != clip.id],
                                             Path(tmp) / f"{clip.id}.lm")
            heard = recognise(clip_audio(clip.media_path), model)
            results.append(Heard(clip.id, clip.transcript, heard,
                                 word_error_rate(clip.transcript, heard),
                                 time.perf_counter() - t0, tuple(unknown_words(clip.transcript))))
    return results


def report(results: list[Heard]) -> str:
    lines = [f"{r.clip_id:26} WER {r.wer:5.2f}  {r.seconds:4.1f} s  heard: {r.heard}"
             + (f"  (not in the recogniser's dictionary: {', '.join(r.unknown)})"
                if r.unknown else "") for r in results]
    if results:
        wers = [r.wer for r in results]
        lines.append(f"{len(results)} clips: mean WER {sum(wers) / len(wers):.3f} (at most "
                     f"{MAX_MEAN_WER}), worst {max(wers):.3f} (at most {MAX_CLIP_WER}), "
                     f"{sum(r.seconds for r in results):.0f} s in all")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rupture_widgets.authoring.intelligibility",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--clips-dir", help="the library (default: the shipped clips/)")
    parser.add_argument("--lm", choices=LANGUAGE_MODELS, default="default",
                        help="the recogniser's language model (see the module docstring)")
    parser.add_argument("clips", nargs="*", help="clip ids (default: every clip)")
    args = parser.parse_args(argv)
    results = measure_library(args.clips_dir, args.lm, args.clips or None)
    print(report(results))
    wers = [r.wer for r in results]
    ok = bool(wers) and sum(wers) / len(wers) <= MAX_MEAN_WER and max(wers) <= MAX_CLIP_WER
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
