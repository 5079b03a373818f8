"""Real, tiny media files and clip libraries for the catalog and media-check tests.

Made with PyAV in the test itself (no binary fixtures in the repo), small enough to encode in
tens of milliseconds.
"""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from rupture_widgets.library.thresholds import DEFAULT

FPS, RATE = 12, 48_000
SIZE = (128, 72)
# A 220 Hz sine at the library's loudness target (BS.1770: a sine's mean square, -0.691 dB, is
# its loudness; K-weighting hardly touches 220 Hz), and the default cue is read at 15 characters
# per second: a clip the quality stage passes.
TONE_AMPLITUDE = math.sqrt(2 * 10 ** ((DEFAULT.loudness_target_lufs + 0.691) / 10))


def _frames(seconds: float):
    for i in range(int(round(seconds * FPS))):
        img = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
        img[:, : (i * 7) % SIZE[0]] = (200, 180, 160)  # a little motion so frames differ
        frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")
        frame.pts, frame.time_base = i, Fraction(1, FPS)
        yield frame


def make_mp4(path: Path, seconds: float = 2.0, faststart: bool = True) -> Path:
    """A web-safe clip: H.264 yuv420p + AAC in MP4 (faststart unless asked otherwise)."""
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as out:
        v = out.add_stream("libx264", rate=FPS)
        v.width, v.height, v.pix_fmt = *SIZE, "yuv420p"
        v.options = {"preset": "ultrafast"}
        a = out.add_stream("aac", rate=RATE, layout="mono")
        for frame in _frames(seconds):
            out.mux(v.encode(frame))
        out.mux(v.encode(None))
        tone = (TONE_AMPLITUDE * np.sin(2 * np.pi * 220 * np.arange(int(seconds * RATE)) / RATE))
        for start in range(0, len(tone), 1024):
            af = av.AudioFrame.from_ndarray(tone[None, start:start + 1024].astype(np.float32),
                                            format="fltp", layout="mono")
            af.sample_rate, af.pts, af.time_base = RATE, start, Fraction(1, RATE)
            out.mux(a.encode(af))
        out.mux(a.encode(None))
    return path


def make_webm(path: Path, seconds: float = 2.0) -> Path:
    """What a browser's MediaRecorder produces: VP8 in WebM (not web-safe for the clip library)."""
    with av.open(str(path), "w", format="webm") as out:
        v = out.add_stream("libvpx", rate=FPS)
        v.width, v.height, v.pix_fmt = *SIZE, "yuv420p"
        for frame in _frames(seconds):
            out.mux(v.encode(frame))
        out.mux(v.encode(None))
    return path


def write_vtt(path: Path, body: str | None = None) -> Path:
    path.write_text(body if body is not None else
                    "WEBVTT\n\n1\n00:00:00.200 --> 00:00:01.900\nI'm fine with it. Really.\n",
                    encoding="utf-8")
    return path


def write_poster(path: Path) -> Path:
    Image.new("RGB", SIZE, (200, 190, 180)).save(path, "JPEG")
    return path


def clip_entry(clip_id: str, duration_s: float = 2.0, marker: str = "C3",
               level: str = "beginner", **overrides) -> dict:
    entry = {
        "id": clip_id, "title": f"Title of {clip_id}", "persona": "alex", "marker": marker,
        "salience": 4, "level": level, "context": "Session 3. You have just set homework.",
        "duration_s": duration_s, "media": f"media/{clip_id}.mp4",
        "captions": f"media/{clip_id}.vtt", "poster": f"media/{clip_id}.jpg",
        "transcript": "I'm fine with it. Really.",
        "examples": [{"text": "I noticed a pause there.", "strategies": ["S4"]}],
    }
    entry.update(overrides)
    return entry


def write_catalog(root: Path, clips: list[dict]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    catalog = {"schema_version": 1,
               "personas": {"alex": {"name": "Alex", "age": 40, "gender": "non-binary",
                                     "skin_tone": "light-brown", "description": "test persona"}},
               "clips": clips}
    path = root / "catalog.json"
    path.write_text(json.dumps(catalog, indent=2), encoding="utf-8")
    return path


def make_clip(root: Path, clip_id: str, seconds: float = 2.0, **overrides) -> dict:
    """Good media, captions and poster for one clip; returns its catalog entry."""
    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    make_mp4(media / f"{clip_id}.mp4", seconds)
    write_vtt(media / f"{clip_id}.vtt")
    write_poster(media / f"{clip_id}.jpg")
    return clip_entry(clip_id, **{"duration_s": seconds, **overrides})


def touch_clip_files(root: Path, clip_id: str) -> None:
    """Files that exist but hold nothing: enough for the catalog, which only checks existence."""
    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    for ext in ("mp4", "vtt", "jpg"):
        (media / f"{clip_id}.{ext}").write_bytes(b"")
