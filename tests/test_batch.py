"""Batch scoring: formats, bad rows, malformed files, dedup, workers, resume, CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from vnmisinfo.batch import (
    EXTRA_KEYS,
    BadInputError,
    BatchSummary,
    looks_vietnamese,
    score_file,
    score_frame,
)
from vnmisinfo.cli import main
from vnmisinfo.normalize import MAX_CHARS

GOOD = "Uống nước chanh nóng diệt được virus corona, chia sẻ gấp cho mọi người"
NEWS = "Hà Nội hôm nay trời nắng nhẹ, nhiệt độ cao nhất 32 độ"
ENGLISH = "The ministry of health says this rumour about lemon water is false"


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fitted_detector) -> Path:
    from vnmisinfo.persist import save_model

    return save_model(fitted_detector, tmp_path_factory.mktemp("model") / "tiny.skops")


# ---------------------------------------------------------------------------
# Bad rows: every case keeps its row, in order, with a reason
# ---------------------------------------------------------------------------

BAD_ROWS = [
    # (id, text cell, expected error fragment or None, scored?)
    pytest.param("", None, False, id="empty-text"),
    pytest.param("   \n\t ", "empty text", False, id="blank-text"),
    pytest.param(GOOD + "\x00\x07 nhé", "control characters removed", True, id="control-chars"),
    pytest.param(ENGLISH, "not Vietnamese", True, id="english"),
    pytest.param("\u200b\u200b\u200b", "empty text", False, id="only-invisible-chars"),
]


@pytest.mark.parametrize(("text", "error", "scored"), BAD_ROWS)
def test_bad_row_in_csv_keeps_its_place_and_says_why(tmp_path, fitted_detector, text, error,
                                                     scored):
    src = _write_csv(tmp_path / "in.csv", [{"id": "a", "text": GOOD}, {"id": "b", "text": text},
                                           {"id": "c", "text": NEWS}])
    out = tmp_path / "out.csv"
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert summary.rows == 3
    bad = rows[1]
    if error is None:
        assert bad["error"] == "empty text"  # pandas writes "" for an empty cell
    else:
        assert error in bad["error"]
    assert (bad["score"] != "") is scored
    assert (bad["tier"] in ("high", "medium", "low")) is scored
    assert rows[0]["error"] == rows[2]["error"] == ""
    assert summary.not_scored == (0 if scored else 1)


def test_five_megabyte_body_is_scored_on_truncated_text(tmp_path, fitted_detector):
    body = (GOOD + " ") * (5_000_000 // (len(GOOD) + 1))
    assert len(body) > MAX_CHARS
    src = _write_csv(tmp_path / "in.csv", [{"id": 1, "text": body}, {"id": 2, "text": NEWS}])
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert len(rows) == 2
    assert rows[0]["error"] == f"truncated from {len(body)} chars"
    assert 0.0 <= float(rows[0]["score"]) <= 1.0
    assert rows[0]["text"] == body  # the input column is kept whole


def test_invalid_utf8_bytes_are_replaced_and_flagged(tmp_path, fitted_detector):
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text\n1,"' + GOOD.encode() + b'"\n2,"tin \xff\xfe gi\xe1 '
                    + NEWS.encode() + b'"\n3,"' + NEWS.encode() + b'"\n')
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["error"] == "invalid UTF-8 replaced"
    assert "\ufffd" in rows[1]["text"] and rows[1]["score"] != ""
    assert rows[0]["error"] == rows[2]["error"] == ""


JSONL_ROWS = [
    pytest.param({"id": 1, "text": None}, "missing text", id="null"),
    pytest.param({"id": 1}, "missing text", id="no-key"),
    pytest.param({"id": 1, "text": 42}, "text is int, not a string", id="int"),
    pytest.param({"id": 1, "text": ["a", "b"]}, "text is list, not a string", id="list"),
    pytest.param({"id": 1, "text": ""}, "empty text", id="empty"),
]


@pytest.mark.parametrize(("obj", "error"), JSONL_ROWS)
def test_missing_or_non_string_text_in_jsonl(tmp_path, fitted_detector, obj, error):
    src = tmp_path / "in.jsonl"
    lines = [{"id": 0, "text": GOOD}, obj, {"id": 2, "text": NEWS}]
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1)
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(got) == 3 and summary.rows == 3
    assert got[1]["error"] == error
    assert got[1]["score"] is None and got[1]["tier"] is None
    assert got[0]["score"] is not None and got[2]["error"] is None
    assert summary.errors == {error.split(" not a ")[0]: 1}


def test_invalid_utf8_in_jsonl_line_is_replaced_and_flagged(tmp_path, fitted_detector):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "tin \xff gi\xe1"}\n' + json.dumps({"text": NEWS}).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert got[0]["error"] == "invalid UTF-8 replaced" and "\ufffd" in got[0]["text"]
    assert got[1]["error"] is None


# ---------------------------------------------------------------------------
# Malformed files: fail fast naming the line, or skip and log
# ---------------------------------------------------------------------------

MALFORMED = [
    pytest.param("csv", 'id,text\n1,"tin một"\n2,"tin "hai" sai"\n3,ba\n', "line 3: broken quoting",
                 ["1", "3"], id="broken-quoting"),
    pytest.param("csv", "id,text\n1,một\n2,hai,thừa\n3,ba\n", "line 3: expected 2 fields, found 3",
                 ["1", "3"], id="extra-field"),
    pytest.param("csv", 'id,text\n1,một\n2,"không đóng ngoặc\n3,ba\n',
                 "line 3: unterminated quoted field", ["1"], id="unterminated-quote"),
    pytest.param("jsonl", '{"id": "1", "text": "một"}\n{"id": "2", "text": "hai"\n'
                 '{"id": "3", "text": "ba"}\n', "line 2: invalid JSON", ["1", "3"],
                 id="truncated-json-line"),
    pytest.param("jsonl", '{"id": "1", "text": "một"}\n["not", "an", "object"]\n'
                 '{"id": "3", "text": "ba"}\n', "line 2: expected a JSON object", ["1", "3"],
                 id="json-array-line"),
]


@pytest.mark.parametrize(("fmt", "content", "message", "kept"), MALFORMED)
def test_malformed_line_fails_fast_naming_the_line(tmp_path, fitted_detector, fmt, content,
                                                   message, kept):
    src = tmp_path / f"in.{fmt}"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(BadInputError, match=message):
        score_file(str(src), str(out), model=fitted_detector, workers=1)
    assert not out.exists() and not Path(str(out) + ".partial").exists()


@pytest.mark.parametrize(("fmt", "content", "message", "kept"), MALFORMED)
def test_skip_bad_lines_logs_and_goes_on(tmp_path, fitted_detector, fmt, content, message, kept):
    src = tmp_path / f"in.{fmt}"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    log = io.StringIO()
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1,
                         skip_bad_lines=True, log=log)
    if fmt == "csv":
        ids = [r["id"] for r in _csv_rows(out)]
    else:
        ids = [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert ids == kept
    assert summary.bad_lines == 1
    assert message in log.getvalue()
    assert message in (tmp_path / f"out.{fmt}.bad-lines").read_text(encoding="utf-8")


def test_missing_text_column_fails_fast(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"id": 1, "body_text": "x"}])
    with pytest.raises(BadInputError, match=r"line 1: no text column among \['id', 'body_text'\]"):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)
    with pytest.raises(BadInputError, match="text column 'nope' not found"):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1,
                   text_column="nope")


def test_text_column_option_and_reintel_names(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"id": 1, "noi_dung": GOOD, "num_like_post": "5"}])
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1, text_column="noi_dung")
    rows = _csv_rows(out)
    assert list(rows[0])[:3] == ["id", "noi_dung", "num_like_post"]
    assert rows[0]["score"] != ""


# ---------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------

def _read_any(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(("src_ext", "dst_ext"), [
    ("csv", "jsonl"), ("jsonl", "parquet"), ("parquet", "csv"), ("parquet", "parquet"),
    ("csv", "csv")], ids=lambda e: e)
def test_format_round_trips_keep_every_row_and_column(tmp_path, fitted_detector, src_ext,
                                                      dst_ext):
    frame = pd.DataFrame({"id": ["1", "2", "3"], "text": [GOOD, "", NEWS],
                          "likes": ["10", "3", "7"]})
    src = tmp_path / f"in.{src_ext}"
    if src_ext == "csv":
        frame.to_csv(src, index=False)
    elif src_ext == "jsonl":
        frame.to_json(src, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(src)
    dst = tmp_path / f"out.{dst_ext}"
    score_file(str(src), str(dst), model=fitted_detector, workers=1)
    got = _read_any(dst)
    assert list(got.columns[:3]) == ["id", "text", "likes"]
    assert {"score", "label", "tier", "top_terms", "error"} <= set(got.columns)
    assert [str(x) for x in got["id"]] == ["1", "2", "3"]
    assert got["error"].iloc[1] == "empty text"


def test_stdin_to_stdout(monkeypatch, capsysbinary, fitted_detector):
    data = f'id,text\n1,"{GOOD}"\n2,"{NEWS}"\n'.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    summary = score_file("-", "-", model=fitted_detector, workers=1)
    out = capsysbinary.readouterr().out.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert summary.rows == 2 and [r["id"] for r in rows] == ["1", "2"]


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch, fitted_detector):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    with pytest.raises(ModuleNotFoundError, match=r'pip install "vnmisinfo\[parquet\]"'):
        score_file(str(src), str(tmp_path / "o.parquet"), model=fitted_detector, workers=1)


@pytest.mark.parametrize(("name", "message"), [
    ("in.txt", "cannot tell the format"), ("in.csv.gz", "is compressed")], ids=["txt", "gz"])
def test_unknown_format_is_a_clear_error(tmp_path, fitted_detector, name, message):
    src = tmp_path / name
    src.write_text("text\nx\n")
    with pytest.raises(ValueError, match=message):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)


# ---------------------------------------------------------------------------
# Dedup, extra result keys, workers
# ---------------------------------------------------------------------------

class _Spy:
    """Wraps a detector: records batch sizes and adds narrative keys to some results."""

    def __init__(self, inner, extras: bool = False) -> None:
        self.inner, self.extras, self.sizes = inner, extras, []
        self.medium_threshold, self.high_threshold = 0.5, 0.8

    def preprocess(self, X):
        return self.inner.preprocess(X)

    def score(self, docs, explain=5):
        self.sizes.append(len(docs))
        out = self.inner.score(docs, explain=explain)
        if self.extras:
            for r, norm in zip(out, docs["norm"], strict=True):
                if "chanh" in norm:
                    r.update(rebuttal="Nước chanh không diệt virus.", narrative_id="N1",
                             entities=["corona"], zz_custom=1)
        return out


def test_duplicates_are_scored_once_and_scattered(tmp_path, fitted_detector):
    rows = [{"id": i, "text": t} for i, t in
            enumerate([GOOD, NEWS, GOOD, " " + GOOD + "  ", NEWS, GOOD.replace("Uống", "Uống")])]
    src = _write_csv(tmp_path / "in.csv", rows)
    spy = _Spy(fitted_detector)
    score_file(str(src), str(tmp_path / "o.csv"), model=spy, workers=1)
    assert spy.sizes == [2]  # six rows, two distinct normalized texts
    got = _csv_rows(tmp_path / "o.csv")
    assert got[0]["score"] == got[2]["score"] == got[3]["score"]
    assert got[1]["score"] == got[4]["score"] != got[0]["score"]


def test_extra_result_keys_become_columns_in_stable_order(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}, {"text": NEWS}])
    out = tmp_path / "o.csv"
    score_file(str(src), str(out), model=_Spy(fitted_detector, extras=True), workers=1)
    rows = _csv_rows(out)
    extra = list(rows[0])[6:]
    assert extra == ["narrative_id", "rebuttal", "entities", "zz_custom"]
    assert [k for k in EXTRA_KEYS if k in extra] == ["narrative_id", "rebuttal", "entities"]
    assert rows[0]["entities"] == '["corona"]' and rows[1]["rebuttal"] == ""


def test_without_extra_keys_only_the_basic_columns_are_added(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)
    assert list(_csv_rows(tmp_path / "o.csv")[0]) == ["text", "score", "label", "tier",
                                                      "top_terms", "error"]


def test_worker_processes_give_the_same_rows_in_order(tmp_path, model_file):
    texts = [f"{GOOD} số {i}" if i % 3 else f"{NEWS} {i}" for i in range(30)]
    src = _write_csv(tmp_path / "in.csv", [{"id": i, "text": t} for i, t in enumerate(texts)])
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    score_file(str(src), str(one), model=str(model_file), workers=1, chunksize=7)
    score_file(str(src), str(two), model=str(model_file), workers=2, chunksize=7)
    assert one.read_bytes() == two.read_bytes()
    assert [r["id"] for r in _csv_rows(two)] == [str(i) for i in range(30)]


def test_score_frame_adds_columns_without_stopping_on_bad_rows(fitted_detector):
    frame = pd.DataFrame({"post_message": [GOOD, None, NEWS]}, index=[10, 11, 12])
    out = score_frame(fitted_detector, frame, explain=2)
    assert list(out.index) == [10, 11, 12]
    assert out.loc[11, "error"] == "missing text" and pd.isna(out.loc[11, "score"])
    assert out.loc[10, "top_terms"].count(":") == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("Bộ Y tế khuyến cáo người dân rửa tay thường xuyên", True),
    ("khong biet gi luon nha moi nguoi oi", True),
    (ENGLISH, False),
    ("新冠病毒 疫苗 接种 证明 已经 发放", False),
    ("Tin giả", None),
], ids=["vietnamese", "no-diacritics", "english", "chinese", "too-short"])
def test_looks_vietnamese(text, expected):
    assert looks_vietnamese(text) is expected


def test_summary_line_counts_tiers_and_errors():
    s = BatchSummary(rows=4, tiers={"high": 1, "medium": 1, "low": 1}, not_scored=1,
                     errors={"empty text": 1}, error_rows=1, seconds=2.0)
    assert str(s) == ("4 rows in 2.0 s (2 rows/s): 1 high, 1 medium, 1 low, 1 not scored; "
                      "1 rows with errors (1 empty text)")


# ---------------------------------------------------------------------------
# Crash safety: kill -9, then --resume
# ---------------------------------------------------------------------------

def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "vnmisinfo.cli", "score", *args]


def test_kill_and_resume_gives_the_same_rows_as_one_run(tmp_path, model_file):
    texts = [f"{GOOD if i % 2 else NEWS} lần thứ {i}" for i in range(300)]
    src = _write_csv(tmp_path / "in.csv", [{"id": i, "text": t} for i, t in enumerate(texts)])
    common = ["--model", str(model_file), "--workers", "1", "--chunk-size", "5", "--quiet"]
    out = tmp_path / "out.csv"
    ckpt = tmp_path / "out.csv.ckpt"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(_cli(str(src), "-o", str(out), *common), env=env,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if ckpt.exists():
            try:
                done = json.loads(ckpt.read_text())["rows_done"]
            except (json.JSONDecodeError, OSError):
                done = 0
            if done >= 20:
                break
        time.sleep(0.005)
    assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists() and Path(str(out) + ".partial").exists()

    resumed = subprocess.run(_cli(str(src), "-o", str(out), "--resume", *common), env=env,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert not ckpt.exists() and not Path(str(out) + ".partial").exists()

    whole = tmp_path / "whole.csv"
    score_file(str(src), str(whole), model=str(model_file), workers=1, chunksize=500)
    assert out.read_bytes() == whole.read_bytes()
    assert len(_csv_rows(out)) == 300


def test_resume_refuses_a_checkpoint_for_another_input(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    out = tmp_path / "out.csv"
    Path(str(out) + ".partial").write_text("text,score\n")
    Path(str(out) + ".ckpt").write_text(json.dumps({"input": "/elsewhere.csv", "size": 1,
                                                    "mtime_ns": 0, "options": {}}))
    with pytest.raises(ValueError, match="written for another input"):
        score_file(str(src), str(out), model=fitted_detector, workers=1, resume=True)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def test_main_score_with_report_and_options(tmp_path, model_file, capsys):
    src = _write_csv(tmp_path / "in.csv", [{"post_id": "p1", "text": GOOD},
                                           {"post_id": "p2", "text": ""}])
    out, page = tmp_path / "out.jsonl", tmp_path / "r.html"
    code = main(["score", str(src), "-o", str(out), "--model", str(model_file), "--explain", "2",
                 "--report", str(page), "--report-top", "1", "--workers", "1"])
    assert code == 0
    err = capsys.readouterr().err
    assert "2 rows in" in err and "1 not scored" in err
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert got[0]["top_terms"].count(";") == 1
    assert "id p1" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "code"), [
    (["--resume"], 2),
    (["--workers", "0"], 2),
    (["--explain", "-1"], 2),
], ids=["resume-without-output", "zero-workers", "negative-explain"])
def test_cli_usage_errors_exit_2(tmp_path, argv, code):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    try:
        got = main(["score", str(src), *argv])
    except SystemExit as exc:
        got = exc.code
    assert got == code


def test_cli_malformed_file_exits_1_naming_the_line(tmp_path, model_file, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,một\n2,hai,thừa\n", encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--model",
                 str(model_file), "--workers", "1"]) == 1
    assert "line 3: expected 2 fields, found 3" in capsys.readouterr().err


def test_no_match_leaves_the_model_untouched_and_skips_narratives(tmp_path, fitted_detector):
    import copy

    from vnmisinfo.batch import score_file
    from vnmisinfo.narratives import default_index

    det = copy.copy(fitted_detector)
    det.narratives = default_index()
    src = tmp_path / "in.csv"
    src.write_text("text\nUong nuoc chanh nong tri khoi covid\n", encoding="utf-8")
    matched, skipped = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    score_file(str(src), str(matched), model=det, workers=1)
    score_file(str(src), str(skipped), model=det, workers=1, match=False)
    assert det.narratives is not None
    assert '"health-001"' in matched.read_text(encoding="utf-8")
    assert "narrative_id" not in skipped.read_text(encoding="utf-8")


def test_score_dask_equals_score_frame(fitted_detector, tiny_corpus):
    import dask.dataframe as dd

    from vnmisinfo.batch import score_dask, score_frame

    texts, _ = tiny_corpus
    frame = pd.DataFrame({"post_message": texts + ["", None], "num_like_post": range(26)})
    lazy = score_dask(dd.from_pandas(frame, npartitions=3), model=fitted_detector)
    out = lazy.compute()
    expected = score_frame(fitted_detector, frame)
    assert len(out) == len(frame)
    pd.testing.assert_series_equal(out["score"], expected["score"])
    assert out["error"].iloc[-2:].notna().all()
