"""Tests for vnmisinfo.text.normalize."""

from __future__ import annotations

import random
import re
import sys
import types
import unicodedata
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnmisinfo.text import accents, evasion
from vnmisinfo.text import normalize as normalize_module
from vnmisinfo.text.normalize import (
    MAX_CHARS,
    TruncationWarning,
    _load_underthesea_tables,
    _tables,
    normalize_text,
    show_controls,
    strip_diacritics,
)
from vnmisinfo.text.transformers import Normalizer, Tokenizer

ZERO_WIDTH = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff\U000e0000-\U000e007f]"
)


def case(raw: str, expected: str, id: str):  # noqa: A002 - mirrors pytest.param
    return pytest.param(raw, expected, id=id)


# --- steps 1-2: coercion and NFC -------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("ho\u0300a bi\u0300nh", "hòa bình", "nfd-to-nfc"),
        case(unicodedata.normalize("NFD", "Việt Nam"), "Việt Nam", "nfd-stacked-marks"),
        case("tin\x00 giả\x07", "tin giả", "control-chars-removed"),
        case("dòng 1\r\ndòng 2\x0cdòng 3", "dòng 1 dòng 2 dòng 3", "line-separators-become-space"),
        case("a\ud800b\udfff", "ab", "lone-surrogates-removed"),
        case("x\ufffe\ufdd0y\ufffd", "xy", "non-characters-removed"),
        case("tin\tgiả\nthật", "tin giả thật", "tab-newline-become-space"),
    ],
)
def test_coerce_and_nfc(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# --- step 3: invisible characters
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("co\u200bro\u200bna", "corona", "zero-width-space"),
        case("vac\u200cxin\u200d", "vacxin", "zwnj-zwj"),
        case("\ufeffvắc\u2060xin", "vắcxin", "bom-word-joiner"),
        case("tin\u00adgiả", "tingiả", "soft-hyphen"),
        case("ma\u180esk", "mask", "mongolian-vowel-separator"),
        case("lừa\u202eđảo", "lừađảo", "bidi-override"),
        case("a\U000e0041b", "ab", "tag-character"),
        case("a\U000e0000b", "ab", "unassigned-tag-block"),
        case("c\u0336o\u0336r\u0336o\u0336n\u0336a\u0336 lây", "corona lây", "strikethrough"),
        case("v\u0332ắ\u0332c\u0332 x\u0332i\u0332n\u0332", "vắc xin", "underline"),
        case("c\u0334\u0321o\u0337r\u0338o\u035c\u0361n", "coron", "zalgo-marks"),
        case("ha\u0323i ho\u0300a", "hại hòa", "vietnamese-marks-kept"),
    ],
)
def test_invisible_characters(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_a_keycap_emoji_keeps_its_enclosing_mark() -> None:
    assert normalize_text("1\ufe0f\u20e3 tin") == "1\u20e3 tin"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("Uống\u3164nước\uffa0nóng\u115fdiệt", "Uống nước nóng diệt", "hangul-fillers"),
        case("Hà\u2800Nội", "Hà Nội", "braille-blank"),
        case("c\u2800o\u2800v\u2800i\u2800d đ\u2800ể", "covid để", "blank-spaced-letters"),
        case("v\u3164i\u3164r\u3164u\u3164s\u3164 \u3164c\u3164o", "virus co",
             "blank-spaced-words"),
        case("Uống\u200bnước\u200bnóng\u2060diệt\u200bvirus", "Uống nước nóng diệt virus",
             "format-chars-as-the-only-separators"),
        case("co\u200bro\u200bna virus", "corona virus", "format-chars-inside-a-word"),
    ],
)
def test_blanks_and_separating_invisible_characters_are_spaces(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_blank_separators_do_not_blind_the_shipped_model() -> None:
    from vnmisinfo import load_model

    claim = "Uống nước nóng diệt được virus corona"
    plain, *disguised = load_model().score(
        [claim] + [claim.replace(" ", sep) for sep in ("\u3164", "\u2800", "\u200b")])
    for result in disguised:
        assert result["probability"] == pytest.approx(plain["probability"])
        assert result["narrative_id"] == plain["narrative_id"] == "health-001"


# --- step 4: homoglyphs
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("\u0441\u043er\u043en\u0430", "corona", "cyrillic-in-latin-word"),
        case("\u0441ovid", "covid", "cyrillic-c"),
        case("ｃｏｖｉｄ", "covid", "full-width"),
        case("ＣＯＶＩＤ－１９", "COVID-19", "full-width-upper-digits"),
        case("𝐜𝐨𝐯𝐢𝐝", "covid", "math-bold"),
        case("v\u0430\u0441xin", "vacxin", "cyrillic-a-c"),
        case("\u0391\u0399 model", "AI model", "greek-lookalike-word-in-latin-text"),
        case("\u0392ig news", "Big news", "greek-beta"),
        case("t\u043e\u0301i", "tói", "cyrillic-o-plus-acute-recomposes"),
        case("Москва", "Москва", "russian-kept"),
        case("Москвa", "Москвa", "russian-with-latin-a-kept"),
        case("тнoạι, cắм, вà", "thoại, cắm, bà", "cyrillic-small-capital-lookalikes"),
        case("тhoai", "thoai", "small-capital-lookalike-in-a-latin-run"),
        case("ƙhi Ƭrunց ᵭơn ĸhỏi ƅắn tɾả ρɦáo", "khi Trung đơn khỏi bắn trả pháo", "latin-hooks"),
        case("Война с COVID-19: Какие суммы", "Война с COVID-19: Какие суммы", "russian-text-kept"),
        case("Ο Παπαδόπουλος", "Ο Παπαδόπουλος", "greek-kept"),
    ],
)
def test_homoglyphs(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("ᴄᴏʀᴏɴᴀ", "corona", "small-capitals"),
        case("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz", "small-capitals-a-z"),
        case("ᵛᶦʳᵘˢ ᶜᵒʳᵒⁿᵃ", "virus corona", "superscript"),
        case("ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ", "ABDEGHIJKLMNOPRTUVW", "superscript-capitals"),
        case("ʰʲʳʷʸˡˢˣ ᵅᶢᶥᶫᶰᶸ", "hjrwylsx agilnu", "modifier-letters"),
        case("ₐₑₒₓₕₖₗₘₙₚₛₜᵢᵣᵤᵥⱼ", "aeoxhklmnpstiruvj", "subscript"),
        case("🄲🄾🅁🄾🄽🄰", "CORONA", "squared"),
        case("🅒🅞🅡🅞🅝🅐", "CORONA", "negative-circled"),
        case("🅲🅾🆁🅾🅽🅰", "CORONA", "negative-squared"),
        case("🅰\ufe0f🅱\ufe0f🅾\ufe0f", "ABO", "negative-squared-emoji-presentation"),
        case("⒞⒪⒭⒪⒩⒜", "corona", "parenthesized"),
        case("vırus İnternet ɡɑɩ", "virus Internet gai", "latin-lookalikes"),
        case("cօrօnɑ ոhà հս", "corona nhà hu", "armenian-lookalikes-in-latin-text"),
        case("ɴᴏ\u0301ɴɢ ᴅɪᴇ\u0302\u0323ᴛ ᴠı\u0300", "nóng diệt vì", "marks-after-fancy-letters"),
        case("🄽🄾\u0301🄽🄶", "NÓNG", "marks-after-squared-letters"),
        case("vào Լợі", "vào Lợi", "armenian-and-cyrillic-in-a-word"),
        case("Հայաստան", "Հայաստան", "armenian-word-kept"),
        case("🇻🇳", "🇻🇳", "flag"),
        case("Tự hào 🇻🇳 Việt Nam🇻🇳🇻🇳", "Tự hào 🇻🇳 Việt Nam 🇻🇳", "flag-in-text"),
    ],
)
def test_fancy_letters(raw: str, expected: str) -> None:
    out = normalize_text(raw)
    assert out == expected
    assert normalize_text(out) == out


