"""Readable captions: the voice times one cue per sentence, as spoken; trainees need time to read.

Speech timing alone gives captions that flash by ('No.' for 0.31 s) or blink off between
sentences. ``readable_captions`` reshapes them by common subtitle practice, with the numbers from
``library.thresholds`` (one source for the build and for `rupture clips check`):

- Each caption starts on its first word (Netflix timing guidelines: the in-time is the first frame
  of audio, or within 1-2 frames of it; BBC guidelines 5.2: match the pace of speaking). Only one
  that cannot be read in time otherwise starts up to MAX_LEAD_S early.
- It stays at least ``caption_min_s`` (Netflix general requirements: 5/6 s, 20 frames at 24 fps)
  and long enough to be read at ``caption_max_cps`` (Netflix English guide: 17 characters a second
  for adult programmes; BBC 4.1 puts it as 160-180 words a minute), by lingering after its speech
  ends, into the pause, up to 2 frames before the next caption (Netflix: a 2-frame minimum gap;
  out-times may be extended past the audio for reading speed).
- A gap shorter than ``caption_min_gap_s`` is closed to those 2 frames (Netflix timing
  guidelines: gaps under 12 frames, half a second, are closed), so the screen does not flicker.
- A caption that cannot be read in time even so is merged with its neighbour when the two fit
  ``caption_lines`` lines of ``caption_line_chars`` (Netflix: 2 lines of 42; BBC 3.3: avoid three
  lines; BBC 3.8: short sentences may share a subtitle) and last at most ``caption_max_s``
  (Netflix: 7 s). A sentence too long for two lines is split, at punctuation or before a
  conjunction or preposition where one is near the middle (Netflix line treatment).
- Nothing overlaps, nothing runs past the clip, and the words and their order are kept exactly.

What still breaks a limit is returned, not hidden, so the build can say so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

from ..library.thresholds import DEFAULT, Thresholds
from .encode import FPS, wrap

GAP_FRAMES = 2        # Netflix: the minimum gap between two captions, at any frame rate
MAX_LEAD_S = 0.1      # Netflix: an in-time within 1-2 frames of the first audio is acceptable
_EPS = 1e-6           # float slack when comparing seconds

# Where a long sentence is best split (Netflix line treatment): after punctuation, before these.
_BREAK_BEFORE = frozenset(
    "and but or so because while when which who that if though although than "
    "with to for of in on at about from into like".split())


class Timed(Protocol):
    """What the voice gives (voice.Cue) and what comes back: a text with its time on screen."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Caption:
    start: float
    end: float
    text: str

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def cps(self) -> float:
        """Reading speed: characters (spaces and punctuation included, as the guides count them)
        per second on screen."""
        return len(self.text) / self.duration if self.duration > 0 else math.inf


@dataclass(frozen=True)
class Captions:
    cues: list[Caption]
    too_fast: list[Caption]   # still faster than caption_max_cps with all the time there is
    too_short: list[Caption]  # still shorter than caption_min_s
    thresholds: Thresholds = DEFAULT

    @property
    def problems(self) -> list[str]:
        t = self.thresholds
        return ([f"{c.start:.2f} s {c.text!r}: {c.cps:.1f} characters a second even with "
                 f"all the time there is (limit {t.caption_max_cps:g})" for c in self.too_fast]
                + [f"{c.start:.2f} s {c.text!r}: on screen {c.duration:.2f} s (minimum "
                   f"{t.caption_min_s:g} s)" for c in self.too_short])


def readable_captions(spoken: Sequence[Timed], clip_end: float,
                      thresholds: Thresholds = DEFAULT, fps: float = FPS) -> Captions:
    """Captions for ``spoken`` (speech-timed cues in order, one per sentence) in a clip that ends
    at ``clip_end`` seconds, shaped to be readable; see the module docstring for the rules."""
    t = thresholds
    gap = GAP_FRAMES / fps
    cues = [Caption(c.start, min(c.end, clip_end), " ".join(c.text.split())) for c in spoken]
    for a, b in zip(cues, cues[1:]):
        if b.start < a.end - _EPS:
            raise ValueError(f"speech cues overlap: {a.text!r} and {b.text!r}")
    cues = [piece for c in cues for piece in _split(c, t)]
    cues = _merge(cues, clip_end, t, gap)
    shown = _time(cues, clip_end, t, gap)
    too_fast = [c for c in shown if c.cps > t.caption_max_cps + _EPS]
    too_short = [c for c in shown if c.duration < t.caption_min_s - _EPS]
    return Captions(shown, too_fast, too_short, t)


def fits(text: str, t: Thresholds = DEFAULT) -> bool:
    """Whether ``text`` fits the caption box as encode.wrap lays it out for the VTT."""
    return len(wrap(text, t.caption_line_chars).splitlines()) <= t.caption_lines


def _reading_time(text: str, t: Thresholds) -> float:
    return max(t.caption_min_s, len(text) / t.caption_max_cps)


def _limit(cues: list[Caption], i: int, clip_end: float, gap: float) -> float:
    """The latest a caption may stay: 2 frames before the next one starts, or the clip's end.
    Floored to the millisecond the VTT keeps, so rounding never eats into the gap."""
    return _floor_ms(cues[i + 1].start - gap if i + 1 < len(cues) else clip_end)


