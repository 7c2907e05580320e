"""The detector: a calibrated linear classifier over TF-IDF channels.

:class:`Detector` follows the scikit-learn estimator contract.  It learns a
TF-IDF feature union (``features_``) and then a
:class:`~sklearn.calibration.CalibratedClassifierCV` with ``ensemble=False``
around a linear model (``model_``): the linear model is fitted on all the
data, so its weights explain every score exactly, and a monotone calibrator
(Platt's sigmoid by default) fitted on grouped cross-validated decision
values turns decision values into probabilities.  The vocabulary is learned
once, on all the training texts, which keeps fitting fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from vnmisinfo.data.hygiene import text_groups
from vnmisinfo.data.schema import META_COLUMNS
from vnmisinfo.model.augment import augment
from vnmisinfo.model.calibration import calibrated_fit, fitting_pool, keep_ranking
from vnmisinfo.model.compat import NewParamsTakeDefaults
from vnmisinfo.model.explain import context_contributions
from vnmisinfo.model.features import (
    Preprocessor,
    build_union,
    fit_channels,
    meta_names,
    meta_slice,
    row_slices,
    transform_in_slices,
)
from vnmisinfo.model.linear import OwnWordsClassifier, linear_model
from vnmisinfo.model.params import check_count, check_detector_params, check_for_data, check_labels
from vnmisinfo.model.terms import explained_terms, heaviest_terms, take_columns, text_part
from vnmisinfo.text.accents import diacritic_share
from vnmisinfo.text.transformers import TextInput

__all__ = ["Detector"]


class Detector(TextInput, NewParamsTakeDefaults, ClassifierMixin, BaseEstimator):
    """Score Vietnamese texts for how likely they carry a false or distorted claim.

    A score is a triage signal for a human reviewer, never a verdict.

    Parameters
    ----------
    channels : tuple of str, default=("words", "chars", "accent_free", "meta")
        Feature channels, from :data:`vnmisinfo.model.features.CHANNELS`.
    word_ngram_range : tuple of int, default=(1, 2)
        N-gram range of the word, syllable and accent-free channels.
    char_ngram_range : tuple of int, default=(1, 5)
        N-gram range of the character channel.
    char_analyzer : {"char", "char_wb"}, default="char"
        Character n-grams across word boundaries, or within words only.
    min_df : int, default=2
        Minimum document frequency of an n-gram.
    max_df : float, default=0.9
        Drop n-grams found in more than this share of documents.
    max_features : int or None, default=None
        Vocabulary cap per channel.
    nb_scaling : bool, default=False
        Scale text features by NB log-count ratios (NB-SVM).
    classifier : {"logreg", "linearsvc", "sgd"}, default="logreg"
        The linear model.
    C : float, default=16.0
        Inverse regularization strength (``alpha = 1 / (C * n)`` for SGD).
    class_weight : {"balanced"} or None, default=None
        Class weights of the linear model.
    calibration : {"sigmoid", "isotonic"}, default="sigmoid"
        Calibration of the decision values into probabilities.
    cv : int, default=5
        Grouped folds used to fit the calibrator.
    medium_threshold, high_threshold : float, default=0.5, 0.8
        Probability cut-offs of the ``medium`` and ``high`` review tiers; a
        document is labelled 1 from ``medium_threshold`` up.
    augment_no_diacritics : float, default=0.0
        Share of training documents also added without diacritics, so that
        text typed without tone marks scores like the same text with them.
    augment_lower : float, default=0.0
        Share of training documents also added lower-cased, with punctuation
        marks as spaces (as posts typed on a phone often are).
    random_state : int, default=0
        Seed for the folds and the augmentation sample.
    accent_free_route : bool, default=True
        With the ``accent_free`` channel, also fit a model on the accent-free
        view alone and route texts typed without tone marks to it.
    accent_free_share : float, default=0.02
        Texts whose share of marked letters is below this take that route
        (see :func:`vnmisinfo.text.accents.diacritic_share`).
    restore_marks : bool, default=False
        Put the tone marks back into texts typed without them before any feature is
        made, in training and scoring alike (:mod:`vnmisinfo.text.marks`); such texts
        then read as marked ones and take the full model.
    meta_scale : float, default=0.1
        Weight of the post metadata (likes, comments, shares, posting hour)
        against the text features; metadata values are centred on a typical
        post and a missing field is 0, so it is never evidence.
    meta_dropout : float, default=0.0
        Chance that each metadata field of each training document is removed
        while fitting, so that no single field dominates the score.
    text_only_route : bool, default=True
        With the ``meta`` channel, also fit models on the text features alone
        and score documents that carry no metadata with them.  Without it,
        such documents take the full model (half as many to fit).
    n_features : int or None, default=None
        Hash the n-grams of each text channel into this many buckets, with a
        stored IDF vector and no vocabulary
        (:class:`~vnmisinfo.model.hashing.HashedTfidf`): a few numpy passes
        per batch, a small model file and a quick load.  ``None`` learns a
        vocabulary per channel.
    channel_weights : dict of str to float or None, default=None
        A factor for the features of each channel named (the others weigh 1): under
        the L2 penalty, weight ``w`` regularizes a channel as ``C * w**2`` would.
    own_scale : float, default=1.0
        When :meth:`fit` is given a team's own rows (``own``), the scale of
        the copy of their features that only they carry, which gives the
        team's own words weights of their own (see
        :class:`~vnmisinfo.model.linear.OwnWordsClassifier`); 0 leaves it out.
    n_jobs : int or None, default=None
        Worker processes that fit the linear models side by side (up to four: with
        and without metadata, and their accent-free twins) and hash the accent-free view
        when the training texts hold a million characters or more; None or 1 does it
        all in this process, -1 uses every core.  The model is the same for any value.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        ``[0, 1]``; 1 is the misinformation candidate.
    features_ : ColumnTransformer
        The fitted feature channels.
    model_ : CalibratedClassifierCV
        The calibrated linear model.
    text_model_ : CalibratedClassifierCV or None
        With the ``meta`` channel, a second calibrated linear model over the
        text features only; it scores documents that carry no metadata at
        all (plain strings, news articles), so that missing-value flags
        learned from one corpus never move their scores.
    plain_model_, plain_text_model_ : CalibratedClassifierCV or None
        With ``accent_free_route``, the models over the accent-free view
        (``plain_features_``, with and without metadata) that score texts
        typed without tone marks.

    Examples
    --------
    >>> texts = ["Uống nước chanh nóng diệt virus corona", "Tỏi sống chữa khỏi covid",
    ...          "Hà Nội nắng nhẹ cuối tuần", "Đà Nẵng mưa rào buổi chiều"] * 2
    >>> det = Detector(channels=("syllables",), min_df=1, cv=2).fit(texts, [1, 1, 0, 0] * 2)
    >>> det.predict(["nước chanh nóng diệt virus"])
    array([1])
    >>> sorted(term for term, weight in det.explain(["nước chanh nóng"], k=5)[0]["top_terms"])
    ['chanh', 'chanh nóng', 'nóng', 'nước', 'nước chanh']

    Like any scikit-learn classifier, ``score(X, y)`` is the accuracy:

    >>> y = [1, 1, 0, 0] * 2
    >>> bool(det.score(texts, y) == (det.predict(texts) == y).mean())
    True
    """

    def __init__(
        self,
        *,
        channels: tuple[str, ...] = ("words", "chars", "accent_free", "meta"),
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (1, 5),
        char_analyzer: str = "char",
        min_df: int = 2,
        max_df: float = 0.9,
        max_features: int | None = None,
        nb_scaling: bool = False,
        classifier: str = "logreg",
        C: float = 16.0,
        class_weight: str | None = None,
        calibration: str = "sigmoid",
        cv: int = 5,
        medium_threshold: float = 0.5,
        high_threshold: float = 0.8,
        augment_no_diacritics: float = 0.0,
        augment_lower: float = 0.0,
        random_state: int = 0,
        accent_free_route: bool = True,
        accent_free_share: float = 0.02,
        meta_scale: float = 0.1,
        meta_dropout: float = 0.0,
        text_only_route: bool = True,
        n_features: int | None = None,
        channel_weights: dict[str, float] | None = None,
        own_scale: float = 1.0,
        n_jobs: int | None = None,
        restore_marks: bool = False,
    ) -> None:
        self.channels = channels
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.char_analyzer = char_analyzer
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.nb_scaling = nb_scaling
        self.classifier = classifier
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.cv = cv
        self.medium_threshold = medium_threshold
        self.high_threshold = high_threshold
        self.augment_no_diacritics = augment_no_diacritics
        self.augment_lower = augment_lower
        self.random_state = random_state
        self.accent_free_route = accent_free_route
        self.accent_free_share = accent_free_share
        self.meta_scale, self.meta_dropout = meta_scale, meta_dropout
        self.text_only_route = text_only_route
        self.n_features, self.channel_weights = n_features, channel_weights
        self.own_scale, self.n_jobs, self.restore_marks = own_scale, n_jobs, restore_marks

    # -- construction -------------------------------------------------------------------
    def _linear_model(self, n_samples: int, own: np.ndarray | None = None,
                      n_features: int = 0, heavy: bool = False) -> Any:
        """The linear model; with own rows or rows weighing more than one, wrapped so that
        a stalled dual fit is solved in the primal (:func:`~vnmisinfo.model.linear.fit_linear`)."""
        model = linear_model(self.classifier, self.C, self.class_weight, n_samples,
                             self.random_state, n_features)
        if own is None and not heavy:
            return model
        return OwnWordsClassifier(model, own_scale=getattr(self, "own_scale", 1.0)
                                  if own is not None else 0.0)

    def _union(self, channels: Sequence[str]) -> Any:
        return build_union(
            channels,
            word_ngram_range=self.word_ngram_range,
            char_ngram_range=self.char_ngram_range,
            char_analyzer=self.char_analyzer,
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
            nb_scaling=self.nb_scaling,
            meta_scale=self.meta_scale,
            n_features=self.n_features,
            channel_weights=self.channel_weights,
        )

    def _calibrated(self, pool: Any, splits: list, X: Any, y: np.ndarray, w: np.ndarray,
                    own: np.ndarray | None) -> Any:
        """The future of a linear model (own weights for ``own`` rows) calibrated on ``splits``."""
        model = self._linear_model(len(y), own, X.shape[1], bool(np.any(w > 1)))
        return pool.submit(calibrated_fit, model, self.calibration, splits, X, y, w,
                           **({} if own is None else {"own": own}))

    def _needs_segmentation(self) -> bool:
        return "words" in self.channels

    def preprocess(self, X: Any) -> pd.DataFrame:
        """Normalize and tokenize documents into the frame the pipeline reads.

        Segmentation is skipped when no channel needs it.  A frame that was
        already preprocessed is passed through.
        """
        return Preprocessor(segment=self._needs_segmentation(),
                            restore=bool(getattr(self, "restore_marks", False))).transform(X)

    # -- estimator API ------------------------------------------------------------------
    def __sklearn_tags__(self) -> Any:
        """Binary only: 0 = reliable, 1 = misinformation (:func:`check_labels`)."""
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X: Any, y: Any, groups: Any = None, sample_weight: Any = None,
            own: Any = None) -> Detector:
        """Fit the features, the linear model and its calibrator.

        Parameters
        ----------
        X : sequence of str or mapping, or DataFrame
            Training documents (see :func:`vnmisinfo.model.features.as_frame`).
        y : array-like of {0, 1}
            1 marks a false or distorted claim.
        groups : array-like, optional
            Group ids for the calibration folds; by default, normalized text,
            so that duplicates never sit on both sides of a fold.
        sample_weight : array-like, optional
            Weight of each document in the linear models and calibrators
            (reviewers' verdicts on new kinds of posts may count more).
        own : array-like of bool, optional
            The team's own rows (reviewers' verdicts): each linear model learns
            weights of their own beside the shared ones (``own_scale``).

        Returns
        -------
        Detector
            The fitted detector.

        Raises
        ------
        ValueError
            Naming the parameter or the input that cannot work: a bad parameter, no
            documents, labels other than 0 and 1, or ``cv``, ``min_df`` or ``max_df``
            beyond what the training data allows.
        """
        check_detector_params(self)
        frame = self.preprocess(X)
        y_arr = check_labels(y, len(frame))
        group_arr = text_groups(frame["norm"].tolist()) if groups is None else np.asarray(groups)
        w = np.ones(len(frame)) if sample_weight is None else np.asarray(sample_weight, float)
        if w.shape != (len(frame),) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"sample_weight must be {len(frame)} non-negative finite numbers.")
        mine = np.zeros(len(frame), bool) if own is None else np.asarray(own, dtype=bool)
        if mine.shape != (len(frame),):
            raise ValueError(f"own must hold one flag per document, got shape {mine.shape}.")
        frame, (y_arr, group_arr, w, mine) = augment(
            frame, [y_arr, group_arr, w, mine], {"no_diacritics": self.augment_no_diacritics,
                                                 "lower": self.augment_lower},
            self.random_state, self.preprocess)
        check_for_data(self, y_arr)
        own_rows = mine if mine.any() else None  # the team's own rows, if there are any
        settings = (self.meta_dropout, self.random_state, (self.min_df, self.max_df))
        self.plain_features_: Any = None
        jobs: dict[str, Any] = dict.fromkeys(("plain_model_", "plain_text_model_", "text_model_"))
        # With n_jobs, a large set's plain view is hashed and its models fit in worker processes.
        large = int(frame["norm"].str.len().sum()) >= 10**6
        pool = fitting_pool(getattr(self, "n_jobs", None) if large else 1)

        def fit(name: str, X: Any) -> None:
            jobs[name] = self._calibrated(pool, splits, X, y_arr, w, own_rows)

        plain_job, extra = None, ("meta",) if "meta" in self.channels else ()
        if self.accent_free_route and "accent_free" in self.channels:
            # Text typed without tone marks shares few features with accented training
            # text; it is scored by models that read only the accent-free view of a text.
            plain_job = pool.submit(fit_channels, self._union(
                ("accent_free", "accent_free_chars", *extra)), frame, y_arr, *settings)
        self.features_, features = fit_channels(self._union(self.channels), frame, y_arr,
                                                *settings)
        folds = StratifiedGroupKFold(n_splits=self.cv, shuffle=True,
                                     random_state=self.random_state)
        splits = list(folds.split(features, y_arr, groups=group_arr))
        meta = self.features_.output_indices_.get("meta", slice(0, 0))
        self.text_columns_ = np.setdiff1d(np.arange(features.shape[1]),
                                          np.arange(features.shape[1])[meta])
        fit("model_", features)
        if meta.stop > meta.start and self.text_only_route:
            # Documents without any metadata (plain text, news articles) may be scored
            # by a model fitted on the text features alone.
            fit("text_model_", take_columns(features, self.text_columns_))
        if plain_job is not None:
            self.plain_features_, plain = plain_job.result()
            fit("plain_model_", plain)
            plain_meta = self.plain_features_.output_indices_.get("meta", slice(0, 0))
            self.plain_text_columns_ = np.setdiff1d(np.arange(plain.shape[1]),
                                                    np.arange(plain.shape[1])[plain_meta])
            if extra and self.text_only_route:
                fit("plain_text_model_", take_columns(plain, self.plain_text_columns_))
        for name, job in jobs.items():
            setattr(self, name, None if job is None else job.result())
        for name in ("model_", "plain_model_", "plain_text_model_", "text_model_"):
            if getattr(self, name) is not None:  # a calibration must never invert the ranking
                keep_ranking(getattr(self, name), y_arr, w, name=f"Detector.{name}")
        self.classes_ = np.array([0, 1])
        self.heavy_terms_ = heaviest_terms(self.features_, frame, features,
                                           np.ravel(self.pipeline_.named_steps["clf"].coef_))
        return self

    @property
    def pipeline_(self) -> Pipeline:
        """The fitted ``Pipeline([features, clf])`` whose weights explain scores."""
        check_is_fitted(self, "model_")
        return Pipeline([("features", self.features_),
                         ("clf", self.model_.calibrated_classifiers_[0].estimator)])

    def transform(self, X: Any) -> Any:
        """The sparse feature matrix the linear model reads."""
        check_is_fitted(self, "features_")
        return transform_in_slices(self.features_, self.preprocess(X))

    def _routes(self, frame: pd.DataFrame) -> np.ndarray:
        """Which model scores each row.

        0: the full model; 1: text only (no metadata at all); 2: accent-free view (text typed
        without tone marks); 3: accent-free view, text only.
        """
        routes = np.zeros(len(frame), dtype=int)
        no_meta = frame[list(META_COLUMNS)].isna().all(axis=1).to_numpy()
        if getattr(self, "text_model_", None) is not None:
            routes[no_meta] = 1
        if getattr(self, "plain_model_", None) is not None:
            share = np.array([diacritic_share(t) for t in frame["norm"]])
            unaccented = share < self.accent_free_share
            routes[unaccented] = 2
            if getattr(self, "plain_text_model_", None) is not None:
                routes[unaccented & no_meta] = 3
        return routes

    def _parts(self, frame: pd.DataFrame) -> list[tuple]:
        """``(rows, features, calibrated classifier, union, meta slice, route)`` per model in use.

        Each row's features are computed only for the model that scores it.
        """
        routes = self._routes(frame)
        parts = []
        for route in (0, 1, 2, 3):
            rows = np.flatnonzero(routes == route)
            if not rows.size:
                continue
            if route in (0, 1):
                block = transform_in_slices(self.features_, frame.iloc[rows])
                model, union, meta = self.model_, self.features_, self._meta_slice(self.features_)
                if route == 1:
                    block, model = take_columns(block, self.text_columns_), self.text_model_
                    meta = slice(0, 0)
            else:
                block = transform_in_slices(self.plain_features_, frame.iloc[rows])
                model, union = self.plain_model_, self.plain_features_
                meta = self._meta_slice(self.plain_features_)
                if route == 3:
                    block = take_columns(block, self.plain_text_columns_)
                    model, meta = self.plain_text_model_, slice(0, 0)
            parts.append((rows, block, model.calibrated_classifiers_[0], union, meta, route))
        return parts
    _meta_slice = staticmethod(meta_slice)

    def _decision_and_proba(self, frame: pd.DataFrame, parts: list[tuple]) -> tuple:
        decision = np.zeros(len(frame))
        proba = np.zeros(len(frame))
        for rows, block, calibrated, *_ in parts:
            d = np.ravel(calibrated.estimator.decision_function(block))
            decision[rows] = d
            proba[rows] = calibrated.calibrators[0].predict(d)
        return decision, np.clip(proba, 0.0, 1.0)

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed distance to the linear boundary; positive leans to misinformation.

        The raw, uncalibrated value its terms add up to, of the model that scores each text
        (the accent-free one without tone marks, on a scale of its own): 0 is not where
        :meth:`predict` cuts.  Rank by :meth:`predict_proba` (``scoring="roc_auc"`` reads this).
        """
        check_is_fitted(self, "model_")
        frame = self.preprocess(X)
        return self._decision_and_proba(frame, self._parts(frame))[0]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities of shape (n_samples, 2); column 1 is misinformation.

        Documents with no metadata at all are scored by the text-only model,
        and texts typed without tone marks by the accent-free model.
        """
        check_is_fitted(self, "model_")
        frame = self.preprocess(X)
        p = self._decision_and_proba(frame, self._parts(frame))[1]
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the probability reaches ``medium_threshold``, else 0."""
        return (self.predict_proba(X)[:, 1] >= self.medium_threshold).astype(int)

    def top_terms(self, k: int = 15) -> dict[str, list[tuple[str, float]]]:
        """The heaviest text terms of each class of the full model, named at fit time.

        Returns
        -------
        dict
            ``{"misinformation": [(term, weight), ...], "reliable": [...]}``,
            at most ``k`` of each, heaviest first.

        Examples
        --------
        >>> texts = ["Uống nước chanh nóng diệt virus corona", "Tỏi sống chữa khỏi covid",
        ...          "Hà Nội nắng nhẹ cuối tuần", "Đà Nẵng mưa rào buổi chiều"] * 2
        >>> det = Detector(channels=("syllables",), min_df=1, cv=2, n_features=2**16)
        >>> det.fit(texts, [1, 1, 0, 0] * 2).top_terms(1)
        {'misinformation': [('sống', 0.8259)], 'reliable': [('buổi', -0.7471)]}
        """
        check_is_fitted(self, "model_")
        k = check_count("k", k)
        heavy = getattr(self, "heavy_terms_", {})
        return {label: [(str(t), float(w)) for t, w in heavy.get(label, [])[:k]]
                for label in ("misinformation", "reliable")}

    def tier(self, probabilities: Any) -> list[str]:
        """Map probabilities to review tiers ``high`` / ``medium`` / ``low``.

        Examples
        --------
        >>> Detector().tier([0.95, 0.6, 0.1])
        ['high', 'medium', 'low']
        """
        return [
            "high" if p >= self.high_threshold else "medium" if p >= self.medium_threshold
            else "low"
            for p in np.asarray(probabilities, dtype=float)
        ]

    def explain(self, X: Any, k: int = 5) -> list[dict[str, Any]]:
        """Score documents and name the terms that drove each score.

        Parameters
        ----------
        X : sequence of str or mapping, or DataFrame
            Documents (see :func:`vnmisinfo.data.schema.as_frame`).
        k : int, default=5
            How many terms to report per document.

        Returns
        -------
        list of dict
            One dict per document with ``probability`` (calibrated),
            ``label`` (1 = misinformation candidate), ``top_terms``:
            ``(term, contribution)`` pairs, the text n-grams that moved the
            decision value most, with their exact signed contributions (a
            character n-gram read with and without the spaces around it is one
            term, its spacings summed), and
            ``context``: ``(field, contribution)`` of each metadata field
            present (likes, comments, shares, posting hour), measured against
            a typical post; a missing field contributes nothing.

        Raises
        ------
        ValueError
            If ``k`` is not a whole number, 0 or more.
        """
        check_is_fitted(self, "model_")
        k = check_count("k", k)
        frame = self.preprocess(X)
        # slices of rows: the feature matrix of one slice at a time, so memory stays flat
        return [r for lo, hi in row_slices(frame)
                for r in self._explain_frame(frame.iloc[lo:hi], k)]

    def _explain_frame(self, frame: pd.DataFrame, k: int) -> list[dict[str, Any]]:
        parts = self._parts(frame)
        _, proba = self._decision_and_proba(frame, parts)
        terms: list[list[tuple[str, float]]] = [[] for _ in range(len(frame))]
        context: list[list[tuple[str, float]]] = [[] for _ in range(len(frame))]
        for rows, block, calibrated, union, meta, route in parts:
            coef = np.ravel(calibrated.estimator.coef_)
            subset = (None if route in (0, 2) else  # a text-only model reads some columns
                      self.text_columns_ if route == 1 else self.plain_text_columns_)
            text, text_coef, subset = text_part(block, coef, meta, subset)
            found = explained_terms(union, frame.iloc[rows], text, text_coef, k, subset,
                                    wide=route >= 2)  # the accent-free models
            signals = (context_contributions(block[:, meta], coef[meta], meta_names(union))
                       if meta.stop > meta.start else [[] for _ in rows])
            for r, tt, cc in zip(rows, found, signals, strict=True):
                terms[r], context[r] = tt, cc
        return [
            {"probability": float(p), "label": int(p >= self.medium_threshold), "top_terms": tt,
             "context": cc}
            for p, tt, cc in zip(proba, terms, context, strict=True)
        ]