#: Letters a-z in each family (a Latin letter where the family has none).
FANCY_LOWER = {
    "small-capitals": "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ",
    "superscript": "ᵃᵇᶜᵈᵉᶠᵍʰᶦʲᵏˡᵐⁿᵒᵖqʳˢᵗᵘᵛʷˣʸᶻ",
    "subscript": "ₐbcdₑfgₕᵢⱼₖₗₘₙₒₚqᵣₛₜᵤᵥwₓyz",
    "parenthesized": "".join(map(chr, range(0x249C, 0x249C + 26))),
    "latin-lookalikes": "ɑbcdefɡհıjklmոօpqrstսvwxyz",
}
#: Letters A-Z in each family of capitals.
FANCY_UPPER = {
    "squared": "".join(map(chr, range(0x1F130, 0x1F130 + 26))),
    "negative-circled": "".join(map(chr, range(0x1F150, 0x1F150 + 26))),
    "negative-squared": "".join(map(chr, range(0x1F170, 0x1F170 + 26))),
    "circled": "".join(map(chr, range(0x24B6, 0x24B6 + 26))),
}
RUMOUR = ("Uống nước chanh nóng mỗi sáng sẽ diệt được virus corona trong cổ họng, "
          "chia sẻ gấp cho mọi người cùng biết! 🇻🇳")


@pytest.mark.parametrize("family", [*FANCY_LOWER, *FANCY_UPPER])
def test_a_rumour_in_fancy_letters_reads_as_the_plain_rumour(family: str) -> None:
    plain = RUMOUR if family in FANCY_LOWER else RUMOUR.upper()
    letters = FANCY_LOWER.get(family) or FANCY_UPPER[family]
    first = "a" if family in FANCY_LOWER else "A"
    # Marked letters are written as the family's letter followed by combining marks.
    fancy = unicodedata.normalize("NFD", plain).translate(
        {ord(first) + i: ch for i, ch in enumerate(letters)})
    assert fancy != plain
    assert normalize_text(fancy) == normalize_text(plain)
    assert normalize_text(fancy, evasion=False) != normalize_text(plain, evasion=False)


def test_every_folded_character_leaves_the_fast_path() -> None:
    # Text of "usual" characters skips step 4: none of them may be one that step 4 folds.
    folded = [*evasion._COMPAT_TABLE, *evasion._HOMOGLYPH_TABLE]
    assert all(normalize_module._UNUSUAL_RE.match(chr(cp)) for cp in folded)
    assert not set(range(0x1F1E6, 0x1F200)) & set(evasion._COMPAT_TABLE)  # regional indicators


def test_folded_letters_that_nfc_composes_again_lose_their_mark() -> None:
    composed = {}
    for cp in [*evasion._COMPAT_TABLE, *evasion._HOMOGLYPH_TABLE]:
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            composed[chr(cp)] = chr(int(parts[1], 16))
    assert composed == evasion._COMPOSED
    # A folded letter and a mark typed after it, composed again by NFC ('Ｉ' + U+0307 -> 'İ'),
    # in step 4 or when spaced letters are joined (step 6)
    for raw, expected in [("Ｉ\u0307", "I"), ("İ\u0307\u0307", "I"), ("\u043e\u0328c", "qc"),
                          ("Ж, \u0441 \u043e\u0328 d", "Ж, cqd"), ("İ\u0301", "Í")]:
        assert normalize_text(raw) == expected
        assert normalize_text(expected) == expected


