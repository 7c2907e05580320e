"""The review loop: ``vnmisinfo queue`` and ``vnmisinfo feedback``, and their library API."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from vnmisinfo.cli import main
from vnmisinfo.data.review import REVIEW_COLUMNS
from vnmisinfo.review import FeedbackError, FeedbackStore, QueueError, build_queue, hash_texts
from vnmisinfo.review.queue import infer_medium
from vnmisinfo.review.store import ENTRIES_FILE, MARKER_FILE

RUMOUR = "Uống nước chanh nóng mỗi sáng diệt được virus corona, chia sẻ ngay"
TEXTS = [
    RUMOUR,
    "Uống nước chanh nóng mỗi sáng diệt được virus corona, hãy chia sẻ ngay",
    "uống NƯỚC chanh nóng mỗi sáng  diệt được virus corona, chia sẻ ngay",
    "Tiêm vắc xin gây vô sinh ở phụ nữ, bộ y tế giấu thông tin",
    "Giá xăng giảm nhẹ từ 15 giờ chiều nay theo điều hành liên bộ",
    "Hà Nội nắng nhẹ cuối tuần, nhiệt độ cao nhất 30 độ",
    "Đội tuyển Việt Nam thắng 2-0 trong trận giao hữu tối qua",
    "Ngân hàng nhà nước giữ nguyên lãi suất điều hành tháng này",
    "Bão số 3 đổ bộ vào Quảng Ninh, người dân cần chủ động phòng tránh",
    "Không có nội dung",
]


def scored_frame() -> pd.DataFrame:
    """A table as 'vnmisinfo score' writes it: input columns (label/score/tier too) + vnm_."""
    n = len(TEXTS)
    return pd.DataFrame({
        "id": [f"p{i}" for i in range(n)],
        "text": TEXTS,
        "label": ["1", "1", "1", "1", "0", "0", "0", "0", "0", ""],
        "score": [f"s{i}" for i in range(n)],
        "tier": ["x"] * n,
        "vnm_score": ["0.97", "0.95", "0.93", "0.88", "0.61", "0.55", "0.45", "0.2", "0.05", ""],
        "vnm_tier": ["high", "high", "high", "high", "medium", "medium", "low", "low", "low", ""],
        "vnm_tier_reason": ["classifier"] * (n - 1) + [""],
        "vnm_narrative_id": [""] * n,
        "vnm_model": ["m-1"] * n,
        "vnm_error": [""] * (n - 1) + ["empty text"],
    })


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:  # a queue CSV starts with a BOM
        return list(csv.DictReader(fh))


def reviewed(verdicts: list[str], texts: list[str] | None = None) -> pd.DataFrame:
    texts = texts or TEXTS[: len(verdicts)]
    return pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts,
                         "vnm_model": "m-1", "verdict": verdicts,
                         "narrative_id": "", "note": ""})


# --- build_queue ---------------------------------------------------------------------------


def test_queue_keeps_every_input_column_unchanged_and_adds_empty_reviewer_columns():
    frame = scored_frame()
    q = build_queue(frame, 5)
    assert list(q.columns) == [*frame.columns, "vnm_queue_reason", "vnm_cluster_size",
                               *REVIEW_COLUMNS]
    by_id = frame.set_index("id", drop=False)
    pd.testing.assert_frame_equal(q[frame.columns].reset_index(drop=True),
                                  by_id.loc[q["id"]].reset_index(drop=True))
    assert (q[list(REVIEW_COLUMNS)] == "").all().all()


def test_queue_keeps_the_index_so_rows_join_back_to_the_scored_frame():
    frame = scored_frame()
    frame.index = [f"post{i}" for i in range(len(frame))]
    q = build_queue(frame, 5)
    assert set(q.index) <= set(frame.index)
    pd.testing.assert_frame_equal(q[frame.columns], frame.loc[q.index])


def test_queue_picks_one_per_near_duplicate_cluster_with_its_size():
    q = build_queue(scored_frame(), 9, explore=0.0)
    rumour = q[q["text"].str.contains("chanh", case=False)]
    assert rumour["id"].tolist() == ["p0"]
    assert rumour["vnm_cluster_size"].tolist() == [3]
    assert q["text"].is_unique
    assert (q.loc[q["id"] != "p0", "vnm_cluster_size"] == 1).all()


def test_queue_orders_top_by_tier_then_score_and_never_queues_error_rows():
    q = build_queue(scored_frame(), 20, explore=0.0)
    assert q["id"].tolist() == ["p0", "p3", "p4", "p5", "p6", "p7", "p8"]
    assert "p9" not in set(q["id"])
    assert q.attrs["queue"]["unscored"] == 1


def test_a_known_narrative_comes_first_in_its_tier_whatever_its_score():
    """A match lifted to medium has a low score by definition; it must not sink."""
    frame = scored_frame()
    frame.loc[5, ["vnm_score", "vnm_tier_reason", "vnm_narrative_id"]] = [
        "0.08", "known narrative", "scam-001"]
    q = build_queue(frame, 4, explore=0.0)
    assert q["id"].tolist() == ["p0", "p3", "p5", "p4"]  # p5 before p4 (0.61), both medium
    assert build_queue(scored_frame(), 4, explore=0.0)["id"].tolist() == ["p0", "p3", "p4", "p5"]


@pytest.mark.parametrize(("budget", "explore", "n_uncertain"),
                         [(4, 0.5, 2), (5, 0.3, 2), (4, 0.0, 0), (3, 1.0, 3)],
                         ids=["half", "default-share", "none", "all"])
def test_queue_respects_the_explore_share(budget, explore, n_uncertain):
    q = build_queue(scored_frame(), budget, explore=explore)
    assert len(q) == budget
    assert (q["vnm_queue_reason"] == "uncertain").sum() == n_uncertain
    assert (q["vnm_queue_reason"] == "top").sum() == budget - n_uncertain


def test_the_sample_share_is_a_random_draw_from_every_cluster():
    """``sample`` rows are drawn before the ranked shares, from all clusters; top and
    uncertain rows are then filled from the clusters the draw left."""
    frame = scored_frame()
    reps = ["p0", "p3", "p4", "p5", "p6", "p7", "p8"]  # one per cluster, in triage order
    q = build_queue(frame, 5, explore=0.2, sample=0.4, medium=0.5)
    assert q["vnm_queue_reason"].tolist() == ["top", "top", "uncertain", "sample", "sample"]
    ids = q["id"].tolist()
    assert set(ids) <= set(reps) and q["id"].is_unique
    assert ids[:2] == [r for r in reps if r not in ids[3:]][:2]  # the best of the rest
    assert (q.attrs["queue"]["sample"], q.attrs["queue"]["n_sample"]) == (2, 2)
    again = build_queue(frame, 5, explore=0.2, sample=0.4, medium=0.5)
    assert again["id"].tolist() == ids  # the seed fixes the draw
    drawn = {i for seed in range(30) for i in
             build_queue(frame, 5, explore=0.2, sample=0.4, medium=0.5, seed=seed)["id"][3:]}
    assert drawn == set(reps)  # the top of the order is drawn too: a fair picture


def test_sample_and_explore_together_cannot_exceed_the_budget():
    with pytest.raises(QueueError, match=r"between 0 and 1 - explore \(0.5\).*lower one"):
        build_queue(scored_frame(), 4, explore=0.5, sample=0.6)
    q = build_queue(scored_frame(), 4, explore=0.5, sample=0.5)
    assert q["vnm_queue_reason"].tolist() == ["uncertain", "uncertain", "sample", "sample"]


def test_uncertain_items_are_those_closest_to_the_medium_threshold():
    q = build_queue(scored_frame(), 3, explore=2 / 3, medium=0.5)
    assert q["vnm_queue_reason"].tolist() == ["top", "uncertain", "uncertain"]
    assert q["id"].tolist() == ["p0", "p6", "p5"]  # |0.45-0.5| < |0.55-0.5| < |0.61-0.5|


def test_medium_threshold_is_inferred_from_the_tiers():
    assert infer_medium(["0.7", "0.65", "0.3"], ["high", "medium", "low"]) == 0.5
    assert infer_medium([0.9, 0.72, 0.68], ["high", "medium", "low"]) == 0.68
    assert infer_medium([0.9, 0.3], ["high", "medium"], ["classifier", "known narrative"]) == 0.5


def test_queue_never_requeues_stored_texts(tmp_path):
    store = FeedbackStore(tmp_path / "store")
    store.add(reviewed(["misinformation"], [TEXTS[3]]))
    q = build_queue(scored_frame(), 20, store=store)
    assert "p3" not in set(q["id"])
    assert q.attrs["queue"]["reviewed"] == 1
    assert "p3" not in set(build_queue(scored_frame(), 20, store=str(tmp_path / "store"))["id"])


def test_queue_never_offers_a_near_copy_of_a_stored_text(tmp_path):
    store = FeedbackStore(tmp_path / "store")
    store.add(reviewed(["misinformation"], [TEXTS[3] + " Chia sẻ ngay!"]))  # not the same text
    q = build_queue(scored_frame(), 20, store=store)
    assert "p3" not in set(q["id"])
    assert q.attrs["queue"]["reviewed"] == 0 and q.attrs["queue"]["near_reviewed"] == 1


def test_queue_refuses_filled_reviewer_columns_unless_overwritten():
    frame = scored_frame()
    frame["verdict"] = ""
    frame.loc[2, "verdict"] = "reliable"
    with pytest.raises(QueueError, match=r"reviewer values in \['verdict'\].*--overwrite-review"):
        build_queue(frame, 3)
    q = build_queue(frame, 3, overwrite_review=True)
    assert (q["verdict"] == "").all()
    assert list(q.columns)[: len(frame.columns)] == list(frame.columns)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"budget": 0}, "budget must be"),
    ({"budget": 3, "explore": 1.5}, "explore must be"),
], ids=["zero-budget", "explore-above-one"])
def test_queue_rejects_bad_arguments(kwargs, match):
    with pytest.raises(QueueError, match=match):
        build_queue(scored_frame(), **kwargs)


def test_queue_needs_scores_and_a_text_column():
    with pytest.raises(QueueError, match="no vnm_score column"):
        build_queue(pd.DataFrame({"text": ["a"]}), 1)
    with pytest.raises(FeedbackError, match=r"no text column among \['body_text', 'vnm_score'\]"):
        build_queue(pd.DataFrame({"body_text": ["a"], "vnm_score": ["0.5"]}), 1)
    q = build_queue(pd.DataFrame({"body_text": ["Tin một"], "vnm_score": ["0.5"]}), 1,
                    text_column="body_text")
    assert q["body_text"].tolist() == ["Tin một"]


# --- FeedbackStore -------------------------------------------------------------------------


def test_store_add_writes_entries_and_marker(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    frame = reviewed(["Misinformation", "RELIABLE", "", "unsure"])
    frame.loc[0, "narrative_id"] = "covid-lemon"
    result = store.add(frame, reviewer="lan")
    assert (result.added, result.skipped_blank, result.duplicates) == (3, 1, 0)
    marker = json.loads((tmp_path / "st" / MARKER_FILE).read_text(encoding="utf-8"))
    assert marker["format_version"] == 1
    first = store.entries()[0]
    assert first["verdict"] == "misinformation" and first["narrative_id"] == "covid-lemon"
    assert first["reviewer"] == "lan" and first["model"] == "m-1" and first["id"] == "r0"
    assert first["text"] == RUMOUR and first["time"].endswith("+00:00")
    assert first["text_hash"] == hash_texts([RUMOUR])[0]
    train = store.frame()
    assert train.columns.tolist() == ["text", "label", "time", "text_hash", "model"]
    assert train["label"].tolist() == [1, 0]
    assert store.frame(include_unsure=True)["label"].isna().tolist() == [False, False, True]


def test_store_joins_title_and_text(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    store.add([{"title": "Tin nóng", "text": "Nội dung", "verdict": "reliable"}])
    assert store.entries()[0]["text"] == "Tin nóng. Nội dung"


def test_a_text_with_a_unicode_line_separator_keeps_the_store_readable(tmp_path):
    """U+2028, U+2029 and U+0085 stay raw in a JSON line; the store split entries on them,
    and every later read of the store failed."""
    store = FeedbackStore(tmp_path / "st")
    texts = [f"{RUMOUR}\u2028chia sẻ", "Tin\u2029 thứ hai\u0085 hết", "Tin thường"]
    store.add([{"text": t, "verdict": v} for t, v in
               zip(texts, ["misinformation", "reliable", "reliable"], strict=True)])
    assert [e["text"] for e in FeedbackStore(tmp_path / "st").entries()] == texts
    assert store.frame()["label"].tolist() == [1, 0, 0]
    again = store.add([{"text": texts[0], "verdict": "misinformation"}])
    assert again.added == 0


def test_a_file_that_gives_a_text_twice_is_stored_once_with_its_last_verdict(tmp_path):
    """The same text with two verdicts in one file added both, and again at every feed."""
    store = FeedbackStore(tmp_path / "st")
    rows = [{"text": RUMOUR, "verdict": "misinformation"},
            {"text": "Tin khác", "verdict": "reliable"}, {"text": RUMOUR, "verdict": "reliable"}]
    first = store.add(rows)
    assert (first.added, first.overruled) == (2, 1)
    assert [e["verdict"] for e in store.entries()] == ["reliable", "reliable"]
    again = store.add(rows)
    assert (again.added, again.duplicates, again.overruled) == (0, 2, 1)


def test_feeding_the_same_rows_twice_adds_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation", "reliable"]), reviewer="lan")
    before = (tmp_path / "st" / ENTRIES_FILE).read_bytes()
    again = store.add(reviewed(["misinformation", "reliable"]), reviewer="lan")
    assert (again.added, again.duplicates) == (0, 2)
    assert (tmp_path / "st" / ENTRIES_FILE).read_bytes() == before


def test_a_later_different_verdict_is_appended_and_wins(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation"]), reviewer="lan")
    store.add(reviewed(["reliable"]), reviewer="lan")
    assert len(store.all_entries()) == 2
    assert [e["verdict"] for e in store.entries()] == ["reliable"]
    assert len(store.hashes()) == 1


def test_an_older_file_fed_again_does_not_undo_a_correction(tmp_path):
    """Feeding the first file again stored its verdict anew, newest, and undid the correction."""
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation", "reliable"]), reviewer="lan")
    store.add(reviewed(["reliable", "reliable"]), reviewer="lan ")  # spaces: the same reviewer
    done = store.add(reviewed(["misinformation", "reliable"]), reviewer="lan")
    assert (done.added, done.duplicates, done.earlier) == (0, 1, ("row 1",))
    assert [e["verdict"] for e in store.entries()] == ["reliable", "reliable"]
    assert {e["reviewer"] for e in store.all_entries()} == {"lan"}
    # on purpose, the earlier verdict comes back
    done = store.add(reviewed(["misinformation"]), reviewer="lan", restore_earlier=True)
    assert (done.added, done.earlier) == (1, ("row 1",))
    assert store.entries()[-1]["verdict"] == "misinformation"
    # another reviewer's verdict is never an earlier one
    assert store.add(reviewed(["reliable"]), reviewer="minh").added == 1


def test_a_corrected_narrative_or_note_is_stored_and_wins(tmp_path):
    """The same verdict with a narrative filled in later was 'already stored' and the
    narrative was lost."""
    store = FeedbackStore(tmp_path / "st")
    first = reviewed(["misinformation"])
    assert store.add(first, reviewer="lan").added == 1
    assert store.add(first, reviewer="lan").added == 0  # the same file twice adds nothing
    corrected = first.assign(narrative_id="health-001")
    assert store.add(corrected, reviewer="lan").added == 1
    (entry,) = store.entries()
    assert entry["narrative_id"] == "health-001" and entry["verdict"] == "misinformation"
    assert store.add(corrected.assign(note="seen twice"), reviewer="lan").added == 1
    assert store.entries()[0]["note"] == "seen twice"


def test_redact_drops_unsure_texts_but_keeps_hash_and_verdict(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    frame = reviewed(["unsure", "reliable"])
    frame["note"] = ["it says: " + TEXTS[0], "fine"]  # a note can quote the text it redacts
    store.add(frame, redact=True)
    unsure, kept = store.all_entries()
    assert unsure["text"] == "" and unsure["verdict"] == "unsure" and unsure["note"] == ""
    assert kept["note"] == "fine"
    assert unsure["text_hash"] == hash_texts([TEXTS[0]])[0]
    assert kept["text"] == TEXTS[1]
    assert TEXTS[0] not in (tmp_path / "st" / ENTRIES_FILE).read_text(encoding="utf-8")


def test_unknown_verdict_names_the_row_and_writes_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    with pytest.raises(FeedbackError, match=r"row 2: verdict 'fake' is not one of "
                                            r"misinformation, reliable, unsure"):
        store.add(reviewed(["reliable", "fake"]))
    assert not (tmp_path / "st" / ENTRIES_FILE).exists()


def test_missing_text_or_verdict_column_names_the_columns(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    with pytest.raises(FeedbackError, match=r"no text column among \['bai_viet', 'verdict'\]"):
        store.add([{"bai_viet": "Tin", "verdict": "reliable"}])
    with pytest.raises(FeedbackError, match=r"no 'verdict' column among \['text'\]"):
        store.add([{"text": "Tin"}])


def hand_store(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    """A store written by hand: the marker and the given lines of feedback.jsonl."""
    path.mkdir()
    (path / MARKER_FILE).write_text('{"kind": "vnmisinfo feedback store", "format_version": 1, '
                                    '"entries": "feedback.jsonl"}', encoding="utf-8")
    (path / ENTRIES_FILE).write_text("".join(line + "\n" for line in lines), encoding=encoding)
    return path


def entry(text: str, **fields: str) -> str:
    return json.dumps({"text": text, "text_hash": hash_texts([text])[0], **fields},
                      ensure_ascii=False)


def test_a_hand_written_store_reads_verdicts_in_any_case_and_with_a_bom(tmp_path):
    """'Misinformation' crashed frame() with a KeyError; a BOM (Notepad) was 'not JSON'."""
    store = FeedbackStore(hand_store(tmp_path / "st", [
        entry(TEXTS[0], verdict=" Misinformation "), "", entry(TEXTS[4], verdict="RELIABLE")],
        encoding="utf-8-sig"))
    assert [e["verdict"] for e in store.entries()] == ["misinformation", "reliable"]
    assert store.frame()["label"].tolist() == [1, 0]


@pytest.mark.parametrize("line, problem", [
    (entry(TEXTS[3], verdict="fake"),
     "line 3: verdict 'fake' is not one of misinformation, reliable, unsure"),
    (entry(TEXTS[3]), 'line 3: no verdict; add "verdict" with one of misinformation'),
    (json.dumps({"text": TEXTS[3], "verdict": "reliable"}),
     "line 3: no text_hash; compute it from the text with vnmisinfo.review.hash_texts"),
    (json.dumps({"text": TEXTS[3], "verdict": "reliable", "text_hash": "abc"}),
     "line 3: text_hash 'abc' is not 16 hex digits; compute it"),
    ("[1, 2]", "line 3: a list, not a JSON object"),
], ids=["unknown verdict", "no verdict", "no hash", "bad hash", "not an object"])
def test_a_hand_written_store_with_a_bad_entry_names_the_line_field_and_fix(
        tmp_path, capsys, line, problem):
    """A store entry was checked for text_hash alone: 'fake' was counted nowhere, a missing
    verdict crashed with KeyError, a missing hash said only 'not a feedback entry'."""
    folder = hand_store(tmp_path / "st", [entry(TEXTS[0], verdict="misinformation"), "", line])
    with pytest.raises(FeedbackError, match=re.escape(problem)):
        FeedbackStore(folder).entries()
    new = write_csv(reviewed(["reliable"], [TEXTS[5]]), tmp_path / "new.csv")
    before = (folder / ENTRIES_FILE).read_bytes()
    assert main(["feedback", str(new), "--store", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{ENTRIES_FILE}: 1 line(s) are not feedback entries; {problem}" in err
    assert "Traceback" not in err and (folder / ENTRIES_FILE).read_bytes() == before
    assert main(["queue", str(write_csv(scored_frame(), tmp_path / "s.csv")), "-o",
                 str(tmp_path / "q.csv"), "--budget", "2", "--store", str(folder)]) == 1
    assert problem in capsys.readouterr().err


def test_reviewer_columns_are_found_whatever_their_case_spaces_and_underscores(tmp_path):
    """'Note' and 'Narrative ID' were dropped without a word; 'Verdict' was refused."""
    rows = reviewed(["misinformation", "reliable"]).assign(note="nguồn: báo Tuổi Trẻ",
                                                           narrative_id="health-001")
    rows = rows.rename(columns={"verdict": "Verdict ", "note": "NOTE",
                                "narrative_id": "Narrative ID"})
    store = FeedbackStore(tmp_path / "st")
    assert store.add(rows).added == 2
    assert {(e["note"], e["narrative_id"]) for e in store.entries()} == {
        ("nguồn: báo Tuổi Trẻ", "health-001")}
    # a column named exactly comes first, as in a queue made from a file with its own 'Note'
    both = reviewed(["reliable"], [TEXTS[5]]).assign(Note="the input's own", note="reviewer's")
    store.add(both)
    assert store.entries()[-1]["note"] == "reviewer's"
    two = reviewed(["reliable"], [TEXTS[6]]).rename(columns={"note": "Note"}).assign(NOTE="x")
    with pytest.raises(FeedbackError, match=r"two columns that read as 'note': 'Note' and 'NOTE'"):
        store.add(two)


def test_text_garbled_by_a_spreadsheet_is_refused_and_genuine_text_is_not(tmp_path):
    """UTF-8 opened as Windows-1252 (Excel's double-click) and saved back was stored."""
    texts = [TEXTS[3], "Một Thạc sĩ người Việt Nam đang làm việc", "Tin mới"]
    for page in ("cp1252", "cp1258"):
        garbled = [t.encode("utf-8").decode(page, errors="replace") for t in texts]
        rows = reviewed(["reliable", "", "unsure"], garbled)
        with pytest.raises(FeedbackError, match=r"2 reviewed row\(s\) hold garbled text.*"
                           r"row 1 \('.*'\), row 3 \('Tin má»›i'\).*CSV UTF-8"):
            FeedbackStore(tmp_path / page).add(rows)
        assert not (tmp_path / page / ENTRIES_FILE).exists()
    genuine = ["ĐÃ “XÁC NHẬN” tin này…", "NGÃ\u00a0BA «thịt cá» Ăn", "Æ Ä Å ok",
               "Giá 100€ — “Ủy ban” • ĐÃ–XONG", *TEXTS[3:]]
    assert FeedbackStore(tmp_path / "ok").add(reviewed(["reliable"] * len(genuine),
                                                       genuine)).added == len(genuine)


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FeedbackError, match="not a vnmisinfo feedback store"):
        FeedbackStore(tmp_path / "other")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(FeedbackError, match="is a file"):
        FeedbackStore(tmp_path / "file")
    (tmp_path / "newer").mkdir()
    (tmp_path / "newer" / MARKER_FILE).write_text(
        json.dumps({"kind": "vnmisinfo feedback store", "format_version": 99}), encoding="utf-8")
    with pytest.raises(FeedbackError, match="newer than this"):
        FeedbackStore(tmp_path / "newer")


