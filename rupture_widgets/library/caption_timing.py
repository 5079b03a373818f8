"""Whether a clip's captions can be read: how long each cue stays, how fast it must be read, how it
is laid out, and the blanks between cues.

Common subtitle practice: a cue stays at least 5/6 s and at most about 7 s, is read at no more
than 17 characters per second, holds at most two lines of 42 characters, and two cues are either
joined or have a real pause between them (a blank of a few tenths of a second makes the captions
flicker). Pure Python over parsed cues, so it runs in the trainee install too.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from .thresholds import Thresholds

#: A blank this short is a joined pair of cues (two frames at 24 fps lets the eye see the
#: change), not a flicker.
JOINED_GAP_S = 0.084

#: WebVTT times are whole milliseconds; a figure within half of one of its limit meets it.
EPS_S = 0.0005

_TAG = re.compile(r"<[^>]*>")  # WebVTT's <i>, <b>, <v Name>: styling, not text to read


@dataclass(frozen=True)
class CueFigures:
    number: int          # 1-based, in file order, as an author counts them
    text: str
    duration_s: float
    cps: float           # characters per second, line breaks not counted
    lines: tuple[str, ...]
    gap_before_s: float | None  # blank since the previous cue ends; None for the first cue


def reading_text(text: str) -> str:
    return _TAG.sub("", text)


def cue_figures(cues: list[tuple[float, float, str]]) -> list[CueFigures]:
    out, prev_end = [], None
    for i, (start, end, text) in enumerate(cues, start=1):
        lines = tuple(reading_text(text).split("\n"))
        duration = max(end - start, 0.0)
        chars = sum(len(line.strip()) for line in lines) + max(len(lines) - 1, 0)  # break = space
        cps = chars / duration if duration > 0 else float("inf")
        gap = None if prev_end is None else start - prev_end
        out.append(CueFigures(i, " ".join(ln.strip() for ln in lines), duration, cps, lines,
                              gap))
        prev_end = end
    return out


def is_flicker(gap_s: float | None, limits: Thresholds) -> bool:
    return gap_s is not None and JOINED_GAP_S + EPS_S < gap_s < limits.caption_min_gap_s - EPS_S


def caption_problems(figures: list[CueFigures], limits: Thresholds) -> list[str]:
    """What is wrong with one clip's cues, each naming its cue (for 'clip: captions: ...')."""
    problems = []
    for c in figures:
        if _short(c, limits):
            problems.append(f"cue {c.number} {_quote(c.text)} lasts {c.duration_s:.2f} s "
                            f"(at least {limits.caption_min_s:g} s)")
        if _long(c, limits):
            problems.append(f"cue {c.number} {_quote(c.text)} lasts {c.duration_s:.2f} s "
                            f"(at most {limits.caption_max_s:g} s: split it)")
        if c.cps > limits.caption_max_cps and c.duration_s > 0:  # else the format check says
            problems.append(f"cue {c.number} runs at {c.cps:.1f} characters per second "
                            f"(at most {limits.caption_max_cps:g})")
        if len(c.lines) > limits.caption_lines:
            problems.append(f"cue {c.number} has {len(c.lines)} lines "
                            f"(at most {limits.caption_lines})")
        long = [ln for ln in c.lines if len(ln.strip()) > limits.caption_line_chars]
        if long:
            problems.append(f"cue {c.number} has a line of {max(len(ln.strip()) for ln in long)} "
                            f"characters (at most {limits.caption_line_chars})")
        if is_flicker(c.gap_before_s, limits):
            problems.append(f"cues {c.number - 1} and {c.number} are {c.gap_before_s:.2f} s "
                            f"apart, which flickers (join them, or leave at least "
                            f"{limits.caption_min_gap_s:g} s)")
    return problems


def caption_summary(figures: list[CueFigures], limits: Thresholds) -> dict:
    """The library's caption figures, over every cue of every clip."""
    finite = [c.cps for c in figures if c.cps != float("inf")]
    return {
        "cues": len(figures),
        "under_min_s": sum(_short(c, limits) for c in figures),
        "over_max_s": sum(_long(c, limits) for c in figures),
        "over_max_cps": sum(c.cps > limits.caption_max_cps for c in figures),
        "median_cps": round(statistics.median(finite), 1) if finite else None,
        "max_cps": round(max(finite), 1) if finite else None,
        "flicker_gaps": sum(is_flicker(c.gap_before_s, limits) for c in figures),
        "min_s": round(min(c.duration_s for c in figures), 3) if figures else None,
        "max_s": round(max(c.duration_s for c in figures), 3) if figures else None,
    }


def _short(c: CueFigures, limits: Thresholds) -> bool:
    return c.duration_s < limits.caption_min_s - EPS_S


def _long(c: CueFigures, limits: Thresholds) -> bool:
    return c.duration_s > limits.caption_max_s + EPS_S


def _quote(text: str, limit: int = 30) -> str:
    return '"' + (text if len(text) <= limit else text[:limit - 1].rstrip() + "…") + '"'