# --- step 5: underthesea tone-mark rules ------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("hoà", "hòa", "hoa-grave"),
        case("hòa", "hòa", "hoa-already-new-style"),
        case("Thuỷ điện", "Thủy điện", "thuy"),
        case("khoẻ", "khỏe", "khoe"),
        case("HOÀ BÌNH", "HÒA BÌNH", "upper-case"),
        case("Ðà Nẵng", "Đà Nẵng", "eth-to-d-stroke"),
        case("3.5 triệu, a.b@c", "3.5 triệu, a.b@c", "no-respacing-of-punctuation"),
    ],
)
def test_tone_marks(raw: str, expected: str) -> None:
    assert normalize_text(raw, placeholders=False) == expected


# --- step 6: spaced / dotted letters
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("v.i.r.u.s", "virus", "dotted"),
        case("c o r o n a", "corona", "spaced"),
        case("c-o-v-i-d", "covid", "dashed"),
        case("c_o_v_i_d", "covid", "underscored"),
        case("v. i. r. u. s", "virus", "dot-space"),
        case("c h ó", "chó", "spaced-vietnamese"),
        case("tin v.a.c.x.i.n giả", "tin vacxin giả", "inside-sentence"),
        case("Đ. Nẵng", "Đ. Nẵng", "abbreviation-kept"),
        case("a, b, c", "a, b, c", "comma-list-kept"),
        case("a b", "a b", "two-letters-kept"),
        case("c.o-v", "c.o-v", "mixed-separators-kept"),
        case("anh ở đây", "anh ở đây", "one-letter-word-o"),
        case("ý kiến", "ý kiến", "one-letter-word-y"),
        case("à thì ra vậy", "à thì ra vậy", "one-letter-word-a"),
        case("ờ ừ à", "ờ ừ à", "vowel-words-kept"),
        case("năm 2 0 2 0", "năm 2 0 2 0", "digits-not-joined"),
        case("c🦠o🦠v🦠i🦠d lây", "covid lây", "emoji-between-letters"),
        case("u😷ố😷n😷g nước", "uống nước", "emoji-between-marked-letters"),
        case("c + o + v + i + d", "covid", "plus-signs"),
        case("tôi 😂 bạn 😂 nó", "tôi 😂 bạn 😂 nó", "emoji-between-words-kept"),
        case("c🦠o😷v", "c 🦠 o 😷 v", "mixed-emoji-kept"),
    ],
)
def test_spaced_letters(raw: str, expected: str) -> None:
    assert normalize_text(raw, teencode=False) == expected


def test_letters_spaced_by_emoji_are_not_read_as_teencode() -> None:
    """'v' alone is teencode for 'vậy': 'c🦠o🦠v🦠i🦠d' read as 'c o vậy i d' before."""
    assert normalize_text("c🦠o🦠v🦠i🦠d 19") == "covid 19"


# --- step 7: repeated characters
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("nhiềuuuuu", "nhiều", "letters"),
        case("đẹp quáaaaa", "đẹp quáa", "different-tone-kept"),
        case("sốc!!!", "sốc!", "exclamation"),
        case("thật sao???", "thật sao?", "question"),
        case("chờ....", "chờ.", "dots"),
        case("kinh", "kinh", "no-repeats"),
        case("cuộc", "cuộc", "double-letter-kept"),
        case("1000000 đồng", "1000000 đồng", "digits-untouched"),
        case("quý III", "quý III", "roman-numeral-kept"),
    ],
)
def test_repeats(raw: str, expected: str) -> None:
    assert normalize_text(raw, teencode=False) == expected


