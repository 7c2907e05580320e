"""How the narrative index sees text: normalized views, sentence pieces and TF-IDF vectors.

Every text has two views: normalized and lower-cased
(:func:`~vnmisinfo.text.normalize.normalize_text`), and the same without
diacritics (:func:`~vnmisinfo.text.normalize.strip_diacritics`).  Texts are
scored piece by piece (a text of one sentence and fewer than three words, such as a
name alone, has none: it asserts nothing): sentences and, in a text of up to five
sentences (a post),
pairs of neighbouring sentences and, for a three-sentence text, the whole text.  A
longer text (an article) is compared sentence by sentence: its pairs doubled the
cost of matching it and found no claim that its sentences miss.  Vectors are
log-scaled counts times IDF, normalized per vectorizer and weighted so that the
dot product of two texts is a weighted cosine.

Examples
--------
>>> _views("Uống NƯỚC chanh")
('uống nước chanh', 'uong nuoc chanh')
>>> _pieces("Bill Gates"), _pieces("5G lây covid")
(([], []), (['5G lây covid'], [(0,)]))
>>> _pieces("Một hai ba. Bốn năm sáu. Bảy")[1]
[(0,), (1,), (0, 1), (1, 2), (0, 1, 2)]
>>> _pieces("Một hai ba. Bốn năm sáu. Bảy tám chín. Mười một hai. Ba bốn năm. Sáu bảy tám.")[1]
[(0,), (1,), (2,), (3,), (4,), (5,)]
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp

from vnmisinfo.data.schema import is_missing
from vnmisinfo.model.vocabulary import HashedCounts
from vnmisinfo.text.accents import marked_word_count
from vnmisinfo.text.hashtags import normalize_for_model
from vnmisinfo.text.normalize import strip_diacritics
from vnmisinfo.text.sentences import split_sentences

__all__: list[str] = []

_MAX_SENTENCES = 300
_MIN_WORDS = 3
#: Texts of up to this many sentences also score each pair of neighbouring sentences.
_PAIRS_UP_TO = 5
_WORD_RE = re.compile(r"\w+")


# ---------------------------------------------------------------------------
# Text views and pieces
# ---------------------------------------------------------------------------


def _views(text: str) -> tuple[str, str]:
    """(normalized lower-case text, accent-free copy); a hashtag, and words joined by
    underscores, read as their words, as the classifier reads them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = normalize_for_model(text).lower()
    return norm, strip_diacritics(norm)


def _word_counts(norm_lower: str) -> list[int]:
    """``[words, words with diacritics]``; marks outside words (emoji, quotes) do not count."""
    words = _WORD_RE.findall(norm_lower)
    return [len(words), marked_word_count(" ".join(words))]


def _pieces(text: str) -> tuple[list[str], list[tuple[int, ...]]]:
    """Sentences of a text and the pieces scored: sentences, pairs in short texts, and a
    three-sentence text whole."""
    sentences = split_sentences(text)[:_MAX_SENTENCES]
    if len(sentences) <= 1:  # fewer than three words ("Bill Gates") assert nothing
        # counted as written, then normalized (words joined by blank characters)
        if all(len(_WORD_RE.findall(t)) < _MIN_WORDS for t in (text, _views(text)[0])):
            return [], []
        return ([text.strip()], [(0,)]) if text.strip() else ([], [])
    pieces: list[tuple[int, ...]] = [
        (i,) for i, s in enumerate(sentences) if len(_WORD_RE.findall(s)) >= _MIN_WORDS
    ]
    if len(sentences) <= _PAIRS_UP_TO:
        pieces += [(i, i + 1) for i in range(len(sentences) - 1)]
    if len(sentences) == 3:
        pieces.append((0, 1, 2))
    return sentences, pieces


