"""Text normalization for Vietnamese news and social-media posts.

This is the first stage of the pipeline.  :func:`normalize_text` turns one raw
string into a canonical form that later stages (segmentation, features,
matching) can rely on.  It never raises on a ``str``, it keeps the original
letter case, and it is idempotent::

    normalize_text(normalize_text(x)) == normalize_text(x)

Steps 3, 4 and 6-10 are implemented, and specified in detail, in
:mod:`vnmisinfo.text.evasion`; the tables of step 5 are read and applied in
:mod:`vnmisinfo.text.accents`.

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
3. **Invisible characters** (``evasion``).  Zero-width and other format
   characters are deleted: ``'co\\u200bro\\u200bna'`` -> ``'corona'``.
4. **Homoglyphs** (``evasion``).  Full-width, mathematical, enclosed
   (circled, squared, parenthesized), modifier (superscript, subscript) and
   small-capital letters and ``ı İ ɑ ɡ ɩ`` become ASCII (``'ᴄᴏʀᴏɴᴀ'`` ->
   ``'corona'``; flags such as 🇻🇳 stay); Cyrillic/Greek/Armenian look-alikes
   become Latin inside Latin words (``'соrоnа'`` -> ``'corona'``;
   ``'Москва'`` stays).
5. **Tone marks.**  underthesea's normalization rules (the character and
   token tables behind ``underthesea.text_normalize``) are applied word by
   word: ``'hoà'`` -> ``'hòa'``, ``'thuỷ'`` -> ``'thủy'``, ``'Ð'`` (U+00D0)
   -> ``'Đ'``.  The tables are used directly instead of calling
   ``text_normalize`` on the whole text, because that function re-tokenizes
   and inserts spaces around every punctuation mark (``'a.b'`` ->
   ``'a . b'``), which would break URLs, e-mail addresses and numbers.  If
   those tables cannot be imported, the first call raises :class:`ImportError`
   naming the underthesea version to install.
6. **Spaced letters** (``evasion``).  ``'v.i.r.u.s'`` -> ``'virus'``,
   ``'c o r o n a'`` -> ``'corona'``.
7. **Repeats** (``evasion``).  ``'nhiềuuuuu!!!'`` -> ``'nhiều!'``.  Steps 6
   and 7 (followed by step 5 again) are repeated until they change nothing.
   7b. **Salted words** (``evasion``).  A dot inside a word (of 3+ letters, or 2 with a
   mark: ``'t.ử'``) is dropped
   when the two pieces make one syllable and the second starts in lower case:
   ``'nư.ớc'`` -> ``'nước'``; ``'nước.nếu'`` and ``'vi.rus'`` are kept.
   7c. **Digits for letters** (``leet``).  ``'c0r0na'`` -> ``'corona'``, ``'t1n g1ả'`` ->
   ``'tin giả'``; ``'H5N1'``, ``'F0'``, ``'5G'`` and ``'COVID19'`` are kept.  It runs just
   before step 7b, between URLs and e-mail addresses.
8. **Teencode** (``teencode``).  Whole words from ``data/teencode.tsv`` over
   ``underthesea_core``'s table (the project wins; a row whose expansion
   equals its key blocks an ambiguous entry such as ``nc``), case-aware:
   ``'ko bt j'`` -> ``'không biết gì'``, ``'KO'`` -> ``'KHÔNG'``.
9. **Placeholders** (``placeholders``).  URLs, e-mail addresses and phone
   numbers become ``__url__``, ``__email__`` and ``__phone__``.  URLs and
   e-mail addresses are located before step 6, so steps 6-8 never alter them.
10. **Emoji.**  One token per emoji, runs of the same emoji collapsed:
    ``'hay quá😂😂😂'`` -> ``'hay quá 😂'``.
11. **Whitespace.**  Runs of whitespace (including newlines) become a single
    space and the ends are stripped.

Examples
--------
>>> normalize_text("Hoà Bình đẹp quáaaa!!! ko bt j luôn 😂😂")
'Hòa Bình đẹp quáa! không biết gì luôn 😂'
"""

from __future__ import annotations

import re
import threading
import unicodedata
import warnings
from importlib import resources