# --- step 8: teencode
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("ko biết", "không biết", "ko"),
        case("k có", "không có", "k"),
        case("hok có", "không có", "hok"),
        case("khong có", "không có", "khong"),
        case("dc chưa", "được chưa", "dc"),
        case("đc chưa", "được chưa", "d-stroke-c"),
        case("làm j", "làm gì", "j"),
        case("đi vs tôi", "đi với tôi", "vs"),
        case("mn ơi", "mọi người ơi", "mn"),
        case("ae ơi", "anh em ơi", "ae"),
        case("ăn r", "ăn rồi", "r"),
        case("sống ở vn", "sống ở Việt Nam", "vn-proper-noun"),
        case("VN", "Việt Nam", "upper-proper-noun"),
        case("Ko sao", "Không sao", "capitalized"),
        case("KO ĐƯỢC", "KHÔNG ĐƯỢC", "all-caps"),
        case("Vitamin K", "Vitamin K", "single-capital-kept"),
        case("giá 5k", "giá 5k", "glued-to-digit"),
        case("k-pop", "k-pop", "hyphenated"),
        case("uống nc", "uống nc", "ambiguous-nc-kept"),
        case("kooo", "không", "after-repeat-squash"),
        case("bt ntn", "biết như thế nào", "bt-ntn"),
    ],
)
def test_teencode(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_teencode_disabled() -> None:
    assert normalize_text("ko bt", teencode=False) == "ko bt"


def test_teencode_table_size_and_fixpoint() -> None:
    _, teen = _tables()
    assert len(teen.table) >= 80
    for key, value in teen.table.items():
        assert key == key.lower()
        assert normalize_text(value, evasion=False, placeholders=False) == value, key


def test_teencode_not_inside_urls() -> None:
    assert normalize_text("https://x.vn/ko/dc", placeholders=False) == "https://x.vn/ko/dc"


# --- step 9: placeholders
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("xem https://tin-gia.vn/a?b=1", "xem __url__", "https-url"),
        case("xem http://x.com/a.", "xem __url__ .", "trailing-dot-kept"),
        case("vào www.abc.com nhé", "vào __url__ nhé", "www"),
        case("đọc trên baomoi.vn", "đọc trên __url__", "bare-domain"),
        case("mail abc.xyz@gmail.com", "mail __email__", "email"),
        case("gọi 0912345678", "gọi __phone__", "mobile"),
        case("gọi 0912 345 678", "gọi __phone__", "mobile-spaced"),
        case("gọi 0912.345.678", "gọi __phone__", "mobile-dotted"),
        case("gọi +84 912 345 678", "gọi __phone__", "international"),
        case("gọi 024 3825 1234", "gọi __phone__", "landline"),
        case("hotline 1900 1234", "hotline __phone__", "hotline-1900"),
        case("hotline 18001091", "hotline __phone__", "hotline-1800"),
        case("năm 2020 có 12345 ca", "năm 2020 có 12345 ca", "numbers-kept"),
        case("v.v. và T.Ư", "v.v. và T.Ư", "abbreviations-not-urls"),
    ],
)
def test_placeholders(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_placeholders_disabled() -> None:
    raw = "gọi 0912 345 678, web https://x.vn"
    assert normalize_text(raw, placeholders=False) == raw


# --- step 10: emoji
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("hay quá😂😂😂", "hay quá 😂", "run-collapsed"),
        case("😂 😂 ok", "😂 ok", "spaced-run-collapsed"),
        case("vui😀buồn😢", "vui 😀 buồn 😢", "separated"),
        case("👍🏻👍🏻", "👍🏻", "skin-tone"),
        case("🇻🇳🇻🇳 cố lên", "🇻🇳 cố lên", "flags"),
        case("❤️❤️", "❤", "variation-selector-dropped"),
    ],
)
def test_emoji(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# --- step 11 and general behaviour
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("  tin   giả \n\n thật  ", "tin giả thật", "whitespace"),
        case("", "", "empty"),
        case("\u200b\u200b", "", "only-invisible"),
        case("Hà Nội", "Hà Nội", "case-kept"),
    ],
)
def test_whitespace_and_case(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_evasion_disabled_keeps_obfuscation() -> None:
    assert normalize_text("co\u200brona v.i.r.u.s!!!", evasion=False) == "co\u200brona v.i.r.u.s!!!"


@pytest.mark.parametrize(
    "bad", [None, b"bytes", 42, ["list"]], ids=["none", "bytes", "int", "list"]
)
def test_normalize_text_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match=r"expected str, got \w+"):
        normalize_text(bad)  # type: ignore[arg-type]


def test_truncation_warning() -> None:
    raw = "tin giả " * (MAX_CHARS // 8 + 10)
    with pytest.warns(TruncationWarning, match=str(len(raw))):
        out = normalize_text(raw)
    assert len(out) <= MAX_CHARS
    assert out.startswith("tin giả tin giả")


def test_no_warning_below_cap() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normalize_text("a" * MAX_CHARS)


def test_output_never_exceeds_cap() -> None:
    out = normalize_text("k " * (MAX_CHARS // 2))
    assert len(out) <= MAX_CHARS
    assert normalize_text(out) == out


def test_five_megabytes_is_truncated_then_normalized() -> None:
    raw = ("Tin giả ko 😂\u200b v.i.r.u.s!!! " * 200_000)[:5_000_000]
    with pytest.warns(TruncationWarning, match="5000000"):
        out = normalize_text(raw)
    assert len(out) <= MAX_CHARS
    assert "\u200b" not in out and "virus" in out and "không" in out


# --- strip_diacritics
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        case("Hòa Bình đẹp", "Hoa Binh dep", "basic"),
        case("ĐỒNG NAI", "DONG NAI", "upper-d-stroke"),
        case("ho\u0300a", "hoa", "nfd-input"),
        case("plain ascii", "plain ascii", "ascii"),
    ],
)
def test_strip_diacritics(raw: str, expected: str) -> None:
    assert strip_diacritics(raw) == expected


def test_strip_diacritics_type_error() -> None:
    with pytest.raises(TypeError, match="expected str"):
        strip_diacritics(1)  # type: ignore[arg-type]


# --- Normalizer
def test_normalizer_transform() -> None:
    norm = Normalizer()
    assert norm.fit(["x"]) is norm
    assert norm.transform(["ko bt", None, float("nan"), "hoà"]) == ["không biết", "", "", "hòa"]


def test_normalizer_reads_pandas_missing_values_as_empty_and_names_other_types() -> None:
    import pandas as pd

    assert Normalizer().transform(["ko bt", pd.NA, pd.NaT]) == ["không biết", "", ""]
    with pytest.raises(TypeError, match="must be a str or missing .*got bytes"):
        Normalizer().transform(["ko bt", b"ko bt"])


@pytest.mark.parametrize("make", [Normalizer, Tokenizer], ids=["Normalizer", "Tokenizer"])
def test_text_transformers_take_texts_as_scikit_learn_sees_it(make) -> None:
    """They said they took 2-D numeric arrays, so check_estimator ran 47 numeric checks on
    them and 26 failed or were skipped."""
    from sklearn.exceptions import SkipTestWarning
    from sklearn.utils.estimator_checks import check_estimator

    tags = make().__sklearn_tags__().input_tags
    assert tags.string and not tags.two_d_array
    with pytest.warns(SkipTestWarning, match="requires input .*string=True"):
        results = check_estimator(make(), on_fail=None)  # the checks that need no data
    assert results and all(r["status"] == "passed" for r in results)


def test_normalizer_options_and_params() -> None:
    norm = Normalizer(teencode=False, placeholders=False)
    assert norm.get_params() == {"evasion": True, "teencode": False, "placeholders": False}
    assert norm.fit_transform(["ko 0912345678"]) == ["ko 0912345678"]


def test_normalizer_rejects_bare_string() -> None:
    with pytest.raises(
        TypeError, match="Iterable over raw text documents expected, string object received"
    ):
        Normalizer().transform("ko bt")
    with pytest.raises(TypeError, match="string object received"):
        Normalizer().fit("ko bt")


def test_normalizer_in_pipeline() -> None:
    from sklearn.base import clone
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(Normalizer(), CountVectorizer())
    X = pipe.fit_transform(["ko tin", "không tin"])
    assert (X[0] != X[1]).nnz == 0
    assert clone(Normalizer(evasion=False)).evasion is False



# --- the transformers' input: tables, missing values; their output under set_output
TEXTS = ["ko sao", "đc", "tin giả"]


@pytest.mark.parametrize("make", [Normalizer, Tokenizer], ids=["Normalizer", "Tokenizer"])
def test_a_one_column_table_is_read_row_by_row(make) -> None:
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"text": TEXTS}, index=[7, 8, 9])
    expected = make().fit_transform(TEXTS)
    assert len(expected) == 3
    assert make().fit_transform(frame[["text"]]) == expected
    assert make().fit_transform(frame["text"]) == expected
    assert make().fit_transform(np.array(TEXTS, dtype=object).reshape(-1, 1)) == expected
    assert make().fit_transform(np.array(TEXTS).reshape(-1, 1)) == expected


