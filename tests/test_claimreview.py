"""ClaimReview drafts: structure, rating mapping, and drafting only reviewer-confirmed rows."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from vnmisinfo.cli import main
from vnmisinfo.report.claimreview import (
    AUTHOR_TYPES,
    BEST_RATING,
    CLAIM_CHARS,
    PLACEHOLDER_URL,
    RATINGS,
    WORST_RATING,
    ReviewError,
    check_claimreview,
    draft_claimreview,
    drafts_from_csv,
    drafts_from_rows,
    short_claim,
)

FIELDS = ["id", "verdict", "rating", "narrative_id", "text", "url", "date", "claim", "author"]


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in FIELDS})
    return path


ROWS = [
    {"id": "a1", "verdict": "misinformation", "text": "Uống nước chanh nóng diệt corona",
     "url": "https://facebook.com/post/1", "date": "2020-03-02", "author": "Trang tin X"},
    {"id": "a2", "verdict": "", "narrative_id": "health-002",
     "text": "Chưa duyệt: sóng 5G gây covid"},
    {"id": "a3", "verdict": "MISINFORMATION", "narrative_id": "health-002",
     "text": "ăn tỏi hết covid"},
    {"id": "a4", "verdict": "reliable", "text": "Bài đã được xác nhận là đúng"},
    {"id": "a5", "verdict": "misinformation", "rating": "missing_context", "text": "Ảnh lũ cũ",
     "url": "https://a.vn/1; https://b.vn/2"},
    {"id": "a6", "verdict": "unsure", "text": "Chưa rõ thực hư"},
]


@pytest.mark.parametrize("rating", sorted(RATINGS))
def test_draft_structure_for_each_rating(rating):
    draft = draft_claimreview({"verdict": "misinformation", "rating": rating, "text": "Tin đồn",
                               "url": "https://example.com/p"}, org="Tòa soạn A",
                              date="2024-05-01")
    assert check_claimreview(draft) == []
    assert draft["@context"] == "https://schema.org" and draft["@type"] == "ClaimReview"
    rating_doc = draft["reviewRating"]
    assert rating_doc["@type"] == "Rating"
    assert WORST_RATING <= rating_doc["ratingValue"] <= BEST_RATING
    assert rating_doc["alternateName"] == RATINGS[rating][1]
    assert draft["itemReviewed"]["appearance"] == [{"@type": "CreativeWork",
                                                    "url": "https://example.com/p"}]
    assert draft["author"] == {"@type": "Organization", "name": "Tòa soạn A"}
    assert draft["inLanguage"] == "vi" and draft["datePublished"] == "2024-05-01"


def test_without_a_rating_the_catalogue_verdict_of_the_narrative_rates_the_claim():
    """An old photo shown as new is "missing context", not "false"; a rating given wins."""
    narratives = {"miscaptioned_media-001": {"verdict": "missing_context", "claim": "Ảnh lũ"},
                  "health-001": {"verdict": "false", "claim": "Nước chanh diệt corona"}}
    row = {"verdict": "misinformation", "text": "Ảnh lũ hôm nay", "date": "2024-04-01"}

    def rated(**cells):
        draft = draft_claimreview({**row, **cells}, org="Org", date="2024-05-01",
                                  narratives=narratives)
        return draft["reviewRating"]["alternateName"]

    assert rated(narrative_id="miscaptioned_media-001") == RATINGS["missing_context"][1]
    assert rated(narrative_id="miscaptioned_media-001", rating="false") == RATINGS["false"][1]
    assert rated(narrative_id="health-001") == RATINGS["false"][1]
    assert rated() == RATINGS["false"][1]  # no narrative: false, as before


def test_only_misinformation_rows_are_drafted(tmp_path):
    drafts, skipped, n = drafts_from_csv(_write(tmp_path / "r.csv", ROWS), org="Org",
                                         date="2024-05-01",
                                         narratives={"health-002": {"verdict": "false",
                                                                    "claim": "Ăn tỏi phòng COVID"}})
    assert n == 6 and skipped == []
    assert [d["url"] for d in drafts] == [PLACEHOLDER_URL.format(id=i) for i in ("a1", "a3", "a5")]
    text = json.dumps(drafts, ensure_ascii=False)
    assert "Chưa duyệt" not in text and "xác nhận là đúng" not in text and "thực hư" not in text
    assert drafts[1]["claimReviewed"] == "Ăn tỏi phòng COVID"
    assert drafts[1]["reviewRating"]["alternateName"] == "Sai"  # the default rating
    assert drafts[0]["itemReviewed"]["author"] == {"@type": "Person", "name": "Trang tin X"}
    assert len(drafts[2]["itemReviewed"]["appearance"]) == 2


@pytest.mark.parametrize("verdict", ["", "reliable", "unsure"])
def test_a_row_without_a_misinformation_verdict_is_refused_directly(verdict):
    with pytest.raises(ReviewError, match="only rows a reviewer marked 'misinformation'"):
        draft_claimreview({"verdict": verdict, "narrative_id": "health-001", "text": "x"},
                          org="Org", narratives={"health-001": {"verdict": "false"}})


def test_unknown_verdict_names_the_row(tmp_path):
    rows = [ROWS[0], {"id": "b", "verdict": "false", "text": "Sai vocab"}]
    path = _write(tmp_path / "r.csv", rows)
    with pytest.raises(ReviewError, match=r"r.csv line 3: verdict 'false' is not one of"):
        drafts_from_csv(path, org="Org")
    drafts, skipped, _ = drafts_from_csv(path, org="Org", skip_invalid=True)
    assert len(drafts) == 1 and "line 3" in skipped[0]


def test_a_bad_row_is_named_by_its_line_after_a_cell_of_several_lines(tmp_path):
    """Rows were counted, not lines: a text of three lines above put the message two lines off."""
    rows = [{**ROWS[0], "text": "Dòng một\ndòng hai\ndòng ba"},
            {"id": "b", "verdict": "false", "text": "Sai vocab"}]
    with pytest.raises(ReviewError, match=r"r.csv line 5: verdict 'false'"):
        drafts_from_csv(_write(tmp_path / "r.csv", rows), org="Org")
    jsonl = tmp_path / "r.jsonl"
    pd.DataFrame(rows).to_json(jsonl, orient="records", lines=True, force_ascii=False)
    with pytest.raises(ReviewError, match=r"r.jsonl line 2: verdict 'false'"):
        drafts_from_csv(jsonl, org="Org")


def test_a_bad_row_is_named_by_its_line_after_blank_lines(tmp_path):
    """Blank lines were counted as rows: the message named the line above the bad row."""
    path = tmp_path / "r.csv"
    path.write_text("id,text,verdict,date\n\n1,Tin một,misinformation,2020-01-01\n\n   \n"
                    "2,Tin hai,misinformation,2020-13-01\n\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"r\.csv line 6: date '2020-13-01'"):
        drafts_from_csv(path, org="Org")


@pytest.mark.parametrize(("row", "message"), [
    ({"rating": "true"}, "rating 'true' is not one of"),
    ({"narrative_id": "nope-1"}, "narrative_id 'nope-1' is not in the catalogue"),
    ({"url": "facebook.com/x"}, "is not an http"),
    ({"date": "02/03/2020"}, "date '02/03/2020' is not a real date"),
    ({"date": "2024-13-45"}, "date '2024-13-45' is not a real date"),
], ids=["bad-rating", "unknown-narrative", "bad-url", "bad-date-form", "impossible-date"])
def test_invalid_misinformation_rows(row, message):
    with pytest.raises(ReviewError, match=message):
        drafts_from_rows([{"verdict": "misinformation", "text": "t", **row}], org="Org",
                         narratives={})


def test_rows_as_a_dataframe_are_refused_with_the_way_to_pass_them():
    frame = pd.DataFrame([{"verdict": "misinformation", "text": "Tỏi chữa khỏi covid"}])
    with pytest.raises(TypeError, match=r"rows must be an iterable of mappings.*got DataFrame: "
                                        r"pass its rows: drafts_from_rows\(frame\.to_dict\("
                                        r"'records'\)"):
        drafts_from_rows(frame, org="Desk")
    drafts, _ = drafts_from_rows(frame.to_dict("records"), org="Desk")
    assert drafts[0]["claimReviewed"] == "Tỏi chữa khỏi covid"
    with pytest.raises(TypeError, match="row line 2: each row must be a mapping"):
        drafts_from_rows(["Tỏi chữa khỏi covid"], org="Desk")


@pytest.mark.parametrize("org", [123, ["Desk"]], ids=["int", "list"])
def test_org_of_another_type_is_named(org):
    row = {"verdict": "misinformation", "text": "t"}
    with pytest.raises(TypeError, match=f"org must be a str, the name of the fact-checking "
                                        f"organisation .*; got {type(org).__name__}"):
        drafts_from_rows([row], org=org)
    with pytest.raises(TypeError, match="org must be a str"):
        draft_claimreview(row, org=org)


@pytest.mark.parametrize("date", ["2024-13-45", "2023-02-29", "2024-5-1"])
def test_publication_date_must_be_a_real_date(date):
    with pytest.raises(ReviewError, match="not a real date"):
        draft_claimreview({"verdict": "misinformation", "text": "t"}, org="Org", date=date)


def test_check_claimreview_catches_out_of_bounds_rating():
    draft = draft_claimreview({"verdict": "misinformation", "text": "t"}, org="Org")
    draft["reviewRating"]["ratingValue"] = 9
    assert any("worstRating <= ratingValue" in p for p in check_claimreview(draft))


def test_cli_claimreview(tmp_path, capsys):
    out = tmp_path / "drafts.jsonl"
    path = _write(tmp_path / "r.csv", ROWS)
    assert main(["claimreview", str(path), "-o", str(out), "--org", "Tòa soạn A",
                 "--date", "2024-05-01"]) == 0
    drafts = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(drafts) == 3 and all(check_claimreview(d) == [] for d in drafts)
    assert "3 ClaimReview draft(s) from 6 row(s)" in capsys.readouterr().err


def test_cli_claimreview_keeps_large_ids_when_one_is_missing(tmp_path, capsys):
    """A row without the id turned the others into floats: TODO-1.0158123456789016e-16."""
    path = tmp_path / "r.jsonl"
    ids = [10158123456789013, None, 10158123456789015]
    path.write_text("".join(
        json.dumps({**({"id": i} if i else {}), "text": f"Tin đồn {n}",
                    "verdict": "misinformation"}) + "\n" for n, i in enumerate(ids)),
        encoding="utf-8")
    out = tmp_path / "drafts.jsonl"
    assert main(["claimreview", str(path), "-o", str(out), "--org", "Org"]) == 0
    urls = [json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert urls == [PLACEHOLDER_URL.format(id=i) for i in
                    ("10158123456789013", "r.jsonl-line-2", "10158123456789015")]


@pytest.mark.parametrize("name", ["drafts.csv", "drafts.xlsx"])
def test_cli_claimreview_refuses_an_output_that_is_not_json_lines(tmp_path, capsys, name):
    """-o drafts.csv wrote JSON Lines under a CSV name."""
    path = _write(tmp_path / "r.csv", ROWS)
    assert main(["claimreview", str(path), "-o", str(tmp_path / name), "--org", "Org"]) == 1
    assert "JSON Lines (one JSON-LD object per line); name it .jsonl" in capsys.readouterr().err
    assert not (tmp_path / name).exists()


def test_cli_claimreview_error_exit(tmp_path, capsys):
    path = _write(tmp_path / "r.csv", [{"id": "b", "verdict": "misinformation", "text": "t",
                                        "date": "2024-13-45"}])
    assert main(["claimreview", str(path), "--org", "Org"]) == 1
    assert "line 2: date '2024-13-45' is not a real date" in capsys.readouterr().err


@pytest.mark.parametrize("ext", ["jsonl", "parquet"])
def test_reviewed_jsonl_and_parquet_give_the_same_drafts_as_csv(tmp_path, ext):
    """claimreview reads the formats feedback reads, with the same drafts."""
    import pandas as pd

    csv_path = _write(tmp_path / "r.csv", ROWS)
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    other = tmp_path / f"r.{ext}"
    if ext == "jsonl":
        frame.to_json(other, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(other, index=False)
    known = {"health-002": {"verdict": "false", "claim": "Ăn tỏi phòng COVID"}}
    want = drafts_from_csv(csv_path, org="Org", date="2024-05-01", narratives=known)
    got = drafts_from_csv(other, org="Org", date="2024-05-01", narratives=known)
    assert got == want and len(got[0]) == 3


def test_a_bad_reviewed_file_is_named_with_the_fix(tmp_path, capsys):
    """A missing file, a folder and a file that is not UTF-8 printed raw Python errors."""
    from vnmisinfo.cli import main

    (tmp_path / "afolder.csv").mkdir()
    (tmp_path / "latin.csv").write_bytes("text,verdict\ncafé,misinformation\n".encode("latin-1"))
    for name, said in [("missing.csv", "file not found; check the path"),
                       ("afolder.csv", "a folder, not a file"),
                       ("latin.csv", "not UTF-8 text")]:
        assert main(["claimreview", str(tmp_path / name), "--org", "Desk"]) != 0
        err = capsys.readouterr().err
        assert said in err and "Errno" not in err


def test_a_reviewed_file_with_post_message_is_drafted(tmp_path):
    """A queue built from ReINTEL-format posts has post_message, not text: its rows were
    dropped as having no claim."""
    from vnmisinfo.report.claimreview import drafts_from_csv

    path = tmp_path / "reviewed.csv"
    path.write_text("id,post_message,verdict\n7,Uống nước chanh nóng diệt virus corona,"
                    "misinformation\n8,Trời đẹp,reliable\n", encoding="utf-8")
    drafts, skipped, rows = drafts_from_csv(path, org="Tòa soạn A", date="2024-05-01")
    assert rows == 2 and skipped == [] and len(drafts) == 1
    assert "Uống nước chanh nóng" in drafts[0]["claimReviewed"]


def test_a_queue_made_with_a_text_column_is_drafted_with_the_same_option(tmp_path, capsys):
    """A queue built with --text-column body_txt failed: 'no claim to review'."""
    path = tmp_path / "reviewed.csv"
    path.write_text("id,body_txt,verdict\n7,Uống nước chanh nóng diệt virus corona,"
                    "misinformation\n8,Trời đẹp,reliable\n", encoding="utf-8")
    out = tmp_path / "d.jsonl"
    common = ["-o", str(out), "--org", "Tòa soạn A", "--date", "2024-05-01"]
    assert main(["claimreview", str(path), *common]) == 1
    assert "no claim to review" in capsys.readouterr().err
    assert main(["claimreview", str(path), "--text-column", "body_txt", *common]) == 0
    drafts = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(drafts) == 1 and "Uống nước chanh nóng" in drafts[0]["claimReviewed"]
    assert main(["claimreview", str(path), "--text-column", "body", *common]) == 1
    assert "text column 'body' not found" in capsys.readouterr().err


def test_reviewer_columns_named_as_a_spreadsheet_does_are_read(tmp_path):
    """'Verdict', 'Narrative ID', 'URL ' were refused or dropped: only exact names were read."""
    path = tmp_path / "r.csv"
    path.write_text("ID,Post_Message,Verdict,Narrative ID,URL ,Date\n"
                    "7,Ăn tỏi hết covid,Misinformation,health-002,https://a.vn/1,2020-03-02\n",
                    encoding="utf-8")
    drafts, skipped, _ = drafts_from_csv(path, org="Org", date="2024-05-01", narratives={
        "health-002": {"verdict": "false", "claim": "Ăn tỏi phòng COVID"}})
    assert skipped == [] and len(drafts) == 1
    assert drafts[0]["url"] == PLACEHOLDER_URL.format(id="7")
    assert drafts[0]["claimReviewed"] == "Ăn tỏi phòng COVID"
    assert drafts[0]["itemReviewed"]["appearance"] == [{"@type": "CreativeWork",
                                                        "url": "https://a.vn/1"}]
    assert drafts[0]["itemReviewed"]["datePublished"] == "2020-03-02"
    path.write_text("text,Verdict,VERDICT\nTin,misinformation,reliable\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="two columns that read as 'verdict'"):
        drafts_from_csv(path, org="Org")


@pytest.mark.parametrize("cell", [
    "https://facebook.com/a, https://facebook.com/b", "https://facebook.com/a,https://facebook.com/b",
    "https://facebook.com/a,\nhttps://facebook.com/b,", "https://facebook.com/a; https://facebook.com/b",
])
def test_a_list_of_addresses_separated_by_commas_gives_each_address_whole(cell):
    """A comma-separated list published 'https://facebook.com/a,' as an address."""
    draft = draft_claimreview({"verdict": "misinformation", "text": "t", "url": cell},
                              org="Org")
    assert [a["url"] for a in draft["itemReviewed"]["appearance"]] == [
        "https://facebook.com/a", "https://facebook.com/b"]
    assert check_claimreview(draft) == []
    draft["itemReviewed"]["appearance"][0]["url"] = "https://facebook.com/a,"
    assert check_claimreview(draft) == [
        "bad appearance {'@type': 'CreativeWork', 'url': 'https://facebook.com/a,'}"]
    comma = draft_claimreview({"verdict": "misinformation", "text": "t",
                               "url": "https://a.vn/tin,12.html"}, org="Org")
    assert comma["itemReviewed"]["appearance"][0]["url"] == "https://a.vn/tin,12.html"


def test_a_date_after_today_is_refused(tmp_path, capsys):
    """A claim 'seen' in 2099 and a fact-check 'published' in 2099 were drafted."""
    with pytest.raises(ReviewError, match=r"row: date '2099-01-01' is after today; give the "
                                          "day the claim appeared"):
        draft_claimreview({"verdict": "misinformation", "text": "t", "date": "2099-01-01"},
                          org="Org")
    with pytest.raises(ReviewError, match="date '2099' is after today"):
        draft_claimreview({"verdict": "misinformation", "text": "t", "date": "2099"}, org="Org")
    path = _write(tmp_path / "r.csv", ROWS)
    assert main(["claimreview", str(path), "--org", "Org", "--date", "2099-12-31"]) == 1
    assert "date '2099-12-31' is after today" in capsys.readouterr().err


def test_an_id_a_spreadsheet_made_scientific_is_kept_as_written_with_a_note(tmp_path, capsys):
    """'4.40E+03' became the placeholder TODO-4.40E-03, which reads as another number."""
    path = _write(tmp_path / "r.csv", [{"id": "4.40E+03", "verdict": "misinformation",
                                        "text": "Vắc xin gây vô sinh"}])
    with pytest.warns(UserWarning, match=r"1 id\(s\) look like numbers a spreadsheet rewrote "
                                         r"in scientific notation.*r\.csv line 2 \(4\.40E\+03\)"):
        drafts, _, _ = drafts_from_csv(path, org="Org")
    assert drafts[0]["url"] == PLACEHOLDER_URL.format(id="4.40E+03")
    assert main(["claimreview", str(path), "--org", "Org"]) == 0
    assert "note: 1 id(s) look like numbers" in capsys.readouterr().err


def test_a_title_is_the_claim_without_a_text_and_is_joined_to_a_text(tmp_path):
    """A row with a title and no text was refused ('no claim to review'), and a title beside
    a text was never used."""
    path = tmp_path / "r.csv"
    path.write_text("id,Tiêu đề,text,verdict\n11,Tỏi chữa covid,,misinformation\n"
                    "12,Tin sốc,Uống nước nóng diệt virus,misinformation\n", encoding="utf-8")
    drafts, skipped, _ = drafts_from_csv(path, org="Org")
    assert skipped == []
    assert [d["claimReviewed"] for d in drafts] == ["Tỏi chữa covid",
                                                    "Tin sốc. Uống nước nóng diệt virus"]
    with pytest.raises(ReviewError, match="no claim to review; fill the claim, title or text"):
        draft_claimreview({"verdict": "misinformation", "title": " ", "text": ""}, org="Org")


SCRIPT = "Cột 5G gây covid </script><script>alert(2)</script> & mọi người ơi"


def test_drafts_escape_a_closing_script_tag_and_print_no_control_character(tmp_path, capsys):
    """A post's </script><script>... closed the JSON-LD block the draft is pasted in, and a
    printed draft sent a post's escape sequences to the terminal."""
    path = _write(tmp_path / "r.csv", [{"id": "x2", "verdict": "misinformation", "text": SCRIPT,
                                        "url": "https://a.vn/\x1b[2J\x9b31m"}])
    out = tmp_path / "drafts.jsonl"
    assert main(["claimreview", str(path), "--org", "Org\u2028<b>\u2029 A", "-o", str(out)]) == 0
    assert main(["claimreview", str(path), "--org", "Org\u2028<b>\u2029 A"]) == 0
    printed = capsys.readouterr().out
    for line in (out.read_text(encoding="utf-8").strip(), printed.strip()):
        assert "\n" not in line and not set("<>&\u2028\u2029\x1b\x9b") & set(line)
        assert "\\u003c/script\\u003e" in line and "\\u001b[2J\\u009b31m" in line
        draft = json.loads(line)  # the same value, read back
        assert draft["claimReviewed"] == SCRIPT
        assert draft["author"]["name"] == "Org\u2028<b>\u2029 A"
        assert draft["itemReviewed"]["appearance"][0]["url"] == "https://a.vn/\x1b[2J\x9b31m"


