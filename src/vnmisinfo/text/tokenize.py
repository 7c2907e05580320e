"""Tokenization: the second stage, after :mod:`vnmisinfo.text.normalize`.

Two paths turn a normalized text into a space-separated token string that a
stock :class:`~sklearn.feature_extraction.text.TfidfVectorizer` can split with
``token_pattern=r"(?u)\\b\\w+\\b"``:

* **words** -- underthesea's CRF word segmenter joins the syllables of one
  word with underscores (``Hà Nội`` becomes ``hà_nội``).  The segmenter uses
  title-case features, so it runs on the original case and the result is
  lower-cased afterwards.  Segmentation is the slowest step of the whole
  pipeline, so results are cached per text and duplicates in a batch are
  segmented once.
* **syllables** -- the fast path: the lower-cased text split on white space,
  with no segmentation.

An accent-free view (:func:`accent_free`) feeds an optional robustness
channel; the main channels always keep their tone marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from vnmisinfo.text.normalize import strip_diacritics

__all__ = [
    "TOKEN_PATTERN",
    "lower_without_punctuation",
    "accent_free",
    "segment",
    "segment_many",
    "syllables",
]

#: Token pattern for the vectorizers: keeps one-letter Vietnamese words (ở, ý, à).
TOKEN_PATTERN = r"(?u)\b\w+\b"

_CACHE_SIZE = 50_000


@lru_cache(maxsize=_CACHE_SIZE)
def _segment_cached(text: str) -> str:
    from underthesea import word_tokenize  # lazy: keeps ``import vnmisinfo`` cheap

    try:
        return str(word_tokenize(text, format="text")).lower()
    except Exception:  # the CRF rejects a few pathological inputs; fall back to syllables
        return text.lower()


def segment(text: str) -> str:
    """Segment one normalized text into lower-cased words.

    Parameters
    ----------
    text : str
        Normalized text in its original case.

    Returns
    -------
    str
        Space-separated words; the syllables of a multi-syllable word are
        joined with ``_``.

    Examples
    --------
    >>> segment("Bộ Y tế cảnh báo tại Hà Nội")
    'bộ y_tế cảnh_báo tại hà_nội'
    """
    if not text:
        return ""
    return _segment_cached(text)


def segment_many(texts: Iterable[str]) -> list[str]:
    """Segment many texts, each distinct text once.

    Parameters
    ----------
    texts : iterable of str
        Normalized texts in their original case.

    Returns
    -------
    list of str
        One segmented string per input, in input order.

    Examples
    --------
    >>> segment_many(["Hà Nội mưa", "Hà Nội mưa"])
    ['hà_nội mưa', 'hà_nội mưa']
    """
    seen: dict[str, str] = {}
    out = []
    for text in texts:
        result = seen.get(text)
        if result is None:
            result = seen[text] = segment(text)
        out.append(result)
    return out


def syllables(text: str) -> str:
    """Return the fast, unsegmented syllable view of a normalized text.

    Examples
    --------
    >>> syllables("Hà Nội mưa to")
    'hà nội mưa to'
    """
    return text.lower()


def accent_free(text: str) -> str:
    """Return the lower-cased accent-free view used by the robustness channel.

    Examples
    --------
    >>> accent_free("Đà Nẵng mưa to")
    'da nang mua to'
    """
    return strip_diacritics(text).lower()


@lru_cache(maxsize=1)
def _punctuation() -> dict[int, str]:
    """Every punctuation code point (Unicode category P*) mapped to a space."""
    import sys
    import unicodedata

    return {c: " " for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)).startswith("P")}


def lower_without_punctuation(text: str) -> str:
    """Lower-case ``text`` and turn every punctuation mark into a space.

    This is how many posts are typed on a phone; training copies in this
    form keep such posts from looking unlike the training text.

    Examples
    --------
    >>> lower_without_punctuation("Hà Nội, mưa to!!")
    'hà nội  mưa to  '
    """
    return text.lower().translate(_punctuation())
