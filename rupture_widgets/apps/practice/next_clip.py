"""The one clip the library recommends next, chosen the way deliberate practice moves on.

In order: a clip whose feedback is waiting (the trainee has not seen it: feedback is what the loop
turns on); else, at the level the latest self-assessment points to (a difficulty at or above the
taxonomy's threshold moves down a level, at or below the other moves up; a new trainee starts at
the first level), the clip practised least, clips never practised first, then in the library's
order (by marker). A level with no clips gives way to the nearest level that has some.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Recommendation:
    clip: object   # library.catalog.Clip
    reason: str    # one plain sentence, shown with the card


def target_level(taxonomy, attempts) -> tuple[str, str]:
    """(level id, why) from the latest self-assessed attempt, else the latest attempt's level."""
    assessed = [a for a in attempts if a.self_assessment
                and isinstance(a.self_assessment.get("difficulty"), int)
                and a.level in taxonomy.level_ids]
    if assessed:
        latest = max(assessed, key=lambda a: a.created_at)
        difficulty = latest.self_assessment["difficulty"]
        moved = taxonomy.suggest_level(latest.level, difficulty)
        if moved is not None:
            direction = "easier" if taxonomy.level_ids.index(moved) < taxonomy.level_ids.index(
                latest.level) else "harder"
            return moved, (f"your last answer felt {'too hard' if direction == 'easier' else 'easy'}"
                           f" (difficulty {difficulty}), so one level {direction}")
        return latest.level, f"your last answer felt about right (difficulty {difficulty})"
    known = [a for a in attempts if a.level in taxonomy.level_ids]
    if known:
        return max(known, key=lambda a: a.created_at).level, "the level you practised last"
    return taxonomy.level_ids[0], "a good place to start"


def recommend(clips, taxonomy, attempts, new_feedback: set[str] = frozenset()
              ) -> Recommendation | None:
    clips = list(clips)
    if not clips:
        return None
    waiting = [c for c in clips if c.id in new_feedback]
    if waiting:
        return Recommendation(waiting[0], "Feedback on your answer to this clip is waiting.")
    level, why = target_level(taxonomy, attempts)
    ids = taxonomy.level_ids
    by_distance = sorted(ids, key=lambda lv: (abs(ids.index(lv) - ids.index(level)),
                                             ids.index(lv)))
    practised = Counter(a.clip_id for a in attempts)
    for lv in by_distance:
        here = [c for c in clips if c.level == lv]
        if here:
            best = min(here, key=lambda c: practised[c.id])  # min keeps the library's order
            label = next(x.label for x in taxonomy.levels if x.id == lv).lower()
            times = practised[best.id]
            done = ("not practised yet" if times == 0 else
                    f"practised {times} time{'s' if times != 1 else ''}, the least at this level")
            where = why if lv == level else f"{why}; no {level} clips match, so {label}"
            return Recommendation(best, f"{label.capitalize()} clip, {done}: {where}.")
    return None


def recommend_in_order(clips, attempts, new_feedback: set[str] = frozenset(), order=None
                       ) -> Recommendation | None:
    """A workshop's clips are in the facilitator's order: feedback waiting first, as above, then
    the first clip not practised yet, then (all practised) the first practised least.
    ``order``: the whole workshop, when ``clips`` is a filtered part of it (for "Clip n of m")."""
    clips = list(clips)
    order = list(order) if order is not None else clips
    if not clips:
        return None
    waiting = [c for c in clips if c.id in new_feedback]
    if waiting:
        return Recommendation(waiting[0], "Feedback on your answer to this clip is waiting.")
    practised = Counter(a.clip_id for a in attempts)
    fresh = [c for c in clips if not practised[c.id]]
    if fresh:
        n = order.index(fresh[0]) + 1
        return Recommendation(fresh[0], f"Clip {n} of {len(order)} in this workshop, not "
                              "practised yet.")
    best = min(clips, key=lambda c: practised[c.id])
    times = practised[best.id]
    return Recommendation(best, f"Every clip of this workshop is practised; this one the least "
                          f"({times} time{'s' if times != 1 else ''}).")
