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
    """``samples`` scaled to an integrated loudness of ``lufs`` (ITU-R BS.1770, pyloudnorm).
    Where that would push a peak past -1 dBFS, a limiter turns down only the few milliseconds
    around it (as broadcast loudness normalisation does), so a voice with sharp peaks still
    reaches the target instead of the whole clip being held down by its loudest syllable."""
    try:
        import pyloudnorm
    except ImportError:
        from ..errors import AuthoringUnavailable
        raise AuthoringUnavailable.missing("pyloudnorm") from None
    meter = pyloudnorm.Meter(sample_rate)
    x = samples.astype(np.float64)
    for _ in range(3):  # the limiter takes a little loudness away: measure again, top up
        measured = meter.integrated_loudness(x)
        if not np.isfinite(measured) or abs(measured - lufs) < 0.05:
            break
        x = limit(x * 10 ** ((lufs - measured) / 20), sample_rate)
    return x.astype(np.float32)


def limit(x: np.ndarray, sample_rate: int, ceiling: float = PEAK, release_s: float = 0.08
          ) -> np.ndarray:
    """A peak limiter: gain from the loudest sample in each 2 ms block, taken at once and given
    back over ``release_s``. A no-op on audio whose peaks are already under the ceiling."""
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak <= ceiling:
        return x
    block = max(1, int(sample_rate * 0.002))
    n = -(-len(x) // block)
    padded = np.pad(np.abs(x), (0, n * block - len(x)))
    need = np.minimum(1.0, ceiling / np.maximum(padded.reshape(n, block).max(axis=1), 1e-9))
    need = np.minimum(need, np.concatenate([need[1:], [1.0]]))  # look ahead one block
    gain, g = np.empty(n), 1.0
    back = 1 - np.exp(-block / (sample_rate * release_s))
    for i in range(n):
        g = need[i] if need[i] < g else g + (1.0 - g) * back
        gain[i] = min(g, need[i])
    return x * np.repeat(gain, block)[:len(x)]


def target_lufs(level: str, salience: int) -> float:
    return DEFAULT.loudness_target_lufs + affect_for(level, salience).loudness_lu
