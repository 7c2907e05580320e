"""The terms that explain a score, named, merged and weighed exactly (:func:`explained_terms`),
and the heaviest terms of a fitted model (:func:`heaviest_terms`)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from vnmisinfo.model.explain import readable_term, top_pairs
from vnmisinfo.model.features import _vectorizer, channel_scale, column_names, meta_slice
from vnmisinfo.model.hashing import HashedTfidf

__all__ = ["accent_twins", "explained_terms", "heaviest_terms", "take_columns", "text_part",
           "whole_words"]

#: The normalizer's placeholders (``__url__``...), read whole.
_PLACEHOLDER_RE = re.compile(r"__(?:url|email|phone)__")
_WORDS = re.compile(r"\w+")
_SPACES = re.compile(r"\s\s+")

#: Per term asked: contributions named, and merged terms weighed exactly (chosen on the
#: sample posts: the top 5 then equal those ranked over every feature).
_PAIRS, _SHORTLIST = 20, 6
#: Their factor for a text read without tone marks (``wide``): its weight is spread over
#: more, weaker character n-grams of its words, so a word's merged weight can rank among
#: the first while none of its parts does (with 2: the top 5 equal the ranking over every
#: feature for 999 of 1,000 ReINTEL posts typed without marks, against 827 with 1).
_WIDE = 2

#: The character channels and the mark of their terms; the channels of words.
_CHAR_MARKS = {"chars": "", "accent_free_chars": "≈"}
_WORD_CHANNELS = ("words", "syllables", "accent_free")


def explained_terms(union: Any, frame: pd.DataFrame, block: Any, coef: np.ndarray,
                    k: int, block_columns: np.ndarray | None = None, *, wide: bool = False
                    ) -> list[list[tuple[str, float]]]:
    """The ``k`` text terms of each row of ``block`` that moved its decision value most.

    ``coef`` weighs the columns of ``block`` (zero for those not to report);
    ``block_columns`` gives the union column of each block column when the block
    holds a subset of them (a text-only model), else the block is the union.

    Each contribution ``coef_j * x_ij`` counts once, for the term its column reads as in
    the row: the n-gram that names the column's bucket there (:func:`column_names`), read by
    :func:`~vnmisinfo.model.explain.readable_term`.  A character n-gram with an underscore
    reads as the placeholder it lies on (``__url__``), or as itself (``«d_1»`` of ``covid_19``).
    Terms come from the ``20 * max(k, 5)`` strongest contributions of each row
    (:func:`~vnmisinfo.model.explain.top_pairs`); the ``6 * max(k, 5)`` best are kept
    (twice as many of each with ``wide``, for the accent-free models).
    A character n-gram read with and without the spaces around it (``" roi"``,
    ``"roi "``) reads as one term, ``«roi»``: its weight is then summed over every spacing of
    its n-gram in the row, also those weaker than the strongest ones (and a placeholder's
    over every n-gram on it), so the weight shown is exact and does not depend on ``k``;
    a bucket counts for a spacing only where the row names it by that spacing.  An
    accent-free term (``≈moi nguoi``) then joins the term it reads in the text (``mọi
    người``) when every place it occurs in the text is that term: one word, one weight,
    both channels summed (:func:`accent_twins`); and a character n-gram that is a whole word
    wherever it occurs (``«gạo»``) joins that word's term (:func:`whole_words`).  All the
    terms of a row (``k`` large) add up to ``coef @ x`` of the row.
    """
    if k <= 0:
        return [[] for _ in range(len(frame))]
    cells = _Cells(union, frame, sp.csr_matrix(block), np.asarray(coef, dtype=float),
                   block_columns)
    # a placeholder's pieces all count when the strongest terms are chosen
    width = max(k, 5) * (_WIDE if wide else 1)
    cells.name(*top_pairs(cells.X, cells.coef, _PAIRS * width), cells.placeholders())
    short = cells.shortlist(_SHORTLIST * width)
    views = _Views(frame)
    wanted = cells.spellings(short)
    twins, named = _accent_pairs(union, views, short, wanted)
    words = _word_pairs(union, views, named, wanted)
    cells.own(wanted)
    return cells.ranked([twins, words], short, k)


def take_columns(block: Any, columns: np.ndarray) -> sp.csr_matrix:
    """``block[:, columns]`` for sorted distinct ``columns``; a slice when they come first.

    The text columns of a union whose metadata channel is last (every preset's) are its
    first ones: a slice copies no map of millions of columns.

    Examples
    --------
    >>> X = sp.csr_matrix(np.arange(6.0).reshape(2, 3))
    >>> take_columns(X, np.array([0, 1])).toarray().tolist()
    [[0.0, 1.0], [3.0, 4.0]]
    >>> take_columns(X, np.array([0, 2])).toarray().tolist()
    [[0.0, 2.0], [3.0, 5.0]]
    """
    return block[:, :len(columns)] if _leading(columns) else block[:, columns]


def _leading(columns: np.ndarray) -> bool:
    """Whether sorted distinct ``columns`` are the first ``len(columns)`` ones."""
    return bool(len(columns)) and int(columns[-1]) == len(columns) - 1


def text_part(block: Any, coef: np.ndarray, meta: slice, columns: np.ndarray | None
              ) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """The text of a model's block for :func:`explained_terms`: ``(block, coef, block_columns)``.

    The metadata columns are left out (reported apart, as context).  ``columns`` gives the
    union column of each block column of a text-only model.  With the metadata channel last
    (every preset's), both are slices: no dense copy of millions of weights, and no map of
    the union's columns.

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1.0, 2.0, 3.0]]))
    >>> block, coef, cols = text_part(X, np.array([1.0, 1.0, 5.0]), slice(2, 3), None)
    >>> block.shape, coef.tolist(), cols
    ((1, 2), [1.0, 1.0], None)
    >>> text_part(X, np.ones(3), slice(0, 1), None)[1].tolist()
    [0.0, 1.0, 1.0]
    """
    if columns is not None:
        return block, coef, None if _leading(columns) else columns
    if meta.stop <= meta.start:
        return block, coef, None
    if meta.stop == block.shape[1]:
        return block[:, :meta.start], coef[:meta.start], None
    text = coef.copy()
    text[meta] = 0.0
    return block, text, None


def heaviest_terms(union: Any, frame: pd.DataFrame, features: Any, coef: np.ndarray,
                   n: int = 100) -> dict[str, list[tuple[str, float]]]:
    """The ``n`` text features with the largest weights of each sign, named from training rows.

    Each feature is named by the n-gram behind it in a training document that
    has it, so a hashed channel needs no stored vocabulary for this either.  A weight is
    what one unit of the feature's TF-IDF value adds to the decision (its channel's factor
    included).

    Returns
    -------
    dict
        ``{"misinformation": [(term, weight), ...], "reliable": [...]}``,
        heaviest first; terms read as in explanations.
    """
    coef = np.asarray(coef, dtype=float) * channel_scale(union, len(np.ravel(coef)))
    coef[meta_slice(union)] = 0.0
    out: dict[str, list[tuple[str, float]]] = {}
    for label, sign in (("misinformation", 1.0), ("reliable", -1.0)):
        cols = np.argsort(-sign * coef, kind="stable")[:n]
        cols = cols[sign * coef[cols] > 0]
        block = sp.csc_matrix(sp.csr_matrix(features)[:, cols])
        rows = block.indices[block.indptr[:-1].clip(max=max(block.nnz - 1, 0))]
        names = column_names(union, frame, rows, cols) if len(cols) else []
        out[label] = [(readable_term(name), round(float(coef[c]), 4))
                      for name, c in zip(names, cols, strict=True) if readable_term(name)]
    return out


def _hashed(union: Any, *channels: str) -> bool:
    """Whether every one of ``channels`` has columns, from hashed n-grams."""
    return _has(union, *channels) and all(
        isinstance(_vectorizer(union.named_transformers_[c]), HashedTfidf) for c in channels)


class _Cells:
    """The contributions ``coef_j * x_ij`` of a block's rows, each with the term it reads as.

    A cell is one (row, column); it is read by the n-gram that names the column's bucket in
    the row, so two terms never share one.  Cells come from the strongest contributions
    (:meth:`name`) and from n-grams asked for by name (:meth:`own`).
    """

    def __init__(self, union: Any, frame: pd.DataFrame, X: sp.csr_matrix, coef: np.ndarray,
                 block_columns: np.ndarray | None) -> None:
        self.union, self.frame, self.X, self.coef = union, frame, X, coef
        self.width = max([w.stop for w in union.output_indices_.values()] + [X.shape[1]])
        self.union_of = None if block_columns is None else np.asarray(block_columns, np.int64)
        self.block_of = None
        if self.union_of is not None:
            self.block_of = np.full(self.width, -1, dtype=np.int64)
            self.block_of[self.union_of] = np.arange(len(self.union_of))
        self.sources = {name: source for name, _, source in union.transformers_}
        self.rows, self.keys = np.zeros(0, np.int64), np.zeros(0, np.int64)
        self.values, self.terms = np.zeros(0), np.zeros(0, dtype=object)
        self._texts: dict[tuple[str, int], str] = {}
        self._plain: dict[str, str] = {}
        self.memo: dict[str, dict] = {}  # each channel's rows hashed once, named twice

    def name(self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray,
             wanted: list[tuple[int, str, str]]) -> None:
        """Add the cells ``(rows[i], columns[i])`` of the block, named in their rows, and those
        of the n-grams ``wanted`` (as in :meth:`own`): one naming pass for both."""
        union_cols = columns if self.union_of is None else self.union_of[columns]
        more = self._cells_of(wanted, rows * self.width + union_cols)
        first, which = self._once(more[0], more[1])
        names = column_names(self.union, self.frame, np.r_[rows, more[0][first]],
                             np.r_[union_cols, more[1][first]], self.memo)
        self._add(rows, union_cols, values, names[:len(rows)])
        self._add_owned(*more, np.asarray(names[len(rows):], dtype=object)[which])

    def own(self, wanted: list[tuple[int, str, str]]) -> None:
        """Add the cells of n-grams ``(row, channel, n-gram)`` that their rows name by them.

        A cell already in holds its term; a bucket the row names by another n-gram (one
        that shares it) is not the asked n-gram's.
        """
        more = self._cells_of(wanted, self.keys)
        first, which = self._once(more[0], more[1])
        names = column_names(self.union, self.frame, more[0][first], more[1][first], self.memo)
        self._add_owned(*more, np.asarray(names, dtype=object)[which])

    def _once(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each distinct cell first is, and which of them each is: a cell asked for by
        two n-grams (that share its bucket) is named once."""
        _, first, which = np.unique(rows * self.width + cols, return_index=True,
                                    return_inverse=True)
        return first, which.reshape(-1)

    def _cells_of(self, wanted: list[tuple[int, str, str]], known: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(rows, union columns, values, channel__n-gram)`` of the cells of the n-grams
        ``(row, channel, n-gram)`` with a contribution, but for those whose key is ``known``."""
        rows = np.array([w[0] for w in wanted], dtype=np.int64)
        spelled = np.array([f"{w[1]}__{w[2]}" for w in wanted], dtype=object)
        channels = np.array([w[1] for w in wanted], dtype=object)
        cols = np.full(len(wanted), -1, dtype=np.int64)
        for channel in set(channels.tolist()):
            if not _hashed(self.union, channel):  # a vocabulary names no n-gram it lacks
                continue
            mine = np.flatnonzero(channels == channel)
            local = _vectorizer(self.union.named_transformers_[channel]).columns_of(
                [wanted[i][2] for i in mine])
            cols[mine] = np.where(local >= 0, local + self.union.output_indices_[channel].start,
                                  -1)
        block = cols if self.block_of is None else np.where(
            cols >= 0, self.block_of[np.clip(cols, 0, self.width - 1)], -1)
        at = np.flatnonzero((block >= 0) & ~np.isin(rows * self.width + cols, known))
        values = np.asarray(self.X[rows[at], block[at]]).ravel() * self.coef[block[at]]
        at, values = at[values != 0], values[values != 0]
        return rows[at], cols[at], values, spelled[at]

    def _add_owned(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                   spelled: np.ndarray, names: np.ndarray) -> None:
        """Add the cells whose row names them ``spelled`` (``names``), each once."""
        mine = np.flatnonzero(names == spelled)
        _, once = np.unique(rows[mine] * self.width + cols[mine], return_index=True)
        at = mine[once]
        self._add(rows[at], cols[at], values[at], [str(s) for s in spelled[at]])

    def _add(self, rows: np.ndarray, union_cols: np.ndarray, values: np.ndarray,
             names: list[str]) -> None:
        plain = self._plain  # the names that read the same in every row, read once
        terms = [plain[n] if n in plain else self.read(r, n)
                 for r, n in zip(rows.tolist(), names, strict=True)]
        self.rows = np.r_[self.rows, np.asarray(rows, dtype=np.int64)]
        self.keys = np.r_[self.keys, np.asarray(rows * self.width + union_cols, dtype=np.int64)]
        self.values = np.r_[self.values, np.asarray(values, dtype=float)]
        self.terms = np.r_[self.terms, np.asarray(terms, dtype=object)]

    def read(self, row: int, name: str) -> str:
        """The term that feature ``name`` (``channel__n-gram``) reads as in ``row``.

        A character n-gram with an underscore reads as the placeholder its first occurrence
        in the row lies on (``__url__``), else as itself (``«d_1»``).
        """
        term = readable_term(name)
        channel, _, gram = name.partition("__")
        if term or "_" not in gram or channel not in _CHAR_MARKS:
            self._plain[name] = term
            return term
        mark, text = _CHAR_MARKS[channel], self.text(channel, row)
        at = text.find(gram)
        for m in _PLACEHOLDER_RE.finditer(text):
            if 0 <= at < m.end() and m.start() < at + len(gram):
                return f"{mark}{m[0]}"
        return f"{mark}«{gram.strip()}»"

    def text(self, channel: str, row: int) -> str:
        """The text of ``row`` as ``channel`` cuts it into n-grams (runs of spaces as one)."""
        if (channel, row) not in self._texts:
            vec = _vectorizer(self.union.named_transformers_[channel])
            value = self.frame[self.sources[channel]].iloc[row]
            text = "" if value is None else str(value)
            self._texts[channel, row] = (vec._hasher()._prepare([text])[0]
                                         if isinstance(vec, HashedTfidf)
                                         else _SPACES.sub(" ", text))
        return self._texts[channel, row]

    def shortlist(self, n: int) -> list[list[str]]:
        """The ``n`` terms of each row with the largest summed contributions, strongest first."""
        ranked = _ranked(self.rows, self.terms, self.values, n, rounded=False)
        return [[t for t, _ in row] for row in _lists(len(self.frame), *ranked)]

    def spellings(self, short: list[list[str]]) -> list[tuple[int, str, str]]:
        """``(row, channel, n-gram)``: each spacing of each character term of the rows."""
        out: list[tuple[int, str, str]] = []
        for channel, mark in _CHAR_MARKS.items():
            if _hashed(self.union, channel):
                out += [(r, channel, g) for r, terms in enumerate(short) for t in terms
                        if t.startswith(f"{mark}«") and t.endswith("»")
                        for g in _spacings(t[len(mark) + 1:-1])]
        return out

    def placeholders(self) -> list[tuple[int, str, str]]:
        """``(row, channel, n-gram)``: each n-gram of a placeholder of the rows, the word
        (``__url__``) and each character n-gram on it with an underscore (``"i __u"``,
        ``"rl__"``), so a placeholder's weight is whole."""
        out: list[tuple[int, str, str]] = []
        for channel, source in self.sources.items():
            if channel not in _CHAR_MARKS and channel not in _WORD_CHANNELS:
                continue
            if not _hashed(self.union, channel):
                continue
            lo, hi = _vectorizer(self.union.named_transformers_[channel]).ngram_range
            column = self.frame[source].astype(str)
            for r in np.flatnonzero(column.str.contains("__", regex=False).to_numpy()).tolist():
                if channel in _WORD_CHANNELS:
                    out += [(r, channel, m)
                            for m in sorted(set(_PLACEHOLDER_RE.findall(column.iloc[r])))]
                    continue
                text = self.text(channel, r)
                out += [(r, channel, g) for m in _PLACEHOLDER_RE.finditer(text)
                        for n in range(lo, hi + 1)
                        for g in (text[s:s + n] for s in range(max(m.start() - n + 1, 0),
                                                                min(m.end(), len(text) - n + 1)))
                        if "_" in g and "\x01" not in g]
        return out

    def ranked(self, merges: list[list[dict[str, str]]], short: list[list[str]], k: int
               ) -> list[list[tuple[str, float]]]:
        """The ``k`` strongest terms of each row, its cells read through ``merges`` (each a
        ``{term: term it joins}`` per row, applied in turn), among the shortlisted ``short``."""
        shown = [set(row) for row in short]
        for step in merges:
            shown = [{m.get(t, t) for t in row} for row, m in zip(shown, step, strict=True)]
        rows, terms = self.rows.tolist(), self.terms.tolist()
        for step in merges:  # each cell of a joined term, to the term it joins
            terms = [step[r].get(t, t) for r, t in zip(rows, terms, strict=True)]
        keep = np.array([bool(t) and t in shown[r] for r, t in zip(rows, terms, strict=True)],
                        dtype=bool)
        return _lists(len(self.frame), *_ranked(self.rows[keep], np.asarray(terms, object)[keep],
                                                self.values[keep], k, rounded=True))


def _spacings(gram: str) -> list[str]:
    """A character n-gram with every spacing the model may read it with."""
    return [gram, f" {gram}", f"{gram} ", f" {gram} "]


def _ranked(rows: np.ndarray, terms: np.ndarray, values: np.ndarray, n: int, *, rounded: bool
            ) -> tuple[list[int], list[str], list[float]]:
    """``(rows, terms, weights)``: the ``n`` terms of each row with the largest absolute
    summed values, ties by term (weights rounded to 4 decimals when ``rounded``)."""
    named = np.flatnonzero(terms != "")
    codes, names = pd.factorize(terms[named], sort=True)  # codes in the order of the terms
    width = len(names) + 1
    keys, which = np.unique(rows[named] * width + codes, return_inverse=True)
    sums = np.bincount(which.reshape(-1), weights=values[named], minlength=len(keys))
    row, code = keys // width, keys % width
    order = np.lexsort((code, -np.abs(sums), row))
    row, code, sums = row[order], code[order], sums[order]
    first = np.arange(len(row)) - np.searchsorted(row, row) < n  # the n first of each row
    weights = sums[first].tolist()
    return (row[first].tolist(), np.asarray(names, dtype=object)[code[first]].tolist(),
            [round(w, 4) for w in weights] if rounded else weights)


def _lists(n_rows: int, rows: list[int], terms: list[str], weights: list[float]
           ) -> list[list[tuple[str, float]]]:
    out: list[list[tuple[str, float]]] = [[] for _ in range(n_rows)]
    for r, t, w in zip(rows, terms, weights, strict=True):
        out[r].append((t, w))
    return out


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
    if len(syll) != len(plain):
        return []  # not position for position: leave every term apart
    return _twins([t for t, _ in terms], _tokens(syll), _tokens(plain))


def _tokens(text: str) -> str:
    """The words of ``text`` between single spaces, with a space at each end."""
    return f" {' '.join(_WORDS.findall(text))} "


def _twins(terms: list[str], accented: str, bare: str) -> list[tuple[str, str]]:
    """:func:`accent_twins` of the terms named ``terms``, on the document's words
    (:func:`_tokens`)."""
    if len(accented) != len(bare):
        return []
    pairs: dict[str, str] = {}
    for name in terms:
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


def _accent_pairs(union: Any, views: _Views, short: list[list[str]],
                  wanted: list[tuple[int, str, str]]
                  ) -> tuple[list[dict[str, str]], list[list[str]]]:
    """Make a word and its accent-free reading one term, ``mọi người`` (:func:`accent_twins`).

    Returns, per row, ``{term: term it joins}`` and the terms once joined; asks in
    ``wanted`` for the syllable n-gram and the accent-free n-gram of each pair, so the
    term weighs both whether or not either was among the strongest.  Only for hashed
    ``syllables`` and ``accent_free`` channels, without ``words``.
    """
    joins: list[dict[str, str]] = [{} for _ in short]
    if (not views.texts or "words" in union.named_transformers_
            or not _hashed(union, "syllables", "accent_free")):
        return joins, short
    named = []
    for r, terms in enumerate(short):
        pairs = (_twins(terms, views.tokens("syll", r), views.tokens("plain", r))
                 if len(views.texts["syll"][r]) == len(views.texts["plain"][r]) else [])
        for phrase, free in pairs:
            joins[r].update({phrase: phrase, f"≈{free}": phrase})
            wanted += [(r, "syllables", phrase), (r, "accent_free", free)]
        named.append([t for t in terms if t not in joins[r]] + [p for p, _ in pairs])
    return joins, named


def _has(union: Any, *channels: str) -> bool:
    """Whether the fitted union has every one of ``channels``, with columns."""
    return all((w := union.output_indices_.get(c)) is not None and w.stop > w.start
               for c in channels)


class _Views:
    """The two lower-cased views of a slice of documents and, on demand, their words."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.texts = {c: frame[c].tolist() for c in ("syll", "plain") if c in frame}
        if len(self.texts) < 2:
            self.texts = {}
        self._tokens: dict[tuple[str, int], str] = {}

    def tokens(self, column: str, row: int) -> str:
        key = (column, row)
        if key not in self._tokens:
            self._tokens[key] = _tokens(self.texts[column][row])
        return self._tokens[key]


#: Word channel, character channel, the frame column both read, and how their terms are
#: marked: the text as written, and the text without diacritics.
_CHARACTER_TWINS = (("syllables", "chars", "syll", ""),
                    ("accent_free", "accent_free_chars", "plain", "≈"))


def whole_words(terms: list[tuple[str, float]], view: str, mark: str = "") -> list[str]:
    """The one-word terms of a document whose every occurrence in it is that whole word.

    ``view`` is the text both channels read (lower-cased), ``mark`` the prefix of
    their terms (``"≈"`` for the text without diacritics); a word counts whether its
    word term or its character term (``«w»``) is among ``terms``.  For such a word ``w``,
    every character n-gram ``«w»`` of the document (with any spacing) lies on an
    occurrence of the word, so its weight belongs to the word's term.  A run of
    characters also found inside a longer word (``an`` in ``an toàn`` and ``thanh``)
    is not one.

    Examples
    --------
    >>> whole_words([("gạo", 0.3), ("«gạo»", 0.1), ("an", 0.2), ("«tăng»", 0.1),
    ...              ("[likes]", 0.1)], "giá gạo tăng, gạo đâu? an toàn thanh toán")
    ['gạo', 'tăng']
    """
    return _whole([t for t, _ in terms], view, _tokens(view), mark)


def _whole(terms: list[str], view: str, tokens: str, mark: str) -> list[str]:
    """:func:`whole_words` of the terms named ``terms``, with the view's words
    (:func:`_tokens`) given."""
    found: list[str] = []
    for name in terms:
        word = name[len(mark):] if name.startswith(mark) else ""
        if word.startswith("«") and word.endswith("»"):
            word = word[1:-1]
        if (word and word not in found and _WORDS.fullmatch(word)
                and _occurrences(view, word) == _occurrences(tokens, f" {word} ")):
            found.append(word)
    return found


def _word_pairs(union: Any, views: _Views, named: list[list[str]],
                wanted: list[tuple[int, str, str]]) -> list[dict[str, str]]:
    """Make a one-word term and its character n-gram one term, ``gạo`` for ``gạo`` and
    ``«gạo»`` (:func:`whole_words`).

    Returns, per row, ``{term: term it joins}``; asks in ``wanted`` for every spacing of
    the n-gram and for the word, and, when the word's own term is not among the row's
    ``named`` terms, for its accent-free reading where :func:`accent_twins` pairs them.
    """
    joins: list[dict[str, str]] = [{} for _ in named]
    for words_channel, chars_channel, column, mark in _CHARACTER_TWINS:
        if (not views.texts or not _has(union, words_channel)
                or not _hashed(union, chars_channel)):
            continue
        texts = views.texts[column]
        for r, terms in enumerate(named):
            for word in _whole(terms, texts[r], views.tokens(column, r), mark):
                term = f"{mark}{word}"
                joins[r].update({term: term, f"{mark}«{word}»": term})
                wanted += [(r, chars_channel, g) for g in _spacings(word)]
                wanted.append((r, words_channel, word))
                if (term not in terms and not mark
                        and len(texts[r]) == len(views.texts["plain"][r])):
                    for _, free in _twins([word], views.tokens("syll", r),
                                          views.tokens("plain", r)):
                        joins[r][f"≈{free}"] = term
                        wanted.append((r, "accent_free", free))
    return joins
