"""Counts over a learned vocabulary stored as sorted 64-bit n-gram hashes.

:class:`HashedCounts` is ``CountVectorizer`` without its dict of strings: the
n-grams of :class:`~vnmisinfo.model.hashing.NgramHasher` are looked up in a
sorted array of the vocabulary's hashes, so the columns are exactly those of
scikit-learn (in another order) and loading is one array.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from vnmisinfo.model.hashing import _SPAN, _U64, NgramHasher, _csr, _dedupe, _texts

__all__ = ["HashedCounts"]

_TABLE_BITS = 18  # slots of the lookup table (a vocabulary holds some 10,000 n-grams)


class HashedCounts(TransformerMixin, BaseEstimator):
    """N-gram counts over a learned vocabulary stored as sorted 64-bit hashes.

    The columns are those of scikit-learn's ``CountVectorizer`` with the same
    analyzer and ``min_df`` (in another order): each kept n-gram has its own
    column, found by a binary search of its hash, so there is no bucket
    sharing and no dict of strings in memory.

    Parameters
    ----------
    analyzer : {"word", "char", "char_wb"}, default="word"
        N-grams of words (``\\w+``) or characters; see :class:`NgramHasher`.
    ngram_range : tuple of int, default=(1, 2)
        Smallest and largest n.
    min_df : int, default=1
        Smallest training document frequency of a kept n-gram.

    Attributes
    ----------
    hashes_ : ndarray of uint64
        Sorted hashes of the kept n-grams; column ``j`` counts ``hashes_[j]``.
    orders_ : ndarray of uint8
        The n of each column.

    Examples
    --------
    >>> vec = HashedCounts(analyzer="word", ngram_range=(1, 2)).fit(["hà nội mưa"])
    >>> X = vec.transform(["mưa mưa ở hà nội"])
    >>> len(vec.hashes_), sorted(X.data.tolist()), int((vec.orders_ == 1).sum())
    (5, [1.0, 1.0, 1.0, 2.0], 3)
    """

    def __init__(self, *, analyzer: str = "word", ngram_range: tuple[int, int] = (1, 2),
                 min_df: int = 1) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df

    def fit(self, X: Any, y: object = None) -> HashedCounts:
        """Learn the vocabulary: the n-grams of at least ``min_df`` documents of ``X``."""
        self._fit(_texts(X))
        self.__dict__.pop("_table", None)
        return self

    def _fit(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        hasher = NgramHasher(self.analyzer, tuple(self.ngram_range))  # type: ignore[arg-type]
        doc_of, grams, anchors, _ = hasher._grams(texts)
        once = _dedupe(doc_of, grams)  # each n-gram once per document
        kept, at, df = np.unique(grams[once], return_index=True, return_counts=True)
        keep = df >= max(int(self.min_df), 1)
        self.hashes_ = kept[keep]
        self.orders_ = (anchors[once][at[keep]] % _SPAN).astype(np.uint8)
        return doc_of, grams

    def _lookup(self, grams: np.ndarray) -> np.ndarray:
        """Column of each hash, -1 where it is not in the vocabulary.

        A table over the top ``_TABLE_BITS`` bits of the hash gives the column in
        one gather; the few slots that two vocabulary entries share fall back
        to a binary search.  The table is rebuilt once per process, not stored.
        """
        vocab = self.hashes_
        table = self.__dict__.get("_table")
        if table is None:
            slots = (vocab >> _U64(64 - _TABLE_BITS)).astype(np.int64)
            table = np.full(1 << _TABLE_BITS, -1, dtype=np.int32)
            table[slots] = np.arange(len(vocab), dtype=np.int32)
            shared = np.flatnonzero(np.bincount(slots, minlength=len(table)) > 1)
            table[shared] = -2
            self.__dict__["_table"] = table
        col = table[(grams >> _U64(64 - _TABLE_BITS)).astype(np.int64)]
        shared = np.flatnonzero(col == -2)
        if len(shared):
            at = np.minimum(np.searchsorted(vocab, grams[shared]), len(vocab) - 1)
            col[shared] = np.where(vocab[at] == grams[shared], at, -1)
        hit = col >= 0
        col[hit] = np.where(vocab[col[hit]] == grams[hit], col[hit], -1)
        return col

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_table", None)
        return state

    def _matrix(self, n_docs: int, doc_of: np.ndarray, grams: np.ndarray, *,
                canonical: bool = True) -> sp.csr_matrix:
        col = self._lookup(grams) if len(self.hashes_) else np.full(len(grams), -1)
        ok = col >= 0
        return _csr(n_docs, doc_of[ok], col[ok], len(self.hashes_), dtype=np.float64,
                    canonical=canonical)

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        """Like :meth:`transform`, but an n-gram seen twice in a text may be stored twice.

        Products with the result (``A @ counts``) sum the repeats, so callers
        that only multiply skip the per-row sort of :meth:`transform`.
        """
        check_is_fitted(self, "hashes_")
        hasher = NgramHasher(self.analyzer, tuple(self.ngram_range))  # type: ignore[arg-type]
        doc_of, grams, _, _ = hasher._grams(texts)
        return self._matrix(len(texts), doc_of, grams, canonical=False)

    def transform(self, X: Any) -> sp.csr_matrix:
        """Counts of the vocabulary's n-grams in each document of ``X`` (float64)."""
        check_is_fitted(self, "hashes_")
        texts = _texts(X)
        hasher = NgramHasher(self.analyzer, tuple(self.ngram_range))  # type: ignore[arg-type]
        doc_of, grams, _, _ = hasher._grams(texts)
        return self._matrix(len(texts), doc_of, grams)

    def fit_transform(self, X: Any, y: object = None, **fit_params: Any) -> sp.csr_matrix:
        """Fit, then count ``X``, hashing it once."""
        texts = _texts(X)
        doc_of, grams = self._fit(texts)
        self.__dict__.pop("_table", None)
        return self._matrix(len(texts), doc_of, grams)

    def columns(self, terms: Iterable[str]) -> np.ndarray:
        """Column of each n-gram string in ``terms``, -1 where it is not in the vocabulary.

        Examples
        --------
        >>> vec = HashedCounts().fit(["hà nội mưa"])
        >>> bool(vec.columns(["hà nội", "mưa to"])[1] == -1)
        True
        """
        check_is_fitted(self, "hashes_")
        out = []
        for term in terms:
            word = self.analyzer == "word"
            n = len(term.split(" ")) if word else len(term)
            hasher = NgramHasher("word" if word else "char", (n, n))
            hashes = hasher.hashes([term])[1] if 1 <= n <= 16 else np.zeros(0, dtype=_U64)
            at = int(np.searchsorted(self.hashes_, hashes[0])) if len(hashes) == 1 else -1
            ok = 0 <= at < len(self.hashes_) and self.hashes_[at] == hashes[0]
            out.append(at if ok else -1)
        return np.asarray(out, dtype=np.int64)
