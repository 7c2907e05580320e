"""The match decision: features of a text's best match, the learned verifier, the threshold.

An index fitted without negatives matches on the similarity alone.  Fitted
with negatives (texts that repeat no narrative), it learns a logistic
regression on :data:`FEATURES` of a text's best-scoring narrative.  Besides
how similar the text is (similarity, margin over the runner-up, z-score over
all narratives, shared keywords), the features say whether the text *asserts*
the claim or only reports, warns about or refutes it:

* ``coverage``: share of the narrative's distinctive words (accent-free words
  found in at least two of its claim and variants, weighted by IDF) present in
  the best piece;
* ``number_agree`` / ``number_conflict``: the piece gives a figure of the
  narrative, or gives figures while the narrative has others (a text quoting
  a different figure from the false one is evidence against);
* ``negation``, ``debunk``, ``reporting``, ``assertive``: stance cues
  (:func:`vnmisinfo.text.stance.cue_counts`) in the best piece beyond those
  the narrative's own wording holds, and ``negation_text``, ``debunk_text``
  the same over the whole text;
* ``stance_text``: probability, from a logistic regression over the accent-free
  word uni- and bigrams of the whole text, that the text asserts a claim
  rather than warns about, refutes, corrects or reports it (fitted on the
  positives against the near misses; out of fold for the rows it was fitted on);
* ``rebuttal``, ``rebuttal_gap``: how similar the text's closest piece is to
  the narrative's *rebuttal* (the true facts the catalogue gives against the
  claim), and the best piece's similarity to the claim minus that.  A true
  statement or a correction on the claim's topic is closer to its rebuttal
  than to the claim; a text that asserts the claim is not;
* ``stance_piece``: the same kind of stance model as ``stance_text``, over the
  words of the best piece only (fitted on the best pieces of the positives
  and near misses): in a long article, the sentence that relays the claim
  rather than the article around it.  It reads only the piece's words that
  the narrative's own claim and variants do not hold
  (``stance_claim_words_``): what the text says *around* the claim ("tin
  đồn", "không đúng", "chia sẻ ngay"), not the claim's topic, which asserting
  and refuting texts share;
* ``falsity_text``: cues anywhere in the text that call a claim false outright
  (:data:`vnmisinfo.text.stance.FALSITY`: "tin giả", "sai sự thật", "bác bỏ"...),
  log-scaled;
* ``quoted_text``: pairs of quotation marks in the text, log-scaled: a text that
  puts the claim in quotation marks often distances itself from it;
* ``warning_text``: words that tell readers not to believe, share or act on
  something (:data:`vnmisinfo.text.stance.WARNING_MARKED`: "đừng", "không nên",
  "cúp máy"...), log-scaled.

Positives are the catalogue's own claims and variants, each scored with
itself left out of the index (and out of its narrative's word, figure and cue
profile), and, when given, rewordings that assert a narrative the way posts
do (``corpora/narratives/train_reworded.jsonl``), scored like any input text;
negatives are the given texts.  The threshold on the match probability is
chosen out of fold (:func:`vnmisinfo.narratives.fitting.pick_threshold`).  Every feature is
computed for the whole batch with sparse products and one regex pass per cue
class; nothing here parses a sentence.

Examples
--------
>>> import numpy as np
>>> sim = np.array([[0.9, 0.2, 0.1]])
>>> zero = np.zeros((1, 3))
>>> feats = _assemble(sim, zero, zero, zero, zero, np.zeros((1, 3, 4)), np.zeros((1, 4)),
...                   zero, np.zeros((3, 4)), np.zeros(1))
>>> feats.shape, round(float(feats[0, 0, 1]), 2)
((1, 3, 20), 0.7)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from vnmisinfo.narratives.vectors import _by_narrative, _l2, _layout, _views
from vnmisinfo.text.stance import (
    CUE_CLASSES,
    cue_counts,
    falsity_counts,
    find_figures,
    find_numbers,
    quote_counts,
    warning_counts,
)

if TYPE_CHECKING:
    from vnmisinfo.narratives.index import NarrativeIndex

__all__ = ["DECISION_FEATURES", "FEATURES", "FIGURE_CATEGORIES", "RANK_FLOOR", "SHORTLIST",
           "figure_conflicts", "rank_narratives"]

#: Inputs of the learned match decision, in order.
FEATURES = ("similarity", "margin", "zscore", "keywords", "coverage", "number_agree",
            "number_conflict", "negation", "debunk", "reporting", "assertive",
            "negation_text", "debunk_text", "stance_text", "rebuttal", "rebuttal_gap",
            "stance_piece", "falsity_text", "quoted_text", "warning_text")

#: The features a newly fitted decision reads, in order: the first :data:`_N_RELEVANCE`
#: feed the relevance verifier, the others the stance verifier.  ``stance_text`` is only
#: read by indexes written by 0.3 and before (whose ``decision_features_`` are
#: ``FEATURES[:14]``): over a long article, the article around the claim drowned the
#: sentence that relays it.
DECISION_FEATURES = tuple(n for n in FEATURES if n != "stance_text")
_N_RELEVANCE = 5

#: Folds of the out-of-fold threshold choice (grouped by narrative).
_FOLDS = 5

_NEG, _DEBUNK, _REPORT, _ASSERT = (CUE_CLASSES.index(c) for c in
                                   ("negation", "debunk", "reporting", "assertive"))


# ---------------------------------------------------------------------------
# What the narratives look like: distinctive words, figures, cue baseline
# ---------------------------------------------------------------------------


def _number_matrix(texts: Sequence[str], vocabulary: dict[str, int]) -> tuple[sp.csr_matrix,
                                                                            np.ndarray]:
    """(texts x figures) presence of the vocabulary's figures, and all figures per text."""
    numbers, where = find_numbers(texts)
    total = np.bincount(np.asarray(where, dtype=np.int64), minlength=len(texts)).astype(float)
    cols = np.array([vocabulary.get(n, -1) for n in numbers], dtype=np.int64)
    rows = np.asarray(where, dtype=np.int64)[cols >= 0]
    cols = cols[cols >= 0]
    matrix = sp.csr_matrix((np.ones(len(cols)), (rows, cols)),
                           shape=(len(texts), max(len(vocabulary), 1)))
    return sp.csr_matrix(matrix > 0, dtype=np.float64), total


