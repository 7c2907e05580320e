"""Features: the third stage, after :mod:`vnmisinfo.tokenize`.

It does three things:

1. :func:`as_frame` turns what a user hands in (a sequence of strings, a
   sequence of mappings, or a pandas DataFrame with ReINTEL or VFND column
   names) into one canonical frame with the columns of :data:`FRAME_COLUMNS`.
2. :class:`Preprocessor` adds the normalized text and its token views
   (``norm``, ``words``, ``syll``, ``plain``).  It learns nothing, so a
   detector runs it once, outside cross-validation.
3. :func:`build_union` assembles the learned part: stock
   :class:`~sklearn.feature_extraction.text.TfidfVectorizer` channels in a
   :class:`~sklearn.compose.ColumnTransformer`, optional NB log-count-ratio
   scaling (:class:`NBScaler`) and the post metadata
   (:class:`MetadataFeatures`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .normalize import normalize_text
from .tokenize import TOKEN_PATTERN, accent_free, segment_many, syllables

__all__ = [
    "CHANNELS",
    "CompactTfidfVectorizer",
    "FRAME_COLUMNS",
    "META_COLUMNS",
    "MetadataFeatures",
    "NBScaler",
    "Preprocessor",
    "as_frame",
    "joined_text",
    "resolve_columns",
    "build_union",
]

#: Metadata columns of the canonical frame.
META_COLUMNS = ("likes", "comments", "shares", "timestamp")
#: Columns of the canonical frame returned by :func:`as_frame`.
FRAME_COLUMNS = ("text", "title", *META_COLUMNS)
#: Feature channels a detector can combine.
CHANNELS = ("words", "syllables", "chars", "accent_free", "accent_free_chars", "meta")

# Column names recognised automatically, first match wins.
_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "post_message", "content", "message", "body"),
    "title": ("title", "headline"),
    "likes": ("likes", "num_like_post", "like_count"),
    "comments": ("comments", "num_comment_post", "comment_count"),
    "shares": ("shares", "num_share_post", "share_count"),
    "timestamp": ("timestamp", "timestamp_post", "created_at"),
}


def _type_error(where: str, value: object) -> TypeError:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return TypeError(
            f"{where} is {type(value).__name__}; expected str. Decode it first, "
            "e.g. x.decode('utf-8', errors='replace')."
        )
    return TypeError(
        f"{where} is {type(value).__name__}; expected str. "
        "Convert it to text (str(x)) or drop it; missing texts may be None and are scored as ''."
    )


def _repair_surrogates(text: str) -> str:
    """Join UTF-16 surrogate pairs into their character; lone surrogates become U+FFFD.

    Lone surrogates cannot be encoded as UTF-8, so pandas' string columns (and
    many writers) reject them; :func:`~vnmisinfo.normalize.normalize_text`
    later drops the U+FFFD.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _text_value(value: object, where: str) -> str:
    if isinstance(value, str):
        return _repair_surrogates(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    raise _type_error(where, value)


def _number(value: object) -> float:
    """Coerce a count or timestamp; anything unusable becomes NaN (marked missing)."""
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, numbers.Real):
        out = float(value)
    else:
        try:
            out = float(str(value).strip().replace(",", ""))
        except ValueError:
            return math.nan
    return out if math.isfinite(out) and out >= 0 else math.nan


def resolve_columns(columns: Sequence[str]) -> dict[str, str]:
    """Map canonical names (``text``, ``likes``, ...) to the matching columns present.

    Examples
    --------
    >>> resolve_columns(["post_message", "num_share_post", "user_name"])
    {'text': 'post_message', 'shares': 'num_share_post'}
    """
    present = {str(c).lower(): c for c in columns}
    found = {}
    for canonical, names in _ALIASES.items():
        for name in names:
            if name in present:
                found[canonical] = present[name]
                break
    return found


