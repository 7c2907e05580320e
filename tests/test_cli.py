"""The command line at three layers: library function, main([...]), installed script."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vnmisinfo.batch.run import OUTPUT_COLUMNS, score_file
from vnmisinfo.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample" / "posts.csv"
POSTS = "id,label,score,text\nx1,1,9.5,Tỏi chữa khỏi covid\nx2,0,,Hà Nội mưa\n"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _script() -> str:
    exe = shutil.which("vnmisinfo", path=str(Path(sys.executable).parent))
    assert exe, "the vnmisinfo console script is not installed next to this Python"
    return exe


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fitted_detector) -> Path:
    from vnmisinfo.triage import Triage, save_model

    return save_model(Triage(fitted_detector), tmp_path_factory.mktemp("model") / "tiny.skops")


def test_score_file_keeps_columns_and_adds_scores(tmp_path, fitted_detector):
    out = tmp_path / "out.csv"
    summary = score_file(str(SAMPLE), str(out), model=fitted_detector)
    rows, given = _rows(out), _rows(SAMPLE)
    assert summary.rows == len(rows) == len(given)
    assert list(rows[0]) == [*given[0], *OUTPUT_COLUMNS]
    assert [{k: r[k] for k in given[0]} for r in rows] == given  # "label" and all kept
    assert all(0.0 <= float(r["vnm_score"]) <= 1.0 for r in rows)


def test_main_score_writes_jsonl(tmp_path, fitted_detector, monkeypatch):
    import vnmisinfo.triage as triage

    monkeypatch.setattr(triage, "_cache", {"<default>": triage.Triage(fitted_detector)})
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False)
                             for t in ["Tỏi chữa khỏi covid", "Hà Nội mưa"]) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", str(src), "-o", str(out), "--quiet"]) == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["text"] for x in lines] == ["Tỏi chữa khỏi covid", "Hà Nội mưa"]
    assert all("vnm_score" in x and "vnm_tier" in x and "score" not in x for x in lines)


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


@pytest.mark.parametrize("command", [["train", "-o", "m.skops"], ["evaluate", "--data", "x.csv"],
                                     ["calibrate", "--data", "x.csv", "-o", "m.skops"]])
def test_zero_jobs_is_a_usage_error_before_any_work(command, capsys):
    """--jobs 0 read and segmented the corpora, then failed with joblib's own words."""
    with pytest.raises(SystemExit) as exc:
        main([*command, "--jobs", "0"])
    assert exc.value.code == 2
    assert "--jobs: expected 1 or more jobs, or -1 for every core; got 0" in (
        capsys.readouterr().err)


def test_main_reads_standard_input(tmp_path, model_file, monkeypatch):
    data = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                   for i, t in enumerate(["Tỏi chữa khỏi covid", "Hà Nội mưa"]))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    out = tmp_path / "out.jsonl"
    assert main(["score", "-", "-o", str(out), "--format", "jsonl", "--model", str(model_file),
                 "--quiet"]) == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [0, 1] and all(x["vnm_tier"] for x in lines)


