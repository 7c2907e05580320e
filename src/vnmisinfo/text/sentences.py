"""Sentence splitting: lines first, then underthesea's ``sent_tokenize``.

Examples
--------
>>> split_sentences("Một. Hai!\\nBa")
['Một.', 'Hai!', 'Ba']
"""

from __future__ import annotations

__all__ = ["split_sentences"]


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences (lines first, then underthesea's ``sent_tokenize``).

    Parameters
    ----------
    text : str
        Any text; line breaks always end a sentence.

    Returns
    -------
    list of str
        The non-empty sentences, stripped, in order.

    Examples
    --------
    >>> split_sentences("Trời mưa to. Ở nhà nhé!\\nMai đi học.")
    ['Trời mưa to.', 'Ở nhà nhé!', 'Mai đi học.']
    >>> split_sentences("  \\n ")
    []
    """
    from underthesea import sent_tokenize

    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.extend(s.strip() for s in sent_tokenize(line) if s.strip())
    return out
