"""Metrics for a triage model: ranking, calibration and review budgets."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    roc_auc_score,
)

__all__ = [
    "BUDGETS",
    "LEVEL",
    "RESAMPLES",
    "at_budgets",
    "at_threshold",
    "auc_interval",
    "bootstrap_auc",
    "check_labelled",
    "expected_calibration_error",
    "paired_auc_interval",
    "MIN_PER_CLASS",
    "precision_recall_at_k",
    "proportion_interval",
    "sample_caution",
    "summary",
    "triage_report",
]

#: Cells (resamples x rows) of one block of :func:`bootstrap_auc`: about 16 MB a matrix.
_BOOTSTRAP_CELLS = 2_000_000
#: Coverage of the intervals, and bootstrap resamples (seeded: the same rows, the same answer).
LEVEL = 0.95
RESAMPLES = 2000

#: Rows of each class below which ROC-AUC and its interval are reported with a caution.
MIN_PER_CLASS = 10

#: Review budgets reported by default: the top 1%, 5% and 10% of items by score.
BUDGETS = (0.01, 0.05, 0.10)



def _first_bad_label(y: np.ndarray) -> int | None:
    """Position of the first label that is not 0 or 1 (a number, or a bool), or None."""
    if y.dtype.kind in "biuf":
        bad = np.flatnonzero((y != 0) & (y != 1))
        return int(bad[0]) if len(bad) else None
    for i, value in enumerate(y.tolist()):
        if not isinstance(value, (bool, int, float, np.number)) or value not in (0, 1):
            return i
    return None


def check_labelled(y_true: Any, scores: Any, *, call: str, name: str = "proba",
                   probabilities: bool = True, columns: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Check labels and scores given to a metric; return them as int and float arrays.

    Every public metric checks its input here: one label per score, labels 0
    or 1 (1 = misinformation), and scores finite numbers, probabilities in
    ``[0, 1]``.  A label such as 0.4 usually means the arguments were given
    the other way round, and the message says so, with ``call``, the order
    the metric takes them in.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        The labels.
    scores : array-like of shape (n,), or (n, m) with ``columns``
        The scores of the same items.
    call : str
        The metric and its arguments, for the messages: ``"at_threshold(y_true, proba,
        threshold)"``.
    name : str, default="proba"
        The name of ``scores`` in the metric's signature.
    probabilities : bool, default=True
        Whether the scores must be probabilities, in ``[0, 1]``.
    columns : bool, default=False
        Whether ``scores`` may hold one column per model.

    Raises
    ------
    ValueError
        Naming the first bad value, its position and the fix.

    Examples
    --------
    >>> check_labelled([0, 1], [0.2, 0.9], call="f(y_true, proba)")[0].tolist()
    [0, 1]
    >>> check_labelled([0.1, 0.4], [0, 1], call="f(y_true, proba)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y_true must hold 0/1 labels; got 0.1 at position 0: were the arguments swapped? ...
    """
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"y_true must be 1-d, one label per item; got shape {y.shape}. "
                         "Pass a flat list or a column (frame['label']).")
    try:
        s = np.asarray(scores, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers ({exc}); the order is {call}.") from None
    if s.ndim not in ((1, 2) if columns else (1,)) or len(s) != len(y):
        raise ValueError(f"y_true and {name} must be the same length, one score per label; got "
                         f"{len(y)} labels and {name} of shape {s.shape}.")
    at = _first_bad_label(y)
    if at is not None:
        value = y.tolist()[at]
        hint = (f"were the arguments swapped? The order is {call}."
                if isinstance(value, float) and 0 < value < 1 else
                "map them to 1 (misinformation) and 0 (reliable) first, e.g. with "
                "vnmisinfo.data.corpora.map_labels(values).")
        raise ValueError(f"y_true must hold 0/1 labels; got {value!r} at position {at}: {hint}")
    bad = ~np.isfinite(s) | ((s < 0) | (s > 1) if probabilities else False)
    if bad.any():
        at = int(np.flatnonzero(bad if s.ndim == 1 else bad.any(axis=1))[0])
        must = "probabilities in [0, 1]" if probabilities else "finite numbers"
        raise ValueError(f"{name} must hold {must}; got {s[at].tolist()!r} at position {at}. "
                         f"The order is {call}.")
    return y.astype(int), s


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
    y, p = check_labelled(y_true, proba, call="expected_calibration_error(y_true, proba)")
    if not len(y):
        raise ValueError("expected_calibration_error needs at least one labelled item; got none.")
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
    y, s = check_labelled(y_true, scores, name="scores", probabilities=False,
                          call="precision_recall_at_k(y_true, scores, fraction)")
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
    y, p = check_labelled(y_true, proba, call="summary(y_true, proba)")
    return {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
    }


def at_threshold(y_true: Any, proba: Any, threshold: float) -> dict[str, float]:
    """Precision, recall and F1 when every item with ``proba >= threshold`` is flagged.

    Precision is 0 when nothing is flagged (as scikit-learn's ``zero_division=0``).

    Examples
    --------
    >>> m = at_threshold([1, 1, 0, 0, 1], [0.9, 0.6, 0.7, 0.2, 0.1], 0.5)
    >>> m["tp"], m["fp"], m["fn"], round(m["precision"], 3), round(m["recall"], 3)
    (2, 1, 1, 0.667, 0.667)
    >>> round(m["f1"], 3), m["flagged"]
    (0.667, 3)
    """
    y, p = check_labelled(y_true, proba, call="at_threshold(y_true, proba, threshold)")
    pred = (p >= threshold).astype(int)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y, pred, labels=[0, 1]).ravel())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": float(threshold),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "flagged": int(pred.sum()),
        "flagged_rate": float(pred.mean()) if len(pred) else 0.0,
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
    }