@pytest.mark.parametrize("make", [Normalizer, Tokenizer], ids=["Normalizer", "Tokenizer"])
def test_a_table_of_several_columns_is_refused_naming_them(make) -> None:
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"title": ["a"], "text": ["b"]})
    for method in ("fit", "fit_transform"):
        with pytest.raises(ValueError, match=r"one column of texts; got a table of 2 columns "
                                             r"\['title', 'text'\]\. Select the text column"):
            getattr(make(), method)(frame)
    with pytest.raises(ValueError, match=r"an array of shape \(1, 2\)"):
        make().fit_transform(np.array([["a", "b"]]))


def test_normalizer_in_a_column_transformer_gives_one_row_per_document() -> None:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    frame = pd.DataFrame({"text": TEXTS, "likes": [1, 2, 3]})
    ct = ColumnTransformer([("t", make_pipeline(Normalizer(), TfidfVectorizer()), ["text"])])
    X = ct.fit_transform(frame)
    assert X.shape[0] == 3
    assert sorted(ct.named_transformers_["t"][-1].vocabulary_) == ["giả", "không", "sao", "tin",
                                                                     "được"]


@pytest.mark.parametrize("mode", Tokenizer._MODES)
@pytest.mark.parametrize("missing", [None, float("nan"), "NA"], ids=["None", "NaN", "pd.NA"])
def test_tokenizer_reads_missing_values_as_empty_in_every_mode(mode: str, missing) -> None:
    import pandas as pd

    missing = pd.NA if missing == "NA" else missing
    assert Tokenizer(mode=mode).fit_transform(["Hà Nội", missing]) == [
        Tokenizer(mode=mode).fit_transform(["Hà Nội"])[0], ""]


@pytest.mark.parametrize("mode", Tokenizer._MODES)
@pytest.mark.parametrize("bad", [3, b"ha noi", 1.5], ids=["int", "bytes", "float"])
def test_tokenizer_names_an_item_that_is_not_text_in_every_mode(mode: str, bad) -> None:
    with pytest.raises(TypeError, match=f"must be a str or missing .*got {type(bad).__name__} "
                                        "at position 1. Convert it with str"):
        Tokenizer(mode=mode).transform(["Hà Nội", bad])


@pytest.mark.parametrize("make", [Normalizer, Tokenizer], ids=["Normalizer", "Tokenizer"])
def test_set_output_keeps_a_list_and_refuses_a_table(make) -> None:
    import sklearn

    est = make()
    assert est.set_output(transform="default") is est
    assert est.set_output(transform=None) is est
    for table in ("pandas", "polars"):
        with pytest.raises(ValueError, match=f"returns a list of texts.*set_output\\(transform="
                                             f"'{table}'\\).*pd.Series"):
            make().set_output(transform=table)
    with sklearn.config_context(transform_output="pandas"):  # a notebook's global setting
        assert make().fit_transform(TEXTS) == make().fit_transform(TEXTS)
        assert isinstance(make().fit_transform(TEXTS), list)


def test_set_output_on_a_pipeline_names_the_text_step() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    with pytest.raises(ValueError, match="Normalizer returns a list of texts"):
        make_pipeline(Normalizer(), TfidfVectorizer()).set_output(transform="pandas")


