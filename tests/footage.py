"""Camera-like test footage for `rupture clips add` (shared by the authoring and browser tests)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path


def make_video(path: Path, seconds: float, size=(640, 480), fps: int = 30, audio: bool = True
               ) -> Path:
    """A camera-like test video (MPEG-4 Part 2 + MP2 in AVI): nothing like the web format."""
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        v = out.add_stream("mpeg4", rate=fps)
        v.width, v.height, v.pix_fmt = size[0], size[1], "yuv420p"
        a = out.add_stream("mp2", rate=44100, layout="mono") if audio else None
        for i in range(int(seconds * fps)):
            img = np.zeros((size[1], size[0], 3), np.uint8)
            img[:, :, 0] = (np.arange(size[0]) + 4 * i) % 256
            img[:, :, 1] = 90
            img[:, :, 2] = (3 * i) % 256
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(v.encode(frame))
        out.mux(v.encode())
        if a is not None:
            t = np.arange(int(seconds * 44100)) / 44100
            pcm = (0.2 * 32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
            for k in range(0, len(pcm) - 1152 + 1, 1152):
                frame = av.AudioFrame.from_ndarray(pcm[None, k:k + 1152], format="s16",
                                                   layout="mono")
                frame.sample_rate, frame.pts = 44100, k
                out.mux(a.encode(frame))
            out.mux(a.encode())
    return path
