"""Text normalization for Vietnamese news and social-media posts.

This is the first stage of the pipeline.  :func:`normalize_text` turns one raw
string into a canonical form that later stages (segmentation, features,
matching) can rely on.  It never raises on a ``str``, it keeps the original
letter case, and it is idempotent::

    normalize_text(normalize_text(x)) == normalize_text(x)

Steps, in order
---------------
0. **Cap.** Texts longer than :data:`MAX_CHARS` are cut to ``MAX_CHARS``
   characters before any other work and a :class:`TruncationWarning` carrying
   the original length is emitted.  The output is also never longer than
   ``MAX_CHARS``: if expansions grow the text past the cap, it is cut at the
   last whole token.
1. **Coerce.** Lone surrogates (``'\\ud800'``), Unicode non-characters
   (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF), the replacement character U+FFFD and
   control characters (category Cc) are removed.  Tab and newline are kept;
   control characters that act as line or field separators (``\\r``, ``\\v``,
   ``\\f``, U+001C..U+001F, U+0085) become a space so words do not fuse.
2. **NFC.** Unicode canonical composition (NFD ``'hòa'`` becomes NFC).
3. **Invisible characters** (``evasion``).  Format characters (category Cf:
   U+200B..U+200F, U+202A..U+202E, U+2060..U+2064, U+2066..U+2069, U+FEFF,
   soft hyphen U+00AD, U+180E, tag characters U+E0000..U+E007F, ...),
   variation selectors, the combining grapheme joiner and the Hangul filler
   characters are deleted: ``'co\\u200bro\\u200bna'`` -> ``'corona'``.
4. **Homoglyphs** (``evasion``).  Full-width ASCII (``'ｃｏｖｉｄ'``),
   mathematical alphanumeric letters (``'𝐜𝐨𝐯𝐢𝐝'``) and circled letters are
   mapped to ASCII everywhere.  Cyrillic and Greek look-alikes (``а е о р с
   у х і ј ԁ һ ѕ``, ``Α Β Ε Ο Ρ Τ ο ν`` ...) are mapped to Latin only inside
   a run of letters that already contains a Latin letter and contains no
   Cyrillic/Greek letter without a Latin look-alike, so genuine Russian or
   Greek words are left alone.  Folded runs are decomposed first and
   recomposed afterwards, so Cyrillic ``о`` + U+0301 becomes ``ó``.
5. **Tone marks.**  underthesea's normalization rules (the character and
   token tables behind ``underthesea.text_normalize``) are applied word by
   word: ``'hoà'`` -> ``'hòa'``, ``'thuỷ'`` -> ``'thủy'``, ``'Ð'`` (U+00D0)
   -> ``'Đ'``.  The tables are used directly instead of calling
   ``text_normalize`` on the whole text, because that function re-tokenizes
   and inserts spaces around every punctuation mark (``'a.b'`` ->
   ``'a . b'``), which would break URLs, e-mail addresses and numbers.  If
   underthesea cannot be imported this step is skipped.
6. **Spaced letters** (``evasion``).  Three or more single letters separated
   by the same separator are re-joined: ``'v.i.r.u.s'`` -> ``'virus'``,
   ``'c o r o n a'`` -> ``'corona'``, ``'c-o-v-i-d'`` -> ``'covid'``.
   Separators are whitespace or one of ``. - _ * / · • ~ |`` (optionally with
   spaces around it); commas never join (``'a, b, c'`` is kept).  A
   whitespace-separated run is only joined if it contains a consonant, so
   sequences of one-letter Vietnamese words (``'ờ ừ à'``) are kept.
7. **Repeats** (``evasion``).  Three or more copies of the same letter become
   one (``'nhiềuuuuu'`` -> ``'nhiều'``; capital ``I`` is kept for Roman
   numerals such as ``'quý III'``); two or more copies of the same
   punctuation mark become one (``'!!!'`` -> ``'!'``).  Digits are never
   touched.  Steps 6 and 7 (followed by step 5 again) are repeated until
   they no longer change the text.
8. **Teencode** (``teencode``).  Whole words are expanded from the table
   ``data/teencode.tsv`` merged with ``underthesea_core``'s
   ``TextPreprocessor().teencode`` (the project table wins; a row whose
   expansion equals its key blocks an ambiguous entry such as ``nc``).
   Matching is case-insensitive; lower-case words get the expansion as
   written, capitalized words get it capitalized and all-caps words get it in
   capitals (``'KO'`` -> ``'KHÔNG'``) unless the expansion is a proper noun
   (``'VN'`` -> ``'Việt Nam'``).  Single capital letters (``'K'``, ``'R'``)
   are never expanded.  Words glued to digits, ``@``, ``#``, hyphens,
   apostrophes or dots (``'5k'``, ``'k-pop'``, ``'x.vn'``) are not expanded,
   and nothing inside a URL or e-mail address is.
9. **Placeholders** (``placeholders``).  URLs (with scheme, ``www.`` or a bare
   domain with a common TLD such as ``.vn``/``.com``) become ``__url__``,
   e-mail addresses ``__email__`` and Vietnamese phone numbers
   (``0912345678``, ``0912 345 678``, ``+84 912 345 678``, ``024 3825 1234``,
   ``1900 1234``, ``1800xxxxxx``) ``__phone__``.  URLs and e-mail addresses
   are located before step 6, so steps 6-8 never alter them.
10. **Emoji.**  Every emoji (including skin-tone, flag and ZWJ sequences) is
    made its own whitespace-separated token and runs of the same emoji are
    collapsed to one: ``'hay quá😂😂😂'`` -> ``'hay quá 😂'``.
11. **Whitespace.**  Runs of whitespace (including newlines) become a single
    space and the ends are stripped.

Examples
--------
>>> normalize_text("Hoà Bình đẹp quáaaa!!! ko bt j luôn 😂😂")
'Hòa Bình đẹp quáa! không biết gì luôn 😂'
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from importlib import resources

from sklearn.base import BaseEstimator, TransformerMixin

__all__ = [
    "MAX_CHARS",
    "Normalizer",
    "TruncationWarning",
    "normalize_text",
    "strip_diacritics",
]

MAX_CHARS: int = 100_000
"""Maximum number of characters processed per text (longer input is cut)."""

URL_TOKEN = "__url__"
EMAIL_TOKEN = "__email__"
PHONE_TOKEN = "__phone__"


class TruncationWarning(UserWarning):
    """Emitted when a text longer than :data:`MAX_CHARS` is truncated.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     out = normalize_text("tin giả " * 20_000)
    >>> caught[0].category.__name__, len(out) <= MAX_CHARS
    ('TruncationWarning', True)
    """


# ---------------------------------------------------------------------------
# Character classes and tables (built once at import)
# ---------------------------------------------------------------------------


def _trie_pattern(words: Iterable[str]) -> str:
    """Regex alternation of ``words`` factored as a prefix trie (fast to match)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        optional = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if optional:
            body = (f"(?:{body})" if len(branches) == 1 and len(body) > 1 else body) + "?"
        return body

    return build(trie) or "(?!)"


