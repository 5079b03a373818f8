"""Speech-like sound at known moments, and short real WebM answers made of it.

For the demo workspace and the tests of ``timing``: the truth (where speech starts, how long it
lasts) is known because it is how the sound was built. The voice is a source-filter model:
a glottal pulse train (pitch 100-220 Hz with jitter and a falling contour) through three vowel
formant resonators that change every syllable (~4-6 a second), under a syllable envelope; that
is what webrtcvad's speech model listens for, where a pure tone or white noise is not.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

#: First three formants (Hz) of a few vowels, for syllables to move between.
VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480),
          (570, 840, 2410), (440, 1020, 2240), (660, 1720, 2410))


def _resonator(x: np.ndarray, freq: float, bandwidth: float, rate: int) -> np.ndarray:
    from scipy.signal import lfilter

    r = np.exp(-np.pi * bandwidth / rate)
    theta = 2 * np.pi * freq / rate
    return lfilter([1 - r], [1, -2 * r * np.cos(theta), r * r], x)


def speech_like(seconds: float, rate: int = 16_000, rng=None, pitch_hz: float = 140.0
                ) -> np.ndarray:
    """``seconds`` of continuous speech-like sound (float32, peak 0.5): syllables joined with
    no pause longer than ~60 ms, so it is one utterance from its first sample to its last."""
    rng = np.random.default_rng(rng)
    n = int(round(seconds * rate))
    out = np.zeros(n, np.float64)
    pos = 0
    while pos < n:
        syl = min(n - pos, int(rate * rng.uniform(0.16, 0.26)))
        t = np.arange(syl) / rate
        f0 = pitch_hz * (1.1 - 0.2 * t / max(t[-1], 1e-3)) * (1 + 0.02 * rng.standard_normal())
        phase = np.cumsum(f0 / rate)
        pulses = np.diff(np.floor(phase), prepend=0.0)  # one impulse per glottal period
        source = pulses + 0.02 * rng.standard_normal(syl)  # a little breath
        vowel = VOWELS[rng.integers(len(VOWELS))]
        voiced = sum(_resonator(source, f, 60 + 0.05 * f, rate) * g
                     for f, g in zip(vowel, (1.0, 0.6, 0.3)))
        # syllable envelope: quick rise, a dip (never silence) at the boundary
        env = np.sin(np.pi * np.clip(t / t[-1], 0, 1)) ** 0.5 * 0.8 + 0.2
        out[pos:pos + syl] = voiced * env
        pos += syl
    ramp = min(n // 2, int(0.01 * rate))  # no click at either end
    if ramp:
        out[:ramp] *= np.linspace(0, 1, ramp)
        out[-ramp:] *= np.linspace(1, 0, ramp)
    peak = np.abs(out).max() or 1.0
    return (0.5 * out / peak).astype(np.float32)


def answer_sound(total_s: float, utterances: list[tuple[float, float]], rate: int = 16_000,
                 rng=None, noise_dbfs: float = -60.0) -> np.ndarray:
    """``total_s`` of quiet room (noise at ``noise_dbfs``) with speech-like utterances at
    ``(start_s, length_s)``: the truth a measurement of it should find."""
    rng = np.random.default_rng(rng)
    n = int(round(total_s * rate))
    out = (10 ** (noise_dbfs / 20) * rng.standard_normal(n)).astype(np.float32)
    for start, length in utterances:
        a = int(round(start * rate))
        piece = speech_like(length, rate, rng)[:max(0, n - a)]
        out[a:a + len(piece)] += piece
    return out


def write_answer_webm(path: str | Path, sound: np.ndarray, rate: int = 16_000,
                      video: bool = True, fps: int = 10) -> Path:
    """A VP8 + Opus WebM holding ``sound`` (mono float), written as MediaRecorder streams it
    (no duration, no cues: the matroska muxer's ``live`` mode), with a small grey picture."""
    import av

    path = Path(path)
    seconds = len(sound) / rate
    with av.open(str(path), "w", format="webm", options={"live": "1"}) as out:
        v = None
        if video:
            v = out.add_stream("libvpx", rate=fps)
            v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        a = out.add_stream("libopus", rate=48000)
        a.layout = "mono"
        if v is not None:
            img = np.full((48, 64, 3), 96, np.uint8)
            for i in range(max(1, int(seconds * fps))):
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                out.mux(v.encode(frame))
            out.mux(v.encode())
        up = np.interp(np.arange(int(seconds * 48000)) / 48000, np.arange(len(sound)) / rate,
                       sound).astype(np.float32)
        step = 960  # 20 ms Opus frames
        for i in range(0, len(up) - step + 1, step):
            frame = av.AudioFrame.from_ndarray(up[None, i:i + step], format="fltp",
                                               layout="mono")
            frame.sample_rate, frame.pts = 48000, i
            out.mux(a.encode(frame))
        out.mux(a.encode())
    return path