def _profile(index: NarrativeIndex, acc: list[str], free: list[str], owner: np.ndarray,
             present: sp.csr_matrix) -> None:
    """Set the narrative profile used by the decision features on a fitting index.

    ``core_`` (narratives x accent-free words, IDF of the words found in two or
    more of a narrative's documents), ``numbers_`` and ``narrative_numbers_``
    (documents of each narrative that give each figure), ``narrative_cues_``
    (most cues of each class in one of the narrative's documents).
    """
    n_narr = int(owner.max()) + 1 if owner.size else 0
    by_narr = _by_narrative(owner, n_narr)
    weight = np.asarray(index.keywords_.max(axis=0).todense()).ravel()
    index.core_ = sp.csr_matrix(sp.csr_matrix((by_narr @ present) >= 2, dtype=np.float64)
                                .multiply(weight[None, :]))
    found, _ = find_numbers(acc)
    index.numbers_ = sorted(set(found))
    doc_numbers, _ = _number_matrix(acc, {n: i for i, n in enumerate(index.numbers_)})
    index.narrative_numbers_ = sp.csr_matrix(by_narr @ doc_numbers)
    cues = cue_counts(free)
    narr_cues = np.zeros((n_narr, len(CUE_CLASSES)))
    np.maximum.at(narr_cues, owner, cues)
    index.narrative_cues_ = narr_cues


# ---------------------------------------------------------------------------
# Evidence of a batch of texts, and the features of its best pieces
# ---------------------------------------------------------------------------