from vnmisinfo.text.accents import (
    _SYLLABLE_RE,
    _load_underthesea_tables,
    _replace_spans,
    _ToneTables,
    _WordFinder,
    strip_diacritics,
)
from vnmisinfo.text.evasion import (
    _REPEAT_LETTER_RE,
    _TEEN_AFTER,
    _TEEN_BEFORE_CLASS,
    EMAIL_TOKEN,
    PHONE_TOKEN,
    URL_TOKEN,
    WORD_RE,
    Teencode,
    _expand_word,
    _squash,
    _url_hint,
    char_class,
    expand_teencode,
    fold_lookalikes,
    outside_urls,
    replace_phones,
    separate_emoji,
    squash_spaced_and_repeats,
)
from vnmisinfo.text.leet import fold_leet

__all__ = [
    "EMAIL_TOKEN",
    "MAX_CHARS",
    "PHONE_TOKEN",
    "URL_TOKEN",
    "TruncationWarning",
    "not_scored_reason",
    "normalize_text",
    "remove_controls",
    "show_controls",
    "strip_diacritics",
]

MAX_CHARS: int = 100_000
"""Maximum number of characters processed per text (longer input is cut)."""


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


# --- Step 1: coercion (built once at import) ----------------------------------

# Fast path: text made only of these characters needs no coercion, evasion or
# emoji handling (printable ASCII, newline, Latin letters incl. Vietnamese but
# the look-alikes step 4 folds, 'İ ı ǫ', common punctuation, the dong sign).
_UNUSUAL_RE = re.compile(
    "[^\x20-\x7e\n\u00a0-\u00ac\u00ae-\u012f\u0132-\u0137\u0139-\u0184\u0186-\u0198"
    "\u019a-\u01ab\u01ad-\u01ea\u01ec-\u024f\u1ea0-\u1ef9"
    "\u2010-\u2027\u2030-\u205e\u20ab]"
)
_NONCHARS = [c for plane in range(17) for c in (plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF)]
_BAD = "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffd"
_BAD_RE = re.compile("[" + _BAD + char_class(_NONCHARS) + "]")
_BAD_HINT_RE = re.compile("[" + _BAD + char_class(_NONCHARS, astral_gap=0x10000) + "]")
_CTRL_SPACE_RE = re.compile("[\x0b\x0c\r\x1c-\x1f\x85]")


# --- Steps 5 and 8: tables, loaded lazily (importing underthesea takes ~0.5 s) -----

_tables_lock = threading.Lock()
_UTS_TABLES: _ToneTables | None = None
_TEENCODE: _Teencode | None = None


class _Teencode(Teencode):
    """:class:`Teencode` plus a faster search for its keys, in the lower-cased text.

    Regexes of plain literals (:class:`_WordFinder`) are scanned many times
    faster than a trie under IGNORECASE.  Both find the same words unless the
    text holds one of ``outliers``: characters that IGNORECASE folds onto a
    letter of a key but lower() does not (``'ſ'`` for ``s``), and ``'İ'`` and
    ``'Σ'`` (lower-cased into two characters, or by context).  Both boundary
    classes give the same answer for a character under IGNORECASE and for its
    lower case without it (a test checks every code point).
    """

    def __init__(self, entries: dict[str, str]) -> None:
        super().__init__(entries)
        self.finder = _WordFinder(self.table, f"(?<!{_TEEN_BEFORE_CLASS}.)", _TEEN_AFTER)
        letters = "".join(sorted({ch for key in self.table for ch in key}))
        bmp = "".join(map(chr, range(0x10000)))  # nothing above U+FFFF folds onto these
        found = set(re.findall(f"(?i)[{re.escape(letters)}]", bmp)) if letters else set()
        odd = {c for c in found for x in letters if c.lower() != x
               and re.fullmatch("(?i)" + re.escape(x), c)}  # fmt: skip
        self.outliers = "".join(sorted(odd | {"İ", "Σ"}))


