"""Batch scoring: formats, bad rows, malformed files, dedup, workers, resume, CLI.

Also what the output must never do: overwrite an input column, replace the
input file, or turn a symlink, a named pipe or a device into a regular file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from vnmisinfo.batch.run import (
    OUTPUT_COLUMNS,
    PREFIX,
    BadInputError,
    BatchSummary,
    looks_vietnamese,
    score_file,
    score_frame,
)
from vnmisinfo.cli import main
from vnmisinfo.text.accents import strip_diacritics
from vnmisinfo.text.normalize import MAX_CHARS
from vnmisinfo.triage import Triage

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
    from vnmisinfo.triage import Triage, save_model

    return save_model(Triage(fitted_detector), tmp_path_factory.mktemp("model") / "tiny.skops")


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
    pytest.param("!!! 😡😡 ???", "no words", False, id="only-marks-and-emoji"),
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
        assert bad["vnm_error"] == "empty text"  # pandas writes "" for an empty cell
    else:
        assert error in bad["vnm_error"]
    assert (bad["vnm_score"] != "") is scored
    assert (bad["vnm_tier"] in ("high", "medium", "low")) is scored
    assert rows[0]["vnm_error"] == rows[2]["vnm_error"] == ""
    assert summary.not_scored == (0 if scored else 1)


def test_a_headline_without_its_body_is_scored_on_its_title(tmp_path, fitted_detector):
    """A row with a title and no text is a document, as training reads it: its title is
    scored, and the row says so; without a title either, it is still not scored."""
    src = _write_csv(tmp_path / "in.csv", [
        {"id": "a", "title": GOOD, "text": ""}, {"id": "b", "title": "", "text": ""},
        {"id": "c", "title": "  ", "text": NEWS}, {"id": "d", "title": GOOD, "text": "  "}])
    out = tmp_path / "out.csv"
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert [r["vnm_error"] for r in rows] == ["empty text: the title alone scored", "empty text",
                                              "", "empty text: the title alone scored"]
    assert [r["vnm_score"] != "" for r in rows] == [True, False, True, True]
    assert rows[0]["vnm_score"] == rows[3]["vnm_score"]  # the same title, the same score
    expected = fitted_detector.predict_proba(pd.DataFrame({"text": [""], "title": [GOOD]}))
    assert float(rows[0]["vnm_score"]) == pytest.approx(expected[0, 1], abs=1e-6)
    assert summary.not_scored == 1 and rows[0]["text"] == "" and rows[0]["title"] == GOOD


def test_a_count_or_time_that_cannot_be_used_is_noted_and_the_row_scored_without_it(
        tmp_path, fitted_detector):
    """``unknown`` likes or a time no parser reads are left out of the score, and the row
    says so; blank cells are simply missing, and the input cells are kept as they were."""
    rows_in = [{"id": 1, "text": GOOD, "num_like_post": "unknown", "timestamp_post": "hôm qua",
                "num_share_post": 4},
               {"id": 2, "text": GOOD, "num_like_post": "", "timestamp_post": "",
                "num_share_post": 4},
               {"id": 3, "text": NEWS, "num_like_post": "1,2K", "timestamp_post": 1577836800,
                "num_share_post": "-3"}]
    src = _write_csv(tmp_path / "in.csv", rows_in)
    out = tmp_path / "out.csv"
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert [r["vnm_error"] for r in rows] == ["likes not used; timestamp not used", "",
                                              "shares not used"]
    assert rows[0]["vnm_score"] == rows[1]["vnm_score"] != ""  # scored as if blank
    assert [r["num_like_post"] for r in rows] == ["unknown", "", "1,2K"]
    assert summary.errors == {"likes not used": 1, "timestamp not used": 1,
                              "shares not used": 1}
    assert "1 likes not used" in str(summary)


def test_a_json_number_too_big_for_a_float_is_noted_not_a_crash(tmp_path, fitted_detector):
    """A count or time of 400 digits stopped the run with OverflowError and a traceback."""
    huge = 10**400 - 1
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": 1, "text": GOOD, "likes": huge, "timestamp": huge}) + "\n"
                   + json.dumps({"id": 2, "text": GOOD}) + "\n", encoding="utf-8")
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["vnm_error"] == "likes not used; timestamp not used"
    assert rows[0]["vnm_score"] == rows[1]["vnm_score"] and rows[0]["likes"] == huge


def test_five_megabyte_body_is_scored_on_truncated_text(tmp_path, fitted_detector):
    body = (GOOD + " ") * (5_000_000 // (len(GOOD) + 1))
    assert len(body) > MAX_CHARS
    src = _write_csv(tmp_path / "in.csv", [{"id": 1, "text": body}, {"id": 2, "text": NEWS}])
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert len(rows) == 2
    assert rows[0]["vnm_error"] == f"truncated from {len(body)} chars"
    assert 0.0 <= float(rows[0]["vnm_score"]) <= 1.0
    assert rows[0]["text"] == body  # the input column is kept whole


def test_invalid_utf8_bytes_are_replaced_and_flagged(tmp_path, fitted_detector):
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text\n1,"' + GOOD.encode() + b'"\n2,"tin \xff\xfe gi\xe1 '
                    + NEWS.encode() + b'"\n3,"' + NEWS.encode() + b'"\n')
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["vnm_error"] == "invalid UTF-8 replaced"
    assert "\ufffd" in rows[1]["text"] and rows[1]["vnm_score"] != ""
    assert rows[0]["vnm_error"] == rows[2]["vnm_error"] == ""


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
    assert got[1]["vnm_error"] == error
    assert got[1]["vnm_score"] is None and got[1]["vnm_tier"] is None
    assert got[0]["vnm_score"] is not None and got[2]["vnm_error"] is None
    assert summary.errors == {error.split(" not a ")[0].rstrip(", "): 1}  # "text is int"


def test_invalid_utf8_in_jsonl_line_is_replaced_and_flagged(tmp_path, fitted_detector):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "tin \xff gi\xe1"}\n' + json.dumps({"text": NEWS}).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert got[0]["vnm_error"] == "invalid UTF-8 replaced" and "\ufffd" in got[0]["text"]
    assert got[1]["vnm_error"] is None


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
    pytest.param("jsonl", '{"id": "1", "text": "một"}\nnull\n{"id": "3", "text": "ba"}\n',
                 "line 2: expected a JSON object, found null", ["1", "3"], id="null-line"),
    pytest.param("jsonl", '{"id": "1", "text": "một"}\n{"id": "2", "text": "' + GOOD
                 + '", "text": "' + ENGLISH + '"}\n{"id": "3", "text": "ba"}\n',
                 "line 2: the key 'text' appears twice in one object", ["1", "3"],
                 id="duplicate-key"),
    pytest.param("jsonl", '{"id": "1", "text": "một", "user": {"id": 7, "id": 8}}\n'
                 '{"id": "2", "text": "hai", "user": {"id": 9}}\n',
                 "line 1: the key 'id' appears twice in one object", ["2"],
                 id="duplicate-nested-key"),
    pytest.param("jsonl", '{"id": "1", "text": "một"}\n{"id": "2", "likes": ' + "9" * 5000
                 + '}\n{"id": "3", "text": "ba"}\n',
                 "line 2: invalid JSON (an integer of more than 4,300 digits", ["1", "3"],
                 id="integer-of-5000-digits"),
]


@pytest.mark.parametrize(("fmt", "content", "message", "kept"), MALFORMED)
def test_malformed_line_fails_fast_naming_the_line(tmp_path, fitted_detector, fmt, content,
                                                   message, kept):
    src = tmp_path / f"in.{fmt}"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(BadInputError, match=re.escape(message)):
        score_file(str(src), str(out), model=fitted_detector, workers=1)
    assert not out.exists() and not Path(str(out) + ".partial").exists()


@pytest.mark.parametrize("line", [
    '{"a": 1}\n', ' {"a": 1}', '{"a": 1}\t\r\n ', '{"a": 1} x', '{"a": 1}\u00a0', '{"a": 1', '',
    'null', '[1, {"b": [2, {}]}]', '{"a": {"b": [1, {"c": 3}]}, "d": {}}', '{"a": 1e999}',
    '{"a": ' + "9" * 5000 + '}', '\ufeff{"a": 1}', "[" * 100_000,
], ids=lambda line: repr(line[:12]))
def test_a_jsonl_line_is_read_as_json_loads_reads_it(line):
    """The batch reads each line with the duplicate-key check: the same value, or the same
    error, as json.loads."""
    from vnmisinfo.data.json_lines import load_line

    def outcome(loads):
        try:
            return loads(line)
        except RecursionError:
            return "RecursionError"
        except ValueError as exc:
            return f"{type(exc).__name__}: {exc}"

    assert repr(outcome(load_line)) == repr(outcome(json.loads))


def test_a_malformed_line_after_written_rows_keeps_them_for_resume(tmp_path, fitted_detector):
    """Stopped at a malformed line, a run keeps the chunks it wrote; resuming with
    skip_bad_lines writes what one run that skips the line writes, byte for byte."""
    lines = [f"{i},tin số {i} về giá xăng" for i in range(7)]
    src = tmp_path / "in.csv"
    src.write_text("id,text\n" + "\n".join([*lines[:5], "5,hai,thừa", *lines[6:]]) + "\n",
                   encoding="utf-8")
    out, whole = tmp_path / "out.csv", tmp_path / "whole.csv"
    common = {"model": fitted_detector, "workers": 1, "chunksize": 2}
    with pytest.raises(BadInputError, match=r"line 7: expected 2 fields, found 3\. The 4 rows "
                       r"scored before it are kept .*--resume --skip-bad-lines"):
        score_file(str(src), str(out), **common)
    assert not out.exists() and Path(str(out) + ".partial").exists()
    summary = score_file(str(src), str(out), resume=True, skip_bad_lines=True, log=io.StringIO(),
                         **common)
    assert summary.resumed == 4 and summary.bad_lines == 1 and summary.rows == 6
    score_file(str(src), str(whole), skip_bad_lines=True, log=io.StringIO(), **common)
    assert out.read_bytes() == whole.read_bytes()
    assert [r["id"] for r in _csv_rows(out)] == ["0", "1", "2", "3", "4", "6"]
    assert not Path(str(out) + ".partial").exists() and not Path(str(out) + ".ckpt").exists()


class _FailsOn:
    """A detector that fails on a text holding ``marker``: raising ``OSError`` in this
    process, or ending a worker process abruptly (as the kernel's out-of-memory killer does)."""

    def __init__(self, detector: object, marker: str, die: bool) -> None:
        self.detector, self.marker, self.die = detector, marker, die

    def explain(self, X: pd.DataFrame, k: int = 5) -> list:
        if any(self.marker in str(t) for t in X["text"]):
            if self.die:
                os._exit(9)
            raise OSError("No space left on device")
        return self.detector.explain(X, k)

    def __getattr__(self, name: str) -> object:
        if name.startswith("__") or "detector" not in self.__dict__:
            raise AttributeError(name)  # while unpickled: nothing to delegate to yet
        return getattr(self.__dict__["detector"], name)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_stopped_by_an_error_keeps_its_rows_for_resume(tmp_path, fitted_detector, workers):
    """A full disk (one process) or a worker killed (two) stops the run with a clear error;
    the checkpointed rows stay, and --resume finishes the same file as one whole run."""
    rows = [{"id": i, "text": f"tin số {i} về giá xăng" + (" HỎNG" if i == 9 else "")}
            for i in range(12)]
    src, out, whole = _write_csv(tmp_path / "in.csv", rows), tmp_path / "o.csv", tmp_path / "w.csv"
    failing = Triage(_FailsOn(fitted_detector, "HỎNG", die=workers > 1))
    error = ChildProcessError if workers > 1 else OSError
    with pytest.raises(error, match="worker process stopped abruptly" if workers > 1
                       else "No space left"):
        score_file(str(src), str(out), model=failing, workers=workers, chunksize=2)
    done = json.loads(Path(str(out) + ".ckpt").read_text())["rows_done"]
    assert done >= 2 and Path(str(out) + ".partial").exists() and not out.exists()
    failing.detector.marker = "\x00"  # the cause is fixed; the same model resumes
    summary = score_file(str(src), str(out), model=failing, workers=workers, chunksize=2,
                         resume=True)
    assert summary.resumed == done and summary.rows == 12
    score_file(str(src), str(whole), model=failing, workers=workers, chunksize=2)
    assert out.read_bytes() == whole.read_bytes()


class _Interrupted(_FailsOn):
    """A detector that is interrupted (Ctrl-C) on a text holding ``marker``."""

    def explain(self, X: pd.DataFrame, k: int = 5) -> list:
        if any(self.marker in str(t) for t in X["text"]):
            raise KeyboardInterrupt
        return self.detector.explain(X, k)


@pytest.mark.parametrize(("output", "kept"), [("o.csv", True), ("o.parquet", False)])
def test_ctrl_c_keeps_the_rows_to_resume_or_leaves_nothing(tmp_path, fitted_detector,
                                                            monkeypatch, output, kept):
    """A CSV output keeps its checkpointed rows; a Parquet one, which cannot be resumed,
    is removed, and its writer is closed (not left to write to a closed file)."""
    pytest.importorskip("pyarrow")
    ignored: list = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    rows = [{"id": i, "text": f"tin số {i} về giá xăng" + (" DỪNG" if i == 9 else "")}
            for i in range(12)]
    src, out = _write_csv(tmp_path / "in.csv", rows), tmp_path / output
    with pytest.raises(KeyboardInterrupt):
        score_file(str(src), str(out), model=Triage(_Interrupted(fitted_detector, "DỪNG",
                                                                 die=False)),
                   workers=1, chunksize=2)
    import gc

    gc.collect()  # the run's writer is let go
    assert [str(e.exc_value) for e in ignored] == []
    assert Path(f"{out}.partial").exists() is kept and Path(f"{out}.ckpt").exists() is kept
    assert not out.exists()


class _BugOn(_FailsOn):
    """A detector with a bug that one kind of text triggers (a ``KeyError``, as a lookup
    of a name spelled with a dotless ``ı`` raised), or every text when ``marker`` is ''."""

    def explain(self, X: pd.DataFrame, k: int = 5) -> list:
        if any(self.marker in str(t) for t in X["text"]):
            raise KeyError("vıet nam")
        return self.detector.explain(X, k)


def test_a_row_that_raises_is_noted_and_the_batch_goes_on(tmp_path, fitted_detector):
    """One row that trips a bug used to stop the whole run; it is now the only row not
    scored, its error in vnm_error, and every other row is scored as without it."""
    rows = [{"id": i, "text": f"tin số {i} về giá xăng" + (" LỖI" if i in (3, 9) else "")}
            for i in range(12)]
    src, out = _write_csv(tmp_path / "in.csv", rows), tmp_path / "o.csv"
    summary = score_file(str(src), str(out), model=Triage(_BugOn(fitted_detector, "LỖI", False)),
                         workers=1, chunksize=5)
    got = _csv_rows(out)
    assert [r["id"] for r in got] == [str(i) for i in range(12)] and summary.rows == 12
    assert [r["id"] for r in got if r["vnm_score"] == ""] == ["3", "9"]
    assert got[3]["vnm_error"] == "not scored: KeyError: 'vıet nam'"
    plain = tmp_path / "plain.csv"
    score_file(str(_write_csv(tmp_path / "p.csv", rows)), str(plain), model=fitted_detector,
               workers=1, chunksize=5)
    want = {r["id"]: r["vnm_score"] for r in _csv_rows(plain)}
    assert all(r["vnm_score"] == want[r["id"]] for r in got if r["id"] not in ("3", "9"))
    with pytest.raises(KeyError):  # a bug every row trips is no bad row: the run stops
        score_file(str(src), str(tmp_path / "all.csv"),
                   model=Triage(_BugOn(fitted_detector, "", False)), workers=1, chunksize=5)


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
    src = _write_csv(tmp_path / "in.csv", [{"id": 1, "bai_viet": GOOD, "num_like_post": "5"}])
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1, text_column="bai_viet")
    rows = _csv_rows(out)
    assert list(rows[0])[:3] == ["id", "bai_viet", "num_like_post"]
    assert rows[0]["vnm_score"] != ""


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
    assert list(got.columns) == ["id", "text", "likes", *OUTPUT_COLUMNS]
    assert [str(x) for x in got["id"]] == ["1", "2", "3"]
    assert got["vnm_error"].iloc[1] == "empty text"


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
    ("in.txt", "cannot tell the format"), ("in.csv.zst", "compressed in a way that is not read"),
    ("in.parquet.gz", "compressed in a way that is not read"),
    ("in.csv.gz", "not a readable .gz file"), ("in.jsonl.xz", "not a readable .xz file"),
    ("in.xlsx", r"a spreadsheet.*Save As > CSV UTF-8")],
    ids=["txt", "zst", "parquet-gz", "not-gzip", "not-xz", "spreadsheet"])
