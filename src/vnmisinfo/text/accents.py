"""Vietnamese accents: tone-mark tables, stripping marks, and telling accented text.

* Step 5 of :func:`vnmisinfo.text.normalize.normalize_text` (tone marks) uses
  underthesea's rule tables, read here (:func:`_load_underthesea_tables`) and
  applied word by word (:class:`_ToneTables`).
* :func:`strip_diacritics` removes tone and vowel marks (also importable from
  :mod:`vnmisinfo.text.normalize`).
* :func:`diacritic_share`, :func:`is_accented`, :func:`marked_word_count` and
  :func:`looks_vietnamese`: is a text accented, and is it Vietnamese, the one
  rule for each, without per-character Python loops.

Examples
--------
>>> diacritic_share("Uong nuoc chanh nong tri khoi covid")
0.0
>>> round(diacritic_share("Uống nước chanh nóng trị khỏi covid"), 2)
0.21
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from vnmisinfo.text.evasion import MARKS, WORD_RE, outside_urls
from vnmisinfo.text.regexes import char_class, trie_pattern

__all__ = [
    "diacritic_share", "is_accented", "looks_vietnamese", "marked_word_count", "strip_diacritics",
]

#: Texts whose share of marked letters is below this are typed without tone marks.
ACCENTED_SHARE = 0.02
_NON_LETTERS_RE = re.compile(r"[\W\d_]+")
_MARKED_WORD_RE = re.compile(r"\w*[^\x00-\x7f]\w*")


# --- Whole-word search for long word lists ------------------------------------


class _WordFinder:
    """Finds whole words of a long list, with one regex per first character.

    A regex of literals that all start with one character is scanned for that
    character alone, far faster than a trie of every word is scanned for any
    of its first characters; and a text holds words of only a few of them.
    Words that are not one run of letters (``WORD_RE``) are always searched
    for: the callers pick the first characters from the runs of the text.

    Parameters
    ----------
    words : iterable of str
        The words (non-empty).
    behind : str
        Lookbehind(s) tested right after the first character, looking back past
        it: ``(?<!X.)`` says the word is not preceded by ``X``.
    ahead : str
        Lookahead tested after the word.
    """

    def __init__(self, words: Iterable[str], behind: str, ahead: str) -> None:
        self.rests: dict[str, list[str]] = {}
        for word in words:
            self.rests.setdefault(word[0], []).append(word[1:])
        self.behind, self.ahead = behind, ahead
        self.regexes: dict[str, re.Pattern[str]] = {}
        self.loose = {first for first, rests in self.rests.items()
                      if any(not WORD_RE.fullmatch(first + rest) for rest in rests)}  # fmt: skip

    def spans(self, text: str, firsts: Iterable[str]) -> list[tuple[int, int]]:
        """Sorted spans of the words in ``text`` that start with one of ``firsts``."""
        found: list[tuple[int, int]] = []
        for first in self.loose.union(firsts):
            regex = self.regexes.get(first)
            if regex is None:
                rests = self.rests.get(first, [])
                body = f"(?:{trie_pattern(rest for rest in rests if rest)})" + "?" * ("" in rests)
                regex = re.compile(re.escape(first) + self.behind + body + self.ahead)
                self.regexes[first] = regex
            found += (match.span() for match in regex.finditer(text))
        return sorted(found)


def _replace_spans(text: str, spans: list[tuple[int, int]], func: Callable[[str], str]) -> str:
    """``text`` with each span (sorted, not overlapping) replaced by ``func`` of its text."""
    pieces: list[str] = []
    pos = 0
    for start, end in spans:
        pieces += (text[pos:start], func(text[start:end]))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


# --- Step 5 of normalize_text: tone marks, tables loaded lazily -------------------

_UTS_MODULE = "underthesea.pipeline.text_normalize.text_normalizer"
_UTS_REQUIREMENT = "underthesea>=6.8"


class _ToneTables:
    """underthesea's character map and token map, applied word by word.

    A key of the token map is replaced where it is a whole word: not next to a
    letter, a digit or a combining mark.
    """

    def __init__(self, chars: dict[int, str], tokens: dict[str, str]) -> None:
        self.chars = chars
        self.char_list = [chr(cp) for cp in chars]  # a few: str.find beats a regex
        self.chars_re = re.compile("[" + char_class(chars) + "]") if chars else None
        self.tokens = tokens
        self.finder = _WordFinder(tokens, rf"(?<![^\W_].)(?<![{MARKS}].)", rf"(?![^\W_]|[{MARKS}])")
        # A key is a whole word, so its lower case is a word of the lower-cased text
        # (WORD_RE), unless lower() depends on the context or adds a character (Σ, İ).
        self.firsts: dict[str, set[str]] | None = {}
        for key in tokens:
            self.firsts.setdefault(key.lower(), set()).add(key[0])
        if any("Σ" in key or "İ" in key for key in tokens):
            self.firsts = None

    def apply(self, text: str, words: list[str] | None = None) -> tuple[str, list[str] | None]:
        """Apply both maps to ``text``.

        ``words`` is ``WORD_RE.findall(text.lower())`` if known; so is the list
        returned, for the returned text (None if the tables did not need it).
        """
        if len(self.char_list) <= 4:
            found = any(ch in text for ch in self.char_list)
        else:
            found = self.chars_re is not None and self.chars_re.search(text) is not None
        if found:
            text, words = text.translate(self.chars), None
        if self.firsts is None:
            firsts = {key[0] for key in self.tokens.keys() & set(WORD_RE.findall(text))}
        else:
            words = WORD_RE.findall(text.lower()) if words is None else words
            firsts = set().union(*map(self.firsts.__getitem__, self.firsts.keys() & words))
        if firsts:
            new = _replace_spans(text, self.finder.spans(text, firsts), self.tokens.__getitem__)
            if new != text:
                text, words = new, None if self.firsts is None else WORD_RE.findall(new.lower())
        return text, words


def _read_underthesea_maps() -> tuple[dict[str, str], dict[str, str]] | None:
    """The tone tables read from underthesea's own file without importing the whole toolkit.

    ``import underthesea`` loads every pipeline (about 2-3 s); the tables need
    one small module.  None when that module is not where this version keeps
    it; the caller then imports it the ordinary way, and fails loudly.
    """
    import importlib.util

    if _UTS_MODULE in sys.modules:  # already imported (or replaced): use that
        return None
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0], *_UTS_MODULE.split(".")[1:])
    file_spec = importlib.util.spec_from_file_location("_vnmisinfo_uts_tables",
                                                       path.with_suffix(".py"))
    if file_spec is None or file_spec.loader is None or not path.with_suffix(".py").is_file():
        return None
    module = importlib.util.module_from_spec(file_spec)
    try:
        file_spec.loader.exec_module(module)
        return dict(module.character_map), dict(module.token_map)
    except (ImportError, AttributeError, OSError, KeyError, ValueError):
        return None


def _import_underthesea_maps() -> tuple[dict[str, str], dict[str, str]]:
    """underthesea's private tone tables; raise, never skip, if a release moved them."""
    found = _read_underthesea_maps()
    if found is not None:
        return found
    try:
        from underthesea.pipeline.text_normalize.text_normalizer import character_map, token_map
    except ImportError as exc:
        try:
            installed = f"underthesea {metadata.version('underthesea')} is installed"
        except metadata.PackageNotFoundError:
            installed = "underthesea is not installed"
        error = ModuleNotFoundError if isinstance(exc, ModuleNotFoundError) else ImportError
        raise error(
            "Vietnamese tone-mark normalization needs underthesea's tables "
            f"character_map and token_map from {_UTS_MODULE}, but they cannot be imported "
            f"({exc}); {installed}. Install a supported underthesea version: "
            f'pip install "{_UTS_REQUIREMENT}"',
            name=exc.name,
        ) from exc
    return character_map, token_map


