"""ClaimReview drafts: structure, verdict mapping, and never drafting unreviewed rows."""

from __future__ import annotations

import csv
import json

import pytest

from vnmisinfo.claimreview import (
    BEST_RATING,
    PLACEHOLDER_URL,
    RATINGS,
    WORST_RATING,
    ReviewError,
    check_claimreview,
    draft_claimreview,
    drafts_from_csv,
    drafts_from_rows,
    is_reviewed,
)
from vnmisinfo.cli import main

FIELDS = ["id", "reviewed", "verdict", "narrative_id", "text", "url", "date", "claim", "author"]


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in FIELDS})
    return path


ROWS = [
    {"id": "a1", "reviewed": "yes", "verdict": "false", "text": "Uống nước chanh nóng diệt corona",
     "url": "https://facebook.com/post/1", "date": "2020-03-02", "author": "Trang tin X"},
    {"id": "a2", "reviewed": "", "verdict": "false", "text": "Chưa duyệt: sóng 5G gây covid"},
    {"id": "a3", "reviewed": "x", "narrative_id": "health-002", "text": "ăn tỏi hết covid"},
    {"id": "a4", "reviewed": "no", "verdict": "fabricated", "text": "Bài chưa được xác nhận"},
    {"id": "a5", "reviewed": "1", "verdict": "missing_context", "text": "Ảnh lũ cũ",
     "url": "https://a.vn/1; https://b.vn/2"},
]


@pytest.mark.parametrize("verdict", sorted(RATINGS))
def test_draft_structure_for_each_verdict(verdict):
    draft = draft_claimreview({"reviewed": "yes", "verdict": verdict, "text": "Tin đồn",
                               "url": "https://example.com/p"}, org="Tòa soạn A",
                              date="2024-05-01")
    assert check_claimreview(draft) == []
    assert draft["@context"] == "https://schema.org" and draft["@type"] == "ClaimReview"
    rating = draft["reviewRating"]
    assert rating["@type"] == "Rating"
    assert WORST_RATING <= rating["ratingValue"] <= BEST_RATING
    assert rating["alternateName"] == RATINGS[verdict][1]
    assert draft["itemReviewed"]["appearance"] == [{"@type": "CreativeWork",
                                                    "url": "https://example.com/p"}]
    assert draft["author"] == {"@type": "Organization", "name": "Tòa soạn A"}
    assert draft["inLanguage"] == "vi" and draft["datePublished"] == "2024-05-01"


def test_only_reviewed_rows_are_drafted(tmp_path):
    drafts, skipped, n = drafts_from_csv(_write(tmp_path / "r.csv", ROWS), org="Org",
                                         date="2024-05-01",
                                         narratives={"health-002": {"verdict": "false",
                                                                    "claim": "Ăn tỏi phòng COVID"}})
    assert n == 5 and skipped == []
    assert [d["url"] for d in drafts] == [PLACEHOLDER_URL.format(id=i) for i in ("a1", "a3", "a5")]
    text = json.dumps(drafts, ensure_ascii=False)
    assert "Chưa duyệt" not in text and "chưa được xác nhận" not in text
    assert drafts[1]["claimReviewed"] == "Ăn tỏi phòng COVID"
    assert drafts[0]["itemReviewed"]["author"] == {"@type": "Person", "name": "Trang tin X"}
    assert len(drafts[2]["itemReviewed"]["appearance"]) == 2


def test_unreviewed_row_is_refused_directly():
    with pytest.raises(ReviewError, match="not marked reviewed"):
        draft_claimreview({"reviewed": "no", "verdict": "false", "text": "x"}, org="Org")


def test_reviewed_row_without_verdict_names_the_row(tmp_path):
    rows = [ROWS[0], {"id": "b", "reviewed": "yes", "text": "Không có verdict"}]
    path = _write(tmp_path / "r.csv", rows)
    with pytest.raises(ReviewError, match=r"r.csv line 3: marked reviewed but has no verdict"):
        drafts_from_csv(path, org="Org")
    drafts, skipped, _ = drafts_from_csv(path, org="Org", skip_invalid=True)
    assert len(drafts) == 1 and "line 3" in skipped[0]


@pytest.mark.parametrize(("row", "message"), [
    ({"verdict": "true"}, "verdict 'true' is not one of"),
    ({"narrative_id": "nope-1"}, "narrative_id 'nope-1' is not in the catalogue"),
    ({"verdict": "false", "url": "facebook.com/x"}, "is not an http"),
    ({"verdict": "false", "date": "02/03/2020"}, "date '02/03/2020' is not"),
], ids=["bad-verdict", "unknown-narrative", "bad-url", "bad-date"])
def test_invalid_reviewed_rows(row, message):
    with pytest.raises(ReviewError, match=message):
        drafts_from_rows([{"reviewed": "yes", "text": "t", **row}], org="Org", narratives={})


def test_is_reviewed_table():
    assert [is_reviewed(v) for v in ("TRUE", " x ", "có", "false", "", None, "2")] == \
        [True, True, True, False, False, False, False]


def test_check_claimreview_catches_out_of_bounds_rating():
    draft = draft_claimreview({"reviewed": "y", "verdict": "false", "text": "t"}, org="Org")
    draft["reviewRating"]["ratingValue"] = 9
    assert any("worstRating <= ratingValue" in p for p in check_claimreview(draft))


def test_cli_claimreview(tmp_path, capsys):
    out = tmp_path / "drafts.jsonl"
    path = _write(tmp_path / "r.csv", ROWS)
    assert main(["claimreview", str(path), "-o", str(out), "--org", "Tòa soạn A",
                 "--date", "2024-05-01"]) == 0
    drafts = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(drafts) == 3 and all(check_claimreview(d) == [] for d in drafts)
    assert drafts[1]["reviewRating"]["alternateName"] == "Sai"  # health-002 verdict: false
    assert "3 ClaimReview draft(s) from 5 row(s)" in capsys.readouterr().err


def test_cli_claimreview_error_exit(tmp_path, capsys):
    path = _write(tmp_path / "r.csv", [{"id": "b", "reviewed": "yes", "text": "t"}])
    assert main(["claimreview", str(path), "--org", "Org"]) == 1
    assert "line 2: marked reviewed but has no verdict" in capsys.readouterr().err
