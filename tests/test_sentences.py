"""The sentence splitter applies underthesea's rules, without its per-character loop."""

from __future__ import annotations

import random
import re

import pytest

from vnmisinfo.text.sentences import _SPELLED, _WRAPPED, split_sentences

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


def _goes_on(text: str) -> bool:
    """Whether a line of ``text`` goes on on the next one (no end mark, lower case after)."""
    return any(text[m.end()].islower() for m in _WRAPPED.finditer(text))


def test_same_sentences_on_random_punctuation():
    """underthesea's sentences, except that a word spelled out with dots is never cut, nor
    a sentence that goes on on the next line."""
    rng = random.Random(7)
    alphabet = list("ab. ?!.A1 2\t…...TPđ\n")
    spelled = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        ours, theirs = split_sentences(text), _underthesea(text)
        if _SPELLED.search(text) is None and not _goes_on(text):
            assert ours == theirs, repr(text)
        else:  # the same text, cut at fewer places
            spelled += _SPELLED.search(text) is not None
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


@pytest.mark.parametrize(("text", "expected"), [
    ("Ăn tỏi sống\nmỗi ngày\ngiúp phòng chống\ncovid hiệu quả",
     ["Ăn tỏi sống mỗi ngày giúp phòng chống covid hiệu quả"]),
    ("Ăn tỏi sống\u2028mỗi ngày\r\ngiúp phòng covid", ["Ăn tỏi sống mỗi ngày giúp phòng covid"]),
    ("Mua 1 bao gạo. Khi về nhà hạt gạo\nvẫn trắng tinh.", ["Mua 1 bao gạo.",
                                                          "Khi về nhà hạt gạo vẫn trắng tinh."]),
    ("Xong rồi.\nmai gặp", ["Xong rồi.", "mai gặp"]),
    ("TIN NÓNG\nHà Nội mưa to", ["TIN NÓNG", "Hà Nội mưa to"]),
    ("Tiêu đề\n\nnội dung", ["Tiêu đề", "nội dung"]),
    ("- một\n- hai", ["- một", "- hai"]),
], ids=["short-lines", "line-separator-and-crlf", "wrapped-by-hand", "after-an-end-mark",
        "upper-case-after", "blank-line", "list"])
def test_a_sentence_that_goes_on_on_the_next_line_is_one(text, expected):
    assert split_sentences(text) == expected
