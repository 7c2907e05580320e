"""Evasion clean-up steps of :func:`vnmisinfo.text.normalize.normalize_text`.

Step numbers follow :mod:`vnmisinfo.text.normalize`; each step is a ``str ->
str`` function over regexes and translation tables built once at import.

* Steps 3-4, :func:`fold_lookalikes`.  Delete format characters (category Cf: zero-width
  characters, bidi controls, BOM, soft hyphen, tags, ...), variation selectors, the combining
  grapheme joiner, and combining marks other than Vietnamese's drawn through or under letters
  (``'c̶o̶r̶o̶n̶a̶'``).  Characters drawn as a blank (the Hangul fillers, the braille blank U+2800)
  become a space, as a reader sees them, except between single letters (``'c⠀o⠀v⠀i⠀d'`` is
  one word); so do format characters that are a text's only word separators (four or more
  runs of letters and no whitespace, as in ``'Uống\\u200bnước\\u200bnóng\\u200bdiệt'``),
  which would otherwise fuse every word.  Map full-width, mathematical, circled, squared,
  negative (``🅲🅾🆁🅾🅽🅰``) and parenthesized letters, modifier letters whose compatibility form
  is one letter (``ᵛᶦʳᵘˢ``), small capitals (``ᴄᴏʀᴏɴᴀ``, ``ǫ`` for q) and ``ı İ ɑ ɡ ɩ ƙ Ƭ ᵭ ĸ
  ƅ ɾ ɦ`` to Latin wherever they stand; flags (🇻🇳) stay.  Map Cyrillic, Greek and Armenian
  look-alikes (``а е о р с у х``, ``Α Β Ε Ο ο ν``, ``օ ս հ ո Լ ց`` ...) to Latin inside a run
  of letters with a Latin letter and no Cyrillic/Greek letter lacking a Latin twin (in every
  run, when the whole text qualifies), so genuine Russian or Greek words stay; inside such a
  run, the Cyrillic small-capital look-alikes ``т н м в к и`` count as twins too when it holds a
  Vietnamese or Greek letter or is half Latin (``тнoạι``, ``kнι``, ``cắм``; not ``Москвa``).
  Marks typed after a folded letter recompose with it: ``ᴏ`` or Cyrillic ``о`` + U+0301 is ``ó``.
* Steps 6-7, :func:`squash_spaced_and_repeats`.  Join three or more single
  letters with the same separator (whitespace, one of ``. - _ * / · • ~ | +``
  or an emoji: ``'c🦠o🦠v🦠i🦠d'``, never a comma; a whitespace-separated run needs a consonant, so
  ``'ờ ừ à'`` stays).  Squash three or more copies of a letter (capital ``I``
  excepted: ``'quý III'``) and two or more of a punctuation mark.
* Step 8, :func:`expand_teencode`.  Whole words, in the word's case unless
  the expansion is a proper noun; single capitals and words glued to digits,
  ``@``, ``#``, hyphens, apostrophes or dots (``'5k'``, ``'k-pop'``) stay.
* Step 9, :func:`outside_urls` and :func:`replace_phones`.  URLs (scheme,
  ``www.`` or a bare domain with a common TLD), e-mail addresses and
  Vietnamese phone numbers (``0912 345 678``, ``+84 912 345 678``,
  ``024 3825 1234``, ``1900 1234``, ...).
* Step 10, :func:`separate_emoji`.  One token per emoji (skin-tone, flag and
  ZWJ sequences included); runs of the same emoji collapse to one.

Examples
--------
>>> fold_lookalikes("\\u0441\\u043er\\u043en\\u0430 ｃｏ\\u200bｖｉｄ ở Москва")
'corona covid ở Москва'
>>> fold_lookalikes("ᴄᴏʀᴏɴᴀ ᵛᶦʳᵘˢ 🅲🅾🆅🅸🅳 ⒟ı\\u0301ch 🇻🇳")
'corona virus COVID dích 🇻🇳'
>>> squash_spaced_and_repeats("c o r o n a, c-o-v-i-d, ờ ừ à, quý III!!!")
'corona, covid, ờ ừ à, quý III!'
>>> separate_emoji(replace_phones("gọi 0912 345 678😂😂")).split()
['gọi', '__phone__', '😂']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import partial

from vnmisinfo.text.regexes import char_class, trie_pattern

__all__ = [
    "EMAIL_TOKEN",
    "MARKS",
    "PHONE_TOKEN",
    "URL_TOKEN",
    "WORD_RE",
    "Teencode",
    "char_class",
    "expand_teencode",
    "fold_lookalikes",
    "outside_urls",
    "replace_phones",
    "separate_emoji",
    "squash_spaced_and_repeats",
    "trie_pattern",
]

URL_TOKEN = "__url__"
EMAIL_TOKEN = "__email__"
PHONE_TOKEN = "__phone__"

MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
"""Combining marks that may follow a letter (a character-class body)."""

WORD_RE = re.compile(r"[^\W\d_]+")
"""Runs of letters (no digits, no underscore)."""


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


# --- steps 3-4: invisible characters and look-alikes -----------------------


def _invisible_codepoints() -> list[int]:
    cps = [cp for rng in (range(0x80, 0x20000), range(0xE0000, 0xE1000)) for cp in rng
           if unicodedata.category(chr(cp)) == "Cf"]
    cps += list(range(0xFE00, 0xFE10))  # variation selectors
    cps += list(range(0xE0100, 0xE01F0))  # variation selectors supplement
    cps += [0x034F, 0x17B4, 0x17B5]
    cps += list(range(0xE0000, 0xE0080))  # the tag block, its unassigned code points included
    # Marks drawn through or under letters ('c̶o̶r̶o̶n̶a̶', 'Zalgo'), not Vietnamese's own (nor
    # the ogonek: 'ǫ' reads 'q').
    cps += [*range(0x1AB0, 0x1B00), *range(0x1DC0, 0x1E00), *set(range(0x300, 0x370))
            - {0x300, 0x301, 0x302, 0x303, 0x306, 0x309, 0x31B, 0x323, 0x328}]
    return sorted(set(cps))


_INVISIBLE = _invisible_codepoints()
#: Drawn as a blank with a width: Hangul fillers and the braille blank, read as a space.
_BLANKS = (0x115F, 0x1160, 0x2800, 0x3164, 0xFFA0)
_INVISIBLE_RE = re.compile("[" + char_class(_INVISIBLE) + "]+")
_BLANK_RE = re.compile("[" + char_class(_BLANKS) + "]")
_ONE_LETTER = "(?:(?![" + char_class(_BLANKS) + r"])[^\W\d_])"
#: Single letters spaced out by blanks (``'c⠀o⠀v⠀i⠀d'``): one word, as step 6 reads it.
_BLANK_SPACED_RE = re.compile(rf"(?<!{_ONE_LETTER})(?<!\d){_ONE_LETTER}"
                              rf"(?:{_BLANK_RE.pattern}{_ONE_LETTER})+(?!{_ONE_LETTER})")
_INVISIBLE_HINT_RE = re.compile(
    "[" + char_class([*_INVISIBLE, *_BLANKS], astral_gap=0x10000) + "]")
#: A text whose runs of letters are joined by format characters only, at least four of them.
_SEPARATED_RE = re.compile(r"\w+(?:[" + char_class(_INVISIBLE) + r"]+\w+){3,}")

# Full-width ASCII, mathematical alphanumerics and circled letters: folded to any ASCII character.
_COMPAT_BLOCKS = (range(0xFF01, 0xFF5F), range(0x1D400, 0x1D800), range(0x24B6, 0x24EA))
# Folded to an ASCII letter only: letterlike symbols, modifier (superscript and subscript)
# letters, parenthesized letters (``'(a)'`` in NFKC) and squared letters.
_COMPAT_LETTER_BLOCKS = (
    range(0x2100, 0x2150), range(0x02B0, 0x02E5), range(0x1D2C, 0x1D6B), range(0x1D9B, 0x1DC0),
    range(0x2071, 0x2072), range(0x207F, 0x2080), range(0x2090, 0x209D), range(0x2C7C, 0x2C7E),
    range(0xA7F2, 0xA7F5), range(0x249C, 0x24B6), range(0x1F110, 0x1F12A),
    range(0x1F130, 0x1F14A))  # fmt: skip
_SMALL_CAPITAL_RE = re.compile(r"LATIN (CAPITAL )?LETTER SMALL CAPITAL ([A-Z])")


def _compat_fold_table() -> dict[int, str]:
    # Small capitals, found by name ('ᴄᴏʀᴏɴᴀ'; lower case but 'Ɪ'), and Latin look-alikes.
    lookalikes = {ord(c): to for c, to in zip("ıİɑɡɩǫƙƬᵭĸƅɾɦ", "iIagiqkTđkbrh", strict=True)}
    for cp in (*range(0x250, 0x2B0), *range(0x1D00, 0x1D2C), *range(0xA720, 0xA800)):
        if found := _SMALL_CAPITAL_RE.fullmatch(unicodedata.name(chr(cp), "")):
            lookalikes[cp] = found[2] if found[1] else found[2].lower()
    table: dict[int, str] = {0x3000: " ", **lookalikes}
    for start in (0x1F150, 0x1F170):  # negative circled and squared capitals: no NFKC form
        table.update({start + i: chr(ord("A") + i) for i in range(26)})
    for letters_only, blocks in ((False, _COMPAT_BLOCKS), (True, _COMPAT_LETTER_BLOCKS)):
        for cp in (cp for rng in blocks for cp in rng):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if letters_only:
                folded = folded.strip("()")  # parenthesized letters
                # 'ᶦ' is a modifier small capital I: its compatibility form is 'ɪ', then 'i'
                folded = lookalikes.get(ord(folded), folded) if len(folded) == 1 else folded
                if not folded.isalpha():
                    continue
            if len(folded) == 1 and folded.isascii() and folded.isprintable() and folded != chr(cp):
                table[cp] = folded
    return table


_COMPAT_TABLE = _compat_fold_table()
_COMPAT_HINT_RE = re.compile("[" + char_class(_COMPAT_TABLE, astral_gap=0x10000) + "]")
# Folded letters with a canonical decomposition, and its mark (a test checks the list):
# NFC composes them again from a folded letter and a mark typed after it ('Ｉ' + U+0307
# gives 'İ'), so the mark goes with them, every copy of it among the letter's marks.
_COMPOSED = {"İ": "\u0307", "ǫ": "\u0328"}
_COMPOSED_RE = re.compile(f"([{''.join(_COMPOSED)}])([{MARKS}]*)")


def _recompose(text: str) -> str:
    """NFC ``text``, folding the letters that NFC composes again (see ``_COMPOSED``)."""
    text = _nfc(text)
    if _COMPOSED_RE.search(text):
        text = _nfc(_COMPOSED_RE.sub(
            lambda m: _COMPAT_TABLE[ord(m[1])] + m[2].replace(_COMPOSED[m[1]], ""), text))
    return text


_ARMENIAN = "օսհոցՕՍԼ"
_SMALL_CAPS = "тнмвки"  # Cyrillic drawn as small capitals ('тнoạι'); twins inside a Latin run
_HOMOGLYPH_TABLE = str.maketrans(
    "аеорсухіјԁһѕԛԝѵүӏ" "АВЕКМНОРСТХУІЈЅԚԜҮӀѴԀ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿ" "οναικρυχϲεϳ" + _ARMENIAN
    + _SMALL_CAPS, "aeopcyxijdhsqwvyl" "ABEKMHOPCTXYIJSQWYIVD" "ABEZHIKMNOPTYXCJ" "ovaikpuxcej"
    "ouhngOUL" "thmbkn",
)  # Cyrillic lower and upper case, Greek upper and lower case, Armenian
_CYRGREEK_BLOCKS = ((0x370, 0x3FF), (0x400, 0x52F), (0x1C80, 0x1C8F), (0x1F00, 0x1FFF),
                    (0x2DE0, 0x2DFF), (0xA640, 0xA69F))  # fmt: skip
# Armenian look-alikes fold as the Cyrillic ones do, but no Armenian letter keeps a word
# from folding: posts mix in others too ('Լợі'), and Armenian words are not expected.
_CYRGREEK = [cp for lo, hi in _CYRGREEK_BLOCKS for cp in range(lo, hi + 1)] + [*map(ord, _ARMENIAN)]
_CYRGREEK_RE = re.compile("[" + char_class(_CYRGREEK) + "]")
# Letters without a Latin twin keep a run (small capitals: a text) from folding.
_RUN_BLOCKING = [cp for cp in _CYRGREEK
                 if unicodedata.category(chr(cp)).startswith("L") and cp not in _HOMOGLYPH_TABLE]
_RUN_BLOCKING_RE = re.compile("[" + char_class(_RUN_BLOCKING) + "]")
_BLOCKING_RE = re.compile("[" + char_class([*_RUN_BLOCKING, *map(ord, _SMALL_CAPS)]) + "]")
_SMALL_CAPS_RE, _GREEK_RE = re.compile(f"[{_SMALL_CAPS}]"), re.compile("[\u0370-\u03ff]")
_LATIN_RE = re.compile(
    "[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0250-\u02af\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f]"
)
_RUN_CHAR = rf"(?:[^\W\d_]|[{MARKS}])"
_LETTER_RUN_RE = re.compile(rf"{_RUN_CHAR}+")
# The letter runs (as _LETTER_RUN_RE finds them) that contain a Cyrillic/Greek
# character: only those can change, so no other word reaches the Python callback.
_CYRGREEK_RUN_RE = re.compile(
    rf"(?<![^\W\d_])(?<![{MARKS}])(?={_RUN_CHAR}*?["
    + char_class(cp for cp in _CYRGREEK if _LETTER_RUN_RE.fullmatch(chr(cp)))
    + rf"]){_RUN_CHAR}+"
)


def _fold_run(match: re.Match[str], *, whole_text_latin: bool = False) -> str:
    run = match.group()
    decomposed = unicodedata.normalize("NFD", run)
    if _RUN_BLOCKING_RE.search(decomposed):
        return run
    if not whole_text_latin and not _LATIN_RE.search(decomposed):
        return run
    latin = _LATIN_RE.findall(run)  # small capitals need a Vietnamese letter, half the run or
    if (_SMALL_CAPS_RE.search(run) and all(map(str.isascii, latin)) and 2 * len(latin) < len(run)
            and not _GREEK_RE.search(run)):  # Greek beside them ('kнι'): 'Москвa' stays
        return run
    return _recompose(decomposed.translate(_HOMOGLYPH_TABLE))


_fold_all_run = partial(_fold_run, whole_text_latin=True)


def _fold_homoglyphs(text: str) -> str:
    if _CYRGREEK_RE.search(text):
        # A text with Latin letters in which every Cyrillic/Greek letter has a Latin twin is
        # Latin text in disguise: words made only of look-alikes are folded too. Folding never
        # removes a letter without a twin, so this test gives the same answer on the output
        # and normalization stays idempotent.
        decomposed = unicodedata.normalize("NFD", text)
        disguised = not _BLOCKING_RE.search(decomposed) and bool(_LATIN_RE.search(decomposed))
        text = _CYRGREEK_RUN_RE.sub(_fold_all_run if disguised else _fold_run, text)
    return text


def fold_lookalikes(text: str) -> str:
    """Delete invisible characters and fold look-alike letters (steps 3-4).

    Parameters
    ----------
    text : str
        NFC text.

    Returns
    -------
    str
        The NFC text without invisible characters (blanks and word-separating
        ones read as spaces), with full-width, mathematical, enclosed,
        modifier and small-capital letters and the look-alikes ``ı İ ɑ ɡ ɩ``
        in ASCII, and Cyrillic, Greek and Armenian look-alikes inside Latin
        words in Latin.

    Examples
    --------
    >>> fold_lookalikes("co\\u200bro\\u200bna, Uống\\u3164nước")
    'corona, Uống nước'
    >>> fold_lookalikes("Uống\\u200bnước\\u200bnóng\\u200bdiệt\\u200bvirus")
    'Uống nước nóng diệt virus'
    >>> fold_lookalikes("ɴᴏ\\u0301ɴɢ cօrօnɑ, Լợі")
    'nóng corona, Lợi'
    """
    if _INVISIBLE_HINT_RE.search(text):
        text = _BLANK_RE.sub(" ", _BLANK_SPACED_RE.sub(lambda m: _BLANK_RE.sub("", m[0]), text))
        separated = not any(ch.isspace() for ch in text) and _SEPARATED_RE.search(text)
        text = _INVISIBLE_RE.sub(" " if separated else "", text)
    if _COMPAT_HINT_RE.search(text):
        text = text.translate(_COMPAT_TABLE)
    return _recompose(_fold_homoglyphs(text))


# --- steps 6-7: spaced letters and repeats -----------------------------------

_LETTER = rf"[^\W\d_][{MARKS}]*"
# Group 1 is the character before the run (search ' ' + text): consuming it, instead of
# looking behind, lets the scan skip letters.
_NOT_ALNUM_BEFORE = r"([\W_])"
_NOT_ALNUM_AFTER = rf"(?![^\W_]|[{MARKS}])"
_SPACED_WS_RE = re.compile(rf"{_NOT_ALNUM_BEFORE}{_LETTER}(?:\s+{_LETTER}){{2,}}{_NOT_ALNUM_AFTER}")
#: Separators of spaced letters: marks, and an emoji or a pictograph ('c🦠o🦠v🦠i🦠d').
_SPACERS = r".\-_*/·•~|+\u2600-\u27bf\U0001f000-\U0001faff"
_SPACED_PUNCT_RE = re.compile(
    rf"{_NOT_ALNUM_BEFORE}{_LETTER}\s*([{_SPACERS}])\s*{_LETTER}(?:\s*\2\s*{_LETTER})+{_NOT_ALNUM_AFTER}"
)
_LETTER_RE = re.compile(_LETTER)
# necessary condition for either pattern: two single letters after a separator
_SPACED_HINT_RE = re.compile(r"[\W_][^\W\d_][\W_]+[^\W\d_](?![^\W_])")
_VI_VOWELS = frozenset("aàáạảãâầấậẩẫăằắặẳẵeèéẹẻẽêềếệểễiìíịỉĩoòóọỏõôồốộổỗơờớợởỡuùúụủũưừứựửữyỳýỵỷỹ")
_REPEAT_LETTER_RE = re.compile(r"(?!I)([^\W\d_])\1{2,}")  # 'I' kept: Roman numerals ('quý III')
_PUNCT = (
    "!-/:-@\\[-\\^`{-~\u00a1-\u00ac\u00ae-\u00bf\u2010-\u2027\u2030-\u205e\u3001-\u3003\u300c-\u301f"
)
_REPEAT_PUNCT_RE = re.compile(f"([{_PUNCT}])\\1+")
# The few letters among those marks (ª, µ, ², ...): squashing them changes a word.
_PUNCT_LETTERS = re.findall(f"[{_PUNCT}]", "".join(map(chr, range(0x3020))))
_PUNCT_LETTER_RE = re.compile("[" + "".join(WORD_RE.findall(" ".join(_PUNCT_LETTERS))) + "]")


def _join_ws(match: re.Match[str]) -> str:
    letters = _LETTER_RE.findall(match.group(), 1)
    # Separated by spaces, the letters compose and lower-case independently.
    if set(_nfc(" ".join(letters)).lower().split()) <= _VI_VOWELS:
        return match.group()  # e.g. 'ờ ừ à': genuine one-letter words
    return match.group(1) + _nfc("".join(letters))


def _join_punct(match: re.Match[str]) -> str:
    return match.group(1) + _nfc("".join(_LETTER_RE.findall(match.group(), 1)))


def _squash_repeats(text: str) -> str:
    text = _REPEAT_LETTER_RE.sub(r"\1", text)
    return _REPEAT_PUNCT_RE.sub(r"\1", text)


def squash_spaced_and_repeats(text: str) -> str:
    """Re-join spaced letters and squash repeated characters (steps 6-7).

    Parameters
    ----------
    text : str
        NFC text without URLs or e-mail addresses.

    Returns
    -------
    str
        The text after both steps, repeated until it no longer changes.
    """
    return _squash(text)[0]


def _squash(text: str, *, letters: bool = True, spaced: bool = True) -> tuple[str, bool, bool]:
    """:func:`squash_spaced_and_repeats`, whether that is a fixed point, whether words stay.

    ``letters=False`` says ``text`` has no letter thrice in a row, and
    ``spaced=False`` no two one-letter words (``WORD_RE``) in a row: no spaced
    letters.  The third value says whether the words are unchanged.  Squashing
    repeats never leaves new ones behind, so the result is a fixed point unless
    joining spaced letters took all eight rounds.
    """
    squashed = _REPEAT_LETTER_RE.sub(r"\1", text) if letters else text
    same = squashed == text
    text = _REPEAT_PUNCT_RE.sub(r"\1", squashed)
    same = same and (text == squashed or not _PUNCT_LETTER_RE.search(squashed))
    if same and not spaced or not _SPACED_HINT_RE.search(text):
        return text, True, same
    for _ in range(8):
        joined = _SPACED_PUNCT_RE.sub(_join_punct, " " + text)
        joined = _SPACED_WS_RE.sub(_join_ws, joined)[1:]
        if joined == text:
            return text, True, same
        text, same = _squash_repeats(_fold_homoglyphs(joined)), False
    return text, False, False


# --- step 8: teencode --------------------------------------------------------

_TEEN_BEFORE_CLASS = rf"[\w@#&'’\-./{MARKS}]"  # never right before an abbreviation
_TEEN_AFTER_CLASS = rf"[\w'’\-@/{MARKS}]"  # never right after one (nor '.' and a letter)
_TEEN_AFTER = rf"(?!{_TEEN_AFTER_CLASS}|\.\w)"


class Teencode:
    """Teencode table plus a case-insensitive trie regex over its keys.

    Parameters
    ----------
    entries : dict of str to str
        Lower-case abbreviation -> expansion.  Keys that are not one word and
        rows whose expansion equals the key (they only block an entry of
        another source) are dropped, and so are expansions that contain a key
        (which keeps the step idempotent).
    """

    def __init__(self, entries: dict[str, str]) -> None:
        real = {
            k: v for k, v in entries.items() if v and v.lower() != k and _LETTER_RUN_RE.fullmatch(k)
        }
        table = {
            k: v for k, v in real.items() if not any(w.lower() in real for w in WORD_RE.findall(v))
        }
        self.table = table
        self.keys = table.keys()
        # expansions with a capital letter are proper nouns: their case is kept
        self.proper = frozenset(k for k, v in table.items() if any(c.isupper() for c in v))
        #: expansions of one letter (``uk`` -> ``ừ``): they can form a run of spaced letters
        self.one_letter = frozenset(v for v in table.values() if len(v) == 1)
        self.regex = (
            re.compile(
                f"(?<!{_TEEN_BEFORE_CLASS})(?:{trie_pattern(table)}){_TEEN_AFTER}", re.IGNORECASE
            )
            if table
            else None
        )


def expand_teencode(text: str, teen: Teencode) -> str:
    """Expand whole-word abbreviations, following the word's case (step 8).

    Parameters
    ----------
    text : str
        Text without URLs or e-mail addresses.
    teen : Teencode
        The table.

    Returns
    -------
    str
        The expanded text.

    Examples
    --------
    >>> teen = Teencode({"ko": "không", "vn": "Việt Nam", "k": "không"})
    >>> expand_teencode("ko Ko KO VN K k 5k", teen)
    'không Không KHÔNG Việt Nam K không 5k'
    """
    if teen.regex is None or teen.keys.isdisjoint(WORD_RE.findall(text.lower())):
        return text
    return teen.regex.sub(lambda match: _expand_word(match.group(), teen), text)


def _expand_word(word: str, teen: Teencode) -> str:
    """The expansion of one abbreviation found in the text, in the word's case."""
    key = word.lower()
    expansion = teen.table.get(key)
    if expansion is None or len(word) == 1 and word.isupper():
        return word  # single capitals stay: 'Vitamin K'
    if len(word) > 1 and key not in teen.proper:  # proper nouns keep theirs: 'Việt Nam'
        if word.isupper():
            return expansion.upper()
        if word[0].isupper():
            return expansion[0].upper() + expansion[1:]
    return expansion


