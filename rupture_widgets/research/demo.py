"""A realistic synthetic workspace for trying the analysis: `rupture demo-data`.

Everything is written through the real APIs (``Workspace`` / ``Workbook`` to record and log
attempts and self-assessments, ``Exchange`` to send them and return reviews, ``collect`` to
bring reviews home), so the files are what the apps would have written. The generating model,
with every parameter kept in ``<OUT>/research/demo_truth.json`` (and returned) so tests and
readers know the truth:

- trainee t at their n-th attempt has a true skill (rubric points)
  ``base + start_t + gain_t * log(1 + n) - level_cost[level] + N(0, attempt_sd)``
  (start_t ~ N(0, start_sd), gain_t ~ N(gain, gain_sd)): scores improve with practice, with
  diminishing returns, and harder levels cost points;
- self-rated difficulty 0-10 is ``5 + difficulty_slope * (level_index + 1 - (skill - base))``
  + N(0, difficulty_sd), rounded and clipped; the next level is the taxonomy's rule
  (``Taxonomy.suggest_level``: 8 or more moves down, 3 or less moves up) as the practice app
  suggests it, and the trainee follows it;
- a reviewer's score of an item is ``skill + item_offset[item] + bias[reviewer] +
  N(0, noise_sd[reviewer])``, rounded and clipped to the rubric's 1-5: imperfect agreement of
  known structure; a share of attempts (``p_send_all``) goes to every reviewer (a fully crossed
  set for the ICC), another (``p_send_one``) to one reviewer;
- the expert panel (``reference_ratings.csv``: attempt_id, item, score) scores a sample of the
  sent attempts with ``skill + item_offset + N(0, panel_sd)``, rounded;
- each recording is a few seconds of quiet room and a speech-like voice
  (``speech_audio``) from ``onset_s`` for ``speaking_s``, logged with ``cue_s`` (the countdown).

``--no-media`` logs attempts without recordings (the workbook allows it). The exchange refuses
to send an attempt with no recording, so then the reviews are added to the trainee's workbook
directly (``Workbook.put_feedback``, where ``collect`` would have put them); the review
notebooks in the exchange stay empty.
"""
from __future__ import annotations

import json
import math
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

TRAINEE_NAMES = ("Alex Morgan", "Priya Shah", "Jordan Lee", "Sofia García", "Kwame Mensah",
                 "Mei Lin", "Noah Fischer", "Amara Okafor", "Lucas Silva", "Hana Sato",
                 "Omar Haddad", "Elena Petrova")
COMMENTS = ("You slowed down here, which helped.", "This is where the client pulled back.",
            "Try naming the rupture directly at this point.", "Warm tone here.",
            "You defended the task instead of exploring it.", "Good invitation to talk about us.")


@dataclass
class Reviewer:
    name: str
    role: str
    bias: float
    noise_sd: float


@dataclass
class DemoParameters:
    base: float = 2.6
    start_sd: float = 0.4
    gain: float = 0.45
    gain_sd: float = 0.12
    attempt_sd: float = 0.3
    level_cost: dict = field(default_factory=lambda: {"beginner": 0.0, "intermediate": 0.3,
                                                      "advanced": 0.6})
    difficulty_slope: float = 2.0
    difficulty_sd: float = 1.2
    item_sd: float = 0.2
    panel_sd: float = 0.25
    p_send_all: float = 0.4
    p_send_one: float = 0.2
    n_reference: int = 30
    reviewers: list = field(default_factory=lambda: [
        Reviewer("Dr Sam Rivera", "instructor", 0.0, 0.45),
        Reviewer("Dr Ana Costa", "supervisor", 0.4, 0.6),
        Reviewer("Jo Bell", "peer", -0.3, 0.9)])
    start: str = "2026-09-01T09:00:00Z"


@dataclass
class DemoResult:
    workspace: Path
    seed: int
    parameters: DemoParameters
    item_offsets: dict
    attempts: list  # per attempt: ids, level, true skill, difficulty, onset/speaking truth
    reference_path: Path
    truth_path: Path


#: The workshop code on the first attempts of every other demo trainee.
DEMO_WORKSHOP = "intro-day"