# --- properties
flags = st.fixed_dictionaries(
    {"evasion": st.booleans(), "teencode": st.booleans(), "placeholders": st.booleans()}
)
vi_text = st.lists(
    st.sampled_from(
        list("aàáâăđeêioôơuưyỳ kcnrjvhdoOKD.-_ ,!?@:/\n")
        + [
            "ko",
            "dc",
            "uk",
            "\u3164",
            "\u2800",
            "vn",
            "www.",
            "http://",
            ".vn",
            "0912",
            " 345 ",
            "😂",
            "👍🏻",
            "\u200b",
            "\u0441",
            "\u0301",
            "ｃ",
            "Ð",
            "ᴏ",
            "ɴ",
            "ᶦ",
            "ı",
            "İ",
            "ǫ",
            "🅰",
            "⒞",
            "օ",
            "Հ",
            "🇻",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.text(), flags)
def test_never_raises_and_idempotent(text: str, opts: dict[str, bool]) -> None:
    out = normalize_text(text, **opts)
    assert isinstance(out, str)
    assert normalize_text(out, **opts) == out


@pytest.mark.parametrize("text", ["uk a b", "x uk a", "Uk a b c", "v i r u s uk"])
def test_an_expansion_to_one_letter_is_read_as_the_letter_typed(text: str) -> None:
    """'uk a b' gave 'ừ a b', then 'ừab' when normalized again: the spaced letters that
    the expansion forms are joined in the first pass, as they are when 'ừ' is typed."""
    out = normalize_text(text)
    assert normalize_text(out) == out
    if text.startswith("uk"):
        assert out == normalize_text(text.replace("uk", "ừ"))


@settings(max_examples=200, deadline=None)
@given(vi_text, flags)
def test_idempotent_on_vietnamese_like_text(text: str, opts: dict[str, bool]) -> None:
    out = normalize_text(text, **opts)
    assert normalize_text(out, **opts) == out


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_output_is_clean(text: str) -> None:
    out = normalize_text(text)
    assert not ZERO_WIDTH.search(out)
    assert unicodedata.is_normalized("NFC", out)
    assert out == out.strip()
    assert "  " not in out
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in out)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thông báo: со́ virus у tế", "Thông báo: có virus y tế"),
        ("Но̛̣р đồng lao động", "Hợp đồng lao động"),
        ("Москва đẹp", "Москва đẹp"),
        ("Ο Παπαδόπουλος", "Ο Παπαδόπουλος"),
    ],
    ids=["all-lookalike-word", "lookalikes-with-marks", "russian-kept", "greek-kept"],
)
def test_words_made_only_of_lookalikes_fold_in_latin_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# --- underthesea's private tone tables
UTS_MODULE = "underthesea.pipeline.text_normalize.text_normalizer"


def test_missing_underthesea_tone_module_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, UTS_MODULE, None)  # the import now fails
    with pytest.raises(
        ModuleNotFoundError,
        match=r"tone-mark normalization needs underthesea's tables.*pip install \"underthesea>=",
    ):
        _load_underthesea_tables()


def test_moved_underthesea_tone_tables_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    moved = types.ModuleType(UTS_MODULE)
    moved.character_map = {}  # type: ignore[attr-defined]  # token_map has moved away
    monkeypatch.setitem(sys.modules, UTS_MODULE, moved)
    with pytest.raises(ImportError, match=r"cannot import name 'token_map'.*pip install"):
        _load_underthesea_tables()


def test_missing_underthesea_teencode_table_warns_and_keeps_the_project_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from vnmisinfo.text.normalize import _load_teencode

    monkeypatch.setitem(sys.modules, "underthesea_core", None)
    with pytest.warns(RuntimeWarning, match=r"teencode table could not be read.*pip install"):
        table = _load_teencode()
    from vnmisinfo.text.evasion import expand_teencode

    assert expand_teencode("ko dc nha", table) != "ko dc nha"


# --- pre-checks and tables behind the fast paths
@pytest.mark.parametrize(
    ("exact", "hint", "codepoints"),
    [
        (evasion._INVISIBLE_RE, evasion._INVISIBLE_HINT_RE, evasion._INVISIBLE),
        (None, evasion._COMPAT_HINT_RE, list(evasion._COMPAT_TABLE)),
        (normalize_module._BAD_RE, normalize_module._BAD_HINT_RE, range(0x110000)),
    ],
    ids=["invisible", "compat", "bad"],
)
def test_prechecks_match_every_character_of_their_pattern(exact, hint, codepoints) -> None:
    chars = [chr(cp) for cp in codepoints]
    if exact is not None:
        chars = exact.findall("".join(chars))
    assert chars
    assert all(hint.match(ch) for ch in chars)


def test_strip_diacritics_table_has_every_combining_mark() -> None:
    marks = {cp for cp in range(0x110000) if unicodedata.combining(chr(cp))}
    table = accents._strip_table()
    assert {cp for cp, repl in table.items() if repl is None} == marks


@pytest.fixture(scope="module")
def every_char() -> str:
    return "".join(map(chr, range(0x110000)))


def test_lower_case_keeps_every_run_of_letters(every_char: str) -> None:
    # The pre-checks read the words (WORD_RE) of text.lower() as those of the text.
    assert [ch for ch in every_char if len(ch.lower()) != 1] == ["İ"]
    letter = re.compile(r"[^\W\d_]").fullmatch
    assert all(bool(letter(ch)) == bool(letter(ch.lower())) for ch in every_char if ch != "İ")


@pytest.mark.parametrize("cls", [evasion._TEEN_BEFORE_CLASS, evasion._TEEN_AFTER_CLASS, r"\w"])
def test_teencode_boundaries_read_the_same_in_lower_case(cls: str, every_char: str) -> None:
    folded, plain = re.compile(cls, re.IGNORECASE).fullmatch, re.compile(cls).fullmatch
    assert all(bool(folded(ch)) == bool(plain(ch.lower())) for ch in every_char if ch != "İ")