def test_main_refuses_to_write_over_the_input(tmp_path, model_file, capsys):
    src = tmp_path / "in.csv"
    src.write_text(POSTS, encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(src)
    assert main(["score", str(src), "-o", str(link), "--model", str(model_file)]) == 1
    err = capsys.readouterr().err
    assert "is the input file" in err and str(link) in err and str(src) in err
    assert src.read_text(encoding="utf-8") == POSTS


def test_main_rescoring_needs_overwrite_scores(tmp_path, model_file, capsys):
    src, once, twice = tmp_path / "in.csv", tmp_path / "once.csv", tmp_path / "twice.csv"
    src.write_text(POSTS, encoding="utf-8")
    common = ["--model", str(model_file), "--quiet"]
    assert main(["score", str(src), "-o", str(once), *common]) == 0
    assert main(["score", str(once), "-o", str(twice), *common]) == 1
    assert "--overwrite-scores" in capsys.readouterr().err and not twice.exists()
    assert main(["score", str(once), "-o", str(twice), "--overwrite-scores", *common]) == 0
    assert _rows(twice) == _rows(once)


def test_main_resume_from_standard_input_is_refused(tmp_path, capsys):
    assert main(["score", "-", "-o", str(tmp_path / "o.csv"), "--resume"]) == 1
    assert "--resume needs an input file" in capsys.readouterr().err


def test_installed_console_script_scores_standard_input(tmp_path, model_file):
    out = tmp_path / "scored.csv"
    proc = subprocess.run([_script(), "score", "-", "-o", str(out), "--model", str(model_file)],
                          input=POSTS, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(out)
    assert [(r["id"], r["label"], r["score"]) for r in rows] == [("x1", "1", "9.5"),
                                                                 ("x2", "0", "")]
    assert list(rows[0]) == ["id", "label", "score", "text", *OUTPUT_COLUMNS]
    assert all(r["vnm_top_terms"] for r in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scored.csv"]


def test_installed_console_script_scores_the_sample(tmp_path):
    out = tmp_path / "scored.csv"
    proc = subprocess.run([_script(), "score", str(SAMPLE), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(out)
    assert len(rows) == len(_rows(SAMPLE))
    assert all(r["vnm_top_terms"] for r in rows)


def test_installed_console_script_help():
    proc = subprocess.run([_script(), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "score" in proc.stdout and "train" in proc.stdout


def test_score_help_names_stdin_and_overwrite_scores(capsys):
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "- for standard input (read as --format, CSV by default)" in text
    assert "--overwrite-scores" in text and "vnm_score" in text


def _help_argvs() -> list[list[str]]:
    from vnmisinfo.cli import COMMANDS

    return [["--help"], *([c.replace("_", "-"), "--help"] for c in COMMANDS)]


@pytest.mark.parametrize("argv", _help_argvs(), ids=" ".join)
def test_help_imports_no_heavy_library(argv):
    """Every command's --help, in a new process: no sklearn, pandas, underthesea or scipy."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "vnmisinfo.cli", *argv],
                          capture_output=True, text=True, check=True)
    assert "usage: vnmisinfo" in done.stdout
    assert "%%" not in done.stdout  # argparse formats help strings, not descriptions
    if argv[0] == "narratives":
        assert "add" in done.stdout and "build" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert len(imported) > 20  # the trace was read
    heavy = {"sklearn", "pandas", "underthesea", "scipy"} & imported
    assert not heavy, f"{' '.join(argv)} imported {sorted(heavy)}"


def test_match_threshold_applies_to_the_match_score_it_prints(capsys):
    text = "Uống nước chanh nóng mỗi sáng là diệt sạch virus corona"
    assert main(["match", text, "-k", "1", "--threshold", "0"]) == 0
    out = capsys.readouterr().out
    assert "match score" in out and "[MATCH]" in out
    assert main(["match", text, "-k", "1", "--threshold", "1"]) == 0
    out = capsys.readouterr().out
    assert "[below threshold]" in out and "match-score threshold 1.000" in out


def test_match_gives_a_rebuttal_only_with_a_match_and_lists_nothing_without_shared_words(
        capsys):
    assert main(["match", "Đội tuyển Việt Nam thắng 2-0 trong trận giao hữu tối qua",
                 "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "[below threshold]" in out and "closest sentence: Đội tuyển" in out
    assert "rebuttal" not in out and "sources:" not in out and "matched sentence" not in out
    assert main(["match", "Bill Gates", "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert "no catalogue narrative shares its words" in out and "claim:" not in out
    assert main(["match", "Uống nước chanh nóng mỗi sáng là diệt sạch virus corona"]) == 0
    out = capsys.readouterr().out
    assert "[MATCH]" in out and "rebuttal (vi):" in out and "sources:" in out


def test_score_fast_is_the_shipped_fast_model_without_matching_or_terms(tmp_path):
    from vnmisinfo.model.persist import read_metadata, shipped_model_path

    fast = shipped_model_path("fast")
    assert read_metadata(fast)["preset"] == "fast"
    out_fast, out_long = tmp_path / "fast.csv", tmp_path / "long.csv"
    assert main(["score", str(SAMPLE), "-o", str(out_fast), "--fast", "-q"]) == 0
    assert main(["score", str(SAMPLE), "-o", str(out_long), "--model", str(fast),
                 "--no-match", "--explain", "0", "-q"]) == 0
    fast_rows, long_rows = _rows(out_fast), _rows(out_long)
    assert fast_rows == long_rows and len(fast_rows) == len(_rows(SAMPLE))
    assert all(r["vnm_top_terms"] in ("", "[]") and not r["vnm_narrative_id"]
               for r in fast_rows)
    assert {r["vnm_model"].split()[0] for r in fast_rows} != {""}
    # the default model scores differently: --fast really switched models
    main(["score", str(SAMPLE), "-o", str(tmp_path / "default.csv"), "--no-match", "-q"])
    assert [r["vnm_score"] for r in _rows(tmp_path / "default.csv")] != [
        r["vnm_score"] for r in fast_rows]


def test_score_fast_keeps_an_explicit_explain_and_refuses_another_model(tmp_path, capsys,
                                                                         model_file):
    out = tmp_path / "o.csv"
    assert main(["score", str(SAMPLE), "-o", str(out), "--fast", "--explain", "2", "-q"]) == 0
    assert any(r["vnm_top_terms"] not in ("", "[]") for r in _rows(out))
    assert main(["score", str(SAMPLE), "-o", str(out), "--fast", "--model",
                 str(model_file)]) == 2
    assert "drop --model or --fast" in capsys.readouterr().err
    assert main(["score", str(SAMPLE), "-o", str(out), "--fast", "--narratives",
                 str(model_file)]) == 2
    assert "drop --narratives or --fast" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["compare", "{model}", "{model}", "--data", "{data}", "-o", "{data}"],
    ["claimreview", "{data}", "--org", "X", "-o", "{data}"],
    ["calibrate", "--data", "{data}", "--budget", "0.1", "--model", "{model}", "-o", "{data}"],
    ["evaluate", "--data", "{data}", "--model", "{model}", "-o", "{data}"],
    ["drift", "{data}", "{data}", "--model", "{model}", "-o", "{data}"],
])
def test_commands_refuse_to_write_over_their_input(tmp_path, capsys, model_file, argv):
    """Every command that reads a file refuses an output that is that file, before reading."""
    data = tmp_path / "reviewed.csv"
    data.write_text("id,text,verdict,label\nx1,Tỏi chữa khỏi covid,misinformation,1\n",
                    encoding="utf-8")
    before = data.read_bytes()
    args = [a.format(model=model_file, data=data) for a in argv]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{data} is an input" in err and "Write to another file" in err
    assert data.read_bytes() == before


@pytest.mark.parametrize(("argv", "said"), [
    (["compare", "{model}", "{model}", "--data", "{data}", "-o", "{out}.csv"], "a JSON report"),
    (["claimreview", "{data}", "--org", "X", "-o", "{out}.csv"], "JSON Lines"),
    (["calibrate", "--data", "{data}", "--budget", "0.1", "--model", "{model}", "-o",
      "{out}.pkl"], "a skops model file; name it .skops, not '.pkl'"),
    (["train", "--preset", "plain", "-o", "{out}.joblib"], "a skops model file"),
    (["narratives", "build", "--catalogue", "{data}", "-o", "{out}.pkl"], "a skops index file"),
], ids=["compare", "claimreview", "calibrate", "train", "narratives-build"])
def test_commands_refuse_an_output_named_for_another_format(tmp_path, capsys, model_file, argv,
                                                            said):
    """compare -o r.csv wrote JSON, calibrate -o m.pkl a skops file under a pickle's name."""
    data = tmp_path / "reviewed.csv"
    data.write_text("id,text,verdict,label\nx1,Tỏi chữa khỏi covid,misinformation,1\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    assert main([a.format(model=model_file, data=data, out=out) for a in argv]) == 1
    assert said in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["reviewed.csv"]


@pytest.mark.filterwarnings("ignore:text of 170000 characters truncated")
def test_files_with_fields_over_the_csv_modules_limit_are_read(tmp_path, capsys):
    """A text longer than csv's default field limit (131,072 characters) reads everywhere."""
    text = "Uống nước nóng diệt virus corona. " * 5000
    path = tmp_path / "long.csv"
    path.write_text(f"id,text\n1,{text}\n2,Hà Nội mưa\n", encoding="utf-8")
    assert main(["corpus-stats", str(path)]) == 0
    assert "length in syllables" in capsys.readouterr().out


def test_corpus_stats_of_posts_without_labels_says_so_and_gives_no_label_advice(tmp_path,
                                                                                capsys):
    posts = tmp_path / "posts.csv"
    posts.write_text("id,text,domain\n1,Hà Nội mưa to,a.vn\n2,Uống nước nóng diệt virus,b.vn\n"
                     "3,,c.vn\n", encoding="utf-8")
    assert main(["corpus-stats", str(posts)]) == 0
    out = capsys.readouterr().out
    assert "labels: none (all 3 rows unlabelled)" in out and "labelled 1" not in out
    assert "domains: 3\n" in out and "single label" not in out  # no label, no label advice
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("id,text,domain,label\n1,Hà Nội mưa to,a.vn,0\n"
                        "2,Uống nước nóng diệt virus,a.vn,1\n3,Tỏi chữa covid,b.vn,1\n",
                        encoding="utf-8")
    assert main(["corpus-stats", str(labelled)]) == 0
    out = capsys.readouterr().out
    assert "labels: 1 = 2, 0 = 1, unlabelled = 0 (66.7% misinformation)" in out
    assert "domains: 2 (1 carry a single label" in out and "b.vn: 1 rows, 1 labelled 1" in out


def test_an_interrupted_score_says_how_to_resume(tmp_path, capsys, monkeypatch):
    import vnmisinfo.cli._score as score_command

    out = tmp_path / "scored.csv"

    def interrupted(args):
        Path(f"{out}.ckpt").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(score_command, "run", interrupted)
    assert main(["score", str(SAMPLE), "-o", str(out)]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and f"{out}.partial" in err and "--resume" in err


@pytest.mark.parametrize("ext", ["jsonl", "parquet"])
def test_queue_writes_the_format_its_output_names(tmp_path, capsys, ext):
    import pandas as pd

    scored = tmp_path / "scored.csv"
    scored.write_text("id,text,vnm_score,vnm_tier\n1,Tỏi chữa khỏi covid,0.9,high\n"
                      "2,Hà Nội mưa to,0.1,low\n", encoding="utf-8")
    out = tmp_path / f"queue.{ext}"
    assert main(["queue", str(scored), "-o", str(out), "--budget", "2"]) == 0
    got = pd.read_json(out, lines=True, dtype=False) if ext == "jsonl" else pd.read_parquet(out)
    assert sorted(got["id"].astype(str)) == ["1", "2"] and "verdict" in got.columns


@pytest.mark.parametrize("extra, message", [
    (["--cv", "1"], "--cv needs at least 2 folds"),
    (["--cv", "-2"], "--cv needs at least 2 folds"),
    (["--feedback-weight", "10"], "--feedback-weight weigh reviewers' verdicts; add --feedback"),
])
def test_train_refuses_options_it_would_ignore(tmp_path, capsys, extra, message):
    code = main(["train", "--preset", "plain", "--data-dir", str(tmp_path), "-o",
                 str(tmp_path / "m.skops"), *extra])
    assert code == 1 and message in capsys.readouterr().err
    assert not (tmp_path / "m.skops").exists()


@pytest.mark.parametrize("store, message", [
    ("missing", "the feedback store {path} does not exist; check the path"),
    ("file", "the feedback store {path} is a file, not a store folder; check the path"),
    ("empty", "the feedback store {path} holds no misinformation or reliable verdict yet"),
])
def test_train_names_a_feedback_store_it_cannot_read(tmp_path, capsys, store, message):
    """A mistyped store said it 'holds no verdict yet'; a file, that it 'is created when
    missing', which train never does."""
    path = tmp_path / "fb"
    if store == "file":
        path.write_text("text,verdict\n", encoding="utf-8")
    elif store == "empty":
        path.mkdir()
    code = main(["train", "--preset", "plain", "--data-dir", str(tmp_path), "-o",
                 str(tmp_path / "m.skops"), "--feedback", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and message.format(path=path) in err and "created" not in err
    assert not (tmp_path / "m.skops").exists() and (store == "empty") == path.is_dir()


@pytest.mark.parametrize("label", [[], ["--label-column", "verdict"]], ids=["plain", "named"])
def test_evaluate_reads_reviewed_files_as_calibrate_and_compare_do(tmp_path, capsys,
                                                                     model_file, label):
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("id,text,verdict\n1,Tỏi chữa khỏi covid,misinformation\n"
                        "2,Hà Nội mưa to chiều nay,Reliable\n3,Uống nước chanh diệt virus,unsure\n"
                        "4,Đà Nẵng nắng đẹp,reliable\n5,Nước nóng diệt corona,misinformation\n",
                        encoding="utf-8")
    out = tmp_path / "report"
    assert main(["evaluate", "--data", str(reviewed), "--model", str(model_file), "-o",
                 str(out), "--include-training-rows", "--no-plots", *label]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["n"] == 4  # the unsure row is left out
    said = capsys.readouterr()
    assert "ROC-AUC" in said.out
    # two rows of each class: the interval looks exact and means little, and it says so
    assert ("caution: only 2 misinformation and 2 reliable row(s): below 10 of each"
            in " ".join(said.err.split()))


def test_match_reads_standard_input_one_text_per_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("Uong nuoc chanh nong diet virus corona\n\n"
                                                  "Hà Nội mưa to chiều nay\n"))
    assert main(["match", "-", "--json", "-k", "1"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in lines] == ["Uong nuoc chanh nong diet virus corona",
                                         "Hà Nội mưa to chiều nay"]
    assert lines[0]["matched"] and lines[0]["matches"][0]["narrative_id"] == "health-001"


def test_match_says_why_a_row_has_no_text_instead_of_matching_it(tmp_path, capsys):
    """A missing or null JSONL text was matched as the word 'nan', an empty CSV cell at
    similarity 0; score says 'missing text' and 'empty text' for them."""
    posts = tmp_path / "m.jsonl"
    posts.write_text('{"id": 1}\n{"id": 2, "text": null}\n{"id": 3, "text": 123}\n'
                     '{"id": 4, "text": "Uong nuoc chanh nong diet virus corona"}\n',
                     encoding="utf-8")
    assert main(["match", str(posts), "--json", "-k", "1"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r.get("error") for r in lines] == ["missing text", "missing text",
                                               "text is int, not a string", None]
    assert [r["matches"] for r in lines[:3]] == [[], [], []] and lines[3]["matched"]
    table = tmp_path / "m.csv"
    table.write_text("id,text\n1,\n2,  \n", encoding="utf-8")
    assert main(["match", str(table), "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("not matched: empty text") == 2 and "similarity" not in out


def test_match_reads_a_headline_without_its_body_as_score_does(tmp_path, capsys):
    table = tmp_path / "articles.csv"
    table.write_text("id,title,text\n1,Uong nuoc chanh nong diet virus corona,\n2,,\n"
                     "3,Tin thể thao,Hà Nội mưa to chiều nay\n", encoding="utf-8")
    assert main(["match", str(table), "--json", "-k", "1"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows[0]["text"] == "Uong nuoc chanh nong diet virus corona" and rows[0]["matched"]
    assert rows[1]["error"] == "empty text"  # neither: still said, not matched
    assert rows[2]["text"] == "Hà Nội mưa to chiều nay"  # a text keeps its place


def test_match_says_a_text_of_no_words_is_not_matched(tmp_path, capsys):
    """'😡😡😡🔥🔥' listed narratives and their rebuttals at similarity 0, where score says
    'no words'."""
    assert main(["match", "😡😡😡🔥🔥", "-k", "2"]) == 0
    assert capsys.readouterr().out == "[0] (no words)\n  -> not matched: no words\n\n"
    table = tmp_path / "m.csv"
    table.write_text("id,text\n1,!!!\n2,Uong nuoc chanh nong diet virus corona\n",
                     encoding="utf-8")
    assert main(["match", str(table), "--json", "-k", "1"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"index": 0, "text": "!!!", "matched": False, "matches": [],
                        "error": "no words"}
    assert lines[1]["matched"] and "error" not in lines[1]


def test_match_shows_a_posts_escape_sequences_instead_of_sending_them(tmp_path, capsys):
    """The text and the matched sentence were printed raw: a post cleared the screen,
    recoloured the output and set the window title."""
    posts = tmp_path / "ansi.txt"
    text = "Uống nước chanh nóng \x1b[2J\x1b[31mdiệt virus corona\x1b]0;pwned\x07 \x9b2J"
    posts.write_text(text + "\n", encoding="utf-8")
    assert main(["match", str(posts), "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert not {"\x1b", "\x07", "\x9b"} & set(out)
    shown = "nóng \\x1b[2J\\x1b[31mdiệt virus corona\\x1b]0;pwned\\x07 \\x9b2J"
    assert f"[0] Uống nước chanh {shown}\n" in out
    assert out.count(shown) == 2 and "matched sentence: " in out
    assert main(["match", str(posts), "-k", "1", "--json"]) == 0
    out = capsys.readouterr().out
    assert not {"\x1b", "\x07", "\x9b"} & set(out)
    row = json.loads(out)
    assert row["text"] == text and text.endswith(row["matches"][0]["sentence"][-10:])


@pytest.mark.parametrize("argv", [
    ["queue", "{}", "-o", "{tmp}/q.csv", "--budget", "2"],
    ["feedback", "{}", "--store", "{tmp}/st"],
    ["claimreview", "{}", "--org", "Org"],
    ["drift", "{}", str(SAMPLE), "-o", "{tmp}/d"],
    ["evaluate", "--data", "{}", "-o", "{tmp}/e"],
    ["corpus-stats", "{}"],
], ids=lambda argv: argv[0])
def test_a_folder_or_a_file_without_extension_is_named_without_a_format_option(
        tmp_path, capsys, argv):
    """Both said 'cannot tell the format from the extension ''; ... or name the format
    (--format)', though these commands have no --format and the first is a folder."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "export").write_text("id,text\n1,Tin\n", encoding="utf-8")
    for name, said in (("posts", "posts: a folder, not a file; name a file in it."),
                       ("export", "cannot tell the format from the extension ''; use one of")):
        args = [a.format(str(tmp_path / name), tmp=tmp_path) for a in argv]
        assert main(args) == 1
        err = capsys.readouterr().err
        assert said in err and "--format" not in err


@pytest.mark.parametrize("argv", [["corpus-stats", "{}"],
                                  ["queue", "{}", "-o", "{tmp}/q.csv", "--budget", "1"]],
                         ids=lambda argv: argv[0])
def test_a_utf16_file_is_named_with_the_fix_on_the_command_line(tmp_path, capsys, argv):
    """corpus-stats on a UTF-16 CSV, and queue on a UTF-16 JSONL file, printed only
    "error: 'utf-8' codec can't decode byte 0xff in position 0"."""
    for name, text in (("posts.csv", "text,vnm_score\nTin,0.9\n"),
                       ("posts.jsonl", '{"text": "Tin", "vnm_score": 0.9}\n')):
        path = tmp_path / name
        path.write_text(text, encoding="utf-16")
        assert main([a.format(str(path), tmp=tmp_path) for a in argv]) == 1
        assert f"{path}: not UTF-8 text (" in capsys.readouterr().err


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    """``vnmisinfo score posts.csv | head -1``: no error message when the pipe closes."""
    big = tmp_path / "posts.csv"
    rows = _rows(SAMPLE)
    with open(big, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        for i in range(20):
            writer.writerows({**r, "id": f"{r['id']}-{i}"} for r in rows)
    cmd = f"'{_script()}' score '{big}' --workers 1 --no-match -q | head -1"
    done = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert done.stdout.startswith("id,kind,title,text")
    assert "Broken pipe" not in done.stderr and "error" not in done.stderr


def test_calibrate_and_match_check_their_numbers_before_any_work(tmp_path, capsys):
    """A budget over 1 was refused only after every row was scored; -k 0 read 'k must be'."""
    data = tmp_path / "d.csv"
    data.write_text("text,label\nUống nước chanh,1\nTrời nắng,0\n", encoding="utf-8")
    assert main(["calibrate", "--data", str(data), "--budget", "1.5",
                 "-o", str(tmp_path / "m.skops")]) == 2
    assert "--budget must be a share in (0, 1], got 1.5" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["match", "abc", "-k", "0"])
    assert "argument -k/--k: expected at least 1, got 0" in capsys.readouterr().err
