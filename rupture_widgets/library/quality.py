"""The quality stage of `rupture clips check`: what a trainee meets in the clips, measured.

Coverage of the marker x level grid and caption timing need nothing beyond the trainee install.
Loudness, voices and faces need the authoring extra (numpy, pyloudnorm, parselmouth, Pillow);
without it they are listed as not measured, with how to install them, and never fail the check.
Voices and faces are measured on synthesised clips only (catalog entries with a "script"): real
footage has real people in it. Problems read 'subject: check: what', like the format checks.
"""
from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, Clip
from .thresholds import Thresholds

INSTALL = "pip install 'rupture-widgets[authoring]'"
MEASURES = ("coverage", "captions", "loudness", "voice", "face")


@dataclass
class QualityReport:
    thresholds: Thresholds
    problems: list[str] = field(default_factory=list)
    not_measured: dict[str, str] = field(default_factory=dict)  # measure -> why
    figures: dict = field(default_factory=dict)


def missing_for(measure: str) -> list[str]:
    """The packages a measure needs that are not installed."""
    needs = {"loudness": ["numpy", "pyloudnorm"], "voice": ["numpy", "parselmouth"],
             "face": ["numpy", "PIL"]}.get(measure, [])
    return [m for m in needs if importlib.util.find_spec(m) is None]


def _feature_masks():
    """avatar.feature_masks, or None where this version of the avatar does not offer it."""
    from ..authoring import avatar

    return getattr(avatar, "feature_masks", None)


def synthesised_scripts(catalog: Catalog) -> dict[str, Path]:
    """clip id -> its script file, for the catalog entries that carry a "script" (the catalog
    loader keeps no such field: the trainee app has no use for it)."""
    try:
        raw = json.loads(catalog.path.read_text(encoding="utf-8"))
        entries = raw.get("clips", []) if isinstance(raw, dict) else []
    except (OSError, ValueError):
        return {}
    return {e["id"]: catalog.root / e["script"] for e in entries
            if isinstance(e, dict) and isinstance(e.get("id"), str)
            and isinstance(e.get("script"), str)}


def check_quality(catalog: Catalog, limits: Thresholds, taxonomy=None) -> QualityReport:
    from ..taxonomy import load_taxonomy

    tax = taxonomy or load_taxonomy()
    report = QualityReport(limits)
    clips = list(catalog.clips)
    _coverage(report, clips, list(tax.markers), list(tax.level_ids))
    _captions(report, clips)
    scripts = synthesised_scripts(catalog)
    # voices and faces are only news where there are synthesised clients to measure
    for measure in ("loudness",) + (("voice", "face") if scripts else ()):
        missing = missing_for(measure)
        if missing:
            report.not_measured[measure] = (f"needs {', '.join(missing)}, in the authoring "
                                            f"extra ({INSTALL})")
    if scripts and "face" not in report.not_measured and _feature_masks() is None:
        report.not_measured["face"] = ("this version of rupture_widgets.authoring.avatar has no "
                                       "feature_masks, so the features cannot be found")
    _sound(report, clips, scripts)
    _faces(report, [c for c in clips if c.id in scripts], scripts)
    return report


def _coverage(report: QualityReport, clips: list[Clip], markers, levels) -> None:
    from .coverage import coverage_grid, coverage_problems

    cells = coverage_grid(clips, markers, levels)
    report.problems += [f"library: coverage: {p}" for p in coverage_problems(cells, report.thresholds)]
    report.figures["coverage"] = {
        "markers": markers, "levels": levels,
        "cells": {f"{c.marker} x {c.level}": {"clips": len(c.clips), "personas": list(c.personas)}
                  for c in cells}}