# --- splitting a sentence too long for the box ------------------------------------------------

def _split(c: Caption, t: Thresholds) -> list[Caption]:
    """``c`` as pieces that each fit the box and caption_max_s. The voice times whole sentences
    only, so each piece gets a share of the sentence's time in proportion to its characters."""
    words = c.text.split()
    if len(words) < 2 or (fits(c.text, t) and c.duration <= t.caption_max_s + _EPS):
        return [c]
    k = min(range(1, len(words)), key=lambda k: _break_cost(words, k, t))
    left, right = " ".join(words[:k]), " ".join(words[k:])
    at = round(c.start + c.duration * (len(left) + 1) / (len(c.text) + 1), 3)
    return _split(Caption(c.start, at, left), t) + _split(Caption(at, c.end, right), t)


def pieces(text: str, t: Thresholds = DEFAULT) -> list[str]:
    """``text`` cut where ``_split`` would cut it (each piece fits the box): the voice speaks
    such pieces as phrases of their own, so each caption gets its own time to be read."""
    words = text.split()
    if len(words) < 2 or fits(text, t):
        return [text]
    k = min(range(1, len(words)), key=lambda k: _break_cost(words, k, t))
    return pieces(" ".join(words[:k]), t) + pieces(" ".join(words[k:]), t)


def _break_cost(words: list[str], k: int, t: Thresholds) -> float:
    """Lower is better: two pieces that fit, split at a natural point, of similar length."""
    left, right = " ".join(words[:k]), " ".join(words[k:])
    cost = abs(len(left) - len(right))
    if not (fits(left, t) and fits(right, t)):
        cost += 1000
    if words[k - 1][-1] in ",;:.?!…—-":
        cost -= 30
    elif words[k].lower().strip(",.") in _BREAK_BEFORE:
        cost -= 20
    return cost


# --- merging what cannot be read in its own time ----------------------------------------------

def _merge(cues: list[Caption], clip_end: float, t: Thresholds, gap: float) -> list[Caption]:
    """Join a caption that cannot be read before the next one starts with the neighbour it is
    closest to in time, as long as the two fit the box and caption_max_s; repeat until none can
    be joined. Captions that are readable alone keep their own timing: closer to the speech."""
    cues = list(cues)
    i = 0
    while i < len(cues):
        c = cues[i]
        if _limit(cues, i, clip_end, gap) - c.start >= _reading_time(c.text, t) - _EPS:
            i += 1
            continue
        options = []
        for j in (i - 1, i + 1):
            if 0 <= j < len(cues):
                a, b = (cues[j], c) if j < i else (c, cues[j])
                joined = Caption(a.start, b.end, f"{a.text} {b.text}")
                if fits(joined.text, t) and joined.duration <= t.caption_max_s + _EPS:
                    options.append((b.start - a.end, min(i, j), joined))
        if not options:
            i += 1  # reported later if the timing cannot save it either
            continue
        _, at, joined = min(options, key=lambda o: o[0])
        cues[at:at + 2] = [joined]
        i = max(at - 1, 0)  # the joined caption and the one before it have new neighbours
    return cues


# --- timing -----------------------------------------------------------------------------------

def _time(cues: list[Caption], clip_end: float, t: Thresholds, gap: float) -> list[Caption]:
    starts = _starts(cues, clip_end, t, gap)
    shown = []
    for i, c in enumerate(cues):
        nxt = starts[i + 1] if i + 1 < len(cues) else None
        limit = _floor_ms(nxt - gap) if nxt is not None else _floor_ms(clip_end)
        longest = starts[i] + max(t.caption_max_s, c.end - starts[i])
        end = min(max(c.end, _read_by(starts[i], c.text, t)), limit, longest)
        if nxt is not None and nxt - end < t.caption_min_gap_s:
            end = min(limit, longest)  # no flicker: stay until 2 frames before the next one
        shown.append(Caption(starts[i], round(end, 3), c.text))
    return shown


def _starts(cues: list[Caption], clip_end: float, t: Thresholds, gap: float) -> list[float]:
    """Each caption starts with its speech; one that cannot be read in time otherwise may start
    up to MAX_LEAD_S early, once the caption before it has had its own reading time."""
    starts: list[float] = []
    for i, c in enumerate(cues):
        start = c.start
        if _limit(cues, i, clip_end, gap) - c.start < _reading_time(c.text, t) - _EPS:
            earliest = 0.0
            if i:
                p = cues[i - 1]
                earliest = _ceil_ms(max(p.end, _read_by(starts[-1], p.text, t)) + gap)
            start = min(c.start, max(c.start - MAX_LEAD_S, earliest))
        starts.append(round(start, 3))
    return starts


def _read_by(start: float, text: str, t: Thresholds) -> float:
    """When a caption shown from ``start`` has been on long enough to be read. Half a
    millisecond over, so a checker reading the VTT's milliseconds as floats agrees."""
    return _ceil_ms(start + _reading_time(text, t) + 0.0005)


def _floor_ms(s: float) -> float:
    return math.floor(s * 1000 + _EPS) / 1000


def _ceil_ms(s: float) -> float:
    return math.ceil(s * 1000 - _EPS) / 1000