def test_unknown_format_is_a_clear_error(tmp_path, fitted_detector, name, message):
    src = tmp_path / name
    src.write_text("text\nx\n")
    with pytest.raises(ValueError, match=message):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)


@pytest.mark.parametrize("suffix", [".csv.gz", ".tsv.bz2", ".jsonl.xz"])
def test_a_compressed_input_is_read_as_it_streams_and_scores_as_the_plain_file(
        tmp_path, fitted_detector, suffix):
    """Large dumps come compressed: .gz, .bz2 and .xz files are read as they stream, by the
    extension under the compression's, and give the plain file's output byte for byte."""
    import bz2
    import gzip
    import lzma

    rows = [{"id": i, "text": t, "likes": i} for i, t in enumerate([GOOD, NEWS, GOOD + " nhé"])]
    frame = pd.DataFrame(rows)
    inner = suffix.rsplit(".", 1)[0]
    plain = tmp_path / f"in{inner}"
    if inner == ".jsonl":
        frame.to_json(plain, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_csv(plain, index=False, sep="\t" if inner == ".tsv" else ",")
    module = {".gz": gzip, ".bz2": bz2, ".xz": lzma}["." + suffix.rsplit(".", 1)[1]]
    packed = tmp_path / f"in{suffix}"
    packed.write_bytes(module.compress(plain.read_bytes()))
    outs = []
    for src in (plain, packed):
        out = tmp_path / f"out-{src.name}{inner}"
        score_file(str(src), str(out), model=fitted_detector, workers=1)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") >= 3


def test_a_compressed_input_cut_short_stops_with_the_line_and_no_output_is_compressed(
        tmp_path, fitted_detector):
    import gzip

    whole = "id,text\n" + "".join(f'{i},"{GOOD} {i}"\n' for i in range(3000))
    src = tmp_path / "in.csv.gz"
    src.write_bytes(gzip.compress(whole.encode())[:-40])
    with pytest.raises(BadInputError, match=r"line \d+: the compressed input is cut short"):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)
    plain = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    with pytest.raises(ValueError, match=r"output is written uncompressed.*\| gzip >"):
        score_file(str(plain), str(tmp_path / "o.csv.gz"), model=fitted_detector, workers=1)


