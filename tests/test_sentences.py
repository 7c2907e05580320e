"""The sentence splitter applies underthesea's rules, without its per-character loop."""

from __future__ import annotations

import random

import pytest

from vnmisinfo.text.sentences import split_sentences

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
    rng = random.Random(7)
    alphabet = list("ab. ?!.A1 2\t…...TPđ\n")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert split_sentences(text) == _underthesea(text), repr(text)
