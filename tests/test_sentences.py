"""The sentence splitter applies underthesea's rules, without its per-character loop."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from vnmisinfo.text.sentences import (
    _WRAPPED,
    _in_word_dots,
    _spaced_before,
    _spelled_dots,
    split_sentences,
)

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


def _cut_less(text: str) -> bool:
    """Whether a rule of ours may keep together what underthesea cuts: a dot that joins the
    letters of a word, a sentence that goes on on the next line."""
    return bool(_spelled_dots(text)[0] or _in_word_dots(text)) or _goes_on(text)


def _cut_more(text: str) -> bool:
    """Whether a rule of ours may cut where underthesea does not: after the last letter of
    a word spelled out with dots or spaces."""
    return bool(_spelled_dots(text)[1]) or any(
        _spaced_before(text, m.start()) for m in re.finditer(r"\.", text))


def test_same_sentences_on_random_punctuation():
    """underthesea's sentences, except where a word is spelled out with dots or spaces or
    cut by a dot, or a sentence goes on on the next line."""
    rng = random.Random(7)
    alphabet = list("ab. ?!.A1 2\t…...TPđ\n")
    same = less = more = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        ours, theirs = split_sentences(text), _underthesea(text)
        if not _cut_less(text) and not _cut_more(text):
            same += 1
            assert ours == theirs, repr(text)
            continue
        # the same text, cut at fewer places unless a spelled-out word ends before a capital
        assert re.sub(r"\s", "", "".join(ours)) == re.sub(r"\s", "", "".join(theirs))
        if not _cut_more(text):
            less += ours != theirs
            assert len(ours) <= len(theirs), repr(text)
        else:
            more += ours != theirs
    assert same > 2000  # most texts fall under none of the exceptions
    assert less > 100 and more > 10  # the alphabet exercises both kinds of exception


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


# -- text the normalizer reads as clean text ------------------------------------------------

ARTICLE = ("Tối qua, người dân một số tỉnh Tây Bắc cảm nhận được rung lắc nhẹ. Viện Vật lý địa "
           "cầu cho biết đó là trận động đất 4 độ, không gây thiệt hại. Ngay sau đó, một bài "
           "đăng lan truyền khẳng định đã có dự báo chính xác ngày xảy ra động đất lớn ở Hà Nội "
           "vào tuần tới. Nhiều người dân ở chung cư cao tầng tỏ ra lo lắng.")


def test_decomposed_text_splits_as_composed_text():
    """In NFD, 'hại' ends in a lone 'i' after a combining mark: read as an initial, it
    kept three sentences together."""
    composed = split_sentences(ARTICLE)
    assert len(composed) == 4
    assert split_sentences(unicodedata.normalize("NFD", ARTICLE)) == composed


def test_combining_marks_belong_to_the_word_before_a_dot():
    """A mark with no composed form ('q̣') is part of the word: the dot after 'q̣i' ends the
    sentence, where the word 'i' would be an initial; a mark after a dot is part of no word
    ('TP' stays an abbreviation)."""
    assert split_sentences("Ông q\u0323i. Tôi đi") == ["Ông q\u0323i.", "Tôi đi"]
    assert split_sentences("Ở v.v.\u0301TP. Hồ Chí Minh") == ["Ở v.v.\u0301TP. Hồ Chí Minh"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Bệnh nhân thiệt hạ\u200di. Ngay sau đó", ["Bệnh nhân thiệt hại.", "Ngay sau đó"]),
    ("Giá v\u200bà\u200bng tăng. Dân mua\u00ad vào.", ["Giá vàng tăng.", "Dân mua vào."]),
    ("Uống\u200bnước\u200bnóng\u200bdiệt.\u200bThật\u200bđó", ["Uống nước nóng diệt.", "Thật đó"]),
    ("Tin\u200b nóng.\u200b\nHà Nội mưa", ["Tin nóng.", "Hà Nội mưa"]),
    ("Nắng ☀\ufe0f. Đi 🚣\u200d♂\ufe0f nhé 1\ufe0f\u20e3‼\ufe0f",
     ["Nắng ☀\ufe0f.", "Đi 🚣\u200d♂\ufe0f nhé 1\ufe0f\u20e3‼\ufe0f"]),
    ("Tin nóng.\u200b\nHết", ["Tin nóng.", "Hết"]),
], ids=["zero-width-joiner", "zero-width-space-and-soft-hyphen", "the-only-separators",
        "line-break-kept", "emoji-sequences-kept", "no-sentence-of-invisible-characters"])
def test_invisible_characters_are_read_as_the_normalizer_reads_them(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("N. g. â. n h. à. n. g Nhà nước sắp đ. ổ. i t. i. ề. n, tiền cũ sẽ m. ấ. t g. i. á trị.",
     ["N. g. â. n h. à. n. g Nhà nước sắp đ. ổ. i t. i. ề. n, tiền cũ sẽ m. ấ. t g. i. á trị."]),
    ("Uống nước chanh diệt v. i. r. u. s. Thật đó", ["Uống nước chanh diệt v. i. r. u. s.",
                                                     "Thật đó"]),
    ("Doanh thu t. ă. n. g. C. ô. n. g ty vui", ["Doanh thu t. ă. n. g.", "C. ô. n. g ty vui"]),
    ("Vắc xin công nghệ m. R. N. A sẽ đổi gen", ["Vắc xin công nghệ m. R. N. A sẽ đổi gen"]),
    ("Người dân xếp hàng m u a. Một số người", ["Người dân xếp hàng m u a.", "Một số người"]),
    ("Tôi ở nhà à ừ a. Một mình", ["Tôi ở nhà à ừ a. Một mình"]),
    ("Ông Nguyễn V. A. nói. Ừ.", ["Ông Nguyễn V. A. nói.", "Ừ."]),
    ("Bà Đ. T. H. (45 tuổi) khỏi bệnh. Về nhà", ["Bà Đ. T. H. (45 tuổi) khỏi bệnh.", "Về nhà"]),
], ids=["dot-space", "ends-before-a-capital", "two-words-in-a-row", "mixed-case-word",
        "spaced-with-blanks", "vowels-are-words", "two-initials", "initials-before-a-bracket"])
def test_letters_spelled_out_with_a_dot_and_a_space(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Uố.ng nư.ớc ch.anh nó.ng di.ệt đư.ợc vi.rus cor.ona. Chia sẻ ngay",
     ["Uố.ng nư.ớc ch.anh nó.ng di.ệt đư.ợc vi.rus cor.ona.", "Chia sẻ ngay"]),
    ("Xong.vậy thôi", ["Xong.vậy thôi"]),
], ids=["dotted-words", "no-space-after-a-dot-before-lower-case"])
def test_a_dot_inside_a_word_does_not_end_a_sentence(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", [
    "Giá 1.000.000 đồng. Ngày 15.12.2025 có mưa!",
    "Lãi suất 12.3 phần trăm. Vâng",
    "TP.HCM mưa to. Hà Nội nắng",
    "Nào là rau, củ, quả v.v. Chợ đông",
    "Xem tại abc.com nhé. Thật sao?",
    "Gửi thư tới ban.bien-tap@bao.vn nhé. Cảm ơn",
    "Nguồn https://tin.vn/bai.viet.html nhé. Hết",
    "Hà Nội.Tối nay mưa",
    "Ông Nguyễn V. A. B. Hùng nói. Ừ.",
], ids=["thousands-and-dates", "decimal", "abbreviation", "etc", "domain", "e-mail", "url",
        "no-space-before-upper-case", "initials"])
def test_ordinary_text_splits_as_underthesea_splits_it(text):
    assert split_sentences(text) == _underthesea(text)
