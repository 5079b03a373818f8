"""`rupture clips check`: the catalog, then the media itself, as a browser will meet it.

A clip must play and seek in any browser straight from the file server: H.264 yuv420p + AAC in an
MP4 whose index ('moov') comes before the data ('mdat'), or the browser must fetch the whole file
before it can start. Every problem is reported as 'clip-id: field: what', all in one run. Then the
quality stage (``quality``) measures what a trainee meets: coverage, captions, loudness, faces, voices.
PyAV is imported here, never in the catalog, so the trainee app's start-up stays light.
"""
from __future__ import annotations

import json
import os
import re
import struct
import sys
from pathlib import Path

from .catalog import Catalog, Clip, default_clips_dir, read_catalog
from .thresholds import load_thresholds

DURATION_TOLERANCE_S = 0.5
WEB_SAFE_H264_PROFILES = {"Baseline", "Constrained Baseline", "Main", "High"}

_TIMESTAMP = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+.*)?$")


def main(dir=None, thresholds=None, report: bool = False, as_json: bool = False) -> int:
    """The CLI entry point: the format checks, then the quality stage (``library.quality``);
    print every problem, or 'N clips OK'. ``report`` also prints the measured figures,
    ``as_json`` prints everything as one JSON object instead."""
    root = Path(dir) if dir else default_clips_dir()
    limits = load_thresholds(thresholds, root)  # a bad file is refused before anything runs
    catalog, problems = _check(root)
    quality = None
    if catalog.clips:  # with no readable clip, every cell would be a "gap": noise, not news
        from .quality import check_quality

        quality = check_quality(catalog, limits)
        problems += quality.problems
    if as_json:
        print(json.dumps({"library": str(root), "clips": len(catalog.clips),
                          "thresholds": limits.to_dict(), "problems": problems,
                          "not_measured": quality.not_measured if quality else {},
                          "figures": quality.figures if quality else {}}, indent=2))
        return 1 if problems else 0
    if report and quality:
        from .quality_report import format_report

        print(format_report(quality))
        print()
    if problems:
        print(f"{len(problems)} problem(s) in the clip library {root}:")
        for p in problems:
            print(f"  - {p}")
    else:
        print(f"{len(catalog.clips)} clips OK")
    if quality and quality.not_measured and not report:  # the report has listed them already
        for measure, why in quality.not_measured.items():
            print(f"Not measured: {measure}: {why}")
    return 1 if problems else 0


def check_library(dir=None) -> list[str]:
    """Every catalog and media problem in the library, as 'clip-id: field: what' (the format
    checks only; ``library.quality`` measures the rest)."""
    return _check(Path(dir) if dir else default_clips_dir())[1]


def _check(root: Path) -> tuple[Catalog, list[str]]:
    catalog, problems = read_catalog(root)
    problems += [f"library: {rel!r}: a link that leads outside the clip library (to {target}); "
                 "the server would hand out whatever it points at, so remove it or copy the "
                 "file in" for rel, target in links_leading_out(root)]
    for clip in catalog.clips:  # only clips the catalog accepted: their files exist
        media_s, media_problems = check_media(clip)
        problems += media_problems
        problems += [f"{clip.id}: captions: {p}"
                     for p in check_captions(clip.captions_path, media_s or clip.duration_s)]
        problems += [f"{clip.id}: poster: {p}" for p in check_poster(clip.poster_path)]
    return catalog, problems


def links_leading_out(root: Path) -> list[tuple[str, Path]]:
    """(path relative to the library, where it leads) for every symbolic link below ``root``
    whose target is outside it, or broken. Links are not followed into, so a link to a
    folder is one entry, never a walk through someone else's files."""
    root = Path(root)
    real_root = root.resolve()
    found = []
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            if not path.is_symlink():
                continue
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # broken or a loop
                target = Path(os.readlink(path))
                found.append((path.relative_to(root).as_posix(), target))
                continue
            if not target.is_relative_to(real_root):
                found.append((path.relative_to(root).as_posix(), target))
    return found


