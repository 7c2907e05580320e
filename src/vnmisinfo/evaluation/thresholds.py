"""Review thresholds sized to a team's capacity.

A detector flags documents into tiers: ``high`` from ``high_threshold``,
``medium`` from ``medium_threshold``.  This module sets those thresholds from
labelled scores (out-of-fold predictions or a held-out file), either

* from a **target precision** (``--high-precision 0.9``): the lowest
  threshold whose flagged set still reaches that precision, so recall is as
  high as the precision allows; or
* from a **review budget** (``--budget 0.05``): the threshold above which
  the top 5% of documents fall, so reviewers see a fixed share of the flow.

Thresholds come from :func:`sklearn.metrics.precision_recall_curve`.
scikit-learn's ``TunedThresholdClassifierCV`` optimises one score for one
decision threshold and ``FixedThresholdClassifier`` wraps a model in a new
type; the detector needs two ordered thresholds stored as its own
parameters, so the curve is read directly here.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve

from vnmisinfo.evaluation.metrics import at_threshold, check_labelled, proportion_interval

__all__ = [
    "ThresholdChoice",
    "apply_thresholds",
    "calibrate_model",
    "choose_thresholds",
    "threshold_for_budget",
    "threshold_for_precision",
]


@dataclass
class ThresholdChoice:
    """A threshold, the rule that chose it, and what it achieves on the labelled data."""

    tier: str
    threshold: float
    rule: str
    precision: float
    recall: float
    flagged: int
    flagged_rate: float

    @property
    def precision_interval(self) -> tuple[float, float]:
        """95% Wilson interval of the precision, given how few documents it is measured on."""
        if self.flagged <= 0:
            return (0.0, 1.0)
        hits = int(round(self.precision * self.flagged))
        return proportion_interval(hits, int(self.flagged))

    def as_dict(self) -> dict[str, Any]:
        """Plain data, the precision's interval included."""
        return {**asdict(self), "precision_interval": self.precision_interval}

    def __str__(self) -> str:
        """The choice in one line, its precision with the interval that its flags allow.

        Examples
        --------
        >>> choice = ThresholdChoice("high", 0.52, "top 5.0%", 1.0, 0.25, 1, 0.071)
        >>> [round(v, 3) for v in choice.precision_interval], "0.207 to 1.000" in str(choice)
        ([0.207, 1.0], True)
        """
        low, high = self.precision_interval
        return (f"{self.tier:<6} threshold {self.threshold:.4f} ({self.rule}): precision "
                f"{self.precision:.3f} (95% interval {low:.3f} to {high:.3f}), recall "
                f"{self.recall:.3f}, flags {self.flagged} ({self.flagged_rate:.1%})")