def test_a_crash_mid_write_leaves_the_store_unchanged(tmp_path, monkeypatch):
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation"]))
    before = sorted((p.name, p.read_bytes()) for p in (tmp_path / "st").iterdir())

    def crash(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        store.add(reviewed(["reliable", "reliable", "unsure"]))
    monkeypatch.undo()
    after = sorted((p.name, p.read_bytes()) for p in (tmp_path / "st").iterdir())
    assert after == before  # no half file, no temporary file left
    assert [e["verdict"] for e in store.entries()] == ["misinformation"]


def test_prune_deletes_old_verdicts(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation", "reliable"]))
    lines = (tmp_path / "st" / ENTRIES_FILE).read_text(encoding="utf-8").splitlines()
    old = json.loads(lines[0]) | {"time": "2020-01-01T00:00:00+00:00"}
    (tmp_path / "st" / ENTRIES_FILE).write_text(
        json.dumps(old) + "\n" + lines[1] + "\n", encoding="utf-8")
    assert store.prune("2021-01-01") == 1
    assert [e["verdict"] for e in store.entries()] == ["reliable"]
    with pytest.raises(FeedbackError, match="YYYY-MM-DD"):
        store.prune("last year")


def test_forget_deletes_every_verdict_on_a_text(tmp_path):
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation", "reliable"]), reviewer="a")
    store.add(reviewed(["unsure"]), reviewer="b")
    assert store.forget(hash_texts([TEXTS[0].upper()])) == 2
    assert [e["text"] for e in store.all_entries()] == [TEXTS[1]]


@pytest.mark.parametrize("given", [TEXTS[0], hash_texts(TEXTS[:1])[0]], ids=["text", "hash"])
def test_forget_refuses_one_string_and_says_to_use_hash_texts(tmp_path, given):
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation", "reliable"]))
    with pytest.raises(TypeError, match=r"forget takes a list of text hashes, not one str; .*"
                                        r"store\.forget\(hash_texts\(\[text\]\)\)"):
        store.forget(given)
    assert len(store) == 2


@pytest.mark.parametrize("values, shown", [([TEXTS[0]], repr(TEXTS[0])),
                                           (["0123456789ABCDEF"], "'0123456789ABCDEF'"),
                                           ([12345], "12345")],
                         ids=["texts", "upper-case", "numbers"])
def test_forget_refuses_values_that_are_not_text_hashes(tmp_path, values, shown):
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation", "reliable"]))
    good = hash_texts(TEXTS[1:2])
    with pytest.raises(FeedbackError, match=rf"forget takes text hashes \(16 hex digits.*got "
                                            rf"{re.escape(shown)}.*hash_texts\(texts\)"):
        store.forget([*good, *values])
    assert len(store) == 2  # nothing deleted, not even the good hash


def test_hash_texts_refuses_one_string():
    with pytest.raises(TypeError, match=r"hash_texts takes a list of texts, not one str .*"
                                        r"hash_texts\(\[text\]\)"):
        hash_texts(TEXTS[0])
    with pytest.raises(TypeError, match="list of titles, not one str"):
        hash_texts(TEXTS[:1], titles="Tin")
    assert hash_texts(pd.Series(TEXTS[:1])) == hash_texts(TEXTS[:1])


# --- main([...]) ---------------------------------------------------------------------------


def test_cli_queue_with_a_store_not_made_yet_queues_all_and_says_so(tmp_path, capsys):
    """The first week's queue, with the --store of the weeks after, stopped on 'does not
    exist'."""
    scored = write_csv(scored_frame(), tmp_path / "scored.csv")
    queue = tmp_path / "queue.csv"
    assert main(["queue", str(scored), "-o", str(queue), "--budget", "4",
                 "--store", str(tmp_path / "feedback")]) == 0
    err = capsys.readouterr().err
    assert "feedback store" in err and "does not exist yet, so no row is skipped" in err
    assert len(read_rows(queue)) == 4 and not (tmp_path / "feedback").exists()


def test_cli_queue_then_feedback_round_trip(tmp_path, capsys):
    scored = write_csv(scored_frame(), tmp_path / "scored.csv")
    queue = tmp_path / "queue.csv"
    assert main(["queue", str(scored), "-o", str(queue), "--budget", "4", "--explore", "0.5",
                 "--seed", "1"]) == 0
    summary = capsys.readouterr().err
    assert "10 row(s) read" in summary and "2 top, 2 uncertain" in summary
    rows = read_rows(queue)
    assert len(rows) == 4 and all(r["verdict"] == "" for r in rows)
    assert rows[0]["label"] == "1" and rows[0]["score"] == "s0" and rows[0]["tier"] == "x"
    rows[0]["verdict"] = "misinformation"
    rows[1]["verdict"] = "Reliable"
    with open(queue, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    store = tmp_path / "store"
    argv = ["feedback", str(queue), "--store", str(store), "--reviewer", "lan"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "2 verdict(s) added" in err
    assert "holds 2 reviewed text(s) (1 misinformation, 1 reliable, 0 unsure;" in err
    assert main(argv) == 0
    assert "0 verdict(s) added, 2 already stored" in capsys.readouterr().err
    assert len(FeedbackStore(store).all_entries()) == 2
    again = tmp_path / "again.csv"
    assert main(["queue", str(scored), "-o", str(again), "--budget", "20",
                 "--store", str(store)]) == 0
    queued = {r["id"] for r in read_rows(again)}
    assert not queued & {rows[0]["id"], rows[1]["id"]}


def test_cli_queue_writes_a_bom_so_a_spreadsheet_reads_utf8_and_feedback_reads_it(
        tmp_path, capsys):
    """The queue CSV had no byte-order mark: Excel read it in the Windows code page."""
    scored = write_csv(scored_frame(), tmp_path / "scored.csv")
    for ext in ("csv", "tsv"):
        queue = tmp_path / f"queue.{ext}"
        assert main(["queue", str(scored), "-o", str(queue), "--budget", "3"]) == 0
        assert queue.read_bytes().startswith(b"\xef\xbb\xbfid")
    rows = pd.read_csv(tmp_path / "queue.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
    rows.assign(verdict="reliable").to_csv(tmp_path / "queue.csv", index=False,
                                           encoding="utf-8-sig")
    assert main(["feedback", str(tmp_path / "queue.csv"), "--store", str(tmp_path / "st")]) == 0
    assert {e["id"] for e in FeedbackStore(tmp_path / "st").entries()} == set(rows["id"])


def test_cli_queue_says_it_skipped_near_copies_and_why_fewer_are_uncertain(tmp_path, capsys):
    """Near-copies of reviewed texts were left out, and the uncertain share went to 0,
    without a word."""
    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["reliable"], [TEXTS[1] + " nhé"]))
    scored = write_csv(scored_frame(), tmp_path / "scored.csv")
    assert main(["queue", str(scored), "-o", str(tmp_path / "q.csv"), "--budget", "20",
                 "--store", str(store.path)]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 unscored, 3 near-copies of reviewed texts" in err
    assert ("only 6 cluster(s) were left to queue, fewer than --budget 20, so all of them are "
            "queued; the top share (14) is filled first, so 0 of the 6 uncertain") in err
    assert main(["queue", str(scored), "-o", str(tmp_path / "q.csv"), "--budget", "4"]) == 0
    assert "note:" not in capsys.readouterr().err


def test_cli_feedback_skips_and_names_rows_that_undo_a_correction(tmp_path, capsys):
    """Feeding an older file again undid a later correction, saying only '1 added'."""
    old = write_csv(reviewed(["misinformation", "reliable"]), tmp_path / "old.csv")
    fixed = write_csv(reviewed(["reliable", "reliable"]), tmp_path / "fixed.csv")
    store = tmp_path / "st"
    for path, who in ((old, "lan"), (fixed, "lan "), (old, "lan")):
        assert main(["feedback", str(path), "--store", str(store), "--reviewer", who]) == 0
    err = capsys.readouterr().err
    assert ("0 verdict(s) added, 1 already stored" in err and "warning: 1 row(s) go back to an "
            "earlier verdict of the same reviewer, which a later verdict replaced (line 2); "
            "skipped" in err and "--restore-earlier" in err)
    assert [e["verdict"] for e in FeedbackStore(store).entries()] == ["reliable", "reliable"]
    assert main(["feedback", str(old), "--store", str(store), "--reviewer", "lan",
                 "--restore-earlier"]) == 0
    assert "stored, as --restore-earlier asks" in capsys.readouterr().err
    assert FeedbackStore(store).entries()[-1]["verdict"] == "misinformation"


def test_cli_feedback_warns_of_a_verdict_opposite_to_one_on_a_copy_of_the_text(tmp_path,
                                                                                capsys):
    """One post stored twice, with other punctuation and opposite verdicts, misled retraining."""
    store = tmp_path / "st"
    first = write_csv(reviewed(["reliable", "reliable"], [TEXTS[4], TEXTS[5]]),
                      tmp_path / "a.csv")
    copies = [TEXTS[4].replace(" từ ", "\ntừ ") + " !!!", TEXTS[5] + " nhé"]
    second = write_csv(reviewed(["misinformation", "misinformation"], copies),
                       tmp_path / "b.csv")
    assert main(["feedback", str(first), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["feedback", str(second), "--store", str(store), "--reviewer", "minh"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    stored = hash_texts([TEXTS[4]])[0]
    # the copy with other punctuation is named; the one with another word is a different text
    assert (f"warning: 1 row(s) say the opposite of a stored verdict on a copy of their text "
            f"with other punctuation (line 2 (text_hash {stored})); retraining keeps only the "
            "newest of them") in err
    assert len(FeedbackStore(store).entries()) == 4  # warned, and stored all the same
    assert FeedbackStore(store).add(reviewed(["reliable"], [TEXTS[0]])).contradicts == ()
    # the one with another word is a near-copy: a reviewer should check the claim differs
    assert (f"warning: 1 row(s) say the opposite of a stored verdict on a near-copy of their "
            f"text with other words (line 4 (text_hash {hash_texts([TEXTS[5]])[0]}, cosine "
            ) in err
    assert "check that these differ in the claim" in err


def test_a_verdict_opposite_to_one_on_a_near_copy_is_named_with_its_cosine(tmp_path):
    """A false claim and its true version can differ by one word: the store says where a new
    verdict is the opposite of a stored one on a near-copy with other words, and only there."""
    from vnmisinfo.review.checks import near_contradictions

    store = FeedbackStore(tmp_path / "st")
    store.add(reviewed(["misinformation", "reliable"], [TEXTS[3], TEXTS[7]]))
    denial = TEXTS[3].replace("gây", "không gây")
    done = store.add(reviewed(["reliable", "misinformation", "reliable", "reliable"],
                              [denial, TEXTS[7] + " nữa", TEXTS[4], TEXTS[3] + " !!!"]))
    stored = hash_texts([TEXTS[3], TEXTS[7]])
    assert [p.split(" (")[0] for p in done.near_opposite] == ["row 1", "row 2"]
    assert f"(text_hash {stored[0]}, cosine 0." in done.near_opposite[0]
    # a copy with other punctuation is a contradiction of the same words, not a near-copy
    assert len(done.contradicts) == 1 and done.contradicts[0].startswith("row 4")
    # the same verdict on a near-copy, and an unrelated text, are not named
    again = store.add(reviewed(["reliable", "reliable"], [TEXTS[4] + " ạ", TEXTS[8]]))
    assert again.added == 2 and again.near_opposite == ()
    assert near_contradictions([], [("line 2", {"text": "x", "verdict": "reliable",
                                                "text_hash": "0" * 16})]) == []


def test_cli_feedback_unknown_verdict_names_the_file_line(tmp_path, capsys):
    path = tmp_path / "rev.csv"
    path.write_text('text,verdict\n"Tin\nhai dòng",reliable\nTin ba,maybe\n', encoding="utf-8")
    assert main(["feedback", str(path), "--store", str(tmp_path / "st")]) == 1
    err = capsys.readouterr().err
    assert "rev.csv" in err and "line 4: verdict 'maybe'" in err and "unsure" in err
    assert not (tmp_path / "st" / ENTRIES_FILE).exists()


def test_cli_feedback_missing_text_column_and_text_column_option(tmp_path, capsys):
    path = tmp_path / "rev.csv"
    path.write_text("bai_viet,verdict\nTin một,reliable\n", encoding="utf-8")
    assert main(["feedback", str(path), "--store", str(tmp_path / "st")]) == 1
    assert "no text column among ['bai_viet', 'verdict']" in capsys.readouterr().err
    assert main(["feedback", str(path), "--store", str(tmp_path / "st"),
                 "--text-column", "bai_viet"]) == 0


def test_cli_feedback_refuses_a_folder_that_is_not_a_store(tmp_path, capsys):
    path = write_csv(reviewed(["reliable"]), tmp_path / "rev.csv")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"x")
    assert main(["feedback", str(path), "--store", str(tmp_path / "photos")]) == 1
    assert "not a vnmisinfo feedback store" in capsys.readouterr().err


def test_cli_feedback_redact_and_prune(tmp_path, capsys):
    path = write_csv(reviewed(["unsure", "reliable"]), tmp_path / "rev.csv")
    store = tmp_path / "st"
    assert main(["feedback", str(path), "--store", str(store), "--redact"]) == 0
    assert [e["text"] for e in FeedbackStore(store).all_entries()] == ["", TEXTS[1]]
    entries = store / ENTRIES_FILE
    entries.write_text("".join(json.dumps(json.loads(line) | {"time": "2020-01-01T00:00:00"})
                               + "\n" for line in entries.read_text("utf-8").splitlines()),
                       encoding="utf-8")
    assert main(["feedback", "--store", str(store), "--prune-before", "2021-01-01"]) == 0
    assert "pruned 2 verdict(s)" in capsys.readouterr().err
    assert main(["feedback", "--store", str(store)]) == 1


def test_cli_feedback_refuses_to_prune_before_a_future_day(tmp_path, capsys):
    """A day after today would delete every verdict: refused, nothing deleted."""
    path = write_csv(reviewed(["misinformation", "reliable"]), tmp_path / "rev.csv")
    store = tmp_path / "st"
    assert main(["feedback", str(path), "--store", str(store)]) == 0
    capsys.readouterr()
    before = (store / ENTRIES_FILE).read_bytes()
    today = datetime.now(timezone.utc).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert main(["feedback", "--store", str(store), "--prune-before", tomorrow]) == 1
    assert capsys.readouterr().err == (
        f"vnmisinfo feedback: error: prune date {tomorrow} is in the future (today is {today}, "
        "UTC): it would delete every verdict. Give a past date; to empty the store, delete its "
        "folder.\n")
    assert (store / ENTRIES_FILE).read_bytes() == before
    assert main(["feedback", "--store", str(store), "--prune-before", today.isoformat()]) == 0
    assert "pruned 0 verdict(s)" in capsys.readouterr().err  # stored today: kept


def test_cli_queue_refuses_reviewed_input_and_bad_budget(tmp_path, capsys):
    frame = scored_frame()
    frame["note"] = ["", "xem lại"] + [""] * (len(frame) - 2)
    scored = write_csv(frame, tmp_path / "scored.csv")
    out = tmp_path / "q.csv"
    assert main(["queue", str(scored), "-o", str(out), "--budget", "3"]) == 1
    assert "--overwrite-review" in capsys.readouterr().err and not out.exists()
    assert main(["queue", str(scored), "-o", str(out), "--budget", "3",
                 "--overwrite-review"]) == 0
    assert all(r["note"] == "" for r in read_rows(out))
    with pytest.raises(SystemExit) as exc:
        main(["queue", str(scored), "-o", str(out), "--budget", "0"])
    assert exc.value.code == 2


def test_cli_queue_sample_share_and_its_bad_values(tmp_path, capsys):
    scored = write_csv(scored_frame(), tmp_path / "scored.csv")
    out = tmp_path / "q.csv"
    assert main(["queue", str(scored), "-o", str(out), "--budget", "5", "--explore", "0.2",
                 "--sample", "0.4"]) == 0
    assert "2 top, 1 uncertain, 2 sample, medium threshold" in capsys.readouterr().err
    assert [r["vnm_queue_reason"] for r in read_rows(out)] == [
        "top", "top", "uncertain", "sample", "sample"]
    assert main(["queue", str(scored), "-o", str(tmp_path / "q2.csv"), "--budget", "5",
                 "--sample", "0.8"]) == 1
    err = capsys.readouterr().err
    assert "sample must be a share between 0 and 1 - explore (0.7)" in err
    assert not (tmp_path / "q2.csv").exists()
    with pytest.raises(SystemExit) as exc:
        main(["queue", str(scored), "-o", str(out), "--budget", "5", "--sample", "much"])
    assert exc.value.code == 2
    assert "--sample: expected a number, got 'much'" in capsys.readouterr().err


def test_cli_queue_reads_jsonl(tmp_path):
    scored = tmp_path / "scored.jsonl"
    scored_frame().to_json(scored, orient="records", lines=True, force_ascii=False)
    out = tmp_path / "q.csv"
    assert main(["queue", str(scored), "-o", str(out), "--budget", "2"]) == 0
    assert [r["id"] for r in read_rows(out)][0] == "p0"


@pytest.mark.parametrize("indent", [None, 2], ids=["one-line", "indented"])
def test_cli_feedback_says_a_json_array_is_not_json_lines(tmp_path, capsys, indent):
    """An indented array was 'line 1: not valid JSON', a one-line one 'got list'; score says
    how to convert both."""
    path = tmp_path / "rev.json"
    path.write_text(json.dumps([{"text": TEXTS[0], "verdict": "reliable"}], indent=indent),
                    encoding="utf-8")
    assert main(["feedback", str(path), "--store", str(tmp_path / "st")]) == 1
    assert (f"{path}, line 1: a JSON array of objects, not JSON Lines (one object per line); "
            "convert it first, e.g. jq -c '.[]'") in capsys.readouterr().err


def test_cli_queue_writes_tsv_with_tabs_and_refuses_a_spreadsheet_name(tmp_path, capsys):
    """-o q.tsv was written with commas, and -o q.xlsx got CSV text under a spreadsheet's name."""
    scored = write_csv(scored_frame(), tmp_path / "scored.csv")
    out = tmp_path / "q.tsv"
    assert main(["queue", str(scored), "-o", str(out), "--budget", "2"]) == 0
    back = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert back["id"].tolist()[0] == "p0" and "vnm_queue_reason" in back.columns
    assert main(["queue", str(scored), "-o", str(tmp_path / "q.xlsx"), "--budget", "2"]) == 1
    assert "not '.xlsx'; name it QUEUE.csv" in capsys.readouterr().err
    assert not (tmp_path / "q.xlsx").exists()



#: Facebook-sized ids, above 2**53: as floats, the first two are one number.
BIG_IDS = [10158123456789013, 10158123456789015, None, 10158123456789017]


def test_cli_queue_and_feedback_keep_large_ids_when_one_is_missing(tmp_path, capsys):
    """An id column with a gap was read as floats: ids came out as 1.0158123456789016e+16,
    two of them the same, and a Parquet queue held a double column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = scored_frame().iloc[[0, 3, 4, 5]]
    pq.write_table(pa.table({"post_id": pa.array(BIG_IDS, pa.int64()),
                             "text": frame["text"].tolist(),
                             "vnm_score": frame["vnm_score"].astype(float).tolist(),
                             "vnm_tier": frame["vnm_tier"].tolist()}), tmp_path / "s.parquet")
    out = tmp_path / "q.parquet"
    assert main(["queue", str(tmp_path / "s.parquet"), "-o", str(out), "--budget", "4"]) == 0
    queued = pq.read_table(out)
    assert queued.schema.field("post_id").type == pa.int64()
    assert sorted(queued["post_id"].to_pylist(), key=str) == sorted(BIG_IDS, key=str)
    assert main(["queue", str(tmp_path / "s.parquet"), "-o", str(tmp_path / "q.csv"),
                 "--budget", "4"]) == 0
    assert sorted(r["post_id"] for r in read_rows(tmp_path / "q.csv")) == sorted(
        "" if i is None else str(i) for i in BIG_IDS)
    reviewed_file = tmp_path / "rev.jsonl"
    reviewed_file.write_text("".join(
        json.dumps({**({"id": i} if i else {}), "text": t, "verdict": "reliable"}) + "\n"
        for i, t in zip(BIG_IDS, TEXTS[4:8], strict=True)), encoding="utf-8")
    assert main(["feedback", str(reviewed_file), "--store", str(tmp_path / "st")]) == 0
    stored = [e["id"] for e in FeedbackStore(tmp_path / "st").all_entries()]
    assert stored == ["" if i is None else str(i) for i in BIG_IDS]


#: Cells from the public that a spreadsheet would run as formulas, and plain numbers.
FORMULAS = ['=HYPERLINK("http://evil.example","bấm") uống nước chanh diệt virus corona',
            "+cmd|' /C calc'!A0 tiêm vắc xin gây vô sinh", "@SUM(1,2) tỏi chữa covid",
            "-2+3 vắc xin 5G", "'=1+1 đã có dấu nháy", "\t=1+1 sau dấu tab"]


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+84 912 345 678", "'+84 912 345 678"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"),
    ("'=1+1", "''=1+1"), ("''+x", "'''+x"),
    ("-5", "-5"), ("+84", "+84"), ("1.5", "1.5"), ("-.5e3", "-.5e3"), ("'-5", "'-5"),
    ("tin =1", "tin =1"), (" =1", " =1"), ("'tin", "'tin"), ("", ""), (7, 7), (None, None)])
def test_formula_cells_get_a_quote_that_reading_removes_exactly(value, written):
    from vnmisinfo.data.spreadsheet import guard_formula, unguard_formula

    assert guard_formula(value) == written
    assert unguard_formula(written) == value


def test_cli_queue_writes_formula_cells_as_text_and_feedback_stores_them_as_scored(
        tmp_path, capsys):
    """Post texts, ids and counts starting with = + - @ ran as formulas in the queue CSV."""
    n = len(FORMULAS)
    scored = pd.DataFrame({"id": ["=1+1", "+cmd", "@x", "-2+3", "a5", "a6"], "text": FORMULAS,
                           "likes": ["=1+1", "-5", "+84", "1.5", "", "+84 912 345 678"],
                           "vnm_score": [f"0.9{i}" for i in range(n)], "vnm_tier": ["high"] * n})
    write_csv(scored, tmp_path / "scored.csv")
    for ext, sep in (("csv", ","), ("tsv", "\t")):
        queue = tmp_path / f"queue.{ext}"
        assert main(["queue", str(tmp_path / "scored.csv"), "-o", str(queue),
                     "--budget", str(n), "--explore", "0"]) == 0
        raw = pd.read_csv(queue, sep=sep, dtype=str, keep_default_na=False,
                          encoding="utf-8-sig").set_index("text", drop=False)
        rows = raw.loc[["'" + t for t in FORMULAS]]
        assert rows["id"].tolist() == ["'=1+1", "'+cmd", "'@x", "'-2+3", "a5", "a6"]
        assert rows["likes"].tolist() == ["'=1+1", "-5", "+84", "1.5", "", "'+84 912 345 678"]
    raw.assign(verdict="misinformation").to_csv(tmp_path / "rev.tsv", sep="\t", index=False)
    assert main(["feedback", str(tmp_path / "rev.tsv"), "--store", str(tmp_path / "st")]) == 0
    entries = FeedbackStore(tmp_path / "st").entries()
    assert sorted(e["text"] for e in entries) == sorted(FORMULAS)
    assert sorted(e["text_hash"] for e in entries) == sorted(hash_texts(FORMULAS))
    assert sorted(e["id"] for e in entries) == sorted(scored["id"])
    jsonl = tmp_path / "queue.jsonl"  # not for a spreadsheet: written as it is
    assert main(["queue", str(tmp_path / "scored.csv"), "-o", str(jsonl), "--budget", "2"]) == 0
    assert all(json.loads(line)["text"] in FORMULAS
               for line in jsonl.read_text(encoding="utf-8").splitlines())


def test_compare_and_calibrate_read_reviewed_formula_cells_without_the_quote(tmp_path):
    from vnmisinfo.data.review import labelled_paths

    reviewed_file = tmp_path / "rev.csv"
    pd.DataFrame({"text": ["'" + t for t in FORMULAS[:4]] + ["'tin"],
                  "verdict": ["misinformation", "reliable"] * 2 + ["reliable"]}
                 ).to_csv(reviewed_file, index=False)
    (ready,), _ = labelled_paths([reviewed_file], tmp_path / "out")
    got = pd.read_csv(ready, dtype=str, keep_default_na=False)
    assert got["text"].tolist() == [*FORMULAS[:4], "'tin"]


# --- the installed console script ----------------------------------------------------------


def test_installed_console_script_runs_the_review_loop(tmp_path):
    exe = shutil.which("vnmisinfo", path=str(Path(sys.executable).parent))
    assert exe, "the vnmisinfo console script is not installed next to this Python"
    scored = write_csv(scored_frame(), tmp_path / "scored.csv")
    queue = tmp_path / "queue.csv"
    done = subprocess.run([exe, "queue", str(scored), "-o", str(queue), "--budget", "3",
                           "--sample", "0.34"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 top, 1 uncertain, 1 sample" in done.stderr
    frame = pd.read_csv(queue, dtype=str, keep_default_na=False)
    frame["verdict"] = "reliable"
    frame.to_csv(queue, index=False)
    done = subprocess.run([exe, "feedback", str(queue), "--store", str(tmp_path / "st")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3 verdict(s) added" in done.stderr
