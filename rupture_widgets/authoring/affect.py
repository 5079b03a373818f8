"""How intense a clip is, from its level: the face's expressions, the voice's pitch range and
the clip's loudness all rise from beginner to advanced, except where advanced means *subtle*
(a 3RS salience of 2 or less: the withdrawal a trainee could easily miss), which is quieter and
flatter than anything else in the library.

The levels come from the taxonomy: beginner is "mild affect", advanced is "intense affect, or
subtle withdrawal that is easy to miss". Loudness offsets stay well inside the library's
tolerance (thresholds.loudness_tolerance_lu), so a trainee still never reaches for the volume.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..library.thresholds import DEFAULT

PEAK = 0.89  # -1 dBFS: headroom for the AAC encoder


@dataclass(frozen=True)
class Affect:
    face: float = 1.0         # scales every expression away from neutral
    voice_range: float = 1.0  # scales the pitch range
    loudness_lu: float = 0.0  # offset from the library's loudness target


LEVELS = {
    "beginner": Affect(face=0.85, voice_range=0.9, loudness_lu=-1.0),
    "intermediate": Affect(),
    "advanced": Affect(face=1.25, voice_range=1.2, loudness_lu=1.0),
}
SUBTLE = Affect(face=0.75, voice_range=0.85, loudness_lu=-1.5)


def affect_for(level: str, salience: int) -> Affect:
    if level == "advanced" and salience <= 2:
        return SUBTLE
    return LEVELS.get(level, Affect())


def to_loudness(samples: np.ndarray, sample_rate: int, lufs: float) -> np.ndarray:
    """``samples`` scaled to an integrated loudness of ``lufs`` (ITU-R BS.1770, pyloudnorm), or
    as near as the peak allows: speech is never clipped to reach a number."""
    try:
        import pyloudnorm
    except ImportError:
        from ..errors import AuthoringUnavailable
        raise AuthoringUnavailable.missing("pyloudnorm") from None
    x = samples.astype(np.float64)
    measured = pyloudnorm.Meter(sample_rate).integrated_loudness(x)
    if not np.isfinite(measured):
        return samples
    gain = 10 ** ((lufs - measured) / 20)
    peak = float(np.max(np.abs(x))) or 1.0
    return (x * min(gain, PEAK / peak)).astype(np.float32)


def target_lufs(level: str, salience: int) -> float:
    return DEFAULT.loudness_target_lufs + affect_for(level, salience).loudness_lu