def _layout(texts: Iterable[Any]) -> tuple[list[str], list[int], list[int], list[list[str]],
                                            list[int]]:
    """Sentences of all texts, the (piece, sentence) pairs that sum them, each text's pieces,
    and the text of each sentence.

    ``None`` and NaN texts are empty; anything else that is not a str is an error.
    """
    sentences: list[str] = []
    rows: list[int] = []
    cols: list[int] = []
    piece_texts: list[list[str]] = []
    text_of: list[int] = []
    n_rows = 0
    for i, t in enumerate(texts):
        if is_missing(t):
            t = ""
        if not isinstance(t, str):
            raise TypeError(f"each text must be a str; got {type(t).__name__}.")
        sents, pieces = _pieces(t)
        base = len(sentences)
        sentences += sents
        text_of += [i] * len(sents)
        texts_here: list[str] = []
        for piece in pieces:
            row = n_rows + len(texts_here)
            for j in piece:
                rows.append(row)
                cols.append(base + j)
            texts_here.append(" ".join(sents[j] for j in piece))
        piece_texts.append(texts_here)
        n_rows += len(texts_here)
    return sentences, rows, cols, piece_texts, text_of


def rebuttal_sentences(rebuttals: list[str]) -> tuple[list[str], list[int]]:
    """The sentences of each narrative's rebuttal (at least three words), and their owner.

    A narrative whose rebuttal has no such sentence is represented by the whole text.

    Examples
    --------
    >>> rebuttal_sentences(["Sai. Nước chanh không diệt virus.", "Không có quy định này."])
    (['Nước chanh không diệt virus.', 'Không có quy định này.'], [0, 1])
    """
    sentences: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(rebuttals):
        found = [s for s in split_sentences(text) if len(_WORD_RE.findall(s)) >= _MIN_WORDS]
        for s in found or ([text] if text.strip() else []):
            sentences.append(s)
            owner.append(i)
    return sentences, owner


def fit_weights(index: Any, docs: list[str], rebuttals: list[str],
                background: Iterable[str] | None
                ) -> tuple[list[sp.csr_matrix], tuple[list[str], list[str]]]:
    """Fit an index's vocabularies and IDF weights, on its documents and rebuttal sentences.

    Sets ``vectorizers_``, ``n_background_``, ``idf_`` and the rebuttal vectors
    (``rebut_acc_``, ``rebut_free_``, ``rebut_owner_``); returns the raw counts
    and the two views of the documents.
    """
    for cached in ("_columns", "_dense"):  # built from the vectors of an earlier fit
        index.__dict__.pop(cached, None)
    sentences, owner = rebuttal_sentences(rebuttals)
    acc, free = (list(v) for v in zip(*(_views(d) for d in docs + sentences), strict=True))
    bg_acc, bg_free = _background_views(background)
    index.vectorizers_ = _new_vectorizers(index.char_ngram_range)
    index.n_background_ = len(bg_acc)
    index.idf_, counts = _fit_idf(index.vectorizers_, acc, free, bg_acc, bg_free)
    n = len(docs)
    index.rebut_acc_, index.rebut_free_ = _weigh([c[n:] for c in counts], index.idf_,
                                                 index.char_weight)
    index.rebut_owner_ = np.asarray(owner, dtype=np.int64)
    return [sp.csr_matrix(c[:n]) for c in counts], (acc[:n], free[:n])


