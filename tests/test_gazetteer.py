"""The gazetteer: name lists compiled into one regex, canonical names out."""

from __future__ import annotations

import unicodedata

import pytest

from vnmisinfo.text.gazetteer import Gazetteer

GAZ = Gazetteer.default()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Bộ Y tế cảnh báo người dân Hà Nội.",
                     [("Bộ Y tế", "ORG"), ("Hà Nội", "LOC")], id="diacritics"),
        pytest.param("Bo Y te canh bao nguoi dan Ha Noi",
                     [("Bộ Y tế", "ORG"), ("Hà Nội", "LOC")], id="accent-free"),
        pytest.param("bo y te canh bao nguoi dan ha noi",
                     [("Bộ Y tế", "ORG"), ("Hà Nội", "LOC")], id="accent-free-lowercase"),
        pytest.param("Dân TP.HCM, TP HCM, tp hcm và Sài Gòn", [("TP. Hồ Chí Minh", "LOC")],
                     id="variants-to-canonical"),
        pytest.param("Hoa Kỳ và Mỹ", [("Mỹ", "LOC")], id="synonym"),
        pytest.param("Thanh Hoá và Thừa Thiên Huế", [("Thanh Hóa", "LOC"), ("Huế", "LOC")],
                     id="old-tone-marks"),
        pytest.param("Bà Rịa-Vũng Tàu", [("Bà Rịa - Vũng Tàu", "LOC")], id="dash-spelling"),
        pytest.param("Bộ GD&ĐT thông báo", [("Bộ Giáo dục và Đào tạo", "ORG")], id="abbreviation"),
    ],
)
def test_names_are_found_under_their_canonical_form(text, expected):
    assert GAZ.entities(text) == expected


def test_longest_match_wins():
    found = GAZ.entities("Bộ Giáo dục và Đào tạo chưa ra thông báo")
    assert found == [("Bộ Giáo dục và Đào tạo", "ORG")]
    nhnn = GAZ.entities("Ngân hàng Nhà nước Việt Nam lên tiếng")
    assert nhnn == [("Ngân hàng Nhà nước Việt Nam", "ORG")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Hà Nội, ngày 1/7", [("Hà Nội", "LOC")], id="before-comma"),
        pytest.param("(Hà Nội)", [("Hà Nội", "LOC")], id="in-brackets"),
        pytest.param("XHà Nội", [], id="inside-word-left"),
        pytest.param("Hà Nộii", [], id="inside-word-right"),
        pytest.param("WHOO và EVNx", [], id="acronym-inside-word"),
    ],
)
def test_word_boundaries(text, expected):
    assert GAZ.entities(text) == expected


def test_a_name_inside_a_longer_name_is_not_reported():
    gaz = GAZ.with_names({"Nam": "LOC"})
    assert gaz.entities("Việt Nam") == [("Việt Nam", "LOC")]
    assert gaz.entities("miền Nam") == [("Nam", "LOC")]


def test_lowercase_text_with_diacritics_is_not_a_name():
    # hòa bình (peace) is not Hòa Bình (the province); tuổi trẻ (youth) is not the paper.
    assert GAZ.entities("mong hòa bình, tuổi trẻ là vàng") == []
    assert GAZ.entities("mong hoa binh, tuoi tre la vang") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Nguyễn Đức Anh sống ở Mỹ", [("Mỹ", "LOC")], id="given-names"),
        pytest.param("chị Nga bay sang Nga", [("Nga", "LOC")], id="after-kinship-term"),
        pytest.param("Anh ấy nói Anh và Pháp đã ký", [("Anh", "LOC"), ("Pháp", "LOC")],
                     id="pronoun-at-sentence-start"),
        pytest.param("Người Mỹ nói", [("Mỹ", "LOC")], id="after-sentence-initial-word"),
    ],
)
def test_short_names_that_are_also_given_names(text, expected):
    assert GAZ.entities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ông Nguyễn Văn Hùng cho biết", [("Nguyễn Văn Hùng", "PER")], id="ong"),
        pytest.param("Theo PGS.TS Trần Thị Lan,", [("Trần Thị Lan", "PER")], id="pgs-ts"),
        pytest.param("bác sĩ Phạm Thị Thu Hà nói", [("Phạm Thị Thu Hà", "PER")], id="four"),
        pytest.param("chi Nguyen Thi Hoa o Can Tho",
                     [("Nguyen Thi Hoa", "PER"), ("Cần Thơ", "LOC")], id="accent-free"),
        pytest.param("anh Tuấn nói", [], id="one-syllable-is-not-enough"),
        pytest.param("tỷ phú Bill Gates", [("Bill Gates", "PER")], id="known-person"),
        pytest.param("ở Bà Rịa Vũng Tàu", [("Bà Rịa - Vũng Tàu", "LOC")], id="not-a-lady"),
    ],
)
def test_titled_persons(text, expected):
    assert GAZ.entities(text) == expected


