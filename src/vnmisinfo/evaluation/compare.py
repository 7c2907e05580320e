"""Compare two models on reviewer-labelled rows that neither was trained on: a promotion gate.

:func:`compare_models` scores the same labelled files with an OLD and a NEW
model and measures both on the rows that *neither* model was trained on
(each model keeps the hashes of its training texts), so that a model that
has memorised the reviewers' rows gets no credit for it.

Labelled inputs are either files with a 0/1 ``label`` column (any file
:func:`vnmisinfo.evaluation.evaluate.load_labelled` reads), or reviewed
files with a ``verdict`` column (see :mod:`vnmisinfo.data.review`):
``misinformation`` is 1, ``reliable`` is 0, and ``unsure`` or blank rows are
left out.  When a file has both columns and any verdict is filled in, the
reviewers' verdicts win.

The verdict is read from the ROC-AUC difference NEW - OLD and its 95%
confidence interval (a paired, stratified bootstrap of the unseen rows,
:func:`~vnmisinfo.evaluation.metrics.paired_auc_interval`): ``NEW is better``
when the difference is at least +0.005 *and* the whole interval is above 0,
``OLD is better`` in the mirror case, and ``no clear difference`` otherwise.
On a hundred reviewed rows a gain of a few hundredths is often within the
noise; the gate does not promote a model on noise.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vnmisinfo.data.hygiene import text_hashes, text_keys
from vnmisinfo.data.review import labelled_paths, reviewed_labels
from vnmisinfo.evaluation.metrics import (
    LEVEL,
    RESAMPLES,
    paired_auc_interval,
    sample_caution,
    triage_report,
)

__all__ = ["CONFIDENCE", "MIN_AUC_DIFFERENCE", "compare_models", "format_comparison",
           "reviewed_labels", "winner"]

#: ROC-AUC difference below which neither model is called better.
MIN_AUC_DIFFERENCE = 0.005
#: Coverage of the bootstrap interval of the ROC-AUC difference.
CONFIDENCE = LEVEL


def winner(delta: float, interval: tuple[float, float]) -> str | None:
    """``"new"``, ``"old"`` or None from the ROC-AUC difference NEW - OLD and its interval.

    A model wins when it is ahead by at least :data:`MIN_AUC_DIFFERENCE` and the
    whole confidence interval of the difference is on its side of 0.

    Examples
    --------
    >>> winner(0.04, (0.01, 0.07)), winner(0.04, (-0.01, 0.09)), winner(-0.02, (-0.04, -0.003))
    ('new', None, 'old')
    >>> winner(0.003, (0.001, 0.005)) is None
    True
    """
    low, high = interval
    if delta >= MIN_AUC_DIFFERENCE and low > 0:
        return "new"
    if delta <= -MIN_AUC_DIFFERENCE and high < 0:
        return "old"
    return None


def _load(model: Any, role: str) -> Any:
    """``model`` as a :class:`~vnmisinfo.triage.Triage`; a path is loaded, and an error
    names the ``role`` of the file (``OLD`` or ``NEW``)."""
    from vnmisinfo.model.persist import SHIPPED_HINT, ModelLoadError, default_model_path
    from vnmisinfo.triage import Triage, load_model

    if isinstance(model, (str, Path)):
        try:
            return load_model(model)
        except ModelLoadError as err:
            hint = (f" (the shipped model is {default_model_path()})"
                    if "not found" in str(err) else "")
            message = str(err).replace(SHIPPED_HINT, hint)  # compare has no --model
            raise ModelLoadError(f"{role}: {message}") from None
    if not hasattr(model, "detector"):
        return Triage(model)
    return model


def _name(model: Any, given: Any) -> str:
    return str(given) if isinstance(given, (str, Path)) else str(
        getattr(model, "model_id", type(model).__name__))


def _hashes(model: Any) -> np.ndarray | None:
    hashes = getattr(model, "training_hashes", None)
    return None if hashes is None or not len(hashes) else np.asarray(hashes, dtype=np.uint64)


def _prefixed(log: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    return lambda message: log(f"{prefix}: {message}")


def _measure(y: np.ndarray, p: np.ndarray, medium: float, high: float) -> dict[str, Any]:
    """The metrics of one model; precision at medium is None when it flags no row there."""
    r = triage_report(y, p, medium_threshold=medium, high_threshold=high)
    at = r["thresholds"]["medium"]
    return {"roc_auc": r["roc_auc"], "pr_auc": r["pr_auc"], "brier": r["brier"],
            "ece": r["ece"], "medium_threshold": float(medium),
            "precision_medium": at["precision"] if at["flagged"] else None,
            "recall_medium": at["recall"], "flagged_medium": at["flagged"]}


def _score_both(models: dict[str, Any], names: dict[str, str], paths: Sequence[str | Path],
                say: Callable[[str], None]) -> tuple[dict, dict, dict, dict, list[dict]]:
    """Score the labelled files with each model: the labels, probabilities and text hashes of
    the rows it was not trained on, its thresholds and overlap, what was read, and the files."""
    from vnmisinfo.evaluation.evaluate import TrainingDataError, predict_files

    frames, thresholds, overlap = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="vnmisinfo-compare-") as tmp:
        ready, described = labelled_paths(paths, Path(tmp))
        for k, model in models.items():
            say(f"scoring with {k.upper()} ({names[k]})")
            try:
                scored = predict_files(ready, model=model, explain=0, keep_option=None,
                                       log=_prefixed(say, k.upper()))
            except TrainingDataError:  # compare has no option to keep training rows
                raise TrainingDataError(
                    f"{k.upper()} ({names[k]}) was trained on every reviewed row: no unseen row "
                    "is left to compare on. Compare on reviewed rows that neither model was "
                    "trained on (verdicts newer than both models).") from None
            frame = scored.frame[["label", "probability"]].copy()
            frame["hash"] = text_hashes(text_keys(scored.frame))
            frames[k] = frame
            thresholds[k] = (scored.medium_threshold, scored.high_threshold)
            overlap[k] = scored.info.get("training_overlap")
    return frames, thresholds, overlap, scored.info, described


def compare_models(old: Any, new: Any, paths: Sequence[str | Path], *,
                   log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure an OLD and a NEW model on labelled rows that neither was trained on.

    Parameters
    ----------
    old, new : path or Triage
        Model files (or loaded models).  Their ``training_hashes`` tell which
        rows each was trained on; a model without them cannot be checked,
        which the result says (``overlap_unknown``).
    paths : sequence of path
        Labelled files (``label`` 0/1) or reviewed files (``verdict``).
    log : callable, optional
        Receives progress messages.

    Returns
    -------
    dict
        ``old`` and ``new`` (model name and ROC-AUC, PR-AUC, Brier, ECE,
        precision and recall at the medium tier, the precision None when the
        model flags no row there, and ``flagged_medium``), ``delta`` (NEW - OLD),
        ``interval`` (the :data:`CONFIDENCE` interval of the ROC-AUC
        difference, a paired stratified bootstrap of :data:`RESAMPLES`
        resamples), ``n`` and ``positives`` (the unseen rows), ``rows`` (how
        many were dropped and why), ``conflicts`` (the texts whose copies have
        conflicting verdicts across the files, left out: ``texts``, ``rows``,
        their ``ids`` and a ``note``, None when there is none), ``winner``
        (``"new"``, ``"old"`` or ``None``, see :func:`winner`) and ``verdict``
        (one line).

    Raises
    ------
    ValueError
        If no unseen row is left, or the unseen rows hold a single class;
        :class:`~vnmisinfo.evaluation.evaluate.TrainingDataError` if every
        row was in one model's training data.
    """
    from vnmisinfo.evaluation.evaluate import conflicts_left_out

    if not paths:
        raise ValueError("no data files given; pass reviewer-labelled files with --data.")
    say = log or (lambda _m: None)
    models = {"old": _load(old, "OLD"), "new": _load(new, "NEW")}
    names = {"old": _name(models["old"], old), "new": _name(models["new"], new)}
    hashes = {k: _hashes(m) for k, m in models.items()}
    frames, thresholds, overlap, info, described = _score_both(models, names, paths, say)
    conflicts = {"texts": len(info["dedup"]["conflicting_groups"]),
                 "rows": info["dedup"]["conflicting_removed"],
                 "ids": info["dedup"]["conflicting_groups"], "note": conflicts_left_out(info)}
    unseen = {}
    for k, frame in frames.items():
        seen = np.zeros(len(frame), dtype=bool)
        for h in hashes.values():
            if h is not None:
                seen |= np.isin(frame["hash"].to_numpy(dtype=np.uint64), h)
        unseen[k] = frame.loc[~seen]
    both = unseen["old"].merge(unseen["new"], on="hash", suffixes=("_old", "_new"),
                               validate="one_to_one")
    n = int(len(both))
    if not n:
        raise ValueError("no labelled row is unseen by both models; compare on rows neither "
                         "model was trained on.")
    y = both["label_old"].to_numpy(dtype=int)
    if len(np.unique(y)) < 2:
        raise ValueError(f"the {n} rows unseen by both models hold a single class; ROC-AUC "
                         "needs both misinformation (1) and reliable (0) rows"
                         + (f" ({conflicts['note']})." if conflicts["note"] else "."))
    result: dict[str, Any] = {}
    for k in ("old", "new"):
        result[k] = {"model": names[k],
                     **_measure(y, both[f"probability_{k}"].to_numpy(dtype=float),
                                *thresholds[k])}
    delta = {m: None if None in (result["new"][m], result["old"][m]) else
             result["new"][m] - result["old"][m]
             for m in ("roc_auc", "pr_auc", "brier", "ece", "precision_medium")}
    d = float(result["new"]["roc_auc"] - result["old"]["roc_auc"])
    low, high = paired_auc_interval(y, both["probability_old"].to_numpy(dtype=float),
                                    both["probability_new"].to_numpy(dtype=float),
                                    level=CONFIDENCE, n_resamples=RESAMPLES)
    best = winner(d, (low, high))
    where = (f"ROC-AUC {d:+.3f}, {CONFIDENCE:.0%} interval {low:+.3f} to {high:+.3f}, "
             f"on {n} unseen reviewer-labelled rows")
    verdict = {"new": f"NEW is better ({where})", "old": f"OLD is better ({where})",
               None: f"no clear difference ({where})"}[best]
    result.update({
        "n": n,
        "positives": int(y.sum()),
        "delta": delta,
        "interval": {"roc_auc": [low, high], "level": CONFIDENCE, "resamples": RESAMPLES,
                     "method": "paired stratified bootstrap, percentile"},
        "winner": best,
        "verdict": verdict,
        "min_auc_difference": MIN_AUC_DIFFERENCE,
        "rows": {
            "labelled": int(info["rows"]),
            "in_old_training": (overlap["old"] or {}).get("rows"),
            "in_new_training": (overlap["new"] or {}).get("rows"),
            "unseen_by_both": n,
        },
        "conflicts": conflicts,
        "overlap_unknown": [k.upper() for k in ("old", "new") if hashes[k] is None],
        "files": described,
    })
    return result