def _char_class(codepoints: Iterable[int]) -> str:
    """Regex character-class body (without brackets) for a set of code points."""
    cps = sorted(set(codepoints))
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(
            re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        )
        i = j + 1
    return "".join(parts)


# Combining marks that may follow a letter (used to keep letter+mark together).
_MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"

# Fast path: text made only of these characters needs no coercion, evasion or
# emoji handling (printable ASCII, newline, Latin letters incl. Vietnamese,
# common punctuation, the dong sign).
_UNUSUAL_RE = re.compile(
    "[^\x20-\x7e\n\u00a0-\u00ac\u00ae-\u024f\u1ea0-\u1ef9\u2010-\u2027\u2030-\u205e\u20ab]"
)

# Step 1: characters that are removed / turned into a space.
_NONCHARS = [c for plane in range(17) for c in (plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF)]
_BAD_RE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffd"
    + _char_class(_NONCHARS)
    + "]"
)
_CTRL_SPACE_RE = re.compile("[\x0b\x0c\r\x1c-\x1f\x85]")


# Step 3: invisible characters.
def _invisible_codepoints() -> list[int]:
    cps = [
        cp
        for rng in (range(0x80, 0x20000), range(0xE0000, 0xE1000))
        for cp in rng
        if unicodedata.category(chr(cp)) == "Cf"
    ]
    cps += list(range(0xFE00, 0xFE10))  # variation selectors
    cps += list(range(0xE0100, 0xE01F0))  # variation selectors supplement
    cps += [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0]
    return cps


