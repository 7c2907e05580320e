"""The HTML review report: structure, highlighting, escaping, offline rendering."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from vnmisinfo.batch.report_state import _ReportState
from vnmisinfo.batch.run import BatchSummary
from vnmisinfo.report.page import (
    COPIES,
    INPUT_KEY,
    parse_terms,
    render_report,
    review_rank,
    write_report,
)

TEXT = "Uống NƯỚC chanh nóng <script>alert(1)</script> diệt Virus corona, Bộ Y tế nói"
ITEMS = [
    {"vnm_score": 0.93, "vnm_tier": "high", "vnm_tier_reason": "both", "id": "p<1>",
     "text": TEXT,
     "vnm_top_terms": [("nước chanh", 0.41), ("virus corona", 0.3), ("bộ y tế", -0.2),
                       ("[log_shares]", 0.1)],
     "likes": "1,329", "comments": 7, "shares": None, "timestamp": 1585000000,
     "vnm_narrative_id": "health-lemon", "vnm_narrative_claim": "Nước chanh nóng diệt virus",
     "vnm_rebuttal": "WHO: không có bằng chứng nước chanh diệt virus."},
    {"vnm_score": 0.55, "vnm_tier": "medium", "vnm_tier_reason": "classifier", "id": 2,
     "text": "Giá xăng giảm nhẹ", "vnm_top_terms": "giá xăng:-0.120",
     "vnm_error": "not Vietnamese"},
    {"vnm_score": 0.02, "vnm_tier": "low", "id": 3, "text": "Hà Nội mưa", "vnm_top_terms": ""},
]
SUMMARY = BatchSummary(rows=5, tiers={"high": 1, "medium": 1, "low": 1}, not_scored=2,
                       errors={"empty text": 2, "not Vietnamese": 1}, error_rows=3, seconds=1.5)


class _Tags(HTMLParser):
    """Collects tags, the text inside each <mark>, and the classes of <article>s."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marks: list[tuple[str, str, str]] = []
        self._mark: list[str] | None = None
        self._attrs: dict[str, str | None] = {}
        self.cards: list[str] = []
        self._card = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "mark":
            self._mark, self._attrs = [], a
        if tag == "div" and a.get("class") == "n":
            self._card = True

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            self.marks.append(("".join(self._mark), self._attrs.get("class") or "",
                               self._attrs.get("title") or ""))
            self._mark = None

    def handle_data(self, data):
        if self._mark is not None:
            self._mark.append(data)
        if self._card:
            self.cards.append(data)
            self._card = False


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(ITEMS, SUMMARY, thresholds=(0.5, 0.8), source="/data/in.csv")


@pytest.fixture(scope="module")
def parsed(page) -> _Tags:
    p = _Tags()
    p.feed(page)
    return p


def test_counts_per_tier_are_shown(parsed):
    # rows, high, medium, low, not scored, rows noted in vnm_error
    assert parsed.cards == ["5", "1", "1", "1", "2", "3"]


def test_highlights_wrap_the_driving_words_of_the_original_text(parsed):
    item_marks = [m for m in parsed.marks if m[2]]  # the legend's marks have no weight
    assert ("NƯỚC chanh", "pos", "+0.410") in item_marks
    assert ("Virus corona", "pos", "+0.300") in item_marks
    assert ("Bộ Y tế", "neg", "-0.200") in item_marks
    assert ("Giá xăng", "neg", "-0.120") in item_marks
    assert len(item_marks) == 4  # the metadata term has no span