def as_frame(docs: Any, *, text_column: str | None = None) -> pd.DataFrame:
    """Turn documents into the canonical frame.

    Parameters
    ----------
    docs : sequence of str, sequence of mapping, or pandas.DataFrame
        Mappings and frames may carry ``text`` (required), ``title``,
        ``likes``, ``comments``, ``shares`` and ``timestamp`` (Unix seconds);
        the ReINTEL (``post_message``, ``num_like_post``, ...) and VFND
        (``text``, ``title``) names are recognised.  ``None`` or NaN texts are
        scored as empty text.
    text_column : str, optional
        Name of the text column or key when it is not one of the known names.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FRAME_COLUMNS`; counts and timestamps are floats, NaN
        when missing or not numeric.

    Raises
    ------
    TypeError
        If ``docs`` is a single string, bytes or mapping, or an item is neither
        text, ``None`` nor a mapping (``bytes`` items must be decoded first);
        the message names the item's index.
    ValueError
        If no text column can be found.

    Notes
    -----
    Input policy: ``None`` and NaN texts become ``''``; lone UTF-16
    surrogates (``'\\ud800'``) become U+FFFD, which normalization drops, and a
    valid surrogate pair becomes its character.  Control characters,
    non-characters and texts of any length are kept here and handled by
    :func:`~vnmisinfo.normalize.normalize_text`, which removes the former and
    cuts texts longer than :data:`~vnmisinfo.normalize.MAX_CHARS` characters
    with a :class:`~vnmisinfo.normalize.TruncationWarning`.

    Examples
    --------
    >>> f = as_frame([{"post_message": "Tin giả", "num_like_post": "12"}])
    >>> f.loc[0, "text"], float(f.loc[0, "likes"])
    ('Tin giả', 12.0)
    """
    if isinstance(docs, str):
        raise TypeError(
            "Iterable over raw text documents expected, string object received. "
            "Wrap a single text in a list: detector.score([text])."
        )
    if isinstance(docs, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"Iterable over raw text documents expected, {type(docs).__name__} object received. "
            "Decode it first and wrap it in a list: detector.score([data.decode('utf-8')])."
        )
    if isinstance(docs, Mapping):
        raise TypeError(
            "Iterable over documents expected, a single mapping received. "
            "Wrap one document in a list: detector.score([{'text': ...}])."
        )
    if isinstance(docs, pd.Series):
        docs = docs.tolist()
    if isinstance(docs, pd.DataFrame):
        cols = resolve_columns(list(docs.columns))
        if text_column is not None:
            if text_column not in docs.columns:
                raise ValueError(
                    f"text column {text_column!r} not found; columns are {list(docs.columns)}."
                )
            cols["text"] = text_column
        if "text" not in cols:
            raise ValueError(
                f"no text column among {list(docs.columns)}; name it 'text' or "
                "'post_message', or pass text_column=..."
            )
        records: list[Any] = [
            {k: row[i] for k, i in zip(cols, range(len(cols)), strict=True)}
            for row in docs[list(cols.values())].itertuples(index=False, name=None)
        ]
    else:
        try:
            records = list(docs)
        except TypeError:
            raise TypeError(
                f"documents must be a sequence of str or mappings, or a DataFrame; "
                f"got {type(docs).__name__}."
            ) from None
    out: dict[str, list[Any]] = {c: [] for c in FRAME_COLUMNS}
    for i, item in enumerate(records):
        if isinstance(item, Mapping):
            keys = resolve_columns(list(item.keys()))
            if text_column is not None and text_column in item:
                keys["text"] = text_column
            if "text" not in keys:
                raise ValueError(
                    f"document {i} has no text key among {sorted(item)}; use 'text' "
                    "or pass text_column=..."
                )
            out["text"].append(_text_value(item[keys["text"]], f"document {i} text"))
            title = item.get(keys["title"]) if "title" in keys else None
            out["title"].append(_text_value(title, f"document {i} title"))
            for c in META_COLUMNS:
                out[c].append(_number(item[keys[c]]) if c in keys else math.nan)
        else:
            out["text"].append(_text_value(item, f"document {i}"))
            out["title"].append("")
            for c in META_COLUMNS:
                out[c].append(math.nan)
    frame = pd.DataFrame(out, columns=list(FRAME_COLUMNS))
    for c in META_COLUMNS:
        frame[c] = frame[c].astype(float)
    return frame