_INVISIBLE_RE = re.compile("[" + _char_class(_invisible_codepoints()) + "]+")


# Step 4a: context-free compatibility folding (full-width, math letters, circled letters).
def _compat_fold_table() -> dict[int, str]:
    table: dict[int, str] = {0x3000: " "}
    ranges = (
        range(0xFF01, 0xFF5F),
        range(0x1D400, 0x1D800),
        range(0x24B6, 0x24EA),
        range(0x2100, 0x2150),
    )
    for rng in ranges:
        for cp in rng:
            folded = unicodedata.normalize("NFKC", chr(cp))
            if len(folded) == 1 and folded.isascii() and folded.isprintable() and folded != chr(cp):
                if rng.start == 0x2100 and not folded.isalpha():
                    continue
                table[cp] = folded
    return table


_COMPAT_TABLE = _compat_fold_table()
_COMPAT_RE = re.compile("[" + _char_class(_COMPAT_TABLE) + "]")

# Step 4b: Cyrillic / Greek look-alikes (base letters; accents are handled by NFD).
_HOMOGLYPHS = {
    # Cyrillic lower case
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y",
    "х": "x", "і": "i", "ј": "j", "ԁ": "d", "һ": "h", "ѕ": "s", "ԛ": "q", "ԝ": "w",
    "ѵ": "v", "ү": "y", "ӏ": "l", "ɡ": "g",
    # Cyrillic upper case
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q",
    "Ԝ": "W", "Ү": "Y", "Ӏ": "I", "Ѵ": "V", "Ԁ": "D",
    # Greek upper case
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Greek lower case
    "ο": "o", "ν": "v", "α": "a", "ι": "i", "κ": "k", "ρ": "p", "υ": "u", "χ": "x",
    "ϲ": "c", "ε": "e", "ϳ": "j",
}  # fmt: skip
del _HOMOGLYPHS["ɡ"]  # Latin script already; listed above only for reference
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)
_CYRGREEK_RANGES = "\u0370-\u03ff\u0400-\u052f\u1c80-\u1c8f\u1f00-\u1fff\u2de0-\u2dff\ua640-\ua69f"
_CYRGREEK_RE = re.compile(f"[{_CYRGREEK_RANGES}]")
_BLOCKING_RE = re.compile(
    "["
    + _char_class(
        cp
        for lo, hi in (
            (0x370, 0x3FF),
            (0x400, 0x52F),
            (0x1C80, 0x1C8F),
            (0x1F00, 0x1FFF),
            (0x2DE0, 0x2DFF),
            (0xA640, 0xA69F),
        )
        for cp in range(lo, hi + 1)
        if unicodedata.category(chr(cp)).startswith("L") and chr(cp) not in _HOMOGLYPHS
    )
    + "]"
)
_LATIN_RE = re.compile(
    "[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0250-\u02af\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f]"
)
_LETTER_RUN_RE = re.compile(rf"(?:[^\W\d_]|[{_MARKS}])+")

