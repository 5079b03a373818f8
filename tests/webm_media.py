"""Real recordings for tests: WebM made with PyAV (no ffmpeg binary), split like the browser sends it."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path


#: Samples the Opus encoder's packets lead its input by (its pre-skip).
OPUS_PRESKIP = 312


def make_webm(path: Path, seconds: float = 3.0, size=(320, 240), fps: int = 25) -> Path:
    """A real VP8 + Opus WebM like Chromium's MediaRecorder makes (no ffmpeg binary needed)."""
    import av
    import numpy as np

    rng = np.random.default_rng(7)
    with av.open(str(path), "w", format="webm") as out:
        v = out.add_stream("libvpx", rate=fps)
        v.width, v.height, v.pix_fmt = size[0], size[1], "yuv420p"
        v.bit_rate = 500_000
        a = out.add_stream("libopus", rate=48000)
        a.layout = "mono"
        frames = int(seconds * fps)
        for i in range(frames):
            img = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(v.encode(frame))
        out.mux(v.encode())
        samples_per_frame = 960
        t = np.arange(int(seconds * 48000)) / 48000
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for i in range(0, len(tone) - samples_per_frame + 1, samples_per_frame):
            frame = av.AudioFrame.from_ndarray(tone[None, i:i + samples_per_frame], format="flt",
                                               layout="mono")
            frame.sample_rate = 48000
            # the encoder's packets lead its input by its pre-skip: input from 0 gave a first
            # block at -7 ms, which Chromium's Media Source refuses ("a block with a timecode
            # before the previous block"), so the tests' answers never streamed: they played
            # the Blob fallback. MediaRecorder's files start at 0.
            frame.pts = i + OPUS_PRESKIP
            frame.time_base = Fraction(1, 48000)
            out.mux(a.encode(frame))
        out.mux(a.encode())
    return path


def chunked(data: bytes, size: int = 64 * 1024) -> list[memoryview]:
    """Split a recording into buffers the way the widget receives them (memoryviews)."""
    view = memoryview(data)
    return [view[i:i + size] for i in range(0, len(data), size)]
