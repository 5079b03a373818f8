"""plots.py: every figure has its title, labelled axes and the data drawn."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rupture_widgets.research import plots


@pytest.fixture
def tables():
    rng = np.random.default_rng(0)
    attempts, ratings = [], []
    for t in range(3):
        level = "beginner"
        for n in range(8):
            aid = f"t{t}a{n}"
            if n == 4:
                level = "intermediate"
            attempts.append({"attempt_id": aid, "trainee_id": f"trainee{t}",
                             "family": "WC"[n % 2], "level": level, "practice_number": n + 1,
                             "recorded_at": pd.Timestamp("2026-09-01", tz="UTC")
                             + pd.Timedelta(days=n + t / 3), "difficulty": int(rng.integers(0, 11)),
                             "vad_latency_s": rng.uniform(3, 6), "vad_speaking_s": rng.uniform(1, 4)})
            for r in ("a", "b"):
                for item in ("empathy", "warmth"):
                    ratings.append({"attempt_id": aid, "reviewer_id": r, "item": item,
                                    "score": int(np.clip(2 + n // 3 + rng.integers(-1, 2), 1, 5))})
    return pd.DataFrame(attempts), pd.DataFrame(ratings)


def labelled(fig):
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    fig.canvas.draw()  # renders without error (Agg)
    return fig


def test_practice_volume(tables):
    fig = labelled(plots.practice_volume(tables[0]))
    left, right = fig.axes
    assert sum(p.get_height() for p in left.patches) == 24  # every attempt counted once
    assert [t.get_text() for t in right.get_xticklabels()] == ["C", "W"]


def test_learning_curves_by_item_and_family(tables):
    attempts, ratings = tables
    by_item = labelled(plots.learning_curves(attempts, ratings))
    lines = by_item.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == ["empathy", "warmth"]
    assert list(lines[0].get_xdata()) == list(range(1, 9))
    first = ratings.merge(attempts, on="attempt_id").query("item == 'empathy' and "
                                                           "practice_number == 1").score.mean()
    assert lines[0].get_ydata()[0] == pytest.approx(first)
    assert len(by_item.axes[0].collections) == 2  # a band per line
    by_family = labelled(plots.learning_curves(attempts, ratings, by="family"))
    assert [ln.get_label() for ln in by_family.axes[0].get_lines()] == ["C", "W"]


def test_difficulty_over_time_marks_level_moves(tables):
    fig = labelled(plots.difficulty_over_time(tables[0]))
    assert "3 moves" in fig.axes[0].get_title()  # each trainee moved up once


def test_timing_vs_scores(tables):
    fig = labelled(plots.timing_vs_scores(*tables))
    assert all("n = 24" in ax.get_title() for ax in fig.axes)
    with pytest.raises(ValueError, match="missing \\['vad_latency_s'\\]"):
        plots.timing_vs_scores(tables[0].drop(columns="vad_latency_s"), tables[1])
