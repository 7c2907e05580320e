"""Tone marks put back into text typed without them (vnmisinfo.text.marks)."""

from __future__ import annotations

import gzip

import pytest
from sklearn.base import clone

from vnmisinfo.model.detector import Detector
from vnmisinfo.model.features import Preprocessor
from vnmisinfo.text.accents import diacritic_share, strip_diacritics
from vnmisinfo.text.marks import (
    MarkRestorer,
    count_words,
    restore_unaccented,
    shipped_restorer,
    write_tables,
)

TOY = ["trời mưa to", "mưa to quá", "mua rau", "đi mua rau", "mua rau ở chợ"]


def test_the_context_chooses_between_readings_of_one_unmarked_word():
    r = MarkRestorer.from_texts(TOY)
    # "mua" is "mưa" after "trời" and "mua" before "rau"
    assert r.restore("troi mua to") == "trời mưa to"
    assert r.restore("di mua rau o cho") == "đi mua rau ở chợ"


def test_case_punctuation_and_unknown_words_are_kept():
    r = MarkRestorer.from_texts(TOY)
    assert r.restore("TROI MUA TO!!! Di mua rau, covid 19") == "TRỜI MƯA TO!!! Đi mua rau, covid 19"
    assert r.restore("") == ""
    assert r.restore("... !!!") == "... !!!"


def test_a_marked_word_among_unmarked_ones_stays_as_written():
    r = MarkRestorer.from_texts(TOY)
    assert r.restore("trời mua to") == "trời mưa to"


def test_tables_written_and_read_back_restore_the_same(tmp_path):
    r = MarkRestorer.from_texts(TOY)
    path = write_tables(tmp_path / "marks.tsv.gz", count_words(TOY))
    again = write_tables(tmp_path / "again.tsv.gz", count_words(TOY))
    assert path.read_bytes() == again.read_bytes()  # the same counts, the same file
    back = MarkRestorer.read(gzip.decompress(path.read_bytes()).decode("utf-8").splitlines())
    assert back.restore("troi mua to, di mua rau") == r.restore("troi mua to, di mua rau")


def test_a_weight_outside_0_1_is_refused():
    with pytest.raises(ValueError, match="weight must be between 0 and 1"):
        MarkRestorer({"a": 1}, {}, weight=1.0)


def test_the_shipped_tables_read_back_a_common_sentence():
    typed = "Bo Y te khuyen cao nguoi dan rua tay thuong xuyen"
    assert shipped_restorer().restore(typed) == "Bộ Y tế khuyến cáo người dân rửa tay thường xuyên"


def test_only_unmarked_vietnamese_is_changed():
    marked = "Hà Nội hôm nay mưa to, người dân hạn chế ra đường"
    english = "The ministry of health says the rumour is false"
    typed = strip_diacritics(marked)
    out = restore_unaccented([marked, english, typed, ""])
    assert out[0] is marked and out[1] is english and out[3] == ""
    assert diacritic_share(out[2]) > 0.2 and strip_diacritics(out[2]) == typed


def test_decomposed_text_with_its_marks_is_left_as_it_is():
    import unicodedata

    marked = "Hà Nội hôm nay mưa to, người dân hạn chế ra đường"
    decomposed = unicodedata.normalize("NFD", marked)
    assert restore_unaccented([decomposed]) == [decomposed]


def test_the_preprocessor_restores_before_the_views_are_made():
    typed = "Bo Y te khuyen cao nguoi dan rua tay thuong xuyen"
    on = Preprocessor(segment=False, restore=True).transform([typed])
    off = Preprocessor(segment=False).transform([typed])
    assert on.loc[0, "syll"] == "bộ y tế khuyến cáo người dân rửa tay thường xuyên"
    assert off.loc[0, "syll"] == typed.lower()
    assert on.loc[0, "plain"] == off.loc[0, "plain"]  # the accent-free view is the same


def test_the_detector_parameter_follows_the_estimator_contract():
    det = Detector(restore_marks=True)
    assert det.get_params()["restore_marks"] is True
    assert clone(det).restore_marks is True
    assert det.preprocess(["uong nuoc chanh diet virus corona"]).loc[0, "norm"] != (
        Detector().preprocess(["uong nuoc chanh diet virus corona"]).loc[0, "norm"])


def test_a_model_saved_before_the_parameter_existed_loads_without_it():
    old = Detector.__new__(Detector)
    state = Detector().__getstate__()
    del state["restore_marks"]
    old.__setstate__(state)
    assert old.get_params()["restore_marks"] is False