def _load_teencode() -> _Teencode:
    """``data/teencode.tsv`` over underthesea_core's teencode table (the project wins)."""
    merged: dict[str, str] = {}
    try:
        from underthesea_core import TextPreprocessor

        extra = getattr(TextPreprocessor(), "teencode", None) or {}
        for key, value in dict(extra).items():
            if isinstance(key, str) and isinstance(value, str) and key.strip() and value.strip():
                merged[unicodedata.normalize("NFC", key.strip().lower())] = unicodedata.normalize(
                    "NFC", value.strip()
                )
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        # The project's own table below still applies; say once, loudly, what is missing.
        warnings.warn(
            f"underthesea_core's teencode table could not be read ({type(exc).__name__}: {exc}); "
            "teencode is expanded with vnmisinfo's own table only, and scores may differ from "
            'the shipped figures. Fix: pip install "underthesea>=6.8".',
            RuntimeWarning, stacklevel=2)
    text = resources.files("vnmisinfo").joinpath("data/teencode.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        key, value = line.split("\t", 1)
        key = unicodedata.normalize("NFC", key.strip().lower())
        merged[key] = unicodedata.normalize("NFC", value.strip())
    return _Teencode(merged)


def _tables() -> tuple[_ToneTables, _Teencode]:
    global _UTS_TABLES, _TEENCODE
    if _UTS_TABLES is None or _TEENCODE is None:
        with _tables_lock:
            if _UTS_TABLES is None:
                _UTS_TABLES = _load_underthesea_tables()
            if _TEENCODE is None:
                _TEENCODE = _load_teencode()
    return _UTS_TABLES, _TEENCODE


# --- Step groups --------------------------------------------------------------


def _capped(text: object) -> str:
    """Check the type and cut to :data:`MAX_CHARS` (step 0)."""
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
            stacklevel=3,  # the caller of normalize_text
        )
        text = text[:MAX_CHARS]
    return text


def remove_controls(text: str) -> str:
    r"""Step 1 of :func:`normalize_text` alone: ``text`` without control characters.

    Lone surrogates, non-characters, U+FFFD and control characters are removed
    (tab and newline are kept); those that separate lines or fields (``\r``,
    ``\v``, ``\f``, U+001C..U+001F, U+0085) become a space.  Case, tone marks
    and everything else stay as they are.

    Examples
    --------
    >>> remove_controls("Tin \x1b[31mnóng\x7f\rcuối\tngày")
    'Tin [31mnóng cuối\tngày'
    """
    if _BAD_HINT_RE.search(text):
        text = _BAD_RE.sub("", text)
    return _CTRL_SPACE_RE.sub(" ", text)


def _clean_characters(
    text: str, tone: _ToneTables, *, evasion: bool, unusual: bool
) -> tuple[str, list[str] | None, bool]:
    """Steps 1-5: coercion, NFC, invisible characters, homoglyphs, tone marks.

    Also returns the words of the text (``WORD_RE.findall(text.lower())``, or
    None), and whether step 5 left the text as it was.
    """
    if unusual:
        text = remove_controls(text)
    if text.isascii():
        return text, None, False
    # Usual characters are NFC, combine with none other, and so stay NFC (a test checks).
    if unusual and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if evasion and unusual:
        text = fold_lookalikes(text)
    toned, words = tone.apply(text)
    return toned, words, toned == text


_PLAIN_WORDS: set[str] = set()  # lower-cased words seen without a letter thrice in a row


def _squash_gates(text: str, words: list[str] | None) -> tuple[bool, bool]:
    """Whether ``text`` may hold a letter thrice in a row, and two one-letter words in a row.

    Both are read off ``words``, ``WORD_RE.findall(text.lower())`` (lower()
    keeps every run of letters but of 'İ' and 'Σ').  A letter run lies inside
    a word, so only words not seen before are searched; spaced letters are
    one-letter words with no letter or digit between them.
    """
    if words is None or "İ" in text or "Σ" in text:
        return True, True
    repeats = False
    if not _PLAIN_WORDS.issuperset(words):
        new = set(words).difference(_PLAIN_WORDS)
        repeats = _REPEAT_LETTER_RE.search("\n".join(new)) is not None
        if not repeats:
            if len(_PLAIN_WORDS) > 50_000:
                _PLAIN_WORDS.clear()
            _PLAIN_WORDS.update(new)
    try:
        return repeats, b"\x01\x01" in bytes(map(len, words))
    except ValueError:  # a word of 256 letters or more
        return repeats, True


