"""When the trainee started speaking, and for how long, measured from the recording's own audio.

The browser's figures (``Attempt.latency_s`` / ``speaking_s``) come from a microphone level
polled every 100 ms against a fixed threshold (static/recorder_camera.js): a cough or a noisy
room counts as speech. Here the saved recording is decoded and run through WebRTC's
voice-activity detector (the ``webrtcvad-wheels`` package: Google's GMM detector compiled in,
no model to download), with these settings:

- audio decoded with PyAV and resampled to 16 kHz, mono, signed 16-bit (what webrtcvad takes);
- frames of ``FRAME_MS`` = 30 ms (webrtcvad accepts 10, 20 or 30; the longest is the steadiest);
- aggressiveness ``AGGRESSIVENESS`` = 2 (0 least, 3 most eager to call a frame non-speech: 2
  ignores the hiss and hum of a laptop microphone without cutting soft word onsets);
- a fresh detector calls its first few frames voiced whatever they hold (its noise model is
  still settling), so it first hears the recording's first 300 ms once, unscored;
- smoothing: speech *starts* at the first voiced frame of the first window of
  ``START_WINDOW`` = 6 frames (180 ms) holding at least ``START_VOICED`` = 5 voiced frames.
  webrtcvad holds its verdict for a few frames after any loud sound (its built-in "overhang"),
  so a 5 ms click comes out as 3 voiced frames in a row: 3 of 4 would call a click speech, 5
  of 6 does not (tests/research/test_timing.py); it *ends* after ``HANGOVER`` = 10 unvoiced frames (300 ms)
  in a row, at the end of the last voiced frame, so the short pauses between words belong to
  the utterance and a pause for breath (longer than 300 ms) does not.

``onset_s`` is measured from the start of the recording (time 0 of its audio track, which is
where MediaRecorder started); ``speaking_s`` is the total length of the speech segments.

Latency from the end of the clip: the recorder cues an answer at the clip's end when the clip
ended since the last answer (otherwise, after "Record again", at the start of recording) and
recording starts only after the 3-2-1 countdown, so latency = (seconds from the cue to the
start of recording) + ``onset_s``. The attempt record keeps that first term as ``cue_s`` when
the recorder wrote it (see ``cue_seconds``); without it the latency is unknown (None), never
guessed. ``timing_columns(workbook, attempt)`` gives the two table columns ``vad_latency_s``
and ``vad_speaking_s`` (plus ``vad_onset_s``), for ``load_attempts``.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
FRAME_MS = 30
AGGRESSIVENESS = 2
START_WINDOW = 6
START_VOICED = 5
HANGOVER = 10
PRIME_FRAMES = 10
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000


@dataclass(frozen=True)
class Timing:
    """What the detector heard in one recording (seconds from the start of its audio)."""
    onset_s: float | None          # start of the first speech segment; None: no speech heard
    speaking_s: float              # total length of the speech segments
    duration_s: float              # length of the decoded audio
    segments: tuple[tuple[float, float], ...]  # (start, end) of each speech segment
    voiced_fraction: float         # share of frames webrtcvad called voiced, before smoothing


class NoAudio(ValueError):
    """The recording has no audio track (or none that decodes)."""


def decode_audio(path: str | os.PathLike) -> tuple[np.ndarray, float]:
    """A recording's first audio track as 16 kHz mono int16 samples, and the time (s) of its
    first sample on the recording's clock (0 for MediaRecorder's files; a track that starts
    later is padded with that much silence by the caller, so onsets stay on the file's clock)."""
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as e:
        raise NoAudio(f"{path} could not be opened to measure its audio: {e}") from None
    with container:
        if not container.streams.audio:
            raise NoAudio(f"{path} has no audio track, so speech cannot be measured.")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        pieces, first = [], None
        try:
            for frame in container.decode(stream):
                if first is None and frame.time is not None:
                    first = float(frame.time)
                for out in resampler.resample(frame):
                    pieces.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                pieces.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError as e:  # a damaged tail: measure what decoded
            log.warning("%s: audio decoding stopped early (%s); measuring what decoded", path, e)
    samples = np.concatenate(pieces).astype(np.int16) if pieces else np.zeros(0, np.int16)
    return samples, max(0.0, first or 0.0)


def voiced_frames(samples: np.ndarray, aggressiveness: int = AGGRESSIVENESS) -> np.ndarray:
    """webrtcvad's verdict on each whole 30 ms frame (a partial last frame is dropped)."""
    import webrtcvad

    vad = webrtcvad.Vad(aggressiveness)
    n = len(samples) // FRAME_SAMPLES
    data = np.ascontiguousarray(samples[:n * FRAME_SAMPLES], dtype="<i2").tobytes()
    step = FRAME_SAMPLES * 2
    # A fresh detector calls its first ~3 frames voiced whatever they hold, while its noise
    # model settles: let it settle on the recording's own first PRIME_FRAMES, then start again.
    for i in range(min(n, PRIME_FRAMES)):
        vad.is_speech(data[i * step:(i + 1) * step], SAMPLE_RATE)
    return np.array([vad.is_speech(data[i * step:(i + 1) * step], SAMPLE_RATE)
                     for i in range(n)], dtype=bool)