@dataclass
class _Evidence:
    """Per piece (rows) and narrative (columns) evidence of a batch of texts."""

    scores: np.ndarray      # similarity
    kw: np.ndarray          # IDF mass of shared keywords
    cover: np.ndarray       # share of the narrative's distinctive words present
    agree: np.ndarray       # 1 if the piece gives one of the narrative's figures
    numbers: np.ndarray     # figures in each piece
    cues: np.ndarray        # (pieces x cue classes)
    text_cues: np.ndarray   # (texts x cue classes)
    offsets: np.ndarray     # pieces of text i are offsets[i]:offsets[i + 1]
    text_stance: np.ndarray | None = None  # (texts,) probability that the text asserts
    rebut: np.ndarray | None = None        # similarity to each narrative's rebuttal
    piece_stance: np.ndarray | None = None  # (pieces[, narratives]) probability of asserting
    falsity: np.ndarray | None = None       # (texts,) cues that call a claim false
    quotes: np.ndarray | None = None        # (texts,) quotation marks
    warnings: np.ndarray | None = None      # (texts,) words of a warning
    conflict: np.ndarray | None = None      # a figure against the narrative's (figure_conflicts)


def _piece_evidence(index: NarrativeIndex, acc: list[str], free: list[str],
                    agg: sp.csr_matrix, text_agg: sp.csr_matrix, present: sp.csr_matrix,
                    scores: np.ndarray, kw: np.ndarray, offsets: np.ndarray,
                    rebut: np.ndarray | None = None) -> _Evidence:
    """Evidence of every piece from its sentences' views (``agg``: pieces x sentences)."""
    mass = np.asarray(index.core_.sum(axis=1)).ravel()
    cover = (present @ index.core_.T).toarray() / np.maximum(mass, 1e-9)[None, :]
    vocab = {n: i for i, n in enumerate(index.numbers_)}
    sent_numbers, sent_total = _number_matrix(acc, vocab)
    piece_numbers = sp.csr_matrix(agg @ sent_numbers)
    agree = ((piece_numbers @ index.narrative_numbers_.T).toarray() > 0).astype(float)
    sent_cues = cue_counts(free).astype(float)
    vec = getattr(index, "stance_vectorizer_", None)
    words = None if vec is None else vec.transform(free)
    return _Evidence(scores=scores, kw=kw, cover=cover, agree=agree,
                     numbers=agg @ sent_total, cues=np.asarray(agg @ sent_cues),
                     text_cues=np.asarray(text_agg @ sent_cues), offsets=offsets,
                     text_stance=_model_stance(index, "stance_text_model_", words, text_agg),
                     rebut=rebut,
                     piece_stance=_piece_stance(index, words, agg),
                     falsity=np.asarray(text_agg @ falsity_counts(acc, folded=free), dtype=float),
                     quotes=np.asarray(text_agg @ quote_counts(acc), dtype=float),
                     warnings=np.asarray(text_agg @ warning_counts(acc), dtype=float),
                     conflict=figure_conflicts(index.narratives_, free, agg))


#: Kinds of narrative whose claim is a figure: a text that gives another figure in the same
#: unit, and not the narrative's, does not assert it (see :func:`figure_conflicts`).
FIGURE_CATEGORIES = ("fabricated_statistics", "finance_rumour")