def joined_text(text: str, title: str) -> str:
    """The text a document is scored on: its title, a full stop, then its body.

    Examples
    --------
    >>> joined_text("Nội dung", "Tiêu đề")
    'Tiêu đề. Nội dung'
    """
    if title and title.strip():
        return f"{title.strip()}. {text}"
    return text


#: Columns added by :class:`Preprocessor`.
_VIEW_COLUMNS = ("norm", "words", "syll", "plain")


class Preprocessor(TransformerMixin, BaseEstimator):
    """Add the normalized text and its token views to a canonical frame.

    The output keeps the input columns and adds ``norm`` (normalized, original
    case), ``words`` (segmented, lower case), ``syll`` (lower case) and
    ``plain`` (accent-free).  Nothing is learned.  A frame that already has
    these four columns is returned as it is.

    Inputs are checked by :func:`as_frame` (see its notes for the policy on
    missing values, bytes and invalid code points); each text is then cut to
    :data:`~vnmisinfo.normalize.MAX_CHARS` characters, with a
    :class:`~vnmisinfo.normalize.TruncationWarning`, before it is normalized
    and segmented.

    Parameters
    ----------
    segment : bool, default=True
        Run the word segmenter; when False, ``words`` holds the syllable view.

    Examples
    --------
    >>> p = Preprocessor().fit_transform(as_frame(["Hà Nội có mưa"]))
    >>> p.loc[0, "words"], p.loc[0, "plain"]
    ('hà_nội có mưa', 'ha noi co mua')
    """

    def __init__(self, *, segment: bool = True) -> None:
        self.segment = segment

    def fit(self, X: pd.DataFrame, y: object = None) -> Preprocessor:
        """Nothing to learn; returns self."""
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        """Return a copy of the canonical frame with the token views added."""
        if isinstance(X, pd.DataFrame) and set(_VIEW_COLUMNS) <= set(X.columns):
            return X  # already preprocessed
        frame = as_frame(X).copy()
        pairs = zip(frame["text"], frame["title"], strict=True)
        norm = [normalize_text(joined_text(t, ti)) for t, ti in pairs]
        frame["norm"] = norm
        syll = [syllables(t) for t in norm]
        frame["syll"] = syll
        frame["words"] = segment_many(norm) if self.segment else syll
        frame["plain"] = [accent_free(t) for t in norm]
        return frame


