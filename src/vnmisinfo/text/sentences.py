"""Sentence splitting: lines first, then the rules of underthesea's ``sent_tokenize``.

The text is first read as the normalizer reads it: composed (NFC, so a letter written
as a base letter and combining marks is one character), and without the format
characters the normalizer deletes (zero-width characters, soft hyphen, bidi controls,
...), which would cut a word in two; where they are the text's only word separators they
become spaces.  Those of emoji sequences (``☀\\ufe0f``, ``🚣\\u200d♂``) stay, and so do
line breaks.  The sentences returned are pieces of that text.

A line break ends a sentence, unless the sentence goes on: a line that ends without a
mark (``.?!…:;``) followed, after a single break, by one that begins in lower case is the
same sentence (a claim laid out over short lines, a text wrapped by hand).

underthesea's splitter walks every character of a text in Python.  This one
applies the same rules, and the same abbreviation list (read from
underthesea's own data file), but visits only the ``.``, ``?`` and ``!`` found
by a compiled regex, and does not import the whole toolkit:

- ``?`` and ``!`` end a sentence, with any ``.?!`` that follow them;
- ``.`` ends a sentence unless it sits between two digits (``1.500``) or
  follows a known abbreviation or a single letter (``TP.``, ``a.``; the combining
  marks of a letter belong to its word);
- nor does a ``.`` that joins the letters of a word spelled out to evade filters
  (``U.ố.n.g``, ``v.i.r.u.s``, ``đ. ổ. i``: three letters at least, each followed by a
  dot and at most one space, the same after each; the normalizer joins them).  A
  single letter that ends such a word, or one spelled out with spaces (``m u a.``), is
  no initial unless the word is all capitals (``V. A. B.``): its dot ends a sentence
  before an upper-case letter (``v. i. r. u. s. Thật``).  Two words spelled out with
  ``". "`` in a row are cut where a lower-case letter is followed by an upper-case one
  (``t. ă. n. g. C. ô. n. g``), not after a single letter (``m. R. N. A``);
- nor does a ``.`` inside a word, between two letters with no space on either side
  and a lower-case letter after it (``nư.ớc``, ``vi.rus``), outside a URL or an e-mail
  address (``abc.com`` is cut at its dot, as underthesea cuts it).  This also keeps
  together two sentences written without a space after the dot when the second
  begins in lower case (``Xong.vậy thôi``); before an upper-case letter (``Xong.Vậy``,
  ``TP.HCM``) nothing changes;
- three or more dots end a sentence only before an upper-case letter or the
  end of the text.

Examples
--------
>>> split_sentences("Một. Hai!\\nBa")
['Một.', 'Hai!', 'Ba']
>>> split_sentences("Giá 1.500 đồng ở TP. Hồ Chí Minh... Thật sao?! Vâng")
['Giá 1.500 đồng ở TP. Hồ Chí Minh...', 'Thật sao?!', 'Vâng']
>>> split_sentences("U.ố.n.g n.ư.ớ.c chanh diệt v.i.r.u.s. Thật đó")
['U.ố.n.g n.ư.ớ.c chanh diệt v.i.r.u.s.', 'Thật đó']
>>> split_sentences("Sắp đ. ổ. i t. i. ề. n. Uố.ng nư.ớc ch.anh. Xem abc.com nhé")
['Sắp đ. ổ. i t. i. ề. n.', 'Uố.ng nư.ớc ch.anh.', 'Xem abc.', 'com nhé']
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from functools import lru_cache

from vnmisinfo.text.evasion import (
    _INVISIBLE,
    _INVISIBLE_RE,
    _LETTER,
    _LETTER_RE,
    _SEPARATED_RE,
    _URL_RE,
    _VI_VOWELS,
    MARKS,
    _nfc,
    _url_hint,
)
from vnmisinfo.text.regexes import char_class

__all__ = ["split_sentences"]

_ENDS = re.compile(r"[.?!]")
_DOTS = re.compile(r"\.+")
_END_RUN = re.compile(r"[.?!]*")
_BLANK = re.compile(r"[ \t]*")
_SPACE = re.compile(r"[ \t\n\r]*")
#: A single line break inside a sentence: after no end mark, before a lower-case letter.
_WRAPPED = re.compile(r"(?<=[^\s.?!…:;])[ \t]*(?:\r\n|[\n\r\x85\u2028])[ \t]*(?=[^\W\d_])")
#: The format characters the normalizer deletes (zero-width characters, soft hyphen, bidi
#: controls, variation selectors, tags, ...): a quick test for any (runs: _INVISIBLE_RE).
_FORMAT_HINT = re.compile("[" + char_class(_INVISIBLE, astral_gap=0x10000) + "]")
_WHITESPACE = re.compile(r"\s")
#: The format characters of emoji sequences: the joiner, variation selectors, tags.
_EMOJI_PARTS = re.compile("[\u200d\ufe0e\ufe0f\U000e0020-\U000e007f]+")
#: A word spelled out with dots, a space after each or none (``U.ố.n.g``, ``đ. ổ. i``): the
#: dots inside do not end a sentence.
_SPELLED = re.compile(rf"(?<![^\W_]|[{MARKS}]){_LETTER}"
                      rf"(?:(?:\.{_LETTER}){{2,}}|(?:\. {_LETTER}){{2,}})(?![^\W_]|[{MARKS}])")
_SPELLED_HINT = re.compile(rf"\. ?{_LETTER}\.")
#: A dot between two letters (``nư.ớc``); it does not end a sentence if a lower-case letter
#: follows and it is not in a URL or an e-mail address.
_IN_WORD_DOT = re.compile(
    rf"\.(?:(?<=[^\W\d_]\.)|(?<=[^\W\d_][{MARKS}]\.)|(?<=[^\W\d_][{MARKS}]{{2}}\.))"
    rf"(?=[^\W\d_])")
#: A word spelled out with spaces, searched for right before a dot (``m u a.``); the
#: normalizer joins it unless all its letters are vowels.
_SPACED_RUN = re.compile(rf"(?<![^\W_]|[{MARKS}]){_LETTER}(?:[ \t]+{_LETTER}){{2,}}\Z")

#: Added to the learned list by underthesea itself (``sent_tokenize._load_model``).
_CUSTOM = (
    "g.m.t e.g dr vs 000 mr mrs prof inc tp ts ths th k.l a.w.a.k.e t a.i </i g.w ass u.n.c.l.e "
    "t.e.s.t d.c ve… f.t b.b z.e s.g m.p g.u.y l.c g.i j.f r.r v.i m.h a.s bs c.k aug t.d.q b… "
    "ph j.k e.l o.t s.a"
).split()


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """underthesea's abbreviation list, read from its data file without importing it."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("sentence splitting needs underthesea's abbreviation list; "
                          "install it with: pip install 'underthesea>=6.8'")
    path = Path(list(spec.submodule_search_locations)[0], "pipeline", "sent_tokenize",
                "punkt_params.json")
    try:
        learned = json.loads(path.read_text(encoding="utf-8")).get("abbrev_types", [])
    except (OSError, ValueError) as err:
        raise ImportError(f"cannot read underthesea's abbreviation list at {path}: {err}; "
                          "reinstall underthesea (pip install --force-reinstall underthesea)"
                          ) from err
    return frozenset([*learned, *_CUSTOM, *string.ascii_letters])