def test_a_damaged_compressed_input_gives_advice_that_works(tmp_path, model_file, capsys):
    """Half of a gzip file: the error advised --resume --skip-bad-lines, and that command
    stopped with the same error (after "readable.."). Now it scores every whole row before
    the damage and says where the reading stopped; nothing past it could be read."""
    import gzip

    packed = gzip.compress(("id,text\n" + "".join(f'{i},"{GOOD} {i}"\n'
                                                   for i in range(3000))).encode())
    src = tmp_path / "t.csv.gz"
    src.write_bytes(packed[:len(packed) // 2])
    out = tmp_path / "o.csv"
    argv = ["score", str(src), "-o", str(out), "--model", str(model_file), "--workers", "1",
            "--chunk-size", "500", "-q"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    line = int(re.search(r"line (\d+): the compressed input is cut short or damaged here", err)[1])
    assert ".." not in err and "kept in" in err
    assert "run the same command with --resume --skip-bad-lines to score the rows before it" in err
    assert main([*argv, "--resume", "--skip-bad-lines"]) == 0
    assert f"stopped reading at line {line}: the compressed input" in capsys.readouterr().err
    assert [r["id"] for r in _csv_rows(out)] == [str(i) for i in range(line - 2)]
    assert f"line {line}: the compressed input" in Path(f"{out}.bad-lines").read_text()


def test_a_damaged_compressed_jsonl_input_is_read_up_to_the_damage(tmp_path, fitted_detector):
    import lzma

    packed = lzma.compress("".join(json.dumps({"id": i, "text": f"{GOOD} {i}"}) + "\n"
                                   for i in range(3000)).encode())
    src = tmp_path / "in.jsonl.xz"
    src.write_bytes(packed[:len(packed) // 2])
    out = tmp_path / "o.jsonl"
    with pytest.raises(BadInputError, match="pass --skip-bad-lines to score the rows before"):
        score_file(str(src), "-", model=fitted_detector, workers=1)
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1,
                         skip_bad_lines=True, log=io.StringIO())
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(summary.rows)) and summary.rows > 500
    assert summary.stopped.startswith(f"stopped reading at line {summary.rows + 1}: ")
    assert "stopped reading at line" in str(summary) and summary.bad_lines == 0


def test_bytes_after_the_end_of_a_gzip_file_are_ignored_with_a_note(tmp_path, model_file,
                                                                    capsys):
    """As zcat does: every row is read, and a note says that the trailing bytes were not."""
    import gzip

    plain = _write_csv(tmp_path / "in.csv", [{"id": i, "text": GOOD} for i in range(3)])
    src = tmp_path / "in.csv.gz"
    src.write_bytes(gzip.compress(plain.read_bytes()) + b"garbage appended by a tool")
    out = tmp_path / "o.csv"
    assert main(["score", str(src), "-o", str(out), "--model", str(model_file), "--workers",
                 "1", "-q"]) == 0
    assert [r["id"] for r in _csv_rows(out)] == ["0", "1", "2"]
    assert ("vnmisinfo score: note: " + str(src) + ": the bytes after the end of the gzip data "
            "are not gzip data and were ignored") in capsys.readouterr().err



def test_an_input_is_read_as_its_extension_says_and_format_names_standard_output(
        tmp_path, fitted_detector, capsys):
    """--format jsonl on a .csv input asks for JSON lines on standard output; the CSV is
    still read as CSV (before, every row was 'not valid JSON')."""
    src = _write_csv(tmp_path / "in.csv", [{"id": 7, "text": GOOD}, {"id": 8, "text": NEWS}])
    summary = score_file(str(src), None, model=fitted_detector, workers=1, fmt="jsonl")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in lines] == ["7", "8"] and summary.error_rows == 0
    assert all(r["vnm_score"] is not None for r in lines)


@pytest.mark.parametrize(("engine", "fmt"), [("local", "jsonl"), ("dask", "parquet")])
def test_an_output_format_that_contradicts_the_output_name_is_refused(tmp_path, capsys, engine,
                                                                      fmt):
    """out.csv with --output-format jsonl wrote JSON lines under a CSV name."""
    if engine == "dask":
        pytest.importorskip("dask.distributed")
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    out = tmp_path / "out.csv"
    extra = ["--engine", "dask"] if engine == "dask" else []
    code = main(["score", str(src), "-o", str(out), "--output-format", fmt, *extra])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert f"its name says CSV but --output-format says {fmt}" in err and f"out.{fmt}" in err


def test_a_txt_output_takes_the_format_that_its_error_asks_for(tmp_path, capsys, model_file):
    """out.txt: the error asked to name the format, then refused it ('its name says LINES')."""
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    out = tmp_path / "out.txt"
    assert main(["score", str(src), "-o", str(out), "--model", str(model_file)]) == 1
    assert "or name the format (--output-format)" in capsys.readouterr().err
    assert main(["score", str(src), "-o", str(out), "--output-format", "jsonl",
                 "--model", str(model_file)]) == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["text"] == GOOD

# ---------------------------------------------------------------------------
# Dedup, extra result keys, workers
# ---------------------------------------------------------------------------

class _Spy:
    """Wraps a detector: records batch sizes and adds narrative keys to some results."""

    def __init__(self, inner, extras: bool = False) -> None:
        inner = inner if isinstance(inner, Triage) else Triage(inner)
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
    assert got[0]["vnm_score"] == got[2]["vnm_score"] == got[3]["vnm_score"]
    assert got[1]["vnm_score"] == got[4]["vnm_score"] != got[0]["vnm_score"]


def test_extra_result_keys_become_columns_in_stable_order(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}, {"text": NEWS}])
    out = tmp_path / "o.csv"
    score_file(str(src), str(out), model=_Spy(fitted_detector, extras=True), workers=1)
    rows = _csv_rows(out)
    assert list(rows[0]) == ["text", *OUTPUT_COLUMNS, "vnm_zz_custom"]
    assert rows[0]["vnm_narrative_id"] == "N1" and rows[0]["vnm_zz_custom"] == "1"
    assert rows[0]["vnm_entities"] == '["corona"]' and rows[1]["vnm_rebuttal"] == ""
    assert rows[0]["vnm_model"] == ""  # the spy has no model_id


def test_the_output_columns_are_the_same_for_every_model(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)
    row = _csv_rows(tmp_path / "o.csv")[0]
    assert list(row) == ["text", *OUTPUT_COLUMNS]
    assert all(c.startswith(PREFIX) for c in OUTPUT_COLUMNS)
    assert row["vnm_model"] == Triage(fitted_detector).model_id


def test_result_fields_are_written_as_text(tmp_path, fitted_detector):
    class _Full(_Spy):
        def score(self, docs, explain=5):
            out = self.inner.score(docs, explain=explain)
            for r in out:
                r.update(tier_reason="known narrative", context=[("likes", 0.25)],
                         narrative_candidate="health-002",
                         sources=[{"url": "https://who.int", "title": "WHO"}])
            return out

    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    score_file(str(src), str(tmp_path / "o.csv"), model=_Full(fitted_detector), workers=1)
    row = _csv_rows(tmp_path / "o.csv")[0]
    assert row["vnm_tier_reason"] == "known narrative"
    assert row["vnm_context"] == "likes:+0.250"
    assert row["vnm_narrative_candidate"] == "health-002"
    assert json.loads(row["vnm_sources"]) == [{"url": "https://who.int", "title": "WHO"}]


def test_worker_processes_give_the_same_rows_in_order(tmp_path, model_file):
    texts = [f"{GOOD} số {i}" if i % 3 else f"{NEWS} {i}" for i in range(30)]
    src = _write_csv(tmp_path / "in.csv", [{"id": i, "text": t} for i, t in enumerate(texts)])
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    score_file(str(src), str(one), model=str(model_file), workers=1, chunksize=7)
    score_file(str(src), str(two), model=str(model_file), workers=2, chunksize=7)
    assert one.read_bytes() == two.read_bytes()
    assert [r["id"] for r in _csv_rows(two)] == [str(i) for i in range(30)]



