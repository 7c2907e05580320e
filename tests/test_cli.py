"""The command line at three layers: library function, main([...]), installed script."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vnmisinfo.batch import score_file
from vnmisinfo.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample" / "posts.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_score_file_keeps_columns_and_adds_scores(tmp_path, fitted_detector):
    out = tmp_path / "out.csv"
    summary = score_file(str(SAMPLE), str(out), model=fitted_detector)
    rows = _rows(out)
    assert summary.rows == len(rows) == len(_rows(SAMPLE))
    assert {"id", "text", "score", "label", "tier", "top_terms"} <= set(rows[0])
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)


def test_main_score_writes_jsonl(tmp_path, fitted_detector, monkeypatch):
    import vnmisinfo.persist as persist

    monkeypatch.setattr(persist, "_cache", {"<default>": fitted_detector})
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False)
                             for t in ["Tỏi chữa khỏi covid", "Hà Nội mưa"]) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(src), "-o", str(out), "--quiet"]) == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["text"] for x in lines] == ["Tỏi chữa khỏi covid", "Hà Nội mưa"]
    assert all("score" in x and "tier" in x for x in lines)


def test_main_without_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_main_reports_bad_input_with_exit_1(tmp_path, capsys):
    bad = tmp_path / "x.txt"
    bad.write_text("hello")
    assert main(["score", str(bad), "-o", str(tmp_path / "o.csv")]) == 1
    assert "error" in capsys.readouterr().err


def test_unknown_option_is_exit_2():
    with pytest.raises(SystemExit) as exc:
        main(["score", "--no-such-flag"])
    assert exc.value.code == 2


def test_installed_console_script_scores_the_sample(tmp_path):
    exe = shutil.which("vnmisinfo", path=str(Path(sys.executable).parent))
    assert exe, "the vnmisinfo console script is not installed next to this Python"
    out = tmp_path / "scored.csv"
    proc = subprocess.run([exe, "score", str(SAMPLE), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(out)
    assert len(rows) == len(_rows(SAMPLE))
    assert all(r["top_terms"] for r in rows)


def test_installed_console_script_help():
    exe = shutil.which("vnmisinfo", path=str(Path(sys.executable).parent))
    assert exe
    proc = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "score" in proc.stdout and "train" in proc.stdout
