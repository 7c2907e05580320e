"""The sentence splitter applies underthesea's rules, without its per-character loop."""

from __future__ import annotations

import random
import re

import pytest

from vnmisinfo.text.sentences import _SPELLED, split_sentences

TRICKY = [
    "Giá 1.500.000 đồng. Ngày 15.12.2025 có mưa!",
    "Ở TP. Hồ Chí Minh, ông Nguyễn V. A. nói... không. Thật sao?! Vâng...",
    "Chờ đó... Rồi sao... được không…",
    "a.. b?. c!!! d",
    "Dr. Smith vs. e.g. mr. Bean.   Xong",
    "tp..\tmưa.",
    "...",
    "",
    "Không có dấu câu",
]


def _underthesea(text: str) -> list[str]:
    from underthesea import sent_tokenize

    out = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.extend(s.strip() for s in sent_tokenize(line) if s.strip())
    return out


@pytest.mark.parametrize("text", TRICKY)
def test_same_sentences_as_underthesea(text):
    assert split_sentences(text) == _underthesea(text)


def test_same_sentences_on_random_punctuation():
    """underthesea's sentences, except that a word spelled out with dots is never cut."""
    rng = random.Random(7)
    alphabet = list("ab. ?!.A1 2\t…...TPđ\n")
    spelled = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        ours, theirs = split_sentences(text), _underthesea(text)
        if _SPELLED.search(text) is None:
            assert ours == theirs, repr(text)
        else:  # the same text, cut at fewer places
            spelled += 1
            assert re.sub(r"\s", "", "".join(ours)) == re.sub(r"\s", "", "".join(theirs))
            assert len(ours) <= len(theirs), repr(text)
    assert spelled > 20  # the alphabet spells some out: the exception is exercised


@pytest.mark.parametrize(("text", "expected"), [
    ("U.ố.n.g n.ư.ớ.c c.h.a.n.h diệt v.i.r.u.s corona. Chia sẻ nhé",
     ["U.ố.n.g n.ư.ớ.c c.h.a.n.h diệt v.i.r.u.s corona.", "Chia sẻ nhé"]),
    ("Bệnh nhân N.H.N. (26 tuổi) đã khỏi. Cô Đ.T.K.H về nhà.",
     ["Bệnh nhân N.H.N. (26 tuổi) đã khỏi.", "Cô Đ.T.K.H về nhà."]),
    ("Ông Nguyễn V. A. nói. Ừ.", ["Ông Nguyễn V. A. nói.", "Ừ."]),
], ids=["spelled-out-words", "initials", "two-initials-are-not-a-word"])
def test_a_word_spelled_out_with_dots_is_not_cut(text, expected):
    assert split_sentences(text) == expected
