"""Checks of a :class:`~vnmisinfo.model.detector.Detector`'s parameters and labels, before
any work.

Each error names the Detector parameter, what it accepts and the value given,
rather than the scikit-learn function that would otherwise refuse it deep
inside the fit.  Parameters that depend on the training data (``cv``,
``min_df``, ``max_df``) are checked against it by :func:`check_for_data`.

Examples
--------
>>> class Params:
...     C, cv, min_df, max_df = 0.0, 5, 2, 0.9
>>> check_numbers(Params())
Traceback (most recent call last):
...
ValueError: Detector(C=0.0): C must be a number above 0 (inverse regularization strength).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from vnmisinfo.model.linear import CLASSIFIERS

__all__ = ["check_count", "check_detector_params", "check_for_data", "check_labels",
           "check_numbers"]


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _fail(name: str, value: Any, must: str) -> ValueError:
    return ValueError(f"Detector({name}={value!r}): {name} must be {must}.")


def _check_range(name: str, value: Any) -> None:
    ok = (isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_int, value))
          and 1 <= value[0] <= value[1])
    if not ok:
        raise _fail(name, value, "a pair (lo, hi) of whole numbers with 1 <= lo <= hi")


def check_numbers(det: Any) -> None:
    """Check the regularization, the folds and the document-frequency bounds."""
    if not (_is_real(det.C) and det.C > 0):
        raise _fail("C", det.C, "a number above 0 (inverse regularization strength)")
    if not (_is_int(det.cv) and det.cv >= 2):
        raise _fail("cv", det.cv, "a whole number of folds, 2 or more")
    for name in ("min_df", "max_df"):
        value = getattr(det, name)
        if not ((_is_int(value) and value >= 1) or (_is_real(value) and 0 < value <= 1)):
            raise _fail(name, value, "a count of documents (1 or more) or a share in (0, 1]")


def _check_weights(weights: Any, channels: Any) -> None:
    """``channel_weights``: None, or a factor above 0 for some of the detector's channels."""
    if weights is None:
        return
    if not isinstance(weights, dict):
        raise _fail("channel_weights", weights, "None or a dict of channel name to factor")
    for name, value in weights.items():
        if name not in channels:
            raise _fail("channel_weights", weights,
                        f"keyed by the detector's channels {tuple(channels)}; {name!r} is not one")
        if not (_is_real(value) and np.isfinite(value) and value > 0):
            raise _fail("channel_weights", weights, f"factors above 0; {name!r} has {value!r}")


def check_detector_params(det: Any) -> None:
    """Raise ValueError naming the first parameter of ``det`` that cannot work."""
    check_numbers(det)
    if det.classifier not in CLASSIFIERS:
        raise _fail("classifier", det.classifier, f"one of {CLASSIFIERS}")
    if det.class_weight not in (None, "balanced") and not isinstance(det.class_weight, dict):
        raise _fail("class_weight", det.class_weight, "None, 'balanced' or a dict")
    if det.calibration not in ("sigmoid", "isotonic"):
        raise _fail("calibration", det.calibration, "'sigmoid' or 'isotonic'")
    if det.char_analyzer not in ("char", "char_wb"):
        raise _fail("char_analyzer", det.char_analyzer, "'char' or 'char_wb'")
    _check_range("word_ngram_range", det.word_ngram_range)
    _check_range("char_ngram_range", det.char_ngram_range)
    for name in ("max_features", "n_features"):
        value = getattr(det, name, None)
        if value is not None and not (_is_int(value) and value >= 1):
            raise _fail(name, value, "None or a whole number, 1 or more")
    if not (_is_real(getattr(det, "own_scale", 1.0)) and det.own_scale >= 0):
        raise _fail("own_scale", det.own_scale, "a number, 0 or more")
    _check_weights(getattr(det, "channel_weights", None), det.channels)
    n_jobs = getattr(det, "n_jobs", None)
    if n_jobs is not None and not (_is_int(n_jobs) and n_jobs != 0):
        raise _fail("n_jobs", n_jobs, "None, a whole number of processes, or -1 for every core")
    if not (_is_real(det.meta_scale) and det.meta_scale >= 0):
        raise _fail("meta_scale", det.meta_scale, "a number, 0 or more")
    if not (_is_real(det.meta_dropout) and 0 <= det.meta_dropout < 1):
        raise _fail("meta_dropout", det.meta_dropout, "a share in [0, 1)")
    for name in ("augment_no_diacritics", "augment_lower", "accent_free_share"):
        if not (_is_real(getattr(det, name)) and 0.0 <= getattr(det, name) <= 1.0):
            raise _fail(name, getattr(det, name), "a share in [0, 1]")
    for name in ("medium_threshold", "high_threshold"):
        if not (_is_real(getattr(det, name)) and 0.0 <= getattr(det, name) <= 1.0):
            raise _fail(name, getattr(det, name), "a probability: a number in [0, 1]")
    if not 0.0 <= det.medium_threshold <= det.high_threshold <= 1.0:
        raise ValueError(
            "thresholds must satisfy 0 <= medium_threshold <= high_threshold <= 1; got "
            f"medium={det.medium_threshold!r}, high={det.high_threshold!r}.")


