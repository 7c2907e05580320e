"""Metrics for a triage model: ranking, calibration and review budgets."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

__all__ = ["expected_calibration_error", "precision_recall_at_k", "summary"]


def expected_calibration_error(y_true: Any, proba: Any, *, n_bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins.

    ``sum_b (n_b / n) * |mean(y in b) - mean(p in b)|``.

    Examples
    --------
    >>> expected_calibration_error([0, 1], [0.0, 1.0])
    0.0
    >>> round(expected_calibration_error([0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5]), 3)
    0.0
    >>> round(expected_calibration_error([0, 0], [0.9, 0.9]), 3)
    0.9
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(proba, dtype=float)
    if y.shape != p.shape or y.size == 0:
        raise ValueError(f"y_true and proba must be non-empty and the same shape; got "
                         f"{y.shape} and {p.shape}.")
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            total += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return float(total)


def precision_recall_at_k(y_true: Any, scores: Any, fraction: float) -> tuple[float, float]:
    """Precision and recall among the top ``fraction`` of items by score.

    ``k = max(1, round(fraction * n))``; ties are broken by input order.

    Examples
    --------
    >>> precision_recall_at_k([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.2], 0.5)
    (0.5, 0.5)
    """
    y = np.asarray(y_true, dtype=int)
    s = np.asarray(scores, dtype=float)
    k = max(1, int(round(fraction * len(y))))
    top = np.argsort(-s, kind="stable")[:k]
    hits = int(y[top].sum())
    positives = int(y.sum())
    return hits / k, (hits / positives if positives else 0.0)


def summary(y_true: Any, proba: Any) -> dict[str, float]:
    """ROC-AUC, PR-AUC, Brier score and ECE in one dict.

    Examples
    --------
    >>> m = summary([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> m["roc_auc"], m["n"]
    (0.75, 4)
    """
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(proba, dtype=float)
    return {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
    }
