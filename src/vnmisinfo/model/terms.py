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

__all__ = ["accent_twins", "explained_terms", "whole_words"]

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
    one word, one weight, both channels summed (:func:`accent_twins`); and a character
    n-gram that is a whole word wherever it occurs (``«gạo»``) joins that word's term
    (:func:`whole_words`).
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
        slots = [(r, j, t[len(mark):-1]) for r, row in enumerate(found)
                 for j, (t, _) in enumerate(row) if t.startswith(mark) and t.endswith("»")]
        weights = _exact(union, channel, X, coef, block_of, [r for r, _, _ in slots],
                         [g for _, _, g in slots])
        if weights is not None:
            for (r, j, _), weight in zip(slots, weights.tolist(), strict=True):
                found[r][j] = (found[r][j][0], round(weight, 4))
    views = _Views(frame)
    _merge_accent_free(union, views, X, coef, block_of, found)
    _merge_characters(union, views, X, coef, block_of, found)
    return [sorted(row, key=lambda tw: (-abs(tw[1]), tw[0]))[:k] for row in found]


def _exact(union: Any, channel: str, X: sp.csr_matrix, coef: np.ndarray,
           block_of: np.ndarray | None, rows: list[int], grams: list[str]) -> np.ndarray | None:
    """Exact contribution of n-gram ``grams[i]`` of ``channel`` to row ``rows[i]`` of ``X``.

    A character n-gram counts with every spacing of it (``g``, ``" g"``, ``"g "``,
    ``" g "``), each bucket once; a word n-gram is one column.  None when the
    channel is absent or not hashed.
    """
    where = union.output_indices_.get(channel)
    if where is None or where.stop <= where.start or not rows:
        return None
    vec = _vectorizer(union.named_transformers_[channel])
    if not isinstance(vec, HashedTfidf):
        return None
    chars = vec.analyzer != "word"
    wanted = [[g, f" {g}", f"{g} ", f" {g} "] if chars else [g] for g in grams]
    local = vec.columns_of([v for group in wanted for v in group]).reshape(len(grams), -1)
    col = np.where(local >= 0, local + where.start, -1)
    if block_of is not None:
        col = np.where((col >= 0) & (col < len(block_of)),
                       block_of[np.clip(col, 0, len(block_of) - 1)], -1)
    # one bucket counted once per term, even when two spacings fall into it
    col = np.sort(col, axis=1)
    col[:, 1:][col[:, 1:] == col[:, :-1]] = -1
    slot, which = np.nonzero(col >= 0)
    at = np.asarray(rows, dtype=np.int64)[slot]
    cells = np.asarray(X[at, col[slot, which]]).ravel() if len(slot) else np.zeros(0)
    weights = np.zeros(len(grams))
    np.add.at(weights, slot, cells * coef[col[slot, which]])
    return weights


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
    return _twins(terms, _tokens(syll), _tokens(plain))


def _tokens(text: str) -> str:
    """The words of ``text`` between single spaces, with a space at each end."""
    return f" {' '.join(_WORDS.findall(text))} "


def _twins(terms: list[tuple[str, float]], accented: str, bare: str) -> list[tuple[str, str]]:
    """:func:`accent_twins` on the documents' words (:func:`_tokens`)."""
    if len(accented) != len(bare):
        return []
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


def _merge_accent_free(union: Any, views: _Views, X: sp.csr_matrix, coef: np.ndarray,
                       block_of: np.ndarray | None, found: list[list[tuple[str, float]]]
                       ) -> None:
    """Make a word and its accent-free reading one term, ``mọi người`` (in place).

    Its weight is the exact sum of the syllable n-gram's and the accent-free
    n-gram's contributions, whether or not either was among the strongest.
    Only for hashed ``syllables`` and ``accent_free`` channels, without ``words``.
    """
    if (not views.texts or "words" in union.named_transformers_
            or not _has(union, "syllables", "accent_free")):
        return
    rows, pairs = [], []
    for r, row in enumerate(found):
        if len(views.texts["syll"][r]) == len(views.texts["plain"][r]):
            for pair in _twins(row, views.tokens("syll", r), views.tokens("plain", r)):
                rows.append(r)
                pairs.append(pair)
    if not pairs:
        return
    weights = np.zeros(len(pairs))
    for side, channel in enumerate(("syllables", "accent_free")):
        part = _exact(union, channel, X, coef, block_of, rows, [pair[side] for pair in pairs])
        if part is None:
            return
        weights += part
    _replace(found, rows, [(phrase, {phrase, f"≈{free}"}) for phrase, free in pairs], weights)


