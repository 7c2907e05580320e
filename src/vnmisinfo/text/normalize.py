"""Text normalization for Vietnamese news and social-media posts.

This is the first stage of the pipeline.  :func:`normalize_text` turns one raw
string into a canonical form that later stages (segmentation, features,
matching) can rely on.  It never raises on a ``str``, it keeps the original
letter case, and it is idempotent::

    normalize_text(normalize_text(x)) == normalize_text(x)

Steps 3, 4 and 6-10 are implemented, and specified in detail, in
:mod:`vnmisinfo.text.evasion`.

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
4. **Homoglyphs** (``evasion``).  Full-width, mathematical and circled
   letters become ASCII; Cyrillic/Greek look-alikes become Latin inside Latin
   words (``'соrоnа'`` -> ``'corona'``; ``'Москва'`` stays).
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

import math
import re
import sys
import threading
import unicodedata
import warnings
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from sklearn.base import BaseEstimator, TransformerMixin

from vnmisinfo.text.evasion import (
    EMAIL_TOKEN,
    MARKS,
    PHONE_TOKEN,
    URL_TOKEN,
    WORD_RE,
    Teencode,
    char_class,
    expand_teencode,
    fold_lookalikes,
    outside_urls,
    replace_phones,
    separate_emoji,
    squash_spaced_and_repeats,
    trie_pattern,
)

__all__ = [
    "EMAIL_TOKEN",
    "MAX_CHARS",
    "PHONE_TOKEN",
    "URL_TOKEN",
    "Normalizer",
    "TruncationWarning",
    "normalize_text",
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
# emoji handling (printable ASCII, newline, Latin letters incl. Vietnamese,
# common punctuation, the dong sign).
_UNUSUAL_RE = re.compile(
    "[^\x20-\x7e\n\u00a0-\u00ac\u00ae-\u024f\u1ea0-\u1ef9\u2010-\u2027\u2030-\u205e\u20ab]"
)
_NONCHARS = [c for plane in range(17) for c in (plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF)]
_BAD = "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffd"
_BAD_RE = re.compile("[" + _BAD + char_class(_NONCHARS) + "]")
_BAD_HINT_RE = re.compile("[" + _BAD + char_class(_NONCHARS, astral_gap=0x10000) + "]")
_CTRL_SPACE_RE = re.compile("[\x0b\x0c\r\x1c-\x1f\x85]")


# --- Steps 5 and 8: tables, loaded lazily (importing underthesea takes ~0.5 s) -----

_UTS_MODULE = "underthesea.pipeline.text_normalize.text_normalizer"
_UTS_REQUIREMENT = "underthesea>=6.8"
_WORD_BEFORE = rf"(?<![^\W_]|[{MARKS}])"
_WORD_AFTER = rf"(?![^\W_]|[{MARKS}])"
_tables_lock = threading.Lock()
_UTS_TABLES: _ToneTables | None = None
_TEENCODE: Teencode | None = None


class _ToneTables:
    """underthesea's character map plus a trie regex over its token map."""

    def __init__(self, chars: dict[int, str], tokens: dict[str, str]) -> None:
        self.chars = chars
        self.chars_re = re.compile("[" + char_class(chars) + "]") if chars else None
        self.tokens = tokens
        self.tokens_re = (
            re.compile(_WORD_BEFORE + "(?:" + trie_pattern(tokens) + ")" + _WORD_AFTER)
            if tokens
            else None
        )

    def apply(self, text: str) -> str:
        if self.chars_re is not None and self.chars_re.search(text):
            text = text.translate(self.chars)
        if self.tokens_re is not None and not self.tokens.keys().isdisjoint(WORD_RE.findall(text)):
            tokens = self.tokens
            text = self.tokens_re.sub(lambda m: tokens[m.group()], text)
        return text


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


def _load_teencode() -> Teencode:
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
    return Teencode(merged)


def _tables() -> tuple[_ToneTables, Teencode]:
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


def _clean_characters(text: str, tone: _ToneTables, *, evasion: bool, unusual: bool) -> str:
    """Steps 1-5: coercion, NFC, invisible characters, homoglyphs, tone marks."""
    if unusual:
        if _BAD_HINT_RE.search(text):
            text = _BAD_RE.sub("", text)
        text = _CTRL_SPACE_RE.sub(" ", text)
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if evasion and unusual:
        text = fold_lookalikes(text)
    return tone.apply(text)


def _undo_spacing(text: str, tone: _ToneTables) -> str:
    """Steps 6-7 (then 5) outside URLs, located anew each pass ('x..com' -> 'x.com')."""
    for _ in range(4):  # until URL boundaries and repeats agree
        before, text = text, outside_urls(text, squash_spaced_and_repeats)
        if text == before:
            break
        text = tone.apply(text)  # squashing can create an old-style word ('uuuà')
    return text


def _teencode_and_phones(text: str, teen: Teencode, *, teencode: bool, placeholders: bool) -> str:
    """Steps 8-9 on a piece of text between URLs."""
    if teencode:
        text = expand_teencode(text, teen)
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
    text = _clean_characters(text, tone, evasion=evasion, unusual=unusual)
    # URLs and e-mails are protected: steps 6-9 only see the text between them.
    if evasion:
        text = _undo_spacing(text, tone)
    text = outside_urls(
        text,
        lambda seg: _teencode_and_phones(seg, teen, teencode=teencode, placeholders=placeholders),
        placeholders=placeholders,
    )
    if unusual:  # 10. emoji
        text = separate_emoji(text)
    # 11. whitespace
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:  # expansions grew the text: cut at the last whole token
        text = text[: MAX_CHARS + 1].rsplit(" ", 1)[0].rstrip()
    return text


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