def figure_conflicts(narratives: Sequence[dict], sentences: list[str],
                     agg: sp.csr_matrix) -> np.ndarray:
    """Whether each piece gives a figure against each narrative's.

    For a narrative of :data:`FIGURE_CATEGORIES` whose claim and variants give figures
    with a unit (:func:`~vnmisinfo.text.stance.find_figures`), a piece conflicts when
    it gives a figure in that unit and none within 5% of the narrative's: "RON95 còn
    21.000 đồng/lít" against petrol at 50.000 đồng, "1,4 triệu người nhiễm bệnh" against
    a population of 150 triệu người.  The narrative's figure as "50k", or a figure
    without a unit, never conflicts.

    Parameters
    ----------
    narratives : sequence of dict
        Catalogue entries (``category``, ``claim``, ``variants``).
    sentences : list of str
        The sentences of the batch; ``agg`` (pieces x sentences) sums them to pieces.

    Returns
    -------
    ndarray of bool, shape (n_pieces, n_narratives)

    Examples
    --------
    >>> petrol = {"category": "finance_rumour", "claim": "Xăng đã lên 50.000 đồng/lít",
    ...           "variants": []}
    >>> figure_conflicts([petrol], ["Xăng còn 21.000 đồng/lít", "Xăng 50.000 đồng/lít",
    ...                              "Xăng tăng mạnh"], sp.identity(3, format="csr")).ravel()
    array([ True, False, False])
    """
    docs = [(j, d) for j, n in enumerate(narratives) if n.get("category") in FIGURE_CATEGORIES
            for d in (n["claim"], *n.get("variants", ()))]
    conflict = np.zeros((agg.shape[0], len(narratives)), dtype=bool)
    if not docs or not agg.shape[0]:
        return conflict
    n_values, n_units, n_doc = find_figures([d for _, d in docs])
    n_owner = np.array([j for j, _ in docs], dtype=np.int64)[n_doc]
    values, units, sentence = find_figures(sentences)
    unit_of, n_unit_of = np.array(units), np.array(n_units)
    for unit in set(n_units) & set(units):
        mine, theirs = unit_of == unit, n_unit_of == unit
        v, w = values[mine][:, None], n_values[theirs][None, :]
        close = np.abs(v - w) <= 0.05 * np.maximum(v, w)  # (figures x narrative figures)
        hit = np.nonzero(close)
        agree = sp.csr_matrix((np.ones(len(hit[0])), (sentence[mine][hit[0]],
                                                       n_owner[theirs][hit[1]])),
                              shape=(len(sentences), len(narratives)))
        has = np.bincount(sentence[mine], minlength=len(sentences)) > 0
        claims = np.bincount(n_owner[theirs], minlength=len(narratives)) > 0
        piece_has = np.asarray(agg @ has.astype(float)).ravel() > 0
        piece_agree = (agg @ agree).toarray() > 0
        conflict |= piece_has[:, None] & claims[None, :] & ~piece_agree
    return conflict


def _presence(agg: sp.csr_matrix, words: Any) -> sp.csr_matrix:
    """(rows x stance vocabulary) word presence of texts or pieces summed from sentences."""
    return sp.csr_matrix(sp.csr_matrix(agg @ words) > 0, dtype=np.float64)


def _stance_model_proba(model: Any, counts: sp.csr_matrix) -> np.ndarray:
    if not counts.shape[0]:
        return np.zeros(0)
    return np.asarray(model.predict_proba(_l2(counts))[:, 1])


def _model_stance(index: NarrativeIndex, name: str, words: Any,
                  agg: sp.csr_matrix) -> np.ndarray | None:
    """Probability that each row of ``agg`` (texts or pieces) asserts a claim, by the stance
    model ``name`` from the sentences' stance-vocabulary counts ``words`` (None without it)."""
    model = getattr(index, name, None)
    if words is None or model is None:
        return None
    return _stance_model_proba(model, _presence(agg, words))


def _piece_stance(index: NarrativeIndex, words: Any, agg: sp.csr_matrix) -> np.ndarray | None:
    """The stance piece model's probabilities: per piece and narrative, from the words around
    each claim (:func:`_claim_free_stance`), or per piece from all its words (indexes without
    ``stance_claim_words_``); None without the model."""
    if words is not None and getattr(index, "stance_claim_words_", None) is not None:
        return _claim_free_stance(index, words, agg)
    return _model_stance(index, "stance_piece_model_", words, agg)