def _drop_format(run: re.Match[str]) -> str:
    """Nothing for a run of format characters, unless it joins or styles an emoji: joiners,
    variation selectors and tags after a character that is no letter, mark or space
    (``☀\\ufe0f``, ``‼\\ufe0f``, ``🚣\\u200d♂``), or before the keycap mark
    (``1\\ufe0f\\u20e3``)."""
    text, start, end = run.string, run.start(), run.end()
    if text.startswith("\u20e3", end):
        return run.group()
    if (start and _EMOJI_PARTS.fullmatch(run.group()) and not text[start - 1].isspace()
            and unicodedata.category(text[start - 1])[0] not in "LM"):
        return run.group()
    return ""


def _visible(text: str) -> str:
    """The text composed (NFC) and without format characters, those of emoji aside; where
    they are its only word separators (``Uống\\u200bnước\\u200bnóng\\u200bdiệt``), they
    become spaces, as the normalizer reads them.

    Examples
    --------
    >>> _visible("thiệt hạ\\u200di.\\u200b Ha\\u0323i ☀\\ufe0f") == "thiệt hại. Hại ☀\\ufe0f"
    True
    """
    text = _nfc(text)
    if _FORMAT_HINT.search(text):
        if _WHITESPACE.search(text) is None and _SEPARATED_RE.search(text):
            text = _INVISIBLE_RE.sub(" ", text)
        else:
            text = _nfc(_INVISIBLE_RE.sub(_drop_format, text))
    return text


def _preceding_word(text: str, pos: int) -> str:
    """The letters, digits and dots right before ``pos``, with the combining marks of those
    letters (a mark after a space or a dot belongs to no word)."""
    start = pos - 1
    while start >= 0:
        if text[start].isalnum() or text[start] == ".":
            start -= 1
            continue
        mark = start
        while mark >= 0 and unicodedata.category(text[mark])[0] == "M":
            mark -= 1
        if mark == start or mark < 0 or not text[mark].isalnum():
            break
        start = mark
    return text[start + 1:pos]


