"""Hashed n-gram features: a few numpy passes per batch, no vocabulary in memory.

The texts of a batch are joined into one array of code points.  Every n-gram window gets
a 64-bit hash, the sum of a random value per (character, offset in the window), so the
same characters hash the same wherever they stand; windows are then mapped to
``n_features`` buckets.  Each step is one numpy operation over the whole batch.

The n-grams are exactly those of scikit-learn's analyzers, with ``lowercase=False``:

- ``"char"``: every window of each length in ``ngram_range`` inside a text
  (after runs of whitespace become one space);
- ``"char_wb"``: windows inside each whitespace-separated word padded with a space on both
  sides (a padded word shorter than the smallest length counts once, whole);
- ``"word"``: tokens matched by ``\\w+`` and their n-grams.

:class:`HashedTfidf` is a TF-IDF transformer over those buckets with a stored
IDF vector.  A bucket has no stored name: :meth:`HashedTfidf.names` finds the
n-gram behind a bucket by hashing the document being explained again.

Examples
--------
>>> hasher = NgramHasher("word", (1, 2))
>>> indptr, hashes = hasher.hashes(["hà nội mưa", "hà nội"])
>>> indptr.tolist()
[0, 5, 8]
>>> bool(hashes[0] == hashes[5]) and bool(hashes[1] == hashes[6])  # 'hà' and 'hà nội'
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache, partial
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

__all__ = ["ANALYZERS", "HashedTfidf", "NgramHasher"]

#: Analyzers with the n-grams of scikit-learn's analyzer of the same name.
ANALYZERS = ("word", "char", "char_wb")

_U64 = np.uint64
_MASK = (1 << 64) - 1
_SEP = "\x00"  # between texts: not a word character and never inside a normalized text
_WORD_SEP = "\x01"  # between the padded words of char_wb
_WHITE = re.compile(r"\s\s+")
_WORD_RUN = re.compile(r"\w+")
_BMP = 1 << 16
_SPAN = 32  # an anchor is position * _SPAN + n
_NAME_ROWS = 128  # documents hashed again at once to name buckets
_FIT_ROWS = 500  # training documents hashed at once


def _c(value: int) -> np.uint64:
    return _U64(value & _MASK)


_GOLDEN = _c(0x9E3779B97F4A7C15)
_SALT = _c(0x632BE59BD9B4E019)
_PAIR = _c(0xD6E8FEB86659FD93)


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, on a copy."""
    h = h ^ (h >> _U64(33))
    h *= _c(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _c(0xC4CEB9FE1A85EC53)
    h ^= h >> _U64(33)
    return h


@lru_cache(maxsize=16)
def _offset_table(offset: int) -> np.ndarray:
    """Random value of each BMP character at ``offset`` in a window."""
    return _mix(np.arange(_BMP, dtype=_U64) * _GOLDEN + _c((offset + 1) * int(_SALT)))


def _char_values(cps: np.ndarray, offset: int) -> np.ndarray:
    """Random value of each code point at ``offset`` in a window (one table lookup)."""
    values = _offset_table(offset)[np.minimum(cps, _BMP - 1)]
    astral = cps >= _BMP - 1
    if astral.any():
        values[astral] = _mix(cps[astral].astype(_U64) * _GOLDEN + _c((offset + 1) * int(_SALT))
                              + _U64(1))
    return values


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """Which BMP code points ``\\w`` matches."""
    chars = "".join(map(chr, range(_BMP))).replace("\n", " ")
    marked = re.sub(r"\w", "\x01", re.sub(r"[^\w]", "\x02", chars))
    return np.frombuffer(marked.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) == 1


def _is_word(cps: np.ndarray) -> np.ndarray:
    out = _word_table()[np.minimum(cps, _BMP - 1)]
    astral = np.flatnonzero(cps >= _BMP - 1)
    for i in astral:  # rare: emoji and historic scripts
        out[i] = bool(re.fullmatch(r"\w", chr(int(cps[i]))))
    return out


def _encode(texts: Sequence[str]) -> tuple[str, np.ndarray]:
    joined = _SEP.join(texts)
    return joined, np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _windows(cps: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes ``(positions, lengths lo..hi)`` of character windows and which are valid."""
    n = len(cps)
    seps = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(cps <= 1, out=seps[1:])  # a window never holds a separator
    width = hi - lo + 1
    hashes = np.zeros((n, width), dtype=_U64)
    valid = np.zeros((n, width), dtype=bool)
    h = np.zeros(0, dtype=_U64)
    for k in range(1, hi + 1):
        step = _char_values(cps[k - 1:], k - 1)
        h = step if k == 1 else h[:-1] + step
        if k >= lo and len(h):
            m = len(h)
            hashes[:m, k - lo] = h * _c((2 * k + 1) * int(_GOLDEN))
            valid[:m, k - lo] = seps[k:k + m] == seps[:m]
    return hashes, valid


def _short_words(cps: np.ndarray, lo: int) -> tuple[np.ndarray, np.ndarray]:
    """``char_wb``: padded words shorter than ``lo`` count once, whole: (starts, lengths)."""
    seps = np.flatnonzero(cps <= 1)
    starts = np.r_[0, seps + 1]
    lengths = np.r_[seps, len(cps)] - starts
    keep = (lengths > 0) & (lengths < lo)
    return starts[keep], lengths[keep]


class NgramHasher:
    """The 64-bit hashes of the n-grams of texts, in document order.

    Parameters
    ----------
    analyzer : {"word", "char", "char_wb"}
        Which n-grams, as scikit-learn's analyzer of that name.
    ngram_range : tuple of int
        Smallest and largest n.

    Examples
    --------
    >>> indptr, hashes = NgramHasher("char", (2, 3)).hashes(["abc", "bc"])
    >>> indptr.tolist(), bool(hashes[2] == hashes[3])  # "bc" in both texts
    ([0, 3, 4], True)
    """

    def __init__(self, analyzer: str, ngram_range: tuple[int, int]) -> None:
        if analyzer not in ANALYZERS:
            raise ValueError(f"analyzer must be one of {ANALYZERS}, got {analyzer!r}.")
        lo, hi = (int(v) for v in ngram_range)
        if not 1 <= lo <= hi <= 16:
            raise ValueError("ngram_range must satisfy 1 <= min <= max <= 16; "
                             f"got {ngram_range!r}.")
        self.analyzer, self.lo, self.hi = analyzer, lo, hi

    def _prepare(self, texts: Iterable[str]) -> list[str]:
        if isinstance(texts, str):
            raise TypeError("Iterable over raw text documents expected, string object received.")
        texts = [t.replace(_SEP, " ").replace(_WORD_SEP, " ") if _SEP in t or _WORD_SEP in t
                 else t for t in texts]
        if self.analyzer == "char":
            return [_WHITE.sub(" ", t) for t in texts]
        if self.analyzer == "char_wb":
            sep = f" {_WORD_SEP} "
            return [f" {sep.join(words)} " if (words := t.split()) else "" for t in texts]
        return texts

    def _grams(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
        """(document of each n-gram, its hash, its anchor, and a namer of anchors)."""
        joined, cps = _encode(self._prepare(texts))
        docs = np.cumsum(cps == 0)
        if self.analyzer == "word":
            return self._word_grams(joined, cps, docs)
        hashes, valid = _windows(cps, self.lo, self.hi)
        anchor = np.broadcast_to((np.arange(len(cps), dtype=np.int64)[:, None] * _SPAN
                                  + np.arange(self.lo, self.hi + 1)), hashes.shape)
        doc_of, grams, anchors = np.repeat(docs, valid.sum(axis=1)), hashes[valid], anchor[valid]
        if self.analyzer == "char_wb" and self.lo > 1:
            starts, lengths = _short_words(cps, self.lo)
            if len(starts):  # scikit-learn counts a padded word shorter than lo once, whole
                short = _windows(cps, 1, self.lo - 1)[0][starts, lengths - 1]
                order = np.argsort(np.r_[anchors // _SPAN, starts], kind="stable")
                doc_of = np.r_[doc_of, docs[starts]][order]
                grams = np.r_[grams, short][order]
                anchors = np.r_[anchors, starts * _SPAN + lengths][order]

        def name(a: int) -> str:
            return joined[a // _SPAN:a // _SPAN + a % _SPAN]

        return doc_of, grams, anchors, name

    def _word_grams(self, joined: str, cps: np.ndarray, docs: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
        word = _is_word(cps)
        pos = np.flatnonzero(word)
        if not len(pos):
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0, dtype=_U64), empty, lambda a: ""
        first = np.r_[True, np.diff(pos) > 1]
        starts = np.flatnonzero(first)
        token_start = pos[starts]
        token_len = np.diff(np.r_[starts, len(pos)])
        offset = np.arange(len(pos)) - np.repeat(starts, token_len)
        values = _mix(cps[pos].astype(_U64) * _GOLDEN + offset.astype(_U64) * _SALT)
        tokens = _mix(np.add.reduceat(values, starts) + token_len.astype(_U64) * _PAIR)
        token_doc = docs[token_start]
        n_tok, width = len(tokens), self.hi - self.lo + 1
        hashes = np.zeros((n_tok, width), dtype=_U64)
        valid = np.zeros((n_tok, width), dtype=bool)
        acc = tokens
        for k in range(1, self.hi + 1):
            if k > 1:
                acc = _mix(acc[:-1] * _PAIR + tokens[k - 1:])
            m = len(acc)
            if k >= self.lo and m:
                hashes[:m, k - self.lo] = acc * _c((2 * k + 1) * int(_GOLDEN))
                valid[:m, k - self.lo] = token_doc[k - 1:] == token_doc[:m]
        anchor = np.broadcast_to(np.arange(n_tok, dtype=np.int64)[:, None] * _SPAN
                                 + np.arange(self.lo, self.hi + 1), hashes.shape)
        spans: list[tuple[int, int]] = []  # (start, end) of each token, made when first named

        def name(a: int) -> str:
            t, k = divmod(a, _SPAN)
            if not spans:
                spans.extend(zip(token_start.tolist(), (token_start + token_len).tolist(),
                                 strict=True))
            return " ".join([joined[lo:hi] for lo, hi in spans[t:t + k]])

        return np.repeat(token_doc, valid.sum(axis=1)), hashes[valid], anchor[valid], name

    def hashes(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, hashes)``: the n-grams of text ``i`` are ``hashes[indptr[i]:indptr[i+1]]``."""
        texts = list(texts)
        doc_of, grams, _, _ = self._grams(texts)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc_of, minlength=len(texts)), out=indptr[1:])
        return indptr, grams

    def gram_hashes(self, grams: Sequence[str]) -> np.ndarray:
        """The hash of each given n-gram, as it has in any text.

        A character n-gram is read as it is; for the ``word`` analyzer each item is a
        phrase, its words the runs of ``\\w`` it holds.  An n-gram outside
        ``ngram_range`` hashes as 0 (no text holds it).

        Examples
        --------
        >>> hasher = NgramHasher("char", (1, 3))
        >>> indptr, hashes = hasher.hashes(["ab"])
        >>> sorted(hasher.gram_hashes(["a", "b", "ab"])) == sorted(hashes)  # every n-gram of "ab"
        True
        >>> words = NgramHasher("word", (1, 2))
        >>> _, hashes = words.hashes(["hà nội mưa"])  # hà, hà nội, nội, nội mưa, mưa
        >>> found = words.gram_hashes(["hà nội", "mưa", "hà nội mưa"])  # 3 words: outside (1, 2)
        >>> found.tolist() == [hashes[1], hashes[4], 0]
        True
        """
        if self.analyzer == "word":
            return self._phrase_hashes(grams)
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        out = np.zeros(len(grams), dtype=_U64)
        ok = np.flatnonzero((lengths >= self.lo) & (lengths <= self.hi))
        if not len(ok):
            return out
        joined, cps = _encode([grams[int(i)] for i in ok])
        starts = np.r_[0, np.cumsum(lengths[ok] + 1)[:-1]]
        hashes, _ = _windows(cps, self.lo, self.hi)
        out[ok] = hashes[starts, lengths[ok] - self.lo]
        return out

    def _phrase_hashes(self, phrases: Sequence[str]) -> np.ndarray:
        """Hash of each phrase read as one word n-gram (0 outside ``ngram_range``)."""
        phrases = list(phrases)
        words = np.fromiter((len(_WORD_RUN.findall(p)) for p in phrases), dtype=np.int64,
                            count=len(phrases))
        indptr, grams = self.hashes(phrases)
        out = np.zeros(len(phrases), dtype=_U64)
        # a phrase's n-grams start with those of its first word, n = lo, lo + 1, ...: the
        # phrase itself is the (words - lo)-th of them
        ok = np.flatnonzero((words >= self.lo) & (words <= self.hi))
        out[ok] = grams[indptr[ok] + words[ok] - self.lo]
        return out

    def locate(self, texts: Sequence[str], docs: np.ndarray, keys: np.ndarray,
               key_of: Any, hashed: tuple | None = None) -> list[str]:
        """The first n-gram of ``texts[docs[i]]`` whose ``key_of(hash)`` is ``keys[i]``.

        An n-gram that is not found gives ``""``; ``hashed`` is ``_grams(texts)`` if known.
        """
        doc_of, grams, anchors, name = hashed or self._grams(texts)
        width = np.int64(1) << np.int64(40)
        keys = np.asarray(keys, dtype=np.int64)
        wanted = np.asarray(docs, dtype=np.int64) * width + keys
        gram_keys = np.asarray(key_of(grams), dtype=np.int64)
        asked = np.zeros(int(keys.max(initial=0)) + 2, dtype=bool)  # the last: any other key
        asked[keys] = True  # the n-grams of keys not asked for (most) are left out at once
        near = np.flatnonzero(asked[np.minimum(gram_keys, len(asked) - 1)])
        anchors, found = anchors[near], doc_of[near].astype(np.int64) * width + gram_keys[near]
        order = np.argsort(wanted)
        at = np.minimum(np.searchsorted(wanted[order], found), max(len(wanted) - 1, 0))
        hit = np.flatnonzero(wanted[order][at] == found) if len(wanted) else at[:0]
        # grams are in text order, so the first hit of each wanted pair is its first occurrence
        which, first_hit = np.unique(order[at[hit]], return_index=True)
        first = dict(zip(which.tolist(), anchors[hit[first_hit]].tolist(), strict=True))
        return [name(first[j]) if j in first else "" for j in range(len(wanted))]