def make_demo(out, trainees: int = 5, attempts: int = 20, seed: int = 0, media: bool = True,
              parameters: DemoParameters | None = None, progress: bool = False) -> DemoResult:
    """Write the demo workspace into ``out`` (a new or empty folder) and return the truth."""
    from ..exchange import open_exchange
    from ..library.catalog import load_catalog
    from ..taxonomy import load_taxonomy
    from ..workbook import Workspace
    from ..workbook.names import id_from_name
    from ..workbook.records import feedback_record
    from . import speech_audio

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; demo data goes into a new or empty folder")
    if trainees < 1 or attempts < 1:
        raise ValueError("--trainees and --attempts must be at least 1")
    p = parameters or DemoParameters()
    rng = np.random.default_rng(seed)
    tax = load_taxonomy()
    clips = load_catalog().clips
    by_level = {lv: [c for c in clips if c.level == lv] for lv in tax.level_ids}
    items = [it.id for it in tax.rubric_items]
    item_offsets = {it: float(rng.normal(0, p.item_sd)) for it in items}
    ws = Workspace(out)
    exchange = open_exchange(ws)
    start = datetime.fromisoformat(p.start.replace("Z", "+00:00"))
    lo, hi = tax.rubric_min, tax.rubric_max
    log_rows, sent_rows = [], []
    names = [TRAINEE_NAMES[i % len(TRAINEE_NAMES)] + ("" if i < len(TRAINEE_NAMES)
                                                       else f" {i // len(TRAINEE_NAMES) + 1}")
             for i in range(trainees)]
    steps = range(trainees)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="Demo trainees", unit="trainee")
    with tempfile.TemporaryDirectory() as tmp:
        for ti in steps:
            name = names[ti]
            wb = ws.workbook(id_from_name(name), display_name=name)
            start_t, gain_t = rng.normal(0, p.start_sd), rng.normal(p.gain, p.gain_sd)
            level, practised = tax.level_ids[0], {}
            when = start + timedelta(days=int(rng.integers(0, 7)), hours=ti)
            for n in range(attempts):
                pool = by_level[level] or clips
                least = min(practised.get(c.id, 0) for c in pool)
                clip = [c for c in pool if practised.get(c.id, 0) == least][
                    int(rng.integers(0, sum(practised.get(c.id, 0) == least for c in pool)))]
                practised[clip.id] = practised.get(clip.id, 0) + 1
                skill = (p.base + start_t + gain_t * math.log1p(n) - p.level_cost.get(level, 0)
                         + rng.normal(0, p.attempt_sd))
                idx = tax.level_ids.index(level)
                difficulty = int(np.clip(np.rint(5 + p.difficulty_slope * (idx + 1 - (skill - p.base))
                                                 + rng.normal(0, p.difficulty_sd)), 0, 10))
                when += timedelta(hours=float(rng.uniform(2, 60)))
                onset, speaking = float(rng.uniform(0.4, 2.5)), float(rng.uniform(1.5, 3.5))
                cue = float(round(3.0 + rng.uniform(0.05, 0.4), 3))
                strategies = sorted(rng.choice(list(tax.strategies), size=int(rng.integers(1, 3)),
                                               replace=False).tolist())
                sa = {"difficulty": difficulty, "strategies": strategies, "note": ""}
                common = dict(clip_id=clip.id, marker=clip.marker, level=level,
                              started_at=when, self_assessment=sa, cue_s=cue,
                              # every other trainee began at an introductory workshop
                              workshop=DEMO_WORKSHOP if ti % 2 == 0 and n < 3 else None)
                # ids from the seeded generator: the same seed writes the same workspace
                aid = uuid.UUID(bytes=rng.bytes(16), version=4).hex
                if media:
                    total = onset + speaking + float(rng.uniform(0.5, 1.5))
                    sound = speech_audio.answer_sound(total, [(onset, speaking)], rng=rng)
                    src = speech_audio.write_answer_webm(Path(tmp) / "answer.webm", sound)
                    rec = wb.start_recording(aid, clip_id=clip.id, marker=clip.marker,
                                             level=level)
                    rec.append(src.read_bytes())  # one chunk: MediaRecorder sends one a second
                    duration = rec.finalise()
                    attempt = wb.log_attempt(**common, attempt_id=rec.attempt_id,
                                             recording=rec.final_path, duration_s=duration)
                else:
                    total = None
                    attempt = wb.log_attempt(**common, attempt_id=aid)
                moved = tax.suggest_level(level, difficulty)
                log_rows.append({"attempt_id": attempt.id, "trainee_id": wb.trainee_id,
                                 "attempt_number": n + 1, "clip_id": clip.id,
                                 "marker": clip.marker, "level": level, "true_skill": skill,
                                 "difficulty": difficulty, "next_level": moved or level,
                                 "onset_s": onset if media else None,
                                 "speaking_s": speaking if media else None,
                                 "cue_s": cue, "duration_s": total})
                level = moved or level
                # who reviews it
                u = rng.random()
                chosen = (p.reviewers if u < p.p_send_all else
                          [p.reviewers[int(rng.integers(len(p.reviewers)))]]
                          if u < p.p_send_all + p.p_send_one else [])
                for r in chosen:
                    ratings = {it: int(np.clip(np.rint(skill + item_offsets[it] + r.bias
                                                       + rng.normal(0, r.noise_sd)), lo, hi))
                               for it in items}
                    comments = [{"t": float(round(rng.uniform(0, max(0.5, (total or 4) - 0.5)), 1)),
                                 "text": str(rng.choice(COMMENTS))}
                                for _ in range(int(rng.integers(0, 3)))]
                    heard = [s for s in strategies if rng.random() < 0.7]
                    fb = feedback_record(tax, attempt.id, reviewer=r.name, role=r.role,
                                         ratings=ratings, strategies=heard, comments=comments,
                                         summary=f"Attempt {n + 1}: keep practising this marker.")
                    fb["id"] = uuid.UUID(bytes=rng.bytes(16), version=4).hex
                    fb["created_at"] = (when + timedelta(days=float(rng.uniform(0.5, 4)))
                                        ).isoformat(timespec="milliseconds").replace("+00:00", "Z")
                    if media:
                        exchange.send(wb, attempt.id, reviewer=r.name, role=r.role)
                        exchange.return_feedback(r.name, wb.trainee_id, fb)
                    else:
                        wb.put_feedback(fb)  # where collect would have put it
                    sent_rows.append({"attempt_id": attempt.id, "reviewer": r.name})
            if media:
                exchange.collect(wb)
    # the expert panel: a sample of the attempts reviewers scored
    sent_ids = list(dict.fromkeys(s["attempt_id"] for s in sent_rows))  # in the order made
    panel = rng.choice(sent_ids, size=min(p.n_reference, len(sent_ids)), replace=False)
    skill_of = {r["attempt_id"]: r["true_skill"] for r in log_rows}
    research = out / "research"
    research.mkdir(parents=True, exist_ok=True)
    ref_path = research / "reference_ratings.csv"
    lines = ["attempt_id,item,score"]
    for aid in sorted(panel):
        for it in items:
            score = int(np.clip(np.rint(skill_of[aid] + item_offsets[it]
                                        + rng.normal(0, p.panel_sd)), lo, hi))
            lines.append(f"{aid},{it},{score}")
    ref_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    truth_path = research / "demo_truth.json"
    truth = {"seed": seed, "trainees": trainees, "attempts_per_trainee": attempts,
             "media": media, "parameters": asdict(p), "item_offsets": item_offsets,
             "attempts": log_rows}
    truth_path.write_text(json.dumps(truth, indent=1, default=str), encoding="utf-8")
    return DemoResult(ws.root, seed, p, item_offsets, log_rows, ref_path, truth_path)


def main(args) -> int:
    """`rupture demo-data`: argument handling for the CLI (cli.py only parses)."""
    result = make_demo(args.out, trainees=args.trainees, attempts=args.attempts, seed=args.seed,
                       media=not args.no_media, progress=True)
    n = len(result.attempts)
    print(f"Wrote {n} attempts by {args.trainees} trainees to {result.workspace}")
    print(f"Reference ratings (the expert panel): {result.reference_path}")
    print(f"How it was generated (the truth): {result.truth_path}")
    return 0


def reference_ratings(workspace) -> "pandas.DataFrame":  # noqa: F821
    """The expert panel's scores a demo wrote (``<workspace>/research/reference_ratings.csv``):
    attempt_id, item, score; the input ``agreement.calibration`` takes as its reference."""
    import pandas as pd

    path = Path(workspace) / "research" / "reference_ratings.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: reference ratings are written by "
                                "`rupture demo-data`, or put a CSV with columns attempt_id, "
                                "item, score there")
    return pd.read_csv(path, dtype={"attempt_id": "string", "item": "string", "score": "Int64"})