# Step 6: spaced / dotted letters.
_LETTER = rf"[^\W\d_][{_MARKS}]*"
_NOT_ALNUM_BEFORE = r"(?<![^\W_])"
_NOT_ALNUM_AFTER = rf"(?![^\W_]|[{_MARKS}])"
_SPACED_WS_RE = re.compile(rf"{_NOT_ALNUM_BEFORE}{_LETTER}(?:\s+{_LETTER}){{2,}}{_NOT_ALNUM_AFTER}")
_SPACED_PUNCT_RE = re.compile(
    rf"{_NOT_ALNUM_BEFORE}{_LETTER}\s*([.\-_*/·•~|])\s*{_LETTER}(?:\s*\1\s*{_LETTER})+{_NOT_ALNUM_AFTER}"
)
_LETTER_RE = re.compile(_LETTER)
# necessary condition for either pattern: two single letters after a separator
_SPACED_HINT_RE = re.compile(r"[\W_][^\W\d_][\W_]+[^\W\d_](?![^\W_])")
_WORD_RE = re.compile(r"[^\W\d_]+")
_SEP_RE = re.compile(rf"[^\w{_MARKS}]+|_+")
_VI_VOWELS = frozenset("aàáạảãâầấậẩẫăằắặẳẵeèéẹẻẽêềếệểễiìíịỉĩoòóọỏõôồốộổỗơờớợởỡuùúụủũưừứựửữyỳýỵỷỹ")

# Step 7: repeats.
_REPEAT_LETTER_RE = re.compile(r"(?!I)([^\W\d_])\1{2,}")  # 'I' kept: Roman numerals ('quý III')
_REPEAT_PUNCT_RE = re.compile(
    "([!-/:-@\\[-\\^`{-~\u00a1-\u00ac\u00ae-\u00bf\u2010-\u2027\u2030-\u205e\u3001-\u3003\u300c-\u301f])\\1+"
)