def test_a_claim_taken_from_a_long_post_is_cut_cleaned_and_noted(tmp_path, capsys):
    """A 104,000-character post gave a 104k claimReviewed, with the post's control
    characters, and nothing said that the claim was still to write."""
    long = "Tiêm \x01vắc xin\x1b[31m gây vô sinh\x7f cho phụ nữ, bộ y tế giấu " * 2000
    path = _write(tmp_path / "r.csv", [{"id": "1", "verdict": "misinformation", "text": long},
                                       {"id": "2", "verdict": "misinformation", "text": long,
                                        "claim": "Tiêm vắc xin gây vô sinh"}])
    with pytest.warns(UserWarning, match=r"1 draft\(s\) have no claim written.*line\(s\) 2\)"):
        drafts, _, _ = drafts_from_csv(path, org="Org")
    claim = drafts[0]["claimReviewed"]
    assert len(claim) <= CLAIM_CHARS and claim.endswith(" sinh…")  # at a word's end
    assert claim.startswith("Tiêm vắc xin[31m gây vô sinh cho phụ nữ, bộ y tế giấu Tiêm")
    assert drafts[1]["claimReviewed"] == "Tiêm vắc xin gây vô sinh"
    assert main(["claimreview", str(path), "--org", "Org"]) == 0
    assert "note: 1 draft(s) have no claim written, so their claimReviewed is the post's text" \
        in capsys.readouterr().err


