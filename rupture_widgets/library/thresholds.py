"""What a clip library promises its trainees, as numbers: the thresholds `rupture clips check`
measures against, and the targets the authoring pipeline builds to (one source for both).

The defaults follow common subtitle practice (a caption stays at least 5/6 s, is read at no more
than 17 characters per second, and close captions are joined rather than flickering off and on)
and broadcast loudness practice (every clip near one integrated loudness, so a trainee never
reaches for the volume between clips). A library may set its own in ``quality.json`` beside its
catalog; ``rupture clips check --thresholds FILE`` reads another file.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ..errors import RuptureError

FILE_NAME = "quality.json"


@dataclass(frozen=True)
class Thresholds:
    # coverage: clips per marker x level cell, each pair by different personas
    clips_per_cell: int = 2
    # captions
    caption_min_s: float = 0.83          # 5/6 s, 20 frames at 24 fps
    caption_max_cps: float = 17.0        # characters per second
    caption_max_s: float = 7.0
    caption_min_gap_s: float = 0.5       # a shorter blank between cues flickers: join them
    caption_line_chars: int = 42
    caption_lines: int = 2
    # loudness (ITU-R BS.1770 integrated loudness, as pyloudnorm measures it)
    loudness_target_lufs: float = -23.0       # EBU R128
    loudness_tolerance_lu: float = 2.0
    # faces of synthesised clients: contrast of the features against the skin or beard around them
    face_min_contrast: float = 0.30
    # voices of synthesised clients: every two personas differ in pitch or in formants
    voice_min_pitch_st: float = 2.0      # semitones between median pitches
    voice_min_formant_pct: float = 5.0   # or this much between their third formants

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT = Thresholds()


def load_thresholds(path: Path | str | None = None, library: Path | str | None = None
                    ) -> Thresholds:
    """The thresholds in ``path``, else in the library's ``quality.json``, else the defaults.
    Unknown keys and values of the wrong kind are refused, naming every one."""
    if path is None and library is not None and (Path(library) / FILE_NAME).is_file():
        path = Path(library) / FILE_NAME
    if path is None:
        return DEFAULT
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuptureError(f"No thresholds file at {path}.") from None
    except json.JSONDecodeError as e:
        raise RuptureError(f"{path} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise RuptureError(f"{path}: the top level should be an object of thresholds.")
    kinds = {f.name: type(getattr(DEFAULT, f.name)) for f in fields(Thresholds)}
    problems = [f"unknown threshold {k!r} (known: {', '.join(kinds)})" for k in data
                if k not in kinds]
    values = {}
    for k, v in data.items():
        if k not in kinds:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (
                kinds[k] is int and not isinstance(v, int)):
            problems.append(f"{k!r} should be a number, got {v!r}")
        else:
            values[k] = kinds[k](v)
    if problems:
        raise RuptureError(f"{path}: " + "; ".join(problems))
    return replace(DEFAULT, **values)
