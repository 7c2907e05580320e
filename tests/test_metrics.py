"""Metrics on tiny cases computed by hand."""

from __future__ import annotations

import pytest

from vnmisinfo.evaluation.metrics import (
    at_budgets,
    at_threshold,
    expected_calibration_error,
    precision_recall_at_k,
    triage_report,
)


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
    with pytest.raises(ValueError, match="same shape"):
        expected_calibration_error([0, 1], [0.5])


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
