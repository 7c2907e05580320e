"""Checks of a :class:`~vnmisinfo.model.detector.Detector`'s parameters, before any work.

Each error names the Detector parameter, what it accepts and the value given,
rather than the scikit-learn function that would otherwise refuse it deep
inside the fit.

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

from vnmisinfo.model.linear import CLASSIFIERS

__all__ = ["check_detector_params", "check_numbers"]


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
    if not (_is_real(det.meta_scale) and det.meta_scale >= 0):
        raise _fail("meta_scale", det.meta_scale, "a number, 0 or more")
    if not (_is_real(det.meta_dropout) and 0 <= det.meta_dropout < 1):
        raise _fail("meta_dropout", det.meta_dropout, "a share in [0, 1)")
    for name in ("augment_no_diacritics", "augment_lower", "accent_free_share"):
        if not (_is_real(getattr(det, name)) and 0.0 <= getattr(det, name) <= 1.0):
            raise _fail(name, getattr(det, name), "a share in [0, 1]")
    if not 0.0 <= det.medium_threshold <= det.high_threshold <= 1.0:
        raise ValueError(
            "thresholds must satisfy 0 <= medium_threshold <= high_threshold <= 1; got "
            f"medium={det.medium_threshold!r}, high={det.high_threshold!r}.")