def _has(union: Any, *channels: str) -> bool:
    """Whether the fitted union has every one of ``channels``, with columns."""
    return all((w := union.output_indices_.get(c)) is not None and w.stop > w.start
               for c in channels)


def _replace(found: list[list[tuple[str, float]]], rows: list[int],
             merged: list[tuple[str, set[str]]], weights: np.ndarray) -> None:
    """Put term ``merged[i][0]`` with ``weights[i]`` in row ``rows[i]`` in place of the terms
    ``merged[i][1]`` (in place, one pass per row)."""
    by_row: dict[int, list[tuple[str, set[str], float]]] = {}
    for r, (term, drop), weight in zip(rows, merged, weights.tolist(), strict=True):
        by_row.setdefault(r, []).append((term, drop, weight))
    for r, items in by_row.items():
        drop = set().union(*(d for _, d, _ in items))
        found[r] = [tw for tw in found[r] if tw[0] not in drop] + [
            (term, round(weight, 4)) for term, _, weight in items]


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
    return _whole(terms, view, _tokens(view), mark)


def _whole(terms: list[tuple[str, float]], view: str, tokens: str, mark: str) -> list[str]:
    """:func:`whole_words` with the view's words (:func:`_tokens`) given."""
    found: list[str] = []
    for name, _ in terms:
        word = name[len(mark):] if name.startswith(mark) else ""
        if word.startswith("«") and word.endswith("»"):
            word = word[1:-1]
        if (word and word not in found and _WORDS.fullmatch(word)
                and _occurrences(view, word) == _occurrences(tokens, f" {word} ")):
            found.append(word)
    return found


def _merge_characters(union: Any, views: _Views, X: sp.csr_matrix, coef: np.ndarray,
                      block_of: np.ndarray | None, found: list[list[tuple[str, float]]]
                      ) -> None:
    """Make a one-word term and its character n-gram one term, ``gạo`` for ``gạo`` and
    ``«gạo»`` (in place), weighed exactly: the word's term (with its accent-free reading
    where :func:`accent_twins` pairs them) plus every spacing of the n-gram."""
    for words_channel, chars_channel, column, mark in _CHARACTER_TWINS:
        if not views.texts or not _has(union, words_channel, chars_channel):
            continue
        texts = views.texts[column]
        rows: list[int] = []
        words: list[str] = []
        for r, row in enumerate(found):
            for word in _whole(row, texts[r], views.tokens(column, r), mark):
                rows.append(r)
                words.append(word)
        weights = _exact(union, chars_channel, X, coef, block_of, rows, words)
        if weights is None:
            continue
        # a word whose own term is not among the row's: weigh it as the row would show it
        shown = {r: dict(found[r]) for r in set(rows)}
        own = [shown[r].get(f"{mark}{w}") for r, w in zip(rows, words, strict=True)]
        missing = [i for i, v in enumerate(own) if v is None]
        alone = _exact(union, words_channel, X, coef, block_of, [rows[i] for i in missing],
                       [words[i] for i in missing])
        extra = np.zeros(len(words))
        if alone is not None:
            extra[missing] = alone
        if not mark:  # the text as written: its accent-free reading too, where it pairs
            twins = [(i, pair[0][1]) for i in missing
                     if len(texts[rows[i]]) == len(views.texts["plain"][rows[i]])
                     and (pair := _twins([(words[i], 0.0)], views.tokens("syll", rows[i]),
                                         views.tokens("plain", rows[i])))]
            free = _exact(union, "accent_free", X, coef, block_of,
                          [rows[i] for i, _ in twins], [f for _, f in twins])
            if free is not None:
                extra[[i for i, _ in twins]] += free
        weights += extra + np.array([v or 0.0 for v in own])
        _replace(found, rows, [(f"{mark}{w}", {f"{mark}{w}", f"{mark}«{w}»"}) for w in words],
                 weights)
