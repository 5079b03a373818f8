"""The recommended next clip and the progress view: chosen as the deliberate-practice loop would."""
from __future__ import annotations

from rupture_widgets.apps.practice.next_clip import recommend, target_level
from rupture_widgets.apps.practice.progress import (SESSION_GAP_S, practice_diary,
                                                    progress_cells)
from rupture_widgets.library.catalog import load_catalog
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Attempt

TAX = load_taxonomy()
CLIPS = load_catalog().clips


def attempt(clip, when="2026-11-30T10:00:00Z", difficulty=None, n=0, sent=False):
    return Attempt(id=f"a{n:03d}", trainee_id="t", clip_id=clip.id, marker=clip.marker,
                   level=clip.level, created_at=when,
                   self_assessment=None if difficulty is None else {"difficulty": difficulty,
                                                                    "strategies": []},
                   sent_to=({"reviewer": "r", "role": "instructor"},) if sent else ())


def clips_at(level):
    return [c for c in CLIPS if c.level == level]


def test_a_new_trainee_starts_with_the_first_beginner_clip():
    rec = recommend(CLIPS, TAX, [])
    assert rec.clip == clips_at("beginner")[0]
    assert "not practised yet" in rec.reason and "start" in rec.reason


def test_feedback_waiting_comes_first():
    waiting = clips_at("advanced")[1]
    rec = recommend(CLIPS, TAX, [attempt(clips_at("beginner")[0], difficulty=5)], {waiting.id})
    assert rec.clip == waiting and "Feedback" in rec.reason


def test_easy_moves_up_a_level_and_too_hard_moves_down():
    first = clips_at("intermediate")[0]
    easy = [attempt(first, difficulty=TAX.move_up_at_or_below)]
    hard = [attempt(first, difficulty=TAX.move_down_at_or_above)]
    assert recommend(CLIPS, TAX, easy).clip.level == "advanced"
    assert recommend(CLIPS, TAX, hard).clip.level == "beginner"
    right = recommend(CLIPS, TAX, [attempt(first, difficulty=5)])
    assert right.clip.level == "intermediate" and right.clip != first  # least practised first
    assert target_level(TAX, easy)[0] == "advanced"


def test_the_latest_self_assessment_decides_not_the_first():
    first, second = clips_at("intermediate")[:2]
    attempts = [attempt(first, "2026-11-30T10:00:00Z", TAX.move_down_at_or_above, 1),
                attempt(second, "2026-11-30T11:00:00Z", TAX.move_up_at_or_below, 2)]
    assert recommend(CLIPS, TAX, attempts).clip.level == "advanced"


def test_least_practised_at_the_level_is_chosen():
    beginners = clips_at("beginner")
    attempts = [attempt(c, difficulty=5, n=i) for i, c in enumerate(beginners[:-1])]
    assert recommend(CLIPS, TAX, attempts).clip == beginners[-1]


def test_a_level_without_clips_gives_way_to_the_nearest():
    only_beginner = clips_at("beginner")
    easy = [attempt(only_beginner[0], difficulty=0)]
    rec = recommend(only_beginner, TAX, easy)
    assert rec.clip.level == "beginner" and "no intermediate clips" in rec.reason
    assert recommend([], TAX, easy) is None


def test_the_diary_groups_attempts_into_sessions_newest_first():
    c = CLIPS[0]
    gap = SESSION_GAP_S // 60 + 1
    attempts = [attempt(c, "2026-11-30T10:00:00Z", 4, 1), attempt(c, "2026-11-30T10:20:00Z", 6, 2),
                attempt(CLIPS[1], f"2026-11-30T10:{20 + gap:02d}:00Z", None, 3)]
    diary = practice_diary(attempts)
    assert [(e.attempts, e.clips, e.difficulties) for e in diary] == [(1, 1, ()), (2, 1, (4, 6))]


def test_progress_counts_practised_sent_and_feedback_per_marker_and_level():
    c = CLIPS[0]
    attempts = [attempt(c, n=1, sent=True), attempt(c, n=2)]
    cells = progress_cells(CLIPS, attempts, {"a001": ["feedback"]})
    assert cells[(c.marker, c.level)] == {
        "clips": sum(1 for x in CLIPS if (x.marker, x.level) == (c.marker, c.level)),
        "practised": 2, "sent": 1, "feedback": 1}
