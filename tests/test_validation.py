"""Input validation at the library boundary: what each kind of bad input gets."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from vnmisinfo.model.features import Preprocessor, as_frame
from vnmisinfo.text.normalize import MAX_CHARS, TruncationWarning
from vnmisinfo.triage import Triage

CLAIM = "Uống nước chanh nóng diệt được virus corona"


# -- containers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("docs", "message"),
    [
        (CLAIM, r"string object received.*\[text\]"),
        (CLAIM.encode(), r"bytes object received.*decode"),
        (bytearray(CLAIM.encode()), r"bytearray object received.*decode"),
        ({"text": CLAIM}, r"single mapping received.*\[\{'text'"),
        (42, r"sequence of str or mappings.*got int"),
        (None, r"sequence of str or mappings.*got NoneType"),
    ],
    ids=["str", "bytes", "bytearray", "mapping", "int", "None"],
)
def test_wrong_container_raises_type_error(fitted_detector, docs, message):
    with pytest.raises(TypeError, match=message):
        Triage(fitted_detector).score(docs)
    with pytest.raises(TypeError, match=message):
        as_frame(docs)


# -- items --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("item", "message"),
    [
        (b"tin gi\xe1\xba\xa3", r"document 2 is bytes; expected str\. Decode it first"),
        (bytearray(b"abc"), r"document 2 is bytearray; expected str\. Decode it first"),
        (7, r"document 2 is int; expected str\. Convert it"),
        (["a", "b"], r"document 2 is list; expected str"),
    ],
    ids=["bytes", "bytearray", "int", "list"],
)
def test_bad_item_raises_type_error_naming_its_index(fitted_detector, item, message):
    with pytest.raises(TypeError, match=message):
        Triage(fitted_detector).score([CLAIM, "Hà Nội nắng", item])


def test_bad_text_inside_a_mapping_names_the_document(fitted_detector):
    with pytest.raises(TypeError, match=r"document 1: text is bytes.*Decode"):
        Triage(fitted_detector).score([{"text": CLAIM}, {"text": b"abc"}])


def test_a_bad_cell_of_a_frame_is_named_by_its_index_label(fitted_detector):
    frame = pd.DataFrame({"text": [CLAIM, "Hà Nội nắng", 2020]}, index=[10, 20, 30])
    with pytest.raises(TypeError, match=r"^the document at index 30: text is int"):
        Triage(fitted_detector).score(frame)
    with pytest.raises(TypeError, match=r"^the document at index 'c' is int"):
        Triage(fitted_detector).score(pd.Series([CLAIM, "Hà Nội", 7], index=["a", "b", "c"]))


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, pd.NA, pd.NaT],
                         ids=["None", "nan", "np.nan", "pd.NA", "pd.NaT"])
def test_missing_text_is_taken_as_empty_text(fitted_detector, missing):
    empty, got = Triage(fitted_detector).score(["", missing])
    assert np.isnan(got["probability"]) and np.isnan(empty["probability"])
    assert got["tier_reason"] == empty["tier_reason"] == "empty text"
    assert got["top_terms"] == empty["top_terms"] == []


def test_missing_text_in_a_frame_is_scored_as_empty_text(fitted_detector):
    frame = pd.DataFrame({"post_message": [None, ""]})
    a, b = fitted_detector.predict_proba(frame)[:, 1]
    assert a == pytest.approx(b)


def test_pandas_missing_values_of_nullable_columns_are_missing(fitted_detector, tmp_path):
    """A frame after convert_dtypes() (``string`` columns, ``pd.NA``) scores as with None."""
    from vnmisinfo.batch import score_frame
    from vnmisinfo.data.review import parse_verdict
    from vnmisinfo.text.transformers import Normalizer

    body = "Mình đọc được là cột 5G phát ra sóng làm yếu hệ miễn dịch nên dịch lan nhanh"
    plain = pd.DataFrame({"title": [None, "Tin nóng"], "text": [body, None]})
    nullable = plain.astype("string")
    assert nullable["title"].isna().tolist() == [True, False]
    model = Triage(fitted_detector)
    want = [r["probability"] for r in model.score(plain)]
    assert [r["probability"] for r in model.score(nullable)] == pytest.approx(want)
    got = score_frame(model, nullable)
    assert got["vnm_score"].tolist() == pytest.approx(
        score_frame(model, plain)["vnm_score"].tolist(), nan_ok=True)
    assert got["vnm_error"].isna().tolist() == [True, False]
    assert got["vnm_error"][1] == "missing text: the title alone scored"  # as model.score does
    assert got["vnm_score"].tolist() == pytest.approx(want, abs=1e-6)
    # what fit reads too: the same canonical frame
    pd.testing.assert_frame_equal(fitted_detector.preprocess(nullable),
                                  fitted_detector.preprocess(plain))
    assert parse_verdict(pd.NA) is None and parse_verdict(" Reliable ") == "reliable"
    assert Normalizer().fit_transform([pd.NA, "ko"]) == ["", "không"]


# -- invalid code points and control characters ------------------------------------------
@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (f"\ud800{CLAIM}", CLAIM),
        (f"{CLAIM}\udfff", CLAIM),
        (f"{CLAIM}\U0010ffff", CLAIM),
        (f"\ufffe{CLAIM}\uffff", CLAIM),
        (f"\x00{CLAIM}\x00", CLAIM),
        (f"\x1b[31m{CLAIM}\x1b[0m", f"[31m{CLAIM}[0m"),
        (f"{CLAIM}\x07\x08", CLAIM),
    ],
    ids=["lone-high-surrogate", "lone-low-surrogate", "noncharacter-10ffff",
         "noncharacter-fffe", "nul", "ansi-escape", "bell-backspace"],
)
def test_invalid_code_points_are_dropped_not_fatal(fitted_detector, dirty, clean):
    dirty_r, clean_r = Triage(fitted_detector).score([dirty, clean])
    assert 0.0 <= dirty_r["probability"] <= 1.0
    assert dirty_r["probability"] == pytest.approx(clean_r["probability"])


def test_only_invalid_code_points_are_taken_as_empty_text(fitted_detector):
    junk, empty = Triage(fitted_detector).score(["\ud800\x00\ufffe\U0010ffff\x1b", ""])
    assert junk["tier_reason"] == empty["tier_reason"] == "empty text"
    assert np.isnan(junk["probability"]) and junk["tier"] is None


def test_surrogate_pair_is_joined_into_its_character():
    frame = as_frame(["vui \ud83d\ude00", "lẻ \ud800"])
    assert frame["text"].tolist() == ["vui \U0001f600", "lẻ \ufffd"]
    pre = Preprocessor(segment=False).transform(frame)
    assert pre["norm"].tolist() == ["vui \U0001f600", "lẻ"]


def test_frame_with_a_lone_surrogate_column_value_is_accepted(fitted_detector):
    frame = pd.DataFrame({"text": pd.Series([f"{CLAIM}\ud800"], dtype=object)})
    (r,) = Triage(fitted_detector).score(frame)
    assert 0.0 <= r["probability"] <= 1.0


# -- size -----------------------------------------------------------------------------------
def test_huge_text_is_truncated_with_one_warning_and_scored(fitted_detector):
    huge = (CLAIM + ". ") * (5_000_000 // (len(CLAIM) + 2))  # about 5 MB of text
    assert len(huge) > 40 * MAX_CHARS
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (r,) = Triage(fitted_detector).score([huge])
    truncations = [w for w in caught if issubclass(w.category, TruncationWarning)]
    assert len(truncations) == 1
    assert f"{len(huge)} characters truncated to MAX_CHARS={MAX_CHARS}" in str(
        truncations[0].message)
    assert 0.0 <= r["probability"] <= 1.0
    assert r["top_terms"]


def test_truncation_warning_is_catchable_with_pytest_warns():
    with pytest.warns(TruncationWarning, match="truncated to MAX_CHARS"):
        pre = Preprocessor(segment=False).transform(["a " * MAX_CHARS])
    assert len(pre.loc[0, "norm"]) <= MAX_CHARS


def test_text_at_the_limit_is_not_truncated():
    text = ("tin giả lan truyền " * MAX_CHARS)[: MAX_CHARS - 1] + "x"
    assert len(text) == MAX_CHARS
    with warnings.catch_warnings():
        warnings.simplefilter("error", TruncationWarning)
        pre = Preprocessor(segment=False).transform([text])
    assert pre.loc[0, "norm"] == text


# -- preprocessed frames -------------------------------------------------------------------
def test_user_frame_with_a_norm_column_is_still_preprocessed(fitted_detector):
    frame = pd.DataFrame({"text": [CLAIM], "norm": ["something else"]})
    pre = Preprocessor(segment=False).transform(frame)
    assert pre.loc[0, "syll"] == CLAIM.lower()
    expected = fitted_detector.predict_proba([CLAIM])[0, 1]
    assert fitted_detector.predict_proba(frame)[0, 1] == pytest.approx(expected)


def test_posting_times_are_read_in_the_forms_dumps_carry_them():
    """Datetimes and ISO strings were read as missing, and milliseconds gave a wrong hour."""
    import datetime as dt

    from vnmisinfo.data.schema import as_frame

    seconds = 1577836800.0  # 2020-01-01 07:00 in Vietnam
    rows = [{"text": "a", "timestamp": v} for v in (
        seconds, seconds * 1000, "2020-01-01T07:00:00", "2020-01-01T00:00:00+00:00",
        pd.Timestamp("2020-01-01 00:00", tz="UTC"), dt.datetime(2020, 1, 1, 7, 0), "hôm qua")]
    got = as_frame(rows)["timestamp"].tolist()
    assert got[:6] == [seconds] * 6 and np.isnan(got[6])


def test_a_count_no_post_can_have_is_read_as_missing_and_cannot_move_the_score():
    """1e308 likes (an overflow, an id in the wrong column) is a data error: the score is the
    one the post gets without that count, as with a negative or non-numeric one."""
    from vnmisinfo.data.schema import MAX_COUNT
    from vnmisinfo.triage import load_model

    frame = as_frame([{"text": CLAIM, "likes": v, "comments": 3} for v in
                      (1e308, MAX_COUNT * 2, -5, "many", MAX_COUNT, 7)])
    assert frame["likes"].isna().tolist() == [True, True, True, True, False, False]
    assert frame["comments"].tolist() == [3.0] * 6
    model = load_model()
    without = model.score([{"text": CLAIM, "comments": 3}])[0]["probability"]
    for value in (1e308, float(2 * MAX_COUNT), -5.0):
        found = model.score([{"text": CLAIM, "likes": value, "comments": 3}])[0]
        assert found["probability"] == without
        assert all(field != "likes" for field, _ in found["context"])


def test_a_number_too_big_for_a_float_is_missing_not_a_crash():
    """A JSON integer of 400 digits raised OverflowError (int too large to convert to float)
    in a count or a time, and ``9...9K`` in rounding an infinity; each is unusable, so
    missing, and the post scores as without it."""
    from vnmisinfo.triage import load_model

    huge = 10**400 - 1
    frame = as_frame([{"text": CLAIM, "likes": huge, "shares": "9" * 400 + "K",
                       "timestamp": huge}])
    assert frame[["likes", "shares", "timestamp"]].isna().all(axis=None)
    model = load_model()
    assert (model.score([{"text": CLAIM, "likes": huge, "timestamp": huge}])[0]["probability"]
            == model.score([CLAIM])[0]["probability"])


@pytest.mark.parametrize(("written", "count"), [
    ("1,2K", 1200.0), ("3.4k", 3400.0), ("2,5 N", 2500.0), ("7 nghìn", 7000.0),
    ("1 Tr", 1e6), ("1.5 triệu", 1.5e6), ("1.234", 1234.0), ("1.234.567", 1234567.0),
    ("12,345", 12345.0), ("12.5", 12.5), ("54 like", math.nan), ("1,2 K lượt", math.nan),
])
def test_counts_written_as_platforms_show_them_are_read(written, count):
    """Vietnamese pages print ``1,2K`` (a comma as decimal mark) and ``1.234`` (dots
    grouping thousands); before, the first was missing and the second read as 1.234."""
    from vnmisinfo.triage import load_model

    found = as_frame([{"text": CLAIM, "likes": written}])["likes"][0]
    assert found == count or (math.isnan(count) and math.isnan(found))
    if not math.isnan(count):
        model = load_model()
        assert (model.score([{"text": CLAIM, "likes": written}])[0]["probability"]
                == model.score([{"text": CLAIM, "likes": count}])[0]["probability"])


def test_a_missing_time_in_a_datetime_column_is_missing_not_a_crash():
    """pandas holds a missing datetime as ``NaT``; ``score`` crashed on it."""
    from vnmisinfo.triage import load_model

    frame = pd.DataFrame({"text": [CLAIM, CLAIM],
                          "timestamp": pd.to_datetime(["2024-03-05 10:00", None])})
    model = load_model()
    found = model.score(frame)
    assert found[1]["probability"] == model.score([CLAIM])[0]["probability"]
    assert found[0]["probability"] == model.score(
        [{"text": CLAIM, "timestamp": "2024-03-05T10:00:00+07:00"}])[0]["probability"]


@pytest.mark.parametrize(("written", "iso"), [
    ("05/03/2024 10:30", "2024-03-05T10:30:00+07:00"),
    ("10:30 05/03/2024", "2024-03-05T10:30:00+07:00"),
    ("5-3-2024 22:05:09", "2024-03-05T22:05:09+07:00"),
    ("2024-03-05", None), ("05/03/2024", None), ("31/02/2024 10:30", None),
])
def test_day_first_times_are_read_and_a_date_alone_is_no_posting_hour(written, iso):
    """Vietnamese pages write the day first; a date without its time said "midnight" to the
    model's posting-hour bins, and now says nothing."""
    from vnmisinfo.triage import load_model

    found = as_frame([{"text": CLAIM, "timestamp": written}])["timestamp"][0]
    if iso is None:
        assert math.isnan(found)
    else:
        assert found == pd.Timestamp(iso).timestamp()
    model = load_model()
    expected = model.score([{"text": CLAIM, "timestamp": iso}] if iso else [CLAIM])
    assert (model.score([{"text": CLAIM, "timestamp": written}])[0]["probability"]
            == expected[0]["probability"])