def _load_underthesea_tables() -> _ToneTables:
    """Character and token tables of underthesea's ``text_normalize`` (NFC, chains resolved)."""
    character_map, token_map = _import_underthesea_maps()
    char_table = {
        ord(k): unicodedata.normalize("NFC", v) for k, v in character_map.items() if len(k) == 1
    }
    raw = {
        unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v)
        for k, v in token_map.items()
    }
    tokens: dict[str, str] = {}
    for key, value in raw.items():
        if key.isascii():  # e.g. 'qui': a real word in other languages
            continue
        seen = {key}
        while value in raw and value not in seen:  # resolve chains a -> b -> c
            seen.add(value)
            value = raw[value]
        value = value.translate(char_table)
        if value != key:
            tokens[key] = value
    return _ToneTables(char_table, tokens)


_D_TABLE = {ord("đ"): "d", ord("Đ"): "D", ord("ð"): "d", ord("Ð"): "D"}


@lru_cache(maxsize=1)
def _strip_table() -> dict[int, str | None]:
    """Table deleting combining marks (none above U+1FFFF) and folding ``đ``/``Đ``."""
    table: dict[int, str | None] = dict.fromkeys(
        cp for cp in range(0x300, 0x20000) if unicodedata.combining(chr(cp))
    )
    table.update(_D_TABLE)
    return table


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks.

    The text is decomposed (NFD), combining marks are dropped, ``đ``/``Đ``
    become ``d``/``D`` and the result is recomposed (NFC).  Useful for
    matching text typed without diacritics.

    Parameters
    ----------
    text : str
        Input text.

    Returns
    -------
    str
        The text without diacritics.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> strip_diacritics("Hòa Bình đẹp")
    'Hoa Binh dep'
    >>> strip_diacritics("ĐỒNG NAI")
    'DONG NAI'
    """
    if not isinstance(text, str):
        raise TypeError(
            f"expected str, got {type(text).__name__}; convert the value with str() first"
        )
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", decomposed.translate(_strip_table()))


def _is_marked(char: str) -> bool:
    return char.isalpha() and strip_diacritics(char).lower() != char.lower()


#: :func:`_marked_pattern` under the Unicode database of Python 3.11 (14.0.0): a constant
#: spares every new process the scan of all code points (about 0.1 s);
#: ``tests/test_normalize.py`` checks it against the scan.
_MARKED_14 = (
    '[À-ÅÇ-ÖÙ-Ýà-åç-öù-ýÿ-ĥĨ-İĴ-ķĹ-ľŃ-ňŌ-őŔ-ťŨ-žƠ-ơƯ-ưǍ-ǜǞ-ǣǦ-ǰǴ-'
    'ǵǸ-țȞ-ȟȦ-ȳʹΆΈ-ΊΌΎ-ΐΪ-ΰϊ-ώϓ-ϔЀ-ЁЃЇЌ-ЎЙйѐ-ёѓїќ-ўѶ-ѷӁ-ӂӐ-ӓӖ-ӗӚ-'
    'ӟӢ-ӧӪ-ӵӸ-ӹآ-ئۀۂۓऩऱऴक़-य़ড়-ঢ়য়ਲ਼ਸ਼ਖ਼-ਜ਼ਫ਼ଡ଼-ଢ଼གྷཌྷདྷབྷཛྷཀྵḀ-ẙẛẠ-ỹἀ-ἕἘ-Ἕἠ-ὅὈ-Ὅ'
    'ὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼÅがぎぐげござじずぜぞだぢづでどば-ぱび-ぴぶ'
    '-ぷべ-ぺぼ-ぽゔゞガギグゲゴザジズゼゾダヂヅデドバ-パビ-ピブ-プベ-ペボ-ポヴヷ-ヺヾ豈-嗀塚晴凞-羽蘒諸逸-都飯-'
    '舘並-龎יִײַשׁ-זּטּ-לּמּנּ-סּףּ-פּצּ-פֿ𑂚𑂜𑂫丽-𪘀]'
)


@lru_cache(maxsize=1)
def _marked_re() -> re.Pattern[str]:
    """Any letter :func:`_is_marked`: one that NFD decomposes, or đ/ð."""
    if unicodedata.unidata_version == "14.0.0":
        return re.compile(_MARKED_14)
    return re.compile(_marked_pattern())


def _marked_pattern() -> str:
    """The character class of :func:`_marked_re`, by a scan of every code point (~0.1 s)."""
    marked = [cp for cp in _D_TABLE if _is_marked(chr(cp))]
    for start in range(0, 0x110000, 256):
        block = "".join(map(chr, range(start, start + 256)))
        if not unicodedata.is_normalized("NFD", block):
            marked += (ord(ch) for ch in block if _is_marked(ch))
    return "[" + char_class(marked) + "]"


def diacritic_share(text: str) -> float:
    """Share of the letters of ``text`` that carry a Vietnamese mark (or are đ).

    Ordinary Vietnamese has a share around 0.3; text typed without tone marks
    has 0.  Both counts are the characters that a compiled regex deletes.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    float
        Marked letters over letters; 1.0 when the text has fewer than 12
        letters (too short to tell).
    """
    letters = len(_NON_LETTERS_RE.sub("", text))
    if letters < 12:
        return 1.0
    return (len(text) - len(_marked_re().sub("", text))) / letters


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

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    int
        How many runs of word characters hold a non-ASCII character (counted
        by a compiled regex).

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
#: Words that Vietnamese posts borrow as they are: they count neither way.
_LOANWORDS = frozenset(
    "covid corona virus vaccine vaccin sars cov ncov facebook fb zalo tiktok youtube video "
    "clip online link ok oke like share comment page fanpage live livestream app sms otp "
    "wifi internet usd vnd tv".split()
)
#: Chat abbreviations without a vowel (``mn``, ``dc``, ``ng``): they count neither way.
_ABBREVIATION_RE = re.compile(r"[bcdfghjklmnpqrstvwxz]{1,3}")
#: Common Vietnamese words, typed without marks, that English, French, Spanish,
#: German or Indonesian text rarely holds.
_COMMON_WORDS = frozenset(
    "cua khong nguoi duoc nhung trong nhieu cac mot voi cho nay nhu ngay nam dang thi cung "
    "rat lam sau truoc theo vao len viec dan nuoc chung minh ban oi nha roi chua biet gi ve "
    "da tai hom moi bi".split()
)


def looks_vietnamese(text: str, *, min_words: int = 5) -> bool | None:
    """Cheap guess whether a text is written in Vietnamese.

    Among the words (letter runs) of the first 2,000 characters, links and
    e-mail addresses left out, the text is
    Vietnamese when at least 20% carry a Vietnamese diacritic letter
    (``ă â đ ê ô ơ ư`` or a tone mark).  Text typed without tone marks is
    judged on its other words, leaving out loanwords posts use as they are
    (``covid``, ``virus``, ``facebook``) and chat abbreviations without a
    vowel (``mn``, ``dc``): it is Vietnamese when at least 80% of them are
    well-formed Vietnamese syllables (onset + vowels + coda), or at least half
    are and common Vietnamese words (``cua``, ``khong``, ``nguoi``...) make
    up 10% of them, two at least (names, hashtags and English titles in a
    Vietnamese post).  English, French or Chinese text fails these tests.

    Parameters
    ----------
    text : str
        Raw or normalized text.
    min_words : int, default=5
        Shorter texts are not judged.

    Returns
    -------
    bool or None
        None when the text has fewer than ``min_words`` words, or fewer than 3
        besides loanwords and abbreviations.

    Examples
    --------
    >>> looks_vietnamese("Bộ Y tế khuyến cáo người dân rửa tay thường xuyên")
    True
    >>> looks_vietnamese("khong biet gi luon nha moi nguoi oi")
    True
    >>> looks_vietnamese("uong nuoc chanh nong diet virus corona nha mn")
    True
    >>> looks_vietnamese("The ministry of health says the rumour is false")
    False
    >>> looks_vietnamese("Tin giả") is None
    True
    """
    text = outside_urls(unicodedata.normalize("NFC", text[:2000]), str, placeholders=True)
    words = [w for w in _WORD_RE.findall(text.lower()) if w not in ("url", "email", "phone")]
    if len(words) < min_words:
        return None
    marked = sum(1 for w in words if not _VI_MARKED.isdisjoint(w))
    if marked >= 0.2 * len(words):
        return True
    plain = [p for p in (strip_diacritics(w) for w in words)
             if p not in _LOANWORDS and not _ABBREVIATION_RE.fullmatch(p)]
    if len(plain) < 3:
        return None
    syllables = sum(1 for w in plain if _SYLLABLE_RE.fullmatch(w))
    if syllables >= 0.8 * len(plain):
        return True
    common = sum(1 for w in plain if w in _COMMON_WORDS)
    return syllables >= 0.5 * len(plain) and common >= max(2, 0.1 * len(plain))
