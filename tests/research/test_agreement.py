"""agreement.py against raters simulated with known reliability, and against the libraries
called directly on the same data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rupture_widgets.research import agreement


def simulated(n_attempts=300, biases=(-0.5, -0.25, 0.0, 0.0, 0.25, 0.5), var_attempt=1.0,
              var_noise=0.5, items=("empathy",), seed=11, rounded=False):
    """score = 3 + true skill (var_attempt) + reviewer bias + noise (var_noise). The biases are
    fixed, so their variance (ddof=0) is the rater variance of the design."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(n_attempts):
        skill = rng.normal(0, np.sqrt(var_attempt))
        for item in items:
            for r, b in enumerate(biases):
                s = 3 + skill + b + rng.normal(0, np.sqrt(var_noise))
                # to 0.1: the variances barely change (+0.001), but krippendorff's cost grows
                # with the square of the number of distinct values
                s = int(np.clip(np.rint(s), 1, 5)) if rounded else round(s, 1)
                rows.append({"attempt_id": f"a{a}", "reviewer_id": f"r{r}", "item": item,
                             "score": s})
    return pd.DataFrame(rows)


def true_icc(biases, var_attempt, var_noise, k=1):
    var_rater = float(np.var(biases))
    return var_attempt / (var_attempt + (var_rater + var_noise) / k)


@pytest.mark.parametrize("var_attempt,var_noise", [(1.0, 0.5), (1.0, 0.1), (0.3, 1.0)])
def test_icc_lands_on_the_simulated_truth(var_attempt, var_noise):
    biases = (-0.5, -0.25, 0.0, 0.0, 0.25, 0.5)
    df = simulated(var_attempt=var_attempt, var_noise=var_noise)
    single, average = agreement.icc(df, "empathy").itertuples()
    truth1 = true_icc(biases, var_attempt, var_noise)
    truthk = true_icc(biases, var_attempt, var_noise, k=len(biases))
    assert single.measure == "single" and average.measure == "average"
    assert single.icc == pytest.approx(truth1, abs=0.06)
    assert average.icc == pytest.approx(truthk, abs=0.04)
    assert single.ci_low < truth1 < single.ci_high
    assert single.n_attempts == 300 and single.n_reviewers == 6 and single.n_left_out == 0


def test_icc_equals_pingouin_called_directly():
    import pingouin as pg

    df = simulated(n_attempts=60, rounded=True, seed=3)
    ours = agreement.icc(df, "empathy")
    theirs = pg.intraclass_corr(df, targets="attempt_id", raters="reviewer_id",
                                ratings="score").set_index("Type")
    for measure, label in (("single", "ICC(A,1)"), ("average", "ICC(A,k)")):
        row = ours[ours.measure == measure].iloc[0]
        assert row.icc == theirs.loc[label, "ICC"]
        assert [row.ci_low, row.ci_high] == list(theirs.loc[label, "CI95"])


def test_icc_leaves_out_attempts_a_reviewer_missed_and_says_so():
    df = simulated(n_attempts=40, seed=4)
    gappy = df[~((df.reviewer_id == "r0") & df.attempt_id.isin(["a1", "a2", "a3"]))]
    [row] = agreement.icc(gappy, "empathy").query("measure == 'single'").itertuples()
    assert row.n_attempts == 37 and row.n_left_out == 3
    with pytest.raises(agreement.NotEnoughRatings, match="at least 3 attempts"):
        agreement.icc(df[df.reviewer_id == "r0"], "empathy")


def test_alpha_lands_on_the_simulated_truth():
    # interval alpha estimates the same share of variance as ICC(A,1) (Krippendorff 2004)
    biases = (-0.5, -0.25, 0.0, 0.0, 0.25, 0.5)
    df = simulated(var_attempt=1.0, var_noise=0.5)
    a = agreement.krippendorff_alpha(df, "empathy", level="interval", n_boot=200, seed=1)
    truth = true_icc(biases, 1.0, 0.5)
    assert a["alpha"] == pytest.approx(truth, abs=0.06)
    assert a["ci_low"] < truth < a["ci_high"]