def speech_segments(voiced: np.ndarray, start_window: int = START_WINDOW,
                    start_voiced: int = START_VOICED, hangover: int = HANGOVER
                    ) -> list[tuple[int, int]]:
    """The smoothing rule (module docstring) on per-frame verdicts: [start, end) in frames."""
    segments, i, n = [], 0, len(voiced)
    while i + start_window <= n:
        if voiced[i:i + start_window].sum() < start_voiced:
            i += 1
            continue
        start = i + int(np.argmax(voiced[i:i + start_window]))  # its first voiced frame
        last, j = start, start + 1
        while j < n and j - last <= hangover:
            if voiced[j]:
                last = j
            j += 1
        segments.append((start, last + 1))
        i = last + 1 + hangover
    return segments


def measure_samples(samples: np.ndarray, offset_s: float = 0.0,
                    aggressiveness: int = AGGRESSIVENESS) -> Timing:
    """Timing of 16 kHz mono int16 ``samples`` whose first sample is at ``offset_s``."""
    voiced = voiced_frames(samples, aggressiveness)
    frame_s = FRAME_MS / 1000
    segs = tuple((round(offset_s + a * frame_s, 3), round(offset_s + b * frame_s, 3))
                 for a, b in speech_segments(voiced))
    return Timing(onset_s=segs[0][0] if segs else None,
                  speaking_s=round(sum(b - a for a, b in segs), 3),
                  duration_s=round(offset_s + len(samples) / SAMPLE_RATE, 3), segments=segs,
                  voiced_fraction=float(voiced.mean()) if len(voiced) else 0.0)


def measure_recording(path: str | os.PathLike, aggressiveness: int = AGGRESSIVENESS) -> Timing:
    """Decode ``path`` (WebM, MP4, anything FFmpeg reads) and measure its speech.
    Raises NoAudio when there is nothing to measure."""
    samples, offset = decode_audio(path)
    return measure_samples(samples, offset, aggressiveness)


# -- the attempt's columns -------------------------------------------------------------------

def cue_seconds(attempt) -> float | None:
    """Seconds from the answer's cue (the clip's end, or the start of recording after "Record
    again") to the start of recording, as the recorder logged it (``Attempt.cue_s``); None for
    an attempt logged without it (recorded by an older version, or not by the Recorder)."""
    value = getattr(attempt, "cue_s", None)
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


def timing_columns(workbook, attempt) -> dict:
    """``vad_onset_s``, ``vad_latency_s`` (cue to speech: ``cue_seconds`` + onset, None when
    the cue is unknown) and ``vad_speaking_s`` for one attempt of ``workbook``; all None when
    it has no recording, no audio, or no speech heard (speaking time is then 0.0)."""
    empty = {"vad_onset_s": None, "vad_latency_s": None, "vad_speaking_s": None}
    path = workbook.recording_path(attempt.id)
    if path is None:
        return empty
    try:
        timing = measure_recording(path)
    except NoAudio as e:
        log.info("%s", e)
        return empty
    cue = cue_seconds(attempt)
    latency = None if cue is None or timing.onset_s is None else round(cue + timing.onset_s, 3)
    return {"vad_onset_s": timing.onset_s, "vad_latency_s": latency,
            "vad_speaking_s": timing.speaking_s}


def audio_timing(paths, progress: bool = False) -> "pandas.DataFrame":  # noqa: F821
    """One row per recording path: path, onset_s, speaking_s, duration_s, segments (count);
    a path with no audio gets NaN. For a folder of recordings outside any workbook."""
    import pandas as pd

    rows = []
    items = [Path(p) for p in paths]
    if progress:
        from tqdm.auto import tqdm

        items = tqdm(items, desc="Measuring speech", unit="recording")
    for p in items:
        try:
            t = measure_recording(p)
            rows.append({"path": str(p), "onset_s": t.onset_s, "speaking_s": t.speaking_s,
                         "duration_s": t.duration_s, "segments": len(t.segments)})
        except NoAudio:
            rows.append({"path": str(p), "onset_s": None, "speaking_s": None,
                         "duration_s": None, "segments": 0})
    return pd.DataFrame(rows, columns=["path", "onset_s", "speaking_s", "duration_s",
                                       "segments"]).astype({"onset_s": "float64",
                                                            "speaking_s": "float64",
                                                            "duration_s": "float64"})
