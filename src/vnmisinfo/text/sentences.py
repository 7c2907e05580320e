"""Sentence splitting: lines first, then the rules of underthesea's ``sent_tokenize``.

A line break ends a sentence, unless the sentence goes on: a line that ends without a
mark (``.?!…:;``) followed, after a single break, by one that begins in lower case is the
same sentence (a claim laid out over short lines, a text wrapped by hand).

underthesea's splitter walks every character of a text in Python.  This one
applies the same rules, and the same abbreviation list (read from
underthesea's own data file), but visits only the ``.``, ``?`` and ``!`` found
by a compiled regex, and does not import the whole toolkit:

- ``?`` and ``!`` end a sentence, with any ``.?!`` that follow them;
- ``.`` ends a sentence unless it sits between two digits (``1.500``) or
  follows a known abbreviation or a single letter (``TP.``, ``a.``), or joins
  the letters of a word spelled out to evade filters (``U.ố.n.g``, ``v.i.r.u.s``:
  three letters at least, the normalizer joins them);
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
"""

from __future__ import annotations

import json
import re
import string
from functools import lru_cache

from vnmisinfo.text.evasion import _LETTER

__all__ = ["split_sentences"]

_ENDS = re.compile(r"[.?!]")
_DOTS = re.compile(r"\.+")
_END_RUN = re.compile(r"[.?!]*")
_BLANK = re.compile(r"[ \t]*")
_SPACE = re.compile(r"[ \t\n\r]*")
#: A single line break inside a sentence: after no end mark, before a lower-case letter.
_WRAPPED = re.compile(r"(?<=[^\s.?!…:;])[ \t]*(?:\r\n|[\n\r\x85\u2028])[ \t]*(?=[^\W\d_])")
#: A word spelled out with dots (``U.ố.n.g``): the dots inside do not end a sentence.
_SPELLED = re.compile(rf"(?<![^\W_]){_LETTER}(?:\.{_LETTER}){{2,}}(?![^\W_])")
_SPELLED_HINT = re.compile(rf"\.{_LETTER}\.")

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


def _preceding_word(text: str, pos: int) -> str:
    start = pos - 1
    while start >= 0 and (text[start].isalnum() or text[start] == "."):
        start -= 1
    return text[start + 1:pos]


def _line_sentences(text: str, abbreviations: frozenset[str]) -> list[str]:
    """underthesea's ``sent_tokenize`` of one line, visiting only its punctuation."""
    out: list[str] = []
    start = resume = 0
    n = len(text)
    spelled = ({m.start() + i for m in _SPELLED.finditer(text)
                for i, ch in enumerate(m.group()) if ch == "."}
               if _SPELLED_HINT.search(text) else set())
    for match in _ENDS.finditer(text):
        pos = match.start()
        if pos < resume or pos in spelled:
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
        The non-empty sentences, stripped, in order.

    Examples
    --------
    >>> split_sentences("Trời mưa to. Ở nhà nhé!\\nMai đi học.")
    ['Trời mưa to.', 'Ở nhà nhé!', 'Mai đi học.']
    >>> split_sentences("Ăn tỏi sống\\nmỗi ngày\\ngiúp phòng covid\\nHết dịch\\n\\nrồi")
    ['Ăn tỏi sống mỗi ngày giúp phòng covid', 'Hết dịch', 'rồi']
    >>> split_sentences("  \\n ")
    []
    """
    abbreviations = _abbreviations()
    out: list[str] = []
    if "\n" in text or "\r" in text or "\x85" in text or "\u2028" in text:
        text = _WRAPPED.sub(lambda m: " " if text[m.end()].islower() else m[0], text)
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.extend(_line_sentences(line, abbreviations))
    return out
