"""Features: the third stage, after :mod:`vnmisinfo.text.tokenize`.

It reads the canonical frame of :func:`vnmisinfo.data.schema.as_frame` and does two things:

1. :class:`Preprocessor` adds the normalized text and its token views
   (``norm``, ``words``, ``syll``, ``plain``).  It learns nothing, so a
   detector runs it once, outside cross-validation.
2. :func:`build_union` assembles the learned part: stock
   :class:`~sklearn.feature_extraction.text.TfidfVectorizer` channels in a
   :class:`~sklearn.compose.ColumnTransformer`, optional NB log-count-ratio
   scaling (:class:`NBScaler`) and the post metadata
   (:class:`MetadataFeatures`).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from vnmisinfo.data.schema import META_COLUMNS, as_frame, joined_text
from vnmisinfo.model.hashing import HashedTfidf
from vnmisinfo.text.hashtags import normalize_for_model
from vnmisinfo.text.marks import restore_unaccented
from vnmisinfo.text.tokenize import TOKEN_PATTERN, accent_free, segment_many, syllables

__all__ = ["CHANNELS", "CompactTfidfVectorizer", "MetadataFeatures", "NBScaler", "Preprocessor",
           "build_union", "channel_scale", "column_names", "drop_fields", "fit_channels",
           "fit_union", "meta_names", "meta_slice", "row_slices", "transform_in_slices"]

#: Feature channels a detector can combine.
CHANNELS = ("words", "syllables", "chars", "accent_free", "accent_free_chars", "meta")


#: Columns added by :class:`Preprocessor`.
_VIEW_COLUMNS = ("norm", "words", "syll", "plain")


class Preprocessor(TransformerMixin, BaseEstimator):
    """Add the normalized text and its token views to a canonical frame.

    The output keeps the input columns and adds ``norm`` (normalized, original case, a
    hashtag or words joined by underscores read as words: :mod:`vnmisinfo.text.hashtags`),
    ``words`` (segmented, lower case), ``syll`` (lower case) and ``plain`` (accent-free).
    Nothing is learned.  A frame that already has these four columns is returned as it is.

    Inputs are checked by :func:`as_frame` (see its notes for the policy on missing values,
    bytes and invalid code points); each text is then cut to
    :data:`~vnmisinfo.text.normalize.MAX_CHARS` characters, with a
    :class:`~vnmisinfo.text.normalize.TruncationWarning`, before it is normalized and segmented.

    Parameters
    ----------
    segment : bool, default=True
        Run the word segmenter; when False, ``words`` holds the syllable view.
    restore : bool, default=False
        Put the tone marks back into texts typed without them, before they are normalized
        (:func:`~vnmisinfo.text.marks.restore_unaccented`).

    Examples
    --------
    >>> p = Preprocessor().fit_transform(as_frame(["Hà Nội có mưa"]))
    >>> p.loc[0, "words"], p.loc[0, "plain"]
    ('hà_nội có mưa', 'ha noi co mua')
    >>> Preprocessor(segment=False).transform(["Tin nóng #UốngNướcChanh"]).loc[0, "syll"]
    'tin nóng uống nước chanh'
    """

    def __init__(self, *, segment: bool = True, restore: bool = False) -> None:
        self.segment, self.restore = segment, restore

    def fit(self, X: pd.DataFrame, y: object = None) -> Preprocessor:
        """Nothing to learn; returns self."""
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        """Return a copy of the canonical frame with the token views added."""
        if isinstance(X, pd.DataFrame) and set(_VIEW_COLUMNS) <= set(X.columns):
            return X  # already preprocessed
        frame = as_frame(X).copy()
        pairs = zip(frame["text"], frame["title"], strict=True)
        joined = [joined_text(t, ti) for t, ti in pairs]
        joined = restore_unaccented(joined) if self.restore else joined
        frame["norm"] = norm = [normalize_for_model(t) for t in joined]
        syll = [syllables(t) for t in norm]
        frame["syll"] = syll
        frame["words"] = segment_many(norm) if self.segment else syll
        frame["plain"] = [accent_free(t) for t in norm]
        return frame


class MetadataFeatures(TransformerMixin, BaseEstimator):
    """Post metadata as context that a missing value cannot move.

    For each of likes, comments and shares: ``log1p(count)`` and a one-hot of
    ``count_bins`` quantile bins learned in ``fit`` (binning lets a linear
    model weigh "no shares" and "viral" differently); the posting hour (UTC+7,
    Vietnam's time) is one-hot encoded into ``hour_bins`` bins.  Every
    feature is centred on its training mean over the posts that carry the
    field, and a missing field is 0: it contributes exactly nothing, so a
    missing count is never evidence either way, and what a present count
    contributes is measured against a typical post.  All values are
    multiplied by ``scale``, which bounds how far context can move a score
    against the text.

    Parameters
    ----------
    hour_bins : int, default=6
        Number of equal bins over the 24 hours.
    scale : float, default=0.1
        Multiplier on every metadata value, keeping them on the scale of
        TF-IDF values (smaller: more regularization, less weight).
    count_bins : int, default=5
        Quantile bins per count; 0 disables binning.

    Examples
    --------
    >>> frame = as_frame([{"text": "a", "likes": 0}, {"text": "b", "likes": 99}])
    >>> m = MetadataFeatures().fit(frame)
    >>> m.transform(as_frame(["no metadata"])).nnz
    0
    """

    _COUNTS = ("likes", "comments", "shares")
    #: Field of each group of features: which input a feature reads.
    FIELDS = (*_COUNTS, "timestamp")
    feature_names_out_: np.ndarray
    count_edges_: dict[str, np.ndarray]
    means_: np.ndarray
    fields_: np.ndarray

    def __init__(self, *, hour_bins: int = 6, scale: float = 0.1, count_bins: int = 5) -> None:
        self.hour_bins = hour_bins
        self.scale = scale
        self.count_bins = count_bins

    def fit(self, X: pd.DataFrame, y: object = None) -> MetadataFeatures:
        """Learn the count bins and each feature's mean over the posts that carry it."""
        if not isinstance(self.hour_bins, numbers.Integral) or not 1 <= self.hour_bins <= 24:
            raise ValueError(f"hour_bins must be an integer in [1, 24], got {self.hour_bins!r}.")
        if not isinstance(self.count_bins, numbers.Integral) or self.count_bins < 0:
            raise ValueError(f"count_bins must be a non-negative integer, got {self.count_bins!r}.")
        names: list[str] = []
        fields: list[str] = []
        edges = {}
        for c in self._COUNTS:
            v = X[c].to_numpy(dtype=float) if c in X else np.full(len(X), np.nan)
            seen = np.log1p(v[~np.isnan(v)])
            inner = (np.unique(np.quantile(seen, np.linspace(0, 1, self.count_bins + 1)[1:-1]))
                     if self.count_bins > 1 and seen.size else np.array([]))
            edges[c] = inner
            group = [f"log_{c}"] + ([f"{c}_bin{i}" for i in range(len(inner) + 1)]
                                    if self.count_bins else [])
            names += group
            fields += [c] * len(group)
        self.count_edges_ = edges
        names += [f"hour_{i}" for i in range(self.hour_bins)]
        fields += ["timestamp"] * self.hour_bins
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.fields_ = np.asarray(fields, dtype=object)
        raw, present = self._raw(X)
        counts = present.sum(axis=0)
        self.means_ = np.divide(np.where(present, raw, 0.0).sum(axis=0), counts,
                                out=np.zeros(raw.shape[1]), where=counts > 0)
        return self

    def _raw(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Uncentred features and, for each, whether its field is present."""
        cols, present = [], []
        n = len(X)
        for c in self._COUNTS:
            v = X[c].to_numpy(dtype=float) if c in X else np.full(n, np.nan)
            have = ~np.isnan(v)
            logv = np.log1p(np.where(have, v, 0.0))
            block = [logv[:, None]]
            if self.count_bins:
                inner = self.count_edges_[c]
                onehot_c = np.zeros((n, len(inner) + 1))
                onehot_c[np.arange(n), np.searchsorted(inner, logv, side="right")] = 1.0
                block.append(onehot_c)
            block_arr = np.hstack(block)
            cols.append(block_arr)
            present.append(np.repeat(have[:, None], block_arr.shape[1], axis=1))
        ts = X["timestamp"].to_numpy(dtype=float) if "timestamp" in X else np.full(n, np.nan)
        have_t = ~np.isnan(ts)
        hour = np.floor(((np.where(have_t, ts, 0.0) + 7 * 3600) % 86400) / 3600)
        bins = np.minimum((hour * self.hour_bins // 24).astype(int), self.hour_bins - 1)
        onehot = np.zeros((n, self.hour_bins))
        onehot[np.arange(n), bins] = 1.0
        cols.append(onehot)
        present.append(np.repeat(have_t[:, None], self.hour_bins, axis=1))
        return np.hstack(cols), np.hstack(present)

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        """Return the centred, scaled metadata; missing fields are 0."""
        check_is_fitted(self, "means_")
        raw, present = self._raw(X)
        dense = np.where(present, raw - self.means_, 0.0) * self.scale
        return sp.csr_matrix(dense)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output features."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_


class NBScaler(TransformerMixin, BaseEstimator):
    """Scale features by their naive-Bayes log-count ratio (NB-SVM, Wang & Manning 2012).

    ``r = log((p / |p|_1) / (q / |q|_1))`` with ``p`` and ``q`` the smoothed
    feature sums over positive and negative documents.  Features that separate
    the classes get larger weights before the linear model sees them.

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing.

    Examples
    --------
    >>> import numpy as np
    >>> s = NBScaler().fit(np.array([[1.0, 0.0], [0.0, 1.0]]), [1, 0])
    >>> bool(s.ratios_[0] > 0 > s.ratios_[1])
    True
    """

    def __init__(self, *, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: Any, y: Any) -> NBScaler:
        """Learn the log-count ratios from features ``X`` and binary labels ``y``."""
        y = np.asarray(y)
        X = sp.csr_matrix(X)
        p = np.asarray(X[y == 1].sum(axis=0)).ravel() + self.alpha
        q = np.asarray(X[y != 1].sum(axis=0)).ravel() + self.alpha
        self.ratios_ = np.log((p / p.sum()) / (q / q.sum()))
        return self

    def transform(self, X: Any) -> sp.csr_matrix:
        """Multiply each feature by its ratio."""
        check_is_fitted(self, "ratios_")
        return sp.csr_matrix(X) @ sp.diags(self.ratios_)

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """Pass the input names through."""
        return np.asarray(input_features, dtype=object)


class CompactTfidfVectorizer(TfidfVectorizer):
    """A stock :class:`~sklearn.feature_extraction.text.TfidfVectorizer` that saves compactly.

    skops writes a dict entry by entry, which makes a vocabulary of a million
    character n-grams weigh hundreds of megabytes.  This subclass stores the
    vocabulary as one string of terms in column order instead, and rebuilds
    the dict on load; fitting and transforming are unchanged.

    Examples
    --------
    >>> v = CompactTfidfVectorizer().fit(["hà nội", "đà nẵng"])
    >>> w = CompactTfidfVectorizer.__new__(CompactTfidfVectorizer)
    >>> w.__setstate__(v.__getstate__())
    >>> w.vocabulary_ == v.vocabulary_
    True
    """

    _SEP = "\x00"  # normalize_text removes control characters, so no term contains it

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        vocab = state.get("vocabulary_")
        if isinstance(vocab, dict) and not any(self._SEP in t for t in vocab):
            state["vocabulary_terms_"] = self._SEP.join(sorted(vocab, key=vocab.__getitem__))
            del state["vocabulary_"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        terms = state.pop("vocabulary_terms_", None)
        super().__setstate__(state)
        if terms is not None:
            self.vocabulary_ = {t: i for i, t in enumerate(terms.split(self._SEP))}


def _tfidf(column: str, *, analyzer: str, ngram_range: tuple[int, int], min_df: int,
           max_df: float, max_features: int | None, n_features: int | None = None) -> Any:
    ngram_range = tuple(ngram_range)  # type: ignore[assignment]  # a grid read from JSON: a list
    if n_features:
        return HashedTfidf(analyzer=analyzer, ngram_range=ngram_range, n_features=n_features,
                           min_df=min_df, max_df=max_df)
    return CompactTfidfVectorizer(
        analyzer=analyzer,
        token_pattern=TOKEN_PATTERN if analyzer == "word" else None,
        ngram_range=ngram_range,
        min_df=min_df,
        max_df=max_df,
        max_features=max_features,
        sublinear_tf=True,
        lowercase=False,  # the token views are already lower-cased, after segmentation
        dtype=np.float32,
    )


def build_union(
    channels: Sequence[str],
    *,
    word_ngram_range: tuple[int, int] = (1, 2),
    char_ngram_range: tuple[int, int] = (2, 5),
    char_analyzer: str = "char",
    min_df: int = 2,
    max_df: float = 1.0,
    max_features: int | None = None,
    nb_scaling: bool = False,
    meta_scale: float = 0.1,
    n_features: int | None = None,
    channel_weights: Mapping[str, float] | None = None,
) -> ColumnTransformer:
    """Assemble the feature channels into one ColumnTransformer.

    Parameters
    ----------
    channels : sequence of str
        Any of :data:`CHANNELS`.
    word_ngram_range, char_ngram_range : tuple of int
        N-gram ranges for the word/syllable/accent-free channels and the
        character channel.
    char_analyzer : {"char", "char_wb"}
        ``"char"`` n-grams cross word boundaries (they see "nước chanh" as
        one unit); ``"char_wb"`` stays inside words.
    min_df : int
        Minimum document frequency of a kept n-gram.
    max_df : float
        Drop n-grams found in more than this share of documents.
    max_features : int, optional
        Cap on each text channel's vocabulary.
    nb_scaling : bool
        Scale each text channel by its NB log-count ratio.
    meta_scale : float
        Weight of the metadata values (:class:`MetadataFeatures` ``scale``).
    n_features : int, optional
        Hash each text channel's n-grams into this many buckets
        (:class:`~vnmisinfo.model.hashing.HashedTfidf`: no vocabulary in
        memory, a few numpy passes per batch); by default each channel learns
        a vocabulary.
    channel_weights : mapping of str to float, optional
        A factor for the features of each channel named (the union's
        ``transformer_weights``); the others weigh 1.  Under the linear model's
        L2 penalty, weight ``w`` regularizes that channel as ``C * w**2`` would.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Unfitted; it expects the frame made by :class:`Preprocessor`.

    Examples
    --------
    >>> [name for name, _, _ in build_union(["words", "meta"]).transformers]
    ['words', 'meta']
    >>> build_union(["chars", "syllables"], channel_weights={"chars": 2.0}).transformer_weights
    {'chars': 2.0}
    """
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown or not channels:
        raise ValueError(f"channels must be a non-empty subset of {CHANNELS}, got {channels!r}.")
    sources = {"words": "words", "syllables": "syll", "accent_free": "plain", "chars": "syll",
               "accent_free_chars": "plain"}
    char_channels = ("chars", "accent_free_chars")
    transformers: list[tuple[str, Any, Any]] = []
    for name in channels:
        if name == "meta":
            transformers.append(("meta", MetadataFeatures(scale=meta_scale), list(META_COLUMNS)))
            continue
        vec = _tfidf(
            sources[name],
            analyzer=char_analyzer if name in char_channels else "word",
            ngram_range=char_ngram_range if name in char_channels else word_ngram_range,
            min_df=min_df,
            max_df=max_df,
            max_features=max_features,
            n_features=n_features,
        )
        step: Any = Pipeline([("tfidf", vec), ("nb", NBScaler())]) if nb_scaling else vec
        transformers.append((name, step, sources[name]))
    weights = {c: float(w) for c, w in (channel_weights or {}).items() if c in channels}
    return ColumnTransformer(transformers, sparse_threshold=1.0,
                             transformer_weights=weights or None)


def channel_scale(union: Any, width: int) -> np.ndarray:
    """The factor of each of the ``width`` columns of a fitted union (``channel_weights``)."""
    scale = np.ones(width)
    for name, weight in (getattr(union, "transformer_weights", None) or {}).items():
        scale[union.output_indices_.get(name, slice(0, 0))] = weight
    return scale


def meta_slice(union: Any) -> slice:
    """Columns of the metadata channel in a fitted union (an empty slice without one)."""
    found = union.output_indices_.get("meta")
    return found if found is not None and found.stop > found.start else slice(0, 0)


def drop_fields(features: sp.csr_matrix, union: Any, rate: float, seed: int) -> sp.csr_matrix:
    """Training features with each metadata field of each row removed with chance ``rate``.

    A removed field is 0, as a missing one is at scoring time, so a model fitted
    on these learns not to lean on any one field: dropping it later moves scores
    little.
    """
    meta = meta_slice(union)
    if rate <= 0 or meta.stop <= meta.start:
        return features
    fields = union.named_transformers_["meta"].fields_
    rng = np.random.default_rng(seed)
    out = sp.csr_matrix(features, copy=True)
    distinct = list(dict.fromkeys(fields))
    keep = np.array([rng.random(out.shape[0]) >= rate for _ in distinct])  # field x row
    # only the stored metadata values change: the text columns are never copied twice
    at = np.flatnonzero((out.indices >= meta.start) & (out.indices < meta.stop))
    row = np.searchsorted(out.indptr, at, side="right") - 1
    field = np.asarray([distinct.index(f) for f in fields])[out.indices[at] - meta.start]
    out.data[at] *= keep[field, row]
    out.eliminate_zeros()
    return out


def _vectorizer(step: Any) -> Any:
    """The TF-IDF step of a channel (inside an NB-scaling pipeline, its first step)."""
    return step.steps[0][1] if isinstance(step, Pipeline) else step


def column_names(union: Any, frame: pd.DataFrame, rows: np.ndarray, columns: np.ndarray,
                 memo: dict | None = None) -> list[str]:
    """``channel__term`` name of feature ``columns[i]`` of the union, read in row ``rows[i]``.

    A vocabulary channel names a column by its vocabulary; a hashed channel
    hashes again only the rows asked about, to find the n-gram behind each
    bucket (with a ``memo`` dict, for calls on the same ``frame``: every row once, kept
    there).  Metadata columns are named by :class:`MetadataFeatures`.

    Examples
    --------
    >>> frame = Preprocessor(segment=False).transform(["hà nội mưa", "hà nội nắng"])
    >>> union = build_union(["syllables"], min_df=1, n_features=2**12).fit(frame)
    >>> X = union.transform(frame)
    >>> sorted(column_names(union, frame, *X[:1].nonzero()))
    ['syllables__hà', 'syllables__hà nội', 'syllables__mưa', 'syllables__nội', 'syllables__nội mưa']
    """
    rows = np.asarray(rows, dtype=np.int64)
    columns = np.asarray(columns, dtype=np.int64)
    out = np.full(len(columns), "", dtype=object)
    for name, step, source in union.transformers_:
        where = union.output_indices_.get(name)
        if where is None or where.stop <= where.start or step == "drop":
            continue
        mine = np.flatnonzero((columns >= where.start) & (columns < where.stop))
        if not len(mine):
            continue
        local = columns[mine] - where.start
        vec = _vectorizer(step)
        if isinstance(vec, HashedTfidf):
            terms = vec.names(frame[source], rows[mine], local,
                              None if memo is None else memo.setdefault(name, {}))
        else:
            terms = list(np.asarray(vec.get_feature_names_out(), dtype=object)[local])
        out[mine] = [f"{name}__{t}" for t in terms]
    return out.tolist()


def meta_names(union: Any) -> list[str]:
    """``meta__name`` of each metadata column of a fitted union, in column order."""
    meta = union.named_transformers_.get("meta") if hasattr(union, "named_transformers_") else None
    if meta is None or meta == "drop":
        return []
    return [f"meta__{n}" for n in meta.get_feature_names_out()]


_TRANSFORM_ROWS = 128  # rows transformed and explained at once: flat memory (256: 24 MB more)
_TRANSFORM_CHARS = 100_000  # ... and characters, for long articles


def row_slices(frame: pd.DataFrame) -> list[tuple[int, int]]:
    """Consecutive row ranges of at most ``_TRANSFORM_ROWS`` rows and ``_TRANSFORM_CHARS``
    characters (a longer row is a range of its own)."""
    sizes = (frame["norm"].str.len().fillna(0).to_numpy(dtype=np.int64) if "norm" in frame
             else np.ones(len(frame), dtype=np.int64))
    ends = np.cumsum(sizes)
    out, lo = [], 0
    while lo < len(frame):
        base = ends[lo - 1] if lo else 0
        hi = int(np.searchsorted(ends, base + _TRANSFORM_CHARS, side="right"))
        hi = min(max(hi, lo + 1), lo + _TRANSFORM_ROWS, len(frame))
        out.append((lo, hi))
        lo = hi
    return out


def fit_union(union: Any, frame: pd.DataFrame, y: Any) -> sp.csr_matrix:
    """``union.fit_transform(frame, y)`` as a CSR matrix, whatever scikit-learn's output setting.

    The channels' output is sparse, which a pandas or polars container cannot hold, so the union
    runs with the default output: ``sklearn.set_config(transform_output="pandas")`` is ignored.

    Examples
    --------
    >>> import sklearn
    >>> frame = Preprocessor(segment=False).transform(["hà nội mưa", "hà nội nắng"])
    >>> with sklearn.config_context(transform_output="pandas"):
    ...     fit_union(build_union(["syllables", "meta"], min_df=1), frame, [0, 1]).shape
    (2, 19)
    """
    with config_context(transform_output="default"):
        return sp.csr_matrix(union.fit_transform(frame, y))


def fit_channels(union: Any, frame: pd.DataFrame, y: Any, dropout: float, seed: int,
                 df_range: tuple[Any, Any]) -> tuple[Any, sp.csr_matrix]:
    """The fitted ``union`` (in a worker, a copy) and its features, metadata ``dropout`` applied."""
    try:
        features = fit_union(union, frame, y)
    except ValueError as exc:  # a vocabulary left empty by min_df and max_df
        if "no terms remain" not in str(exc) and "0 feature(s)" not in str(exc):
            raise
        raise ValueError(f"Detector(min_df={df_range[0]!r}, max_df={df_range[1]!r}): no n-gram "
                         f"is in at least min_df and at most max_df of the {len(frame)} training "
                         "documents, so a text channel has no features. Lower min_df or raise "
                         "max_df.") from exc
    return union, drop_fields(features, union, dropout, seed)


def transform_in_slices(union: Any, frame: pd.DataFrame) -> sp.csr_matrix:
    """``union.transform(frame)`` in slices of rows, stacked: same result, bounded memory.

    As in :func:`fit_union`, the output is sparse whatever scikit-learn's output setting.
    """
    slices = row_slices(frame)
    with config_context(transform_output="default"):
        if len(slices) == 1:
            return sp.csr_matrix(union.transform(frame))
        return sp.csr_matrix(sp.vstack([sp.csr_matrix(union.transform(frame.iloc[lo:hi]))
                                        for lo, hi in slices]))