# Step 9: URLs, e-mails, phones.
_TLDS = (
    "com|vn|net|org|info|gov|edu|io|me|ly|co|tv|link|xyz|online|site|top|asia|biz|us|uk|"
    "ru|cn|jp|kr|de|fr|news|app|club|live|store|shop|pro|blog|ai|cc|tk|ml|ga|cf|gq|to|gl|gd|be"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_URL_CHARS = r"[\w\-.~:/?#@!$&*+,;=%]"
_URL_END = r"[\w\-~/#$&*+=%]"
_URL_RE = re.compile(
    rf"(?P<email>(?<![\w.+\-%])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{{2,}}(?![\w\-@]))"
    rf"|(?P<url>(?<![\w@.\-])(?:(?:https?|ftp)://|www\.)(?:{_URL_CHARS}*{_URL_END})?)"
    rf"|(?P<domain>(?<![\w@.\-/])(?:{_LABEL}\.)*[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]\.(?:{_TLDS})(?![\w\-@]|\.\w)(?:/(?:{_URL_CHARS}*{_URL_END})?)?)",
    re.IGNORECASE,
)
_URL_HINT_RE = re.compile(rf"@|://|www\.|\.(?:{_TLDS})\b", re.IGNORECASE)
_SEP = r"(?:[.\-]|\s+)"  # one phone-number separator; any whitespace run counts as one
_PHONE_RE = re.compile(
    r"(?<![\w+.,])(?:"
    rf"(?:\(\+84\)|\+84|0084){_SEP}?[1-9]\d(?:{_SEP}?\d){{7,8}}"
    rf"|0[1-9]\d(?:{_SEP}?\d){{7,8}}"
    rf"|1[89]00(?:{_SEP}?\d){{4}}(?:(?:{_SEP}?\d){{2}})?"
    r")(?![\w]|[.,]\d)"
)

# Step 10: emoji.
_EMOJI_BASE = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
_EMOJI_MOD = "\U0001f3fb-\U0001f3ff\ufe0f\U000e0020-\U000e007f"
_EMOJI_ONE = rf"[{_EMOJI_BASE}][{_EMOJI_MOD}]*"
_EMOJI_SEQ = rf"[\U0001f1e6-\U0001f1ff]{{2}}|{_EMOJI_ONE}(?:\u200d{_EMOJI_ONE})*"
_EMOJI_RE = re.compile(rf"({_EMOJI_SEQ})(?:\s*\1(?![{_EMOJI_MOD}\u200d]))*")

# Step 5: underthesea tables, loaded lazily (importing underthesea takes ~0.5 s).
_WORD_BEFORE = rf"(?<![^\W_]|[{_MARKS}])"
_WORD_AFTER = rf"(?![^\W_]|[{_MARKS}])"
_TEEN_BEFORE = rf"(?<![\w@#&'’\-./{_MARKS}])"
_TEEN_AFTER = rf"(?![\w'’\-@/{_MARKS}]|\.\w)"
_tables_lock = threading.Lock()
_UTS_TABLES: _ToneTables | None = None
_TEENCODE: _Teencode | None = None


class _ToneTables:
    """underthesea's character map plus a trie regex over its token map."""

    def __init__(self, chars: dict[int, str], tokens: dict[str, str]) -> None:
        self.chars = chars
        self.chars_re = re.compile("[" + _char_class(chars) + "]") if chars else None
        self.tokens = tokens
        self.tokens_re = (
            re.compile(_WORD_BEFORE + "(?:" + _trie_pattern(tokens) + ")" + _WORD_AFTER)
            if tokens
            else None
        )

    def apply(self, text: str) -> str:
        if self.chars_re is not None and self.chars_re.search(text):
            text = text.translate(self.chars)
        if self.tokens_re is not None and not self.tokens.keys().isdisjoint(_WORD_RE.findall(text)):
            tokens = self.tokens
            text = self.tokens_re.sub(lambda m: tokens[m.group()], text)
        return text


class _Teencode:
    """Teencode table plus a case-insensitive trie regex over its keys."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.keys = table.keys()
        self.regex = (
            re.compile(
                _TEEN_BEFORE + "(?:" + _trie_pattern(table) + ")" + _TEEN_AFTER, re.IGNORECASE
            )
            if table
            else None
        )


def _load_underthesea_tables() -> _ToneTables:
    """Character and token tables of underthesea's ``text_normalize`` (NFC, chains resolved)."""
    try:
        from underthesea.pipeline.text_normalize.text_normalizer import character_map, token_map
    except Exception:  # underthesea missing or reorganized: skip the step
        return _ToneTables({}, {})
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


def _load_teencode() -> _Teencode:
    """Project teencode table merged with underthesea_core's (project wins)."""
    merged: dict[str, str] = {}
    try:
        from underthesea_core import TextPreprocessor

        extra = getattr(TextPreprocessor(), "teencode", None) or {}
        for key, value in dict(extra).items():
            if isinstance(key, str) and isinstance(value, str) and key.strip() and value.strip():
                merged[unicodedata.normalize("NFC", key.strip().lower())] = unicodedata.normalize(
                    "NFC", value.strip()
                )
    except Exception:  # optional source
        pass
    text = resources.files("vnmisinfo").joinpath("data/teencode.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        key, value = line.split("\t", 1)
        key = unicodedata.normalize("NFC", key.strip().lower())
        merged[key] = unicodedata.normalize("NFC", value.strip())
    # identity rows only block entries from the other table; keep real expansions
    table = {
        k: v for k, v in merged.items() if v and v.lower() != k and _LETTER_RUN_RE.fullmatch(k)
    }
    # an expansion must never contain another key (keeps the step idempotent)
    return _Teencode(
        {
            k: v
            for k, v in table.items()
            if not any(w.lower() in table for w in re.findall(r"[^\W\d_]+", v))
        }
    )


def _tables() -> tuple[_ToneTables, _Teencode]:
    global _UTS_TABLES, _TEENCODE
    if _UTS_TABLES is None or _TEENCODE is None:
        with _tables_lock:
            if _UTS_TABLES is None:
                _UTS_TABLES = _load_underthesea_tables()
            if _TEENCODE is None:
                _TEENCODE = _load_teencode()
    return _UTS_TABLES, _TEENCODE


# ---------------------------------------------------------------------------
# Step helpers
# ---------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _fold_run(match: re.Match[str], *, whole_text_latin: bool = False) -> str:
    run = match.group()
    if not _CYRGREEK_RE.search(run):
        return run
    decomposed = unicodedata.normalize("NFD", run)
    if _BLOCKING_RE.search(decomposed):
        return run
    if not whole_text_latin and not _LATIN_RE.search(decomposed):
        return run
    return unicodedata.normalize("NFC", decomposed.translate(_HOMOGLYPH_TABLE))


def _fold_all_run(match: re.Match[str]) -> str:
    return _fold_run(match, whole_text_latin=True)


def _fold_homoglyphs(text: str) -> str:
    if _CYRGREEK_RE.search(text):
        # A text with Latin letters in which every Cyrillic/Greek letter has a Latin twin is
        # Latin text in disguise: words made only of look-alikes are folded too. Folding never
        # removes a letter without a twin, so this test gives the same answer on the output
        # and normalization stays idempotent.
        decomposed = unicodedata.normalize("NFD", text)
        disguised = not _BLOCKING_RE.search(decomposed) and bool(_LATIN_RE.search(decomposed))
        text = _LETTER_RUN_RE.sub(_fold_all_run if disguised else _fold_run, text)
    return text


def _join_ws(match: re.Match[str]) -> str:
    run = match.group()
    letters = _LETTER_RE.findall(run)
    if all(unicodedata.normalize("NFC", ch).lower() in _VI_VOWELS for ch in letters):
        return run  # e.g. 'ờ ừ à': genuine one-letter words
    return _nfc("".join(letters))


def _join_punct(match: re.Match[str]) -> str:
    return _nfc("".join(_LETTER_RE.findall(match.group())))


def _spaced_and_repeats(text: str) -> str:
    text = _REPEAT_LETTER_RE.sub(r"\1", text)
    text = _REPEAT_PUNCT_RE.sub(r"\1", text)
    if not _SPACED_HINT_RE.search(text):
        return text
    for _ in range(8):
        joined = _SPACED_PUNCT_RE.sub(_join_punct, text)
        joined = _SPACED_WS_RE.sub(_join_ws, joined)
        if joined == text:
            break
        text = _fold_homoglyphs(joined)
        text = _REPEAT_LETTER_RE.sub(r"\1", text)
        text = _REPEAT_PUNCT_RE.sub(r"\1", text)
    return text


def _expand_teencode(text: str, teen: _Teencode) -> str:
    table = teen.table

    def repl(match: re.Match[str]) -> str:
        word = match.group()
        expansion = table.get(word.lower())
        if expansion is None:
            return word
        if len(word) == 1:
            return word if word.isupper() else expansion
        if any(ch.isupper() for ch in expansion):
            return expansion  # proper noun: 'vn' -> 'Việt Nam'
        if word.isupper():
            return expansion.upper()
        if word[0].isupper():
            return expansion[0].upper() + expansion[1:]
        return expansion

    assert teen.regex is not None
    return teen.regex.sub(repl, text)


def _phone_repl(match: re.Match[str]) -> str:
    return f" {PHONE_TOKEN} "


def _teencode_and_phones(text: str, *, teencode: bool, placeholders: bool, teen: _Teencode) -> str:
    if (
        teencode
        and teen.regex is not None
        and not teen.keys.isdisjoint(_WORD_RE.findall(text.lower()))
    ):
        text = _expand_teencode(text, teen)
    if placeholders:
        text = _PHONE_RE.sub(_phone_repl, text)
    return text


def _outside_urls(text: str, func: Callable[[str], str], *, placeholders: bool = False) -> str:
    """Apply ``func`` to the text between URLs / e-mails; optionally replace those."""
    if not _URL_HINT_RE.search(text):
        return func(text)
    pieces: list[str] = []
    pos = 0
    for match in _URL_RE.finditer(text):
        start, end = match.span()
        pieces.append(func(text[pos:start]))
        if placeholders:
            pieces.append(f" {EMAIL_TOKEN if match.lastgroup == 'email' else URL_TOKEN} ")
        else:
            pieces.append(match.group())
        pos = end
    pieces.append(func(text[pos:]))
    return "".join(pieces)


def _emoji_repl(match: re.Match[str]) -> str:
    return f" {match.group(1)} "


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def normalize_text(
    text: str, *, evasion: bool = True, teencode: bool = True, placeholders: bool = True
) -> str:
    """Normalize one Vietnamese text (see the module docstring for the steps).

    Parameters
    ----------
    text : str
        Raw text.  Any ``str`` is accepted, including lone surrogates and
        control characters.  Texts longer than :data:`MAX_CHARS` are truncated
        first and a :class:`TruncationWarning` is emitted.
    evasion : bool, default=True
        Undo obfuscation: invisible characters, homoglyphs, spaced letters
        and repeated characters (steps 3, 4, 6 and 7).
    teencode : bool, default=True
        Expand chat abbreviations such as ``ko`` -> ``không`` (step 8).
    placeholders : bool, default=True
        Replace URLs, e-mail addresses and phone numbers with ``__url__``,
        ``__email__`` and ``__phone__`` (step 9).

    Returns
    -------
    str
        The normalized text: NFC, single spaces, original case kept.
        ``normalize_text(normalize_text(x)) == normalize_text(x)``.

    Raises
    ------
    TypeError
        If ``text`` is not a ``str``.

    Examples
    --------
    >>> normalize_text("Thuỷ điện Hoà Bình xả lũ!!!")
    'Thủy điện Hòa Bình xả lũ!'
    >>> normalize_text("v.i.r.u.s c o r o n a ko có thật, xem tại https://tin-gia.vn/abc")
    'virus corona không có thật, xem tại __url__'
    >>> normalize_text("Gọi 0912 345 678 hoặc mail abc@gmail.com", placeholders=False)
    'Gọi 0912 345 678 hoặc mail abc@gmail.com'
    """
    if not isinstance(text, str):
        raise TypeError(
            f"expected str, got {type(text).__name__}; convert the value first "
            "(e.g. str(x), or '' for missing values) or use Normalizer for collections"
        )
    n = len(text)
    if n > MAX_CHARS:
        warnings.warn(
            TruncationWarning(
                f"text of {n} characters truncated to MAX_CHARS={MAX_CHARS} characters"
            ),
            stacklevel=2,
        )
        text = text[:MAX_CHARS]
    if not text:
        return ""
    tone, teen = _tables()
    unusual = _UNUSUAL_RE.search(text) is not None

    # 1. coerce
    if unusual:
        text = _BAD_RE.sub("", text)
        text = _CTRL_SPACE_RE.sub(" ", text)
    if not text.isascii():
        # 2. NFC
        text = _nfc(text)
        if evasion and unusual:
            # 3. invisible characters
            stripped = _INVISIBLE_RE.sub("", text)
            # 4. homoglyphs
            if _COMPAT_RE.search(stripped):
                stripped = stripped.translate(_COMPAT_TABLE)
            stripped = _fold_homoglyphs(stripped)
            if stripped != text:
                text = _nfc(stripped)
        # 5. underthesea tone-mark rules
        text = tone.apply(text)

    # URLs and e-mails are protected: steps 6-9 only see the text between them.
    # They are located again after steps 6-7 because squashing can create one
    # ('x..com' -> 'x.com').
    if evasion:
        for _ in range(4):  # until URL boundaries and repeats agree
            before, text = text, _outside_urls(text, _spaced_and_repeats)
            if text == before:
                break
            text = tone.apply(text)  # squashing can create an old-style word ('uuuà')
    text = _outside_urls(
        text,
        lambda seg: _teencode_and_phones(
            seg, teencode=teencode, placeholders=placeholders, teen=teen
        ),
        placeholders=placeholders,
    )

    # 10. emoji
    if unusual:
        text = _EMOJI_RE.sub(_emoji_repl, text)
    # 11. whitespace
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:  # expansions grew the text: cut at the last whole token
        text = text[: MAX_CHARS + 1].rsplit(" ", 1)[0].rstrip()
    return text


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
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept.translate(_D_TABLE))


_D_TABLE = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


class Normalizer(TransformerMixin, BaseEstimator):
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
            if doc is None or (isinstance(doc, float) and math.isnan(doc)):
                out.append("")
            else:
                out.append(normalize_text(doc, **opts))
        return out

    def __sklearn_is_fitted__(self) -> bool:
        return True


def _check_raw_documents(X: object) -> None:
    if isinstance(X, str):
        raise TypeError("Iterable over raw text documents expected, string object received.")
    if X is None or not isinstance(X, Iterable) and not hasattr(X, "__len__"):
        raise TypeError(f"Iterable over raw text documents expected, {type(X).__name__} received.")
