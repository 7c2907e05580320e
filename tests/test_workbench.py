"""The review workbench in a real browser: filters, keys, saved marks, the reviewed CSV.

The page runs in Debian's headless Chromium through Playwright; no browser is
downloaded.  Without a chromium binary (``apt-get install chromium``) or the
``playwright`` package (``pip install vnmisinfo[browser]``) these tests skip.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from vnmisinfo.batch import score_file
from vnmisinfo.cli import main
from vnmisinfo.report.page import render_report
from vnmisinfo.review import FeedbackStore
from vnmisinfo.triage import Triage

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed "
    "(pip install 'vnmisinfo[browser]'); browsers are never downloaded, Debian's chromium is used")


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary found (/usr/bin/chromium or chromium on PATH); "
    "install it with 'apt-get install -y chromium' to run the workbench in a browser")

#: Offline, quiet Chromium: nothing is fetched besides the page.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

TRICKY = 'Tin "nóng", đọc ngay:\nuống nước chanh nóng diệt virus corona, chia sẻ gấp'
POSTS = [
    {"id": "a1", "text": TRICKY, "source": "facebook, nhóm kín"},
    {"id": "a2", "text": "Bộ Y tế xác nhận tỏi chữa khỏi Covid-19 chỉ sau ba ngày",
     "source": "zalo"},
    {"id": "a3", "text": "Sóng 5G làm lây lan virus corona, hãy tắt điện thoại",
     "source": "tiktok"},
    {"id": "a4", "text": "Hà Nội hôm nay trời nắng nhẹ, nhiệt độ cao nhất 32 độ",
     "source": "báo"},
    {"id": "a5", "text": "Thư viện quận mở cửa đến 21 giờ các ngày trong tuần", "source": "báo"},
    {"id": "a6", "text": "Đội tuyển Việt Nam thắng 2-0 trong trận giao hữu tối qua",
     "source": "báo"},
]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))  # type: ignore[attr-defined]
    yield pg
    context.close()


def _visible(pg) -> int:
    return pg.locator("article.item:visible").count()


def _write_posts(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text", "source"])
        writer.writeheader()
        writer.writerows(POSTS)
    return path


def test_review_in_the_page_then_feedback_and_claimreview(tmp_path, fitted_detector, page):
    src = _write_posts(tmp_path / "posts.csv")
    report = tmp_path / "review.html"
    score_file(str(src), str(tmp_path / "scored.csv"), model=Triage(fitted_detector), workers=1,
               report=str(report))
    page.goto(report.as_uri())
    items = page.locator("article.item")
    assert items.count() == len(POSTS) and _visible(page) == len(POSTS)
    assert page.locator("#shown").inner_text() == f"showing {len(POSTS)} of {len(POSTS)}"

    # Filters: a tier off, then a search; the counts follow.
    tiers = [items.nth(i).get_attribute("data-tier") for i in range(len(POSTS))]
    page.locator("input[name=tier][value=low]").uncheck()
    assert _visible(page) == len(POSTS) - tiers.count("low")
    page.locator("input[name=tier][value=low]").check()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("corona")
    assert _visible(page) == 2  # a1 and a3
    assert page.locator("#shown").inner_text() == f"showing 2 of {len(POSTS)}"
    page.fill("#q", "doi tuyen")  # without accents, the search ignores them
    assert _visible(page) == 1
    page.keyboard.press("Escape")  # clears the search field and leaves it
    assert page.evaluate("document.activeElement.id") != "q"
    assert _visible(page) == len(POSTS)

    # Three marks: two by keys, one by clicks and typing.
    page.keyboard.press("j")
    page.keyboard.press("1")
    page.keyboard.press("j")
    page.keyboard.press("2")
    third = items.nth(2)
    third.locator("label.vopt.unsure").click()
    third.locator("input.nt").fill('xem lại, "nguồn" sau')
    first = items.nth(0)
    first.locator("input.nid").fill("health-001")
    assert "3 reviewed (1 misinformation · 1 reliable · 1 unsure)" in \
        page.locator("#reviewed").inner_text()
    page.locator("#f-open").check()
    assert _visible(page) == len(POSTS) - 3

    # The marks survive a reload (local storage).
    page.reload()
    checked = [items.nth(i).locator("input[type=radio]:checked") for i in range(3)]
    assert [c.get_attribute("value") for c in checked] == ["misinformation", "reliable", "unsure"]
    assert third.locator("input.nt").input_value() == 'xem lại, "nguồn" sau'
    assert first.locator("input.nid").input_value() == "health-001"
    assert items.nth(3).locator("input[type=radio]:checked").count() == 0
    assert page.errors == []

    with page.expect_download() as info:
        page.click("#download")
    reviewed = tmp_path / "reviewed.csv"
    info.value.save_as(reviewed)
    assert info.value.suggested_filename == "posts.reviewed.csv"
    raw = reviewed.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    with open(reviewed, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    assert header[-3:] == ["verdict", "narrative_id", "note"]
    assert header[:2] == ["id", "text"] and "vnm_model" in header
    by_id = {r["id"]: r for r in rows}
    assert sorted(by_id) == sorted(p["id"] for p in POSTS)
    for post in POSTS:  # every input cell comes back as it was read
        assert {c: by_id[post["id"]][c] for c in post if c in header} == \
            {c: v for c, v in post.items() if c in header}
    marked = {r["id"]: (r["verdict"], r["narrative_id"], r["note"]) for r in rows if r["verdict"]}
    ids = [items.nth(i).locator(".head span", has_text="id ").first.inner_text()[3:]
           for i in range(3)]
    assert marked == {ids[0]: ("misinformation", "health-001", ""),
                      ids[1]: ("reliable", "", ""),
                      ids[2]: ("unsure", "", 'xem lại, "nguồn" sau')}

    store = tmp_path / "store"
    assert main(["feedback", str(reviewed), "--store", str(store)]) == 0
    entries = FeedbackStore(store).entries()
    assert sorted(e["verdict"] for e in entries) == ["misinformation", "reliable", "unsure"]
    texts = {p["id"]: p["text"] for p in POSTS}
    assert {e["text"] for e in entries} == {texts[i] for i in ids}

    drafts = tmp_path / "drafts.jsonl"
    assert main(["claimreview", str(reviewed), "--org", "Tòa soạn A", "--date", "2024-05-01",
                 "-o", str(drafts)]) == 0
    got = [json.loads(line) for line in drafts.read_text(encoding="utf-8").splitlines()]
    assert len(got) == 1 and got[0]["url"].endswith(f"TODO-{ids[0]}")


PAYLOAD = "</script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"


def test_a_hostile_post_runs_nothing_and_is_shown_as_text(tmp_path, page):
    item = {"vnm_score": 0.9, "vnm_tier": "high", "vnm_tier_reason": "both", "id": PAYLOAD,
            "title": PAYLOAD, "text": f"Tin giả {PAYLOAD} chia sẻ", "vnm_top_terms": "tin giả:+0.5",
            "vnm_narrative_id": "x-1", "vnm_narrative_claim": PAYLOAD,
            "vnm_rebuttal_vi": PAYLOAD, "vnm_rebuttal": PAYLOAD,
            "vnm_sources": json.dumps([{"publisher": PAYLOAD, "title": "t",
                                        "url": "javascript:window.__pwned=3"}])}
    path = tmp_path / "hostile.html"
    path.write_text(render_report([item], {"rows": 1, "tiers": {"high": 1}},
                                  narratives={"x-1": PAYLOAD}), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("script").count() == 2  # the data block and the page's own script
    assert PAYLOAD in page.locator("article .text").inner_text()
    assert PAYLOAD in page.locator("article h3").inner_text()
    assert page.locator("article a").count() == 0  # a javascript: address is no link
    assert page.locator("#shown").inner_text() == "showing 1 of 1"  # the data parsed
    assert page.errors == []


#: Cells a spreadsheet would run as formulas, cells it would not, and plain numbers.
CELLS = ["=HYPERLINK(\"http://evil.example\",\"bấm\")", "+cmd|' /C calc'!A0", "@SUM(1,2)",
         "-2+3", "+84 912 345 678", "\t=1+1", "\r=1+1", "'=1+1", "''-x", "'tin", "-", " =1",
         "-5", "+84", "1.5", "-.5e3", "tin =1", "", -5, 2.5]


def test_the_reviewed_csv_writes_formula_cells_as_text_and_feedback_reads_them_back(
        tmp_path, page):
    """A post's =HYPERLINK(...) or +cmd|... ran as a formula when the reviewed CSV was opened
    in a spreadsheet; the page now writes such cells as the queue does."""
    from vnmisinfo.data.review import read_reviewed
    from vnmisinfo.data.spreadsheet import guard_formula

    text = "=HYPERLINK(\"http://evil.example\",\"bấm\") uống nước chanh diệt virus corona"
    item = {"vnm_score": 0.9, "vnm_tier": "high", "vnm_tier_reason": "both", "id": "+cmd",
            "text": text, "vnm_top_terms": "corona:+0.5", "=c": "x",
            **{f"c{i}": v for i, v in enumerate(CELLS)}}
    path = tmp_path / "formula.html"
    path.write_text(render_report([item], {"rows": 1, "tiers": {"high": 1}}, narratives={},
                                  source="formula.csv"), encoding="utf-8")
    page.goto(path.as_uri())
    page.keyboard.press("j")
    page.keyboard.press("1")
    with page.expect_download() as info:
        page.click("#download")
    reviewed = tmp_path / "formula.reviewed.csv"
    info.value.save_as(reviewed)
    with open(reviewed, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    cells = dict(zip(rows[0], rows[1], strict=True))
    # the page's rule is the library's: each cell as guard_formula writes it
    assert [cells[f"c{i}"] for i in range(len(CELLS))] == \
        [guard_formula(v if isinstance(v, str) else str(v)) for v in CELLS]
    assert cells["id"] == "'+cmd" and cells["text"] == "'" + text and "'=c" in cells
    back = read_reviewed(reviewed).iloc[0]
    assert [back[f"c{i}"] for i in range(len(CELLS))] == [str(v) for v in CELLS]
    assert main(["feedback", str(reviewed), "--store", str(tmp_path / "store")]) == 0
    (entry,) = FeedbackStore(tmp_path / "store").entries()
    assert (entry["text"], entry["id"]) == (text, "+cmd")
    drafts = tmp_path / "drafts.jsonl"
    assert main(["claimreview", str(reviewed), "--org", "Tòa soạn A", "-o", str(drafts)]) == 0
    assert json.loads(drafts.read_text(encoding="utf-8"))["claimReviewed"].startswith("=HYPER")
    assert page.errors == []
