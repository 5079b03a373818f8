"""Figures for the analysis notebook (matplotlib): each takes the tidy tables and returns a
Figure with labelled axes and a title, so the notebook only calls and shows them.

Column names are those of ``load_attempts`` / ``load_ratings`` (docs/data-dictionary.md); the
ones a figure needs are named in its docstring, and can be renamed by keyword where a table
uses another name. Uncertainty bands are 95 % intervals of the mean (mean +/- 1.96 standard
errors), drawn only where a point has two or more scores.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

LEVEL_ORDER = ("beginner", "intermediate", "advanced")


def _need(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {list(columns)}; missing {missing}")


def _figure(width=9.0, height=4.0, cols=1) -> tuple[Figure, list]:
    # Figure() rather than pyplot: no global state, nothing left open in a long session
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, cols, squeeze=False)[0]
    return fig, list(axes)


def practice_volume(attempts: pd.DataFrame, trainee="trainee_id", family="family",
                    level="level") -> Figure:
    """Attempts per trainee (bars by level) and per marker family (bars by level).
    Columns: trainee_id, family, level."""
    _need(attempts, (trainee, family, level), "practice_volume")
    fig, (left, right) = _figure(11, 4.5, 2)
    for ax, key, label in ((left, trainee, "Trainee"), (right, family, "Marker family")):
        table = pd.crosstab(attempts[key].astype(str), attempts[level].astype(str))
        table = table[[lv for lv in LEVEL_ORDER if lv in table] +
                      [c for c in table if c not in LEVEL_ORDER]]
        bottom = np.zeros(len(table))
        for col in table:
            ax.bar(table.index, table[col], bottom=bottom, label=col)
            bottom += table[col].to_numpy()
        ax.set_xlabel(label)
        ax.set_ylabel("Attempts")
        ax.tick_params(axis="x", rotation=45)
        ax.legend(title="Level")
    left.set_title("Practice volume per trainee")
    right.set_title("Practice volume per marker family")
    fig.suptitle("How much was practised")
    return fig


def _mean_band(ax, frame: pd.DataFrame, x: str, label: str) -> None:
    g = frame.groupby(x)["score"].agg(["mean", "std", "count"]).sort_index()
    se = (g["std"] / np.sqrt(g["count"])).where(g["count"] > 1)
    line, = ax.plot(g.index, g["mean"], marker="o", label=label)
    ax.fill_between(g.index, g["mean"] - 1.96 * se, g["mean"] + 1.96 * se,
                    color=line.get_color(), alpha=0.2)


def learning_curves(attempts: pd.DataFrame, ratings: pd.DataFrame, by: str = "item",
                    x: str = "practice_number", family="family") -> Figure:
    """Rubric scores against attempt number, one line per rubric item (``by="item"``) or per
    marker family (``by="family"``), with 95 % bands. Columns: attempts: attempt_id,
    ``x``, family; ratings: attempt_id, item, score."""
    _need(attempts, ("attempt_id", x) + ((family,) if by == "family" else ()), "learning_curves")
    _need(ratings, ("attempt_id", "item", "score"), "learning_curves")
    keep = ["attempt_id", x] + ([family] if by == "family" and family != x else [])
    frame = ratings.merge(attempts[keep].astype({"attempt_id": str}),
                          on="attempt_id") if len(ratings) else ratings.assign(**{x: []})
    frame = frame.assign(score=pd.to_numeric(frame["score"]))
    key = "item" if by == "item" else family
    fig, (ax,) = _figure(9, 5)
    for name, part in frame.groupby(frame[key].astype(str)):
        _mean_band(ax, part, x, name)
    ax.set_xlabel({"practice_number": "Attempts practised so far (any clip)",
                   "attempt_number": "Attempt at the same clip"}.get(x, x.replace("_", " ")))
    ax.set_ylabel("Rubric score (mean, 95 % band)")
    ax.set_title(f"Learning curves by {'rubric item' if by == 'item' else 'marker family'}")
    ax.legend(title="Rubric item" if by == "item" else "Family", fontsize="small",
              ncols=2 if by == "item" else 1)
    return fig


def difficulty_over_time(attempts: pd.DataFrame, trainee="trainee_id", time="recorded_at",
                         difficulty="difficulty", level="level", thresholds=None) -> Figure:
    """Self-rated difficulty over time per trainee, the level of each attempt as its marker,
    each level move marked, and the taxonomy's thresholds as lines. Columns: trainee_id,
    recorded_at, difficulty, level."""
    _need(attempts, (trainee, time, difficulty, level), "difficulty_over_time")
    if thresholds is None:
        from ..taxonomy import load_taxonomy

        tax = load_taxonomy()
        thresholds = (tax.move_up_at_or_below, tax.move_down_at_or_above)
    fig, (ax,) = _figure(11, 5)
    markers = dict(zip(LEVEL_ORDER, ("o", "s", "^")))
    frame = attempts.assign(**{time: pd.to_datetime(attempts[time], utc=True)}).sort_values(time)
    moves = 0
    for name, part in frame.groupby(frame[trainee].astype(str)):
        line, = ax.plot(part[time], part[difficulty], alpha=0.5, label=name)
        for lv, sub in part.groupby(part[level].astype(str)):
            ax.scatter(sub[time], sub[difficulty], marker=markers.get(lv, "x"),
                       color=line.get_color(), zorder=3)
        changed = part[level].astype(str).ne(part[level].astype(str).shift()).to_numpy().copy()
        changed[0] = False
        for t, d in zip(part[time][changed], part[difficulty][changed]):
            ax.axvline(t, color=line.get_color(), linestyle=":", alpha=0.6)
            moves += 1
    up, down = thresholds
    ax.axhline(up, color="green", linestyle="--", label=f"move up at or below {up}")
    ax.axhline(down, color="red", linestyle="--", label=f"move down at or above {down}")
    for lv, m in markers.items():
        ax.scatter([], [], marker=m, color="grey", label=lv)
    ax.set_ylim(-0.5, 10.5)
    ax.set_xlabel("Date of the attempt")
    ax.set_ylabel("Self-rated difficulty (0-10)")
    ax.set_title(f"Difficulty over time and level moves ({moves} moves, dotted)")
    ax.legend(fontsize="small", ncols=2, loc="upper right")
    return fig


def timing_vs_scores(attempts: pd.DataFrame, ratings: pd.DataFrame,
                     latency="vad_latency_s", speaking="vad_speaking_s") -> Figure:
    """Latency and speaking time (measured from the audio) against the attempt's mean rubric
    score, each with a least-squares line. Columns: attempts: attempt_id, vad_latency_s,
    vad_speaking_s; ratings: attempt_id, score."""
    _need(attempts, ("attempt_id", latency, speaking), "timing_vs_scores")
    _need(ratings, ("attempt_id", "score"), "timing_vs_scores")
    mean = (ratings.assign(score=pd.to_numeric(ratings["score"]))
            .groupby(ratings["attempt_id"].astype(str))["score"].mean().rename("mean_score"))
    frame = attempts.assign(attempt_id=attempts["attempt_id"].astype(str)).merge(
        mean, left_on="attempt_id", right_index=True)
    fig, axes = _figure(11, 4.5, 2)
    for ax, col, label in ((axes[0], latency, "Latency from the clip's end to speech (s)"),
                           (axes[1], speaking, "Speaking time (s)")):
        part = frame[[col, "mean_score"]].apply(pd.to_numeric, errors="coerce").dropna()
        ax.scatter(part[col], part["mean_score"], alpha=0.6)
        if len(part) >= 2 and part[col].nunique() > 1:
            slope, icpt = np.polyfit(part[col], part["mean_score"], 1)
            xs = np.linspace(part[col].min(), part[col].max(), 20)
            r = np.corrcoef(part[col], part["mean_score"])[0, 1]
            ax.plot(xs, icpt + slope * xs, color="black", label=f"least squares (r = {r:.2f})")
            ax.legend()
        ax.set_xlabel(label)
        ax.set_ylabel("Mean rubric score of the attempt")
        ax.set_title(f"{label.split(' (')[0]} against feedback (n = {len(part)})")
    fig.suptitle("Timing measured from the audio against feedback scores")
    return fig