def _background_views(background: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """Both views of every sentence of the background texts."""
    bg_acc: list[str] = []
    bg_free: list[str] = []
    if background is None:
        return bg_acc, bg_free
    if isinstance(background, str):
        raise TypeError("background: iterable over raw text documents expected, string "
                        "object received; wrap it in a list.")
    for text in background:
        for sentence in split_sentences(text if isinstance(text, str) else ""):
            a, f = _views(sentence)
            bg_acc.append(a)
            bg_free.append(f)
    return bg_acc, bg_free


def _entity_key(name: str) -> str:
    """An entity name as accent-free lower-case words, for comparing names."""
    return " ".join(_WORD_RE.findall(strip_diacritics(name).lower()))


# ---------------------------------------------------------------------------
# Vectors
# ---------------------------------------------------------------------------


def _new_vectorizers(char_ngram_range: tuple[int, int]) -> list[HashedCounts]:
    """Word and character counters for the accented view, then for the accent-free view."""
    # raw counts (no idf, no norm): the counts of sentence pairs are sums of sentence
    # counts, so every sentence is analysed once; idf and norms are applied in _weigh
    word = {"analyzer": "word", "ngram_range": (1, 2)}
    char = {"analyzer": "char_wb", "ngram_range": tuple(char_ngram_range)}
    return [HashedCounts(**kw) for kw in (word, char, word, char)]  # type: ignore[arg-type]


def _fit_idf(vectorizers: list[Any], acc: list[str], free: list[str],
             bg_acc: list[str], bg_free: list[str]) -> tuple[list[np.ndarray],
                                                          list[sp.csr_matrix]]:
    """Fit the vocabularies on the catalogue; IDF also counts background sentences.

    Returns the IDF weights and the raw counts of the catalogue documents, per vectorizer.
    """
    idf: list[np.ndarray] = []
    counts: list[sp.csr_matrix] = []
    views = ((acc, bg_acc), (acc, bg_acc), (free, bg_free), (free, bg_free))
    for vec, (texts, bg) in zip(vectorizers, views, strict=True):
        c = sp.csr_matrix(vec.fit_transform(texts))
        df = np.bincount(c.indices, minlength=c.shape[1]).astype(np.float64)
        n_docs = c.shape[0] + len(bg)
        if bg:
            b = sp.csr_matrix(vec.transform(bg))
            df += np.bincount(b.indices, minlength=c.shape[1])
        idf.append(np.log((1 + n_docs) / (1 + df)) + 1.0)
        counts.append(c)
    return idf, counts


def _keyword_weights(vectorizer: Any, free_words: sp.csr_matrix,
                     by_narr: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Accent-free word unigrams of each narrative weighted by IDF (narratives x terms)."""
    if hasattr(vectorizer, "orders_"):
        unigram = (vectorizer.orders_ == 1).astype(float)
    else:  # a vocabulary from an older index file
        unigram = np.zeros(free_words.shape[1])
        for term, col in vectorizer.vocabulary_.items():
            unigram[col] = 0.0 if " " in term else 1.0
    present = sp.csr_matrix((by_narr @ free_words) > 0, dtype=np.float64)
    return sp.csr_matrix(present @ sp.diags(unigram * idf))


def _l2(matrix: Any) -> sp.csr_matrix:
    """Rows scaled to unit length (zero rows stay zero), scaling the stored values in place."""
    matrix = sp.csr_matrix(matrix, copy=True)
    norms = np.sqrt(np.bincount(np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr)),
                                weights=matrix.data ** 2, minlength=matrix.shape[0]))
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
    return matrix


def _weigh(counts: list[sp.csr_matrix], idf: list[np.ndarray],
           char_weight: float) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Counts -> (accented, accent-free) vectors; their dot product is a weighted cosine."""
    cw = float(char_weight)
    blocks = []
    for c, weights, w in zip(counts, idf, (1 - cw, cw, 1 - cw, cw), strict=True):
        c = sp.csr_matrix(c, dtype=np.float64, copy=True)
        np.log1p(c.data, out=c.data)
        c.data *= weights[c.indices]
        c = _l2(c)
        c.data *= math.sqrt(w)
        blocks.append(c)
    return (sp.hstack(blocks[:2], format="csr"), sp.hstack(blocks[2:], format="csr"))


def _float32(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """A float32 copy of a CSR matrix as it is (``astype`` would sort its indices first)."""
    return sp.csr_matrix((matrix.data.astype(np.float32), matrix.indices, matrix.indptr),
                         shape=matrix.shape)


_DENSE_FROM = 512  # pieces from which dense catalogue columns pay for their building


def _columns(index: Any) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The catalogue documents' vectors, then the rebuttal sentences' (accented, accent-free)."""
    found = index.__dict__.get("_columns")
    if found is None:
        rebut = index.__dict__.get("rebut_acc_")
        found = ((index.docs_acc_, index.docs_free_) if rebut is None else
                 (sp.vstack([index.docs_acc_, rebut], format="csr"),
                  sp.vstack([index.docs_free_, index.rebut_free_], format="csr")))
        index.__dict__["_columns"] = found
    return found


def _n_words(vectorizer: Any) -> int:
    """Columns of a word counter (a 0.2 index holds a vocabulary dict instead of hashes)."""
    return len(vectorizer.hashes_) if hasattr(vectorizer, "hashes_") else len(
        vectorizer.vocabulary_)


def dense_docs(index: Any) -> list[tuple[int, sp.csr_matrix, np.ndarray]]:
    """The catalogue's vectors (documents, then rebuttal sentences), per view, as products
    take them: the word block sparse, the character block as dense float32 columns.

    Returns ``(n_words, words, chars)`` for the accented then the accent-free view.  A
    sparse-dense product is quicker than a sparse-sparse one for character n-grams, which
    most documents share; word n-grams are rare across documents, so their sparse product
    is cheap and their dense columns would only take memory.  Built once per process,
    never stored.
    """
    found = index.__dict__.get("_dense")
    if found is None:
        found = []
        for matrix, vec in zip(_columns(index), (index.vectorizers_[0], index.vectorizers_[2]),
                               strict=True):
            n = _n_words(vec)
            # C order: scipy's sparse-dense product would copy a Fortran-ordered array each time
            found.append((n, sp.csr_matrix(matrix[:, :n].T),
                          np.ascontiguousarray(matrix[:, n:].T.astype(np.float32).toarray())))
        index.__dict__["_dense"] = found
    return found


def doc_products(index: Any, x: sp.csr_matrix, view: int, n_pieces: int) -> np.ndarray:
    """Dot products of pieces with every catalogue document and then every rebuttal sentence,
    in one view (0: accented, 1: accent-free), as float64.

    ``n_pieces`` is the size of the batch the rows come from: small batches (a single
    post) take sparse products; large ones take the columns of :func:`dense_docs`, built
    once per process, which are quicker per piece but cost a moment to build.
    """
    if n_pieces < _DENSE_FROM:
        return (x @ _columns(index)[view].T).toarray()
    n, words, chars = dense_docs(index)[view]
    x = sp.csr_matrix(x)
    return (x[:, :n] @ words).toarray() + np.asarray(_float32(x[:, n:]) @ chars,
                                                     dtype=np.float64)


def piece_scores(index: Any, x_acc: sp.csr_matrix, x_free: sp.csr_matrix,
                 words: np.ndarray) -> np.ndarray:
    """Similarity of each piece to each catalogue document, then to each rebuttal sentence.

    A piece with diacritics on at least a fifth of its words (``words``: rows of
    ``[words, words with diacritics]``) blends the accented view (``accent_weight``) with
    the accent-free one; any other piece is compared on the accent-free view alone, so its
    accented products are never computed.
    """
    n = x_free.shape[0]
    scores = doc_products(index, x_free, 1, n)
    marked = np.flatnonzero(words[:, 1] >= 0.2 * np.maximum(words[:, 0], 1))
    if marked.size:
        a = float(index.accent_weight)
        scores[marked] = (a * doc_products(index, x_acc[marked], 0, n)
                          + (1 - a) * scores[marked])
    return scores


def rebuttal_scores(index: Any, scores: np.ndarray) -> np.ndarray | None:
    """Similarity of each piece to each narrative's rebuttal (pieces x narratives).

    ``scores`` are the pieces' similarities to the documents and then the
    rebuttal sentences (:func:`doc_products`, combined); the best rebuttal
    sentence counts.  None for an index without rebuttal vectors (one written
    before they were kept).
    """
    if index.__dict__.get("rebut_acc_") is None:
        return None
    scores = scores[:, len(index.doc_owner_):]
    out = np.zeros((scores.shape[0], len(index.narratives_)))
    owner = np.asarray(index.rebut_owner_, dtype=np.int64)
    if len(owner):
        starts = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
        out[:, owner[starts]] = np.maximum.reduceat(scores, starts, axis=1)
    return np.clip(out, 0.0, 1.0)


def _by_narrative(owner: np.ndarray, n_narratives: int) -> sp.csr_matrix:
    """(narratives x documents) 0/1 matrix: which documents belong to which narrative."""
    return sp.csr_matrix((np.ones(len(owner)), (owner, np.arange(len(owner)))),
                         shape=(n_narratives, len(owner)))


def entity_overlap(index: Any, j: int, sentence: str, cache: dict[str, set[str]]) -> float:
    """1.0 when ``sentence`` names an entity listed for narrative ``j`` (underthesea ``ner``,
    cached per sentence in ``cache``), else 0.0."""
    from vnmisinfo.text.entities import entities

    keys = index.entity_keys_[j]
    if not keys or not sentence:
        return 0.0
    if sentence not in cache:
        cache[sentence] = {_entity_key(name) for name, _ in entities(sentence)}
    found = cache[sentence]
    hit = any(k == f or (len(f) > 2 and (f in k or k in f)) for k in keys for f in found)
    return 1.0 if hit else 0.0


# ---------------------------------------------------------------------------
# Stored state
# ---------------------------------------------------------------------------

#: Plain-data attributes stored as one JSON string each: skops builds every list item as a
#: node of its own, which made loading slow.
_JSON_STATE = ("narratives_", "entity_keys_", "fit_report_")


def _text_list(texts: Iterable[Any]) -> list[Any]:
    if isinstance(texts, str):
        raise TypeError("Iterable over raw text documents expected, string object received; "
                        "use match_one(text) or wrap it in a list.")
    return list(texts)


def stored_state(index: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The state of a narrative index as it is written to a model file."""
    from sklearn.base import clone

    for cached in ("_columns", "_dense"):  # rebuilt on first use
        state.pop(cached, None)
    for name in _JSON_STATE:
        if name in state:
            state[name + "json_"] = json.dumps(state.pop(name), ensure_ascii=False)
    vectorizers = state.get("vectorizers_")
    if vectorizers and hasattr(vectorizers[0], "vocabulary_"):  # an index built by 0.2
        state["vectorizers_"] = [clone(v) for v in vectorizers]
        state["vocabularies_"] = ["\n".join(sorted(v.vocabulary_, key=v.vocabulary_.get))
                                  for v in vectorizers]
    stance_vec = state.get("stance_vectorizer_")
    if stance_vec is not None and hasattr(stance_vec, "vocabulary_"):
        state["stance_vectorizer_"] = clone(stance_vec)
        state["stance_vocabulary_"] = "\n".join(
            sorted(stance_vec.vocabulary_, key=stance_vec.vocabulary_.get))
    return state


def split_state(state: dict[str, Any]) -> tuple[dict[str, Any], Any, Any]:
    """A stored state, its plain data decoded, and the vocabularies of a 0.2 index apart."""
    state = dict(state)
    for name in _JSON_STATE:
        if name + "json_" in state:
            state[name] = json.loads(state.pop(name + "json_"))
    return state, state.pop("vocabularies_", None), state.pop("stance_vocabulary_", None)


def restore_vocabularies(index: Any, vocabularies: Any, stance_terms: Any) -> None:
    """Rebuild the vocabulary dicts of an index written by 0.2."""
    from sklearn.base import clone

    if stance_terms is not None:
        vocab = {t: i for i, t in enumerate(stance_terms.split("\n"))}
        index.stance_vectorizer_ = clone(index.stance_vectorizer_).set_params(
            vocabulary=vocab).fit([""])
    if vocabularies is not None:
        fitted = []
        for vec, terms in zip(index.vectorizers_, vocabularies, strict=True):
            vocab = {t: i for i, t in enumerate(terms.split("\n"))} if terms else {"": 0}
            fitted.append(clone(vec).set_params(vocabulary=vocab).fit([""]))
        index.vectorizers_ = fitted