def test_teencode_outliers_hold_every_character_that_only_ignorecase_folds(every_char: str) -> None:
    _, teen = _tables()
    for letter in {ch for key in teen.table for ch in key}:
        folded = re.findall("(?i)" + re.escape(letter), every_char)
        assert {ch for ch in folded if ch.lower() != letter} <= set(teen.outliers), letter


def test_marked_letters_are_those_of_the_per_character_rule(every_char: str) -> None:
    expected = {ch for ch in every_char if accents._is_marked(ch)}
    assert set(accents._marked_re().findall(every_char)) == expected


def _random_texts(pieces: list[str], n: int = 4000, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(n)]


_TRICKY = list("aAkKsSiIΣİıſK0123456789 .,-_/:@+()'’#&!\n") + [
    "\u0301", "é", "đ", "Đ", "ð", "www.", "WwW.", "http://", "ftp://", ".com", ".vN", "@b.co",
    "0084", "+84", "(+84)", "1900", "1800", "😂", "👍🏻", "🇻🇳", "\u200d", "\ufe0f",
]


def test_fast_patterns_match_their_plain_formulations() -> None:
    marks, tlds, sep = evasion.MARKS, evasion._TLDS, evasion._SEP
    chars, end, label = evasion._URL_CHARS, evasion._URL_END, evasion._LABEL
    url = re.compile(
        rf"(?P<email>(?<![\w.+\-%])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
        rf"\.[A-Za-z]{{2,}}(?![\w\-@]))|(?P<url>(?<![\w@.\-])(?:(?:https?|ftp)://|www\.)"
        rf"(?:{chars}*{end})?)|(?P<domain>(?<![\w@.\-/])(?:{label}\.)*[A-Za-z0-9][A-Za-z0-9\-]*"
        rf"[A-Za-z0-9]\.(?:{tlds})(?![\w\-@]|\.\w)(?:/(?:{chars}*{end})?)?)", re.IGNORECASE)
    hint = re.compile(rf"@|://|www\.|\.(?:{tlds})\b", re.IGNORECASE)
    phone = re.compile(
        rf"(?<![\w+.,])(?:(?:\(\+84\)|\+84|0084){sep}?[1-9]\d(?:{sep}?\d){{7,8}}"
        rf"|0[1-9]\d(?:{sep}?\d){{7,8}}|1[89]00(?:{sep}?\d){{4}}(?:(?:{sep}?\d){{2}})?)(?![\w]|[.,]\d)")
    one = rf"[{evasion._EMOJI_BASE}][{evasion._EMOJI_MOD}]*"
    emoji = re.compile(rf"([\U0001f1e6-\U0001f1ff]{{2}}|{one}(?:\u200d{one})*)"
                       rf"(?:\s*\1(?![{evasion._EMOJI_MOD}\u200d]))*")
    tone, _ = _tables()
    keys = evasion.trie_pattern(tone.tokens)
    word = re.compile(rf"(?<![^\W_]|[{marks}])(?:{keys})(?![^\W_]|[{marks}])")
    for text in _random_texts(_TRICKY + ["hoà", "Hoà", "HOÀ", "thuỷ", "gìa", "5", "x"]):
        found = evasion._URL_RE.finditer(" " + text)
        spans = [(m.span(m.lastgroup or 0), m.lastgroup) for m in found]
        assert [((a - 1, b - 1), kind) for (a, b), kind in spans] == [
            (m.span(), m.lastgroup) for m in url.finditer(text)], text
        assert evasion._url_hint(text) == bool(hint.search(text)), text
        assert evasion.replace_phones(text) == phone.sub(f" {evasion.PHONE_TOKEN} ", text), text
        assert evasion.separate_emoji(text) == emoji.sub(lambda m: f" {m.group(1)} ", text), text
        expected = word.sub(lambda m: tone.tokens[m.group()], text.translate(tone.chars))
        assert tone.apply(text)[0] == expected, text


def test_fast_teencode_and_squash_gates_agree_with_the_plain_steps() -> None:
    _, teen = _tables()
    pieces = _TRICKY + ["ko", "Ko", "KO", "kO", "k", "K", "vn", "VN", "hcm", "ſv", "sv", "dc", "đc",
                        "ĐC", "aaa", "AAA", "ııı", "ΣΣΣ", "III", "ªªª", "c o", "v.i", "a b", "ờ ừ"]
    for text in _random_texts(pieces, n=6000, seed=1):
        assert normalize_module._expand_teencode(text, teen, None) == evasion.expand_teencode(
            text, teen), text
        words = evasion.WORD_RE.findall(text.lower())
        letters, spaced = normalize_module._squash_gates(text, words)
        assert letters or not evasion._REPEAT_LETTER_RE.search(text), text
        assert spaced or not evasion._SPACED_HINT_RE.search(text), text
        squashed, fixed, same = evasion._squash(text)
        assert squashed == evasion.squash_spaced_and_repeats(text)
        if fixed:
            assert evasion.squash_spaced_and_repeats(squashed) == squashed, text
        if same:
            assert evasion.WORD_RE.findall(squashed.lower()) == words, text