def format_comparison(result: dict[str, Any]) -> list[str]:
    """The lines ``vnmisinfo compare`` prints: a table of both models, then the verdict.

    Examples
    --------
    >>> r = {"old": {"model": "a.skops", "roc_auc": 0.8, "pr_auc": 0.6, "brier": 0.1,
    ...              "precision_medium": 0.7}, "n": 100, "positives": 40,
    ...      "new": {"model": "b.skops", "roc_auc": 0.85, "pr_auc": 0.65, "brier": 0.09,
    ...              "precision_medium": 0.75}, "overlap_unknown": [], "rows": {},
    ...      "verdict": "NEW is better (ROC-AUC +0.050, 95% interval +0.010 to +0.090, "
    ...                 "on 100 rows)"}
    >>> print("\\n".join(format_comparison(r)))
         ROC-AUC  PR-AUC   Brier  P@medium  model
    OLD   0.8000  0.6000  0.1000    0.7000  a.skops
    NEW   0.8500  0.6500  0.0900    0.7500  b.skops
    n 100 unseen reviewer-labelled rows (40 misinformation)
    NEW is better (ROC-AUC +0.050, 95% interval +0.010 to +0.090, on 100 rows)
    """
    lines = [f"{'':4} {'ROC-AUC':>7} {'PR-AUC':>7} {'Brier':>7} {'P@medium':>9}  model"]
    undefined = []
    for k in ("old", "new"):
        m = result[k]
        at = m["precision_medium"]
        lines.append(f"{k.upper():4} {m['roc_auc']:7.4f} {m['pr_auc']:7.4f} {m['brier']:7.4f} "
                     f"{'n/a' if at is None else format(at, '.4f'):>9}  {m['model']}")
        if at is None:
            undefined.append(f"{k.upper()} flags {m.get('flagged_medium', 0)} of "
                             f"{result['n']} rows at medium or above (threshold "
                             f"{m.get('medium_threshold', float('nan')):.4f})")
    rows = result["rows"]
    dropped = [f"{rows[key]} in {k.upper()}'s training data" for k in ("old", "new")
               if (key := f"in_{k}_training") in rows and rows[key]]
    lines.append(f"n {result['n']} unseen reviewer-labelled rows ({result['positives']} "
                 "misinformation)" + (f"; left out: {', '.join(dropped)}" if dropped else ""))
    if caution := sample_caution(result["positives"], result["n"] - result["positives"]):
        lines.append(caution)
    if undefined:
        lines.append(f"P@medium n/a: {' and '.join(undefined)}; precision is undefined "
                     "without a flagged row")
    if (result.get("conflicts") or {}).get("note"):
        lines.append(result["conflicts"]["note"])
    for k in result["overlap_unknown"]:
        lines.append(f"warning: {k} keeps no training-text hashes; its training rows could "
                     "not be left out")
    lines.append(result["verdict"])
    return lines