def test_unique_in_order_of_first_appearance():
    text = "Hà Nội, WHO, Hà Nội, Bộ Y tế, WHO"
    assert GAZ.entities(text) == [("Hà Nội", "LOC"), ("WHO", "ORG"), ("Bộ Y tế", "ORG")]


def test_nfd_input_matches():
    assert GAZ.entities(unicodedata.normalize("NFD", "Hà Nội")) == [("Hà Nội", "LOC")]


def test_extra_names():
    gaz = GAZ.with_names({"Hang Én": "LOC", "Hà Nội": "ORG", "Cục Viễn thông": "ORG"})
    text = "Hang Én, Cục Viễn thông, Hà Nội, hang en"
    assert gaz.entities(text) == [("Hang Én", "LOC"), ("Cục Viễn thông", "ORG"),
                                  ("Hà Nội", "LOC")]
    assert GAZ.entities("Hang Én") == [], "with_names must not change the original"


def test_extra_name_of_unknown_type_is_rejected():
    with pytest.raises(ValueError, match="must be one of PER, LOC, ORG"):
        GAZ.with_names({"Luật Căn cước": "LAW"})


def test_alias_to_unknown_name_is_rejected():
    with pytest.raises(ValueError, match="not among the names"):
        Gazetteer({"Huế": "LOC"}, aliases={"Sài Gòn": "TP. Hồ Chí Minh"})


def test_bad_tsv_line_is_rejected():
    with pytest.raises(ValueError, match="line 2 must be name<TAB>type"):
        Gazetteer.from_tsv("Huế\tLOC\nHà Nội LOC\n")


def test_entities_many_matches_one_by_one():
    texts = ["Viettel ở Hà Nội", "", "Bo Cong an canh bao", "Bộ Y tế và WHO"]
    assert GAZ.entities_many(texts) == [GAZ.entities(t) for t in texts]


@pytest.mark.parametrize("bad", [None, 3, b"Ha Noi"])
def test_entities_rejects_non_str(bad):
    with pytest.raises(TypeError, match="expects a str"):
        GAZ.entities(bad)


def test_entities_many_rejects_a_single_str():
    with pytest.raises(TypeError, match="Iterable over texts expected"):
        GAZ.entities_many("Hà Nội")


def test_default_is_cached_and_covers_the_provinces():
    assert Gazetteer.default() is GAZ
    provinces = ["An Giang", "Bắc Kạn", "Đắk Lắk", "Kon Tum", "Yên Bái", "Cà Mau", "Huế"]
    assert all(GAZ.names[p] == "LOC" for p in provinces)


@pytest.mark.parametrize("text", ["người dân Vıet Nam", "người dân VİET NAM"])
def test_dotless_and_dotted_i_read_as_i(text):
    # the pattern is case-blind, so 'ı' and 'İ' match 'i'; the lookup must follow, not fail
    assert GAZ.entities(text) == [("Việt Nam", "LOC")]


def test_names_of_several_words_are_found_in_capitals():
    """Posts that shout ('THÔNG BÁO KHẨN: BỘ Y TẾ ...') named no entity."""
    text = "THÔNG BÁO KHẨN: BỘ Y TẾ yêu cầu người dân HÀ NỘI và TP. HỒ CHÍ MINH ở nhà"
    assert GAZ.entities(text) == [("Bộ Y tế", "ORG"), ("Hà Nội", "LOC"),
                                  ("TP. Hồ Chí Minh", "LOC")]
    assert GAZ.entities("ANH ƠI, NAM ĐÂU RỒI") == []  # one short word in capitals stays a word