# --- step 9: URLs, e-mails, phones ---------------------------------------------

_TLDS = (
    "com|vn|net|org|info|gov|edu|io|me|ly|co|tv|link|xyz|online|site|top|asia|biz|us|uk|"
    "ru|cn|jp|kr|de|fr|news|app|club|live|store|shop|pro|blog|ai|cc|tk|ml|ga|cf|gq|to|gl|gd|be"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_URL_CHARS = r"[\w\-.~:/?#@!$&*+,;=%]"
_URL_END = r"[\w\-~/#$&*+=%]"
# The character before the match is consumed (search ' ' + text): no address follows a
# word character, so the scan only stops at the others.
_URL_RE = re.compile(
    rf"\W(?:(?<![.+\-%])(?P<email>(?i:[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{{2,}}(?![\w\-@])))"
    rf"|(?<![@.\-])(?P<url>(?i:(?:(?:https?|ftp)://|www\.)(?:{_URL_CHARS}*{_URL_END})?))"
    rf"|(?<![@.\-/])(?P<domain>(?i:(?:{_LABEL}\.)*[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]\.(?:{_TLDS})(?![\w\-@]|\.\w)(?:/(?:{_URL_CHARS}*{_URL_END})?)?)))"
)
# With '@' and '://' (found by str.find), the necessary condition for a match of _URL_RE:
# 'www.' or a dot before a TLD.  Starting at the dot makes the scan a fast literal search;
# a TLD starts with a letter (so do the characters IGNORECASE folds onto one).
_DOT_HINT_RE = re.compile(rf"\.(?:(?=[^\W\d_])(?i:{_TLDS})\b|(?<=[wW]{{3}}\.))")
_SEP = r"(?:[.\-]|\s+)"  # one phone-number separator; any whitespace run counts as one
_NUMBER = rf"[1-9]\d(?:{_SEP}?\d){{7,8}}"
# (?<![\w+.,])(?:(?:\(\+84\)|\+84|0084){_SEP}?{_NUMBER}|0{_NUMBER}|1[89]00...), written to
# start with one character class (the scan then skips every other character) and to look
# behind past it; a test compares the two.
_PHONE_RE = re.compile(
    rf"[(+01](?<![\w+.,].)(?:(?<=\()\+84\){_SEP}?{_NUMBER}|(?<=\+)84{_SEP}?{_NUMBER}"
    rf"|(?<=0)084{_SEP}?{_NUMBER}|(?<=0){_NUMBER}"
    rf"|(?<=1)[89]00(?:{_SEP}?\d){{4}}(?:(?:{_SEP}?\d){{2}})?)(?![\w]|[.,]\d)"
)


def _url_hint(text: str) -> bool:
    """False only if ``text`` has no URL or e-mail address (a quick pre-check)."""
    return "@" in text or "://" in text or _DOT_HINT_RE.search(text) is not None


def replace_phones(text: str) -> str:
    """Replace Vietnamese phone numbers with ``__phone__`` padded with spaces.

    Parameters
    ----------
    text : str
        Text without URLs or e-mail addresses.

    Returns
    -------
    str
        The text with every phone number replaced.
    """
    return _PHONE_RE.sub(f" {PHONE_TOKEN} ", text)


def outside_urls(text: str, func: Callable[[str], str], *, placeholders: bool = False) -> str:
    """Apply ``func`` to the text between URLs and e-mails; optionally replace those.

    Parameters
    ----------
    text : str
        Input text.
    func : callable
        ``str -> str`` step applied to every piece outside URLs and e-mails.
    placeholders : bool, default=False
        Replace URLs with ``__url__`` and e-mails with ``__email__`` (padded
        with spaces) instead of keeping them.

    Returns
    -------
    str
        The reassembled text.

    Examples
    --------
    >>> outside_urls("XEM www.x.vn/KO, MAIL a@b.com", str.lower, placeholders=True).split()
    ['xem', '__url__', ',', 'mail', '__email__']
    """
    if not _url_hint(text):
        return func(text)
    pieces: list[str] = []
    pos = 0
    for match in _URL_RE.finditer(" " + text):
        kind = match.lastgroup or 0
        start, end = match.start(kind) - 1, match.end(kind) - 1
        pieces.append(func(text[pos:start]))
        if placeholders:
            pieces.append(f" {EMAIL_TOKEN if kind == 'email' else URL_TOKEN} ")
        else:
            pieces.append(text[start:end])
        pos = end
    pieces.append(func(text[pos:]))
    return "".join(pieces)


# --- step 10: emoji ------------------------------------------------------------

_EMOJI_BASE = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
_EMOJI_MOD = "\U0001f3fb-\U0001f3ff\ufe0f\U000e0020-\U000e007f"
_EMOJI_ONE = rf"[{_EMOJI_BASE}][{_EMOJI_MOD}]*"
_FLAG = "[\U0001f1e6-\U0001f1ff]"  # regional indicators, inside _EMOJI_BASE
# A flag (two regional indicators) or a ZWJ sequence, written to start with one character
# class, which the regex engine scans for much faster than for an alternation.
_EMOJI_SEQ = rf"[{_EMOJI_BASE}](?:(?<={_FLAG}){_FLAG}|[{_EMOJI_MOD}]*(?:\u200d{_EMOJI_ONE})*)"
_EMOJI_RE = re.compile(rf"({_EMOJI_SEQ})(?:\s*\1(?![{_EMOJI_MOD}\u200d]))*")


def _emoji_repl(match: re.Match[str]) -> str:
    return f" {match.group(1)} "


def separate_emoji(text: str) -> str:
    """Surround every emoji with spaces and collapse runs of the same one (step 10).

    Parameters
    ----------
    text : str
        Input text.

    Returns
    -------
    str
        The text (whitespace is not collapsed).
    """
    return _EMOJI_RE.sub(_emoji_repl, text)
