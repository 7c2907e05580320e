"""Fitting the match decision: the verifier's cross-validated training and its threshold.

:func:`_fit_verifier` is what :meth:`NarrativeIndex.fit` calls when it is given
negatives; the features it learns from are those of :mod:`vnmisinfo.narratives.decision`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from vnmisinfo.narratives.decision import (
    _FOLDS,
    _N_RELEVANCE,
    DECISION_FEATURES,
    FEATURES,
    _assemble,
    _best_pieces,
    _feats_and_sim,
    _new_stance_vectorizer,
    _number_matrix,
    _piece_evidence,
    _stance_model_proba,
    _text_counts,
    _top_rows,
)
from vnmisinfo.narratives.vectors import _by_narrative, _l2, _layout, _views, rebuttal_scores
from vnmisinfo.text.stance import cue_counts

if TYPE_CHECKING:
    from vnmisinfo.narratives.index import NarrativeIndex

__all__ = ["check_params", "choose_threshold", "out_of_fold_report", "pick_threshold"]


def check_params(index: NarrativeIndex) -> None:
    """Raise ``ValueError`` naming the first :class:`NarrativeIndex` parameter out of range."""
    for name in ("threshold", "accent_weight", "char_weight", "max_false_rate",
                 "max_hard_rate", "min_recall"):
        value = getattr(index, name)
        if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"{name} must be a number in [0, 1]; got {value!r}.")
    if index.stance_words not in ("around", "all"):
        raise ValueError(f"stance_words must be 'around' or 'all'; got {index.stance_words!r}.")
    if index.pooling not in ("max", "centroid"):
        raise ValueError(f"pooling must be 'max' or 'centroid'; got {index.pooling!r}.")
    if not isinstance(index.entity_boost, (int, float)) or not 0 <= index.entity_boost <= 1:
        raise ValueError(f"entity_boost must be a number in [0, 1]; got {index.entity_boost!r}.")
    lo, hi = index.char_ngram_range
    if not 1 <= lo <= hi:
        raise ValueError(f"char_ngram_range must be (lo, hi) with 1 <= lo <= hi; "
                         f"got {index.char_ngram_range!r}.")


def _fit_stance_piece(index: NarrativeIndex, pos_texts: list[str], pos_pieces: list[str],
                      pos_fold: np.ndarray, neg_texts: list[str], neg_pieces: list[str],
                      neg_fold: np.ndarray, *, docs: list[str], pos_narr: np.ndarray,
                      neg_narr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``stance_vectorizer_``, ``stance_claim_words_`` and ``stance_piece_model_``;
    out-of-fold probabilities.

    The vocabulary (accent-free word uni- and bigrams found in two or more
    sentences of the texts) and the model are learned from the positives'
    best pieces against the near misses' best pieces, each piece without the
    words that the claim and variants of its narrative (``pos_narr``,
    ``neg_narr``) hold: the model learns what a text says around a claim, not
    which claim it is about (with ``stance_words="all"``, every word is read and
    ``stance_claim_words_`` is None).  The first ``len(docs)`` positives are the
    catalogue documents themselves; each is read against its narrative's
    other documents.  Each fitted row gets the probability of the model of
    the other folds (the folds of :func:`_fit_decision`).
    """
    sentences, _, _, _, _ = _layout(pos_texts + neg_texts)
    index.stance_vectorizer_ = _new_stance_vectorizer().fit(
        [_views(t)[1] for t in sentences])
    x = _text_counts(index, pos_pieces + neg_pieces)
    index.stance_claim_words_ = None
    if getattr(index, "stance_words", "around") == "around":
        owner = np.asarray(pos_narr[: len(docs)], dtype=np.int64)
        doc_words = _text_counts(index, docs)
        narr_words = sp.csr_matrix(_by_narrative(owner, len(index.narratives_)) @ doc_words)
        index.stance_claim_words_ = sp.csr_matrix(narr_words > 0, dtype=np.float64)
        rest = np.r_[pos_narr[len(docs):], neg_narr].astype(np.int64)
        claim = sp.vstack([narr_words[owner] - doc_words,  # each document without itself
                           narr_words[rest]], format="csr")
        x = sp.csr_matrix(x - x.multiply(claim > 0))
        x.eliminate_zeros()
    y = np.r_[np.ones(len(pos_texts)), np.zeros(len(neg_texts))]
    folds = np.r_[pos_fold, neg_fold]
    oof = np.zeros(len(y))
    for f in range(_FOLDS):
        tr = folds != f
        if (folds == f).any() and len(np.unique(y[tr])) == 2:
            model = _new_text_model().fit(_l2(x[tr]), y[tr])
            oof[folds == f] = _stance_model_proba(model, x[folds == f])
    index.stance_piece_model_ = _new_text_model().fit(_l2(x), y)
    return oof[: len(pos_texts)], oof[len(pos_texts):]


