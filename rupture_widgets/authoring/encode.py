"""Writing a web-safe clip: H.264 High yuv420p + AAC-LC mono in MP4 with faststart, WebVTT, poster.

Used by both `rupture clips build` and `rupture clips add`, so it needs PyAV and Pillow only (the
trainee install has both). Rebuilds are byte-identical: x264 runs on one thread, the muxer and the
encoders are asked for bit-exact output (no version strings, no creation time), and timestamps are
counted, never read from a clock.
"""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Iterable

import numpy as np

FPS = 24
AUDIO_RATE = 48_000
AUDIO_BITRATE = 64_000
MIN_S, MAX_S = 10.0, 40.0
MAX_BYTES = 1_000_000


def write_mp4(path: Path, frames: Iterable, size: tuple[int, int], audio: np.ndarray,
              audio_rate: int, *, fps: int = FPS, crf: int = 30, maxrate_kbps: int | None = None
              ) -> None:
    """Encode ``frames`` (PIL images or HxWx3 uint8 arrays of ``size``) and mono float ``audio``.

    The file is written beside ``path`` and moved into place when complete, so a failed build
    never leaves a half-written clip in the library.
    """
    import av

    tmp = path.with_name(path.name + ".part")
    width, height = size
    try:
        with av.open(str(tmp), "w", format="mp4",
                     options={"movflags": "+faststart", "fflags": "+bitexact"}) as out:
            v = out.add_stream("libx264", rate=fps)
            v.width, v.height, v.pix_fmt = width, height, "yuv420p"
            opts = {"crf": str(crf), "preset": "medium", "profile": "high", "level": "3.1",
                    "threads": "1", "x264-params": "threads=1:lookahead-threads=1"}
            if maxrate_kbps:
                opts.update(maxrate=f"{maxrate_kbps}k", bufsize=f"{2 * maxrate_kbps}k")
            v.options = opts
            v.codec_context.flags |= av.codec.context.Flags.bitexact
            a = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
            a.bit_rate = AUDIO_BITRATE
            a.codec_context.flags |= av.codec.context.Flags.bitexact
            pcm = _resample(audio, audio_rate)
            per_frame, sent = AUDIO_RATE / fps, 0
            for i, img in enumerate(frames):
                frame = av.VideoFrame.from_ndarray(rgb_to_yuv420p(np.asarray(img)),
                                                   format="yuv420p")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                out.mux(v.encode(frame))
                # interleave the audio with the video, so the browser can stream the file
                upto = min(int((i + 1) * per_frame), len(pcm))
                while sent < upto:
                    out.mux(a.encode(_audio_frame(pcm[sent:sent + 1024], sent)))
                    sent += 1024
            while sent < len(pcm):
                out.mux(a.encode(_audio_frame(pcm[sent:sent + 1024], sent)))
                sent += 1024
            out.mux(v.encode())
            out.mux(a.encode())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def rgb_to_yuv420p(rgb: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3) uint8 -> planar yuv420p (H*3/2, W), BT.601 limited range, as players assume
    for SD video. Done in numpy rather than swscale: swscale's SIMD paths depend on buffer
    alignment, which changes between runs and made rebuilt clips differ by a few pixels."""
    h, w = rgb.shape[:2]
    x = rgb[..., :3].astype(np.float64)
    y = 16 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255
    q = x.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))  # 2x2 average for chroma
    cb = 128 + (-37.797 * q[..., 0] - 74.203 * q[..., 1] + 112.0 * q[..., 2]) / 255
    cr = 128 + (112.0 * q[..., 0] - 93.786 * q[..., 1] - 18.214 * q[..., 2]) / 255
    out = np.empty((h * 3 // 2, w), dtype=np.uint8)
    out[:h] = np.clip(np.rint(y), 0, 255)
    out[h:h + h // 4] = np.clip(np.rint(cb), 0, 255).reshape(h // 4, w)
    out[h + h // 4:] = np.clip(np.rint(cr), 0, 255).reshape(h // 4, w)
    return out


def _audio_frame(chunk: np.ndarray, pts: int):
    import av

    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk[None, :], dtype=np.float32),
                                       format="fltp", layout="mono")
    frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, pts, Fraction(1, AUDIO_RATE)
    return frame


def _resample(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mono float32 at AUDIO_RATE (linear interpolation is plenty for speech at this bitrate)."""
    audio = np.asarray(audio, dtype=np.float64)
    if rate == AUDIO_RATE or not len(audio):
        return audio.astype(np.float32)
    n = int(round(len(audio) * AUDIO_RATE / rate))
    x = np.arange(n) * (rate / AUDIO_RATE)
    return np.interp(x, np.arange(len(audio)), audio).astype(np.float32)


def vtt_time(t: float) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def wrap(text: str, width: int = 42) -> str:
    """Caption text in lines of at most ``width`` characters (the usual broadcast limit)."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return "\n".join(lines + [current] if current else lines)


def write_vtt(path: Path, cues: Iterable[tuple[float, float, str]]) -> None:
    parts = ["WEBVTT", ""]
    for i, (start, end, text) in enumerate(cues, 1):
        parts += [str(i), f"{vtt_time(start)} --> {vtt_time(end)}", wrap(text), ""]
    _write_text(path, "\n".join(parts))


def write_poster(path: Path, image) -> None:
    """A JPEG poster (no EXIF or timestamps, so rebuilds are identical). Pillow when installed
    (the authoring extra has it); otherwise FFmpeg's JPEG encoder, so `clips add` needs PyAV only.
    """
    tmp = path.with_name(path.name + ".part")
    try:
        from PIL import Image
    except ImportError:
        tmp.write_bytes(_jpeg_with_av(np.asarray(image)))
    else:
        if isinstance(image, np.ndarray):
            image = Image.fromarray(image)
        image.convert("RGB").save(tmp, format="JPEG", quality=85, optimize=True)
    os.replace(tmp, path)


def _jpeg_with_av(rgb: np.ndarray) -> bytes:
    import av

    ctx = av.CodecContext.create("mjpeg", "w")
    ctx.width, ctx.height = rgb.shape[1], rgb.shape[0]
    ctx.pix_fmt, ctx.time_base = "yuvj420p", Fraction(1, FPS)
    ctx.flags |= av.codec.context.Flags.qscale
    ctx.global_quality = 3 * 118  # qscale 3 (FF_QP2LAMBDA = 118): good quality
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[..., :3]), format="rgb24")
    frame = frame.reformat(format="yuvj420p")
    frame.pts = 0
    return b"".join(bytes(p) for p in ctx.encode(frame) + ctx.encode(None))


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def measure(path: Path) -> float:
    """Duration of a media file in seconds, from its container."""
    import av

    with av.open(str(path)) as c:
        return float(c.duration / av.time_base) if c.duration else 0.0