def test_post_text_is_escaped_and_the_only_scripts_are_the_page_own(page, parsed):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "p&lt;1&gt;" in page
    scripts = [attrs for tag, attrs in parsed.tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "items"}, {}]
    assert "http" not in page and "src=" not in page  # opens offline, nothing to fetch
    block = page.split('<script type="application/json" id="items">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert _data(page)["items"][0]["input"]["text"] == TEXT  # the data keeps the raw text


def _data(page: str) -> dict:
    block = page.split('<script type="application/json" id="items">')[1].split("</script>")[0]
    return json.loads(block)


def _visible_part(page: str) -> str:
    return page.split('<script type="application/json"')[0]


def test_banner_metadata_narrative_and_order(page):
    assert "never verdicts" in page
    assert "1,329 likes" in page and "7 comments" in page and "(UTC+7)" in page
    assert "Known narrative health-lemon" in page and "không có bằng chứng" in page
    assert page.index("#1") < page.index("0.930") < page.index("0.550") < page.index("0.020")
    assert _shown_ids(page) == ["p&lt;1&gt;", "2", "3"]
    assert "not Vietnamese" in page and "<svg" in page


def _shown_ids(page: str) -> list[str]:
    return [chunk.split("</span>")[0] for chunk in page.split("<span>id ")[1:]]


def test_items_come_by_tier_then_score():
    items = [
        {"vnm_score": 0.70, "vnm_tier": "low", "id": "low-high-score", "text": "a"},
        {"vnm_score": 0.20, "vnm_tier": "medium", "vnm_tier_reason": "known narrative",
         "vnm_narrative_id": "scam-001", "id": "lifted", "text": "b"},
        {"vnm_score": 0.95, "vnm_tier": "high", "id": "top", "text": "c"},
        {"vnm_score": 0.60, "vnm_tier": "medium", "id": "medium", "text": "d"},
        {"vnm_score": 0.10, "vnm_tier": "low", "id": "low", "text": "e"},
    ]
    page = render_report(items, {"rows": 5, "tiers": {}})
    # a known narrative comes first in its tier: lifted by its match, its score is low
    assert _shown_ids(page) == ["top", "lifted", "medium", "low-high-score", "low"]
    assert "Top 5 items by tier, known narratives first, then score" in page
    top2 = render_report(items, {"rows": 5, "tiers": {}}, top=2)
    assert _shown_ids(top2) == ["top", "lifted"]  # not buried under the classifier's rows


@pytest.mark.parametrize(("a", "b"), [
    (("high", 0.1), ("medium", 0.9)),
    (("medium", 0.1), ("low", 0.9)),
    (("low", 0.5), ("low", 0.4)),
    (("low", 0.0), ("unknown", 1.0)),
    (("medium", 0.1, "scam-001"), ("medium", 0.7, None)),
    (("high", 0.8, None), ("medium", 0.9, "scam-001")),
], ids=["high-over-medium", "medium-over-low", "score-within-tier", "known-tier-first",
        "known-narrative-within-tier", "tier-before-narrative"])
def test_review_rank(a, b):
    assert review_rank(*a) > review_rank(*b)


def test_tier_reason_is_shown_and_nothing_when_absent(page):
    assert "tier reason: both" in page and "tier reason: classifier" in page
    assert page.count("tier reason:") == 2  # the third item has none


def test_a_scored_file_is_read_by_its_vnm_columns():
    import pandas as pd

    frame = pd.DataFrame({"id": ["x", "y"], "text": ["Tin một", "Tin hai"],
                          "score": [99.0, 0.0], "tier": ["gold", "high"],
                          "error": ["reviewer-note", ""],
                          "vnm_score": [0.4, 0.9], "vnm_tier": ["low", "high"],
                          "vnm_tier_reason": [None, "classifier"],
                          "vnm_top_terms": ["một:+0.100", ""], "vnm_error": ["", None]})
    page = render_report(frame, {"rows": 2, "tiers": {}})
    assert _shown_ids(page) == ["y", "x"]
    assert "0.900" in page and "0.400" in page and "99.000" not in page
    assert "reviewer-note" not in _visible_part(page) and page.count("tier reason:") == 1
    data = _data(page)  # the input columns go back into the reviewed CSV
    assert data["columns"] == ["id", "text", "score", "tier", "error"]
    assert data["items"][1]["input"] == {"id": "x", "text": "Tin một", "score": 99.0,
                                         "tier": "gold", "error": "reviewer-note"}
    assert data["review"] == ["verdict", "narrative_id", "note"]


def test_top_limits_the_items(tmp_path):
    path = write_report(tmp_path / "r.html", ITEMS, {"rows": 3, "tiers": {}}, top=1)
    text = path.read_text(encoding="utf-8")
    assert "Top 1 items" in text and "0.930" in text and "0.550" not in text


@pytest.mark.parametrize(("value", "expected"), [
    ("virus corona:+0.421; bộ y tế:-0.100", [("virus corona", 0.421), ("bộ y tế", -0.1)]),
    ("«a:b»:+0.500", [("«a:b»", 0.5)]),
    ("", []),
    (None, []),
    ([["x", 1]], [("x", 1.0)]),
], ids=["text", "colon-in-term", "empty", "none", "pairs"])
def test_parse_terms(value, expected):
    assert parse_terms(value) == expected


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return exe


def test_renders_in_headless_chromium(tmp_path):
    exe = _chromium()
    html_path = write_report(tmp_path / "r.html", ITEMS, SUMMARY, thresholds=(0.5, 0.8))
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1000,1200", html_path.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


NARRATIVE = {
    "vnm_score": 0.91, "vnm_tier": "high", "id": "n1", "text": "Nước chanh nóng diệt virus",
    "vnm_narrative_id": "health-001", "vnm_narrative_similarity": 0.71,
    "vnm_narrative_claim": "Uống nước chanh nóng giúp diệt virus corona.",
    "vnm_rebuttal": "Hot lemon water does not kill the coronavirus.",
    "vnm_rebuttal_vi": "Không có bằng chứng nước chanh nóng diệt virus.",
    "vnm_sources": json.dumps([
        {"publisher": "AFP", "title": "Lemon check", "date": "2020-03-02",
         "url": "https://factcheck.example/lemon", "exact": True},
        {"publisher": "Bộ Y tế", "title": "Khuyến cáo", "date": "2020", "exact": False},
        {"publisher": "X", "title": "bad link", "url": "javascript:alert(1)", "exact": False}]),
    "vnm_context": "log_shares:+0.200; posting_hour:+0.000",
}
CANDIDATE = {"vnm_score": 0.3, "vnm_tier": "low", "id": "c1", "text": "Chanh và mật ong",
             "vnm_narrative_candidate": "health-001", "vnm_narrative_similarity": 0.33}


def test_narrative_rebuttal_vietnamese_first_then_english_and_sources():
    page = render_report([NARRATIVE, CANDIDATE], {"rows": 2, "tiers": {}},
                         narratives={"health-001": "Uống nước chanh nóng giúp diệt virus corona.",
                                     "finance-002": "Đổi tiền"})
    visible = _visible_part(page)
    assert visible.index("Không có bằng chứng") < visible.index("<summary>English</summary>") \
        < visible.index("Hot lemon water")
    assert '<a href="https://factcheck.example/lemon" target="_blank" rel="noopener noreferrer">' \
        "Lemon check</a> — AFP, 2020-03-02" in visible
    assert visible.count("Nguồn được mô tả, chưa có liên kết / Source described, not linked") == 2
    assert "javascript:" not in visible  # an address that is not http(s) is never a link
    assert "Context signals" in visible and "log_shares +0.200" in visible
    assert "posting_hour" not in visible  # a signal that moved nothing is left out
    assert '<div class="narr cand"><div class="nh">Possible narrative health-001' in visible
    # a candidate is a lead to read, not a claim the text makes
    assert "not a confident match; the text may share its topic, or report, warn about or " \
        "refute the claim, without asserting it" in visible
    assert visible.count("Uống nước chanh nóng giúp diệt virus corona.") == 2  # claim of both
    assert '<option value="finance-002">' in visible and '<option value="health-001">' in visible


def test_report_key_follows_the_items():
    one = _data(render_report([NARRATIVE], {"rows": 1}, narratives={}))["report"]
    again = _data(render_report([NARRATIVE], {"rows": 1}, narratives={}))["report"]
    other = _data(render_report([{**NARRATIVE, "text": "khác"}], {"rows": 1},
                                narratives={}))["report"]
    assert one == again and one != other and len(one) == 16


def test_batch_items_keep_every_input_column_for_the_reviewed_csv():
    state = _ReportState(top=2)
    row = {"post_id": "p1", "message": "Tỏi chữa covid", "source": "zalo, nhóm", "likes": "12",
           "vnm_score": "0.1"}
    state.add(0, {"vnm_score": 0.8, "vnm_tier": "high", "vnm_model": "m1"}, "Tỏi chữa covid",
              "p1", {"likes": "12"}, [("tỏi", 0.4)], row=row)
    state.add(1, {"vnm_score": 0.2, "vnm_tier": "low"}, "Hà Nội mưa", 2, {}, [])
    items = state.items()
    assert items[0][INPUT_KEY] == {"post_id": "p1", "message": "Tỏi chữa covid",
                                   "source": "zalo, nhóm", "likes": "12"}
    assert items[1][INPUT_KEY] == {"id": 2, "text": "Hà Nội mưa"}  # without the row: by role
    restored = _ReportState(top=2, state=json.loads(json.dumps(state.state())))
    data = _data(render_report(restored.items(), {"rows": 2}, narratives={}))
    assert data["columns"] == ["post_id", "message", "source", "likes", "id", "text"]
    assert data["items"][0]["vnm_model"] == "m1" and data["items"][0]["vnm_tier"] == "high"


def _meta(page: str) -> list[list[str]]:
    """The metadata spans of each shown item, after its id."""
    out = []
    for chunk in page.split("<span>id ")[1:]:
        line = chunk.split("</div>")[0]
        out.append([s.split("</span>")[0] for s in line.split("<span>")[1:]])
    return out


def test_metadata_shows_counts_and_times_as_the_model_reads_them():
    """'1.234' comments showed as '1 comments'; 1.2K, '7 nghìn', 2M, 1.234.567, ISO,
    day-first and millisecond times were left out, though the model read them."""
    base = {"vnm_tier": "high", "text": "Uống nước chanh nóng diệt virus corona"}
    items = [
        {**base, "vnm_score": 0.9, "id": "a1", "likes": "1.2K", "shares": "7 nghìn",
         "comments": "1.234", "timestamp": "2024-03-05T10:30:00+07:00"},
        {**base, "vnm_score": 0.8, "id": "a2", "likes": "2M", "shares": 3, "comments": "4",
         "timestamp": "05/03/2024 10:30"},
        {**base, "vnm_score": 0.7, "id": "a3", "likes": "1.234.567", "timestamp": 1709609400000},
        {**base, "vnm_score": 0.6, "id": "a4", "likes": "nhiều", "comments": -3,
         "timestamp": "2024-03-05"},  # unreadable, as scoring reads them: left out
    ]
    shown = _meta(render_report(items, {"rows": 4}, narratives={}))
    when = "2024-03-05 10:30 (UTC+7)"
    assert shown == [["1,200 likes", "1,234 comments", "7,000 shares", when],
                     ["2,000,000 likes", "4 comments", "3 shares", when],
                     ["1,234,567 likes", when], []]


def test_control_characters_are_not_shown_and_the_reviewed_csv_keeps_them():
    """NUL and escapes of a post went into the page (a browser shows NUL as U+FFFD), though
    scoring removes them."""
    import re

    text = "Tin nóng\x00 uống\x1b[31m nước chanh\x7f diệt\x9b virus\r\ncorona\ufdd0!"
    item = {"vnm_score": 0.9, "vnm_tier": "high", "id": "x\x01", "title": "Tựa\x07 đề",
            "text": text, "text_chars": len(text), "vnm_top_terms": "nước chanh:+0.400",
            INPUT_KEY: {"id": "x\x01", "title": "Tựa\x07 đề", "text": text}}
    page = render_report([item], {"rows": 1}, narratives={})
    visible = _visible_part(page)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0]", visible)
    assert "Tin nóng uống[31m <mark" in visible and "Tựa đề" in visible
    assert "characters in all" not in visible  # nothing was cut
    assert _data(page)["items"][0]["input"] == {"id": "x\x01", "title": "Tựa\x07 đề",
                                                "text": text}


