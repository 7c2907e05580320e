"""Is a text accented, and is it Vietnamese: the one rule for each, without per-character loops.

Examples
--------
>>> diacritic_share("Uong nuoc chanh nong tri khoi covid")
0.0
>>> round(diacritic_share("Uống nước chanh nóng trị khỏi covid"), 2)
0.21
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vnmisinfo.text.normalize import strip_diacritics

__all__ = ["diacritic_share", "is_accented", "looks_vietnamese", "marked_word_count"]

#: Texts whose share of marked letters is below this are typed without tone marks.
ACCENTED_SHARE = 0.02
_LETTER_RE = re.compile(r"[^\W\d_]")
_MARKED_WORD_RE = re.compile(r"\w*[^\x00-\x7f]\w*")


@lru_cache(maxsize=4096)
def _is_marked(char: str) -> bool:
    return char.isalpha() and strip_diacritics(char).lower() != char.lower()


def diacritic_share(text: str) -> float:
    """Share of the letters of ``text`` that carry a Vietnamese mark (or are đ).

    Ordinary Vietnamese has a share around 0.3; text typed without tone marks
    has 0.  Text with fewer than 12 letters gets 1.0 (too short to tell).
    Each distinct character is looked at once; counting is done in C.
    """
    letters = len(_LETTER_RE.findall(text))
    if letters < 12:
        return 1.0
    marked = sum(text.count(c) for c in set(text) if ord(c) > 127 and _is_marked(c))
    return marked / letters


def is_accented(text: str, *, share: float = ACCENTED_SHARE) -> bool:
    """Whether ``text`` is typed with tone marks (see :func:`diacritic_share`).

    Examples
    --------
    >>> is_accented("Uống nước chanh nóng trị khỏi covid"), is_accented("Uong nuoc chanh nong tri")
    (True, False)
    """
    return diacritic_share(text) >= share


def marked_word_count(text: str) -> int:
    """Number of words with a letter outside ASCII (diacritics).

    Examples
    --------
    >>> marked_word_count("uống nuoc chanh nóng")
    2
    """
    return len(_MARKED_WORD_RE.findall(text))



_VI_MARKED = frozenset(
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnptiyou])?"
)


def looks_vietnamese(text: str, *, min_words: int = 5) -> bool | None:
    """Cheap guess whether a text is written in Vietnamese.

    Among the words (letter runs) of the first 2,000 characters, the text is
    Vietnamese when at least 20% carry a Vietnamese diacritic letter
    (``ă â đ ê ô ơ ư`` or a tone mark), or at least 80% are well-formed
    Vietnamese syllables (onset + vowels + coda), which catches text typed
    without tone marks.  English, French or Chinese text fails both tests.

    Parameters
    ----------
    text : str
        Raw or normalized text.
    min_words : int, default=5
        Shorter texts are not judged.

    Returns
    -------
    bool or None
        None when the text has fewer than ``min_words`` words.

    Examples
    --------
    >>> looks_vietnamese("Bộ Y tế khuyến cáo người dân rửa tay thường xuyên")
    True
    >>> looks_vietnamese("khong biet gi luon nha moi nguoi oi")
    True
    >>> looks_vietnamese("The ministry of health says the rumour is false")
    False
    >>> looks_vietnamese("Tin giả") is None
    True
    """
    words = _WORD_RE.findall(unicodedata.normalize("NFC", text[:2000]).lower())
    words = [w for w in words if w not in ("url", "email", "phone")]
    if len(words) < min_words:
        return None
    marked = sum(1 for w in words if not _VI_MARKED.isdisjoint(w))
    if marked >= 0.2 * len(words):
        return True
    plain = [strip_diacritics(w) for w in words]
    syllables = sum(1 for w in plain if _SYLLABLE_RE.fullmatch(w))
    return syllables >= 0.8 * len(words)
