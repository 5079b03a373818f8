"""How far reviewers agree, and how each one compares with a reference panel.

Input everywhere: a long table of rubric scores with columns ``attempt_id``, ``reviewer_id``,
``item`` and ``score`` (``load_ratings`` gives these, with more). The figures come from
maintained libraries, called as their authors document them, so a reader can check them:

- ``icc``: pingouin's ``intraclass_corr``, two-way random effects, absolute agreement
  (McGraw & Wong's ICC(A,1) and ICC(A,k), Shrout & Fleiss's ICC2 / ICC2k), with its 95 % CIs.
  It needs every attempt scored by every reviewer counted: attempts missing one are left out
  (pingouin's ``nan_policy="omit"``) and the number left out is reported.
- ``krippendorff_alpha``: the ``krippendorff`` package (ordinal by default, any design with
  missing scores), with a percentile bootstrap interval that resamples attempts.
- ``calibration``: per reviewer against reference ratings (an expert panel's): the mean
  difference (bias) with a t interval over attempts, and agreement (ICC(A,1), alpha).

Each figure comes with a reading in plain words: ICC bands after Koo & Li (2016) (below 0.5
poor, 0.5-0.75 moderate, 0.75-0.9 good, above 0.9 excellent), read from the interval as they
advise; alpha after Krippendorff (2004) (0.8 or more reliable, 0.667-0.8 only for tentative
conclusions, below that unreliable).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

COLUMNS = ("attempt_id", "reviewer_id", "item", "score")
#: pingouin's row labels for the two-way absolute-agreement ICCs, new (>= 0.6) and old names
_ICC_ROWS = {"single": ("ICC(A,1)", "ICC2"), "average": ("ICC(A,k)", "ICC2k")}


class NotEnoughRatings(ValueError):
    """Too few attempts scored by two or more reviewers for the figure asked for."""


# -- readings --------------------------------------------------------------------------------

def icc_band(value: float) -> str:
    """Koo & Li (2016)."""
    if value is None or not math.isfinite(value):
        return "unknown"
    return ("poor" if value < 0.5 else "moderate" if value < 0.75 else
            "good" if value < 0.9 else "excellent")


def read_icc(value: float, low: float, high: float, measure: str = "single") -> str:
    who = ("one reviewer's score" if measure == "single"
           else "the average of the reviewers' scores")
    band, lo, hi = icc_band(value), icc_band(low), icc_band(high)
    span = f"{lo} to {hi}" if lo != hi else lo
    return (f"ICC {value:.2f} (95 % CI {low:.2f}-{high:.2f}): {band} agreement for {who}; "
            f"the interval spans {span} (Koo & Li 2016).")


def alpha_band(value: float) -> str:
    """Krippendorff (2004)."""
    if value is None or not math.isfinite(value):
        return "unknown"
    return ("reliable" if value >= 0.8 else "tentative" if value >= 0.667 else "unreliable")


def read_alpha(value: float, low: float, high: float) -> str:
    words = {"reliable": "reliable enough to draw conclusions from",
             "tentative": "good enough only for tentative conclusions",
             "unreliable": "not reliable enough to draw conclusions from",
             "unknown": "unknown"}[alpha_band(value)]
    return (f"alpha {value:.2f} (95 % CI {low:.2f}-{high:.2f}): {words} (Krippendorff 2004: "
            f">= 0.80 reliable, 0.667-0.80 tentative).")


# -- shaping -----------------------------------------------------------------------------------

def _checked(ratings: pd.DataFrame, item: str | None) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in ratings.columns]
    if missing:
        raise ValueError(f"ratings need the columns {list(COLUMNS)}; missing {missing}")
    df = ratings.loc[:, list(COLUMNS)].copy()
    for c in ("attempt_id", "reviewer_id", "item"):
        df[c] = df[c].astype(str)
    df["score"] = pd.to_numeric(df["score"], errors="coerce")
    df = df.dropna(subset=["score"])
    if item is not None:
        if item not in set(df["item"]):
            raise NotEnoughRatings(f"no scores for the item {item!r}")
        df = df[df["item"] == item]
    return df


def score_table(ratings: pd.DataFrame, item: str | None = None) -> pd.DataFrame:
    """attempt x reviewer: the score for ``item``, or (item None) the mean over the rubric
    items each reviewer scored on that attempt. A reviewer who scored it twice: the mean."""
    df = _checked(ratings, item)
    return df.groupby(["attempt_id", "reviewer_id"], observed=True)["score"].mean().unstack()


# -- ICC ---------------------------------------------------------------------------------------

def icc(ratings: pd.DataFrame, item: str | None = None) -> pd.DataFrame:
    """Two-way random, absolute agreement ICC for ``item`` (None: the rubric mean), from
    every attempt that all the reviewers in ``ratings`` scored.

    One row per measure ("single": ICC(A,1), how far one reviewer's score can be trusted;
    "average": ICC(A,k), the mean of the k reviewers): icc, ci_low, ci_high, F, pval,
    n_attempts, n_reviewers, n_left_out (attempts missing a reviewer), reading.
    """
    import pingouin as pg

    table = score_table(ratings, item)
    complete = table.dropna()
    if table.shape[1] < 2 or len(complete) < 3:
        raise NotEnoughRatings(f"an ICC needs at least 3 attempts scored by the same 2 or more "
                               f"reviewers; here {len(complete)} attempts were scored by all "
                               f"{table.shape[1]} reviewers")
    long = complete.stack().rename("score").reset_index()
    out = pg.intraclass_corr(long, targets="attempt_id", raters="reviewer_id", ratings="score")
    rows = []
    for measure, names in _ICC_ROWS.items():
        row = out[out["Type"].isin(names)].iloc[0]
        low, high = (float(x) for x in row["CI95"])
        value = float(row["ICC"])
        rows.append({"item": item or "rubric mean", "measure": measure, "icc": value,
                     "ci_low": low, "ci_high": high, "F": float(row["F"]),
                     "pval": float(row["pval"]), "n_attempts": len(complete),
                     "n_reviewers": table.shape[1], "n_left_out": len(table) - len(complete),
                     "reading": read_icc(value, low, high, measure)})
    return pd.DataFrame(rows)


# -- Krippendorff's alpha --------------------------------------------------------------------

def reliability_matrix(ratings: pd.DataFrame, item: str | None = None) -> np.ndarray:
    """reviewers x attempts, NaN where a reviewer did not score an attempt: the layout
    ``krippendorff.alpha`` takes."""
    return score_table(ratings, item).T.to_numpy(dtype=float)


def krippendorff_alpha(ratings: pd.DataFrame, item: str | None = None, level: str = "ordinal",
                       n_boot: int = 1000, seed: int | None = 0, scale=(1, 5),
                       confidence: float = 0.95) -> dict:
    """Krippendorff's alpha for ``item`` (None: the rubric mean, then level should be
    "interval") over every attempt two or more reviewers scored, with a percentile bootstrap
    interval from ``n_boot`` resamples of attempts (seeded: the same call gives the same CI).

    ``scale`` (the rubric's min and max) fixes the ordinal categories, so a resample that
    happens to lack a score keeps the same distances. The library's cost grows with the square
    of the number of distinct scores: interval alpha on unrounded means is slow. Returns alpha, ci_low, ci_high,
    n_attempts, n_reviewers, n_boot, level, reading.
    """
    import krippendorff

    data = reliability_matrix(ratings, item)
    paired = (~np.isnan(data)).sum(axis=0) >= 2
    data = data[:, paired]
    if data.shape[1] < 3:
        raise NotEnoughRatings(f"alpha needs at least 3 attempts scored by 2 or more reviewers; "
                               f"here there are {data.shape[1]}")
    values = data[~np.isnan(data)]
    whole = bool(np.all(values == np.rint(values)))
    if level in ("ordinal", "nominal") and not whole:
        raise ValueError(f"{level} alpha needs whole-number scores (the rubric's points); these "
                         "include fractions (a mean of scores?): use level='interval'")
    domain = (np.arange(scale[0], scale[1] + 1) if level in ("ordinal", "nominal")
              and values.min() >= scale[0] and values.max() <= scale[1] else None)

    def alpha_of(m: np.ndarray) -> float:
        return float(krippendorff.alpha(reliability_data=m, level_of_measurement=level,
                                        value_domain=domain))

    value = alpha_of(data)
    rng = np.random.default_rng(seed)
    n = data.shape[1]
    boots = []
    for _ in range(n_boot):
        sample = data[:, rng.integers(0, n, n)]
        try:
            a = alpha_of(sample)
        except (ValueError, ZeroDivisionError):  # a resample with no variation at all
            continue
        if math.isfinite(a):
            boots.append(a)
    tail = (1 - confidence) / 2
    low, high = ((float(np.quantile(boots, tail)), float(np.quantile(boots, 1 - tail)))
                 if boots else (math.nan, math.nan))
    return {"item": item or "rubric mean", "alpha": value, "ci_low": low, "ci_high": high,
            "n_attempts": n, "n_reviewers": data.shape[0], "n_boot": len(boots),
            "level": level, "reading": read_alpha(value, low, high)}


def agreement_report(ratings: pd.DataFrame, n_boot: int = 1000, seed: int | None = 0
                     ) -> pd.DataFrame:
    """Per rubric item (and the rubric mean): ICC(A,1), ICC(A,k) and ordinal alpha, each with
    its interval and reading. An item too sparsely rated gets NaN and says why."""
    items = sorted(set(_checked(ratings, None)["item"]))
    rows = []
    for item in [*items, None]:
        row = {"item": item or "rubric mean"}
        try:
            single, average = icc(ratings, item).itertuples()
            row.update(icc_single=single.icc, icc_single_low=single.ci_low,
                       icc_single_high=single.ci_high, icc_average=average.icc,
                       icc_average_low=average.ci_low, icc_average_high=average.ci_high,
                       n_attempts=single.n_attempts, n_reviewers=single.n_reviewers,
                       icc_reading=single.reading)
        except NotEnoughRatings as e:
            row["icc_reading"] = str(e)
        try:
            a = krippendorff_alpha(ratings, item, "ordinal" if item else "interval",
                                   n_boot=n_boot, seed=seed)
            row.update(alpha=a["alpha"], alpha_low=a["ci_low"], alpha_high=a["ci_high"],
                       alpha_level=a["level"], alpha_reading=a["reading"])
        except NotEnoughRatings as e:
            row["alpha_reading"] = str(e)
        rows.append(row)
    return pd.DataFrame(rows)


# -- calibration against reference ratings ---------------------------------------------------

REFERENCE = "reference"


def calibration(ratings: pd.DataFrame, reference: pd.DataFrame, n_boot: int = 500,
                seed: int | None = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Each reviewer against the reference ratings (columns attempt_id, item, score: what an
    expert panel gave), on the attempts and items both scored.

    One row per reviewer: n_attempts, n_scores; bias (mean of reviewer - reference over all
    paired scores; positive: scores higher than the panel) with a t interval over attempts
    (each attempt's mean difference is one observation, since a reviewer's scores of one
    attempt are not independent); mean_abs_diff; icc (ICC(A,1) of reviewer and reference over
    the (attempt, item) scores) with its CI; alpha (ordinal for whole-number scores, interval
    when the reference is a panel's mean) with its bootstrap CI; reading.
    """
    from scipy import stats

    ref = reference.loc[:, ["attempt_id", "item", "score"]].copy()
    ref["attempt_id"], ref["item"] = ref["attempt_id"].astype(str), ref["item"].astype(str)
    ref = ref.groupby(["attempt_id", "item"], as_index=False)["score"].mean()
    df = _checked(ratings, None)
    rows = []
    for reviewer, own in df.groupby("reviewer_id", observed=True):
        own = own.groupby(["attempt_id", "item"], as_index=False)["score"].mean()
        paired = own.merge(ref, on=["attempt_id", "item"], suffixes=("", "_ref"))
        row = {"reviewer_id": reviewer, "n_attempts": paired["attempt_id"].nunique(),
               "n_scores": len(paired)}
        if row["n_attempts"] < 3:
            rows.append({**row, "reading": f"only {row['n_attempts']} attempts in common with "
                                           "the reference; at least 3 are needed"})
            continue
        diff = paired["score"] - paired["score_ref"]
        per_attempt = diff.groupby(paired["attempt_id"]).mean()
        sem = per_attempt.std(ddof=1) / math.sqrt(len(per_attempt))
        t = stats.t.ppf(1 - (1 - confidence) / 2, len(per_attempt) - 1)
        bias = float(diff.mean())
        row.update(bias=bias, bias_low=float(per_attempt.mean() - t * sem),
                   bias_high=float(per_attempt.mean() + t * sem),
                   mean_abs_diff=float(diff.abs().mean()))
        # the pair as two "reviewers" of each (attempt, item): the same libraries as above
        unit = paired["attempt_id"] + "/" + paired["item"]
        pair = pd.concat([
            pd.DataFrame({"attempt_id": unit, "reviewer_id": reviewer, "item": "all",
                          "score": paired["score"]}),
            pd.DataFrame({"attempt_id": unit, "reviewer_id": REFERENCE, "item": "all",
                          "score": paired["score_ref"]})])
        single = icc(pair, "all").iloc[0]
        whole = bool((pair["score"] == pair["score"].round()).all())  # a panel's mean: no
        a = krippendorff_alpha(pair, "all", "ordinal" if whole else "interval", n_boot=n_boot,
                               seed=seed)
        row.update(icc=single.icc, icc_low=single.ci_low, icc_high=single.ci_high,
                   alpha=a["alpha"], alpha_low=a["ci_low"], alpha_high=a["ci_high"])
        direction = ("higher than" if row["bias_low"] > 0 else "lower than"
                     if row["bias_high"] < 0 else "no differently from")
        row["reading"] = (f"scores {direction} the panel (mean difference {bias:+.2f}, 95 % CI "
                          f"{row['bias_low']:+.2f} to {row['bias_high']:+.2f}); "
                          f"{icc_band(single.icc)} agreement with it (ICC {single.icc:.2f}), "
                          f"alpha {alpha_band(a['alpha'])} ({a['alpha']:.2f}).")
        rows.append(row)
    cols = ["reviewer_id", "n_attempts", "n_scores", "bias", "bias_low", "bias_high",
            "mean_abs_diff", "icc", "icc_low", "icc_high", "alpha", "alpha_low", "alpha_high",
            "reading"]
    return pd.DataFrame(rows).reindex(columns=cols)
