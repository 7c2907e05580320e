"""Tests for vnmisinfo.text.leet: digits typed for letters (step 7c of normalization)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vnmisinfo
from vnmisinfo.model.explain import highlight_spans
from vnmisinfo.text.leet import LEET, fold_leet
from vnmisinfo.text.normalize import normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("c0r0na", "corona"),
        ("v1ru5", "virus"),
        ("V4CC1N", "VACCIN"),
        ("C0r0na", "Corona"),
        ("v@ccine", "vaccine"),
        ("kh0ng", "khong"),
        ("d1ệ7", "diệt"),  # the word read back is one syllable
        ("5áng", "sáng"),
        ("5ự 7hật", "sự thật"),
        ("ch14", "chia"),  # two digits side by side: one syllable only
        ("71ền", "tiền"),
        ("G14o", "Giao"),
        ("4nh em", "anh em"),
    ],
)
def test_digits_typed_for_letters_are_read_back(raw: str, expected: str) -> None:
    assert fold_leet(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "H5N1", "H1N1", "h5n1",  # virus names: two letters only
        "F0", "F1", "B1", "5G", "4g", "T7",  # one letter
        "COVID19", "covid19vn", "U23", "N95", "mp3", "ps4", "sp500", "vn30f1m",
        "PM2.5", "10k", "5k", "7h30", "5h30", "1h30", "quận10", "top10", "ngày17",
        "QL1A", "SE3", "H1N", "SW1W",  # codes in capitals
        "IwAR1q", "5oC",  # mixed case: an identifier, a unit
        "t4ghcm",  # four consonants in a row
        "2020", "c00l",
        "liên hệ @user", "a@b",
    ],
)
def test_codes_numbers_and_units_stay(kept: str) -> None:
    assert fold_leet(kept) == kept
    assert normalize_text(kept, placeholders=False) == normalize_text(kept, placeholders=False,
                                                                      evasion=False)


def test_the_mapping_keeps_one_character_per_character() -> None:
    raw = "C0R0NA v4cc1n ch14 5ự 7hật, H5N1"
    assert len(fold_leet(raw)) == len(raw)
    assert set(LEET) == set("013457@")


def test_normalization_reads_leetspeak_and_keeps_urls_and_emails() -> None:
    out = normalize_text("V4cc1n gây vô s1nh!!! xem www.c0r0na.vn hoặc v4c@gmail.com")
    assert out == "Vaccin gây vô sinh! xem __url__ hoặc __email__"
    kept = normalize_text("xem www.c0r0na.vn", placeholders=False)
    assert kept == "xem www.c0r0na.vn"


def test_evasion_off_keeps_leetspeak() -> None:
    assert normalize_text("c0r0na", evasion=False) == "c0r0na"


leety = st.lists(st.sampled_from(list("aeiostnhc0134579@ _.ÁáệựG")), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(leety)
def test_normalization_stays_idempotent_with_digits_among_letters(text: str) -> None:
    out = normalize_text(text)
    assert normalize_text(out) == out
    assert len(fold_leet(text)) == len(text)


def test_a_rumour_in_leetspeak_scores_like_the_rumour() -> None:
    triage = vnmisinfo.load_model()
    clean = "Uống nước chanh nóng diệt virus corona, tiền chia cho ai"
    leet = "Uống nước ch4nh nóng d1ệ7 v1ru5 c0r0na, 71ền ch14 ch0 ai"
    assert normalize_text(leet) == normalize_text(clean)
    p_clean, p_leet = triage.detector.predict_proba([clean, leet])[:, 1]
    assert p_leet == pytest.approx(p_clean, abs=1e-9)


def test_terms_are_drawn_on_words_typed_with_digits() -> None:
    spans = highlight_spans("v4cc1n gây vô s1nh, c0r0na", [("vô sinh", 0.4), ("corona", 0.2)])
    assert spans == [(11, 18, 0.4), (20, 26, 0.2)]