# --- media ---------------------------------------------------------------------------------

def check_media(clip: Clip) -> tuple[float | None, list[str]]:
    """(measured duration or None, problems) for one clip's video file."""
    import av  # deferred: only the checker pays for loading FFmpeg

    path, where = clip.media_path, f"{clip.id}: media"
    problems = [f"{where}: {p}" for p in mp4_layout_problems(path)]
    try:
        with av.open(str(path)) as container:
            fmt = container.format.name
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            problems += [f"{where}: {p}" for p in _codec_problems(fmt, video, audio)]
            header_s = container.duration / av.time_base if container.duration else None
            # Decode every packet: a header can promise frames the file no longer holds.
            decoded_s = 0.0
            for packet in container.demux():
                for frame in packet.decode():
                    if frame.time is not None:
                        decoded_s = max(decoded_s, float(frame.time))
    except Exception as e:  # anything FFmpeg cannot read is the problem being reported
        return None, problems + [f"{where}: cannot be read as video ({e})"]
    if video is None:
        return None, problems
    media_s = header_s if header_s is not None else decoded_s
    if media_s - decoded_s > DURATION_TOLERANCE_S + 0.1:
        problems.append(f"{where}: truncated: frames stop at {decoded_s:.2f} s but the file "
                        f"claims {media_s:.2f} s")
    if abs(media_s - clip.duration_s) > DURATION_TOLERANCE_S:
        problems.append(f"{clip.id}: duration_s: the catalog says {clip.duration_s:g} s but the "
                        f"media lasts {media_s:.2f} s")
    return media_s, problems


def _codec_problems(fmt: str, video, audio) -> list[str]:
    problems = []
    if "mp4" not in fmt.split(","):
        problems.append(f"container is {fmt!r}, not mp4 (browsers need H.264/AAC in MP4)")
    if video is None:
        return problems + ["no video track"]
    ctx = video.codec_context
    if ctx.name != "h264":
        problems.append(f"video codec is {ctx.name}, not h264")
    elif video.profile and video.profile not in WEB_SAFE_H264_PROFILES:
        problems.append(f"H.264 profile {video.profile!r} does not play in every browser "
                        "(use High, Main or Baseline)")
    if ctx.pix_fmt != "yuv420p":
        problems.append(f"video pixel format is {ctx.pix_fmt}, not yuv420p")
    if audio is None:
        problems.append("no audio track (the client's voice is part of the clip)")
    elif audio.codec_context.name != "aac":
        problems.append(f"audio codec is {audio.codec_context.name}, not aac")
    return problems


def mp4_layout_problems(path: Path) -> list[str]:
    """Walk the top-level ISO-BMFF boxes: faststart order, and boxes cut off by truncation."""
    size = path.stat().st_size
    boxes: list[str] = []
    with open(path, "rb") as f:
        offset = 0
        while offset + 8 <= size:
            f.seek(offset)
            head = f.read(16)
            box_size, box_type = struct.unpack(">I4s", head[:8])
            if box_size == 1 and len(head) >= 16:  # 64-bit size follows the type
                box_size = struct.unpack(">Q", head[8:16])[0]
            elif box_size == 0:  # "extends to the end of the file"
                box_size = size - offset
            name = box_type.decode("latin-1")
            if not boxes and name != "ftyp":
                return []  # not an MP4 at all; the container check reports that
            if box_size < 8:
                return [f"corrupt: box {name!r} at byte {offset} has size {box_size}"]
            boxes.append(name)
            if offset + box_size > size:
                return [f"truncated: the {name!r} box needs {box_size} bytes from byte {offset} "
                        f"but the file ends at byte {size}"]
            offset += box_size
    if "moov" not in boxes:
        return ["no 'moov' index box (the file is incomplete)"]
    if "mdat" in boxes and boxes.index("moov") > boxes.index("mdat"):
        return ["not faststart: the 'moov' index comes after the 'mdat' data, so browsers must "
                "download the whole file before playing (re-mux with movflags=+faststart)"]
    return []


