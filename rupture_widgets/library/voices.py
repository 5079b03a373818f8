"""Whether the synthesised clients sound like different people: pitch and formants per persona,
measured with Praat (parselmouth), compared for every pair.

Every persona is derived from one base voice, so two personas given similar settings can end up
as the same person twice. Two voices differ when their median pitch is apart, or their vocal
tracts are (the third formant moves least with the vowel spoken, so it stands for the speaker's
tract length). Only voiced frames count: silence and breaths have no pitch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .thresholds import Thresholds

PITCH_FLOOR_HZ, PITCH_CEILING_HZ = 60.0, 500.0  # covers the persona range (70-300 Hz) with room
#: One formant ceiling for every voice (Praat's advice is 5000 Hz for men, 5500 for women), so
#: the personas are measured alike and a difference is the voice's, not the setting's.
MAX_FORMANT_HZ = 5500.0
TIME_STEP_S = 0.01


@dataclass(frozen=True)
class VoiceFrames:
    """Voiced frames of one clip: F0 and F1-F3 (Hz; NaN where Praat found no formant)."""
    f0: np.ndarray
    formants: np.ndarray  # shape (n, 3)


@dataclass(frozen=True)
class VoiceFigures:
    persona: str
    clips: int
    voiced_s: float
    pitch_hz: float          # median F0 over voiced frames
    formants_hz: tuple[float, float, float]  # mean F1, F2, F3 over voiced frames


def voiced_frames(samples: np.ndarray, rate: int) -> VoiceFrames:
    import parselmouth

    empty = VoiceFrames(np.zeros(0), np.zeros((0, 3)))
    if rate <= 0 or len(samples) < rate * 0.1:
        return empty
    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate)
    if rate > 2 * MAX_FORMANT_HZ:  # what Burg resamples to anyway; once here, pitch gets it too
        sound = sound.resample(2 * MAX_FORMANT_HZ)
    pitch = sound.to_pitch(time_step=TIME_STEP_S, pitch_floor=PITCH_FLOOR_HZ,
                           pitch_ceiling=PITCH_CEILING_HZ)
    f0 = pitch.selected_array["frequency"]
    times = pitch.xs()[f0 > 0]
    if not len(times):
        return empty
    formant = sound.to_formant_burg(time_step=TIME_STEP_S, max_number_of_formants=5,
                                    maximum_formant=MAX_FORMANT_HZ)
    formants = np.array([[formant.get_value_at_time(k, t) for k in (1, 2, 3)] for t in times],
                        dtype=float)
    return VoiceFrames(f0[f0 > 0], formants)


def persona_voice(persona: str, frames: list[VoiceFrames]) -> VoiceFigures | None:
    """One persona's voice over all its clips' voiced frames pooled; None if none is voiced."""
    f0 = np.concatenate([f.f0 for f in frames]) if frames else np.zeros(0)
    if not len(f0):
        return None
    formants = np.concatenate([f.formants for f in frames])
    means = tuple(float(np.nanmean(formants[:, k])) for k in range(3))
    return VoiceFigures(persona, len(frames), len(f0) * TIME_STEP_S, float(np.median(f0)), means)


@dataclass(frozen=True)
class VoicePair:
    a: str
    b: str
    pitch_st: float     # semitones between median pitches
    formant_pct: float  # third formants apart, as a percentage of the lower one

    def closeness(self, limits: Thresholds) -> float:
        """Below 1 means too alike: the larger of the two differences, as a share of its limit."""
        return max(self.pitch_st / limits.voice_min_pitch_st,
                   self.formant_pct / limits.voice_min_formant_pct)


def voice_pairs(voices: list[VoiceFigures]) -> list[VoicePair]:
    pairs = []
    for a, b in combinations(voices, 2):
        st = abs(12 * math.log2(a.pitch_hz / b.pitch_hz))
        fa, fb = a.formants_hz[2], b.formants_hz[2]
        pct = abs(fa - fb) / min(fa, fb) * 100 if min(fa, fb) > 0 else 0.0
        pairs.append(VoicePair(a.persona, b.persona, st, pct))
    return pairs


def voice_problems(pairs: list[VoicePair], limits: Thresholds) -> list[str]:
    """One problem per pair of personas that differ in neither pitch nor formants."""
    return [f"personas {p.a} and {p.b}: voice: median pitch {p.pitch_st:.1f} semitones apart "
            f"and third formant {round(p.formant_pct, 1):g} % apart (at least "
            f"{limits.voice_min_pitch_st:g} semitones or {limits.voice_min_formant_pct:g} %)"
            for p in pairs if p.closeness(limits) < 1]
