"""Regex helpers of the normalizer: a word list as a prefix trie, code points as a class.

Examples
--------
>>> trie_pattern(["k", "kg", "ko"])
'k(?:g|o)?'
>>> char_class([0x61, 0x62, 0x63, 0x78])
'a-cx'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["char_class", "trie_pattern"]


def trie_pattern(words: Iterable[str], *, space: str | None = None) -> str:
    """Regex alternation of ``words`` factored as a prefix trie (fast to match).

    Parameters
    ----------
    words : iterable of str
        Literal words.
    space : str, optional
        A pattern each space of a word stands for (any run of blanks, say); None matches a
        space as written.

    Returns
    -------
    str
        A pattern matching exactly those words (``(?!)`` if there are none),
        e.g. ``'k(?:g|o)?'`` for ``k``, ``kg`` and ``ko``.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        optional = "" in node
        branches = [(space if ch == " " and space is not None else re.escape(ch)) + build(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if optional:
            body = (f"(?:{body})" if len(branches) == 1 and len(body) > 1 else body) + "?"
        return body

    return build(trie) or "(?!)"


def char_class(codepoints: Iterable[int], *, astral_gap: int = 1) -> str:
    """Regex character-class body (without brackets) for a set of code points.

    Parameters
    ----------
    codepoints : iterable of int
        Code points; consecutive ones are merged into ranges.
    astral_gap : int, default=1
        Above U+FFFF, also merge code points at most ``astral_gap`` apart.
        Values above 1 give a superset that the regex engine tests much faster
        (it checks ranges beyond U+FFFF one by one): a pre-check for the exact class.

    Returns
    -------
    str
        The text to put between ``[`` and ``]``, e.g. ``'a-cx'`` for a, b, c, x.
    """
    cps = sorted(set(codepoints))
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] - cps[j] <= (astral_gap if cps[j] > 0xFFFF else 1):
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(
            re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        )
        i = j + 1
    return "".join(parts)
