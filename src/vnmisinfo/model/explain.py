"""Explanations: why a linear model scored a text as it did.

For a linear model the decision value is ``intercept + sum_j coef_j * x_j``,
so each feature's contribution ``coef_j * x_j`` is exact and cheap.  This module
turns those contributions into readable terms and maps them back to character
spans of the *original* text, for highlighting.  It is pure: it holds no model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp

from vnmisinfo.text.accents import is_accented
from vnmisinfo.text.hashtags import hashtag_cuts
from vnmisinfo.text.leet import fold_leet
from vnmisinfo.text.normalize import normalize_text
from vnmisinfo.text.tokenize import accent_free

__all__ = [
    "context_contributions", "format_terms", "highlight_spans", "rank_terms", "readable_term",
    "top_contributions", "top_pairs",
]


@lru_cache(maxsize=1 << 12)  # few distinct terms per batch are named twice: keep it small
def readable_term(name: str) -> str:
    """Turn a pipeline feature name into a term a reviewer can read.

    Word and syllable n-grams read as plain text, character n-grams are
    wrapped in guillemets, accent-free n-grams carry a ``≈`` prefix and
    metadata features sit in brackets.  The syllables of a segmented word read apart
    (``words__hà_nội`` reads ``hà nội``); other underscores are in the text and stay
    (``covid_19``, ``__url__``).  A character n-gram with an underscore reads as ``""``
    here: a piece of a placeholder or not, only the text tells
    (:func:`~vnmisinfo.model.terms.explained_terms` reads it there).

    Examples
    --------
    >>> readable_term("words__virus_corona nóng")
    'virus corona nóng'
    >>> readable_term("chars__ coro")
    '«coro»'
    >>> readable_term("meta__log_shares")
    '[log_shares]'
    >>> readable_term("syllables__xem __url__"), readable_term("chars__ __u")
    ('xem __url__', '')
    >>> readable_term("syllables__covid_19"), readable_term("words__corona ____")
    ('covid_19', 'corona ____')
    """
    channel, sep, term = name.partition("__")
    if not term:  # a plain name reads as it is; a channel with no term (not found) reads ""
        return "" if sep else name
    if channel == "meta":
        return f"[{term}]"
    if channel in ("chars", "accent_free_chars"):
        if "_" in term:  # a piece of a placeholder (``__url__``) or not: the text tells
            return ""
        return f"{'≈' if channel == 'accent_free_chars' else ''}«{term.strip()}»"
    if channel == "words":  # the segmented view: an underscore joins two syllables
        term = _JOINER_RE.sub(" ", term)
    text = " ".join(term.split())
    return f"≈{text}" if channel == "accent_free" else text


#: In the segmented view, an underscore between two letters or digits joins the syllables
#: of a word (``hà_nội``); others are in the text (``__url__``, ``____``).
_JOINER_RE = re.compile(r"(?<=[^\W_])_(?=[^\W_])")

_TOP_CELLS = 1 << 19  # padded cells per argpartition in top_pairs: bounds its memory


def _chunks(lengths: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges whose padded size (rows x longest row) stays within ``_TOP_CELLS``."""
    out, lo, n = [], 0, len(lengths)
    while lo < n:
        ahead = np.maximum(lengths[lo:lo + 4096], 1)
        widest = np.maximum.accumulate(ahead)
        fits = np.flatnonzero(widest * np.arange(1, len(ahead) + 1) <= _TOP_CELLS)
        hi = lo + (int(fits[-1]) + 1 if len(fits) else 1)
        out.append((lo, hi))
        lo = hi
    return out