# --- captions ------------------------------------------------------------------------------

def parse_vtt_timestamp(text: str) -> float | None:
    m = _TIMESTAMP.match(text)
    if not m:
        return None
    h, mnt, s, ms = m.groups()
    return int(h or 0) * 3600 + int(mnt) * 60 + int(s) + int(ms) / 1000


def parse_webvtt(text: str) -> tuple[list[tuple[float, float, str]], list[str]]:
    """(cues as (start, end, text), problems with line numbers). Strict where browsers are:
    a bad header or timing line makes the browser drop the file or the cue silently."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not re.match(r"^WEBVTT([ \t].*)?$", lines[0]):
        return [], ["line 1: must start with 'WEBVTT'"]
    blocks, block = [], []
    for n, line in enumerate(lines[1:], start=2):
        if line.strip():
            block.append((n, line))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    if lines[1:2] and lines[1].strip():  # header text runs up to the first blank line
        blocks = blocks[1:]
    cues, problems, last_start = [], [], 0.0
    for block in blocks:
        first = block[0][1]
        if re.match(r"^(NOTE|STYLE|REGION)([ \t]|$)", first) and "-->" not in first:
            continue
        if "-->" not in first:  # an optional cue identifier precedes the timing line
            if len(block) < 2 or "-->" not in block[1][1]:
                # Name the block's first line: a mistyped timing line is the usual cause.
                problems.append(f"line {block[0][0]}: expected a cue timing line "
                                "'hh:mm:ss.ttt --> hh:mm:ss.ttt'")
                continue
            block = block[1:]
        n, timing = block[0]
        m = _TIMING.match(timing.strip())
        start, end = (parse_vtt_timestamp(m.group(1)), parse_vtt_timestamp(m.group(2))) if m \
            else (None, None)
        if start is None or end is None:
            problems.append(f"line {n}: bad cue timing {timing.strip()!r} (expected "
                            "'hh:mm:ss.ttt --> hh:mm:ss.ttt' or 'mm:ss.ttt --> mm:ss.ttt')")
            continue
        payload = [ln for _, ln in block[1:]]
        if end <= start:
            problems.append(f"line {n}: cue ends ({end:.3f} s) before it starts ({start:.3f} s)")
        if start < last_start:
            problems.append(f"line {n}: cue starts at {start:.3f} s, before the previous cue")
        if not payload:
            problems.append(f"line {n}: cue has no text")
        if any("-->" in ln for ln in payload):
            problems.append(f"line {n}: cue text contains '-->' (a missing blank line?)")
        last_start = max(last_start, start)
        cues.append((start, end, "\n".join(payload)))
    if not cues and not problems:
        problems.append("no cues")
    return cues, problems


def check_captions(path: Path, media_s: float) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ["not UTF-8 text (WebVTT must be UTF-8)"]
    cues, problems = parse_webvtt(text)
    late = [c for c in cues if c[1] > media_s + DURATION_TOLERANCE_S]
    if late:
        problems.append(f"a cue ends at {late[0][1]:.3f} s, after the media ends ({media_s:.2f} s)")
    return problems


# --- poster --------------------------------------------------------------------------------

_IMAGE_MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}


def check_poster(path: Path) -> list[str]:
    with open(path, "rb") as f:
        head = f.read(12)
    kind = next((k for magic, k in _IMAGE_MAGIC.items() if head.startswith(magic)), None)
    if kind is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "WebP"
    if kind is None:
        return ["not a JPEG, PNG or WebP image"]
    try:
        from PIL import Image
    except ImportError:  # Pillow is optional at run time; the header check above still holds
        return []
    try:
        with Image.open(path) as im:
            im.load()  # decodes fully, so a truncated file is caught, not just its header
    except Exception as e:
        return [f"the {kind} image cannot be decoded ({e})"]
    return []


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
