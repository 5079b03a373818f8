"""`rupture clips add VIDEO --marker C3 --level intermediate --context "..."`: bring your own footage.

Any video that FFmpeg (inside PyAV, a core dependency) can read becomes a web-safe clip: scaled to
fit 854x480, re-timed to 24 fps, H.264 High + AAC-LC mono with faststart, a poster from the
video, captions from a WebVTT file if one is given, and a catalog entry validated like every other.
Needs no part of the authoring extra. If anything about the new clip fails validation, the library
is left as it was.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from ..errors import CatalogError, ClipMediaError
from ..taxonomy import load_taxonomy
from ..library import edit
from . import encode

MAX_W, MAX_H = 854, 480
CRF = 28
MAXRATE_KBPS = 900  # camera footage: caps a 40 s clip near 5 MB; a still, calm shot stays far below
POSTER_AT = 1 / 3   # of the way into the clip


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s or "clip")[:64].rstrip("-")


def fit(width: int, height: int) -> tuple[int, int]:
    """Output size: fits in 854x480, keeps the aspect ratio, even numbers (yuv420p)."""
    scale = min(MAX_W / width, MAX_H / height, 1.0)
    even = lambda v, limit: max(2, min(limit // 2 * 2, round(v * scale / 2) * 2))
    return even(width, MAX_W), even(height, MAX_H)


def _validate_args(args, tax, root: Path) -> list[str]:
    problems = []
    if args.marker not in tax.markers:
        problems.append(f"--marker {args.marker!r} is not a marker; use one of "
                        f"{', '.join(tax.markers)}")
    if args.level not in tax.level_ids:
        problems.append(f"--level {args.level!r} is not a level; use one of "
                        f"{', '.join(tax.level_ids)}")
    if not 1 <= args.salience <= 5:
        problems.append(f"--salience {args.salience} should be 1-5 (the 3RS scale)")
    if not (args.context or "").strip():
        problems.append("--context is empty; give the line shown before the clip, e.g. "
                        "'Session 6. You have just suggested a thought record for homework.'")
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,63}$", args.persona or ""):
        problems.append(f"--persona {args.persona!r} should be lower-case letters, digits, '-'")
    return problems


def _probe(path: Path) -> tuple[float, int, int]:
    import av

    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                raise ClipMediaError.unreadable(path, "it has no video track")
            v = c.streams.video[0]
            if c.duration:
                seconds = c.duration / av.time_base
            elif v.duration and v.time_base:
                seconds = float(v.duration * v.time_base)
            else:
                seconds = 0.0
            return float(seconds), v.codec_context.width, v.codec_context.height
    except ClipMediaError:
        raise
    except Exception as e:
        raise ClipMediaError.unreadable(path, str(e)) from None


def _frames(path: Path, size: tuple[int, int], n: int, fps: int, poster: dict, poster_at: int):
    """n frames at a constant fps: for each output time, the latest source frame shown by then."""
    import av

    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate or fps)
        current, i = None, 0
        for k, frame in enumerate(c.decode(stream)):
            t = float(frame.time) if frame.time is not None else k / rate
            rgb = frame.reformat(width=size[0], height=size[1], format="rgb24").to_ndarray()
            while i < n and i / fps < t:  # output frames due before this source frame
                if current is None:
                    current = rgb
                yield _keep(current, i, poster, poster_at)
                i += 1
            current = rgb
            if i >= n:
                return
        while i < n and current is not None:
            yield _keep(current, i, poster, poster_at)
            i += 1


def _keep(img: np.ndarray, i: int, poster: dict, poster_at: int) -> np.ndarray:
    if i == poster_at:
        poster["image"] = img
    return img


def _audio(path: Path, seconds: float) -> np.ndarray:
    """The first audio track as mono float at the clip rate, padded or cut to ``seconds``."""
    import av

    n = int(round(seconds * encode.AUDIO_RATE))
    out = np.zeros(n, dtype=np.float32)
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return out  # silence: browsers and the checker expect an audio track
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=encode.AUDIO_RATE)
        chunks = []
        for frame in c.decode(c.streams.audio[0]):
            frame.pts = None  # let the resampler count samples itself
            chunks += [f.to_ndarray()[0] for f in resampler.resample(frame)]
        chunks += [f.to_ndarray()[0] for f in resampler.resample(None)]
    pcm = np.concatenate(chunks) if chunks else out[:0]
    out[:min(n, len(pcm))] = pcm[:n]
    return out


def _read_captions(args, seconds: float) -> str | None:
    """The given WebVTT file, checked before any transcoding; None when none was given."""
    from ..library.check import parse_webvtt

    if not args.captions:
        return None
    src = Path(args.captions)
    try:
        text = src.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ClipMediaError(f"The captions file {src} could not be read as UTF-8 text "
                             f"({e}).") from None
    cues, problems = parse_webvtt(text)
    late = [c for c in cues if c[1] > seconds + 0.5]
    if late:
        problems.append(f"a cue ends at {late[0][1]:.2f} s, after the video ends "
                        f"({seconds:.2f} s)")
    if problems:
        raise ClipMediaError(f"The captions file {src} is not usable WebVTT:\n  - "
                             + "\n  - ".join(problems))
    return text


def _write_captions(args, text: str | None, dest: Path, seconds: float) -> None:
    if text is not None:
        dest.write_text(text, encoding="utf-8", newline="")
    else:  # one cue for the whole clip, so the player always has captions to show
        line = args.transcript.strip() or "[The client speaks. No captions were provided.]"
        encode.write_vtt(dest, [(0.0, max(0.5, seconds - 0.05), line)])


def add_clip(args) -> dict:
    """Transcode, write the files, add the entry; return the entry. The library is unchanged
    if anything fails."""
    from ..library.check import check_captions, check_media, check_poster

    tax = load_taxonomy()
    root = edit.clips_dir(args.clips_dir)
    video = Path(args.video)
    if not video.is_file():
        raise ClipMediaError.unreadable(video, "no such file")
    clip_id = args.clip_id or slug(video.stem)
    problems = _validate_args(args, tax, root)
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,63}$", clip_id):
        problems.append(f"--id {clip_id!r} should be lower-case letters, digits and '-'")
    data = edit.read_raw(root)
    if any(isinstance(c, dict) and c.get("id") == clip_id for c in data["clips"]):
        problems.append(f"a clip with id {clip_id!r} is already in {root / 'catalog.json'}; "
                        "choose another with --id")
    if problems:
        raise CatalogError.problems_in(root / "catalog.json", problems)

    seconds, width, height = _probe(video)
    if not encode.MIN_S <= seconds <= encode.MAX_S:
        raise ClipMediaError.bad_duration(video, seconds, encode.MIN_S, encode.MAX_S)
    captions = _read_captions(args, seconds)
    fps = encode.FPS
    n = math.ceil(seconds * fps)
    size = fit(width, height)
    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    mp4, vtt, jpg = (media / f"{clip_id}{ext}" for ext in (".mp4", ".vtt", ".jpg"))
    written = [mp4, vtt, jpg]
    try:
        poster: dict = {}
        encode.write_mp4(mp4, _frames(video, size, n, fps, poster, int(n * POSTER_AT)), size,
                         _audio(video, n / fps), encode.AUDIO_RATE, fps=fps, crf=CRF,
                         maxrate_kbps=MAXRATE_KBPS)
        if "image" not in poster:
            raise ClipMediaError.unreadable(video, "no frames could be decoded")
        encode.write_poster(jpg, poster["image"])
        duration = encode.measure(mp4)
        _write_captions(args, captions, vtt, duration)
        entry = {
            "id": clip_id, "title": args.title or video.stem.replace("_", " ").strip(),
            "persona": args.persona, "marker": args.marker, "salience": args.salience,
            "level": args.level, "context": args.context.strip(),
            "duration_s": round(duration, 2), "media": f"media/{mp4.name}",
            "captions": f"media/{vtt.name}", "poster": f"media/{jpg.name}",
            "transcript": args.transcript.strip(), "examples": [],
            "source": f"added from {video.name}",
        }
        persona = None
        if args.persona not in data["personas"]:
            persona = {"name": args.persona.replace("-", " ").title(), "age": 0,
                       "gender": "not recorded", "skin_tone": "not recorded",
                       "description": "Added with `rupture clips add`; describe the client in "
                                      "catalog.json (age 0 means not recorded)."}
        edit.put_clip(root, entry, args.persona, persona)
        problems = edit.problems_for(root, clip_id)
        if not problems:
            from ..library.catalog import load_catalog

            clip = load_catalog(root).get(clip_id)
            media_s, problems = check_media(clip)
            problems += [f"{clip_id}: captions: {p}"
                         for p in check_captions(clip.captions_path, media_s or duration)]
            problems += [f"{clip_id}: poster: {p}" for p in check_poster(clip.poster_path)]
        if problems:
            edit.write_raw(root, data)  # the catalog as it was before
            raise CatalogError.problems_in(root / "catalog.json", problems)
        return entry
    except BaseException:
        if mp4.exists() or vtt.exists():
            current = edit.read_raw(root)
            if any(c.get("id") == clip_id for c in current["clips"] if isinstance(c, dict)):
                edit.write_raw(root, data)
        for path in written:
            path.unlink(missing_ok=True)
        raise


def main(args) -> int:
    entry = add_clip(args)
    root = edit.clips_dir(args.clips_dir)
    size = (root / entry["media"]).stat().st_size
    print(f"Added {entry['id']} ({entry['marker']}, {entry['level']}, {entry['duration_s']:.1f} s, "
          f"{size / 1e6:.2f} MB) to {root / 'catalog.json'}.")
    if not entry["transcript"]:
        print("Tip: add a transcript and two example responses (shown after an attempt) to the "
              "entry in catalog.json.")
    return 0
