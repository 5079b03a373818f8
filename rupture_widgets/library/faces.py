"""Whether a synthesised client's face can be read: the contrast of the mouth and the brows
against the skin (or beard) around them, in a frame at rest.

The trainee reads a rupture from the face as much as from the words, so a mouth the colour of
the lips around it, or brows lost in a fringe, hide the marker. The avatar says where it draws
each feature in the first ``AT_REST_S`` seconds (head still, mouth closed); the measure compares
the relative luminance (WCAG) of each of those pixels with the mean of a thin ring around them
and averages: a mean per pixel, not of the means, so lips lighter than a beard with a darker
crease between them add up instead of cancelling out. The authoring pipeline chooses feature
colours to this measure (``authoring.colours``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

MEASURE_AT_S = 0.25   # inside the avatar's first half second at rest
RING_INNER_PX, RING_OUTER_PX = 1, 4  # the ring: skip the anti-aliased edge, stay on the face
FEATURES = ("mouth", "brows")


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance (0..1) of sRGB uint8 pixels, shape (..., 3) -> (...)."""
    c = rgb.astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """The mask grown by a disc of ``radius`` px (shifted copies OR-ed: masks are small)."""
    if radius <= 0:
        return mask.copy()
    h, w = mask.shape
    padded = np.pad(mask, radius)
    out = np.zeros_like(mask)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx * dx + dy * dy <= radius * radius:
                out |= padded[radius + dy:radius + dy + h, radius + dx:radius + dx + w]
    return out


def feature_contrast(frame: np.ndarray, mask: np.ndarray) -> float:
    """The mean over the feature's pixels of (lighter + 0.05) / (darker + 0.05) - 1 against the
    ring's mean luminance; 0 for an empty mask (a feature that is not drawn cannot be read)."""
    mask = mask.astype(bool)
    ring = dilate(mask, RING_OUTER_PX) & ~dilate(mask, RING_INNER_PX)
    if not mask.any() or not ring.any():
        return 0.0
    lum = relative_luminance(frame)
    lf, ls = lum[mask], float(lum[ring].mean())
    return float(np.mean((np.maximum(lf, ls) + 0.05) / (np.minimum(lf, ls) + 0.05)) - 1)


def clip_face_contrast(media: Path, masks: dict[str, np.ndarray]) -> dict[str, float]:
    """{feature: contrast} in the clip's frame at ``MEASURE_AT_S``. Raises ValueError when the
    frame is missing or not the size the masks were drawn at."""
    from .decode import frame_at

    frame = frame_at(media, MEASURE_AT_S)
    if frame is None:
        raise ValueError(f"the video has no frame at {MEASURE_AT_S} s")
    out = {}
    for feature in FEATURES:
        mask = np.asarray(masks.get(feature, np.zeros(frame.shape[:2], bool)), dtype=bool)
        if mask.shape != frame.shape[:2]:
            raise ValueError(f"the video is {frame.shape[1]}x{frame.shape[0]} but the avatar "
                             f"draws its {feature} on {mask.shape[1]}x{mask.shape[0]}")
        out[feature] = feature_contrast(frame, mask)
    return out


def face_problems(persona: str, contrasts: dict[str, float], minimum: float) -> list[str]:
    """'persona X: face: mouth contrast 4 % (at least 30 %)' for each feature under the minimum."""
    return [f"persona {persona}: face: {feature} contrast {value * 100:.0f} % "
            f"(at least {minimum * 100:.0f} %)"
            for feature, value in contrasts.items() if value < minimum]