def at_budgets(y_true: Any, scores: Any,
               budgets: Any = BUDGETS) -> dict[str, dict[str, float]]:
    """Precision@k and recall@k for review budgets given as fractions of all items.

    Keys are the budgets as percentages (``"top_5%"``).

    Examples
    --------
    >>> at_budgets([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.2], [0.25, 0.5])["top_50%"]
    {'k': 2, 'precision': 0.5, 'recall': 0.5}
    """
    y_true, scores = check_labelled(y_true, scores, name="scores", probabilities=False,
                                    call="at_budgets(y_true, scores, budgets)")
    n = len(y_true)
    out = {}
    for fraction in budgets:
        precision, recall = precision_recall_at_k(y_true, scores, float(fraction))
        out[f"top_{float(fraction) * 100:g}%"] = {
            "k": max(1, int(round(float(fraction) * n))),
            "precision": float(precision),
            "recall": float(recall),
        }
    return out


def triage_report(y_true: Any, proba: Any, *, medium_threshold: float = 0.5,
                  high_threshold: float = 0.8, budgets: Any = BUDGETS) -> dict[str, Any]:
    """Everything a triage model is judged on, as plain data.

    :func:`summary` (ROC-AUC, PR-AUC, Brier, ECE) plus :func:`at_threshold`
    at the ``medium`` and ``high`` review thresholds and :func:`at_budgets`.

    Examples
    --------
    >>> r = triage_report([0, 0, 1, 1], [0.1, 0.6, 0.55, 0.9])
    >>> r["roc_auc"], r["thresholds"]["high"]["recall"], r["budgets"]["top_10%"]["k"]
    (0.75, 0.5, 1)
    """
    y_true, proba = check_labelled(y_true, proba, call="triage_report(y_true, proba)")
    out: dict[str, Any] = summary(y_true, proba)
    out["thresholds"] = {
        "medium": at_threshold(y_true, proba, medium_threshold),
        "high": at_threshold(y_true, proba, high_threshold),
    }
    out["budgets"] = at_budgets(y_true, proba, budgets)
    return out