@pytest.mark.parametrize(("text", "claim"), [
    ("Uống nước chanh diệt virus corona. " + "Chia sẻ cho mọi người cùng biết nhé " * 10,
     "Uống nước chanh diệt virus corona. …"),
    ("a" * 400, "a" * (CLAIM_CHARS - 1) + "…"),
    ("Ngắn  thôi\n\nnhé", "Ngắn thôi nhé"),
])
def test_short_claim_keeps_whole_sentences_or_words(text, claim):
    assert short_claim(text, limit=100 if "." in text else CLAIM_CHARS) == claim


@pytest.mark.parametrize(("given", "written"), [
    ("", "Person"), ("organization", "Organization"),
    ("NewsMediaOrganization", "NewsMediaOrganization")])
def test_author_type_is_a_schema_org_type(given, written):
    draft = draft_claimreview({"verdict": "misinformation", "text": "t", "author": "Trang X",
                               "author_type": given}, org="Org")
    assert draft["itemReviewed"]["author"] == {"@type": written, "name": "Trang X"}
    assert written in AUTHOR_TYPES and check_claimreview(draft) == []


def test_an_author_type_that_is_no_schema_org_type_is_refused_naming_the_line(tmp_path):
    """'"@type": "<script>"' was copied into itemReviewed.author and passed the check."""
    path = tmp_path / "r.csv"
    path.write_text("id,text,verdict,author,author_type\n1,t,misinformation,A,Person\n"
                    "2,t,misinformation,A,<script>\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"r\.csv line 3: author_type '<script>' is not one "
                                          "of Person, Organization"):
        drafts_from_csv(path, org="Org")
    draft = draft_claimreview({"verdict": "misinformation", "text": "t", "author": "A"},
                              org="Org")
    draft["itemReviewed"]["author"]["@type"] = "<script>"
    assert any("itemReviewed.author must be one of" in p for p in check_claimreview(draft))


