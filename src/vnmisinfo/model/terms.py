"""The terms that explain a score: named, merged and weighed exactly (:func:`explained_terms`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from vnmisinfo.model.explain import rank_terms, top_pairs
from vnmisinfo.model.features import _vectorizer, column_names
from vnmisinfo.model.hashing import HashedTfidf

__all__ = ["explained_terms"]

#: Per term asked: contributions named, and merged terms weighed exactly (chosen on the
#: sample posts: the top 5 then equal those ranked over every feature).
_PAIRS, _SHORTLIST = 20, 6


def explained_terms(union: Any, frame: pd.DataFrame, block: Any, coef: np.ndarray,
                    k: int, block_columns: np.ndarray | None = None
                    ) -> list[list[tuple[str, float]]]:
    """The ``k`` text terms of each row of ``block`` that moved its decision value most.

    ``coef`` weighs the columns of ``block`` (zero for those not to report);
    ``block_columns`` gives the union column of each block column when the block
    holds a subset of them (a text-only model), else the block is the union.

    Terms come from the ``20 * max(k, 5)`` strongest contributions of each row
    (:func:`~vnmisinfo.model.explain.top_pairs`), named by
    :func:`column_names` and merged by :func:`~vnmisinfo.model.explain.rank_terms`.
    A character n-gram read with and without the spaces around it (``" roi"``,
    ``"roi "``) reads as one term, ``«roi»``: the weight of each of the ``6 * max(k, 5)``
    best terms is then summed over every spacing of its n-gram in the row, also
    those weaker than the strongest ones, so the weight shown is exact and
    does not depend on ``k``.
    """
    if k <= 0:
        return [[] for _ in range(len(frame))]
    at, cols, values = top_pairs(block, coef, _PAIRS * max(k, 5))
    union_cols = cols if block_columns is None else np.asarray(block_columns)[cols]
    names = column_names(union, frame, at, union_cols)
    found = rank_terms(len(frame), at, names, values, _SHORTLIST * max(k, 5))
    block_of = None
    if block_columns is not None:
        block_of = np.full(int(np.max(block_columns, initial=-1)) + 1, -1, dtype=np.int64)
        block_of[np.asarray(block_columns)] = np.arange(len(block_columns))
    X = sp.csr_matrix(block)
    for channel, mark in (("chars", "«"), ("accent_free_chars", "≈«")):
        where = union.output_indices_.get(channel)
        if where is None or where.stop <= where.start:
            continue
        vec = _vectorizer(union.named_transformers_[channel])
        slots = [(r, j, t[len(mark):-1]) for r, row in enumerate(found)
                 for j, (t, _) in enumerate(row) if t.startswith(mark) and t.endswith("»")]
        if not slots or not isinstance(vec, HashedTfidf):
            continue
        spacings = [[g, f" {g}", f"{g} ", f" {g} "] for _, _, g in slots]
        local = vec.columns_of([v for group in spacings for v in group]).reshape(-1, 4)
        union_col = np.where(local >= 0, local + where.start, -1)
        col = (union_col if block_of is None else
               np.where((union_col >= 0) & (union_col < len(block_of)),
                        block_of[np.clip(union_col, 0, len(block_of) - 1)], -1))
        # one bucket counted once per term, even when two spacings fall into it
        col = np.sort(col, axis=1)
        col[:, 1:][col[:, 1:] == col[:, :-1]] = -1
        slot, which = np.nonzero(col >= 0)
        rows = np.array([r for r, _, _ in slots], dtype=np.int64)[slot]
        cells = np.asarray(X[rows, col[slot, which]]).ravel() if len(slot) else np.zeros(0)
        weights = np.zeros(len(slots))
        np.add.at(weights, slot, cells * coef[col[slot, which]])
        for (r, j, _), weight in zip(slots, weights.tolist(), strict=True):
            found[r][j] = (found[r][j][0], round(weight, 4))
    return [sorted(row, key=lambda tw: (-abs(tw[1]), tw[0]))[:k] for row in found]