def bootstrap_auc(y_true: Any, scores: Any, *, n_resamples: int = RESAMPLES,
                  seed: int = 0) -> np.ndarray:
    """ROC-AUC of each stratified bootstrap resample of the rows, all at once.

    Each resample draws as many misinformation rows (1) and as many reliable
    rows (0) as there are, with replacement, so that every resample holds
    both classes.  ``scores`` may have several columns (models scored on the
    same rows): they are resampled *together*, which is what a paired
    comparison needs.  Ties count one half, as in ``roc_auc_score``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        0/1 labels; both classes must be present.
    scores : array-like of shape (n,) or (n, m)
        Scores of one model, or of ``m`` models on the same rows.
    n_resamples : int, default=2000
        Bootstrap resamples.
    seed : int, default=0
        Seed of the resampling: the same call gives the same answer.

    Returns
    -------
    ndarray of shape (n_resamples,) or (n_resamples, m)
        ROC-AUC of each resample (and model).

    Raises
    ------
    ValueError
        If a class is missing, or the shapes disagree.

    Examples
    --------
    >>> aucs = bootstrap_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_resamples=5)
    >>> aucs.tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    y, s = check_labelled(y_true, scores, name="scores", probabilities=False, columns=True,
                          call="bootstrap_auc(y_true, scores)")
    one = s.ndim == 1
    s = s.reshape(len(s), -1)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    if not len(pos) or not len(neg):
        raise ValueError("ROC-AUC needs both classes: misinformation (1) and reliable (0) rows.")
    # one generator per class, so that the draws do not depend on the block size
    rng_pos, rng_neg = (np.random.default_rng(child)
                        for child in np.random.SeedSequence(seed).spawn(2))
    out = np.empty((n_resamples, s.shape[1]))
    orders = [np.argsort(s[neg, m], kind="stable") for m in range(s.shape[1])]
    block = max(1, _BOOTSTRAP_CELLS // len(y))  # resamples at once: memory stays flat
    for start in range(0, n_resamples, block):
        size = min(block, n_resamples - start)
        # how often each row is drawn in each resample (classes drawn apart)
        w_pos = rng_pos.multinomial(len(pos), np.full(len(pos), 1 / len(pos)), size=size)
        w_neg = rng_neg.multinomial(len(neg), np.full(len(neg), 1 / len(neg)), size=size)
        for m, order in enumerate(orders):
            neg_sorted = s[neg, m][order]
            cum = np.zeros((size, len(neg) + 1))
            np.cumsum(w_neg[:, order], axis=1, out=cum[:, 1:])
            lo = np.searchsorted(neg_sorted, s[pos, m], side="left")
            hi = np.searchsorted(neg_sorted, s[pos, m], side="right")
            # for each positive: weighted negatives below it, and half those tied with it
            beaten = cum[:, lo] + 0.5 * (cum[:, hi] - cum[:, lo])
            out[start:start + size, m] = (w_pos * beaten).sum(axis=1) / (len(pos) * len(neg))
    return out[:, 0] if one else out


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1; got {level!r}.")


def _central(values: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` share of ``values`` (the percentile interval)."""
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def auc_interval(y_true: Any, scores: Any, *, level: float = LEVEL,
                 n_resamples: int = RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """Confidence interval of one model's ROC-AUC: a stratified bootstrap, percentile method.

    Examples
    --------
    >>> low, high = auc_interval([0, 0, 0, 1, 1, 1], [0.1, 0.4, 0.35, 0.8, 0.3, 0.9])
    >>> 0 <= low <= high <= 1
    True
    """
    _check_level(level)
    y, s = check_labelled(y_true, scores, name="scores", probabilities=False,
                          call="auc_interval(y_true, scores)")
    return _central(bootstrap_auc(y, s, n_resamples=n_resamples, seed=seed), level)


def sample_caution(positives: int, negatives: int, *, minimum: int = MIN_PER_CLASS
                   ) -> str | None:
    """A caution when a class holds fewer than ``minimum`` rows, else None.

    With one row of each class a bootstrap interval of ROC-AUC is ``1.0 to 1.0`` whatever
    the model: the figures look exact and mean nothing.

    Examples
    --------
    >>> print(sample_caution(1, 1))  # doctest: +NORMALIZE_WHITESPACE
    caution: only 1 misinformation and 1 reliable row(s): below 10 of each, ROC-AUC
    and its interval mean little; label more rows
    >>> sample_caution(40, 200) is None
    True
    """
    if min(positives, negatives) >= minimum:
        return None
    return (f"caution: only {positives} misinformation and {negatives} reliable row(s): below "
            f"{minimum} of each, ROC-AUC and its interval mean little; label more rows")


def proportion_interval(successes: int, n: int, *, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a share: ``successes`` out of ``n`` (scipy's ``binomtest``).

    A goal such as "95% of the rewordings" is read against it: on 176 rows, a
    measured 0.909 is compatible with about 0.86 to 0.94.

    Examples
    --------
    >>> [round(v, 3) for v in proportion_interval(160, 176)]
    [0.857, 0.943]
    >>> proportion_interval(0, 10)[0]
    0.0
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0; got {successes} of {n}.")
    _check_level(level)
    from scipy.stats import binomtest

    ci = binomtest(int(successes), int(n)).proportion_ci(confidence_level=level,
                                                         method="wilson")
    return float(ci.low), float(ci.high)


def paired_auc_interval(y_true: Any, old: Any, new: Any, *, level: float = LEVEL,
                        n_resamples: int = RESAMPLES, seed: int = 0) -> tuple[float, float]:
    """Confidence interval of ROC-AUC(new) - ROC-AUC(old) on the same rows.

    A paired, stratified bootstrap (:func:`bootstrap_auc`): both models are
    measured on each resample, so that what the rows have in common cancels
    out, and the interval is the central ``level`` share of the differences
    (percentile method).  On a few hundred rows a difference of a few hundredths
    of ROC-AUC is often within the noise; an interval that holds 0 says so.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        0/1 labels.
    old, new : array-like of shape (n,)
        Scores of the two models on the same rows.
    level : float, default=0.95
        Coverage of the interval.
    n_resamples, seed : int
        As in :func:`bootstrap_auc`.

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> y = [0, 0, 0, 1, 1, 1]
    >>> low, high = paired_auc_interval(y, [0.5, 0.6, 0.7, 0.4, 0.5, 0.6],
    ...                                 [0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    >>> low > 0
    True
    """
    _check_level(level)
    call = "paired_auc_interval(y_true, old, new)"
    y, a = check_labelled(y_true, old, name="old", probabilities=False, call=call)
    _, b = check_labelled(y, new, name="new", probabilities=False, call=call)
    aucs = bootstrap_auc(y, np.column_stack([a, b]), n_resamples=n_resamples, seed=seed)
    return _central(aucs[:, 1] - aucs[:, 0], level)