def _bucket(hashes: np.ndarray, n_features: int) -> np.ndarray:
    return (hashes % _U64(n_features)).astype(np.int64)


def _csr(n_docs: int, doc_of: np.ndarray, cols: np.ndarray, width: int, *,
         dtype: Any = np.float32, canonical: bool = True) -> sp.csr_matrix:
    """Counts of ``cols`` per document (``doc_of`` sorted).

    With ``canonical``, one entry per document and column, in column order (through
    CSC and back: two linear passes, half the time of sorting each row); without, a
    column seen twice in a row may be stored twice, which products sum.

    >>> _csr(2, np.array([0, 0, 0, 1]), np.array([3, 1, 3, 0]), 4).data.tolist()
    [1.0, 2.0, 1.0]
    """
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc_of, minlength=n_docs), out=indptr[1:])
    counts = sp.csr_matrix((np.ones(len(cols), dtype=dtype), cols, indptr),
                           shape=(n_docs, width))
    if canonical:
        counts = counts.tocsc().tocsr()  # rows come back with sorted columns
        counts.sum_duplicates()  # now one linear pass
    return counts


def _dedupe(doc_of: np.ndarray, grams: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each distinct (document, hash) pair."""
    order = np.lexsort((grams, doc_of))
    if not len(order):
        return order
    g, d = grams[order], doc_of[order]
    return order[np.r_[True, (g[1:] != g[:-1]) | (d[1:] != d[:-1])]]


class HashedTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF over hashed n-grams, with a stored IDF vector and no vocabulary.

    Sublinear term frequency (``1 + log(tf)``) times smoothed IDF, rows normalized to unit
    length, like scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``.  N-grams are hashed
    into ``n_features`` buckets; only the buckets found in at least ``min_df`` and at most
    ``max_df`` of the training documents become columns, so the output is as narrow as a
    learned vocabulary and the model behind it as small.

    Parameters
    ----------
    analyzer : {"word", "char", "char_wb"}, default="word"
        N-grams of words (``\\w+``) or characters; see :class:`NgramHasher`.
    ngram_range : tuple of int, default=(1, 2)
        Smallest and largest n.
    n_features : int, default=2**20
        Number of buckets.
    min_df : int, default=1
        Smallest training document frequency of a kept bucket.
    max_df : float, default=1.0
        Largest share of training documents of a kept bucket.
    dtype : numpy dtype, default=numpy.float32
        Type of the output values.

    Attributes
    ----------
    buckets_ : ndarray of int32
        The kept buckets, sorted; column ``j`` is bucket ``buckets_[j]``.
    idf_ : ndarray of float32
        IDF weight of each column.
    unigrams_ : str
        With the word analyzer and unigrams, the kept unigrams, one per line:
        the vocabulary for out-of-vocabulary rates.

    Examples
    --------
    >>> vec = HashedTfidf(n_features=2**10).fit(["hà nội mưa", "hà nội nắng"])
    >>> X = vec.transform(["trời hà nội mưa"])
    >>> X.shape, X.nnz  # 'trời' and 'trời hà' are unknown
    ((1, 7), 5)
    >>> sorted(vec.names(["trời hà nội mưa"], [0] * X.nnz, X.indices))
    ['hà', 'hà nội', 'mưa', 'nội', 'nội mưa']
    """

    def __init__(self, *, analyzer: str = "word", ngram_range: tuple[int, int] = (1, 2),
                 n_features: int = 2**20, min_df: int = 1, max_df: float = 1.0,
                 dtype: Any = np.float32) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.n_features = n_features
        self.min_df = min_df
        self.max_df = max_df
        self.dtype = dtype

    def _hasher(self) -> NgramHasher:
        return NgramHasher(self.analyzer, tuple(self.ngram_range))  # type: ignore[arg-type]

    def _column_of(self) -> np.ndarray:
        """Column of every bucket, -1 for dropped ones; rebuilt once per process, not stored."""
        table = self.__dict__.get("_table")
        if table is None:
            table = np.full(self.n_features, -1, dtype=np.int32)
            table[self.buckets_] = np.arange(len(self.buckets_), dtype=np.int32)
            self.__dict__["_table"] = table
        return table

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_table", None)
        return state

    def fit(self, X: Any, y: object = None) -> HashedTfidf:
        """Learn the kept buckets and their IDF weights from the documents ``X``."""
        self._fit(_texts(X))
        return self

    def fit_transform(self, X: Any, y: object = None, **fit_params: Any) -> sp.csr_matrix:
        """Fit, then transform ``X``, hashing it once."""
        counts = self._fit(_texts(X))
        cols = self._column_of()[counts.indices]  # monotone: rows stay sorted
        keep = cols >= 0
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
        indptr = np.zeros(counts.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=counts.shape[0]), out=indptr[1:])
        counts = sp.csr_matrix((counts.data[keep], cols[keep], indptr),
                               shape=(counts.shape[0], len(self.buckets_)))
        return self._weigh(counts)

    def _fit(self, texts: list[str]) -> sp.csr_matrix:
        """Learn buckets, IDF and unigrams; return the raw counts over all buckets."""
        if not isinstance(self.n_features, int) or not 1 <= self.n_features <= 2**31 - 1:
            raise ValueError(f"n_features must be an int in [1, 2**31 - 1], "
                             f"got {self.n_features!r}.")
        n = len(texts)
        counts, unigrams = self._counts_in_slices(texts)
        df = np.bincount(counts.indices, minlength=self.n_features)
        keep = (df >= max(self.min_df, 1)) & (df <= self.max_df * n)
        self.buckets_ = np.flatnonzero(keep).astype(np.int32)
        self.idf_ = (np.log((1.0 + n) / (1.0 + df[keep])) + 1.0).astype(np.float32)
        self.__dict__.pop("_table", None)
        self.unigrams_ = "" if unigrams is None else "\n".join(sorted(unigrams))
        return counts

    def _counts_in_slices(self, texts: list[str]) -> tuple[sp.csr_matrix, set[str] | None]:
        """Raw counts of ``texts`` over all buckets, and the unigrams found in at least
        ``min_df`` of them (None unless the word analyzer reads unigrams).

        Documents are hashed :data:`_FIT_ROWS` at a time: a training set's character
        n-grams at once are arrays of gigabytes, and the time goes into allocating them.
        """
        hasher = self._hasher()
        named = self.analyzer == "word" and self.ngram_range[0] == 1
        parts = []
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # hash, docs, anchor
        namers = []
        for lo in range(0, len(texts), _FIT_ROWS):
            part = texts[lo:lo + _FIT_ROWS]
            doc_of, grams, anchors, name = hasher._grams(part)
            parts.append(_csr(len(part), doc_of, _bucket(grams, self.n_features).astype(np.int32),
                              self.n_features))
            if named:  # each unigram of the slice: in how many documents, and where first
                unigram = np.flatnonzero(anchors % _SPAN == 1)
                once = unigram[_dedupe(doc_of[unigram], grams[unigram])]
                kept, at, seen = np.unique(grams[once], return_index=True, return_counts=True)
                found.append((kept, seen, anchors[once][at]))
                namers.append(name)
        counts = (sp.csr_matrix(sp.vstack(parts, format="csr")) if parts
                  else sp.csr_matrix((0, self.n_features), dtype=np.float32))
        if not named:
            return counts, None
        if not found:
            return counts, set()
        hashes, seen, first = (np.concatenate([f[i] for f in found]) for i in range(3))
        slice_of = np.repeat(np.arange(len(found)), [len(f[0]) for f in found])
        kept, at, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        df = np.bincount(inverse, weights=seen, minlength=len(kept))
        where = at[df >= max(self.min_df, 1)]
        return counts, {namers[int(slice_of[i])](int(first[i])) for i in where}

    def transform(self, X: Any) -> sp.csr_matrix:
        """TF-IDF rows of the documents ``X`` over the kept buckets."""
        check_is_fitted(self, "idf_")
        texts = _texts(X)
        indptr, grams = self._hasher().hashes(texts)
        cols = self._column_of()[_bucket(grams, self.n_features)]
        known = cols >= 0
        doc_of = np.repeat(np.arange(len(texts)), np.diff(indptr))[known]
        return self._weigh(_csr(len(texts), doc_of, cols[known], len(self.buckets_)))

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts (one entry per document and column) -> sublinear TF-IDF rows of length 1."""
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
        counts.data *= self.idf_[counts.indices]
        return normalize(counts, copy=False).astype(self.dtype, copy=False)

    def names(self, X: Any, rows: Any, columns: Any, memo: dict | None = None) -> list[str]:
        """The n-gram behind column ``columns[i]`` in document ``rows[i]`` of ``X``.

        Only the documents named in ``rows`` are hashed again, a slice at a time; with a
        ``memo`` dict (for calls on the same ``X``), all of them, once, kept there.  A bucket
        that two n-grams of the document share is named by the first of them.
        """
        check_is_fitted(self, "idf_")
        texts, hasher = _texts(X), self._hasher()
        buckets = self.buckets_[np.asarray(columns, dtype=np.int64)]
        key_of = partial(_bucket, n_features=self.n_features)
        if memo is not None:
            memo["grams"] = memo.get("grams") or hasher._grams(texts)
            return hasher.locate(texts, np.asarray(rows), buckets, key_of, memo["grams"])
        used, local = np.unique(np.asarray(rows, dtype=np.int64), return_inverse=True)
        out = np.full(len(rows), "", dtype=object)
        for lo in range(0, len(used), _NAME_ROWS):  # slices of documents: flat memory
            mine = np.flatnonzero((local >= lo) & (local < lo + _NAME_ROWS))
            out[mine] = hasher.locate([texts[i] for i in used[lo:lo + _NAME_ROWS]],
                                      local[mine] - lo, buckets[mine], key_of)
        return out.tolist()

    def columns_of(self, grams: Sequence[str]) -> np.ndarray:
        """The column of each n-gram: a character n-gram, or a phrase of words for the ``word``
        analyzer (-1 when its bucket was dropped at fit time, or it is outside
        ``ngram_range``).

        Examples
        --------
        >>> vec = HashedTfidf(analyzer="char", ngram_range=(1, 2), n_features=2**10).fit(["ab"])
        >>> X = vec.transform(["ab"])
        >>> bool(X[0, vec.columns_of(["ab"])[0]] > 0)
        True
        """
        check_is_fitted(self, "idf_")
        hashes = self._hasher().gram_hashes(grams)
        columns = self._column_of()[_bucket(hashes, self.n_features)].astype(np.int64)
        return np.where(hashes == 0, -1, columns)  # 0: no text holds it

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Hashed buckets have no stored names; use :meth:`names`."""
        raise AttributeError("a hashed feature has no stored name; HashedTfidf.names finds the "
                             "n-gram behind a bucket in a given document.")


def _texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise TypeError("Iterable over raw text documents expected, string object received.")
    return ["" if t is None else str(t) for t in (X.tolist() if hasattr(X, "tolist") else X)]
