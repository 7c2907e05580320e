"""Hashtags read as their words: ``#UốngNướcChanh`` is ``Uống Nước Chanh``.

A claim glued into hashtags (``#UốngNướcChanhNóng #DiệtVirus``) would otherwise read
as a few unknown words, to the classifier and to narrative matching alike.  A hashtag
is cut where a capital starts a word; then each piece in lower case, or capitalized,
that is a run of Vietnamese syllables is cut into them
(:func:`~vnmisinfo.text.syllables.split_glued`: ``#uốngnướcchanh``, ``#tinthấtthiệt``,
``#khaibaoyte``); English (``#stayhome``) and names in mixed case (``#iPhone``) stay
whole.  Words joined by underscores (``Uống_nước_chanh``, a hashtag without its ``#``)
read as words too (:func:`underscore_words`).
"""

from __future__ import annotations

import re
from itertools import pairwise

from vnmisinfo.text.evasion import _VI_VOWELS, _nfc
from vnmisinfo.text.normalize import normalize_text
from vnmisinfo.text.regexes import char_class
from vnmisinfo.text.syllables import split_glued

__all__ = ["hashtag_cuts", "hashtag_words", "normalize_for_model", "underscore_words"]

#: The small and capital letters of Vietnamese (and of English): what a hashtag is cut by.
_SMALL = set("abcdefghijklmnopqrstuvwxyzđ") | _VI_VOWELS
_LOWER = char_class(map(ord, _SMALL))
_UPPER = char_class(ord(c.upper()) for c in _SMALL)
_HASHTAG_RE = re.compile(r"#(\w+)")
#: Where a hashtag's words meet: a capitalized word after two letters ('nướcChanh',
#: 'LaChan'), capitals after two small letters ('ThiTHPT'), and underscores ('Covid_19');
#: not after a single letter ('nCoV', 'iPhone').
_HASHTAG_CUT_RE = re.compile(
    rf"(?<=[{_UPPER}{_LOWER}]{{2}})(?=[{_UPPER}][{_LOWER}])"
    rf"|(?<=[{_LOWER}]{{2}})(?=[{_UPPER}]{{2}})|_+")
#: Underscores between two letters or digits: where words joined by underscores meet
#: (not those of a placeholder such as ``__url__``, which stand at a word's edge).
_UNDERSCORE_RE = re.compile(r"(?<=[^\W_])_+(?=[^\W_])")


def hashtag_words(text: str) -> str:
    """``text`` with each hashtag read as its words: split where a capital starts one, and
    a run of Vietnamese syllables in lower case cut into them.

    Parameters
    ----------
    text : str
        Raw text.

    Returns
    -------
    str
        The text with every ``#tag`` replaced by its words (composed to NFC when it
        holds a hashtag; returned as it is otherwise).

    Examples
    --------
    >>> hashtag_words("Tin nóng #UốngNướcChanhNóng diệt #VirusCorona, #ThiTHPTQuốcGia #Covid_19")
    'Tin nóng Uống Nước Chanh Nóng diệt Virus Corona, Thi THPT Quốc Gia Covid 19'
    >>> hashtag_words("#nCoV #iPhone #uongnuocchanh #stayhome # 5G")
    'nCoV iPhone uong nuoc chanh stayhome # 5G'
    """
    if "#" not in text:
        return text
    return _HASHTAG_RE.sub(  # composed first: a combining mark would end the tag
        lambda m: " ".join(m.group(1)[a:b] for a, b in _tag_words(m.group(1))) or m.group(),
        _nfc(text))


def _tag_words(tag: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the words of a hashtag's text: cut where a capital starts a word
    or at underscores, then each piece in lower case or capitalized cut into syllables."""
    spans, start = [], 0
    for cut in _HASHTAG_CUT_RE.finditer(tag):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(tag)))
    words = []
    for a, b in spans:
        piece = tag[a:b]
        parts = split_glued(piece) if piece.islower() or piece.istitle() else None
        for part in parts or [piece]:
            if part:
                words.append((a, a + len(part)))
            a += len(part)
    return words


def underscore_words(text: str) -> str:
    """``text`` with words joined by underscores read apart: ``Uống_nước`` is ``Uống nước``.

    Parameters
    ----------
    text : str
        A text; the classifier applies this after normalization, when links, e-mail
        addresses and phone numbers are placeholders (``__url__``), which it keeps.

    Returns
    -------
    str
        The text with each run of underscores between two letters or digits replaced
        by a space.

    Examples
    --------
    >>> underscore_words("Uống_nước_chanh diệt covid_19, xem __url__")
    'Uống nước chanh diệt covid 19, xem __url__'
    """
    return _UNDERSCORE_RE.sub(" ", text) if "_" in text else text


def normalize_for_model(text: str) -> str:
    """The normalized text the classifier reads: :func:`~vnmisinfo.text.normalize.normalize_text`
    of ``text`` with its hashtags read as words, then words joined by underscores read apart.

    Examples
    --------
    >>> normalize_for_model("Tin nóng #UốngNướcChanh ko_biết, xem https://a.vn/x_y")
    'Tin nóng Uống Nước Chanh ko biết, xem __url__'
    """
    return underscore_words(normalize_text(hashtag_words(text)))


def hashtag_cuts(text: str) -> frozenset[int]:
    """Offsets in ``text`` where the classifier reads words apart that are written together:
    where :func:`hashtag_words` cuts a hashtag, and underscores between words
    (:func:`underscore_words`).

    An underscore between two words gives every offset of its run.  Offsets point into
    ``text`` as given; a hashtag of a text that is not composed (NFC) gives none, since
    :func:`hashtag_words` cuts its composed form.

    Examples
    --------
    >>> sorted(hashtag_cuts("Tin #UốngNướcChanh #Covid_19"))
    [9, 13, 25, 26]
    >>> sorted(hashtag_cuts("Uống_nước"))
    [4, 5]
    >>> hashtag_cuts("không có hashtag")
    frozenset()
    """
    cuts: set[int] = set()
    for cut in _UNDERSCORE_RE.finditer(text) if "_" in text else ():
        cuts.update(range(cut.start(), cut.end() + 1))
    if "#" not in text or _nfc(text) != text:
        return frozenset(cuts)
    for tag in _HASHTAG_RE.finditer(text):
        words = _tag_words(tag.group(1))
        for (_, end), (start, _) in pairwise(words):
            cuts.update(range(tag.start(1) + end, tag.start(1) + start + 1))
    return frozenset(cuts)