def test_a_claim_seen_after_the_review_is_published_is_refused_naming_the_line(tmp_path):
    """A claim 'seen' on 2024-06 was drafted in a fact-check published on 2024-05-15."""
    path = _write(tmp_path / "r.csv", [{"id": "1", "verdict": "misinformation", "text": "t",
                                        "date": "2024-05-15"},
                                       {"id": "2", "verdict": "misinformation", "text": "t",
                                        "date": "2024-06"}])
    with pytest.raises(ReviewError, match=r"r\.csv line 3: date '2024-06' \(when the claim "
                                          r"appeared\) is after the review's datePublished "
                                          "2024-05-15"):
        drafts_from_csv(path, org="Org", date="2024-05-15")
    drafts, skipped, _ = drafts_from_csv(path, org="Org", date="2024-05-15", skip_invalid=True)
    assert [d["itemReviewed"]["datePublished"] for d in drafts] == ["2024-05-15"]
    assert len(skipped) == 1 and check_claimreview(drafts[0]) == []
    drafts[0]["itemReviewed"]["datePublished"] = "2024-05-16"
    assert "itemReviewed.datePublished must not be after datePublished" in \
        check_claimreview(drafts[0])


def test_a_narrative_id_of_a_team_catalogue_says_to_pass_it_with_catalogue(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text("id,text,verdict,narrative_id\n1,abc,misinformation,team-001\n",
                    encoding="utf-8")
    assert main(["claimreview", str(path), "--org", "X"]) == 1
    assert ("line 2: narrative_id 'team-001' is not in the catalogue; if it is a narrative of "
            "your team's catalogue (the file given to 'score --narratives'), pass that file "
            "with --catalogue FILE") in capsys.readouterr().err
