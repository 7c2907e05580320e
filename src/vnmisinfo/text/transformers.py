"""scikit-learn transformers over the text functions: :class:`Normalizer`, :class:`Tokenizer`.

They live apart from :mod:`vnmisinfo.text.normalize` and :mod:`vnmisinfo.text.tokenize` so
that normalizing text never imports scikit-learn (a batch's main process reads and writes
rows and needs neither).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from sklearn.base import BaseEstimator, TransformerMixin

from vnmisinfo.text.normalize import normalize_text
from vnmisinfo.text.tokenize import accent_free, segment_many, syllables

__all__ = ["Normalizer", "TextInput", "Tokenizer"]


class TextInput:
    """Mixin that tells scikit-learn an estimator takes a list of texts, as
    ``TfidfVectorizer`` does, not a 2-D array: ``check_estimator`` and a pipeline's
    tags then treat it as one.

    Examples
    --------
    >>> tags = Normalizer().__sklearn_tags__().input_tags
    >>> tags.string, tags.two_d_array
    (True, False)
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class Normalizer(TextInput, TransformerMixin, BaseEstimator):
    """scikit-learn transformer applying :func:`normalize_text` to each document.

    Stateless: ``fit`` learns nothing, so the transformer can be used inside a
    :class:`~sklearn.pipeline.Pipeline` before any vectorizer.

    Parameters
    ----------
    evasion : bool, default=True
        Passed to :func:`normalize_text`.
    teencode : bool, default=True
        Passed to :func:`normalize_text`.
    placeholders : bool, default=True
        Passed to :func:`normalize_text`.

    Examples
    --------
    >>> Normalizer().fit_transform(["Nước máy HN ko uống đc!!!", None])
    ['Nước máy Hà Nội không uống được!', '']
    """

    def __init__(
        self, *, evasion: bool = True, teencode: bool = True, placeholders: bool = True
    ) -> None:
        self.evasion = evasion
        self.teencode = teencode
        self.placeholders = placeholders

    def fit(self, X: Iterable[str | None], y: object = None) -> Normalizer:
        """Do nothing and return ``self``.

        Parameters
        ----------
        X : iterable of str
            Ignored (a bare string is still rejected).
        y : None
            Ignored.

        Returns
        -------
        Normalizer
            This transformer.

        Examples
        --------
        >>> Normalizer().fit(["tin giả"]).transform(["tin giả"])
        ['tin giả']
        """
        _check_raw_documents(X)
        return self

    def transform(self, X: Iterable[str | None]) -> list[str]:
        """Normalize every document.

        Parameters
        ----------
        X : iterable of str or None
            Raw documents; ``None`` (and float NaN from pandas) become ``''``.

        Returns
        -------
        list of str
            One normalized string per document.

        Raises
        ------
        TypeError
            If ``X`` is a single string, or an item is neither ``str`` nor
            missing.

        Examples
        --------
        >>> Normalizer(teencode=False).transform(["ko sao đâu"])
        ['ko sao đâu']
        """
        _check_raw_documents(X)
        opts = {
            "evasion": self.evasion,
            "teencode": self.teencode,
            "placeholders": self.placeholders,
        }
        out: list[str] = []
        for doc in X:
            if isinstance(doc, str):
                out.append(normalize_text(doc, **opts))
            elif _is_missing(doc):
                out.append("")
            else:
                raise TypeError(f"each document must be a str or missing (None, NaN); got "
                                f"{type(doc).__name__}. Convert it with str() or drop it.")
        return out

    def __sklearn_is_fitted__(self) -> bool:
        return True


def _is_missing(doc: object) -> bool:
    """None, NaN, or pandas' ``NA`` and ``NaT`` (which exist only once pandas is imported).

    Examples
    --------
    >>> import pandas as pd
    >>> [_is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, b"x")]
    [True, True, True, True, False, False]
    """
    if doc is None:
        return True
    if isinstance(doc, float):
        return math.isnan(doc)
    pandas = sys.modules.get("pandas")
    return (pandas is not None and bool(pandas.api.types.is_scalar(doc))
            and bool(pandas.isna(doc)))


def _check_raw_documents(X: object) -> None:
    if isinstance(X, str):
        raise TypeError("Iterable over raw text documents expected, string object received.")
    if X is None or not isinstance(X, Iterable) and not hasattr(X, "__len__"):
        raise TypeError(f"Iterable over raw text documents expected, {type(X).__name__} received.")


class Tokenizer(TextInput, TransformerMixin, BaseEstimator):
    """Turn normalized texts into token strings for a vectorizer.

    Parameters
    ----------
    mode : {"words", "syllables", "accent_free"}, default="words"
        ``"words"`` segments with underthesea; ``"syllables"`` only splits on
        white space; ``"accent_free"`` also drops tone marks.

    Examples
    --------
    >>> Tokenizer(mode="syllables").fit_transform(["Hà Nội"])
    ['hà nội']
    """

    _MODES = ("words", "syllables", "accent_free")

    def __init__(self, *, mode: str = "words") -> None:
        self.mode = mode

    def fit(self, X: Sequence[str], y: object = None) -> Tokenizer:
        """Check the parameters; nothing is learned."""
        if self.mode not in self._MODES:
            raise ValueError(f"mode must be one of {self._MODES}, got {self.mode!r}.")
        return self

    def transform(self, X: Sequence[str]) -> list[str]:
        """Tokenize each text."""
        if isinstance(X, str):
            raise TypeError(
                "Iterable over raw text documents expected, string object received. "
                "Wrap a single text in a list: [text]."
            )
        self.fit(X)
        if self.mode == "words":
            return segment_many(X)
        if self.mode == "syllables":
            return [syllables(t) for t in X]
        return [accent_free(t) for t in X]
