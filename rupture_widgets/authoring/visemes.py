"""Mouth shapes that follow the speech sounds, read from the audio itself.

Piper gives no phoneme timings for this voice, but the spectrum carries what a viewer sees:
open vowels put their energy low (a high first formant opens the jaw), rounded vowels and 'w'
keep it low and narrow (the lips round), front vowels like 'ee' push it high (the lips spread),
and 's', 'sh', 'f' are hiss above 4 kHz with the teeth nearly together; 'm', 'b', 'p' are the
short silences where the lips close. Each video frame gets an opening, a width and a teeth cue
from one windowed FFT of the audio under it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MouthShape:
    open: float = 0.0   # px between the lips
    width: float = 1.0  # factor on the emotion's mouth width (<1 rounded, >1 spread)
    teeth: float = 0.0  # 0..1: the teeth show (sibilants, spread vowels)


CLOSED = MouthShape()
MAX_OPEN_PX = 9.0


def _band(power: np.ndarray, freqs: np.ndarray, lo: float, hi: float) -> float:
    sel = (freqs >= lo) & (freqs < hi)
    return float(power[sel].sum())


def mouth_shapes(samples: np.ndarray, sample_rate: int, fps: float) -> list[MouthShape]:
    """One shape per video frame of ``samples`` (mono float)."""
    hop = sample_rate / fps
    n = int(np.ceil(len(samples) / hop))
    size = 1 << int(np.ceil(np.log2(hop * 1.5)))
    window = np.hanning(size)
    freqs = np.fft.rfftfreq(size, 1 / sample_rate)
    rms = np.zeros(n)
    feats = np.zeros((n, 3))  # jaw (low share), spread (centroid 300-3000 Hz, 0..1), hiss share
    x = samples.astype(np.float64)
    for i in range(n):
        mid = int((i + 0.5) * hop)
        seg = x[max(0, mid - size // 2): mid + size // 2]
        if len(seg) < size:
            seg = np.pad(seg, (0, size - len(seg)))
        rms[i] = float(np.sqrt(np.mean(seg ** 2)))
        power = np.abs(np.fft.rfft(seg * window)) ** 2
        total = _band(power, freqs, 80, 8000) + 1e-12
        voiced = power[(freqs >= 300) & (freqs < 3000)]
        f = freqs[(freqs >= 300) & (freqs < 3000)]
        centroid = float((voiced * f).sum() / (voiced.sum() + 1e-12))
        feats[i] = (_band(power, freqs, 300, 1000) / total, np.clip((centroid - 700) / 1300, 0, 1),
                    _band(power, freqs, 4000, 8000) / total)
    loud = rms[rms > 0]
    peak = np.percentile(loud, 95) if len(loud) else 1.0
    level = np.clip(rms / max(peak, 1e-6), 0.0, 1.0)
    shapes, opening, width = [], 0.0, 1.0
    for i in range(n):
        jaw, spread, hiss = feats[i]
        target = level[i] * MAX_OPEN_PX * (0.55 + 0.7 * jaw) * (1 - 0.6 * hiss)
        # lips open fast and close a little slower, as a speaking mouth does
        opening = target if target > opening else opening * 0.5 + target * 0.5
        goal = 0.78 + 0.36 * spread if level[i] > 0.12 else 1.0
        width += (goal - width) * 0.45
        teeth = 1.0 if level[i] > 0.12 and (hiss > 0.25 or spread > 0.8) else 0.0
        shapes.append(MouthShape(round(opening, 1), round(width, 3), teeth))
    return shapes
