"""The vector index of catalogue narratives: :class:`NarrativeIndex`.

:class:`NarrativeIndex` finds, for each input text, the catalogue narratives it
repeats.  Each text is split into sentences (and windows of two sentences);
every piece is normalized with :func:`~vnmisinfo.text.normalize.normalize_text`
(teencode expanded, tone marks unified) and compared, by TF-IDF cosine over
words and character n-grams, with the claim and every variant of every
narrative.  A second, accent-free view (:func:`~vnmisinfo.text.normalize.strip_diacritics`)
lets text typed without diacritics match; text that has no diacritics is
compared on the accent-free view only.  A narrative's similarity is the best
score over its claim and variants and over the text's pieces, and the best
piece is returned as evidence.

A match is a lead for a human reviewer, never a verdict: a post that matches may
quote a claim to debunk it, or be satire.

Examples
--------
>>> from vnmisinfo.narratives import default_index
>>> best = default_index().match_one("Uong nuoc chanh nong tri khoi covid")[0]
>>> best.narrative_id, best.matched
('health-001', True)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from vnmisinfo.narratives.catalogue import Match, Narrative, _as_narratives, load_catalogue
from vnmisinfo.narratives.decision import (
    _N_RELEVANCE,
    DECISION_FEATURES,
    FEATURES,
    SHORTLIST,
    _Evidence,
    _piece_evidence,
    _profile,
    _text_features,
    rank_narratives,
)
from vnmisinfo.narratives.fitting import _fit_verifier, check_params
from vnmisinfo.narratives.vectors import (
    _by_narrative,
    _entity_key,
    _keyword_weights,
    _layout,
    _text_list,
    _views,
    _weigh,
    _word_counts,
    entity_overlap,
    fit_weights,
    piece_scores,
    rebuttal_scores,
    restore_vocabularies,
    split_state,
    stored_state,
)

__all__ = ["DEFAULT_THRESHOLD", "NarrativeIndex"]

#: Default similarity threshold: calibrated on the catalogue's own variants
#: (each left out of the index in turn) against ReINTEL ``warmup.csv`` posts
#: labelled reliable, at a 2% false-match target; see ``benchmarks/bench_matching.py``.
DEFAULT_THRESHOLD = 0.372


# ---------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------


_SLICE = 128  # texts matched at once: bounds the sentence matrices, so memory stays flat


class NarrativeIndex(BaseEstimator):
    """Find catalogue narratives repeated in texts.

    Parameters
    ----------
    threshold : float, default=DEFAULT_THRESHOLD
        Similarity (0..1) from which a candidate counts as ``matched`` when
        the index is fitted without ``negatives``.  With ``negatives`` the
        threshold is derived in :meth:`fit` and applies to the match
        probability instead (see ``threshold_``).
    accent_weight : float, default=0.5
        Weight of the view with diacritics when a text has them; the
        accent-free view gets the rest.  Text without diacritics uses the
        accent-free view only.
    char_weight : float, default=0.5
        Weight of character n-grams against words inside each view.
    char_ngram_range : tuple, default=(2, 5)
        Character n-gram sizes (``char_wb``).
    pooling : {"max", "centroid"}, default="max"
        How a narrative's claim and variants are combined: the best single
        document, or the mean of their vectors.
    entity_boost : float, default=0.0
        Added to the similarity of a candidate whose best sentence names an
        entity (underthesea ``ner``: PER, LOC, ORG) listed for the narrative.
        ``ner`` is slow, so it runs only on the top candidates' sentences, and
        only when this is positive.
    max_false_rate : float, default=0.02
        With ``negatives`` in :meth:`fit`: the share of negatives allowed to
        match when the probability threshold is chosen.
    max_hard_rate : float, default=0.05
        With ``hard_negatives`` in :meth:`fit`: the share of those near misses
        allowed to match, unless meeting it would cost recall below
        ``min_recall`` (see :func:`~vnmisinfo.narratives.fitting.pick_threshold`).
    stance_words : {"around", "all"}, default="around"
        With ``hard_negatives``: which words of a text's best piece the stance
        piece model reads.  ``"around"``: only those that the narrative's own
        claim and variants do not hold, what the text says around the claim;
        ``"all"``: every word, the claim's topic included (the decision of
        0.3, kept to compare).
    min_recall : float, default=0.95
        With ``negatives`` in :meth:`fit`: the out-of-fold recall the
        threshold keeps on the positives (the ``positives`` rewordings when
        given, else the catalogue's held-out variants) before it meets
        ``max_hard_rate``; ``max_false_rate`` always holds.

    Attributes
    ----------
    narratives_ : list of dict
        The catalogue entries, as plain dicts.
    threshold_ : float
        The threshold in use: on the similarity, or on the match probability
        when ``verifier_`` is set.
    verifier_ : LogisticRegression or None
        The relevance part of the match decision, learned from held-out
        catalogue variants (and ``positives``) against ``negatives`` (None
        when fitted without negatives).
    stance_verifier_ : LogisticRegression or None
        The stance part, learned from the same variants against
        ``hard_negatives`` (None without them).  The match probability is
        the product of the two.
    stance_vectorizer_, stance_piece_model_ : HashedCounts, LogisticRegression or None
        The word model behind the ``stance_piece`` feature (None without
        ``hard_negatives``; indexes written by 0.3 hold a ``stance_text_model_``).
    stance_claim_words_ : sparse matrix or None
        (narratives x stance vocabulary) 0/1: the words of each narrative's claim
        and variants, which the stance piece model does not read (None without
        ``hard_negatives``, and in indexes written before it, whose model reads
        every word of the piece).
    decision_features_ : list of str
        The :data:`~vnmisinfo.narratives.decision.FEATURES` the decision reads.
    rebut_acc_, rebut_free_ : sparse matrix
        The rebuttal sentences' vectors (``rebut_owner_``: their narrative).
    fit_report_ : dict
        Out of fold on the training data, at ``threshold_``
        (:func:`~vnmisinfo.narratives.fitting.out_of_fold_report`): recall on the
        positives, shares of ordinary negatives and near misses matched, recall at 5% of
        near misses and the ROC-AUC of positives against near misses (empty without
        negatives).
    n_background_ : int
        Number of background sentences whose document frequencies entered the
        IDF weights (the texts themselves are not stored).

    Examples
    --------
    >>> index = NarrativeIndex().fit(load_catalogue())
    >>> m = index.match_one("ae ơi ăn tỏi sống mỗi ngày là ko bao giờ bị lây covid đâu nha", k=1)[0]
    >>> m.narrative_id, m.matched
    ('health-002', True)
    >>> index.match_one("Hôm nay Hà Nội nắng đẹp, nhiệt độ 30 độ", k=1)[0].matched
    False
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        accent_weight: float = 0.5,
        char_weight: float = 0.5,
        char_ngram_range: tuple[int, int] = (2, 5),
        pooling: str = "max",
        entity_boost: float = 0.0,
        max_false_rate: float = 0.02,
        max_hard_rate: float = 0.05,
        min_recall: float = 0.95,
        stance_words: str = "around",
    ) -> None:
        self.threshold = threshold
        self.accent_weight = accent_weight
        self.char_weight = char_weight
        self.char_ngram_range = char_ngram_range
        self.pooling = pooling
        self.entity_boost = entity_boost
        self.max_false_rate = max_false_rate
        self.max_hard_rate = max_hard_rate
        self.min_recall = min_recall
        self.stance_words = stance_words

    @classmethod
    def from_catalogue(cls, paths: Any = None, **params: Any) -> NarrativeIndex:
        """Load (and validate) catalogue file(s) and fit an index on them.

        ``paths`` is as for :func:`~vnmisinfo.narratives.load_catalogue`; pass
        ``[default_catalogue_path(), "mine.jsonl"]`` to extend the shipped one.

        Examples
        --------
        >>> index = NarrativeIndex.from_catalogue()
        >>> index.match_one("5G lây lan virus corona", k=1)[0].narrative_id
        'health-004'
        """
        return cls(**params).fit(load_catalogue(paths))

    # -- fitting -------------------------------------------------------------

    def fit(self, narratives: Iterable[Narrative | dict[str, Any]], y: Any = None, *,
            background: Iterable[str] | None = None,
            negatives: Iterable[str] | None = None,
            hard_negatives: Iterable[str] | None = None,
            positives: Iterable[tuple[str, str]] | None = None,
            rate_negatives: Iterable[str] | None = None) -> NarrativeIndex:
        """Build the index from narratives (or catalogue dicts, which are validated).

        Parameters
        ----------
        narratives : iterable of Narrative or dict
            The catalogue.
        y : ignored
        background : iterable of str, optional
            General Vietnamese text (posts, articles).  Its sentences' document
            frequencies enter the IDF weights, so that words common in everyday
            text weigh less; only the weights of catalogue terms are kept.
        negatives : iterable of str, optional
            Texts that repeat no catalogue narrative.  When given, a logistic
            regression learns the match decision from the features of
            :data:`~vnmisinfo.narratives.decision.FEATURES` (how similar the
            best piece is, and whether it asserts the claim or negates,
            refutes or reports it): positives are the catalogue's claims and
            variants, each scored with itself left out; negatives are these
            texts.  ``threshold_`` is then the probability at which, out of
            fold (folds grouped by narrative), at most ``max_false_rate`` of
            the negatives match.
        hard_negatives : iterable of str, optional
            Near misses: texts on a catalogue topic that do not assert its
            claim (true statements, warnings, debunks, news reports).  With
            ``negatives`` only.  Together they weigh as much as ``negatives``
            in the fit, and at most ``max_hard_rate`` of them match out of
            fold.
        positives : iterable of (str, str), optional
            ``(text, narrative_id)`` pairs of texts that assert a narrative
            in the words of a post (e.g. ``train_reworded.jsonl``), with
            ``negatives`` only.  They are scored against the whole index and
            join the held-out claims and variants as positives of both parts
            of the decision; the threshold then aims at ``min_recall`` on them.
        rate_negatives : iterable of str, optional
            The texts among ``negatives`` on which ``max_false_rate`` is
            checked (e.g. only posts labelled reliable); default: all of them.

        Returns
        -------
        NarrativeIndex
            ``self``, fitted.

        Raises
        ------
        CatalogueError
            If ``narratives`` holds plain dicts that fail validation, or ids repeat.
        ValueError
            If ``positives`` name a narrative that is not in ``narratives``.
        """
        check_params(self)
        items = _as_narratives(narratives)
        docs: list[str] = []
        owner: list[int] = []
        for i, n in enumerate(items):
            for doc in (n.claim, *n.variants):
                docs.append(doc)
                owner.append(i)
        counts, (acc, free) = fit_weights(self, docs, [n.rebuttal_vi for n in items],
                                          background)
        owner_arr = np.asarray(owner, dtype=np.int64)
        by_narr = _by_narrative(owner_arr, len(items))
        # the "shared keywords" feature of the match decision, then the narratives' profile
        self.keywords_ = _keyword_weights(self.vectorizers_[2], counts[2], by_narr, self.idf_[2])
        _profile(self, acc, free, owner_arr, sp.csr_matrix(counts[2] > 0, dtype=np.float64))
        if self.pooling == "centroid":
            counts = [sp.csr_matrix(by_narr @ c) for c in counts]
            owner_arr = np.arange(len(items), dtype=np.int64)
        self.docs_acc_, self.docs_free_ = _weigh(counts, self.idf_, self.char_weight)
        self.doc_owner_ = owner_arr
        self.narratives_ = [n.to_dict() for n in items]
        self.entity_keys_ = [[k for k in (_entity_key(e) for e in n.entities) if k] for n in items]
        self.threshold_ = float(self.threshold)
        self.verifier_: Any = None
        self.stance_verifier_: Any = None
        self.decision_features_ = list(DECISION_FEATURES)
        self.feature_mean_ = np.zeros(len(DECISION_FEATURES))
        self.feature_scale_ = np.ones(len(DECISION_FEATURES))
        self.stance_vectorizer_: Any = None
        self.stance_text_model_: Any = None
        self.stance_piece_model_: Any = None
        self.stance_claim_words_: Any = None
        self.fit_report_: dict[str, float] = {}
        if negatives is None and (hard_negatives is not None or positives is not None):
            raise ValueError("hard_negatives need negatives (ordinary texts) as well; "
                             "so do positives.")
        extra: list[tuple[str, int]] = []
        if positives is not None:
            where = {n["id"]: i for i, n in enumerate(self.narratives_)}
            for text, narrative_id in positives:
                if narrative_id not in where:
                    raise ValueError(f"positives: unknown narrative id {narrative_id!r}.")
                extra.append((str(text), where[narrative_id]))
        if negatives is not None:
            fitted = _fit_verifier(self, docs, owner, negatives, hard_negatives, extra,
                                   rate_negatives)
            (self.verifier_, self.stance_verifier_, self.feature_mean_, self.feature_scale_,
             self.threshold_, self.fit_report_) = fitted
        return self

    def __getstate__(self) -> dict[str, Any]:
        return stored_state(self, dict(super().__getstate__()))

    def __setstate__(self, state: dict[str, Any]) -> None:
        state, vocabularies, stance_terms = split_state(state)
        if "feature_mean_" in state:  # an index written by 0.3 reads the first features
            state.setdefault("decision_features_", list(FEATURES[:len(state["feature_mean_"])]))
        # written before the parameter: its piece model reads every word unless it has the words
        state.setdefault("stance_words", "around" if state.get("stance_claim_words_") is not None
                         else "all")
        super().__setstate__(state)
        restore_vocabularies(self, vocabularies, stance_terms)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "narratives_")

    def _check_fitted(self) -> None:
        if not hasattr(self, "narratives_"):
            raise NotFittedError("This NarrativeIndex is not fitted yet; call "
                                 "fit(load_catalogue()) or use default_index().")

    # -- scoring -------------------------------------------------------------

    def _vectors(self, sentences: list[str],
                 agg: sp.csr_matrix) -> tuple[Any, Any, Any, Any, tuple[list[str], list[str]]]:
        """(accented, accent-free) vectors of pieces, accent-free word presence, word counts,
        and the two views of the sentences."""
        acc, free = (list(v) for v in zip(*(_views(s) for s in sentences), strict=True))
        counts = [sp.csr_matrix(agg @ (vec.counts(v) if hasattr(vec, "counts")
                                       else vec.transform(v)))
                  for vec, v in zip(self.vectorizers_, (acc, acc, free, free), strict=True)]
        x_acc, x_free = _weigh(counts, self.idf_, self.char_weight)
        words = np.array([_word_counts(a) for a in acc], dtype=float)
        present = sp.csr_matrix(counts[2] > 0, dtype=np.float64)
        return x_acc, x_free, present, agg @ words, (acc, free)

    def _doc_scores(self, x_acc: Any, x_free: Any, words: np.ndarray) -> np.ndarray:
        """Similarity of each piece to each catalogue document, then to each rebuttal sentence."""
        return piece_scores(self, x_acc, x_free, words)

    def _by_owner(self, doc_scores: np.ndarray) -> np.ndarray:
        """Reduce document scores to narrative scores (best document), clipped to [0, 1]."""
        # claim and variants of one narrative are contiguous columns
        starts = np.flatnonzero(np.r_[True, np.diff(self.doc_owner_) != 0])
        return np.clip(np.maximum.reduceat(doc_scores[:, :len(self.doc_owner_)], starts, axis=1),
                       0.0, 1.0)

    def _segment_scores(self, texts: Any) -> tuple[_Evidence, list[list[str]]]:
        """Scores and decision evidence of every piece of every text, and the pieces."""
        self._check_fitted()
        if isinstance(texts, str):
            raise TypeError("Iterable over raw text documents expected, string object received; "
                            "use match_one(text) or wrap it in a list.")
        sentences, rows, cols, piece_texts, text_of = _layout(texts)
        offsets = np.zeros(len(piece_texts) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(p) for p in piece_texts])
        n_pieces = int(offsets[-1])
        n_narr = len(self.narratives_)
        if not n_pieces:
            empty = np.zeros((0, n_narr))
            return _Evidence(scores=empty, kw=empty, cover=empty, agree=empty,
                             numbers=np.zeros(0), cues=np.zeros((0, 4)),
                             text_cues=np.zeros((len(piece_texts), 4)),
                             offsets=offsets), piece_texts
        agg = sp.csr_matrix((np.ones(len(cols)), (np.asarray(rows), np.asarray(cols))),
                            shape=(n_pieces, len(sentences)))
        text_agg = sp.csr_matrix((np.ones(len(text_of)), (np.asarray(text_of),
                                                          np.arange(len(text_of)))),
                                 shape=(len(piece_texts), len(sentences)))
        x_acc, x_free, present, words, (acc, free) = self._vectors(sentences, agg)
        keyword = (present @ self.keywords_.T).toarray()
        doc_scores = self._doc_scores(x_acc, x_free, words)
        evidence = _piece_evidence(self, acc, free, agg, text_agg, present,
                                   self._by_owner(doc_scores), keyword, offsets,
                                   rebuttal_scores(self, doc_scores))
        return evidence, piece_texts

    def similarities(self, texts: Iterable[str]) -> np.ndarray:
        """Similarity of each text to each narrative, shape ``(n_texts, n_narratives)``.

        Entity boosts are not included.

        Examples
        --------
        >>> from vnmisinfo.narratives import default_index
        >>> sims = default_index().similarities(["Nuoc chanh nong diet virus corona"])
        >>> sims.shape[0], float(sims.max()) > 0.5
        (1, True)
        """
        texts = _text_list(texts)
        if len(texts) > _SLICE:
            return np.vstack([self.similarities(texts[lo:lo + _SLICE])
                              for lo in range(0, len(texts), _SLICE)])
        ev, pieces = self._segment_scores(texts)
        out = np.zeros((len(pieces), len(self.narratives_)))
        for i in range(len(pieces)):
            lo, hi = ev.offsets[i], ev.offsets[i + 1]
            if hi > lo:
                out[i] = ev.scores[lo:hi].max(axis=0)
        return out

    def match_scores(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Similarity and match score of each text to each narrative.

        Returns
        -------
        similarity, score : ndarray of shape (n_texts, n_narratives)
            ``score`` is what ``threshold_`` applies to: the match probability
            when the index has a ``verifier_``, else the similarity itself.

        Examples
        --------
        >>> from vnmisinfo.narratives import default_index
        >>> sim, score = default_index().match_scores(["Nuoc chanh nong diet virus corona"])
        >>> bool(score[0].max() >= default_index().threshold_)
        True
        """
        texts = _text_list(texts)
        if len(texts) > _SLICE:
            parts = [self.match_scores(texts[lo:lo + _SLICE])
                     for lo in range(0, len(texts), _SLICE)]
            return np.vstack([p[0] for p in parts]), np.vstack([p[1] for p in parts])
        ev, _ = self._segment_scores(texts)
        sim, score, _ = self._decide(ev)
        return sim, score

    def _decide(self, ev: _Evidence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Similarity, match score and best piece of every (text, narrative) pair."""
        feats, best = _text_features(self, ev)
        sim = best["sim"]
        if self.verifier_ is None or not sim.shape[0]:  # no text: nothing to decide
            return sim, sim, best["where"]
        cols = [FEATURES.index(n) for n in self.decision_features_]
        x = (feats.reshape(-1, feats.shape[-1])[:, cols] - self.feature_mean_) / self.feature_scale_
        prob = self.verifier_.predict_proba(x[:, :_N_RELEVANCE])[:, 1]
        if self.stance_verifier_ is not None:
            prob = prob * self.stance_verifier_.predict_proba(x[:, _N_RELEVANCE:])[:, 1]
        prob = np.asarray(prob).reshape(sim.shape)
        ok = best["has_pieces"][:, None] & ~best["conflict"] & best["near"]  # _text_features
        return sim, np.where(ok, prob, 0.0), best["where"]

    def match(self, texts: Iterable[str], k: int = 3) -> list[list[Match]]:
        """Top-``k`` candidate narratives for each text, best first.

        Parameters
        ----------
        texts : iterable of str
            Posts or articles, split into sentences (the first 300 are read).
        k : int, default=3
            Candidates per text (always ``min(k, n_narratives)``; an empty
            text gets similarity 0 everywhere).

        Returns
        -------
        list of list of Match
            Best first (:func:`~vnmisinfo.narratives.decision.rank_narratives`:
            the three most similar narratives by match score, then the others by
            similarity).  ``matched`` is true when the match score (the
            similarity, or the match probability of an index fitted with
            negatives) reaches ``threshold_``.

        Examples
        --------
        >>> from vnmisinfo.narratives import default_index
        >>> results = default_index().match(
        ...     ["Uống nước chanh nóng mỗi sáng là diệt sạch virus corona",
        ...      "Chúc mừng năm mới"], k=1)
        >>> [(m[0].narrative_id, m[0].matched) for m in results][0]
        ('health-001', True)
        >>> results[1][0].matched
        False
        """
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer; got {k!r}.")
        texts = _text_list(texts)
        if len(texts) > _SLICE:  # slices of texts keep memory flat; each text is scored alone
            return [m for lo in range(0, len(texts), _SLICE)
                    for m in self.match(texts[lo:lo + _SLICE], k=k)]
        ev, pieces = self._segment_scores(texts)
        sim, decision, where = self._decide(ev)
        k = min(int(k), len(self.narratives_))
        ner_cache: dict[str, set[str]] = {}
        results: list[list[Match]] = []
        for i, segs in enumerate(pieces):
            cand = self._candidates(sim[i], decision[i], where[i], segs, k, ner_cache)
            results.append([self._make_match(j, s, sent, decision[i, j] if self.verifier_
                                             is not None else s)
                            for s, j, sent in cand[:k]])
        return results

    def _candidates(self, best: np.ndarray, score: np.ndarray, where: np.ndarray,
                    segs: list[str], k: int,
                    ner_cache: dict[str, set[str]]) -> list[tuple[float, int, str]]:
        """``(similarity, narrative, evidence)`` of the top candidates (:func:`rank_narratives`)."""
        boost = float(self.entity_boost)
        if boost:  # ner is slow: only the most similar few are boosted
            best = best.copy()
            for j in np.argsort(-best, kind="stable")[:max(k, SHORTLIST)]:
                sent = segs[where[j]] if segs else ""
                best[j] = min(1.0, best[j] + boost * entity_overlap(self, int(j), sent, ner_cache))
        order = rank_narratives(best[None, :], score[None, :])[0][:k]
        return [(float(best[j]), int(j), segs[where[j]] if segs else "") for j in order]

    def match_one(self, text: str, k: int = 3) -> list[Match]:
        """Top-``k`` candidates for one text (see :meth:`match`).

        Examples
        --------
        >>> from vnmisinfo.narratives import default_index
        >>> default_index().match_one("Tin đồn sóng 5G phát tán virus corona", k=1)[0].narrative_id
        'health-004'
        """
        if not isinstance(text, str):
            raise TypeError(f"match_one expects one str; got {type(text).__name__}. "
                            "Use match(texts) for several.")
        return self.match([text], k=k)[0]

    def _make_match(self, j: int, similarity: float, sentence: str, decision: float) -> Match:
        similarity = round(float(similarity), 6)
        if self.verifier_ is None:
            decision = similarity
        return Match.from_entry(self.narratives_[j], similarity, bool(decision >= self.threshold_),
                                sentence, round(float(decision), 6))

    def narrative(self, narrative_id: str) -> dict[str, Any]:
        """The catalogue entry with this id (a copy).

        Examples
        --------
        >>> from vnmisinfo.narratives import default_index
        >>> default_index().narrative("health-001")["category"]
        'health'
        """
        self._check_fitted()
        for n in self.narratives_:
            if n["id"] == narrative_id:
                return json.loads(json.dumps(n))
        raise KeyError(f"no narrative with id {narrative_id!r} in this index.")