def check_count(name: str, value: Any) -> int:
    """``value`` as a count of terms (a whole number, 0 or more), or a ValueError naming ``name``.

    The one check of how many terms to report: ``Detector.explain(k=)``,
    ``Detector.top_terms(k)`` and ``Triage.score(explain=)``.

    Examples
    --------
    >>> check_count("k", 3)
    3
    >>> check_count("k", "3")
    Traceback (most recent call last):
    ...
    ValueError: k must be a whole number of terms, 0 or more; got '3'.
    """
    if not (_is_int(value) and value >= 0):
        raise ValueError(f"{name} must be a whole number of terms, 0 or more; got {value!r}.")
    return int(value)


def check_labels(y: Any, n: int) -> np.ndarray:
    """The labels of ``n`` training documents as an int array of 0 and 1.

    A column vector of shape (n, 1) is flattened with a ``DataConversionWarning``,
    as scikit-learn's classifiers do.

    Raises
    ------
    ValueError
        If there are no documents, the labels do not match them one for one, a
        label is not 0 or 1, or one class is missing.

    Examples
    --------
    >>> check_labels([1, 0, True], 3).tolist()
    [1, 0, 1]
    >>> check_labels(["1", "0"], 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: labels must be 0 (reliable) or 1 (misinformation); got ['0', '1']. Map them ...
    """
    if n == 0:
        raise ValueError("the training data is empty: X holds no documents. Fit on labelled "
                         "documents of both classes, 0 (reliable) and 1 (misinformation).")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        from sklearn.utils.validation import column_or_1d

        arr = column_or_1d(arr, warn=True)  # flattened with a DataConversionWarning
    if arr.shape != (n,):
        raise ValueError(f"y must have one label per document: got shape {arr.shape}, need ({n},).")
    labels = set(arr.tolist())
    if not labels <= {0, 1}:
        raise ValueError(
            f"labels must be 0 (reliable) or 1 (misinformation); got {sorted(map(str, labels))}. "
            "Map them first: y = vnmisinfo.data.corpora.map_labels(y) reads 1/0, '1'/'0', "
            "fake/real and misinformation/reliable."
        )
    if len(labels) < 2:
        raise ValueError("y holds a single class; training needs both 0 and 1 examples.")
    return arr.astype(int)


def check_for_data(det: Any, y: np.ndarray) -> None:
    """Check ``cv``, ``min_df`` and ``max_df`` against the training labels ``y``, before any fit.

    Examples
    --------
    >>> class Params:
    ...     channels, cv, min_df, max_df = ("words",), 5, 2, 0.9
    >>> check_for_data(Params(), np.array([1, 1, 0, 0]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Detector(cv=5): cv must be at most the number of documents of the smaller class, ...
    """
    n = len(y)
    if any(c != "meta" for c in det.channels):  # the text channels' document frequencies
        low = det.min_df if _is_int(det.min_df) else det.min_df * n
        high = det.max_df if _is_int(det.max_df) else det.max_df * n
        if _is_int(det.min_df) and det.min_df > n:
            raise ValueError(
                f"Detector(min_df={det.min_df!r}): min_df counts documents, and the training "
                f"data has {n}, so no n-gram can reach it. Lower min_df (such as 2, or a share "
                "such as 0.01).")
        if high < low:
            raise ValueError(
                f"Detector(min_df={det.min_df!r}, max_df={det.max_df!r}): max_df keeps only "
                f"n-grams found in at most {high:g} of the {n} training documents, fewer than "
                f"the {low:g} that min_df asks for, so no n-gram is kept. Raise max_df or lower "
                "min_df.")
    fewest = int(np.bincount(y, minlength=2).min())
    if det.cv > fewest:
        fix = (f"Lower cv (Detector(cv={fewest})) or add labelled documents" if fewest >= 2
               else "Add labelled documents: each class needs 2 or more")
        raise ValueError(
            f"Detector(cv={det.cv!r}): cv must be at most the number of documents of the smaller "
            f"class, {fewest} of the {n} training documents here, since each calibration fold "
            f"needs both classes. {fix}.")
