"""`rupture clips build SCRIPT...`: a clip script becomes mp4 + captions + poster + catalog entry.

Needs the 'authoring' extra (Piper, onnxruntime, Praat via parselmouth, numpy, Pillow). The voice
comes from voice.py, the picture from avatar.py, the files from encode.py; this module only puts
them together and records the clip in the library.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from ..errors import ClipMediaError
from ..library import edit
from . import encode
from .script import ClipScript, load_script

POSTER_DELAY_S = 1.2  # into the first line: the client is speaking, the face is animated


def build_clip(script_path: Path | str, root: Path | str | None = None) -> dict:
    """Build one clip into ``root`` (default: the shipped library); return its catalog entry."""
    from .affect import affect_for
    from .avatar import W, H, animate  # the authoring extra is needed from here on
    from .voice import synthesise

    root = edit.clips_dir(root)
    script = load_script(script_path)
    speech = synthesise(script)
    fps = encode.FPS
    # a clip shorter than the minimum is padded: the client waits, listening
    seconds = max(speech.duration, encode.MIN_S + 0.3)
    if seconds > encode.MAX_S:
        raise ClipMediaError.bad_duration(script.path, seconds, encode.MIN_S, encode.MAX_S)
    n_frames = math.ceil(seconds * fps)
    audio = np.zeros(round(n_frames / fps * speech.sample_rate), dtype=np.float32)
    audio[:len(speech.samples)] = speech.samples[:len(audio)]
    speech.samples = audio

    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    mp4, vtt, jpg = (media / f"{script.id}{ext}" for ext in (".mp4", ".vtt", ".jpg"))
    poster_at = min(n_frames - 1, int((speech.spans[0].speech_start + POSTER_DELAY_S) * fps))
    poster = {}

    def frames():
        intensity = affect_for(script.level, script.salience).face
        for i, img in enumerate(animate(script.persona, script.room, speech, fps, script.seed,
                                          eyes_open_at=poster_at, intensity=intensity)):
            if i == poster_at:
                poster["image"] = img
            yield img

    encode.write_mp4(mp4, frames(), (W, H), speech.samples, speech.sample_rate, fps=fps)
    size = mp4.stat().st_size
    if size > encode.MAX_BYTES:
        mp4.unlink()
        raise ClipMediaError.too_large(script.path, size, encode.MAX_BYTES)
    encode.write_vtt(vtt, [(c.start, c.end, c.text) for c in speech.cues])
    encode.write_poster(jpg, poster["image"])
    entry = catalog_entry(script, encode.measure(mp4), root, script_path)
    edit.put_clip(root, entry, script.persona.id, script.persona.catalog_entry())
    return entry


def catalog_entry(script: ClipScript, duration_s: float, root: Path, script_path) -> dict:
    entry = {
        "id": script.id, "title": script.title, "persona": script.persona.id,
        "marker": script.marker, "salience": script.salience, "level": script.level,
        "context": script.context, "duration_s": round(duration_s, 2),
        "media": f"media/{script.id}.mp4", "captions": f"media/{script.id}.vtt",
        "poster": f"media/{script.id}.jpg", "transcript": script.transcript,
        "examples": [{"text": e.text, "strategies": list(e.strategies)} for e in script.examples],
    }
    if script.also_markers:
        entry["also_markers"] = list(script.also_markers)
    if script.trainer_note:
        entry["trainer_note"] = script.trainer_note
    try:  # where to edit it, when the script lives in the library
        entry["script"] = Path(script_path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        pass
    return entry


def main(scripts: list[str], clips_dir: str | None = None) -> int:
    """The CLI entry point: build each script, then check the clips that were built."""
    from ..library.check import check_library

    root = edit.clips_dir(clips_dir)
    built = []
    for path in scripts:
        t0 = time.perf_counter()
        entry = build_clip(path, root)
        size = (root / entry["media"]).stat().st_size
        print(f"{entry['id']}: {entry['duration_s']:.1f} s, {size / 1e6:.2f} MB, built in "
              f"{time.perf_counter() - t0:.1f} s")
        built.append(entry["id"])
    problems = [p for p in check_library(root) if p.split(":")[0] in built]
    for p in problems:
        print(f"  - {p}")
    return 1 if problems else 0