def top_pairs(X: Any, coef: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``k`` largest absolute contributions ``coef_j * x_ij`` of each row, for all rows at once.

    One product over the stored values and one ``partition`` per chunk of
    rows (padded to the chunk's longest row), with no loop over rows.  A contribution
    as large as the ``k``-th is kept too, so a row's pairs never depend on its neighbours.

    Returns
    -------
    rows, columns, values : ndarray
        Row, feature and contribution of each kept pair, grouped by row,
        largest absolute contribution first.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1.0, 0.5, 0.0], [0.0, 0.0, 2.0]]))
    >>> rows, cols, values = top_pairs(X, np.array([2.0, -6.0, 1.0]), 1)
    >>> rows.tolist(), cols.tolist(), values.tolist()
    ([0, 1], [1, 2], [-3.0, 2.0])
    """
    X = sp.csr_matrix(X)
    coef = np.asarray(coef, dtype=float).ravel()
    values = X.data * coef[X.indices]  # the contributions, in X's layout
    lengths = np.diff(X.indptr)
    k = max(int(k), 0)
    picked = [np.zeros(0, dtype=np.int64)]
    # rows are padded to the longest row of their chunk; one argpartition per chunk
    for lo, hi in _chunks(lengths):
        width = int(lengths[lo:hi].max(initial=0))
        if not width or not k:
            continue
        start = X.indptr[lo:hi]
        slot = np.arange(width)
        where = start[:, None] + slot[None, :]
        inside = slot[None, :] < lengths[lo:hi, None]
        key = np.where(inside, -np.abs(values[np.where(inside, where, 0)]), np.inf)
        take = min(k, width)
        # the k-th largest of each row, and every contribution as large: which of two equal
        # ones is kept never depends on the rows scored beside it
        kth = (np.partition(key, take - 1, axis=1)[:, take - 1] if take < width
               else np.full(hi - lo, np.inf))
        r, s = np.nonzero(inside & (key <= kth[:, None]) & (key < 0))  # zero: not a reason
        order = np.lexsort((s, key[r, s], r))  # by row, largest first, then column order
        picked.append(where[r[order], s[order]])
    at = np.concatenate(picked)
    rows = np.repeat(np.arange(X.shape[0]), lengths)[at]
    return rows, X.indices[at].astype(np.int64), values[at].astype(float)


def rank_terms(n_rows: int, rows: np.ndarray, names: Sequence[str], values: np.ndarray,
               k: int) -> list[list[tuple[str, float]]]:
    """Group ``(row, feature name, contribution)`` into each row's ``k`` readable terms.

    Contributions of features that read the same (a word seen by two
    channels) are summed; terms are ranked by absolute contribution.

    Examples
    --------
    >>> rank_terms(2, [0, 0, 1], ["words__a", "syllables__a", "chars__ b"], [1.0, 0.5, -2.0], 3)
    [[('a', 1.5)], [('«b»', -2.0)]]
    """
    merged: list[dict[str, float]] = [{} for _ in range(n_rows)]
    for r, name, v in zip(np.asarray(rows).tolist(), names, np.asarray(values).tolist(),
                          strict=True):
        term = readable_term(name)
        if term:
            merged[r][term] = merged[r].get(term, 0.0) + v
    return [[(t, round(v, 4)) for t, v in sorted(m.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
             [:k]] for m in merged]


def top_contributions(
    X: Any, coef: np.ndarray, names: Sequence[str], k: int
) -> list[list[tuple[str, float]]]:
    """Return, per row, the ``k`` readable terms with the largest absolute contribution.

    Contributions of features that read the same (a word seen by two
    channels) are summed.

    Parameters
    ----------
    X : sparse matrix of shape (n_samples, n_features)
        Transformed features.
    coef : ndarray of shape (n_features,)
        Linear weights.
    names : sequence of str
        Feature names, as from ``get_feature_names_out``.
    k : int
        Terms per row; 0 gives empty lists.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1.0, 0.5, 0.0]]))
    >>> top_contributions(X, np.array([2.0, -6.0, 1.0]), ["words__a", "words__b", "words__c"], 2)
    [[('b', -3.0), ('a', 2.0)]]
    """
    if k <= 0:
        return [[] for _ in range(X.shape[0])]
    # the 4k largest contributions of each row are merged and ranked: with k >= the row's
    # features the result is exact.  The shipped channels name every feature differently.
    rows, cols, values = top_pairs(X, coef, 4 * k)
    return rank_terms(X.shape[0], rows, [names[c] for c in cols.tolist()], values, k)


#: Readable name of each metadata field, for the context signals of a result.
CONTEXT_FIELDS = {"likes": "likes", "comments": "comments", "shares": "shares",
                  "hour": "posting hour"}


def context_field(name: str) -> str | None:
    """The metadata field a feature name reads, or None for a text feature.

    Examples
    --------
    >>> context_field("meta__log_likes"), context_field("meta__shares_bin2")
    ('likes', 'shares')
    >>> context_field("meta__hour_3"), context_field("words__tin giả")
    ('posting hour', None)
    """
    channel, _, term = name.partition("__")
    if channel != "meta":
        return None
    key = term.removeprefix("log_").split("_")[0]
    return CONTEXT_FIELDS.get(key, key)


def context_contributions(X: Any, coef: np.ndarray, names: Sequence[str]
                          ) -> list[list[tuple[str, float]]]:
    """Per row, the signed contribution of each metadata field present, largest first.

    Only metadata columns are read; features of one field (its log count and
    its bins) are summed into one signal.  A missing field contributes 0 and
    is left out.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1.0, 0.5, 0.2], [0.0, 0.0, 1.0]]))
    >>> names = ["meta__log_likes", "meta__likes_bin1", "words__tin"]
    >>> context_contributions(X, np.array([0.4, 0.2, 3.0]), names)
    [[('likes', 0.5)], []]
    """
    fields = [context_field(n) for n in names]
    cols = np.flatnonzero([f is not None for f in fields])
    if not len(cols):
        return [[] for _ in range(X.shape[0])]
    labels = sorted({fields[c] for c in cols})  # type: ignore[type-var]
    which = np.array([labels.index(fields[c]) for c in cols])
    onehot = sp.csr_matrix((np.ones(len(cols)), (np.arange(len(cols)), which)),
                           shape=(len(cols), len(labels)))
    block = sp.csr_matrix(X)[:, cols].multiply(coef[cols]).tocsr()
    sums = np.asarray((block @ onehot).todense())
    present = np.asarray((sp.csr_matrix(X)[:, cols] != 0) @ onehot.astype(bool).astype(int)
                         .todense()) > 0
    out = []
    for row, keep in zip(sums, present, strict=True):
        order = [j for j in np.argsort(-np.abs(row), kind="stable") if keep[j]]
        out.append([(labels[j], round(float(row[j]), 4)) for j in order])
    return out


def format_terms(terms: Sequence[tuple[str, float]]) -> str:
    """Format terms as a ``term:+weight`` list separated by ``; ``.

    Examples
    --------
    >>> format_terms([("virus corona", 0.4213), ("bộ y tế", -0.1)])
    'virus corona:+0.421; bộ y tế:-0.100'
    """
    return "; ".join(f"{t}:{w:+.3f}" for t, w in terms)


def _fold(text: str) -> str:
    """Lower-case, accent-free view of ``text`` with exactly one char per input char."""
    out = []
    for ch in text:
        f = accent_free(ch)
        out.append(f if len(f) == 1 else ch.lower())
    return "".join(out)


_WORD_CHAR_RE = re.compile(r"\w")


def _term_matches(parts: list[str], folded: str, inside_words: bool, cuts: frozenset[int]
                  ) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Where a term's syllables stand in ``folded``: ``(start, end, [(start, end) of each])``.

    The syllables are whole words apart from a character n-gram (``inside_words``), and
    stand apart by blanks or punctuation, or meet where a hashtag is cut into words
    (``cuts``: ``#NướcChanh`` holds ``nước chanh``).
    """
    pieces = [f"({re.escape(_fold(p))})" for p in parts]
    if not cuts:
        between = r"\W+".join(pieces)
        pattern = between if inside_words else rf"(?<!\w){between}(?!\w)"
        return [(m.start(), m.end(), [m.span(i) for i in range(1, len(parts) + 1)])
                for m in re.finditer(pattern, folded)]
    found = []
    glued = r"[\W_]*".join(pieces)
    for m in re.finditer(rf"(?=({glued}))", folded):  # from every start
        spans = [m.span(i) for i in range(2, len(parts) + 2)]
        start, end = m.span(1)
        apart = all(folded[a[1]:b[0]].strip("_") or a[1] in cuts for a, b in pairwise(spans))
        edges = inside_words or all(  # no letter outside, or a hashtag's cut
            edge in cuts or not (0 <= i < len(folded) and _WORD_CHAR_RE.match(folded, i))
            for edge, i in ((start, start - 1), (end, end)))
        if apart and edges:
            found.append((start, end, spans))
    return found