def _spelled_dots(text: str) -> tuple[set[int], set[int]]:
    """The dots that join the letters of a word spelled out with dots (``U.ố.n.g``,
    ``đ. ổ. i``), and the positions right after the last letter of each such word (not in
    capitals alone: ``V. A. B`` are initials).

    Words spelled out with ``". "`` in a row make one run; after two letters or more, a
    lower-case letter, ``". "`` and an upper-case letter is where the next word starts
    (``t. ă. n. g. C. ô. n. g``), and that dot may end a sentence (``m. R. N. A`` is one
    word).
    """
    kept: set[int] = set()
    ends: set[int] = set()
    pos = 0
    # A run begins with the letter before a dot the hint finds: only there is it tried.
    while (hint := _SPELLED_HINT.search(text, pos)) is not None:
        first = hint.start() - 1
        while first > pos and unicodedata.category(text[first])[0] == "M":
            first -= 1
        run = _SPELLED.match(text, first) if first >= pos else None
        if run is None:
            pos = hint.start() + 1
            continue
        letters = 0  # before this dot, in the current word
        word = first  # where the current word starts
        dot = hint.start()
        while dot != -1:
            letters += 1
            if (letters >= 2 and text[dot + 1] == " " and text[dot - 1].islower()
                    and text[dot + 2].isupper()):
                ends.add(dot)
                letters, word = 0, dot + 2
            else:
                kept.add(dot)
            dot = text.find(".", dot + 1, run.end())
        last = text[word:run.end()]
        if last.upper() != last:  # capitals alone are initials (``V. A. B.``)
            ends.add(run.end())
        pos = run.end()
    return kept, ends


def _in_word_dots(text: str) -> set[int]:
    """The dots between a letter and a lower-case letter (``nư.ớc``), outside URLs and
    e-mail addresses."""
    inside = [m.start() for m in _IN_WORD_DOT.finditer(text) if text[m.end()].islower()]
    if inside and _url_hint(text):
        spans = [m.span(m.lastgroup or 0) for m in _URL_RE.finditer(" " + text)]
        inside = [p for p in inside if not any(a <= p + 1 < b for a, b in spans)]
    return set(inside)


def _spaced_before(text: str, pos: int) -> bool:
    """Whether a word spelled out with spaces ends at ``pos`` (``m u a``), one the normalizer
    joins (not all vowels: ``à ừ a`` stays), not in capitals alone (``A B C``)."""
    run = _SPACED_RUN.search(text, max(0, pos - 80), pos)
    if run is None or run.group().upper() == run.group():  # capitals alone: initials
        return False
    return not {ch.lower() for ch in _LETTER_RE.findall(run.group())} <= _VI_VOWELS


def _line_sentences(text: str, abbreviations: frozenset[str]) -> list[str]:
    """underthesea's ``sent_tokenize`` of one line, visiting only its punctuation."""
    out: list[str] = []
    start = resume = 0
    n = len(text)
    kept: set[int] = set()  # dots that join the letters of a word
    ends: set[int] = set()  # ends of words spelled out with dots
    if "." in text:
        kept, ends = _spelled_dots(text)
        kept |= _in_word_dots(text)
    for match in _ENDS.finditer(text):
        pos = match.start()
        if pos < resume or pos in kept:
            continue
        if text[pos] == ".":
            dots = _DOTS.match(text, pos).end()  # type: ignore[union-attr]
            if dots - pos >= 3:  # an ellipsis ends a sentence before upper case or the end
                after = _BLANK.match(text, dots).end()  # type: ignore[union-attr]
                if after >= n or text[after].isupper():
                    if text[start:dots].strip():
                        out.append(text[start:dots].strip())
                    start = _SPACE.match(text, dots).end()  # type: ignore[union-attr]
                resume = dots
                continue
            if 0 < pos < n - 1 and text[pos - 1].isdigit() and text[pos + 1].isdigit():
                continue
            word = _preceding_word(text, pos)
            if word and word.lower() in abbreviations:
                # a letter that ends a spelled-out word is no initial before upper case
                after = _BLANK.match(text, dots).end()  # type: ignore[union-attr]
                if not (len(word) == 1 and after < n and text[after].isupper()):
                    continue
                if pos not in ends and not _spaced_before(text, pos):
                    continue
        end = _END_RUN.match(text, pos + 1).end()  # type: ignore[union-attr]
        if text[start:end].strip():
            out.append(text[start:end].strip())
        start = resume = _SPACE.match(text, end).end()  # type: ignore[union-attr]
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences (lines first, then underthesea's rules).

    Parameters
    ----------
    text : str
        Any text; a line break ends a sentence unless the next line goes on with
        it (no end mark before the break, lower case after it).

    Returns
    -------
    list of str
        The non-empty sentences, stripped, in order: pieces of the text composed (NFC)
        and without format characters, those of emoji aside.

    Examples
    --------
    >>> split_sentences("Trời mưa to. Ở nhà nhé!\\nMai đi học.")
    ['Trời mưa to.', 'Ở nhà nhé!', 'Mai đi học.']
    >>> split_sentences(unicodedata.normalize("NFD", "Thiệt hại. Mai đi")) == ["Thiệt hại.",
    ...                                                                     "Mai đi"]
    True
    >>> split_sentences("Ăn tỏi sống\\nmỗi ngày\\ngiúp phòng covid\\nHết dịch\\n\\nrồi")
    ['Ăn tỏi sống mỗi ngày giúp phòng covid', 'Hết dịch', 'rồi']
    >>> split_sentences("  \\n ")
    []
    """
    abbreviations = _abbreviations()
    out: list[str] = []
    text = _visible(text)
    if "\n" in text or "\r" in text or "\x85" in text or "\u2028" in text:
        text = _WRAPPED.sub(lambda m: " " if text[m.end()].islower() else m[0], text)
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.extend(_line_sentences(line, abbreviations))
    return out
