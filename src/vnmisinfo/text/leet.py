"""Digits and ``@`` typed for letters: step 7c of :func:`vnmisinfo.text.normalize.normalize_text`.

People who want a post past a keyword filter type ``c0r0na``, ``v4cc1n`` or
``t1n g1ả``: a digit that looks like the letter it stands for.  :func:`fold_leet`
reads such a word back as letters, ``0 1 3 4 5 7 @`` as ``o i e a s t a``, and
leaves every other word that mixes letters and digits as it is.

A word (a run of letters and digits, or ``@`` between them) is read back only when
every run of digits in it is one or two of those seven characters, and either

* each run is one character, one stands between two letters, and the word has three
  letters or more, four in capitals (``c0r0na``, ``v1ru5``, ``ch4nh``, ``V4CC1N``; not ``QL1A``); or
* the word read back is one Vietnamese syllable of two letters or more, or of one
  letter with a mark (``5áng``, ``d1ệ7``, ``kh0ng``, ``ch14``, ``71ền``, ``5ự``), and
  not in capitals alone (``H1N``, ``SE3``).

So ``H5N1``, ``F0``, ``5G``, ``COVID19``, ``U23``, ``PM2.5``, ``10k``, ``7h30`` and
``B1`` stay as written, and so do words of mixed case (``IwAR1q``, an identifier) and
words that would hold four consonants in a row (``t4ghcm``).  On the 7,985 texts of the
public corpora, which hold no such evasion, two words change (``max3d``, ``F3xã``).  The
mapping keeps one character per character (the letter case follows the word), and a word
that would hold a letter three times in a row is left alone, so normalization stays
idempotent.

Examples
--------
>>> fold_leet("C0R0NA lây qua 5G? v4cc1n gây vô s1nh, uống nước ch4nh d1ệ7 v1ru5")
'CORONA lây qua 5G? vaccin gây vô sinh, uống nước chanh diệt virus'
>>> fold_leet("H5N1, F0, COVID19, U23, PM2.5, 10k, 7h30, bằng B1, liên hệ @user")
'H5N1, F0, COVID19, U23, PM2.5, 10k, 7h30, bằng B1, liên hệ @user'
"""

from __future__ import annotations

import re

from vnmisinfo.text.accents import strip_diacritics

__all__ = ["LEET", "fold_leet"]

#: The characters read as letters, and the letter each stands for.
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"}

_LEET_CHARS = frozenset(LEET)
_LOWER = str.maketrans(LEET)
_UPPER = str.maketrans({k: v.upper() for k, v in LEET.items()})
#: A character of LEET beside a letter: the only texts worth a closer look.
_HINT_RE = re.compile(r"[013457@](?:(?<=[^\W\d_].)|(?=[^\W\d_]))")
#: A word (letters and digits, with ``@`` only between two of them) holding a character
#: of LEET beside a letter; only such words reach Python.
_WORD_RE = re.compile(
    r"(?<![^\W_])[^\W_]*[013457@](?:(?<=[^\W\d_].)|(?=[^\W\d_]))[^\W_]*(?:@[^\W_]+)*")
_DIGITS_RE = re.compile(r"[\d@]+")
_INSIDE_RE = re.compile(r"[^\W\d_][013457@][^\W\d_]")
_TRIPLE_RE = re.compile(r"([^\W\d_])\1\1", re.IGNORECASE)
_ADDRESS = frozenset(".-+%")  # beside a word with '@': an address (an empty slice is no beside)
_CONSONANTS_RE = re.compile(r"[bcdfghjklmnpqrstvwxz]{4}")
#: One Vietnamese syllable typed without marks: an onset, then a vowel cluster that ends
#: in a glide, or one that may take a final consonant.
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:ieu|yeu|oai|oay|oeo|uai|uay|uoi|uou|uyu|uya|ai|ao|au|ay|eo|eu|ia|iu|oi|ui|uu"
    r"|(?:uye|ie|oa|oe|oo|ue|uo|uy|ye|ua|[aeiouy])(?:ch|ng|nh|[cmnpt])?)"
)


def _read_back(m: re.Match[str]) -> str:
    word = m.group()
    runs = _DIGITS_RE.findall(word)
    if not runs or any(len(r) > 2 or not set(r) <= _LEET_CHARS for r in runs):
        return word
    letters = len(word) - sum(map(len, runs))
    if letters < 2 and word.isascii():  # 'F0', 'B1', '5G', '7h30'; not '5ự'
        return word
    if "@" in word and (m.string[m.end():m.end() + 1] in _ADDRESS
                        or m.string[max(m.start() - 1, 0):m.start()] in _ADDRESS):
        return word  # part of an address: 'a.b@c', 'tên@miền.vn'

    upper = word.isupper()
    folded = word.translate(_UPPER if upper else _LOWER)
    if not (upper or folded.islower() or folded.istitle()):  # 'IwAR1q', '5oC': an id, a unit
        return word
    plain = strip_diacritics(folded.lower())
    if _TRIPLE_RE.search(folded) or _CONSONANTS_RE.search(plain):
        return word
    paired = any(len(r) > 1 for r in runs)  # 'ch14' (chia): one syllable only
    if not paired and letters >= (4 if upper else 3) and _INSIDE_RE.search(word):
        return folded  # 'c0r0na'; not 'QL1A', 'SW1W'

    if upper and word.isascii():  # 'H1N', 'SE3': a code
        return word
    return folded if _SYLLABLE_RE.fullmatch(plain) else word


def fold_leet(text: str) -> str:
    """Read digits and ``@`` typed for letters back as letters (see the module docstring).

    Parameters
    ----------
    text : str
        Any text; URLs and e-mail addresses should be kept out of it (the
        normalizer calls this between them).

    Returns
    -------
    str
        ``text`` with such words read back, as long as ``text``.

    Examples
    --------
    >>> fold_leet("T1n g1ả: 5ự 7hật về c0vid")
    'Tin giả: sự thật về covid'
    """
    if not _HINT_RE.search(text):
        return text
    return _WORD_RE.sub(_read_back, text)