def _add(state, seq, text, score, tier="high"):
    state.add(seq, {"vnm_score": score, "vnm_tier": tier}, text, seq, {}, [])


def test_copies_of_a_post_make_one_item_with_their_count():
    """The top 50 of ReINTEL held 39 distinct texts: copies took the page's slots."""
    state = _ReportState(top=2)
    _add(state, 0, "Tỏi chữa covid", 0.9)
    _add(state, 1, "Giá xăng giảm", 0.8)
    _add(state, 2, "Uống nước chanh", 0.85)  # pushes 'Giá xăng giảm' out
    _add(state, 3, "Tỏi chữa covid", 0.1, "low")  # below the page: a byte-for-byte copy counts
    _add(state, 4, "  TỎI chữa   covid ", 0.95)  # the same once normalized: it comes first
    _add(state, 5, "Giá xăng giảm", 0.2, "low")  # a copy of a text no longer kept
    items = state.items()
    assert [(i["id"], i[COPIES]) for i in items] == [(4, 2), (2, 0)]
    restored = _ReportState(top=2, state=json.loads(json.dumps(state.state())))
    _add(restored, 6, "Tỏi chữa covid", 0.3, "medium")
    assert [(i["id"], i[COPIES]) for i in restored.items()] == [(4, 3), (2, 0)]
    page = render_report(restored.items(), {"rows": 7}, narratives={})
    assert "also posted 3 times" in page and page.count("also posted") == 1
    assert "_copies" not in json.dumps(_data(page)["items"])