def _undo_spacing(
    text: str, tone: _ToneTables, words: list[str] | None, toned: bool
) -> tuple[str, list[str] | None, bool]:
    """Steps 6-7 (then 5) outside URLs, located anew each pass ('x..com' -> 'x.com').

    ``words`` is ``WORD_RE.findall(text.lower())`` (or None) and ``toned`` says
    that step 5 leaves ``text`` as it is.  Returns the text, its words (or
    None), and whether it may hold a URL or e-mail address.
    """
    passes = 4
    if not _url_hint(text):  # one piece, and usually one pass
        letters, spaced = _squash_gates(text, words)
        squashed, fixed, same_words = _squash(text, letters=letters, spaced=spaced)
        if squashed == text:
            return text, words, False
        if same_words and toned:
            # Only marks such as '!' went ('!!!' -> '!'): no word, and nothing next to
            # one, changed, so step 5 still has nothing to change.
            text = squashed
        else:
            text, words = tone.apply(squashed, words if same_words else None)
        if fixed and text == squashed and not _url_hint(text):
            return text, words, False  # a fixed point: the next pass would change nothing
        passes = 3
    for _ in range(passes):  # until URL boundaries and repeats agree
        before, text = text, outside_urls(text, squash_spaced_and_repeats)
        if text == before:
            break
        text = tone.apply(text)[0]  # squashing can create an old-style word ('uuuà')
    return text, None, _url_hint(text)


def _expand_teencode(text: str, teen: _Teencode, words: list[str] | None) -> str:
    """Step 8, as :func:`expand_teencode` does it (``words`` as for :func:`_undo_spacing`)."""
    lowered = text.lower()
    keys = teen.keys & (WORD_RE.findall(lowered) if words is None else words)
    if not keys:
        return text
    if any(ch in text for ch in teen.outliers):
        return expand_teencode(text, teen)
    # The same words, found in the lower-cased text (as long as `text`, without 'İ').
    spans = teen.finder.spans(lowered, {key[0] for key in keys})
    return _replace_spans(text, spans, lambda word: _expand_word(word, teen))


#: A dot between the letters of one word, the next one small ('nư.ớc', 'Gi.ết'); not one
#: of several ('U.S.A', 'v.v.', handled as spelled-out letters) and not before a digit.
_DOTTED_RE = re.compile(r"(?<![\w.])([^\W\d_]+)\.([^\W\d_]+)(?![\w]|\.\w)")
_DOTTED_HINT_RE = re.compile(r"\.(?<=[^\W\d_]\.)(?=[^\W\d_])")  # from the dot: fast


def _join_dotted(text: str) -> str:
    """Join a word salted with a dot when the two pieces make one syllable (step 7b).

    ``'ch.ết'`` -> ``'chết'``, ``'nư.ớc'`` -> ``'nước'``; ``'nước.nếu'`` (a missing space
    after a full stop) is left alone, as ``nướcnếu`` is no syllable, and so is
    ``'vi.rus'``.

    Examples
    --------
    >>> _join_dotted("Uố.ng nư.ớc ch.anh di.ệt vi.rus, uống nước.nếu không")
    'Uống nước chanh diệt vi.rus, uống nước.nếu không'
    """
    if not _DOTTED_HINT_RE.search(text):
        return text

    def join(m: re.Match[str]) -> str:
        word = m.group(1) + m.group(2)
        if not m.group(2)[0].islower() or (len(word) < 3 and word.isascii()):  # 'c.o'-v
            return m.group()
        plain = strip_diacritics(word.lower())
        return word if _SYLLABLE_RE.fullmatch(plain) else m.group()

    return _DOTTED_RE.sub(join, text)