def _captions(report: QualityReport, clips: list[Clip]) -> None:
    from .caption_timing import caption_problems, caption_summary, cue_figures
    from .check import parse_webvtt

    every = []
    for clip in clips:
        try:
            cues, _ = parse_webvtt(clip.captions_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # the format check has said why the file cannot be read
        figures = cue_figures(cues)
        every += figures
        report.problems += [f"{clip.id}: captions: {p}"
                            for p in caption_problems(figures, report.thresholds)]
    report.figures["captions"] = caption_summary(every, report.thresholds)


def _sound(report: QualityReport, clips: list[Clip], scripts: dict[str, Path]) -> None:
    """Loudness of every clip and the voice of every synthesised one, from one decode each."""
    do_loudness = "loudness" not in report.not_measured
    do_voice = "voice" not in report.not_measured
    if not (do_loudness or do_voice):
        return
    from .decode import decode_audio

    lufs: dict[str, float] = {}
    frames = defaultdict(list)
    for clip in clips:
        try:
            samples, rate = decode_audio(clip.media_path)
        except Exception as e:  # an unreadable file is the format check's problem to name
            report.problems.append(f"{clip.id}: loudness: not measured, the audio cannot be "
                                   f"decoded ({e})")
            continue
        if do_loudness:
            from .loudness import integrated_loudness, loudness_problem

            lufs[clip.id] = integrated_loudness(samples, rate)
            problem = loudness_problem(lufs[clip.id], report.thresholds)
            if problem:
                report.problems.append(f"{clip.id}: loudness: {problem}")
        if do_voice and clip.id in scripts:
            from .voices import voiced_frames

            frames[clip.persona.id].append(voiced_frames(samples, rate))
    if do_loudness:
        report.figures["loudness"] = _loudness_figures(lufs)
    if do_voice:
        _voices(report, frames)


def _loudness_figures(lufs: dict[str, float]) -> dict:
    import math
    import statistics

    finite = sorted(v for v in lufs.values() if math.isfinite(v))
    return {"per_clip": {k: (round(v, 1) if math.isfinite(v) else None) for k, v in lufs.items()},
            "min": round(finite[0], 1) if finite else None,
            "median": round(statistics.median(finite), 1) if finite else None,
            "max": round(finite[-1], 1) if finite else None}


def _voices(report: QualityReport, frames: dict) -> None:
    from .voices import persona_voice, voice_pairs, voice_problems

    voices = []
    for persona, clip_frames in frames.items():
        v = persona_voice(persona, clip_frames)
        if v is None:
            report.problems.append(f"persona {persona}: voice: no voiced speech found in its "
                                   f"{len(clip_frames)} clip(s)")
        else:
            voices.append(v)
    pairs = voice_pairs(voices)
    report.problems += voice_problems(pairs, report.thresholds)
    closest = min(pairs, key=lambda p: p.closeness(report.thresholds), default=None)
    report.figures["voices"] = {
        "per_persona": {v.persona: {"clips": v.clips, "voiced_s": round(v.voiced_s, 1),
                                    "pitch_hz": round(v.pitch_hz, 1),
                                    "formants_hz": [round(f) for f in v.formants_hz]}
                        for v in voices},
        "closest_pair": None if closest is None else {
            "personas": [closest.a, closest.b], "pitch_st": round(closest.pitch_st, 2),
            "formant_pct": round(closest.formant_pct, 1)}}


def _faces(report: QualityReport, clips: list[Clip], scripts: dict[str, Path]) -> None:
    if "face" in report.not_measured or not clips:
        return
    from ..authoring.script import load_script
    from ..errors import RuptureError
    from .faces import clip_face_contrast, face_problems

    feature_masks = _feature_masks()
    masks_for: dict[tuple, dict] = {}
    per_persona: dict[str, dict[str, float]] = {}
    for clip in clips:
        try:
            script = load_script(scripts[clip.id])
            # at rest the client shows the face and gaze of the first line
            first = script.lines[0]
            key = (script.persona, script.room, first.emotion, first.gaze)
            if key not in masks_for:
                masks_for[key] = feature_masks(*key)
            contrast = clip_face_contrast(clip.media_path, masks_for[key])
        except (RuptureError, ValueError, OSError) as e:
            report.problems.append(f"{clip.id}: face: not measured ({e})")
            continue
        worst = per_persona.setdefault(clip.persona.id, {})
        for feature, value in contrast.items():  # a persona is as readable as its worst clip
            worst[feature] = min(worst.get(feature, value), value)
    for persona, contrasts in per_persona.items():
        report.problems += face_problems(persona, contrasts, report.thresholds.face_min_contrast)
    report.figures["faces"] = {p: {f: round(v, 3) for f, v in c.items()}
                               for p, c in per_persona.items()}
