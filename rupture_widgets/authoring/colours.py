"""Colours a face can be read by: luminance contrast, and features pushed until they are readable.

A feature drawn as a fixed shade of the skin (lips at 80 % of the skin, say) all but vanishes on
dark skin or on a beard, where 80 % of a small luminance is still a small difference. So every
feature colour is chosen against what surrounds it, to a minimum contrast, whatever the skin tone:
darker than the surround where it can be, lighter where the surround is already near black.

Contrast here is the WCAG ratio minus one, ``(L_light + 0.05) / (L_dark + 0.05) - 1``, with L the
relative luminance of linearised sRGB: 0 is invisible, 0.3 is a line a viewer reads at a glance.
`rupture clips check` measures the same on the finished clip (``library.faces``).
"""
from __future__ import annotations

import numpy as np

from ..library.faces import relative_luminance

Colour = tuple[int, int, int]


def luminance(c) -> float:
    """Relative luminance (0..1) of one sRGB colour, as the check measures it."""
    return float(relative_luminance(np.asarray(c, dtype=np.uint8)))


def contrast(a, b) -> float:
    """Luminance contrast of two colours (or two luminances), 0 when equal."""
    la = a if isinstance(a, float) else luminance(a)
    lb = b if isinstance(b, float) else luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05) - 1.0


def readable(colour: Colour, against: Colour, minimum: float, margin: float = 0.12) -> Colour:
    """``colour`` darkened (or, on a surround too dark for that, lightened) until its contrast
    with ``against`` is at least ``minimum`` plus a margin for video compression and blur. The
    hue is kept, so lips stay lips and brows stay the hair's colour."""
    goal = minimum + margin
    if contrast(colour, against) >= goal:
        return tuple(colour)
    l_bg = luminance(against)
    can_darken = (l_bg + 0.05) / (1 + goal) - 0.05 > 0.004
    target = (0, 0, 0) if can_darken else (255, 255, 255)
    lo, hi = 0.0, 1.0  # how far towards black (or white): the least that reaches the goal
    for _ in range(24):
        mid = (lo + hi) / 2
        if contrast(_towards(colour, target, mid), against) >= goal:
            hi = mid
        else:
            lo = mid
    return _towards(colour, target, hi)


def _towards(c: Colour, target: Colour, t: float) -> Colour:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(c, target))

