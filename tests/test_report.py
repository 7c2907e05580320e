"""The HTML review report: structure, highlighting, escaping, offline rendering."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from vnmisinfo.batch import BatchSummary
from vnmisinfo.report import parse_terms, render_report, write_report

TEXT = "Uống NƯỚC chanh nóng <script>alert(1)</script> diệt Virus corona, Bộ Y tế nói"
ITEMS = [
    {"score": 0.93, "tier": "high", "id": "p<1>", "text": TEXT,
     "top_terms": [("nước chanh", 0.41), ("virus corona", 0.3), ("bộ y tế", -0.2),
                   ("[log_shares]", 0.1)],
     "likes": "1,329", "comments": 7, "shares": None, "timestamp": 1585000000,
     "narrative_id": "health-lemon", "narrative_claim": "Nước chanh nóng diệt virus",
     "rebuttal": "WHO: không có bằng chứng nước chanh diệt virus."},
    {"score": 0.55, "tier": "medium", "id": 2, "text": "Giá xăng giảm nhẹ",
     "top_terms": "giá xăng:-0.120", "error": "not Vietnamese"},
    {"score": 0.02, "tier": "low", "id": 3, "text": "Hà Nội mưa", "top_terms": ""},
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
    # rows, high, medium, low, not scored, rows with errors
    assert parsed.cards == ["5", "1", "1", "1", "2", "3"]


def test_highlights_wrap_the_driving_words_of_the_original_text(parsed):
    item_marks = [m for m in parsed.marks if m[2]]  # the legend's marks have no weight
    assert ("NƯỚC chanh", "pos", "+0.410") in item_marks
    assert ("Virus corona", "pos", "+0.300") in item_marks
    assert ("Bộ Y tế", "neg", "-0.200") in item_marks
    assert ("Giá xăng", "neg", "-0.120") in item_marks
    assert len(item_marks) == 4  # the metadata term has no span


def test_post_text_is_escaped_and_the_page_runs_nothing(page, parsed):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "p&lt;1&gt;" in page
    assert not any(tag == "script" for tag, _ in parsed.tags)
    assert "http" not in page and "src=" not in page  # opens offline, nothing to fetch


def test_banner_metadata_narrative_and_order(page):
    assert "never verdicts" in page
    assert "1,329 likes" in page and "7 comments" in page and "(UTC+7)" in page
    assert "Known narrative health-lemon" in page and "không có bằng chứng" in page
    assert page.index("#1") < page.index("0.930") < page.index("0.550") < page.index("0.020")
    assert "not Vietnamese" in page and "<svg" in page


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