def _claim_free_stance(index: NarrativeIndex, words: Any, agg: sp.csr_matrix) -> np.ndarray:
    """(pieces x narratives) probability that each piece asserts each narrative's claim, from
    the piece's words that the narrative's claim and variants do not hold.

    The stance piece model is linear over L2-normalized word presence, so the score of a
    piece with the narrative's words taken out is, for all narratives at once,
    ``(x @ w - (x * w) @ N.T) / sqrt(|x| - x @ N.T) + b``: two sparse products per batch.
    A piece left with no word gets the intercept, as an empty vector does.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sklearn.linear_model import LogisticRegression
    >>> x = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]))
    >>> model = LogisticRegression().fit(_l2(x), [0, 1])
    >>> claim = sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
    >>> index = SimpleNamespace(stance_piece_model_=model, stance_claim_words_=claim)
    >>> p = _claim_free_stance(index, x, sp.identity(2, format="csr"))
    >>> out = x - x.multiply(claim[[1]])  # the second narrative's words taken out
    >>> bool(np.allclose(p[:, 1], model.predict_proba(_l2(out))[:, 1]))
    True
    """
    model = index.stance_piece_model_
    claim = sp.csr_matrix(index.stance_claim_words_, dtype=np.float64)
    x = _presence(agg, words)
    if not x.shape[0]:
        return np.zeros((0, claim.shape[0]))
    w = np.asarray(model.coef_, dtype=np.float64).ravel()
    whole = np.asarray(x @ w).ravel()
    inside = sp.csr_matrix(x.multiply(w[None, :])) @ claim.T
    left = np.asarray(x.sum(axis=1)).ravel()[:, None] - (x @ claim.T).toarray()
    logit = np.where(left > 0, (whole[:, None] - inside.toarray())
                     / np.sqrt(np.maximum(left, 1.0)), 0.0) + float(model.intercept_[0])
    return np.asarray(expit(logit))


def _new_stance_vectorizer() -> Any:
    from vnmisinfo.model.vocabulary import HashedCounts

    return HashedCounts(analyzer="word", ngram_range=(1, 2), min_df=2)


def _text_counts(index: NarrativeIndex, texts: list[str]) -> sp.csr_matrix:
    """Stance-vocabulary presence of whole texts, laid out as at scoring time."""
    sentences, _, _, _, text_of = _layout(texts)
    free = [_views(t)[1] for t in sentences] or [""]
    text_agg = sp.csr_matrix((np.ones(len(text_of)), (np.asarray(text_of, dtype=np.int64),
                                                      np.arange(len(text_of)))),
                             shape=(len(texts), len(free)))
    return _presence(text_agg, index.stance_vectorizer_.transform(free))


def _best_pieces(ev: _Evidence) -> dict[str, np.ndarray]:
    """For every text and narrative, the evidence of the text's best piece for it.

    Returns (texts x narratives) arrays ``sim``, ``kw``, ``cover``, ``agree``,
    ``conflict`` (:func:`figure_conflicts`),
    ``numbers``, ``where`` (piece within the text), ``rebut`` (the text's best
    rebuttal similarity, over all pieces), ``stance`` (the best piece's stance
    probability, 0.5 without a piece model), ``cues`` (texts x
    narratives x classes) and ``has_pieces`` (texts,).
    """
    n_texts = len(ev.offsets) - 1
    n_narr = ev.scores.shape[1]
    pick = np.zeros((n_texts, n_narr), dtype=np.int64)
    has = ev.offsets[1:] > ev.offsets[:-1]
    for i in np.flatnonzero(has):
        lo, hi = ev.offsets[i], ev.offsets[i + 1]
        pick[i] = lo + ev.scores[lo:hi].argmax(axis=0)
    cols = np.arange(n_narr)[None, :]

    def at(values: np.ndarray) -> np.ndarray:
        if not len(values):
            return np.zeros((n_texts, n_narr))
        return np.where(has[:, None], values[pick, cols], 0.0)

    cues = (ev.cues[pick] if len(ev.cues) else np.zeros((n_texts, n_narr, len(CUE_CLASSES))))
    stance = np.full((n_texts, n_narr), 0.5)
    if ev.piece_stance is not None and len(ev.piece_stance):
        per_piece = ev.piece_stance[pick] if ev.piece_stance.ndim == 1 else ev.piece_stance[
            pick, cols]
        stance = np.where(has[:, None], per_piece, 0.5)
    rebut = np.zeros((n_texts, n_narr))
    if ev.rebut is not None and has.any():  # the best rebuttal score over each text's pieces
        rebut[has] = np.maximum.reduceat(ev.rebut, ev.offsets[:-1][has], axis=0)
    conflict = (at(ev.conflict.astype(float)) if ev.conflict is not None
                else np.zeros((n_texts, n_narr))) > 0
    return {"rebut": rebut, "stance": stance, "sim": at(ev.scores), "kw": at(ev.kw),
            "cover": at(ev.cover), "agree": at(ev.agree), "conflict": conflict,
            "numbers": np.where(has[:, None], ev.numbers[pick] if len(ev.numbers) else 0, 0.0),
            "cues": cues * has[:, None, None], "where": pick - ev.offsets[:-1, None],
            "has_pieces": has}


