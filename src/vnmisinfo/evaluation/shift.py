"""The score shift between two samples: the population stability index.

:func:`psi` compares the scores of a new batch of posts with those of a baseline, over
quantile bins of the baseline; :mod:`vnmisinfo.evaluation.drift` reads it with the
other measures of drift.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["psi"]

_EPS = 1e-4  # floor of a bin share in the PSI, so that an empty bin is not log(0)


def psi(a: Any, b: Any, bins: int = 10) -> float:
    """Population stability index of ``b`` against the baseline ``a``.

    Bins are the ``bins`` quantile bins of ``a`` (bins that tie collapse);
    each share is floored at ``1e-4``; ``PSI = sum((q - p) * ln(q / p))``.
    Below 0.1 is usually read as stable, 0.1-0.2 as a moderate move, above
    0.2 as a shift.

    Raises
    ------
    ValueError
        If either sample holds no finite value, or ``bins < 2``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.beta(2, 5, 4000)
    >>> round(psi(a, a), 6)
    0.0
    >>> psi(a, rng.beta(2, 5, 4000)) < 0.05, psi(a, rng.beta(5, 2, 4000)) > 0.2
    (True, True)

    A baseline whose scores are all one value still sees a move away from it:

    >>> psi(np.full(50, 0.01), np.full(50, 0.9)) > 0.2, psi(np.full(50, 0.01), np.full(50, 0.01))
    (True, 0.0)
    """
    x, y = _finite(a, "baseline"), _finite(b, "new")
    if bins < 2:
        raise ValueError(f"psi needs at least 2 bins, got {bins}.")
    inner, ties = np.unique(np.quantile(x, np.linspace(0.0, 1.0, bins + 1)[1:-1]),
                            return_counts=True)
    # A value that holds more than one quantile of the baseline gets a bin of its own: with
    # every baseline score equal, all scores would else share one bin, and any move read 0.
    tied = inner[ties > 1]
    size = len(inner) + 1 + len(tied)
    p = np.bincount(_bin(x, inner, tied), minlength=size) / len(x)
    q = np.bincount(_bin(y, inner, tied), minlength=size) / len(y)
    p, q = np.maximum(p, _EPS), np.maximum(q, _EPS)
    return float(np.sum((q - p) * np.log(q / p)))


def _bin(values: np.ndarray, inner: np.ndarray, tied: np.ndarray) -> np.ndarray:
    """Bin of each value: between the edges ``inner``, or its own for a ``tied`` value."""
    between = np.searchsorted(inner, values, side="right")
    if not len(tied):
        return between
    at = np.minimum(np.searchsorted(tied, values), len(tied) - 1)
    return np.where(tied[at] == values, len(inner) + 1 + at, between)


def _finite(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if not (arr := arr[np.isfinite(arr)]).size:
        raise ValueError(f"the {name} scores hold no finite value; nothing to compare.")
    return arr