@pytest.mark.parametrize("as_object", [False, True])
def test_a_script_that_scores_without_the_main_guard_is_told_the_fix(tmp_path, model_file,
                                                                    as_object):
    """Each worker process runs the main script again as it starts; one that scores at its
    top level stops every worker.  The error names the guard, not a lack of memory, and
    the run does not wait for good: a model object (padded past a pipe's buffer) reaches a
    worker through a pipe that the worker reads only once started."""
    src = _write_csv(tmp_path / "in.csv", [{"id": i, "text": f"{GOOD} {i}"} for i in range(12)])
    out = tmp_path / "o.csv"
    model = (f"vnmisinfo.load_model({str(model_file)!r})\nmodel.padding = bytes(2_000_000)"
             if as_object else repr(str(model_file)))
    script = tmp_path / "run.py"
    script.write_text("import vnmisinfo\nfrom vnmisinfo.batch import score_file\n"
                      f"model = {model}\n"
                      "def go():\n"
                      f"    return score_file({str(src)!r}, {str(out)!r}, model=model, "
                      "workers=2, chunksize=5, explain=0)\n"
                      "go()\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ChildProcessError: the worker processes stop while starting")
    assert f"main script {script} again" in last
    assert 'put the call under `if __name__ == "__main__":`' in last
    assert "score_file was called while a worker process was starting" in done.stderr
    assert not out.exists() and not Path(f"{out}.partial").exists()


def test_a_worker_process_scores_without_pyarrow(model_file):
    """A worker starts before pandas and keeps pyarrow out (it never reads a file); the
    main process keeps it for Parquet.  The worker's scores equal those of this process."""
    pytest.importorskip("pyarrow")
    code = (
        "import json, sys\n"
        "from vnmisinfo.batch.worker import start\n"
        f"start({str(model_file)!r})\n"
        "from vnmisinfo.batch import scoring\n"
        f"record = {{'text': {GOOD!r}, 'title': None}}\n"
        "rows = scoring._score_records(scoring._DETECTOR, [record], 3)\n"
        "print(json.dumps([sys.modules.get('pyarrow') is None, 'pandas' in sys.modules,"
        " rows[0][0]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    blocked, has_pandas, probability = json.loads(done.stdout.strip().splitlines()[-1])
    assert blocked and has_pandas
    from vnmisinfo.batch import scoring

    here = scoring._score_records(scoring._load(str(model_file)),
                                  [{"text": GOOD, "title": None}], 3)
    assert probability == pytest.approx(here[0][0], abs=1e-12)
    assert "pyarrow" in sys.modules and sys.modules["pyarrow"] is not None


@pytest.mark.parametrize(("output", "kept_out"), [("o.csv", True), ("o.parquet", False)])
def test_the_command_keeps_pyarrow_out_unless_it_reads_or_writes_parquet(tmp_path, model_file,
                                                                         output, kept_out):
    pytest.importorskip("pyarrow")
    src = _write_csv(tmp_path / "in.csv", [{"id": 1, "text": GOOD}, {"id": 2, "text": NEWS}])
    out = tmp_path / output
    code = ("import sys\nfrom vnmisinfo.cli import main\n"
            f"code = main(['score', {str(src)!r}, '-o', {str(out)!r}, '--model', "
            f"{str(model_file)!r}, '--workers', '1', '-q'])\n"
            "print(code, 'pyarrow' in sys.modules and sys.modules['pyarrow'] is None)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["0", str(kept_out)]
    scored = pd.read_parquet(out) if output.endswith(".parquet") else pd.read_csv(out)
    assert [str(v) for v in scored["id"]] == ["1", "2"] and scored["vnm_score"].notna().all()
    if kept_out:  # the same bytes as a process that holds pyarrow (this one)
        here = tmp_path / f"here_{output}"
        assert main(["score", str(src), "-o", str(here), "--model", str(model_file),
                     "--workers", "1", "-q"]) == 0
        assert sys.modules.get("pyarrow") is not None
        assert here.read_bytes() == out.read_bytes()


def test_a_lone_carriage_return_in_a_text_keeps_its_row_whole_in_csv(tmp_path, fitted_detector):
    """The csv module quotes a field holding the line end it writes, not a lone \r, which
    readers take for a line end: the row came out cut in two and the columns shifted."""
    texts = [f"{GOOD}\rchia sẻ ngay", NEWS]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{i}", "text": t}, ensure_ascii=False) + "\n"
                           for i, t in enumerate(texts)), encoding="utf-8")
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = _csv_rows(out)
    assert [r["text"] for r in rows] == texts and [r["id"] for r in rows] == ["a0", "a1"]
    again = tmp_path / "again.csv"
    score_file(str(out), str(again), model=fitted_detector, workers=1, overwrite_scores=True)
    assert [r["text"] for r in _csv_rows(again)] == texts


def test_a_tsv_output_is_written_with_tabs_and_reads_back(tmp_path, fitted_detector):
    """A .tsv input is read with tabs; its output was written with commas, so the tool read
    its own output as one column."""
    src = tmp_path / "in.tsv"
    pd.DataFrame({"id": [1, 2], "text": [GOOD, "Hà Nội, hôm nay, mưa"]}).to_csv(
        src, sep="\t", index=False)
    out = tmp_path / "out.tsv"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    back = pd.read_csv(out, sep="\t", dtype=str)
    assert list(back.columns[:2]) == ["id", "text"] and "vnm_score" in back.columns
    assert back["text"].tolist() == [GOOD, "Hà Nội, hôm nay, mưa"]
    again = tmp_path / "again.tsv"
    score_file(str(out), str(again), model=fitted_detector, workers=1, overwrite_scores=True)
    assert pd.read_csv(again, sep="\t", dtype=str)["text"].tolist() == back["text"].tolist()


@pytest.mark.parametrize(("content", "said"), [
    ('[{"text": "a"}, {"text": "b"}]', "a JSON array of objects, not JSON Lines"),
    ('[\n  {\n    "text": "a"\n  }\n]', "line 1: a JSON array of objects, not JSON Lines"),
    ('{"id": 1, "title": "x"}\n{"id": 2, "words": "abc"}\n', "keys of the first 1,000 objects"),
], ids=["json-array", "indented-json-array", "no-text-key"])
def test_a_jsonl_input_that_cannot_be_read_says_why(tmp_path, fitted_detector, content, said):
    src = tmp_path / "in.json"
    src.write_text(content, encoding="utf-8")
    with pytest.raises(BadInputError, match=re.escape(said)):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)


@pytest.mark.parametrize("content", ["", "\n\n"], ids=["no-byte", "blank-lines"])
@pytest.mark.parametrize("out_name", ["o.csv", "o.jsonl"])
def test_a_jsonl_file_with_no_object_gives_an_output_with_no_row(tmp_path, fitted_detector,
                                                                  content, out_name):
    """A day without posts stopped a JSONL pipeline ('the input is empty'), where a
    header-only CSV gave an output without rows."""
    src, out = tmp_path / "in.jsonl", tmp_path / out_name
    src.write_text(content, encoding="utf-8")
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1)
    assert summary.rows == 0 and summary.not_scored == 0
    written = out.read_text(encoding="utf-8")
    assert (written.splitlines() == [",".join(OUTPUT_COLUMNS)] if out_name == "o.csv"
            else written == "")


def test_a_jsonl_file_of_bad_lines_only_is_not_taken_for_an_empty_one(tmp_path,
                                                                      fitted_detector):
    src = tmp_path / "in.jsonl"
    src.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(BadInputError):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)


def test_a_csv_separated_by_semicolons_is_named(tmp_path, fitted_detector):
    src = tmp_path / "in.csv"
    src.write_text("id;text\n1;Hà Nội mưa\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="looks separated by ';'.*save it again as CSV"):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)


def test_jsonl_objects_without_the_text_key_are_rows_of_their_own(tmp_path, fitted_detector):
    """A first object without the text key refused the whole file."""
    src = tmp_path / "in.jsonl"
    objects = [{"id": 1, "note": "x"}, {"id": 2, "text": GOOD, "extra": "E"},
               {"id": 3, "text": "Hà Nội mưa"}]
    src.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3] and summary.rows == 3
    assert rows[0]["note"] == "x" and rows[0]["vnm_error"] == "missing text"
    assert rows[1]["extra"] == "E" and rows[1]["vnm_score"] is not None
    assert summary.errors == {"missing text": 1}


def test_a_cut_emoji_escape_is_not_called_bad_utf8(tmp_path, fitted_detector):
    """Half a surrogate pair in valid UTF-8 JSON: the summary advised re-saving from CP1258."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "Uống nước nóng \\ud83d"}\n{"text": "Cột 5G \\ud83d"}\n',
                   encoding="utf-8")
    summary = score_file(str(src), str(tmp_path / "o.jsonl"), model=fitted_detector, workers=1)
    assert summary.errors == {"broken \\u escape replaced": 2}
    assert "CP1258" not in str(summary)


def test_an_output_without_extension_names_the_output_option(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    with pytest.raises(ValueError, match=re.escape("(--output-format)")):
        score_file(str(src), str(tmp_path / "scored"), model=fitted_detector, workers=1)


def test_a_warning_is_a_note_of_the_command(tmp_path, capsys, model_file):
    """Python's warning format printed a source path and a line of code."""
    src = _write_csv(tmp_path / "in.csv", [{"text": "Uống nước chanh. " * 8000}, {"text": NEWS}])
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--model", str(model_file),
                 "-q"]) == 0
    capsys.readouterr()
    assert main(["queue", str(tmp_path / "o.csv"), "-o", str(tmp_path / "q.csv"),
                 "--budget", "1"]) == 0
    err = capsys.readouterr().err
    assert "vnmisinfo queue: note: text of" in err and ".py:" not in err