def _assemble(sim: np.ndarray, kw: np.ndarray, cover: np.ndarray, agree: np.ndarray,
              numbers: np.ndarray, cues: np.ndarray, text_cues: np.ndarray,
              narr_numbers: np.ndarray, narr_cues: np.ndarray,
              text_stance: np.ndarray | None = None,
              rebut: np.ndarray | None = None,
              piece_stance: np.ndarray | None = None,
              falsity: np.ndarray | None = None,
              quotes: np.ndarray | None = None,
              warnings: np.ndarray | None = None) -> np.ndarray:
    """Decision features, shape (texts x narratives x :data:`FEATURES`).

    ``sim``, ``kw``, ``cover``, ``agree`` (0/1), ``numbers`` (figures in the
    piece) are (texts x narratives); ``cues`` (texts x narratives x classes)
    are the best piece's, ``text_cues`` (texts x classes) the whole text's;
    ``narr_numbers`` (figures of the narrative, broadcast to texts x narratives)
    and ``narr_cues`` (its cue baseline, broadcast to texts x narratives x
    classes) describe the narrative; ``text_stance`` (texts,) is the stance
    text model's probability (0.5 without one); ``rebut`` (texts x narratives)
    the text's similarity to each narrative's rebuttal (0 without one) and
    ``piece_stance`` (texts x narratives) the best piece's stance probability,
    ``falsity`` (texts,) the text's :data:`~vnmisinfo.text.stance.FALSITY` cues and
    ``quotes`` (texts,) its quotation marks and ``warnings`` (texts,) its words of a
    warning.
    The length of the evidence is deliberately left out: catalogue variants
    are short and background posts long, so a length feature learns that
    short means "match".
    """
    n = sim.shape[1]
    top = sim.argmax(axis=1)
    part = -np.sort(-sim, axis=1)
    first = part[:, :1]
    second = part[:, 1:2] if n > 1 else np.zeros_like(first)
    others = np.where(np.arange(n)[None, :] == top[:, None], second, first)
    z = (sim - sim.mean(axis=1, keepdims=True)) / (sim.std(axis=1, keepdims=True) + 1e-9)
    conflict = (numbers > 0) & (np.broadcast_to(narr_numbers, sim.shape) > 0) & (agree == 0)
    extra = np.log1p(np.maximum(cues - narr_cues, 0.0))
    text_extra = np.log1p(np.maximum(text_cues[:, None, :] - narr_cues, 0.0))
    stance = np.full(sim.shape, 0.5) if text_stance is None else np.broadcast_to(
        np.asarray(text_stance, dtype=float)[:, None], sim.shape)
    rebut = np.zeros(sim.shape) if rebut is None else rebut

    def per_text(counts: np.ndarray | None) -> np.ndarray:  # log-scaled, 0 when absent
        return np.broadcast_to(np.log1p(np.zeros(len(sim)) if counts is None else counts)[:, None],
                               sim.shape)

    return np.stack([sim, sim - others, z, np.log1p(kw), cover, agree, conflict.astype(float),
                     extra[..., _NEG], extra[..., _DEBUNK], extra[..., _REPORT],
                     np.log1p(cues[..., _ASSERT]),
                     text_extra[..., _NEG], text_extra[..., _DEBUNK], stance,
                     rebut, sim - rebut,
                     np.full(sim.shape, 0.5) if piece_stance is None else piece_stance,
                     per_text(falsity), per_text(None if quotes is None else quotes // 2),
                     per_text(warnings)], axis=-1)


#: A narrative much less similar to a text than its most similar one is not what the text
#: asserts, whatever the decision reads in it ("Nhưng vắc xin COVID-19 làm thay đổi ADN",
#: refused for the DNA narrative at 0.85, was matched to the microchip one at 0.48): it
#: matches only from this share of the best similarity (``near`` of the best pieces).  Of
#: the 650 asserting training rewordings, those matched to a narrative other than their
#: most similar one are at 0.80 of its similarity or more.
RELATIVE_SIMILARITY = 0.7


def _text_features(index: NarrativeIndex, ev: _Evidence) -> tuple[np.ndarray, dict[str, Any]]:
    """Features of every (text, narrative) pair of a batch, and the best pieces (``near``:
    the narratives within :data:`RELATIVE_SIMILARITY` of the text's most similar one)."""
    best = _best_pieces(ev)
    best["near"] = best["sim"] >= RELATIVE_SIMILARITY * best["sim"].max(axis=1, initial=0.0,
                                                                       keepdims=True)
    narr_numbers = np.asarray((index.narrative_numbers_ > 0).sum(axis=1)).ravel()[None, :]
    feats = _assemble(best["sim"], best["kw"], best["cover"], best["agree"], best["numbers"],
                      best["cues"], ev.text_cues, narr_numbers, index.narrative_cues_[None],
                      ev.text_stance, best["rebut"], best["stance"], ev.falsity, ev.quotes,
                      ev.warnings)
    return feats, best


def _top_rows(feats: np.ndarray, sim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features of each text's most similar narrative, and that narrative."""
    top = sim.argmax(axis=1)
    return feats[np.arange(len(top)), top], top


#: How many of a text's most similar narratives :func:`rank_narratives` orders by match score.
SHORTLIST = 3
#: Match scores under this are read as 0 by :func:`rank_narratives`: a narrative the
#: decision rules out gets a score near 0 whichever it is, and similarity orders those better.
RANK_FLOOR = 0.01


def rank_narratives(similarity: np.ndarray, score: np.ndarray,
                    shortlist: int = SHORTLIST) -> np.ndarray:
    """Order of the narratives for each text, best first.

    The ``shortlist`` most similar narratives come first, ordered by match
    score (how surely the text asserts each; scores under :data:`RANK_FLOOR`
    count as 0, and ties keep the order of similarity), then the others by
    similarity.  On similarity alone, the
    frame of a post can outrank its claim: "nghe nói ăn tỏi phòng được covid,
    có thật không mọi người?" is closer to the illiteracy narrative, one of
    whose variants asks "thật ko vậy mn???", than to the garlic one.

    Parameters
    ----------
    similarity, score : ndarray of shape (n_texts, n_narratives)
        As :meth:`NarrativeIndex.match_scores` returns them.
    shortlist : int, default=3
        How many of the most similar narratives are ordered by score.

    Returns
    -------
    ndarray of int, shape (n_texts, n_narratives)

    Examples
    --------
    >>> sim = np.array([[0.34, 0.28, 0.21, 0.05]])
    >>> score = np.array([[0.02, 0.24, 0.00, 0.90]])
    >>> rank_narratives(sim, score).tolist()  # the 4th is not among the 3 most similar
    [[1, 0, 2, 3]]
    >>> rank_narratives(sim, np.array([[0.0, 0.004, 0.002, 0.0]])).tolist()  # all ruled out
    [[0, 1, 2, 3]]
    """
    order = np.argsort(-similarity, axis=1, kind="stable")
    head = order[:, :shortlist]
    key = np.take_along_axis(np.where(score >= RANK_FLOOR, score, 0.0), head, axis=1)
    by_score = np.argsort(-key, axis=1, kind="stable")
    order[:, :shortlist] = np.take_along_axis(head, by_score, axis=1)
    return order


# ---------------------------------------------------------------------------
# Fitting
# ---------------------------------------------------------------------------


def _feats_and_sim(index: NarrativeIndex, ev: _Evidence) -> tuple[np.ndarray, np.ndarray]:
    feats, best = _text_features(index, ev)
    return feats, best["sim"]