def test_alpha_equals_krippendorff_called_directly_and_the_bootstrap_is_reproducible():
    import krippendorff

    df = simulated(n_attempts=50, rounded=True, seed=5)
    matrix = df.pivot(index="reviewer_id", columns="attempt_id", values="score").to_numpy(float)
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal",
                                value_domain=[1, 2, 3, 4, 5])
    a = agreement.krippendorff_alpha(df, "empathy", n_boot=300, seed=9)
    assert a["alpha"] == theirs
    assert a["ci_low"] < a["alpha"] < a["ci_high"] and a["n_boot"] == 300
    assert agreement.krippendorff_alpha(df, "empathy", n_boot=300, seed=9) == a


def test_more_reliable_raters_get_higher_figures_and_readings_follow_the_bands():
    sharp = simulated(var_noise=0.05, biases=(0, 0.05, -0.05), rounded=True)
    vague = simulated(var_noise=2.0, biases=(0, 0.5, -0.5), rounded=True)
    s, v = (agreement.krippendorff_alpha(d, "empathy", n_boot=100) for d in (sharp, vague))
    assert s["alpha"] > 0.8 > 0.667 > v["alpha"]
    assert "reliable enough to draw conclusions" in s["reading"]
    assert "not reliable enough" in v["reading"]
    assert [agreement.icc_band(x) for x in (0.3, 0.6, 0.8, 0.95)] == [
        "poor", "moderate", "good", "excellent"]
    assert agreement.alpha_band(0.7) == "tentative"
    row = agreement.icc(sharp, "empathy").iloc[0]
    assert row.reading.startswith(f"ICC {row.icc:.2f}") and "excellent" in row.reading


def test_agreement_report_per_item_and_the_rubric_mean():
    df = simulated(n_attempts=40, items=("empathy", "warmth"), seed=6, rounded=True)
    report = agreement.agreement_report(df, n_boot=50)
    assert report["item"].tolist() == ["empathy", "warmth", "rubric mean"]
    assert report[["icc_single", "icc_average", "alpha"]].notna().all().all()
    assert (report.icc_average > report.icc_single).all()


def test_calibration_finds_each_reviewer_s_known_bias():
    rng = np.random.default_rng(8)
    biases = {"kind": 0.6, "exact": 0.0, "harsh": -0.6}
    rows, ref = [], []
    for a in range(80):
        for item in ("empathy", "warmth", "hope"):
            true = 3 + rng.normal(0, 0.9)
            ref.append({"attempt_id": f"a{a}", "item": item, "score": round(true, 1)})
            for who, b in biases.items():
                rows.append({"attempt_id": f"a{a}", "reviewer_id": who, "item": item,
                             "score": round(true + b + rng.normal(0, 0.3), 1)})
    cal = agreement.calibration(pd.DataFrame(rows), pd.DataFrame(ref), n_boot=100)
    cal = cal.set_index("reviewer_id")
    for who, b in biases.items():
        assert cal.loc[who, "bias_low"] < b < cal.loc[who, "bias_high"]
        assert cal.loc[who, "n_attempts"] == 80 and cal.loc[who, "n_scores"] == 240
    assert cal.loc["exact", "icc"] > cal.loc["kind", "icc"]  # absolute agreement punishes bias
    assert cal.loc["kind", "reading"].startswith("scores higher than the panel")
    assert cal.loc["harsh", "reading"].startswith("scores lower than the panel")
    assert cal.loc["exact", "reading"].startswith("scores no differently from the panel")


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="missing \\['score'\\]"):
        agreement.icc(pd.DataFrame({"attempt_id": [], "reviewer_id": [], "item": []}))
    with pytest.raises(agreement.NotEnoughRatings, match="no scores for the item 'hope'"):
        agreement.icc(simulated(n_attempts=5), "hope")
