"""How loud each clip is: ITU-R BS.1770 integrated loudness, measured with pyloudnorm.

Every clip should sit near the library's one target, so a trainee moving from clip to clip never
reaches for the volume (and a quiet client is not mistaken for a withdrawn one). The measure gates
out silence, so the lead-in and the pause at the end do not pull a clip down.
"""
from __future__ import annotations

import math

import numpy as np

from .thresholds import Thresholds

#: BS.1770 measures in 400 ms blocks; a shorter sound has no integrated loudness.
MIN_SECONDS = 0.4


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """LUFS of mono samples; -inf for silence (or a sound too short to measure)."""
    import pyloudnorm

    if rate <= 0 or len(samples) < MIN_SECONDS * rate:
        return -math.inf
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


def loudness_problem(lufs: float, limits: Thresholds) -> str | None:
    """What is wrong with one clip's loudness (for 'clip: loudness: ...'), or None."""
    target, tol = limits.loudness_target_lufs, limits.loudness_tolerance_lu
    if not math.isfinite(lufs):
        return f"silent: no loudness to measure (the library's target is {target:g} LUFS)"
    off = lufs - target
    if abs(off) <= tol:
        return None
    return (f"{lufs:.1f} LUFS, {abs(off):.1f} LU {'below' if off < 0 else 'above'} the "
            f"library's target {target:.1f} (within ±{tol:g})")