def _check(y: Any, proba: Any, call: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities as :func:`check_labelled` checks them, and at least one."""
    y_arr, p = check_labelled(y, proba, call=call)
    if not len(y_arr):
        raise ValueError(f"no labelled documents to choose a threshold from; {call} needs at "
                         "least one.")
    return y_arr, p


def threshold_for_precision(y_true: Any, proba: Any, target: float) -> float:
    """Lowest threshold whose flagged set (``proba >= t``) has precision ``>= target``.

    Raises
    ------
    ValueError
        If no threshold reaches the target; the message gives the best precision.

    Examples
    --------
    >>> threshold_for_precision([0, 1, 0, 1, 1], [0.1, 0.4, 0.5, 0.8, 0.9], 0.75)
    0.4
    >>> threshold_for_precision([0, 1, 0, 1, 1], [0.1, 0.4, 0.5, 0.8, 0.9], 1.0)
    0.8
    """
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target precision must be in (0, 1], got {target!r}.")
    y, p = _check(y_true, proba, "threshold_for_precision(y_true, proba, target)")
    if not y.sum():
        raise ValueError("the labelled data holds no misinformation (1); precision is undefined.")
    precision, _, thresholds = precision_recall_curve(y, p)
    ok = np.flatnonzero(precision[:-1] >= target)
    if not len(ok):
        best = int(np.argmax(precision[:-1]))
        raise ValueError(
            f"no threshold reaches precision {target:.3f} on these {len(y)} documents; the best "
            f"is {precision[best]:.3f} (from {thresholds[best]:.4f}). Lower the target, or use "
            "a review budget (--budget) instead."
        )
    return float(thresholds[ok[0]])


def threshold_for_budget(proba: Any, budget: float) -> float:
    """Threshold that flags the top ``budget`` share of documents.

    ``k = ceil(budget * n)`` documents (at least 1); the threshold is the
    k-th highest score, so ties at that score can flag a few more.

    Examples
    --------
    >>> threshold_for_budget([0.1, 0.9, 0.3, 0.7, 0.5], 0.4)
    0.7
    """
    if not 0.0 < budget <= 1.0:
        raise ValueError(f"budget must be a share of documents in (0, 1], got {budget!r}; "
                         "0.05 means the top 5%.")
    p = np.sort(np.asarray(proba, dtype=float))[::-1]
    if not len(p):
        raise ValueError("no scores given.")
    k = max(1, math.ceil(budget * len(p) - 1e-9))
    return float(p[k - 1])


def _choice(tier: str, y: np.ndarray, p: np.ndarray, threshold: float, rule: str
            ) -> ThresholdChoice:
    m = at_threshold(y, p, threshold)
    return ThresholdChoice(tier, float(threshold), rule, m["precision"], m["recall"],
                           int(m["flagged"]), m["flagged_rate"])


def choose_thresholds(
    y_true: Any,
    proba: Any,
    *,
    high_precision: float | None = None,
    medium_precision: float | None = None,
    budget: float | None = None,
    medium_budget: float | None = None,
    current: tuple[float, float] = (0.5, 0.8),
) -> dict[str, ThresholdChoice]:
    """Choose the ``medium`` and ``high`` thresholds from labelled scores.

    Parameters
    ----------
    y_true, proba : array-like
        Labels (1 = misinformation) and calibrated probabilities, from data
        the model was not fitted on.
    high_precision, medium_precision : float, optional
        Target precision of each tier.
    budget, medium_budget : float, optional
        Share of documents flagged ``high`` (and ``medium`` or above).
        A tier takes either a precision or a budget, not both.
    current : (float, float)
        The ``(medium, high)`` thresholds kept for a tier without a rule.

    Returns
    -------
    dict
        ``{"medium": ThresholdChoice, "high": ThresholdChoice}``.

    Raises
    ------
    ValueError
        If a tier gets two rules, a target is unreachable, or the result
        would put ``medium`` above ``high``.

    Examples
    --------
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1]
    >>> p = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.9]
    >>> c = choose_thresholds(y, p, high_precision=1.0, medium_budget=0.5)
    >>> c["high"].threshold, c["high"].recall, c["medium"].threshold
    (0.6, 0.75, 0.5)
    """
    y, p = _check(y_true, proba, "choose_thresholds(y_true, proba, ...)")
    out: dict[str, ThresholdChoice] = {}
    rules = {"high": (high_precision, budget), "medium": (medium_precision, medium_budget)}
    for tier, (precision, share) in rules.items():
        if precision is not None and share is not None:
            raise ValueError(f"the {tier} tier got both a target precision and a budget; "
                             "give one of them.")
        if precision is not None:
            t = threshold_for_precision(y, p, precision)
            out[tier] = _choice(tier, y, p, t, f"precision >= {precision:g}")
        elif share is not None:
            t = threshold_for_budget(p, share)
            out[tier] = _choice(tier, y, p, t, f"top {share:.1%} of documents")
        else:
            t = current[0] if tier == "medium" else current[1]
            out[tier] = _choice(tier, y, p, t, "unchanged")
    if out["medium"].threshold > out["high"].threshold:
        fix = ("give the medium tier a rule too, below the high one: a budget larger than "
               "the high tier's (--medium-budget, medium_budget=...) or a target precision "
               "(--medium-precision)" if out["medium"].rule == "unchanged" else
               "give the medium tier a lower target precision or a larger budget")
        raise ValueError(
            f"the medium threshold ({out['medium'].threshold:.4f}, {out['medium'].rule}) would "
            f"be above the high one ({out['high'].threshold:.4f}, {out['high'].rule}); {fix}."
        )
    return {"medium": out["medium"], "high": out["high"]}


def apply_thresholds(model: Any, choices: dict[str, ThresholdChoice]) -> Any:
    """A shallow copy of a fitted model (a Triage or a Detector) with the chosen thresholds.

    Examples
    --------
    >>> from vnmisinfo.model.detector import Detector
    >>> c = {"medium": ThresholdChoice("medium", 0.3, "", 0, 0, 0, 0),
    ...      "high": ThresholdChoice("high", 0.6, "", 0, 0, 0, 0)}
    >>> d = apply_thresholds(Detector(), c)
    >>> d.medium_threshold, d.high_threshold
    (0.3, 0.6)
    """
    medium, high = choices["medium"].threshold, choices["high"].threshold
    out = copy.copy(model)
    if hasattr(out, "detector"):
        out.detector = copy.copy(out.detector)
        return out.set_thresholds(medium, high)
    return out.set_params(medium_threshold=medium, high_threshold=high)


def calibrate_model(
    data: Sequence[str | Path],
    *,
    model: Any = None,
    cv: int = 0,
    preset: str = "default",
    group_by: str = "text",
    n_jobs: int = 1,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    include_training_rows: bool = False,
    **rules: float | None,
) -> tuple[Any, dict[str, ThresholdChoice], dict[str, Any]]:
    """Set a model's review thresholds from labelled files.

    Either score ``data`` with a fitted model (``model``: a path, a
    :class:`~vnmisinfo.triage.Triage`, or None for the shipped one; ``data`` may be
    reviewed files, whose ``misinformation`` / ``reliable`` verdicts are the labels, as
    after retraining with them), or,
    with ``cv`` folds, fit ``preset`` on ``data``, measure on grouped
    out-of-fold scores and keep the model fitted on all of ``data``.

    Parameters
    ----------
    rules : float or None
        ``high_precision``, ``medium_precision``, ``budget``,
        ``medium_budget``, as in :func:`choose_thresholds`.

    Returns
    -------
    model : Triage
        The model with its new thresholds.
    choices : dict
        The :class:`ThresholdChoice` of each tier.
    metadata : dict
        What to store with the model, ``threshold_calibration`` included.
    """
    from vnmisinfo.evaluation.evaluate import (
        conflicts_left_out,
        cross_val_scores,
        load_labelled,
        predict_files,
    )
    from vnmisinfo.triage import Triage, load_model

    say = log or (lambda _m: None)
    if cv:
        if model is not None:
            raise ValueError("cv fits a new model from a preset; do not pass a model as well.")
        from vnmisinfo.evaluation.train import make_detector

        frame, info = load_labelled(data)
        template = make_detector(preset)
        scored = cross_val_scores(frame, detector=template, n_splits=cv, group_by=group_by,
                                  n_jobs=n_jobs, progress=progress, info=info, log=say)
        say("fitting the model on all of the data")
        detector = template.fit(template.preprocess(frame), frame["label"].to_numpy(dtype=int),
                                groups=scored.frame["group"].to_numpy())
        base = Triage(detector)
        metadata: dict[str, Any] = {"preset": preset, "training_rows": int(len(frame)),
                                    "training_files": [str(p) for p in data]}
        source = f"{cv}-fold grouped out-of-fold scores on {len(frame)} documents"
    else:
        import tempfile

        from vnmisinfo.data.review import labelled_paths

        base = model if isinstance(model, Triage) else load_model(model)
        with tempfile.TemporaryDirectory() as tmp:  # reviewed files: verdicts as labels
            ready, _ = labelled_paths(data, Path(tmp))
            scored = predict_files(ready, model=base,
                                   include_training_rows=include_training_rows, log=say)
        metadata = dict(base.metadata_)
        source = (f"held-out scores of {model if isinstance(model, (str, Path)) else 'the model'}"
                  f" on {len(scored.frame)} documents")
    if note := conflicts_left_out(scored.info):
        source += f"; {note}"
    choices = choose_thresholds(scored.y, scored.proba, current=base.thresholds, **rules)
    tuned = apply_thresholds(base, choices)
    metadata["threshold_calibration"] = {
        "measured_on": source,
        "files": [str(p) for p in data],
        **{tier: c.as_dict() for tier, c in choices.items()},
    }
    return tuned, choices, metadata