def _teencode_and_phones(
    text: str, teen: _Teencode, words: list[str] | None = None, *, teencode: bool,
    placeholders: bool, tone: _ToneTables | None = None,
) -> str:
    """Steps 8-9 on a piece of text between URLs (``words`` as for :func:`_undo_spacing`).

    With ``tone`` (evasion on), an expansion to a single letter (``uk`` -> ``ừ``) that
    forms a run of spaced letters is joined as steps 6-7 join it in the expanded text
    (``'uk a b'`` reads as ``'ừ a b'`` does), so that a second pass changes nothing.
    """
    if tone is not None:  # evasion on
        joined = _join_dotted(fold_leet(text))
        if joined != text:
            text, words = tone.apply(joined)[0], None
    if teencode:
        expanded = _expand_teencode(text, teen, words)
        if tone is not None and expanded != text and any(
                expanded.count(v) > text.count(v) for v in teen.one_letter):
            squashed = squash_spaced_and_repeats(expanded)
            expanded = tone.apply(squashed)[0] if squashed != expanded else expanded
        text = expanded
    if placeholders:
        text = replace_phones(text)
    return text


# --- Public API ---------------------------------------------------------------


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
    ImportError
        If underthesea's tone tables cannot be imported (first call only).

    Examples
    --------
    >>> normalize_text("Thuỷ điện Hoà Bình xả lũ!!!")
    'Thủy điện Hòa Bình xả lũ!'
    >>> normalize_text("v.i.r.u.s c o r o n a ko có thật, xem tại https://tin-gia.vn/abc")
    'virus corona không có thật, xem tại __url__'
    >>> normalize_text("Gọi 0912 345 678 hoặc mail abc@gmail.com", placeholders=False)
    'Gọi 0912 345 678 hoặc mail abc@gmail.com'
    """
    text = _capped(text)
    if not text:
        return ""
    tone, teen = _tables()
    unusual = _UNUSUAL_RE.search(text) is not None
    text, words, toned = _clean_characters(text, tone, evasion=evasion, unusual=unusual)
    # URLs and e-mails are protected: steps 6-9 only see the text between them.
    if evasion:
        text, words, urls = _undo_spacing(text, tone, words, toned)
    else:
        urls = _url_hint(text)
    again = tone if evasion else None
    if not urls:
        text = _teencode_and_phones(
            text, teen, words, teencode=teencode, placeholders=placeholders, tone=again
        )
    else:
        text = outside_urls(
            text,
            lambda seg: _teencode_and_phones(
                seg, teen, teencode=teencode, placeholders=placeholders, tone=again
            ),
            placeholders=placeholders,
        )
    if unusual:  # 10. emoji
        text = separate_emoji(text)
    # 11. whitespace
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:  # expansions grew the text: cut at the last whole token
        text = text[: MAX_CHARS + 1].rsplit(" ", 1)[0].rstrip()
    return text


_WORDISH_RE = re.compile(r"[^\W_]")


def not_scored_reason(norm: str) -> str | None:
    """Why a normalized text is not scored: ``"empty text"``, ``"no words"`` (only marks or
    emoji, such as ``"!!!"``: nothing a claim is made of), or None when it is scored.

    Examples
    --------
    >>> [not_scored_reason(t) for t in ["", "!!! 😡", "5G", "__url__"]]
    ['empty text', 'no words', None, None]
    """
    if not norm.strip():
        return "empty text"
    return None if _WORDISH_RE.search(norm) else "no words"


_SHOWN_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def show_controls(text: str, *, for_json: bool = False) -> str:
    r"""``text`` safe to print on a terminal: every control character but tab and newline
    (C0, DEL and C1) written as a visible escape, such as ``\x1b``.

    A post can hold escape sequences that clear the screen, recolour the output
    or set the window title; shown through this they read as text, and the
    rest of the text is printed as it is.

    Parameters
    ----------
    text : str
        Text to print, or a line of JSON.
    for_json : bool, default=False
        Write JSON's escape (``\u009b``) instead, for a line of JSON:
        ``json.dumps(..., ensure_ascii=False)`` escapes C0 but writes DEL and
        C1 as they are, and the escaped line reads back as the same value.

    Examples
    --------
    >>> show_controls("Tin \x1b[2Jnóng\x9b31m\tcuối\r\n")
    'Tin \\x1b[2Jnóng\\x9b31m\tcuối\\x0d\n'
    >>> show_controls('"Tin\x9b"', for_json=True)
    '"Tin\\u009b"'
    """
    escape = "\\u{:04x}" if for_json else "\\x{:02x}"
    return _SHOWN_CONTROL_RE.sub(lambda m: escape.format(ord(m.group())), text)
