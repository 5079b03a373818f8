"""Colours a face can be read by: luminance contrast, and features pushed until they are readable.

A feature drawn as a fixed shade of the skin (lips at 80 % of the skin, say) all but vanishes on
dark skin or on a beard, where 80 % of a small luminance is still a small difference. So every
feature colour is chosen against what surrounds it, to a minimum contrast, whatever the skin tone:
darker than the surround where it can be, lighter where the surround is already near black.

Contrast here is the WCAG ratio minus one, ``(L_light + 0.05) / (L_dark + 0.05) - 1``, with L the
relative luminance of linearised sRGB: 0 is invisible, 0.3 is a line a viewer reads at a glance.
`rupture clips check` measures the same on the finished clip.
"""
from __future__ import annotations

import numpy as np

Colour = tuple[int, int, int]


def luminance(c) -> np.ndarray | float:
    """Relative luminance (0..1) of an sRGB colour or an (..., 3) uint8 array."""
    a = np.asarray(c, dtype=np.float64) / 255.0
    lin = np.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055) ** 2.4)
    out = lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722
    return float(out) if out.ndim == 0 else out


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


def feature_contrast(luma: np.ndarray, mask: np.ndarray, ring: int = 4) -> float:
    """How readable a drawn feature is in a picture: the mean, over the feature's pixels, of each
    pixel's contrast with the mean of a ring of surround ``ring`` px wide around it. A mean per
    pixel, not of the means, so lips lighter than a beard with a darker crease between them add
    up instead of cancelling out. 0 for a feature not drawn at all."""
    from PIL import Image, ImageFilter

    if not mask.any():
        return 0.0
    m = Image.fromarray(mask.astype(np.uint8) * 255)
    outer = np.asarray(m.filter(ImageFilter.MaxFilter(2 * ring + 1))) > 0
    inner = np.asarray(m.filter(ImageFilter.MaxFilter(3))) > 0
    surround = float(luma[outer & ~inner].mean())
    lf = luma[mask]
    return float(np.mean((np.maximum(lf, surround) + 0.05) / (np.minimum(lf, surround) + 0.05))
                 - 1.0)
