"""Metrics on tiny cases computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from vnmisinfo.evaluation.metrics import (
    at_budgets,
    at_threshold,
    auc_interval,
    bootstrap_auc,
    check_labelled,
    expected_calibration_error,
    paired_auc_interval,
    precision_recall_at_k,
    proportion_interval,
    summary,
    triage_report,
)
from vnmisinfo.evaluation.thresholds import choose_thresholds, threshold_for_precision


@pytest.mark.parametrize("y, p, expected", [
    ([0, 1], [0.0, 1.0], 0.0),
    ([0, 0], [0.9, 0.9], 0.9),
    # bin [0.2,0.3): p 0.25, y mean 0 -> |0-0.25| * 2/4; bin [0.8,0.9): p 0.85, y 1 -> 0.15 * 2/4
    ([0, 0, 1, 1], [0.25, 0.25, 0.85, 0.85], 0.2),
    # one bin [0.6,0.7): mean p 0.625, mean y 0.5 -> 0.125
    ([0, 1], [0.6, 0.65], 0.125),
    # bins 6 and 7: |0 - 0.6| / 2 + |1 - 0.7| / 2
    ([0, 1], [0.6, 0.7], 0.45),
], ids=["perfect", "overconfident", "two-bins", "one-bin", "adjacent-bins"])
def test_ece_hand_computed(y, p, expected):
    assert expected_calibration_error(y, p) == pytest.approx(expected)


def test_ece_rejects_mismatched_input():
    with pytest.raises(ValueError, match="same length, one score per label; got 2 labels"):
        expected_calibration_error([0, 1], [0.5])
    with pytest.raises(ValueError, match="at least one labelled item"):
        expected_calibration_error([], [])


@pytest.mark.parametrize("fraction, precision, recall", [
    (0.2, 1.0, 1 / 3),   # k = 1: the 0.95 item, a positive
    (0.4, 0.5, 1 / 3),   # k = 2: adds 0.9, a negative
    (0.6, 2 / 3, 2 / 3),  # k = 3: adds 0.7, a positive
    (1.0, 0.6, 1.0),
], ids=["top20", "top40", "top60", "all"])
def test_precision_recall_at_k(fraction, precision, recall):
    y = [1, 0, 1, 0, 1]
    s = [0.95, 0.9, 0.7, 0.2, 0.1]
    assert precision_recall_at_k(y, s, fraction) == pytest.approx((precision, recall))


def test_at_budgets_keys_and_k():
    out = at_budgets([1, 0, 1, 0, 1] * 20, [0.9, 0.8, 0.7, 0.2, 0.1] * 20, [0.01, 0.05, 0.1])
    assert list(out) == ["top_1%", "top_5%", "top_10%"]
    assert [v["k"] for v in out.values()] == [1, 5, 10]


@pytest.mark.parametrize("threshold, tp, fp, fn, f1", [
    (0.5, 2, 1, 1, 2 / 3),
    (0.8, 1, 0, 2, 0.5),     # precision 1, recall 1/3
    (0.95, 0, 0, 3, 0.0),    # nothing flagged: precision 0 by convention
], ids=["medium", "high", "none-flagged"])
def test_at_threshold_hand_computed(threshold, tp, fp, fn, f1):
    m = at_threshold([1, 1, 0, 0, 1], [0.9, 0.6, 0.7, 0.2, 0.1], threshold)
    assert (m["tp"], m["fp"], m["fn"]) == (tp, fp, fn)
    assert m["f1"] == pytest.approx(f1)


def test_triage_report_has_everything():
    r = triage_report([0, 0, 1, 1], [0.1, 0.6, 0.55, 0.9], medium_threshold=0.5,
                      high_threshold=0.8)
    assert r["roc_auc"] == pytest.approx(0.75)
    assert r["thresholds"]["medium"]["precision"] == pytest.approx(2 / 3)
    assert r["thresholds"]["high"]["recall"] == pytest.approx(0.5)
    assert set(r) >= {"pr_auc", "brier", "ece", "budgets"}



# -- every metric checks its input the same way --------------------------------------------------
#: Each public metric with labels and scores, called with the two in its own order.
METRICS = {
    "expected_calibration_error": lambda y, p: expected_calibration_error(y, p),
    "precision_recall_at_k": lambda y, p: precision_recall_at_k(y, p, 0.5),
    "summary": lambda y, p: summary(y, p),
    "at_threshold": lambda y, p: at_threshold(y, p, 0.5),
    "at_budgets": lambda y, p: at_budgets(y, p, [0.5]),
    "triage_report": lambda y, p: triage_report(y, p),
    "bootstrap_auc": lambda y, p: bootstrap_auc(y, p, n_resamples=5),
    "auc_interval": lambda y, p: auc_interval(y, p, n_resamples=5),
    "paired_auc_interval": lambda y, p: paired_auc_interval(y, p, p, n_resamples=5),
    "threshold_for_precision": lambda y, p: threshold_for_precision(y, p, 0.5),
    "choose_thresholds": lambda y, p: choose_thresholds(y, p),
}
SCORES_ONLY = {"precision_recall_at_k", "at_budgets", "bootstrap_auc", "auc_interval",
               "paired_auc_interval"}  # rankings: any finite number


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_every_metric_refuses_labels_and_scores_of_different_lengths(metric):
    with pytest.raises(ValueError, match=r"must be the same length, one score per label; got 6 "
                                         r"labels and \w+ of shape \(2,\)"):
        METRICS[metric]([1, 0, 1, 0, 1, 1], [0.9, 0.1])


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_every_metric_says_when_the_arguments_look_swapped(metric):
    with pytest.raises(ValueError, match=rf"y_true must hold 0/1 labels; got 0.1 at position 0: "
                                         rf"were the arguments swapped\? The order is {metric}\("
                                         rf"y_true, "):
        METRICS[metric]([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])


@pytest.mark.parametrize("metric", sorted(METRICS))
@pytest.mark.parametrize("labels, shown", [([0, 2, 1], "2 at position 1"),
                                           (["0", "1", "1"], "'0' at position 0"),
                                           ([0, 1, float("nan")], "nan at position 2")],
                         ids=["two", "strings", "nan"])
def test_every_metric_names_a_label_that_is_not_0_or_1(metric, labels, shown):
    with pytest.raises(ValueError, match=f"0/1 labels; got {shown}: map them .*map_labels"):
        METRICS[metric](labels, [0.2, 0.9, 0.7])


@pytest.mark.parametrize("metric", sorted(METRICS))
@pytest.mark.parametrize("bad", [-3.0, float("nan"), float("inf"), 1.5],
                         ids=["negative", "nan", "inf", "above-one"])
def test_every_metric_refuses_a_score_that_cannot_be_one(metric, bad):
    probabilities = metric not in SCORES_ONLY
    if not probabilities and np.isfinite(bad):
        METRICS[metric]([0, 1, 1], [0.2, 0.9, bad])  # a ranking score may be any number
        return
    must = "probabilities in \\[0, 1\\]" if probabilities else "finite numbers"
    with pytest.raises(ValueError, match=f"must hold {must}; got {bad} at position 2"):
        METRICS[metric]([0, 1, 1], [0.2, 0.9, bad])


def test_check_labelled_returns_int_labels_and_float_scores():
    y, s = check_labelled(np.array([True, False]), [1, 0], call="f(y_true, proba)")
    assert y.dtype.kind == "i" and y.tolist() == [1, 0] and s.dtype == float
    with pytest.raises(ValueError, match="y_true must be 1-d"):
        check_labelled([[0], [1]], [0.1, 0.2], call="f(y_true, proba)")
    with pytest.raises(ValueError, match="proba must hold numbers"):
        check_labelled([0, 1], ["a", "b"], call="f(y_true, proba)")


# -- bootstrap of ROC-AUC ------------------------------------------------------------------------
@pytest.mark.parametrize("n", [6, 57, 400])
def test_bootstrap_auc_is_roc_auc_of_each_resample(n):
    """Each resample's AUC equals scikit-learn's on the rows drawn (ties included)."""
    rng = np.random.default_rng(n)
    y = np.r_[0, 1, rng.integers(0, 2, n - 2)]
    scores = np.column_stack([np.round(rng.random(n) + 0.4 * y, 1), rng.random(n)])
    got = bootstrap_auc(y, scores, n_resamples=7, seed=3)
    draw_pos, draw_neg = (np.random.default_rng(s) for s in np.random.SeedSequence(3).spawn(2))
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    w_pos = draw_pos.multinomial(len(pos), np.full(len(pos), 1 / len(pos)), size=7)
    w_neg = draw_neg.multinomial(len(neg), np.full(len(neg), 1 / len(neg)), size=7)
    for b in range(7):
        rows = np.r_[np.repeat(pos, w_pos[b]), np.repeat(neg, w_neg[b])]
        for m in range(2):
            assert got[b, m] == pytest.approx(roc_auc_score(y[rows], scores[rows, m]), abs=1e-12)
    assert bootstrap_auc(y, scores[:, 0], n_resamples=7, seed=3).tolist() == got[:, 0].tolist()


def test_bootstrap_auc_blocks_give_the_same_answer_as_one_pass(monkeypatch):
    import vnmisinfo.evaluation.metrics as metrics

    rng = np.random.default_rng(0)
    y, s = rng.integers(0, 2, 300), rng.random(300)
    whole = bootstrap_auc(y, s, n_resamples=50, seed=1)
    monkeypatch.setattr(metrics, "_BOOTSTRAP_CELLS", 300 * 7)  # blocks of 7 resamples
    blocks = bootstrap_auc(y, s, n_resamples=50, seed=1)
    assert whole.shape == (50,)
    # each class has a generator of its own, drawn in order: the blocks see the same draws
    assert np.allclose(whole, blocks, rtol=0, atol=1e-12)


def test_paired_interval_is_zero_for_one_model_and_narrows_with_rows():
    rng = np.random.default_rng(5)

    def world(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        y = rng.integers(0, 2, n)
        signal = rng.normal(size=n) + 1.2 * y
        old = signal + rng.normal(scale=1.0, size=n)
        new = signal + rng.normal(scale=0.8, size=n)  # a slightly better model
        return y, old, new

    y, old, new = world(120)
    assert paired_auc_interval(y, old, old) == (0.0, 0.0)
    small = paired_auc_interval(y, old, new)
    y, old, new = world(6000)
    large = paired_auc_interval(y, old, new)
    true_gain = roc_auc_score(y, new) - roc_auc_score(y, old)
    assert small[0] < 0 < small[1]                      # 120 rows: within the noise
    assert 0 < large[0] <= true_gain <= large[1]        # 6,000 rows: a real gain
    assert large[1] - large[0] < (small[1] - small[0]) / 4
    assert paired_auc_interval(y, old, new) == large    # seeded: the same answer


def test_auc_interval_holds_the_auc_and_narrows_with_rows():
    rng = np.random.default_rng(9)
    widths = []
    for n in (100, 4000):
        y = rng.integers(0, 2, n)
        scores = rng.normal(size=n) + y
        low, high = auc_interval(y, scores)
        assert low < roc_auc_score(y, scores) < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 4  # about 1 / sqrt(40) as wide


@pytest.mark.parametrize("k, n", [(160, 176), (5, 128), (45, 2839), (0, 20), (20, 20)])
def test_proportion_interval_matches_the_wilson_formula(k, n):
    low, high = proportion_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1
    # the Wilson interval's ends are the shares p at which |k/n - p| = z * sqrt(p(1-p)/n)
    z = 1.959963984540054
    for end in (low, high):
        if 0 < end < 1:
            assert abs(k / n - end) == pytest.approx(z * np.sqrt(end * (1 - end) / n), rel=1e-9)


def test_bootstrap_refuses_bad_input():
    with pytest.raises(ValueError, match="needs both classes"):
        bootstrap_auc([1, 1, 1], [0.2, 0.4, 0.9])
    with pytest.raises(ValueError, match=r"got 3 labels and scores of shape \(2,\)"):
        bootstrap_auc([0, 1, 1], [0.2, 0.4])
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        paired_auc_interval([0, 1], [0.1, 0.9], [0.2, 0.8], level=95)
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        auc_interval([0, 1], [0.1, 0.9], level=0)
    with pytest.raises(ValueError, match="need 0 <= successes <= n"):
        proportion_interval(5, 3)