def test_text_of_usual_characters_is_already_nfc() -> None:
    usual = {chr(cp) for cp in range(0x10000) if not normalize_module._UNUSUAL_RE.match(chr(cp))}
    assert all(unicodedata.combining(ch) == 0 and unicodedata.is_normalized("NFC", ch)
               for ch in usual)
    # ... and none composes with a character before it (second of a canonical decomposition)
    seconds = set()
    for cp in range(0x110000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if parts and not parts[0].startswith("<"):
            seconds.update(chr(int(part, 16)) for part in parts[1:])
    assert not usual & seconds
    assert not usual & {chr(cp) for cp in range(0x1100, 0x1200)}  # conjoining jamo


def test_marked_letter_class_matches_a_scan_of_every_code_point():
    import unicodedata

    from vnmisinfo.text import accents

    assert accents._marked_re().pattern == (
        accents._MARKED_14 if unicodedata.unidata_version == "14.0.0"
        else accents._marked_pattern())
    assert accents._MARKED_14 == accents._marked_pattern() or (
        unicodedata.unidata_version != "14.0.0")


@pytest.mark.parametrize(("raw", "expected"), [
    ("Uố.ng nư.ớc ch.anh di.ệt vi.rus", "Uống nước chanh diệt vi.rus"),
    ("Gi.ết người t.ử vo.ng, đ.ổi tiền", "Giết người tử vong, đổi tiền"),
    ("ho.à bình", "hòa bình"),  # joined, then the tone mark placed as everywhere
    ("uống nước.nếu không", "uống nước.nếu không"),  # a full stop without its space
    ("TP.HCM, v.v. giá 1.000 đồng", "TP.HCM, v.v. giá 1.000 đồng"),
    ("Hà Nội.Tối nay", "Hà Nội.Tối nay"),
    ("c.o-v", "c.o-v"),
])
def test_a_word_salted_with_a_dot_is_joined_when_it_makes_one_syllable(raw, expected):
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected


def test_show_controls_escapes_every_control_but_tab_and_newline() -> None:
    """A post's escape sequences printed to a terminal cleared it or set its window title."""
    import json

    chars = "".join(map(chr, range(0x2000))) + "\u2028\U0001f621"
    controls = {c for c in chars if unicodedata.category(c) == "Cc"} - {"\t", "\n"}
    assert len(controls) == 63  # C0, DEL and C1
    assert show_controls(chars) == "".join(
        f"\\x{ord(c):02x}" if c in controls else c for c in chars)
    assert show_controls("\x1b]0;title\x07") == "\\x1b]0;title\\x07"
    line = show_controls(json.dumps(chars, ensure_ascii=False), for_json=True)
    assert json.loads(line) == chars and not controls & set(line)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#UốngNướcChanhNóng mỗi sáng", "Uống Nước Chanh Nóng mỗi sáng"),
        ("#ThiTHPTQuốcGia", "Thi THPT Quốc Gia"),
        ("#Covid_19 #5G", "Covid 19 5G"),
        ("#nCoV #iPhone", "nCoV iPhone"),  # no cut after a single letter
        ("#uongnuocchanh", "uong nuoc chanh"),  # no capitals: cut into syllables
        ("#tinthấtthiệt #Khaibaoyte", "tin thất thiệt Khai bao y te"),
        ("#stayhome #toptrending #covid19", "stayhome toptrending covid19"),  # not Vietnamese
        ("# giá vàng #", "# giá vàng #"),  # a lone '#' is not a hashtag
        ("#Uo\u0302\u0301ngNước", "Uống Nước"),  # decomposed marks are composed first
        ("không có hashtag", "không có hashtag"),
    ],
)
def test_hashtag_words(raw: str, expected: str) -> None:
    from vnmisinfo.text.hashtags import hashtag_words

    assert hashtag_words(raw) == expected


def test_the_classifier_reads_a_hashtag_as_its_words() -> None:
    """The syllable and accent-free views (those the shipped models read) are the same for a
    claim glued into hashtags as for the claim written out; ``norm`` differs only in case
    (the word segmenter reads case, so ``words`` may be cut differently)."""
    from vnmisinfo.model.features import Preprocessor

    texts = ["Chia sẻ: #UốngNướcChanhNóng #DiệtVirusCorona",
             "Chia sẻ: uống nước chanh nóng diệt virus corona"]
    glued, plain = Preprocessor(segment=False).transform(texts).to_dict("records")
    for view in ("syll", "plain"):
        assert glued[view] == plain[view], view
    assert glued["norm"].lower() == plain["norm"].lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Uống_nước_chanh nóng", "Uống nước chanh nóng"),
        ("covid_19 năm_2020", "covid 19 năm 2020"),
        ("xem __url__ hoặc __email__", "xem __url__ hoặc __email__"),  # placeholders kept
        ("_______ dòng kẻ", "_______ dòng kẻ"),  # not between two words
        ("a__b", "a b"),
    ],
)
def test_underscore_words(text: str, expected: str) -> None:
    from vnmisinfo.text.hashtags import underscore_words

    assert underscore_words(text) == expected


def test_the_classifier_reads_words_joined_by_underscores_as_words() -> None:
    """Words joined by underscores (a hashtag without its '#') read as the words written
    apart in every view; a link with underscores is still one placeholder."""
    from vnmisinfo.model.features import Preprocessor

    texts = ["Chia sẻ: uống_nước_chanh_nóng diệt_virus, xem https://a.vn/tin_gia",
             "Chia sẻ: uống nước chanh nóng diệt virus, xem https://a.vn/khac"]
    joined, apart = Preprocessor(segment=False).transform(texts).to_dict("records")
    for view in ("norm", "syll", "plain"):
        assert joined[view] == apart[view], view
    assert joined["norm"].endswith("xem __url__")
