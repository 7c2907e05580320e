"""The terms that explain a score: named, merged and weighed exactly (:func:`explained_terms`)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from vnmisinfo.model.explain import rank_terms, top_pairs
from vnmisinfo.model.features import _vectorizer, column_names
from vnmisinfo.model.hashing import HashedTfidf

__all__ = ["accent_twins", "explained_terms"]

_WORDS = re.compile(r"\w+")

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
    does not depend on ``k``.  An accent-free term (``≈moi nguoi``) then joins the term it
    reads in the text (``mọi người``) when every place it occurs in the text is that term:
    one word, one weight, both channels summed (:func:`accent_twins`).
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
    _merge_accent_free(union, frame, X, coef, block_of, found)
    return [sorted(row, key=lambda tw: (-abs(tw[1]), tw[0]))[:k] for row in found]


def _occurrences(text: str, part: str) -> int:
    """How many times ``part`` occurs in ``text``, overlapping occurrences included."""
    n, at = 0, text.find(part)
    while at >= 0:
        n, at = n + 1, text.find(part, at + 1)
    return n


def accent_twins(terms: list[tuple[str, float]], syll: str, plain: str) -> list[tuple[str, str]]:
    """The ``(phrase, accent-free phrase)`` pairs of a document that read as one word.

    ``terms`` are the document's readable terms, ``syll`` its lower-cased normalized
    text and ``plain`` the same without diacritics.  A word term ``a`` (or an
    accent-free one ``≈f``, read back in ``syll`` where it first occurs in ``plain``)
    pairs with its accent-free reading ``f`` when ``f`` occurs in ``plain`` exactly as
    often as ``a`` in ``syll``: every occurrence of ``f`` is then one of ``a``, so
    their weights add up exactly.  A reading shared by two words here (``moi`` for
    ``mọi`` and ``mới``) pairs with neither.

    Examples
    --------
    >>> accent_twins([("≈moi nguoi", 0.1), ("≈moi", 0.05), ("sắp", 0.2)],
    ...              "mọi người mới sắp về", "moi nguoi moi sap ve")
    [('mọi người', 'moi nguoi'), ('sắp', 'sap')]
    """
    accented = f" {' '.join(_WORDS.findall(syll))} "
    bare = f" {' '.join(_WORDS.findall(plain))} "
    if len(accented) != len(bare) or len(syll) != len(plain):
        return []  # not position for position: leave every term apart
    pairs: dict[str, str] = {}
    for name, _ in terms:
        if name.startswith(("«", "[", "≈«")):
            continue
        free = name.startswith("≈")
        core = name[1:] if free else name
        at = (bare if free else accented).find(f" {core} ")  # read in the other view there
        if at < 0:
            continue
        if free:
            phrase, reading = accented[at + 1:at + 1 + len(core)], core
        else:
            phrase, reading = core, bare[at + 1:at + 1 + len(core)]
        if phrase not in pairs and (_occurrences(accented, f" {phrase} ")
                                    == _occurrences(bare, f" {reading} ")):
            pairs[phrase] = reading
    return list(pairs.items())


def _merge_accent_free(union: Any, frame: pd.DataFrame, X: sp.csr_matrix, coef: np.ndarray,
                       block_of: np.ndarray | None, found: list[list[tuple[str, float]]]
                       ) -> None:
    """Make a word and its accent-free reading one term, ``mọi người`` (in place).

    Its weight is the exact sum of the syllable n-gram's and the accent-free
    n-gram's contributions, whether or not either was among the strongest.
    Only for hashed ``syllables`` and ``accent_free`` channels, without ``words``.
    """
    if "syll" not in frame or "plain" not in frame or "words" in union.named_transformers_:
        return
    where = [union.output_indices_.get(c) for c in ("syllables", "accent_free")]
    if any(w is None or w.stop <= w.start for w in where):
        return
    vecs = [_vectorizer(union.named_transformers_[c]) for c in ("syllables", "accent_free")]
    if not all(isinstance(v, HashedTfidf) for v in vecs):
        return
    rows, pairs = [], []
    for r, (row, syll, plain) in enumerate(zip(found, frame["syll"], frame["plain"],
                                               strict=True)):
        for pair in accent_twins(row, syll, plain):
            rows.append(r)
            pairs.append(pair)
    if not pairs:
        return
    weights = np.zeros(len(pairs))
    for side, (vec, w) in enumerate(zip(vecs, where, strict=True)):
        local = vec.columns_of([pair[side] for pair in pairs])
        col = np.where(local >= 0, local + w.start, -1)
        if block_of is not None:
            col = np.where((col >= 0) & (col < len(block_of)),
                           block_of[np.clip(col, 0, len(block_of) - 1)], -1)
        ok = np.flatnonzero(col >= 0)
        cells = np.asarray(X[np.asarray(rows)[ok], col[ok]]).ravel() if len(ok) else ok
        weights[ok] += cells * coef[col[ok]]
    for r, (phrase, free), weight in zip(rows, pairs, weights.tolist(), strict=True):
        drop = {phrase, f"≈{free}"}
        found[r] = [tw for tw in found[r] if tw[0] not in drop] + [(phrase, round(weight, 4))]
