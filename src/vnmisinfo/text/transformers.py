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

__all__ = ["Normalizer", "TextInput", "TextOutput", "Tokenizer", "raw_documents", "texts_of"]


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


class TextOutput:
    """Mixin for transformers whose output is a list of texts, one per document.

    scikit-learn's ``set_output(transform="pandas")`` names the columns of a
    2-D output; a list of texts has none, and a DataFrame of them would be
    read by the next text vectorizer as its column names.  So the output
    stays a list whatever the setting (the global
    ``sklearn.set_config(transform_output="pandas")`` included), ``"default"``
    is accepted, and asking for a table is an error that says so.  The stock
    ``TfidfVectorizer`` has no ``set_output`` either.

    Examples
    --------
    >>> Normalizer().set_output(transform="default").transform(["ko sao"])
    ['không sao']
    >>> Normalizer().set_output(transform="pandas")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Normalizer returns a list of texts, one per document, as the input of ...
    """

    def set_output(self, *, transform: str | None = None) -> Any:
        """Keep the output a list: ``transform`` may only be ``None`` or ``"default"``.

        Parameters
        ----------
        transform : {"default"} or None
            ``"pandas"`` and ``"polars"`` are refused (a list of texts has no
            columns to name).

        Returns
        -------
        self
            This transformer.
        """
        if transform in (None, "default"):
            return self
        name = type(self).__name__
        raise ValueError(
            f"{name} returns a list of texts, one per document, as the input of a text "
            f"vectorizer: it has no columns for set_output(transform={transform!r}) to name. "
            "Leave set_output to the steps after the vectorizer, or wrap the texts: "
            f"pd.Series({name.lower()}.transform(X))."
        )


class Normalizer(TextInput, TextOutput, TransformerMixin, BaseEstimator):
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

    A one-column DataFrame (as a ``ColumnTransformer`` passes ``["text"]``) is
    read row by row:

    >>> import pandas as pd
    >>> Normalizer().fit_transform(pd.DataFrame({"text": ["ko sao", "tin giả"]})[["text"]])
    ['không sao', 'tin giả']
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
        X : iterable of str, or one-column DataFrame
            Ignored (a bare string, or a table of several columns, is still rejected).
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
        raw_documents(X)
        return self

    def transform(self, X: Iterable[str | None]) -> list[str]:
        """Normalize every document.

        Parameters
        ----------
        X : iterable of str or None, or one-column DataFrame or array
            Raw documents; ``None`` (and NaN or ``pd.NA`` from pandas) become ``''``.

        Returns
        -------
        list of str
            One normalized string per document.

        Raises
        ------
        TypeError
            If ``X`` is a single string, or an item is neither ``str`` nor
            missing.
        ValueError
            If ``X`` is a table of more than one column.

        Examples
        --------
        >>> Normalizer(teencode=False).transform(["ko sao đâu"])
        ['ko sao đâu']
        """
        opts = {
            "evasion": self.evasion,
            "teencode": self.teencode,
            "placeholders": self.placeholders,
        }
        return [normalize_text(doc, **opts) for doc in texts_of(X)]

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


def raw_documents(X: Any) -> Iterable[Any]:
    """The documents of ``X``: its items, or the rows of a one-column table.

    scikit-learn's text vectorizers take a 1-D iterable of texts; a
    ``ColumnTransformer`` given ``["text"]`` passes a one-column DataFrame,
    whose iteration would give its column names, so such a table (and a 2-D
    array of one column) is read row by row.

    Raises
    ------
    TypeError
        If ``X`` is a single string or not iterable.
    ValueError
        If ``X`` is a table or array of more than one column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> list(raw_documents(pd.DataFrame({"text": ["a", "b"]})))
    ['a', 'b']
    >>> list(raw_documents(np.array([["a"], ["b"]]))) == ["a", "b"]
    True
    >>> raw_documents(pd.DataFrame({"title": ["t"], "text": ["a"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: expected one column of texts; got a table of 2 columns ['title', 'text']. ...
    """
    if isinstance(X, str):
        raise TypeError("Iterable over raw text documents expected, string object received. "
                        "Wrap a single text in a list: [text].")
    if X is None or not isinstance(X, Iterable) and not hasattr(X, "__len__"):
        raise TypeError(f"Iterable over raw text documents expected, {type(X).__name__} received.")
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) < 2:
        return X
    columns = getattr(X, "columns", None)
    if len(shape) == 2 and shape[1] == 1:
        return X.iloc[:, 0] if columns is not None else X[:, 0]
    got = (f"a table of {shape[1]} columns {list(columns)[:10]}" if columns is not None
           else f"an array of shape {tuple(shape)}")
    raise ValueError(
        f"expected one column of texts; got {got}. Select the text column: X[\"text\"] (or "
        "X[[\"text\"]]), and in a ColumnTransformer give one column, [\"text\"]."
    )


def texts_of(X: Any) -> list[str]:
    """Each document of ``X`` as a ``str``; missing ones (None, NaN, ``pd.NA``) as ``''``.

    Raises
    ------
    TypeError
        If ``X`` is a single string, or an item is neither ``str`` nor missing.

    Examples
    --------
    >>> import numpy as np
    >>> texts_of(["Hà Nội", None, float("nan")]), texts_of(np.array([["Huế"], ["Vinh"]]))
    (['Hà Nội', '', ''], ['Huế', 'Vinh'])
    >>> texts_of(["Hà Nội", 3])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: each document must be a str or missing (None, NaN); got int at position 1. ...
    """
    out: list[str] = []
    for i, doc in enumerate(raw_documents(X)):
        if isinstance(doc, str):
            out.append(str(doc))  # numpy's str_ too
        elif _is_missing(doc):
            out.append("")
        else:
            raise TypeError(f"each document must be a str or missing (None, NaN); got "
                            f"{type(doc).__name__} at position {i}. Convert it with str() or "
                            "drop it.")
    return out


class Tokenizer(TextInput, TextOutput, TransformerMixin, BaseEstimator):
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
        """Check the parameters and the input; nothing is learned.

        Parameters
        ----------
        X : iterable of str, or one-column DataFrame
            Checked as :meth:`transform` reads it, nothing more.
        y : None
            Ignored.

        Returns
        -------
        Tokenizer
            This transformer.
        """
        self._check_mode()
        raw_documents(X)
        return self

    def _check_mode(self) -> None:
        if self.mode not in self._MODES:
            raise ValueError(f"mode must be one of {self._MODES}, got {self.mode!r}.")

    def transform(self, X: Sequence[str]) -> list[str]:
        """Tokenize each text.

        Parameters
        ----------
        X : iterable of str or None, or one-column DataFrame or array
            Normalized texts; missing ones (None, NaN, ``pd.NA``) become ``''``
            in every mode.

        Returns
        -------
        list of str
            One token string per document.

        Raises
        ------
        TypeError
            If ``X`` is a single string, or an item is neither ``str`` nor missing.

        Examples
        --------
        >>> Tokenizer(mode="accent_free").transform(["Đà Nẵng", None])
        ['da nang', '']
        """
        self._check_mode()
        texts = texts_of(X)
        if self.mode == "words":
            return segment_many(texts)
        if self.mode == "syllables":
            return [syllables(t) for t in texts]
        return [accent_free(t) for t in texts]
