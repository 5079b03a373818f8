"""`rupture clips check --report`: the quality stage's figures as text, for a closing note or a
pull request, whatever the verdict. ``--json`` prints the same figures for a machine.
"""
from __future__ import annotations

import re

from .coverage import grid_table
from .quality import QualityReport


def format_report(report: QualityReport) -> str:
    t, fig = report.thresholds, report.figures
    out = []
    cov = fig.get("coverage")
    if cov:
        cells = cov["cells"].values()
        short = sum(c["clips"] < t.clips_per_cell or len(c["personas"]) < t.clips_per_cell
                    for c in cells)
        out += [f"Coverage: clips per marker x level (at least {t.clips_per_cell} by different "
                f"personas; {short} of {len(cov['cells'])} cells short)"]
        counts = {k: c["clips"] for k, c in cov["cells"].items()}
        out += ["  " + row for row in grid_table(counts, cov["markers"], cov["levels"]).split("\n")]
    cap = fig.get("captions")
    if cap:
        out += ["", f"Captions: {cap['cues']} cues; {cap['under_min_s']} under "
                f"{t.caption_min_s:g} s (shortest {_num(cap['min_s'], '.2f')} s); "
                f"{cap['over_max_s']} over {t.caption_max_s:g} s (longest "
                f"{_num(cap['max_s'], '.2f')} s); {cap['over_max_cps']} over "
                f"{t.caption_max_cps:g} characters per second (median "
                f"{_num(cap['median_cps'], '.1f')}, max {_num(cap['max_cps'], '.1f')}); "
                f"{cap['flicker_gaps']} flicker gaps (blanks under {t.caption_min_gap_s:g} s)"]
    loud = fig.get("loudness")
    if loud:
        out += ["", f"Loudness (LUFS, BS.1770; target {t.loudness_target_lufs:g} "
                f"± {t.loudness_tolerance_lu:g}): min {_num(loud['min'], '.1f')}, median "
                f"{_num(loud['median'], '.1f')}, max {_num(loud['max'], '.1f')}"]
        width = max(len(k) for k in loud["per_clip"]) if loud["per_clip"] else 0
        out += [f"  {cid.ljust(width)}  {_num(v, '6.1f')}" for cid, v in loud["per_clip"].items()]
    voices, faces = fig.get("voices", {}).get("per_persona", {}), fig.get("faces", {})
    if voices or faces:
        out += ["", f"Personas (synthesised clips; face contrast is the lowest over the "
                f"persona's clips, at least {t.face_min_contrast * 100:.0f} %)",
                "  persona     clips  pitch Hz    F1 Hz   F2 Hz   F3 Hz   mouth %  brows %"]
        for persona in sorted(set(voices) | set(faces)):
            v, f = voices.get(persona), faces.get(persona, {})
            f1, f2, f3 = v["formants_hz"] if v else (None, None, None)
            out.append(f"  {persona:<10} {_num(v and v['clips'], '>5')}  "
                       f"{_num(v and v['pitch_hz'], '>8.1f')}  {_num(f1, '>7')} {_num(f2, '>7')} "
                       f"{_num(f3, '>7')}  {_pct(f.get('mouth'))}  {_pct(f.get('brows'))}")
    closest = fig.get("voices", {}).get("closest_pair")
    if closest:
        a, b = closest["personas"]
        out += [f"Closest voices: {a} and {b}, median pitch {closest['pitch_st']:.1f} semitones "
                f"and third formant {closest['formant_pct']:.1f} % apart (at least "
                f"{t.voice_min_pitch_st:g} semitones or {t.voice_min_formant_pct:g} %)"]
    for measure, why in report.not_measured.items():
        out += [f"Not measured: {measure}: {why}"]
    return "\n".join(out)


def _num(value, spec: str) -> str:
    """``value`` formatted, or a dash as wide, where nothing was measured."""
    if value is None:
        width = re.match(r">?(\d*)", spec).group(1)
        return "-".rjust(int(width or 1))
    return format(value, spec)


def _pct(value) -> str:
    return _num(None if value is None else value * 100, ">8.0f")