@lru_cache(maxsize=1 << 12)
def _reading(word: str) -> str:
    """How the word channels read ``word``: lower case, tone marks placed as the normalizer
    places them (``Hoà`` reads ``hòa``)."""
    return normalize_text(word, evasion=False, teencode=False, placeholders=False).lower()


def highlight_spans(text: str, terms: Sequence[tuple[str, float]], *,
                    fold: bool | None = None) -> list[tuple[int, int, float]]:
    """Map explanation terms back to character spans of the original text.

    A term is drawn only on the words it was computed from.  Matching ignores
    case and allows any run of spaces or punctuation between the syllables of
    a term, so a term found in the normalized text is found again in the raw
    text; it keeps tone marks, read as the model reads them (``hoà`` is
    ``hòa``), so ``thì`` is not drawn on ``thi``, ``thí`` or ``thị``, which are
    other words with terms of their own.  Tone marks are ignored only for an
    accent-free term (``≈thi``, read from the accent-free view, where all of
    them read ``thi``), and for every term of a text typed without tone marks
    (as the model routes it: :func:`~vnmisinfo.text.accents.is_accented` of the
    normalized text).  Where an accent-free term and a term with its marks
    share a word, the word shows its own term.  Bracketed metadata terms have
    no span.

    Parameters
    ----------
    text : str
        The original text.
    terms : sequence of (str, float)
        Readable terms and their weights (:func:`top_contributions`).
    fold : bool, optional
        Ignore tone marks for every term; by default, when ``text`` is typed
        without them.

    Returns
    -------
    list of (start, end, weight)
        Non-overlapping spans sorted by start; a word's own terms win
        overlaps over accent-free ones, then larger weights win.

    Examples
    --------
    >>> highlight_spans("Uống NƯỚC nóng diệt Virus", [("nước nóng", 0.5)])
    [(5, 14, 0.5)]
    >>> highlight_spans("Thi thì thí sinh", [("thì", 0.3), ("thi", -0.2), ("≈thi", 0.1)])
    [(0, 3, -0.2), (4, 7, 0.3), (8, 11, 0.1)]
    >>> highlight_spans("Thi thi thi sinh", [("thì", 0.3)])
    [(0, 3, 0.3), (4, 7, 0.3), (8, 11, 0.3)]
    >>> highlight_spans("v4cc1n gây vô s1nh", [("vô sinh", 0.4)])
    [(11, 18, 0.4)]
    """
    read = fold_leet(text)  # 'c0r0na' holds 'corona'; one character per character
    folded, cuts = _fold(read), hashtag_cuts(text)
    if fold is None:
        fold = not is_accented(normalize_text(text))
    candidates: list[tuple[int, int, int, float]] = []  # (exact?, start, end, weight)
    for term, weight in terms:
        if term.startswith("["):
            continue
        loose = fold or term.startswith("≈")
        parts = term.strip("«»≈ ").split()
        if not parts:
            continue
        for start, end, found in _term_matches(parts, folded, term.lstrip("≈").startswith("«"),
                                               cuts):
            if loose or all(_reading(read[a:b]) == p.lower()
                            for (a, b), p in zip(found, parts, strict=True)):
                candidates.append((0 if loose else 1, start, end, weight))
    chosen: list[tuple[int, int, float]] = []
    taken = np.zeros(len(text) + 1, dtype=bool)
    for _, start, end, weight in sorted(candidates, key=lambda c: (-c[0], -abs(c[3]))):
        if not taken[start:end].any():
            taken[start:end] = True
            chosen.append((start, end, weight))
    return sorted(chosen)
