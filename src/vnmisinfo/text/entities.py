"""Named entities: people, places and organisations, from underthesea's ``ner``.

Examples
--------
>>> ("Hà Nội", "LOC") in entities("Người dân Hà Nội đi tiêm vắc xin.")
True
"""

from __future__ import annotations

from vnmisinfo.text.normalize import normalize_text
from vnmisinfo.text.sentences import split_sentences

__all__ = ["ENTITY_TYPES", "entities"]

#: The entity types returned: people, places, organisations.
ENTITY_TYPES = ("PER", "LOC", "ORG")


def entities(text: str) -> list[tuple[str, str]]:
    """Named people, places and organisations in a text (underthesea ``ner``).

    The text is normalized and split into sentences; ``B-``/``I-`` tagged
    words are merged into spans.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of (str, str)
        Each distinct ``(name, type)``, type one of :data:`ENTITY_TYPES`, once,
        in order of appearance.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> ("Hà Nội", "LOC") in entities("Người dân Hà Nội đi tiêm vắc xin.")
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"entities expects a str; got {type(text).__name__}.")
    from underthesea import ner

    out: list[tuple[str, str]] = []
    for sentence in split_sentences(normalize_text(text, placeholders=False)):
        current: list[str] = []
        kind = ""
        for token in [*ner(sentence), ("", "", "", "O")]:
            word, tag = token[0], token[-1]
            if tag.startswith("I-") and current and tag[2:] == kind:
                current.append(word)
                continue
            if current and kind in ENTITY_TYPES:
                span = (" ".join(current), kind)
                if span not in out:
                    out.append(span)
            current, kind = ([word], tag[2:]) if tag[:2] in ("B-", "I-") else ([], "")
    return out
