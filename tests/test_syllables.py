"""Tests for vnmisinfo.text.syllables: runs of syllables written without spaces."""

from __future__ import annotations

import pytest

from vnmisinfo.text import syllables
from vnmisinfo.text.syllables import SYLLABLE_RE, split_glued


@pytest.mark.parametrize("plain", ["a", "y", "uong", "nuoc", "nghieng", "khuyu", "quyet",
                                   "giuong", "thuong", "oai", "chanh"])
def test_syllables_of_vietnamese(plain: str) -> None:
    assert SYLLABLE_RE.fullmatch(plain)


@pytest.mark.parametrize("plain", ["yt", "aa", "ea", "see", "stay", "fo", "hsni",
                                   "ngayt", "thei"])
def test_shapes_that_are_no_syllable(plain: str) -> None:
    assert SYLLABLE_RE.fullmatch(plain) is None


@pytest.mark.parametrize(("glued", "words"), [
    ("uongnuocchanhnong", "uong nuoc chanh nong"),
    ("tiêmvắcxin", "tiêm vắc xin"),
    ("nướcuống", "nước uống"),  # not 'nướ cuống': 'nướ' is no syllable with its marks
    ("luậtanninh", "luật an ninh"),
    ("chungtanhatdinhphaithang", "chung ta nhat dinh phai thang"),  # a word of the list
    ("chúcmừngngườianhem", "chúc mừng người anh em"),
    ("hanoi", "ha noi"),  # the more usual syllables
    ("khaibaoyte", "khai bao y te"),
    ("viruscorona", "virus corona"),  # borrowed words are one piece
    ("Uongnuocchanh", "Uong nuoc chanh"),  # pieces as written
])
def test_a_run_is_cut_into_its_syllables(glued: str, words: str) -> None:
    assert split_glued(glued) == words.split()


@pytest.mark.parametrize("kept", [
    "stayhome", "toptrending", "socialdistancing",  # English
    "beatthachha",  # three pieces or more without marks need one word of the list
    "covid", "corona", "nghèo",  # one piece: nothing to cut
    "abc", "covid19", "thpt",  # too short, a digit, no vowel
])
def test_what_is_not_a_run_of_syllables_is_kept(kept: str) -> None:
    assert split_glued(kept) is None


def test_without_the_word_list_the_shape_alone_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syllables, "_lexicon", lambda: None)
    assert split_glued("nuocchanh") == ["nuoc", "chanh"]
    assert split_glued("stayhome") is None  # 'st' starts no syllable


def test_the_word_list_is_underthesea_s() -> None:
    lexicon = syllables._lexicon()
    assert lexicon is not None
    assert {"nước", "uống"} <= lexicon.marked and {"nuoc", "uong"} <= lexicon.plain
    assert all(pair in lexicon.pairs for pair in ("anh em", "người yêu", "nguoi yeu"))
    assert "tan ninh" not in lexicon.pairs  # not from names (Tân Ninh)
    assert "xin vắc" not in lexicon.pairs and len(lexicon.pairs) > 100_000


def test_a_run_longer_than_a_hashtag_is_kept_whole() -> None:
    run = "uongnuocchanhnong" * 5  # 85 letters of syllables
    assert len(run) > syllables.MAX_LETTERS and split_glued(run) is None
    assert split_glued(run[:syllables.MAX_LETTERS - 5]) is not None