def test_copies_keep_memory_bounded_by_top():
    state = _ReportState(top=3)
    for seq in range(3000):
        _add(state, seq, f"Tin số {seq % 7}", (seq % 1000) / 1000)
    assert len(state.items()) == 3 and len(state._heap) <= 2 * 3 + 16
    assert len(state._raw) <= 4 * 3 + 64 + 1
    assert sum(i[COPIES] for i in state.items()) >= 3 * (3000 // 7 - 1) // 2


def test_a_page_cut_at_its_top_says_how_many_high_and_medium_rows_it_leaves_out():
    """A page of 50 of 9,295 high and medium items did not say that the rest were left out."""
    items = [{"vnm_score": 0.9 - i / 100, "vnm_tier": "high" if i < 3 else "medium",
              "text": f"Tin {i}", COPIES: 1 if i == 0 else 0} for i in range(6)]
    summary = {"rows": 20, "tiers": {"high": 4, "medium": 5, "low": 11}}
    page = render_report(items, summary, top=2, narratives={})
    note = page.split('id="left-out">')[1].split("</p>")[0]
    assert note.startswith("6 more high or medium rows of the batch are not on this page")
    assert "--report-top N" in note and "vnmisinfo queue" in note
    assert 'id="left-out"' not in render_report(items, {"rows": 6}, top=6, narratives={})


@pytest.mark.parametrize(("source", "name"), [("/data/posts.csv.gz", "posts"),
                                              ("in.jsonl", "in"), ("-", "review"),
                                              (None, "review")])
def test_the_reviewed_csv_is_named_after_the_input_without_its_extensions(source, name):
    """posts.csv.gz gave posts.csv.reviewed.csv, and standard input -.reviewed.csv."""
    assert _data(render_report(ITEMS, SUMMARY, thresholds=(0.5, 0.8), source=source))[
        "name"] == name


def test_a_long_matched_sentence_is_cut_as_the_text_is():
    """A 24,068-character post without a full stop was cut, but shown again in full as
    its matched sentence."""
    sentence = "nước chanh nóng diệt virus " * 900
    item = {**ITEMS[0], "text": sentence[:4000], "text_chars": len(sentence),
            "vnm_narrative_sentence": sentence}
    page = render_report([item], SUMMARY, thresholds=(0.5, 0.8))
    shown = page.split("matched sentence: ")[1].split("</div>")[0]
    assert shown.endswith("…") and len(shown) == 601
