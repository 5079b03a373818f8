"""A clip's sound and one picture, decoded with PyAV for the quality measures.

The audio comes back as one mono float track at the file's own rate (the measures resample
nothing: BS.1770 and Praat both work at any rate), the picture as an RGB array. numpy is needed
here, so only the quality stage imports this module.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def decode_audio(path: Path) -> tuple[np.ndarray, int]:
    """(mono float32 samples in -1..1, sample rate) of the clip's first audio track."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.audio:
            return np.zeros(0, np.float32), 0
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        # One planar float layout whatever the encoder chose, so channels never interleave.
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
        chunks = []
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray()[0])
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray()[0])
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    return samples, rate


def frame_at(path: Path, t: float) -> np.ndarray | None:
    """The RGB (H, W, 3) uint8 picture on screen at ``t`` seconds, or None if the video is
    shorter. Decodes from the start: the measures look at the first half second only."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.video:
            return None
        last = None
        for frame in container.decode(container.streams.video[0]):
            if frame.time is not None and frame.time > t + 1e-6:
                break
            last = frame
        return None if last is None else last.to_ndarray(format="rgb24")
