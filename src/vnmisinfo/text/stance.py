"""Stance cues: words that mark a text as denying, refuting, reporting or pushing a claim.

A post that repeats a false claim and a post that warns about it share most of
their words.  What separates them is a small vocabulary: negation ("không",
"ko"), refutation and warning ("sai sự thật", "bác bỏ", "cảnh giác", "tin
giả"), reporting ("theo", "cho biết", "công an") and pushing ("chia sẻ gấp",
"sự thật là").  :func:`cue_counts` counts each class in a batch of texts with
one compiled alternation per class over the accent-free lower-cased text, so
"khong", "không" and the teencode "ko" are one cue.  :func:`find_numbers`
lists the figures a text gives, so that a text quoting a different figure from
a claim can be told apart from one repeating it.

Both work on the whole batch at once: the texts are joined, each pattern runs
once over the join, and every hit is assigned to its text by its offset.

Examples
--------
>>> cue_counts(["Tin đồn uống nước chanh diệt virus là sai sự thật",
...             "Chia sẻ gấp: uống nước chanh diệt virus"]).tolist()
[[0, 1, 1, 0], [0, 0, 0, 1]]
>>> find_numbers(["Lương tăng 20% từ 1/7, thưởng 2.000.000 đồng", "Không có số"])
(['20', '1', '7', '2000000'], [0, 0, 0, 0])
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from vnmisinfo.text.normalize import strip_diacritics

__all__ = ["CUE_CLASSES", "FALSITY", "FALSITY_MARKED", "FIGURE_UNITS", "WARNING_MARKED",
           "cue_counts", "falsity_counts", "find_figures", "find_numbers", "quote_counts",
           "warning_counts"]

#: The cue classes counted by :func:`cue_counts`, in column order.
CUE_CLASSES = ("negation", "debunk", "reporting", "assertive")

# Accent-free, lower-case.  Accent-free forms collide ("chua" is chưa, chua and
# chữa), so ambiguous single words are only listed inside unambiguous phrases.
_LEXICON: dict[str, tuple[str, ...]] = {
    "negation": (
        "khong", "ko", "k0", "khg", "hok", "chang", "chua co", "chua he",
        "chua tung", "chua thay", "dau co", "cha co", "never",
    ),
    "debunk": (
        "sai su that", "khong dung su that", "khong dung", "khong chinh xac", "thong tin sai",
        "tin sai", "sai lech", "tin gia", "fake", "fake news", "hoax", "that thiet",
        "bac bo", "bac tin", "phu nhan", "thuc chat", "thuc te", "su that khong phai",
        "khong co bang chung", "chua co bang chung", "khong co co so", "chua co co so",
        "khong co can cu", "vo can cu", "khong co that", "bia dat", "bia ra", "xuyen tac",
        "dinh chinh", "canh giac", "canh bao", "khuyen cao", "xu phat", "xu ly", "tung tin",
        "dang tin sai", "gia mao", "mao danh", "lua dao", "chieu tro", "kiem chung",
        "ngo nhan", "hieu lam", "lam tuong", "khong phai la", "khong he", "dung tin",
        "dung chia se", "dung lo", "khong nen tin", "vo ich", "khong hieu qua",
        "la sai", "sai bet", "sai roi", "sai hoan toan", "khong phai", "ko phai", "k phai",
        "khong co chuyen", "ko co chuyen",
        "gia danh", "gan ghep", "luu y", "tra cuu", "tra anh nguoc", "hieu nham", "nham lan",
        "khong co tai lieu", "dung hoang", "dung hoang so", "dung hoang loan", "dung share",
        "dung so", "dung de", "khong the", "khong giup", "khong gay",
    ),
    "reporting": (
        "theo", "cho biet", "thong tin", "cong an", "co quan chuc nang", "chuc nang",
        "khang dinh", "xac minh", "lan truyen", "tin don", "dua tin", "bao cao", "ghi nhan",
        "phong vien", "chuyen gia", "dai dien", "thong bao", "phat ngon", "bao chi",
        "tren mang", "mang xa hoi", "cho rang", "nguon tin",
    ),
    "assertive": (
        "chia se gap", "share gap", "chia se ngay", "hay chia se", "lan toa", "truyen tay",
        "su that la", "da duoc xac nhan", "da xac nhan", "chac chan", "100%", "dam bao",
        "tin nong", "khan cap", "gap gap", "nhanh tay", "ngay lap tuc", "bi mat",
        "che giau", "giau kin", "ai cung", "moi nguoi oi", "ae oi", "anh em oi", "mn oi",
        "ca nha oi", "biet chua", "dung bo lo", "xac nhan roi", "chinh xac 100",
    ),
}


#: The debunk cues that call a claim false outright (no "caution", "scam" or "fine"): a
#: text that holds one refutes what it reports, in whichever sentence it is.
FALSITY = (
    "sai su that", "khong dung su that", "thong tin sai", "tin sai", "sai lech", "tin gia",
    "fake", "fake news", "hoax", "that thiet", "bac bo", "bac tin", "phu nhan",
    "khong co bang chung", "chua co bang chung", "khong co co so", "chua co co so",
    "khong co can cu", "vo can cu", "khong co that", "bia dat", "bia ra", "xuyen tac",
    "dinh chinh", "la sai", "sai bet", "sai roi", "sai hoan toan", "khong co chuyen",
    "ko co chuyen", "tin vit", "phot gia", "tin xam", "xam xi", "nham nhi", "ko co that",
)

#: Slang that calls a claim a lie or nonsense, matched with its diacritics only: without
#: them these words collide with common ones ("xao" is also "xào", "nham" also "nhắm").
FALSITY_MARKED = ("nhảm", "xạo", "xàm", "bịa", "láo", "vớ vẩn", "ảnh cũ")


def _alternation(words: Sequence[str]) -> re.Pattern[str]:
    # longest first, so "khong co bang chung" wins over "khong"
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len,
                                                                         reverse=True))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


_CUE_RES = tuple(_alternation(_LEXICON[c]) for c in CUE_CLASSES)
_FALSITY_RE = _alternation(FALSITY)
_MARKED_RE = _alternation(FALSITY_MARKED)

#: Words that tell readers not to believe, share or act on something, with their
#: diacritics (without them "dung" is also "dùng" and "đúng"): the mark of a warning.
WARNING_MARKED = ("đừng", "chớ", "không nên", "ko nên", "k nên", "tuyệt đối không",
                  "cúp máy", "hiểu lầm", "nhầm tưởng", "lầm tưởng", "bình tĩnh")
_WARNING_RE = _alternation(WARNING_MARKED)

# Figures: 20, 2.000.000, 2,5, 1/7 (two numbers).  The 19 of COVID-19 and the 2 of
# SARS-CoV-2 name a disease, not a figure.
_NUMBER_RE = re.compile(r"(?<![\w.,])(?<!covid-)(?<!cov-)\d+(?:[.,]\d+)*(?!\w)")
_SEPARATORS = str.maketrans("", "", ".,")

#: The units a figure is read with, by their written forms without diacritics ("do" is
#: độ and đô: degrees and dollars are one unit here); figures compare only within a unit.
FIGURE_UNITS = {"dong": "VND", "d": "VND", "vnd": "VND", "usd": "USD", "$": "USD", "do": "do",
                "%": "%", "phan tram": "%", "lit": "litre", "nguoi": "people", "tuoi": "age"}
_FIGURE_SCALES = {"k": 1e3, "nghin": 1e3, "ngan": 1e3, "trieu": 1e6, "tr": 1e6, "ty": 1e9,
                  "ti": 1e9}
# A figure, a scale, a unit: "21.000 đồng", "150 triệu người", "1,5 tỷ USD", "30%".
_FIGURE_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:([.,])\d{3})(?:\2\d{3})*|\d+(?:[.,]\d+)?)\s*"
    rf"({'|'.join(_FIGURE_SCALES)})?\s*"
    rf"({'|'.join(re.escape(u) for u in sorted(FIGURE_UNITS, key=len, reverse=True))})"
    r"(?![\w$%])")


def _join(texts: Sequence[str]) -> tuple[str, np.ndarray]:
    """The texts joined by newlines, and where each one starts."""
    starts = np.zeros(len(texts), dtype=np.int64)
    if texts:
        starts[1:] = np.cumsum([len(t) + 1 for t in texts[:-1]])
    return "\n".join(texts), starts


def _sequence(name: str, texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise TypeError(f"{name}: a sequence of texts expected, string object received; "
                        "wrap it in a list.")


def _hits_per_text(regex: re.Pattern[str], texts: Sequence[str]) -> np.ndarray:
    """How many times ``regex`` matches in each text (one pass over the joined texts)."""
    joined, starts = _join(texts)
    hits = [m.start() for m in regex.finditer(joined)]
    return np.bincount(np.searchsorted(starts, hits, side="right") - 1,
                       minlength=len(texts)).astype(np.int64)


def cue_counts(texts: Sequence[str]) -> np.ndarray:
    """Count the stance cues of each class in each text.

    Parameters
    ----------
    texts : sequence of str
        Texts, with or without diacritics (they are lower-cased and stripped
        of diacritics here; a text that is already is left as it is).

    Returns
    -------
    ndarray of int, shape (n_texts, 4)
        Columns in :data:`CUE_CLASSES` order: negation, debunk, reporting,
        assertive.  A phrase counts once, in the class of its longest match
        ("không có bằng chứng" is one debunk cue, not also a negation).

    Raises
    ------
    TypeError
        If ``texts`` is a single string.

    Examples
    --------
    >>> cue_counts(["Ko biết nữa, tin giả!", "Canh giac tin don"]).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 0]]
    """
    _sequence("cue_counts", texts)
    folded = [strip_diacritics(t.lower()) for t in texts]
    joined, starts = _join(folded)
    out = np.zeros((len(folded), len(CUE_CLASSES)), dtype=np.int64)
    if not folded:
        return out
    taken = np.zeros(len(joined) + 1, dtype=bool)
    # debunk phrases first: they often contain a negation ("không đúng")
    for col in (1, 3, 2, 0):
        hits = [m.span() for m in _CUE_RES[col].finditer(joined)]
        keep = [s for s, e in hits if not taken[s:e].any()]
        for s, e in hits:
            taken[s:e] = True
        if keep:
            out[:, col] = np.bincount(np.searchsorted(starts, keep, side="right") - 1,
                                      minlength=len(folded))
    return out


def falsity_counts(texts: Sequence[str], *, folded: Sequence[str] | None = None) -> np.ndarray:
    """Count the :data:`FALSITY` cues (accent-free) and :data:`FALSITY_MARKED` slang (with
    its diacritics) in each text, lower-cased.

    ``folded`` are the same texts already lower-cased and stripped of diacritics,
    when the caller has them.

    Examples
    --------
    >>> falsity_counts(["Tin này là tin giả, đã bị bác bỏ", "Cảnh giác lừa đảo",
    ...                 "xạo đó mn, tin vịt thôi", "rau xào tỏi"]).tolist()
    [2, 0, 2, 0]
    """
    _sequence("falsity_counts", texts)
    lower = [t.lower() for t in texts]
    if folded is None:
        folded = [strip_diacritics(t) for t in lower]
    return _hits_per_text(_FALSITY_RE, folded) + _hits_per_text(_MARKED_RE, lower)


_QUOTE_RE = re.compile(r'["\u201c\u201d\u00ab\u00bb]')


def quote_counts(texts: Sequence[str]) -> np.ndarray:
    """Count the double quotation marks (straight, curly or angle) in each text.

    A text that puts a claim in quotation marks often distances itself from it ("tin
    “...” là bịa"); the match decision reads the pairs of marks of a whole text.

    Examples
    --------
    >>> quote_counts(['Tin “ăn tỏi diệt virus” là bịa', 'Không có dấu nào', '"a" và "b"']).tolist()
    [2, 0, 4]
    """
    _sequence("quote_counts", texts)
    return _hits_per_text(_QUOTE_RE, list(texts))


def warning_counts(texts: Sequence[str]) -> np.ndarray:
    """Count the :data:`WARNING_MARKED` words in each text, lower-cased, with diacritics.

    Examples
    --------
    >>> warning_counts(["Đừng tin, cúp máy ngay", "dung tin", "Dùng xà phòng"]).tolist()
    [2, 0, 0]
    """
    _sequence("warning_counts", texts)
    return _hits_per_text(_WARNING_RE, [t.lower() for t in texts])


def find_numbers(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """The figures given in each text, with thousands separators removed.

    Parameters
    ----------
    texts : sequence of str
        Texts.

    Returns
    -------
    numbers, text_of_number : list of str, list of int
        Every figure in reading order (``"2.000.000"`` -> ``"2000000"``) and
        the index of the text it occurs in.  The 19 of "COVID-19" is not a
        figure.

    Examples
    --------
    >>> find_numbers(["Vắc xin COVID-19 gây vô sinh ở 90% phụ nữ", "5G"])
    (['90'], [0])
    """
    _sequence("find_numbers", texts)
    joined, starts = _join([t.lower() for t in texts])
    spans = [(m.start(), m.group().translate(_SEPARATORS))
             for m in _NUMBER_RE.finditer(joined)]
    where = np.searchsorted(starts, [s for s, _ in spans], side="right") - 1
    return [n for _, n in spans], [int(w) for w in where]


def find_figures(texts: Sequence[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The figures given with a unit in each text, as numbers.

    Parameters
    ----------
    texts : sequence of str
        Texts (lower-cased and stripped of diacritics here).

    Returns
    -------
    values : ndarray of float
        Each figure, scales applied (``21.000`` is 21000, ``1,4 triệu`` 1400000).
    units : list of str
        Its unit, a value of :data:`FIGURE_UNITS`.
    text_of : ndarray of int
        The index of the text it occurs in.

    Examples
    --------
    >>> values, units, text_of = find_figures(["Xăng còn 21.000 đồng/lít, giảm 300đ",
    ...                                        "Dân số vượt 150 triệu người", "gấp 3 lần",
    ...                                        "lãi 1.200 tỷ đồng, vay 1,5 tỷ USD"])
    >>> values.tolist()
    [21000.0, 300.0, 150000000.0, 1200000000000.0, 1500000000.0]
    >>> units, text_of.tolist()
    (['VND', 'VND', 'people', 'VND', 'USD'], [0, 0, 1, 3, 3])
    """
    _sequence("find_figures", texts)
    joined, starts = _join([strip_diacritics(t.lower()) for t in texts])
    values, units, where = [], [], []
    for m in _FIGURE_RE.finditer(joined):
        number, grouped, scale, unit = m.groups()
        if grouped:  # digits grouped by thousands: 21.000, 1.500 tỷ
            value = float(number.translate(_SEPARATORS))
        else:
            value = float(number.replace(",", "."))
        values.append(value * _FIGURE_SCALES.get(scale or "", 1.0))
        units.append(FIGURE_UNITS[unit])
        where.append(m.start())
    text_of = np.searchsorted(starts, where, side="right") - 1
    return np.asarray(values, dtype=float), units, np.asarray(text_of, dtype=np.int64)