def test_score_frame_adds_columns_without_stopping_on_bad_rows(fitted_detector):
    frame = pd.DataFrame({"post_message": [GOOD, None, NEWS]}, index=[10, 11, 12])
    out = score_frame(fitted_detector, frame, explain=2)
    assert list(out.index) == [10, 11, 12]
    assert out.loc[11, "vnm_error"] == "missing text" and pd.isna(out.loc[11, "vnm_score"])
    assert out.loc[10, "vnm_top_terms"].count(":") == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("Bộ Y tế khuyến cáo người dân rửa tay thường xuyên", True),
    ("khong biet gi luon nha moi nguoi oi", True),
    ("uong nuoc chanh nong diet virus corona nha mn", True),
    ("Bayern Munich vo dich Bundesliga lan thu 8 lien tiep, cac cau thu cua ho da thang "
     "Werder Bremen trong tran dau hom nay", True),
    ("Corona chưa xong, dịch lợn lại quay về https://nongnghiep.vn/dich-ta-lon-chau-phi-xuat-"
     "hien-tro-lai-o-bac-kan-d262516.html?utm_source=zalo&utm_medium=share", True),
    (ENGLISH, False),
    ("Le ministère de la santé affirme que cette rumeur est fausse", False),
    ("La vacuna contra el covid no contiene ningún microchip, dicen los expertos", False),
    ("Kementerian kesehatan mengatakan bahwa kabar itu tidak benar sama sekali", False),
    ("Die Regierung hat den Bericht über die Impfung nicht bestätigt", False),
    ("新冠病毒 疫苗 接种 证明 已经 发放", False),
    ("Tin giả", None),
    ("covid covid virus link ok mn", None),
], ids=["vietnamese", "no-diacritics", "loanwords-and-abbreviations", "names", "a-link", "english",
        "french", "spanish", "indonesian", "german", "chinese", "too-short", "only-loanwords"])
def test_looks_vietnamese(text, expected):
    assert looks_vietnamese(text) is expected


def test_vietnamese_typed_without_marks_is_never_called_another_language():
    path = Path(__file__).resolve().parents[1] / "corpora" / "narratives" / "eval_reworded.jsonl"
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    called_foreign = [t for t in texts if looks_vietnamese(strip_diacritics(t)) is False]
    assert len(texts) == 176 and called_foreign == []


def test_summary_line_counts_tiers_and_errors():
    s = BatchSummary(rows=4, tiers={"high": 1, "medium": 1, "low": 1}, not_scored=1,
                     errors={"empty text": 1}, error_rows=1, seconds=2.0)
    assert str(s) == ("4 rows in 2.0 s (2 rows/s): 1 high, 1 medium, 1 low, 1 not scored; "
                      "1 rows noted in vnm_error (1 empty text)")


# ---------------------------------------------------------------------------
# No data lost: input columns kept, the input never replaced, streams streamed
# ---------------------------------------------------------------------------

#: Input columns named like the old output columns, with values the model would never write.
CLASHING = [{"id": "a", "label": 1, "score": 9.5, "tier": "gold", "error": "reviewer-note",
             "text": GOOD},
            {"id": "b", "label": 0, "score": 0.5, "tier": "silver", "error": "",
             "text": NEWS}]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    frame = pd.DataFrame(rows)
    if path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_input_columns_named_like_scores_pass_through_unchanged(tmp_path, fitted_detector, ext):
    src = _write(tmp_path / f"in.{ext}", CLASHING)
    out = tmp_path / f"out.{ext}"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    got = _read_any(out)
    assert list(got.columns) == ["id", "label", "score", "tier", "error", "text",
                                 *OUTPUT_COLUMNS]
    first = got.iloc[0]
    assert [str(first[c]) for c in ("id", "label", "score", "tier", "error")] == [
        "a", "1", "9.5", "gold", "reviewer-note"]
    assert str(got["tier"].iloc[1]) == "silver"
    assert first["vnm_tier"] in ("high", "medium", "low")
    assert 0.0 <= float(first["vnm_score"]) <= 1.0


def test_a_copy_spelled_otherwise_gets_its_own_match_whatever_comes_first():
    """Two posts that normalize alike but break lines differently are matched apart (the
    matcher reads sentences as lines): each row gets its own result in either order."""
    import vnmisinfo

    words = ["Hôm nay trời đẹp quá mọi người ơi", "Uong vai chen ruou gao moi toi la phong "
             "duoc COVID vi con giet virus ngay trong co hong.", "Cả nhà đi chơi công viên thôi"]
    lines, one = "\n".join(words), " ".join(words)
    model = vnmisinfo.load_model()
    alone = {t: model.score([t], explain=0)[0]["narrative_id"] for t in (lines, one)}
    assert alone[lines] != alone[one]  # what the test is about: they are matched apart
    for order in ([lines, one], [one, lines]):
        out = score_frame(model, pd.DataFrame({"text": order}), explain=0)
        got = [None if pd.isna(v) else v for v in out["vnm_narrative_id"]]
        assert got == [alone[t] for t in order]


def test_score_frame_keeps_the_notes_of_reading_each_row(fitted_detector):
    frame = pd.DataFrame({"text": [GOOD, ""]})
    out = score_frame(fitted_detector, frame, notes=["invalid UTF-8 replaced", None])
    assert out["vnm_error"].tolist()[0] == "invalid UTF-8 replaced"
    assert out["vnm_error"].tolist()[1] == "empty text"
    with pytest.raises(ValueError, match="notes has 1 items for 2 rows"):
        score_frame(fitted_detector, frame, notes=[None])


def test_score_frame_without_a_text_column_names_the_python_fix(fitted_detector):
    with pytest.raises(ValueError, match=r"^no text column among \['x'\]; .*text_column=NAME"):
        score_frame(fitted_detector, pd.DataFrame({"x": ["Tỏi chữa khỏi covid"]}))


def test_score_frame_refuses_a_column_named_twice(fitted_detector):
    frame = pd.DataFrame([["Tỏi chữa khỏi covid", "a", "b"]], columns=["text", "note", "note"])
    with pytest.raises(ValueError, match=r"names the columns \['note'\] more than once"):
        score_frame(fitted_detector, frame)


@pytest.mark.parametrize("given", [["Tỏi chữa khỏi covid"], pd.Series(["Tỏi chữa khỏi covid"])],
                         ids=["list", "series"])
def test_score_frame_of_something_else_says_to_use_score(fitted_detector, given):
    with pytest.raises(TypeError, match=rf"score_frame takes a pandas DataFrame with a text "
                                        rf"column; got {type(given).__name__}\. For a list of "
                                        r"texts use model\.score\(texts\)"):
        score_frame(Triage(fitted_detector), given)


def test_score_frame_keeps_every_column_and_its_type(fitted_detector):
    frame = pd.DataFrame(CLASHING).assign(**{"7": [1.5, 2.5]})
    frame.columns = [*frame.columns[:-1], 7]  # a column name that is not a string
    out = score_frame(fitted_detector, frame)
    assert list(out.columns) == [*frame.columns, *OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(out[frame.columns], frame)


def test_frame_dask_and_file_outputs_have_the_same_columns(tmp_path, fitted_detector):
    import dask.dataframe as dd

    from vnmisinfo.batch import score_dask

    src = _write(tmp_path / "in.csv", CLASHING)
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1)
    frame = pd.read_csv(src)
    by_frame = score_frame(fitted_detector, frame)
    by_dask = score_dask(dd.from_pandas(frame, npartitions=2), model=fitted_detector).compute()
    file_columns = list(_csv_rows(out)[0])
    assert list(by_frame.columns) == list(by_dask.columns) == file_columns
    assert by_dask["score"].tolist() == [9.5, 0.5]


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_scoring_a_scored_file_needs_overwrite_scores(tmp_path, fitted_detector, ext):
    src = _write(tmp_path / f"in.{ext}", CLASHING)
    once, twice = tmp_path / f"once.{ext}", tmp_path / f"twice.{ext}"
    score_file(str(src), str(once), model=fitted_detector, workers=1)
    with pytest.raises(ValueError, match=r"already has vnmisinfo output columns \['vnm_score', "
                       r"'vnm_label'.*--overwrite-scores"):
        score_file(str(once), str(twice), model=fitted_detector, workers=1)
    assert not twice.exists()
    score_file(str(once), str(twice), model=fitted_detector, workers=1, overwrite_scores=True)
    first, second = _read_any(once), _read_any(twice)
    assert list(second.columns) == list(first.columns)
    pd.testing.assert_frame_equal(second, first)  # same model: the same scores again


