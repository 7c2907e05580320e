"""Deduplication, near-duplicate groups and grouped splits that never leak a group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnmisinfo.data.hygiene import (
    corpus_stats,
    deduplicate,
    drop_empty,
    grouped_folds,
    grouped_train_test_split,
    make_groups,
    near_duplicate_groups,
    text_keys,
)

BASES = [
    "uống nước chanh nóng mỗi sáng diệt được virus corona trong cổ họng, chia sẻ ngay",
    "bộ y tế khuyến cáo người dân rửa tay thường xuyên bằng xà phòng và đeo khẩu trang",
    "ngân hàng nhà nước sắp đổi tiền mới, người dân cần rút hết tiền tiết kiệm ra ngay",
    "đội tuyển việt nam thắng hai không trong trận giao hữu tối qua tại sân mỹ đình",
    "sở giao thông thông báo phân luồng đường láng để thi công cầu vượt trong tháng này",
    "trường học ở đà nẵng tổ chức khai giảng năm học mới vào sáng mai với nhiều hoạt động",
    "giá xăng giảm nhẹ từ mười lăm giờ chiều nay theo thông báo của liên bộ công thương",
    "thư viện quận mở cửa đến hai mốt giờ các ngày trong tuần để phục vụ bạn đọc",
    "sóng năm g làm lây lan virus corona, hãy tắt điện thoại và tháo cục phát wifi",
    "vắc xin làm thay đổi gen người tiêm, các bác sĩ đang giấu kín sự thật này",
]


def _frame(texts, labels, ids=None, domains=None):
    return pd.DataFrame({
        "id": ids or [str(i) for i in range(len(texts))], "text": texts, "title": "",
        "label": labels, "source": "t", "domain": domains or [""] * len(texts)})


def test_text_keys_normalize_case_space_and_title():
    f = pd.DataFrame({"text": ["Tin  GIẢ\n", "tin giả"], "title": ["", "Tựa"]})
    assert text_keys(f) == ["tin giả", "tựa. tin giả"]


def test_deduplicate_keeps_first_and_reports_conflicts():
    f = _frame(["Tỏi chữa covid", "tỏi  chữa COVID", "Mưa to", "mưa to", "Nắng", "nắng"],
               [1, 1, 0, 1, 0, 0], ids=list("abcdef"))
    out, report = deduplicate(f)
    assert out["id"].tolist() == ["a", "e"]
    assert report.conflicting_groups == [["c", "d"]]
    assert (report.duplicate_groups, report.duplicates_removed, report.conflicting_removed) \
        == (3, 2, 2)
    assert report.rows_out == 2


def test_deduplicate_can_keep_conflicting_groups():
    f = _frame(["Mưa to", "mưa to"], [0, 1], ids=["c", "d"])
    out, report = deduplicate(f, conflicts="keep")
    assert out["id"].tolist() == ["c"] and report.conflicting_groups == [["c", "d"]]


def test_drop_empty_returns_ids():
    out, dropped = drop_empty(_frame(["Tin", "", " \n "], [1, 0, 0], ids=["a", "b", "c"]))
    assert out["id"].tolist() == ["a"] and dropped == ["b", "c"]


@pytest.mark.parametrize("threshold, same", [(0.9, True), (1.0, False)],
                         ids=["near-0.9", "exact-only"])
def test_near_duplicates_share_a_group(threshold, same):
    edited = BASES[0].replace("chia sẻ ngay", "hãy chia sẻ ngay")
    groups = near_duplicate_groups([BASES[0], edited, BASES[1]], threshold=threshold)
    assert bool(groups[0] == groups[1]) == same
    assert groups[0] != groups[2]


def test_group_by_domain_joins_outlets_but_not_undomained_rows():
    f = _frame(BASES[:4], [1, 1, 0, 0], domains=["a.vn", "a.vn", "", ""])
    groups = make_groups(f, by="domain")
    assert groups[0] == groups[1]
    assert len({groups[0], groups[2], groups[3]}) == 3


def test_group_by_domain_needs_the_column():
    f = _frame(BASES[:2], [1, 0]).drop(columns="domain")
    with pytest.raises(ValueError, match="needs a 'domain' column"):
        make_groups(f, by="domain")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(copies=st.lists(st.integers(min_value=1, max_value=4), min_size=10, max_size=10),
       edits=st.lists(st.sampled_from(["", "!", " nhé", " ngay", "."]), min_size=40,
                      max_size=40),
       seed=st.integers(min_value=0, max_value=1000))
def test_no_duplicate_group_is_split_across_folds(copies, edits, seed):
    texts, labels, origin = [], [], []
    e = iter(edits)
    for i, (base, n) in enumerate(zip(BASES, copies, strict=True)):
        for _ in range(n):
            texts.append(base + next(e))
            labels.append(i % 2)
            origin.append(i)
    order = np.random.default_rng(seed).permutation(len(texts))
    texts = [texts[i] for i in order]
    labels = np.asarray(labels)[order]
    origin = np.asarray(origin)[order]
    groups = make_groups(_frame(texts, labels.tolist()), by="text")
    # every copy of a base text, edited or not, lands in its base's group
    assert len(np.unique(groups)) == len(BASES)
    for o in np.unique(origin):
        assert len(np.unique(groups[origin == o])) == 1
    for train, test in grouped_folds(labels, groups, n_splits=3, random_state=seed):
        assert set(origin[train]).isdisjoint(origin[test])
        assert len(train) + len(test) == len(texts)


def test_grouped_train_test_split_keeps_groups_apart():
    y = np.array([0, 1] * 20)
    groups = np.arange(40) // 2
    train, test = grouped_train_test_split(y, groups, test_size=0.25)
    assert set(groups[train]).isdisjoint(groups[test])
    assert 0 < y[test].sum() < len(test)


@pytest.mark.parametrize("y, groups, n_splits, match", [
    ([0, 1, 0, 1], [0, 0, 1, 1], 3, "from 2 groups"),
    ([0, 0, 0, 1, 1, 1], [0, 1, 2, 3, 3, 3], 3, "class 1 spans only 1 group"),
    ([0, 1], [0, 1], 1, "at least 2"),
], ids=["too-few-groups", "class-in-one-group", "one-fold"])
def test_grouped_folds_errors(y, groups, n_splits, match):
    with pytest.raises(ValueError, match=match):
        grouped_folds(y, groups, n_splits=n_splits)


def test_corpus_stats_counts():
    f = _frame([BASES[0], BASES[0].upper(), BASES[0] + " nhé", BASES[1], "", BASES[2]],
               [1, 1, 0, 1, 0, 0], ids=list("abcdef"),
               domains=["x.vn", "x.vn", "y.vn", "y.vn", "", ""])
    s = corpus_stats(f)
    assert s["rows"] == 6 and s["labels"] == {"1": 3, "0": 3, "unlabelled": 0}
    assert s["empty"] == ["e"]
    assert s["exact"] == {"groups": 1, "rows": 2, "extra_copies": 1}
    assert s["near"]["groups"] == 1 and s["near"]["rows"] == 3
    assert s["conflicting"]["exact"] == [] and s["conflicting"]["near"] == [["a", "b", "c"]]
    assert s["domains"]["x.vn"] == {"rows": 2, "positives": 2, "labelled": 2}
    assert s["single_label_domains"] == 1
    assert s["length_chars"]["min"] == 0
    # a document with a title and no text is as long as its title, as it is no empty text
    titled = corpus_stats(f.assign(title=["", "", "", "", "Tin nóng", ""]))
    assert titled["empty"] == [] and titled["length_chars"]["min"] == len("Tin nóng")