class MetadataFeatures(TransformerMixin, BaseEstimator):
    """Post metadata: log counts, posting hour, and missing-value flags.

    For each of likes, comments and shares: ``log1p(count)`` scaled by
    ``scale`` (0 when missing), a missing flag, and a one-hot of
    ``count_bins`` quantile bins learned in ``fit`` -- binning lets a linear
    model weigh "no shares" and "viral" differently.  The posting hour (UTC+7,
    Vietnam's time) is one-hot encoded into ``hour_bins`` bins, with its own
    missing flag.  News articles usually carry no metadata; their flags say so.

    Parameters
    ----------
    hour_bins : int, default=6
        Number of equal bins over the 24 hours.
    scale : float, default=0.1
        Multiplier on the log counts, keeping them on the scale of TF-IDF values.
    count_bins : int, default=5
        Quantile bins per count; 0 disables binning.

    Examples
    --------
    >>> m = MetadataFeatures().fit(as_frame([{"text": "a", "likes": 0}]))
    >>> m.transform(as_frame([{"text": "a", "likes": 0}])).shape
    (1, 17)
    """

    _COUNTS = ("likes", "comments", "shares")
    feature_names_out_: np.ndarray
    count_edges_: dict[str, np.ndarray]

    def __init__(self, *, hour_bins: int = 6, scale: float = 0.1, count_bins: int = 5) -> None:
        self.hour_bins = hour_bins
        self.scale = scale
        self.count_bins = count_bins

    def fit(self, X: pd.DataFrame, y: object = None) -> MetadataFeatures:
        """Validate the parameters and record the feature names."""
        if not isinstance(self.hour_bins, numbers.Integral) or not 1 <= self.hour_bins <= 24:
            raise ValueError(f"hour_bins must be an integer in [1, 24], got {self.hour_bins!r}.")
        if not isinstance(self.count_bins, numbers.Integral) or self.count_bins < 0:
            raise ValueError(f"count_bins must be a non-negative integer, got {self.count_bins!r}.")
        names = []
        edges = {}
        for c in self._COUNTS:
            names += [f"log_{c}", f"missing_{c}"]
            v = X[c].to_numpy(dtype=float) if c in X else np.full(len(X), np.nan)
            seen = np.log1p(v[~np.isnan(v)])
            inner = (np.unique(np.quantile(seen, np.linspace(0, 1, self.count_bins + 1)[1:-1]))
                     if self.count_bins > 1 and seen.size else np.array([]))
            edges[c] = inner
            names += [f"{c}_bin{i}" for i in range(len(inner) + 1)] if self.count_bins else []
        self.count_edges_ = edges
        names += [f"hour_{i}" for i in range(self.hour_bins)] + ["missing_time"]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        """Return the metadata as a sparse matrix."""
        check_is_fitted(self, "feature_names_out_")
        cols = []
        for c in self._COUNTS:
            v = X[c].to_numpy(dtype=float) if c in X else np.full(len(X), np.nan)
            miss = np.isnan(v)
            logv = np.log1p(np.where(miss, 0.0, v))
            cols.append(np.where(miss, 0.0, logv * self.scale))
            cols.append(miss.astype(float))
            if self.count_bins:
                inner = self.count_edges_[c]
                onehot_c = np.zeros((len(X), len(inner) + 1))
                onehot_c[np.arange(len(X)), np.searchsorted(inner, logv, side="right")] = 1.0
                onehot_c[miss] = 0.0
                cols.extend(onehot_c.T)
        ts = X["timestamp"].to_numpy(dtype=float) if "timestamp" in X else np.full(len(X), np.nan)
        miss_t = np.isnan(ts)
        hour = np.floor(((np.where(miss_t, 0.0, ts) + 7 * 3600) % 86400) / 3600)
        bins = np.minimum((hour * self.hour_bins // 24).astype(int), self.hour_bins - 1)
        onehot = np.zeros((len(X), self.hour_bins))
        onehot[np.arange(len(X)), bins] = 1.0
        onehot[miss_t] = 0.0
        dense = np.column_stack([*cols, onehot, miss_t.astype(float)])
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
           max_df: float, max_features: int | None) -> TfidfVectorizer:
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

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Unfitted; it expects the frame made by :class:`Preprocessor`.

    Examples
    --------
    >>> [name for name, _, _ in build_union(["words", "meta"]).transformers]
    ['words', 'meta']
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
            transformers.append(("meta", MetadataFeatures(), list(META_COLUMNS)))
            continue
        vec = _tfidf(
            sources[name],
            analyzer=char_analyzer if name in char_channels else "word",
            ngram_range=char_ngram_range if name in char_channels else word_ngram_range,
            min_df=min_df,
            max_df=max_df,
            max_features=max_features,
        )
        step: Any = Pipeline([("tfidf", vec), ("nb", NBScaler())]) if nb_scaling else vec
        transformers.append((name, step, sources[name]))
    return ColumnTransformer(transformers, sparse_threshold=1.0)