def test_overwrite_scores_replaces_only_the_vnm_columns(tmp_path, fitted_detector):
    rows = [{**r, "vnm_score": 0.123, "vnm_queue_reason": "top"} for r in CLASHING]
    src = _write(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    score_file(str(src), str(out), model=fitted_detector, workers=1, overwrite_scores=True)
    got = _csv_rows(out)
    assert list(got[0]) == ["id", "label", "score", "tier", "error", "text", *OUTPUT_COLUMNS]
    assert got[0]["score"] == "9.5" and got[0]["vnm_score"] != "0.123"


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_column_only_named_like_vnmisinfo_s_is_never_replaced(tmp_path, fitted_detector,
                                                                 overwrite):
    """--overwrite-scores dropped a user's own vnm_note, which vnmisinfo never writes."""
    rows = [{**r, "vnm_score": 0.123, "vnm_note": "mine"} for r in CLASHING]
    src = _write(tmp_path / "in.csv", rows)
    with pytest.raises(ValueError, match=r"\['vnm_note'\] start with 'vnm_'.*Rename them"):
        score_file(str(src), str(tmp_path / "out.csv"), model=fitted_detector, workers=1,
                   overwrite_scores=overwrite)
    assert not (tmp_path / "out.csv").exists()
    frame = pd.DataFrame({"text": [GOOD], "vnm_note": ["mine"]})
    with pytest.raises(ValueError, match="would lose them"):
        score_frame(fitted_detector, frame, overwrite_scores=overwrite)


def test_a_later_jsonl_row_with_vnm_keys_is_refused(tmp_path, fitted_detector):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": GOOD}) + "\n"
                   + json.dumps({"text": NEWS, "vnm_score": 0.5}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\['vnm_score'\]"):
        score_file(str(src), str(tmp_path / "o.jsonl"), model=fitted_detector, workers=1)
    assert not (tmp_path / "o.jsonl").exists()


def test_a_vnm_key_first_seen_after_the_first_objects_names_its_line_and_a_way_on(
        tmp_path, fitted_detector):
    """Seen on line 1101 of 1,200, such a key stopped the run "(it was scored before)", naming
    no line, and advised --resume, which stopped the same way."""
    objects = [{"id": i, "text": f"{GOOD} {i}"} for i in range(1, 1201)]
    objects[1100]["vnm_score"] = 0.3
    src, out = tmp_path / "in.jsonl", tmp_path / "o.csv"
    src.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects),
                   encoding="utf-8")
    common = {"model": fitted_detector, "workers": 1, "chunksize": 200}
    with pytest.raises(BadInputError, match="line 1101: the key 'vnm_score' starts with 'vnm_'"
                       ) as stopped:
        score_file(str(src), str(out), **common)
    assert "scored before" not in str(stopped.value)
    assert "without --resume) with --overwrite-scores" in str(stopped.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # nothing left to resume
    assert score_file(str(src), str(out), overwrite_scores=True, **common).rows == 1200
    early = tmp_path / "early.jsonl"  # among the first objects: named, not called scored
    early.write_text(json.dumps({"text": GOOD, "vnm_note": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"columns \['vnm_note'\] start with 'vnm_'"):
        score_file(str(early), str(tmp_path / "e.csv"), **common)


def test_score_frame_refuses_vnm_columns_unless_overwritten(fitted_detector):
    frame = pd.DataFrame({"text": [GOOD], "vnm_tier": ["old"], "note": ["keep"]})
    with pytest.raises(ValueError, match=r"\['vnm_tier'\].*overwrite_scores=True"):
        score_frame(fitted_detector, frame)
    out = score_frame(fitted_detector, frame, overwrite_scores=True)
    assert list(out.columns) == ["text", "note", *OUTPUT_COLUMNS]
    assert out["vnm_tier"].iloc[0] != "old" and out["note"].iloc[0] == "keep"


def _same_file_paths(tmp_path: Path, src: Path) -> dict[str, Path]:
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    hard = tmp_path / "hard.csv"
    os.link(src, hard)
    return {"same-path": src, "dotted-path": tmp_path / "." / src.name, "symlink": link,
            "hard-link": hard}


@pytest.mark.parametrize("kind", ["same-path", "dotted-path", "symlink", "hard-link"])
@pytest.mark.parametrize("role", ["output", "report"])
def test_output_that_is_the_input_is_refused_and_the_input_kept(tmp_path, fitted_detector, kind,
                                                                role):
    src = _write_csv(tmp_path / "in.csv", CLASHING)
    before = src.read_bytes()
    target = _same_file_paths(tmp_path, src)[kind]
    args = ({"output": str(target)} if role == "output"
            else {"output": str(tmp_path / "o.csv"), "report": str(target)})
    with pytest.raises(ValueError, match=f"the {role} .* is the input file .*in.csv"):
        score_file(str(src), model=fitted_detector, workers=1, **args)
    assert src.read_bytes() == before
    assert not (tmp_path / "o.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hard.csv", "in.csv", "link.csv"]


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path,
                                                                      fitted_detector):
    src = _write_csv(tmp_path / "in.csv", CLASHING)
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "scored.csv"
    target.write_text("old contents\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    score_file(str(src), str(link), model=fitted_detector, workers=1)
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert [r["id"] for r in _csv_rows(target)] == ["a", "b"]
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["scored.csv"]


def test_report_through_a_symlink_writes_its_target(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", CLASHING)
    target = tmp_path / "pages" / "r.html"
    target.parent.mkdir()
    link = tmp_path / "r.html"
    link.symlink_to(target)
    score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1,
               report=str(link))
    assert link.is_symlink() and "<!DOCTYPE html>" in target.read_text(encoding="utf-8")


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("name", ["out.fifo", "out.jsonl"])
def test_output_to_a_named_pipe_is_streamed(tmp_path, fitted_detector, name):
    src = _write_csv(tmp_path / "in.csv", CLASHING)
    fifo = tmp_path / name
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    summary = score_file(str(src), str(fifo), model=fitted_detector, workers=1, chunksize=1)
    reader.join(timeout=60)
    assert summary.rows == 2 and got
    if name.endswith(".jsonl"):  # the extension of a pipe still names the format
        rows = [json.loads(line) for line in got[0].decode("utf-8").splitlines()]
    else:  # else the input's format
        rows = list(csv.DictReader(io.StringIO(got[0].decode("utf-8"))))
    assert [str(r["id"]) for r in rows] == ["a", "b"] and rows[0]["vnm_tier"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", name]


def test_output_to_a_character_device_is_streamed(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", CLASHING)
    summary = score_file(str(src), os.devnull, model=fitted_detector, workers=1)
    assert summary.rows == 2
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("output", ["-", "fifo", os.devnull], ids=["stdout", "fifo", "devnull"])
def test_resume_needs_a_regular_output_file(tmp_path, fitted_detector, output):
    src = _write_csv(tmp_path / "in.csv", CLASHING)
    if output == "fifo":
        output = str(tmp_path / "out.fifo")
        os.mkfifo(output)
    with pytest.raises(ValueError, match="--resume needs an input file and a regular output"):
        score_file(str(src), output, model=fitted_detector, workers=1, resume=True)


def test_resume_needs_an_input_file(monkeypatch, tmp_path, fitted_detector):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"text\nx\n")))
    with pytest.raises(ValueError, match="--resume needs an input file.*input '-'"):
        score_file("-", str(tmp_path / "o.csv"), model=fitted_detector, workers=1, resume=True)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_stdin_to_a_file(monkeypatch, tmp_path, fitted_detector, fmt):
    if fmt == "csv":
        data = f'id,score,text\n1,9.5,"{GOOD}"\n2,,"{NEWS}"\n'
    else:
        data = "".join(json.dumps({"id": i, "score": s, "text": t}, ensure_ascii=False) + "\n"
                       for i, s, t in [(1, 9.5, GOOD), (2, None, NEWS)])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    out = tmp_path / f"out.{fmt}"
    summary = score_file("-", str(out), model=fitted_detector, workers=1,
                         fmt=None if fmt == "csv" else fmt)
    got = _read_any(out)
    assert summary.rows == 2 and [str(x) for x in got["id"]] == ["1", "2"]
    assert str(got["score"].iloc[0]) == "9.5" and got["vnm_score"].notna().all()
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no checkpoint left


def test_duplicate_csv_column_names_are_refused(tmp_path, fitted_detector):
    src = tmp_path / "in.csv"
    src.write_text("id,text,id\n1,một,2\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"names the columns \['id'\] more than once"):
        score_file(str(src), str(tmp_path / "o.csv"), model=fitted_detector, workers=1)


def test_duplicate_parquet_column_names_are_refused(tmp_path, fitted_detector):
    """Parquet allows two columns of one name; the second replaced the first silently."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src, out = tmp_path / "in.parquet", tmp_path / "o.csv"
    pq.write_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array([GOOD, NEWS]),
                                         pa.array(["a", "b"])], names=["id", "text", "id"]), src)
    with pytest.raises(BadInputError, match=r"names the columns \['id'\] more than once; "
                       r"rename them.*rename_columns"):
        score_file(str(src), str(out), model=fitted_detector, workers=1)
    assert not out.exists()


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet"])
def test_a_parquet_time_beyond_pythons_dates_keeps_its_row_and_its_value(tmp_path,
                                                                         fitted_detector, ext):
    """Seconds written where milliseconds were meant: the year 55840, which Python's dates
    cannot hold, stopped the whole run with OverflowError."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src, out = tmp_path / "in.parquet", tmp_path / f"out.{ext}"
    created = pa.array([1_700_000_000, 1_700_000_000_000], pa.timestamp("s"))
    pq.write_table(pa.table({"id": [1, 2], "text": [GOOD, NEWS], "created": created}), src)
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1,
                         columns={"timestamp": "created"})
    notes = [None, "created outside years 1-9999; timestamp not used"]
    assert summary.rows == 2 and summary.not_scored == 0
    if ext == "parquet":  # the very value, in the input's type
        got, given = pq.read_table(out), pq.read_table(src)
        assert got.schema.field("created") == given.schema.field("created")
        assert got["created"].cast(pa.int64()).equals(given["created"].cast(pa.int64()))
        assert got["vnm_error"].to_pylist() == notes
        return
    rows = (_csv_rows(out) if ext == "csv" else
            [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()])
    assert [r["vnm_error"] or None for r in rows] == notes
    assert rows[0]["created"] == "2023-11-14 22:13:20"
    assert rows[1]["created"].startswith("55840-11-08 22:13:20")  # ISO 8601, as in the file


@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_a_binary_text_column_says_how_to_fix_it_and_bytes_are_written_as_base64(
        tmp_path, fitted_detector, ext):
    """Bytes were written as Python's b'...' and the summary gave no fix."""
    import base64

    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src, out = tmp_path / "in.parquet", tmp_path / f"out.{ext}"
    given = [GOOD.encode(), b"\xff\x00 not text"]
    pq.write_table(pa.table({"id": [1, 2], "text": pa.array(given, pa.binary())}), src)
    summary = score_file(str(src), str(out), model=fitted_detector, workers=1)
    assert summary.errors == {"text is bytes": 2}
    assert "df['text'] = df['text'].str.decode('utf-8')" in str(summary)
    rows = (_csv_rows(out) if ext == "csv" else
            [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()])
    assert [base64.b64decode(r["text"]) for r in rows] == given


def test_report_keeps_the_top_items_by_tier_then_score(tmp_path, fitted_detector):
    class _Lift(_Spy):
        """Lifts the ordinary news to ``medium``, as a catalogue match would."""

        def score(self, docs, explain=5):
            out = self.inner.score(docs, explain=explain)
            for r, norm in zip(out, docs["norm"], strict=True):
                r["tier_reason"] = "classifier"
                if "hà nội" in norm.lower():
                    r.update(tier="medium", tier_reason="known narrative")
                else:
                    r["tier"] = "low"
            return out

    texts = [f"{GOOD} số {i}" for i in range(5)] + [NEWS]
    src = _write_csv(tmp_path / "in.csv", [{"id": i, "text": t} for i, t in enumerate(texts)])
    page = tmp_path / "r.html"
    score_file(str(src), str(tmp_path / "o.csv"), model=_Lift(fitted_detector), workers=1,
               chunksize=2, report=str(page), report_top=3)
    html = page.read_text(encoding="utf-8")
    rows = _csv_rows(tmp_path / "o.csv")
    lows = sorted((r for r in rows if r["vnm_tier"] == "low"),
                  key=lambda r: -float(r["vnm_score"]))
    assert float(rows[5]["vnm_score"]) < float(lows[-1]["vnm_score"])
    shown = [r["id"] for r in [rows[5], *lows[:2]]]  # the lifted news first, despite its score
    places = [html.index(f"<span>id {i}</span>") for i in shown]
    assert places == sorted(places)
    assert all(f"<span>id {r['id']}</span>" not in html for r in lows[2:])
    assert "tier reason: known narrative" in html


def test_input_from_a_named_pipe(tmp_path, fitted_detector):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write(f'id,text\n1,"{GOOD}"\n2,"{NEWS}"\n')

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = tmp_path / "out.csv"
    summary = score_file(str(fifo), str(out), model=fitted_detector, workers=1)
    writer.join(timeout=60)
    assert summary.rows == 2 and [r["id"] for r in _csv_rows(out)] == ["1", "2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.fifo", "out.csv"]


# ---------------------------------------------------------------------------
# Crash safety: kill -9, then --resume
# ---------------------------------------------------------------------------

def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "vnmisinfo.cli", "score", *args]


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command's name, or None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _running(pid: int) -> bool:
    fields = _proc_stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _proc_stat(int(entry.name))
            if fields is not None and fields[1] == str(pid):
                found.append(int(entry.name))
    return found


def _gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_running(p) for p in pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_worker_processes_end_when_the_main_process_is_killed(tmp_path, model_file):
    """``kill -9`` of the command (the kernel's out-of-memory killer, say) leaves no
    worker holding its model's memory."""
    texts = [f"{GOOD if i % 2 else NEWS} lần thứ {i}" for i in range(20000)]
    src = _write_csv(tmp_path / "in.csv", [{"id": i, "text": t} for i, t in enumerate(texts)])
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(_cli(str(src), "-o", str(out), "--model", str(model_file),
                                 "--workers", "2", "--chunk-size", "20", "--quiet"),
                            env={**os.environ, "PYTHONWARNINGS": "ignore"},
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not Path(f"{out}.ckpt").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        workers = [p for p in _children(proc.pid)
                   if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
        assert proc.poll() is None and len(workers) == 2
    finally:
        proc.kill()
        proc.wait()
    assert _gone_within(workers, 5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("kernel_signal", [True, False])
def test_a_worker_ends_with_its_parent_by_signal_or_by_its_watching_thread(kernel_signal):
    """Linux's parent-death signal, and the thread used where there is none."""
    child = ("import time, vnmisinfo.batch.worker as w\n"
             + ("" if kernel_signal else "w._parent_death_signal = lambda: False\n")
             + "w.exit_with_parent()\ntime.sleep(120)\n")
    parent = ("import multiprocessing, time\n"
              "p = multiprocessing.get_context('spawn').Process(target=exec, "
              f"args=({child!r},))\n"
              "p.start(); print(p.pid, flush=True); time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(proc.stdout.readline())
        time.sleep(1)  # the worker is set up (a worker still starting ends as well)
        assert _running(worker)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert _gone_within([worker], 5)


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
    Path(str(out) + ".ckpt").write_text(json.dumps({"version": 2, "input": "/elsewhere.csv",
                                                    "size": 1, "mtime_ns": 0, "options": {}}))
    with pytest.raises(ValueError, match=r"written for another input.*the input's modification "
                       r"time: 1970-01-01 00:00:00 UTC then, 2\d{3}-\d\d-\d\d [\d:.]+ UTC now"):
        score_file(str(src), str(out), model=fitted_detector, workers=1, resume=True)


@pytest.mark.parametrize("change, named", [
    ({"match": False}, "--no-match: not given then, given now"),
    ({"model": "detector"}, "--model: 'sha256:"),
], ids=["matching-turned-off", "another-model"])
def test_resume_refuses_another_model_or_matching_setting(tmp_path, model_file, fitted_detector,
                                                          change, named):
    """Rows of one output file come from one model with one setting: a resume with another
    model, or with matching turned off, is refused and names what changed."""
    from vnmisinfo.batch.checkpoint import CHECKPOINT_VERSION, input_identity
    from vnmisinfo.batch.options import _Options

    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}] * 3)
    out = tmp_path / "out.csv"
    first = _Options(input=str(src), output=str(out), model=str(model_file))
    in_fmt, out_fmt, _ = first.check()
    Path(str(out) + ".partial").write_text("text,score\n")
    Path(str(out) + ".ckpt").write_text(json.dumps({
        "version": CHECKPOINT_VERSION, **input_identity(str(src)),
        "options": first.fingerprint(in_fmt, out_fmt)}))
    kwargs = {"model": str(model_file), **change}
    if kwargs["model"] == "detector":
        kwargs["model"] = fitted_detector
    with pytest.raises(ValueError, match="written for another input or other options") as err:
        score_file(str(src), str(out), workers=1, resume=True, **kwargs)
    assert named in str(err.value) and "run without --resume" in str(err.value)


def test_resume_refuses_a_checkpoint_of_the_old_layout(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    out = tmp_path / "out.csv"
    Path(str(out) + ".partial").write_text("text,score\n")
    Path(str(out) + ".ckpt").write_text(json.dumps({"version": 1, "rows_done": 0}))
    with pytest.raises(ValueError, match="layout version 1"):
        score_file(str(src), str(out), model=fitted_detector, workers=1, resume=True)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

def test_the_page_folds_copies_and_counts_the_high_and_medium_rows_it_leaves_out(
        tmp_path, fitted_detector):
    """Copies of a post took several of the page's slots, and nothing said that high and
    medium rows were left out of the page."""
    class _Medium(_Spy):
        def score(self, docs, explain=5):
            out = self.inner.score(docs, explain=explain)
            for r in out:
                r.update(tier="medium", tier_reason="classifier")
            return out

    texts = [GOOD, NEWS, GOOD, "Giá xăng giảm nhẹ từ chiều nay", f" {GOOD.upper()} ", NEWS]
    src = _write_csv(tmp_path / "in.csv", [{"id": i, "text": t} for i, t in enumerate(texts)])
    page = tmp_path / "r.html"
    summary = score_file(str(src), str(tmp_path / "o.csv"), model=_Medium(fitted_detector),
                         workers=1, chunksize=2, report=str(page), report_top=2)
    html = page.read_text(encoding="utf-8")
    scores = {int(r["id"]): float(r["vnm_score"]) for r in _csv_rows(tmp_path / "o.csv")}
    assert scores[1] == scores[5] < scores[3] < scores[0] == scores[2]  # the news comes last
    assert re.findall(r"<span>id (\d+)</span>|also posted ([^<]*)", html) == [
        ("0", ""), ("", "2 times"), ("3", "")]  # rows 2 and 4 are copies of row 0
    assert summary.report_left_out == 2  # the news, twice
    assert "the review page leaves out 2 more high or medium rows" in str(summary)
    assert "2 more high or medium rows of the batch are not on this page" in html


def test_main_score_warns_of_a_page_too_big_to_open(tmp_path, model_file, capsys):
    src = _write_csv(tmp_path / "in.csv", [{"id": 1, "text": GOOD}])
    args = ["score", str(src), "-o", str(tmp_path / "o.csv"), "--model", str(model_file),
            "--report", str(tmp_path / "r.html"), "--workers", "1", "--report-top"]
    assert main([*args, "5000"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main([*args, "60000"]) == 0
    err = capsys.readouterr().err
    assert ("warning: --report-top 60000 asks for a review page of more than 5,000 items, which "
            "may be too big for a browser to open" in err and "vnmisinfo queue" in err)


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
    assert got[0]["vnm_top_terms"].count(";") == 1
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
    from vnmisinfo.narratives import default_index

    model = Triage(fitted_detector, narratives=default_index())
    src = tmp_path / "in.csv"
    src.write_text("text\nUong nuoc chanh nong tri khoi covid\n", encoding="utf-8")
    matched, skipped = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    score_file(str(src), str(matched), model=model, workers=1)
    score_file(str(src), str(skipped), model=model, workers=1, match=False)
    assert model.narratives is not None
    assert json.loads(matched.read_text(encoding="utf-8"))["vnm_narrative_id"] == "health-001"
    assert json.loads(skipped.read_text(encoding="utf-8"))["vnm_narrative_id"] is None


def test_score_dask_equals_score_frame(fitted_detector, tiny_corpus):
    import dask.dataframe as dd

    from vnmisinfo.batch import score_dask, score_frame

    texts, _ = tiny_corpus
    frame = pd.DataFrame({"post_message": texts + ["", None], "num_like_post": range(26)})
    lazy = score_dask(dd.from_pandas(frame, npartitions=3), model=fitted_detector)
    out = lazy.compute()
    expected = score_frame(fitted_detector, frame)
    assert len(out) == len(frame)
    pd.testing.assert_series_equal(out["vnm_score"], expected["vnm_score"])
    assert out["vnm_error"].iloc[-2:].notna().all()



def test_an_output_in_a_missing_folder_is_refused_before_reading(tmp_path, fitted_detector):
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    with pytest.raises(ValueError, match=r"does not exist: create it \(mkdir -p"):
        score_file(str(src), str(tmp_path / "nodir" / "out.csv"), model=fitted_detector,
                   workers=1)
    assert not (tmp_path / "nodir").exists()


@pytest.mark.parametrize("role", ["-o", "--report"])
def test_an_output_in_a_folder_that_cannot_be_written_is_refused_before_reading(
        tmp_path, model_file, monkeypatch, capsys, role):
    """os.access says no for one folder (root may write anywhere, so it is told so here)."""
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    locked = tmp_path / "locked"
    locked.mkdir()
    access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if (
        os.fspath(path) == str(locked) and mode & os.W_OK) else access(path, mode, **kw))
    out = tmp_path / "out.csv"
    paths = {"-o": locked / "out.csv", "--report": locked / "r.html"}
    argv = ["score", str(src), "--model", str(model_file), "-o", str(out), "--workers", "1",
            "-q", role, str(paths[role])]
    assert main(argv) == 1
    err = capsys.readouterr().err
    name = "output" if role == "-o" else "report"
    assert err == (f"vnmisinfo score: error: the folder of the {name} {str(paths[role])!r} "
                   f"cannot be written here ({locked}); name another {name} in a folder you "
                   "can write.\n")
    assert not out.exists() and not list(locked.iterdir())


def test_an_output_that_cannot_be_opened_is_named_on_one_line(tmp_path, model_file, capsys):
    """A failure past the checks names the output, not the partial file beside it."""
    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}])
    out = tmp_path / "out.csv"
    (tmp_path / "out.csv.partial").mkdir()  # opening it fails, for root too
    assert main(["score", str(src), "--model", str(model_file), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"vnmisinfo score: error: cannot write the output {out} (Is a direct")
    assert err.count("\n") == 1 and "partial" not in err and not out.exists()


def test_a_report_that_cannot_be_written_says_the_rows_are(tmp_path, model_file, monkeypatch,
                                                           capsys):
    """The report is written last: its failure names it and the output already written."""
    import tempfile

    src = _write_csv(tmp_path / "in.csv", [{"text": GOOD}, {"text": NEWS}])
    out, report = tmp_path / "out.csv", tmp_path / "r.html"
    mkstemp = tempfile.mkstemp

    def refuse_report(*args, prefix="", **kwargs):  # noqa: ANN202 - as tempfile.mkstemp
        if prefix.startswith(".r.html"):
            raise PermissionError(13, "Permission denied", str(tmp_path / ".r.html.x.tmp"))
        return mkstemp(*args, prefix=prefix, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse_report)
    assert main(["score", str(src), "--model", str(model_file), "-o", str(out), "-q",
                 "--report", str(report)]) == 1
    assert capsys.readouterr().err == (
        f"vnmisinfo score: error: cannot write {report} (Permission denied); check that its "
        "folder can be written and has room, or name another file. The scored rows are "
        f"written to {out}; only the report is missing.\n")
    assert len(_csv_rows(out)) == 2 and not report.exists()


def test_utf16_input_is_named_with_the_fix(tmp_path, fitted_detector):
    src = tmp_path / "in.csv"
    src.write_bytes("id,text\n1,Tỏi chữa khỏi covid\n".encode("utf-16"))
    with pytest.raises(ValueError, match=r"is UTF-16 text; re-save it as UTF-8, e.g. iconv"):
        score_file(str(src), str(tmp_path / "out.csv"), model=fitted_detector, workers=1)
    assert not (tmp_path / "out.csv").exists()


def test_a_file_mostly_not_utf8_says_so_in_the_summary(tmp_path, fitted_detector):
    """Windows-1258 bytes are replaced and flagged per row, and the summary names the fix."""
    src = tmp_path / "in.csv"
    src.write_bytes("id,text\n1,Hà Nội mưa to\n2,Đà Nẵng nắng đẹp\n".encode("cp1258", "replace"))
    summary = score_file(str(src), str(tmp_path / "out.csv"), model=fitted_detector, workers=1)
    assert summary.errors["invalid UTF-8 replaced"] == 2
    assert "Most rows are not UTF-8 text" in str(summary) and "iconv" in str(summary)


def test_jsonl_keys_the_first_rows_lack_are_named_in_the_summary(tmp_path, fitted_detector,
                                                                 monkeypatch):
    """CSV output keeps the keys of the objects read ahead; a later key is named."""
    src = tmp_path / "in.jsonl"
    lines = [{"id": 0, "text": GOOD}, {"id": 1, "text": NEWS, "extra": "x", "more": 1}]
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    whole = score_file(str(src), str(tmp_path / "all.csv"), model=fitted_detector, workers=1)
    back = pd.read_csv(tmp_path / "all.csv", dtype=str, keep_default_na=False)
    assert whole.unkept_keys == {} and list(back.columns[:4]) == ["id", "text", "extra", "more"]
    assert back["extra"].tolist() == ["", "x"]
    monkeypatch.setattr("vnmisinfo.data.readers.JSONL_LOOKAHEAD", 1)
    summary = score_file(str(src), str(tmp_path / "out.csv"), model=fitted_detector, workers=1)
    assert summary.unkept_keys == {"extra": 1, "more": 1}
    assert "2 key(s) of later JSONL rows not kept" in str(summary)
    kept = score_file(str(src), str(tmp_path / "out.jsonl"), model=fitted_detector, workers=1)
    assert kept.unkept_keys == {} and "not kept" not in str(kept)


def test_a_folder_as_input_says_how_to_read_one(tmp_path, fitted_detector):
    folder = tmp_path / "parts"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder; name a file in it.*--engine dask"):
        score_file(str(folder), str(tmp_path / "out.csv"), model=fitted_detector)
    assert not (tmp_path / "out.csv").exists()


def test_a_glob_as_input_says_that_the_dask_engine_reads_it(tmp_path, fitted_detector, capsys):
    (tmp_path / "csvs").mkdir()
    _write_csv(tmp_path / "csvs" / "a.csv", [{"text": GOOD}])
    pattern = str(tmp_path / "csvs" / "*.csv")
    assert main(["score", pattern, "-o", str(tmp_path / "out.csv"), "-q"]) == 1
    assert capsys.readouterr().err == (
        f"vnmisinfo score: error: input file {pattern!r} not found: a glob is read with "
        "--engine dask (its files in order, into a folder of part files); without it, name "
        "one file.\n")
    named = _write_csv(tmp_path / "csvs" / "b[1].csv", [{"text": GOOD}])  # a file, not a glob
    assert score_file(str(named), str(tmp_path / "b.csv"), model=fitted_detector).rows == 1