def _best_piece_texts(index: NarrativeIndex, texts: list[str],
                      narrative: np.ndarray | None = None) -> tuple[list[str], np.ndarray]:
    """Each text's best piece for ``narrative`` (default: its most similar narrative), and
    that narrative."""
    ev, pieces = index._segment_scores(texts)
    best = _best_pieces(ev)
    col = best["sim"].argmax(axis=1) if narrative is None else np.asarray(narrative)
    where = best["where"][np.arange(len(texts)), col]
    return [p[w] if p else "" for p, w in zip(pieces, where, strict=True)], col


def _new_text_model() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")


def _folds(n_narratives: int, n_ordinary: int, n_near: int) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """Fold of each narrative, ordinary negative and near miss (fixed seed)."""
    rng = np.random.default_rng(0)
    narr_fold = rng.permutation(n_narratives) % _FOLDS
    ord_fold = rng.permutation(n_ordinary) % _FOLDS
    near_fold = rng.permutation(n_near) % _FOLDS
    return narr_fold, ord_fold, near_fold


def _new_verifier() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")


def _fold_models(x: np.ndarray, y: np.ndarray, folds: np.ndarray, weight: np.ndarray,
                 extra: np.ndarray, extra_folds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities of the rows of ``x`` and of ``extra`` rows (by fold)."""
    oof = np.zeros(len(y))
    out = np.zeros(len(extra))
    for f in range(_FOLDS):
        tr = folds != f
        m = _new_verifier().fit(x[tr], y[tr], sample_weight=weight[tr])
        oof[folds == f] = m.predict_proba(x[folds == f])[:, 1]
        if (extra_folds == f).any():
            out[extra_folds == f] = m.predict_proba(extra[extra_folds == f])[:, 1]
    return oof, out


def _fit_decision(pos_feats: np.ndarray, keep: np.ndarray, owner: np.ndarray,
                  neg_feats: np.ndarray, *, n_narratives: int, max_false_rate: float,
                  hard: np.ndarray | None = None, max_hard_rate: float = 0.05,
                  target: np.ndarray | None = None, min_recall: float = 0.95,
                  rate_rows: np.ndarray | None = None,
                  ) -> tuple[Any, Any, np.ndarray, np.ndarray, float, dict[str, float]]:
    """Fit the relevance and stance verifiers and choose the threshold out of fold.

    The *relevance* verifier (the first five :data:`DECISION_FEATURES`) separates the
    catalogue's held-out claims and variants from ordinary negatives.  The
    *stance* verifier (the others) separates the same positives
    from near-miss negatives: texts on the narrative's topic that do not
    assert it.  The match probability is the product of the two.
    Similarity-based features are kept out of the stance verifier because
    held-out variants are less similar to the catalogue than real texts are,
    which would teach it that "similar" means "near miss".

    Parameters
    ----------
    pos_feats : ndarray of shape (n_docs, n_features)
        Features of every held-out catalogue document.
    keep : ndarray of bool
        Documents whose own narrative ranks first; only these are positives.
    owner : ndarray of int
        Narrative of each document; positive folds are grouped by narrative.
    neg_feats : ndarray of shape (n_negatives, n_features)
        Features of the negatives.
    n_narratives : int
        Number of narratives in the index.
    max_false_rate : float
        Share of ordinary negatives allowed to match.
    hard : ndarray of bool, optional
        Negatives that are near misses.  Without any, there is no stance verifier.
    max_hard_rate : float, default=0.05
        Share of near-miss negatives allowed to match.
    target : ndarray of bool, optional
        Positives whose out-of-fold recall the threshold aims at (default:
        all); the others only enter the fit.
    min_recall : float, default=0.95
        Recall aimed at on the ``target`` positives (see :func:`pick_threshold`).
    rate_rows : ndarray of bool, optional
        Ordinary negatives on which ``max_false_rate`` is checked (default: all).

    Returns
    -------
    relevance, stance, feature_mean, feature_scale, threshold, report
        The two logistic regressions fitted on all rows (``stance`` is None
        without near misses), the standardisation (from the ordinary
        negatives), the threshold on the match probability and the
        out-of-fold figures at it (:func:`out_of_fold_report`).
    """
    hard = np.zeros(len(neg_feats), bool) if hard is None else np.asarray(hard, bool)
    ordinary, near = neg_feats[~hard], neg_feats[hard]
    if not len(ordinary):
        raise ValueError("negatives must include ordinary texts, not only near misses.")
    mean = ordinary.mean(axis=0)
    std = ordinary.std(axis=0)
    scale = np.where(std > 1e-6, std, 1.0)
    x_pos = (pos_feats[keep] - mean) / scale
    x_ord = (ordinary - mean) / scale
    x_near = (near - mean) / scale
    narr_fold, ord_fold, near_fold = _folds(n_narratives, len(x_ord), len(x_near))
    pos_fold = narr_fold[owner[keep]]
    rel = list(range(_N_RELEVANCE))
    x = np.vstack([x_pos, x_ord])[:, rel]
    y = np.r_[np.ones(len(x_pos)), np.zeros(len(x_ord))]
    oof, near_rel = _fold_models(x, y, np.r_[pos_fold, ord_fold], np.ones(len(y)),
                                 x_near[:, rel], near_fold)
    relevance = _new_verifier().fit(x, y)
    pos_p, ord_p, near_p = oof[: len(x_pos)], oof[len(x_pos):], near_rel
    stance = None
    if len(x_near):
        st = list(range(_N_RELEVANCE, x_pos.shape[1]))
        xs = np.vstack([x_pos, x_near])[:, st]
        ys = np.r_[np.ones(len(x_pos)), np.zeros(len(x_near))]
        oof_s, ord_s = _fold_models(xs, ys, np.r_[pos_fold, near_fold], np.ones(len(ys)),
                                    x_ord[:, st], ord_fold)
        stance = _new_verifier().fit(xs, ys)
        pos_p = pos_p * oof_s[: len(x_pos)]
        near_p = near_p * oof_s[len(x_pos):]
        ord_p = ord_p * ord_s
    pos_all = np.zeros(len(owner))
    pos_all[keep] = pos_p
    if target is not None and np.asarray(target, bool).any():
        pos_all = pos_all[np.asarray(target, bool)]
    if rate_rows is not None and np.asarray(rate_rows, bool)[~hard].any():
        ord_p = ord_p[np.asarray(rate_rows, bool)[~hard]]
    threshold = pick_threshold(pos_all, ord_p, near_p if len(x_near) else None,
                               max_false_rate=max_false_rate, max_hard_rate=max_hard_rate,
                               min_recall=min_recall)
    report = out_of_fold_report(pos_all, ord_p, near_p if len(x_near) else None, threshold,
                                max_hard_rate=max_hard_rate)
    return relevance, stance, mean, scale, threshold, report


def out_of_fold_report(positive: np.ndarray, ordinary: np.ndarray, near: np.ndarray | None,
                       threshold: float, *, max_hard_rate: float = 0.05) -> dict[str, float]:
    """What the decision does out of fold on its training data, at ``threshold``.

    ``recall`` is the share of ``positive`` at or above it, ``ordinary_rate`` and
    ``near_rate`` the shares of ordinary negatives and near misses; ``recall_at_near`` is
    the recall at the threshold that lets ``max_hard_rate`` of the near misses match (and
    no more ordinary negatives than ``threshold`` does), and ``auc_near`` the ROC-AUC of
    positives against near misses.

    Examples
    --------
    >>> r = out_of_fold_report(np.array([0.9, 0.8, 0.4]), np.array([0.1, 0.2]),
    ...                        np.array([0.5, 0.1]), 0.45, max_hard_rate=0.5)
    >>> r["recall"], r["near_rate"], r["auc_near"]
    (0.6667, 0.5, 0.8333)
    """
    pos = np.asarray(positive, dtype=float)
    ordinary = np.asarray(ordinary, dtype=float)
    report = {"positives": float(pos.size), "recall": float(np.mean(pos >= threshold)),
              "ordinary_rate": float(np.mean(ordinary >= threshold))}
    if near is not None and len(near):
        near = np.asarray(near, dtype=float)
        at_near = choose_threshold(pos, near, max_false_rate=max_hard_rate)
        at_near = max(at_near, choose_threshold(pos, ordinary, max_false_rate=float(
            np.mean(ordinary >= threshold))))
        from sklearn.metrics import roc_auc_score

        auc = roc_auc_score(np.r_[np.ones(pos.size), np.zeros(near.size)], np.r_[pos, near])
        report.update(near_rate=float(np.mean(near >= threshold)),
                      recall_at_near=float(np.mean(pos >= at_near)), auc_near=float(auc))
    return {k: round(v, 4) for k, v in report.items()}


def _held_out_features(index: NarrativeIndex, docs: list[str],
                       owner: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Features of catalogue documents as queries, each against the index without itself.

    A document's own narrative is represented by its other documents only: in
    the similarity, and in the narrative's keywords, distinctive words,
    figures and cue baseline.  Returns the features of each document's most
    similar narrative, and that narrative.
    """
    n_docs = len(docs)
    rows = np.arange(n_docs)
    agg = sp.identity(n_docs, format="csr")
    x_acc, x_free, present, words, (acc, free) = index._vectors(docs, agg)
    doc_scores = index._doc_scores(x_acc, x_free, words)
    doc_scores[rows, rows] = -1.0
    sim = index._by_owner(doc_scores)
    own = np.asarray(owner)
    by_narr = _by_narrative(own, len(index.narratives_))
    weight = np.asarray(index.keywords_.max(axis=0).todense()).ravel()
    # keywords: words the document shares with another document of its narrative
    kw = (present @ index.keywords_.T).toarray()
    others = sp.csr_matrix(by_narr @ present)[own] - present
    shared = sp.csr_matrix(others >= 1, dtype=np.float64).multiply(weight[None, :])
    kw[rows, own] = np.asarray(present.multiply(shared).sum(axis=1)).ravel()
    ev = _piece_evidence(index, acc, free, agg, agg, present, sim, kw,
                         np.arange(n_docs + 1), rebuttal_scores(index, doc_scores))
    # distinctive words, figures and cues of the own narrative without the document
    core = sp.csr_matrix(others >= 2, dtype=np.float64).multiply(weight[None, :])
    mass = np.asarray(core.sum(axis=1)).ravel()
    ev.cover[rows, own] = (np.asarray(present.multiply(core).sum(axis=1)).ravel()
                           / np.maximum(mass, 1e-9))
    vocab = {n: i for i, n in enumerate(index.numbers_)}
    doc_numbers, _ = _number_matrix(acc, vocab)
    other_numbers = sp.csr_matrix(index.narrative_numbers_[own] - doc_numbers)
    ev.agree[rows, own] = (np.asarray(doc_numbers.multiply(other_numbers).sum(axis=1)).ravel()
                           > 0)
    narr_numbers = np.broadcast_to(
        np.asarray((index.narrative_numbers_ > 0).sum(axis=1)).ravel(),
        (n_docs, len(index.narratives_))).copy()
    narr_numbers[rows, own] = np.asarray((other_numbers > 0).sum(axis=1)).ravel()
    doc_cues = cue_counts(free).astype(float)
    narr_cues = np.broadcast_to(index.narrative_cues_,
                                (n_docs, *index.narrative_cues_.shape)).copy()
    for d in range(n_docs):  # fitting only: the cue baseline of a narrative without d
        mates = (own == own[d]) & (rows != d)
        narr_cues[d, own[d]] = doc_cues[mates].max(axis=0) if mates.any() else 0.0
    best = _best_pieces(ev)
    feats = _assemble(best["sim"], best["kw"], best["cover"], best["agree"], best["numbers"],
                      best["cues"], ev.text_cues, narr_numbers, narr_cues, ev.text_stance,
                      best["rebut"], best["stance"], ev.falsity, ev.quotes, ev.warnings)
    return _top_rows(feats, best["sim"])


def _fit_verifier(index: NarrativeIndex, docs: list[str], owner: list[int],
                  negatives: Iterable[str],
                  hard_negatives: Iterable[str] | None = None,
                  positives: Iterable[tuple[str, int]] | None = None,
                  rate_negatives: Iterable[str] | None = None,
                  ) -> tuple[Any, Any, np.ndarray, np.ndarray, float, dict[str, float]]:
    """Learn the match decision of a fitted index (see :meth:`NarrativeIndex.fit`).

    ``positives`` are extra ``(text, narrative index)`` pairs that assert a
    narrative (rewordings written apart from the catalogue).  They are scored
    against the whole index, as any input text is, and join the catalogue's
    held-out documents as positives; when given, the threshold aims at their
    out-of-fold recall.  ``rate_negatives``: the negatives on which
    ``max_false_rate`` is checked (default: all).

    Returns
    -------
    relevance, stance, feature_mean, feature_scale, threshold, report
        As :func:`_fit_decision`.
    """
    for name, given in (("negatives", negatives), ("hard_negatives", hard_negatives)):
        if isinstance(given, str):
            raise TypeError(f"{name}: iterable over raw text documents expected, string "
                            "object received; wrap it in a list.")
    if index.pooling != "max":
        raise ValueError("negatives (a learned match decision) need pooling='max'; "
                         f"got pooling={index.pooling!r}.")
    neg_texts = ["" if not isinstance(t, str) else t for t in negatives]
    if len(neg_texts) < 50:
        raise ValueError(f"negatives must hold at least 50 texts to set a threshold; "
                         f"got {len(neg_texts)}.")
    hard_texts = [t for t in (hard_negatives or []) if isinstance(t, str)]
    gold = np.asarray(owner)
    extra = list(positives or [])
    extra_gold = np.asarray([int(j) for _, j in extra], dtype=np.int64)
    index.stance_vectorizer_ = index.stance_text_model_ = index.stance_piece_model_ = None
    index.stance_claim_words_ = None
    if hard_texts:
        narr_fold, _, near_fold = _folds(len(index.narratives_), len(neg_texts), len(hard_texts))
        extra_texts = [str(t) for t, _ in extra]
        extra_pieces, _ = _best_piece_texts(index, extra_texts, extra_gold)
        hard_pieces, hard_narr = _best_piece_texts(index, hard_texts)
        pos_oof, near_oof = _fit_stance_piece(
            index, docs + extra_texts, docs + extra_pieces,
            narr_fold[np.r_[gold, extra_gold]], hard_texts, hard_pieces, near_fold,
            docs=docs, pos_narr=np.r_[gold, extra_gold], neg_narr=hard_narr)
    pos_feats, top = _held_out_features(index, docs, owner)
    ev, _ = index._segment_scores(neg_texts + hard_texts)
    neg_feats, _ = _top_rows(*_feats_and_sim(index, ev))
    hard = np.r_[np.zeros(len(neg_texts), bool), np.ones(len(hard_texts), bool)]
    keep = top == gold
    target = None
    if extra:
        texts = [str(t) for t, _ in extra]
        ev_pos, _ = index._segment_scores(texts)
        extra_feats, extra_top = _top_rows(*_feats_and_sim(index, ev_pos))
        pos_feats = np.vstack([pos_feats, extra_feats])
        keep = np.r_[keep, extra_top == extra_gold]
        gold = np.r_[gold, extra_gold]
        target = np.r_[np.zeros(len(docs), bool), np.ones(len(extra), bool)]
    rate_rows = None
    if rate_negatives is not None:
        wanted = {t for t in rate_negatives if isinstance(t, str)}
        rate_rows = np.r_[np.array([t in wanted for t in neg_texts], bool),
                          np.zeros(len(hard_texts), bool)]
    if hard_texts:  # rows the stance text model was fitted on get out-of-fold values
        col = FEATURES.index("stance_piece")
        pos_feats[:, col] = pos_oof
        neg_feats[hard, col] = near_oof
    cols = [FEATURES.index(n) for n in DECISION_FEATURES]
    return _fit_decision(pos_feats[:, cols], keep, gold, neg_feats[:, cols],
                         n_narratives=len(index.narratives_),
                         max_false_rate=float(index.max_false_rate), hard=hard,
                         max_hard_rate=float(index.max_hard_rate), target=target,
                         min_recall=float(index.min_recall), rate_rows=rate_rows)


def pick_threshold(positive: Sequence[float] | np.ndarray,
                   negative: Sequence[float] | np.ndarray,
                   near: Sequence[float] | np.ndarray | None = None, *,
                   max_false_rate: float = 0.02, max_hard_rate: float = 0.05,
                   min_recall: float = 0.95) -> float:
    """The shipped threshold rule, from out-of-fold scores of the training data.

    ``t_neg`` is :func:`choose_threshold` on the ordinary negatives at
    ``max_false_rate`` (a hard limit), ``t_near`` the same on the near misses
    at ``max_hard_rate``, and ``t_recall`` the highest threshold that keeps
    ``min_recall`` of the positives.  The threshold is
    ``max(t_neg, min(t_near, t_recall))``: the near-miss target is met unless
    it would cost recall below ``min_recall``, and the ordinary false-match
    limit always holds.

    Parameters
    ----------
    positive : sequence of float
        Scores of texts that should match (0 for those whose own narrative is
        not ranked first).
    negative : sequence of float
        Scores of ordinary texts that repeat no narrative; at least one.
    near : sequence of float, optional
        Scores of near misses; without them ``t_near`` plays no part.
    max_false_rate, max_hard_rate, min_recall : float

    Returns
    -------
    float
        Rounded to 4 decimals.

    Examples
    --------
    >>> pos = [0.9] * 19 + [0.3]
    >>> pick_threshold(pos, [0.1] * 100, [0.5, 0.2, 0.1], max_hard_rate=0.0)
    0.7
    >>> pick_threshold([0.9] * 18 + [0.6, 0.3], [0.1] * 100, [0.8, 0.2], max_hard_rate=0.0)
    0.6
    """
    pos = np.asarray(positive, dtype=float)
    t_neg = choose_threshold(pos, negative, max_false_rate=max_false_rate)
    if near is None or not len(near):
        return t_neg
    t_near = choose_threshold(pos, near, max_false_rate=max_hard_rate)
    if pos.size:
        ranked = np.sort(pos)[::-1]
        need = max(int(math.ceil(min_recall * pos.size)), 1)
        t_recall = math.floor(float(ranked[need - 1]) * 1e4) / 1e4
    else:
        t_recall = t_near
    return round(max(t_neg, min(t_near, t_recall)), 4)


def choose_threshold(positive: Sequence[float] | np.ndarray,
                     negative: Sequence[float] | np.ndarray, *,
                     max_false_rate: float = 0.02) -> float:
    """Lowest threshold whose false-match rate on ``negative`` stays within the target.

    The threshold is placed halfway between the highest negative score that
    must stay below it and the next score above, so that it does not sit on a
    calibration point.  ``positive`` scores only bound it: it never exceeds the
    median positive score.

    Parameters
    ----------
    positive : sequence of float
        Scores of texts that should match.
    negative : sequence of float
        Scores of unrelated texts; at least one.
    max_false_rate : float, default=0.02
        Share of ``negative`` allowed to reach the threshold.

    Returns
    -------
    float
        The threshold, rounded to 4 decimals.

    Raises
    ------
    ValueError
        If ``negative`` is empty.

    Examples
    --------
    >>> choose_threshold([0.8, 0.9], [0.1, 0.2, 0.3], max_false_rate=0.0)
    0.55
    """
    neg = np.sort(np.asarray(negative, dtype=float))[::-1]
    pos = np.asarray(positive, dtype=float)
    if neg.size == 0:
        raise ValueError("choose_threshold needs negative (unrelated) scores; got none.")
    allowed = int(math.floor(max_false_rate * neg.size))
    floor = neg[allowed] if allowed < neg.size else 0.0
    above = np.concatenate([neg[neg > floor], pos[pos > floor]])
    nxt = float(above.min()) if above.size else min(1.0, floor + 0.05)
    value = (float(floor) + nxt) / 2
    if pos.size:
        value = min(value, float(np.median(pos)))
    return round(value, 4)
