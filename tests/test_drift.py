"""``vnmisinfo drift`` and ``vnmisinfo compare``: library, main([...]) and installed script."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vnmisinfo.cli import main
from vnmisinfo.data.hygiene import text_hashes, text_keys
from vnmisinfo.evaluation.compare import compare_models, format_comparison, reviewed_labels
from vnmisinfo.evaluation.drift import (
    MIN_ROWS,
    PLOTS,
    PSI_SHIFT,
    RULE,
    decide,
    drift_report,
    oov_rate,
    psi,
    read_posts,
    write_drift_report,
)
from vnmisinfo.evaluation.evaluate import TrainingDataError
from vnmisinfo.model.detector import Detector
from vnmisinfo.model.persist import ModelLoadError
from vnmisinfo.triage import Triage, load_model, save_model

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"

#: Posts on topics the tiny corpus never mentions: football and finance.
OFF_TOPIC = [
    "Tiền đạo ghi cú đúp giúp câu lạc bộ lội ngược dòng ở phút bù giờ",
    "Huấn luyện viên trưởng công bố danh sách cầu thủ dự vòng loại",
    "Thủ môn cản phá quả phạt đền, đội khách giành một điểm quý giá",
    "Chỉ số chứng khoán tăng mạnh phiên chiều nhờ nhóm cổ phiếu ngân hàng",
    "Tỷ giá đô la biến động, doanh nghiệp xuất khẩu lo ngại lợi nhuận quý",
    "Lãi suất tiết kiệm kỳ hạn mười hai tháng nhích lên tại nhiều nhà băng",
    "Giải vô địch quốc gia tạm nghỉ để đội tuyển hội quân tập huấn",
    "Nhà đầu tư ngoại bán ròng trái phiếu doanh nghiệp trong tuần qua",
]


def _posts(pool: list[str], n: int, seed: int) -> list[str]:
    """``n`` posts, each two random halves of posts from ``pool`` joined."""
    rng = np.random.default_rng(seed)
    words = [p.split() for p in pool]
    out = []
    for a, b in rng.integers(0, len(pool), size=(n, 2)):
        out.append(" ".join(words[a][: len(words[a]) // 2] + words[b][len(words[b]) // 2:]))
    return out


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def claims(tiny_corpus) -> tuple[list[str], list[str]]:
    """The tiny corpus as (false claims, ordinary posts), twelve each."""
    texts, y = tiny_corpus
    pairs = list(zip(texts, y, strict=True))
    return [t for t, v in pairs if v == 1], [t for t, v in pairs if v == 0]


@pytest.fixture(scope="module")
def tiny_triage(tiny_corpus) -> Triage:
    texts, y = tiny_corpus
    det = Detector(channels=("syllables",), min_df=1, cv=2).fit(texts, y)
    return Triage(det, training_hashes=text_hashes(text_keys(pd.DataFrame({"text": texts}))))


@pytest.fixture(scope="module")
def tiny_model_file(tiny_triage, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "tiny.skops"
    save_model(tiny_triage, path)
    return path


@pytest.fixture(scope="module")
def covid_posts(tiny_corpus) -> list[str]:
    return _posts(tiny_corpus[0], 600, seed=1)


# -- the measures -----------------------------------------------------------------------------
def test_psi_is_zero_on_the_same_sample_and_grows_with_the_shift():
    rng = np.random.default_rng(0)
    base = rng.beta(2, 5, 5000)
    none = psi(base, rng.beta(2, 5, 5000))
    moderate = psi(base, rng.beta(2.6, 5, 5000))
    strong = psi(base, rng.beta(5, 2, 5000))
    assert psi(base, base) == pytest.approx(0.0, abs=1e-12)
    assert none < 0.02 < moderate < 0.2 <= strong


def test_psi_of_small_samples_of_one_distribution_often_passes_the_rule():
    """Why the verdict warns below MIN_ROWS rows a side: chance alone moves PSI past 0.2."""
    rng = np.random.default_rng(0)
    passes = {n: np.mean([psi(rng.beta(0.5, 2, n), rng.beta(0.5, 2, n)) >= PSI_SHIFT
                          for _ in range(200)]) for n in (100, MIN_ROWS)}
    assert passes[100] > 0.25 and passes[MIN_ROWS] < 0.05, passes


def test_the_verdict_warns_when_a_side_has_too_few_rows(tiny_triage, covid_posts):
    frame = pd.DataFrame({"text": covid_posts})
    few = drift_report(frame.iloc[:50], frame.iloc[50:], model=tiny_triage)
    enough = drift_report(frame.iloc[:300], frame.iloc[300:], model=tiny_triage)
    assert f"caution: fewer than {MIN_ROWS} rows on a side" in few["verdict"]
    assert "caution" not in enough["verdict"]


def test_psi_handles_tied_scores_and_rejects_empty_input():
    assert np.isfinite(psi([0.1] * 50 + [0.9] * 50, [0.1] * 90 + [0.9] * 10))
    with pytest.raises(ValueError, match="no finite value"):
        psi([], [0.1])


def test_oov_rate_counts_every_syllable_token():
    assert oov_rate(["Hà Nội mưa to", "mưa TO"], {"hà", "nội", "mưa"}) == pytest.approx(2 / 6)
    with pytest.raises(ValueError, match="no word token"):
        oov_rate(["...", ""], {"hà"})


@pytest.mark.parametrize(
    ("psi_value", "oov", "tvd", "shift", "fired"),
    [
        (0.19, (0.10, 0.12), 0.14, False, []),
        (0.20, (0.10, 0.10), 0.00, True, ["PSI"]),
        (0.05, (0.10, 0.16), 0.00, True, ["OOV"]),
        (0.05, (0.30, 0.36), 0.00, False, []),  # +0.06 but only +20 %
        (0.05, (0.02, 0.06), 0.00, False, []),  # +200 % but only +0.04
        (0.05, (0.00, 0.05), 0.00, True, ["OOV"]),
        (0.05, (None, None), 0.15, True, ["tier mix"]),
        (0.50, (0.10, 0.30), 0.40, True, ["PSI", "OOV", "tier mix"]),
    ],
    ids=["nothing", "psi", "oov", "oov-small-relative", "oov-small-absolute", "oov-from-zero",
         "tier-mix", "all"],
)
def test_decide_applies_the_rule(psi_value, oov, tvd, shift, fired):
    got, reasons = decide(psi=psi_value, oov_baseline=oov[0], oov_new=oov[1], tvd=tvd)
    assert got is shift
    assert [r.split(" ")[0] if not r.startswith("tier") else "tier mix" for r in reasons] == fired


# -- drift_report -----------------------------------------------------------------------------
def test_strong_shift_covid_vs_football_and_finance(tiny_triage, covid_posts):
    new = pd.DataFrame({"text": _posts(OFF_TOPIC, 300, seed=2)})
    report = drift_report(pd.DataFrame({"text": covid_posts}), new, model=tiny_triage)
    assert report["shift"] is True
    assert report["rule"] == RULE
    assert report["oov_rate"]["baseline"] == 0.0
    assert report["oov_rate"]["new"] > 0.5
    assert any(r.startswith("OOV rate") for r in report["reasons"])
    assert report["checks"]["oov_rate"]["fired"] is True
    terms = [t["term"] for t in report["rising_terms"]]
    assert 0 < len(terms) <= 20
    assert {"cổ phiếu", "đội tuyển"} & set(terms) or "phiếu" in terms
    assert report["verdict"].startswith("drift: SHIFT (")
    assert report["scores"]["source"] == "model"


def test_moderate_shift_is_measured_between_none_and_strong(tiny_triage, covid_posts):
    base = pd.DataFrame({"text": covid_posts[:300]})
    same = drift_report(base, pd.DataFrame({"text": covid_posts[300:]}), model=tiny_triage)
    mixed = covid_posts[300:500] + _posts(OFF_TOPIC, 100, seed=3)
    moderate = drift_report(base, pd.DataFrame({"text": mixed}), model=tiny_triage)
    strong = drift_report(base, pd.DataFrame({"text": _posts(OFF_TOPIC, 300, seed=4)}),
                          model=tiny_triage)
    rise = [r["oov_rate"]["rise"] for r in (same, moderate, strong)]
    assert rise[0] < rise[1] < rise[2]
    assert same["oov_rate"]["rise"] == pytest.approx(0.0, abs=0.01)
    assert moderate["oov_rate"]["new"] == pytest.approx(strong["oov_rate"]["new"] / 3, rel=0.35)


def test_two_halves_of_one_file_do_not_shift(tiny_triage, covid_posts):
    frame = pd.DataFrame({"text": covid_posts, "id": range(len(covid_posts))})
    half = frame.sample(frac=0.5, random_state=0)
    report = drift_report(half, frame.drop(half.index), model=tiny_triage)
    assert report["shift"] is False, report["verdict"]
    assert report["reasons"] == []
    assert report["score_shift"]["psi"] < 0.1
    assert report["tier_mix"]["tvd"] < 0.1
    assert report["verdict"].startswith("drift: no shift (PSI ")
    assert "tier mix TVD" in report["verdict"]


def test_scores_in_the_files_are_used_when_they_name_the_model(tiny_model_file, tiny_corpus):
    model = load_model(tiny_model_file)
    rng = np.random.default_rng(5)
    texts = _posts(tiny_corpus[0], 400, seed=6)

    def scored(p: np.ndarray, name: str) -> pd.DataFrame:
        return pd.DataFrame({"text": texts, "vnm_score": p, "vnm_model": name,
                             "vnm_tier": model.policy.tiers(p)})

    base = scored(rng.beta(2, 5, 400), model.model_id)
    new = scored(rng.beta(5, 2, 400), model.model_id)
    report = drift_report(base, new, model=tiny_model_file)
    assert report["scores"]["source"] == "files"
    assert report["shift"] is True and report["checks"]["psi"]["fired"]
    assert report["checks"]["tier_mix"]["fired"]
    assert report["oov_rate"]["rise"] == pytest.approx(0.0)
    # Scored by some other model: both files are scored again with this one.
    other = drift_report(scored(base["vnm_score"].to_numpy(), "other.skops"),
                         scored(new["vnm_score"].to_numpy(), "other.skops"), model=model)
    assert other["scores"]["source"] == "model"
    assert other["score_shift"]["psi"] == pytest.approx(0.0, abs=1e-9)


def test_files_scored_by_the_fast_model_are_named_and_measured_with_it(tiny_corpus):
    from vnmisinfo.evaluation.drift import model_vocabulary
    from vnmisinfo.model.persist import shipped_model_path

    fast = load_model(shipped_model_path("fast"))
    texts = _posts(tiny_corpus[0], 40, seed=8)
    rng = np.random.default_rng(9)

    def scored(name: str) -> pd.DataFrame:
        p = rng.beta(2, 5, len(texts))
        return pd.DataFrame({"text": texts, "vnm_score": p, "vnm_model": name,
                             "vnm_tier": fast.policy.tiers(p)})

    report = drift_report(scored(fast.model_id), scored(fast.model_id))  # no model given
    assert report["scores"]["source"] == "files"
    assert report["scores"]["model"] == report["scores"]["measured_with"] == fast.model_id
    assert report["scores"]["measured_with_scoring_model"] is True
    assert report["oov_rate"]["vocabulary_size"] == len(model_vocabulary(fast))
    assert "come from" not in report["verdict"]
    # a model file that cannot be found here: the report says where the measures come from
    team = "team.skops vnmisinfo-0.3.0 sha256:" + "ab" * 32
    other = drift_report(scored(team), scored(team))
    assert other["scores"]["model"] == team
    assert other["scores"]["measured_with"] == load_model().model_id
    assert other["scores"]["measured_with_scoring_model"] is False
    assert ("the OOV rate and the training overlap come from another model, "
            f"{load_model().model_id}, since the files' model cannot be loaded here"
            ) in other["scores"]["note"]
    assert ("; note: the OOV rate and the training overlap come from default.skops, not from "
            "the model that scored the files") in other["verdict"]


def test_report_json_keys_plots_and_escaped_html(tiny_triage, covid_posts, tmp_path):
    new = pd.DataFrame({"text": _posts(OFF_TOPIC, 200, seed=7)})
    report = drift_report(pd.DataFrame({"text": covid_posts}), new, model=tiny_triage,
                          min_count=2)
    report["rising_terms"][0]["term"] = "<script>alert(1)</script>"
    report["files"] = {"baseline": "a<script>.csv", "new": "b.csv"}
    written = write_drift_report(report, tmp_path / "out")
    assert set(written) == {"drift.json", "report.html", *PLOTS}
    data = json.loads(written["drift.json"].read_text(encoding="utf-8"))
    assert {"score_shift", "oov_rate", "tier_mix", "rising_terms", "shift", "rule",
            "reasons"} <= set(data)
    assert set(data["score_shift"]) >= {"psi", "ks"}
    assert set(data["score_shift"]["ks"]) == {"statistic", "p_value"}
    assert set(data["oov_rate"]) >= {"baseline", "new", "rise"}
    assert set(data["tier_mix"]["baseline"]) == {"high", "medium", "low"}
    assert sum(data["tier_mix"]["new"].values()) - data["tier_mix"]["tvd"] == pytest.approx(
        1.0 - data["tier_mix"]["tvd"])
    page = written["report.html"].read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("data:image/png;base64,") == len(PLOTS)
    for name in PLOTS:
        assert (tmp_path / "out" / name).read_bytes().startswith(b"\x89PNG")


def test_bad_input_is_refused_with_a_message(tiny_triage, tmp_path):
    good = pd.DataFrame({"text": ["tỏi chữa khỏi covid", "hà nội mưa"]})
    with pytest.raises(ValueError, match=r"new: no text column; .*--text-column"):
        drift_report(good, pd.DataFrame({"cot_a": ["a"]}), model=tiny_triage)
    with pytest.raises(ValueError, match=r"no text column 'body'"):
        drift_report(good, good, model=tiny_triage, text_column="body")
    with pytest.raises(ValueError, match="every text .* is empty"):
        drift_report(good, pd.DataFrame({"text": ["", "  "]}), model=tiny_triage)
    with pytest.warns(UserWarning, match="new: 1 row.* left out.*line 2: text is int"), \
            pytest.raises(ValueError, match="every text .* is empty or not a string"):
        drift_report(good, pd.DataFrame({"text": ["", 7]}), model=tiny_triage)
    odd = tmp_path / "posts.xlsx"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="a spreadsheet.*Save a spreadsheet as CSV"):
        read_posts(odd)
    odd = tmp_path / "posts.docx"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot tell the format"):
        read_posts(odd)
    lines = tmp_path / "posts.txt"
    lines.write_text("tỏi chữa covid\n", encoding="utf-8")
    with pytest.raises(ValueError, match="plain-text file"):
        read_posts(lines)


# -- drift on the command line ----------------------------------------------------------------
@pytest.fixture(scope="module")
def drift_files(covid_posts, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("drift")
    base, new = folder / "base.csv", folder / "new.jsonl"
    pd.DataFrame({"bai_viet": covid_posts}).to_csv(base, index=False)
    pd.DataFrame({"bai_viet": _posts(OFF_TOPIC, 200, seed=8)}).to_json(
        new, orient="records", lines=True, force_ascii=False)
    return base, new


def test_drift_main_writes_the_folder_and_prints_one_line(drift_files, tiny_model_file,
                                                          tmp_path, capsys):
    base, new = drift_files
    code = main(["drift", str(base), str(new), "-o", str(tmp_path / "r"), "--model",
                 str(tiny_model_file), "--text-column", "bai_viet"])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert len(out) == 1 and out[0].startswith("drift: SHIFT (")
    data = json.loads((tmp_path / "r" / "drift.json").read_text(encoding="utf-8"))
    assert data["shift"] is True and data["files"]["new"] == str(new)
    assert (tmp_path / "r" / "report.html").is_file()


def test_drift_main_reports_bad_input_as_exit_1(drift_files, tiny_model_file, tmp_path, capsys):
    base, new = drift_files
    code = main(["drift", str(base), str(new), "-o", str(tmp_path / "r"), "--model",
                 str(tiny_model_file)])
    assert code == 1
    assert "no text column" in capsys.readouterr().err
    odd = tmp_path / "posts.doc"
    odd.write_text("x", encoding="utf-8")
    assert main(["drift", str(base), str(odd), "-o", str(tmp_path / "r")]) == 1
    assert "cannot tell the format" in capsys.readouterr().err


def test_drift_main_leaves_out_a_text_that_is_not_a_string_as_score_does(
        drift_files, tiny_model_file, tmp_path, capsys):
    """One number in the text column stopped drift with 'document 1 text is int; expected
    str. Convert it to text (str(x))': no file, no line, and advice for Python users."""
    base, _ = drift_files
    new = tmp_path / "d.jsonl"
    new.write_text("".join(json.dumps({"id": i, "bai_viet": t}, ensure_ascii=False) + "\n"
                           for i, t in enumerate([*_posts(OFF_TOPIC, 30, seed=3), 123, [1]])),
                   encoding="utf-8")
    code = main(["drift", str(base), str(new), "-o", str(tmp_path / "r"), "--model",
                 str(tiny_model_file), "--text-column", "bai_viet"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert (f"vnmisinfo drift: note: {new}: 2 row(s) left out, as score leaves them "
            "unscored: line 31: text is int, not a string; line 32: text is list, not a "
            "string") in err
    rows = json.loads((tmp_path / "r" / "drift.json").read_text(encoding="utf-8"))["rows"]
    assert rows["new"] == {**rows["new"], "read": 32, "not_text_dropped": 2,
                           "empty_dropped": 0, "compared": 30}


# -- compare ----------------------------------------------------------------------------------
def _triage(texts: list[str], y: list[int]) -> Triage:
    det = Detector(channels=("syllables",), min_df=1, cv=2).fit(texts, y)
    return Triage(det, training_hashes=text_hashes(text_keys(pd.DataFrame({"text": texts}))))


@pytest.fixture(scope="module")
def two_models(claims, tmp_path_factory) -> dict[str, Path]:
    """A good and a bad detector trained on the same 16 posts; the other 8 are held out."""
    false, true = claims
    texts = false[:8] + true[:8]
    y = [1] * 8 + [0] * 8
    folder = tmp_path_factory.mktemp("models")
    paths = {"good": folder / "good.skops", "bad": folder / "bad.skops"}
    save_model(_triage(texts, y), paths["good"])
    save_model(_triage(texts, [1 - v for v in y]), paths["bad"])
    return paths


@pytest.fixture(scope="module")
def labelled(claims, tmp_path_factory) -> Path:
    """All 24 tiny posts with labels: 16 training rows, 8 unseen."""
    path = tmp_path_factory.mktemp("data") / "labelled.csv"
    pd.DataFrame({"text": claims[0] + claims[1],
                  "label": [1] * 12 + [0] * 12}).to_csv(path, index=False)
    return path


def test_compare_picks_the_better_model_on_unseen_rows_only(two_models, labelled):
    result = compare_models(two_models["bad"], two_models["good"], [labelled])
    assert result["winner"] == "new"
    assert result["n"] == 8 and result["positives"] == 4
    assert result["rows"]["in_old_training"] == result["rows"]["in_new_training"] == 16
    assert result["new"]["roc_auc"] > result["old"]["roc_auc"]
    assert result["delta"]["roc_auc"] == pytest.approx(
        result["new"]["roc_auc"] - result["old"]["roc_auc"])
    low, high = result["interval"]["roc_auc"]
    assert low <= result["delta"]["roc_auc"] <= high and low > 0
    assert result["verdict"] == (f"NEW is better (ROC-AUC {result['delta']['roc_auc']:+.3f}, "
                                 f"95% interval {low:+.3f} to {high:+.3f}, "
                                 "on 8 unseen reviewer-labelled rows)")
    swapped = compare_models(two_models["good"], two_models["bad"], [labelled])
    assert swapped["winner"] == "old" and swapped["verdict"].startswith("OLD is better (")
    same = compare_models(two_models["good"], two_models["good"], [labelled])
    assert same["winner"] is None and same["verdict"].startswith("no clear difference (")


def test_compare_leaves_out_rows_either_model_was_trained_on(two_models, labelled, claims):
    good = load_model(two_models["good"])
    held = claims[0][8:9] + claims[1][8:9]
    extra = text_hashes(text_keys(pd.DataFrame({"text": held})))
    bigger = Triage(good.detector,
                    training_hashes=np.concatenate([good.training_hashes, extra]))
    result = compare_models(two_models["bad"], bigger, [labelled])
    assert result["n"] == 6
    assert result["rows"]["in_new_training"] == 18


def test_compare_names_no_option_it_does_not_have(two_models, labelled, capsys):
    said: list[str] = []
    compare_models(two_models["bad"], two_models["good"], [labelled], log=said.append)
    assert ("OLD: 16 of 24 rows were in the training data; metrics use the 8 unseen rows"
            in said)
    assert main(["compare", str(two_models["bad"]), str(two_models["good"]), "--data",
                 str(labelled)]) == 0
    assert "--include-training-rows" not in capsys.readouterr().err


def test_compare_says_n_a_for_precision_when_no_row_reaches_medium(two_models, labelled):
    strict = load_model(two_models["good"]).set_thresholds(0.9999, 0.99999)
    result = compare_models(two_models["bad"], strict, [labelled])
    assert result["new"]["precision_medium"] is None and result["new"]["flagged_medium"] == 0
    assert result["delta"]["precision_medium"] is None
    assert json.loads(json.dumps(result))["new"]["precision_medium"] is None
    lines = format_comparison(result)
    assert lines[2].split()[4] == "n/a" and lines[1].split()[4] != "n/a"
    assert ("P@medium n/a: NEW flags 0 of 8 rows at medium or above (threshold 0.9999); "
            "precision is undefined without a flagged row") in lines


def test_compare_reads_reviewed_files(two_models, claims, tmp_path):
    rows = ([(t, "misinformation") for t in claims[0]] + [(t, "Reliable") for t in claims[1]]
            + [("Tin chưa rõ thật giả", "unsure"), ("Chưa ai xem tin này", "")])
    path = tmp_path / "reviewed.csv"
    pd.DataFrame(rows, columns=["text", "verdict"]).assign(vnm_score=0.5).to_csv(path,
                                                                                 index=False)
    result = compare_models(two_models["bad"], two_models["good"], [path])
    assert result["n"] == 8 and result["winner"] == "new"
    assert result["files"][0]["unsure_or_blank_dropped"] == 2
    frame = reviewed_labels(pd.read_csv(path, keep_default_na=False))
    assert list(frame.columns) == ["text", "label"] and len(frame) == 24


def test_compare_reads_reviewed_files_with_blank_lines(two_models, claims, tmp_path):
    """Blank lines between rows and at the end (as spreadsheets and hand edits leave them)
    stopped compare with 'zip() argument 2 is shorter than argument 1', and a bad verdict
    after one was named on the line above its own."""
    lines = pd.DataFrame({"text": claims[0] + claims[1],
                          "verdict": ["misinformation"] * 12 + ["reliable"] * 12}
                         ).to_csv(index=False).splitlines()
    path = tmp_path / "reviewed.csv"
    path.write_text("\n".join([*lines[:5], "", *lines[5:], "", ""]) + "\n", encoding="utf-8")
    result = compare_models(two_models["bad"], two_models["good"], [path])
    assert result["n"] == 8 and result["files"][0]["rows"] == 24
    path.write_text("text,verdict\ntỏi chữa covid,misinformation\n\nhà nội mưa,fake\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"reviewed\.csv, line 4: verdict 'fake'"):
        compare_models(two_models["bad"], two_models["good"], [path])


def test_compare_reads_reviewer_columns_named_loosely(two_models, claims, tmp_path):
    """A 'Verdict' header (as a spreadsheet capitalises it) was refused: no 'label' and no
    'verdict' column."""
    path = tmp_path / "reviewed.csv"
    pd.DataFrame({"Text": claims[0] + claims[1],
                  "Verdict ": ["misinformation"] * 12 + ["reliable"] * 12,
                  "Narrative ID": "", "Note": "nguồn: báo"}).to_csv(path, index=False)
    assert compare_models(two_models["bad"], two_models["good"], [path])["n"] == 8
    frame = reviewed_labels(pd.read_csv(path, keep_default_na=False))
    assert list(frame.columns) == ["Text", "label"] and len(frame) == 24
    pd.DataFrame({"text": ["tỏi chữa covid"], "Verdict": ["misinformation"],
                  "VERDICT": ["reliable"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"two columns that read as 'verdict': 'Verdict' and "
                                         r"'VERDICT'"):
        compare_models(two_models["bad"], two_models["good"], [path])


def test_compare_says_which_texts_have_conflicting_verdicts(two_models, claims, tmp_path,
                                                            capsys):
    texts = claims[0] + claims[1]
    verdicts = ["misinformation"] * 12 + ["reliable"] * 12
    flipped = {"misinformation": "reliable", "reliable": "misinformation"}
    week1, week2, all_other = tmp_path / "week1.csv", tmp_path / "week2.csv", tmp_path / "o.csv"
    pd.DataFrame({"text": texts, "verdict": verdicts}).to_csv(week1, index=False)
    # week 2 says the opposite of week 1 on two unseen texts, one of each class
    pd.DataFrame({"text": [texts[8], texts[20]],
                  "verdict": [flipped[verdicts[8]], flipped[verdicts[20]]]}).to_csv(week2,
                                                                                   index=False)
    result = compare_models(two_models["bad"], two_models["good"], [week1, week2])
    assert result["n"] == 6 and result["conflicts"]["texts"] == 2
    assert result["conflicts"]["note"] == ("2 text(s) have conflicting verdicts across the "
                                           "files and were left out")
    report = tmp_path / "cmp.json"
    main(["compare", str(two_models["bad"]), str(two_models["good"]), "--data", str(week1),
          str(week2), "-o", str(report)])
    assert result["conflicts"]["note"] in capsys.readouterr().out.splitlines()
    assert json.loads(report.read_text(encoding="utf-8"))["conflicts"]["texts"] == 2
    # every verdict contradicted: the error names the conflicts, not "a single class ([])"
    pd.DataFrame({"text": texts, "verdict": [flipped[v] for v in verdicts]}).to_csv(
        all_other, index=False)
    with pytest.raises(ValueError) as err:
        compare_models(two_models["bad"], two_models["good"], [week1, all_other])
    message = str(err.value)
    assert re.match(r"24 text\(s\) have conflicting verdicts across the files and were left "
                    r"out: '[^']+' \(ids week1:\d+, o:\d+\); ", message)
    assert "and 21 more. Without them no labelled row is left." in message
    assert "[]" not in message


def test_compare_refuses_bad_input(two_models, claims, tmp_path):
    bad_verdict = tmp_path / "bad.csv"
    bad_verdict.write_text("text,verdict\ntỏi chữa covid,fake\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: verdict 'fake' is not one of"):
        compare_models(two_models["bad"], two_models["good"], [bad_verdict])
    unlabelled = tmp_path / "posts.csv"
    unlabelled.write_text("text\ntỏi chữa covid\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no 'label' .* and no 'verdict' column"):
        compare_models(two_models["bad"], two_models["good"], [unlabelled])
    trained = tmp_path / "trained.csv"
    pd.DataFrame({"text": claims[0][:8] + claims[1][:8],
                  "label": [1] * 8 + [0] * 8}).to_csv(trained, index=False)
    with pytest.raises(TrainingDataError, match="no unseen row") as err:
        compare_models(two_models["bad"], two_models["good"], [trained])
    assert "neither model was trained on" in str(err.value)
    assert "--include-training-rows" not in str(err.value)  # compare has no such option


def test_compare_names_the_model_file_it_cannot_load(two_models, labelled, tmp_path, capsys):
    missing = tmp_path / "team_tiers.skops"
    with pytest.raises(ModelLoadError, match=r"^NEW: model file .*team_tiers.skops' not found; "
                       r"pass the path of a .skops file made by 'vnmisinfo train' \(the "
                       r"shipped model is .*default.skops\)\.$") as err:
        compare_models(two_models["bad"], missing, [labelled])
    assert "--model" not in str(err.value)  # compare takes OLD and NEW, not --model
    assert main(["compare", str(missing), str(two_models["good"]), "--data",
                 str(labelled)]) == 1
    assert "error: OLD: model file" in capsys.readouterr().err


def test_compare_main_exit_codes_and_json(two_models, labelled, tmp_path, capsys):
    report = tmp_path / "cmp.json"
    assert main(["compare", str(two_models["bad"]), str(two_models["good"]), "--data",
                 str(labelled), "-o", str(report)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].split() == ["ROC-AUC", "PR-AUC", "Brier", "P@medium", "model"]
    assert out[1].startswith("OLD") and out[2].startswith("NEW")
    assert out[-1].startswith("NEW is better (ROC-AUC +")
    assert any(line.startswith("caution: only ") for line in out)  # 8 unseen rows
    assert json.loads(report.read_text(encoding="utf-8"))["winner"] == "new"
    assert main(["compare", str(two_models["good"]), str(two_models["bad"]), "--data",
                 str(labelled), "--data", str(labelled)]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("OLD is better")
    assert format_comparison(json.loads(report.read_text(encoding="utf-8")))[-1] == out[-1]


def test_compare_main_reports_a_missing_file_as_exit_1(two_models, tmp_path, capsys):
    assert main(["compare", str(two_models["bad"]), str(two_models["good"]), "--data",
                 str(tmp_path / "missing.csv")]) == 1
    assert "file not found" in capsys.readouterr().err


# -- the installed script ---------------------------------------------------------------------
@pytest.mark.parametrize("command", ["drift", "compare"])
def test_installed_console_script_help(command):
    exe = shutil.which("vnmisinfo", path=str(Path(sys.executable).parent))
    assert exe, "the vnmisinfo console script is not installed next to this Python"
    proc = subprocess.run([exe, command, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert f"usage: vnmisinfo {command}" in proc.stdout
    assert ("BASELINE NEW" if command == "drift" else "OLD NEW") in proc.stdout


# -- the public corpora -----------------------------------------------------------------------
@pytest.mark.slow
def test_drift_on_reintel_vs_vfnd_and_on_two_halves_of_reintel(tmp_path):
    train = CORPORA / "reintel" / "train.csv"
    vfnd = CORPORA / "vfnd" / "vfnd_articles_223.csv"
    if not (train.is_file() and vfnd.is_file()):
        pytest.skip("the shared corpora are not present")
    reintel = read_posts(train)
    assert drift_report(reintel, read_posts(vfnd))["shift"] is True
    half = reintel.sample(frac=0.5, random_state=0)
    halves = drift_report(half, reintel.drop(half.index))
    assert halves["shift"] is False, halves["verdict"]


def test_drift_says_how_many_rows_the_model_was_trained_on(fitted_detector):
    """A baseline of the model's own training posts shows a shift that is partly the fit:
    the report counts those rows and the verdict line says so."""
    from vnmisinfo.data.hygiene import text_hashes, text_keys
    from vnmisinfo.evaluation.drift import drift_report
    from vnmisinfo.triage import Triage

    baseline = pd.DataFrame({"text": ["Uống nước chanh nóng diệt virus", "Hà Nội mưa nhẹ",
                                      "Tỏi chữa khỏi covid", "Giá vàng tăng"] * 5})
    new = pd.DataFrame({"text": ["Đội tuyển thắng trận", "Cổ phiếu tăng điểm",
                                 "Hà Nội mưa nhẹ"] * 5})
    seen = text_hashes(text_keys(pd.DataFrame({"text": baseline["text"], "title": ""})))
    report = drift_report(baseline, new, model=Triage(fitted_detector, training_hashes=seen))
    assert report["rows"]["baseline"]["in_training"] == 20
    assert report["rows"]["new"]["in_training"] == 5
    assert "20 of 20 baseline rows and 5 of 15 new rows were in the model's training data" in (
        report["verdict"])
    plain = drift_report(baseline, new, model=fitted_detector)
    assert plain["rows"]["baseline"]["in_training"] == 0 and "note:" not in plain["verdict"]


def test_drift_refuses_an_output_that_is_a_file_before_any_work(tmp_path, capsys):
    from vnmisinfo.cli import main

    posts = tmp_path / "p.csv"
    posts.write_text("text\nTin một\nTin hai\n", encoding="utf-8")
    out = tmp_path / "report"
    out.write_text("x")
    assert main(["drift", str(posts), str(posts), "-o", str(out)]) == 2
    assert "is a file; name a folder" in capsys.readouterr().err and out.read_text() == "x"


def test_psi_sees_a_move_away_from_a_baseline_of_one_repeated_score():
    """Every baseline score the same (one post copied, or one row): its quantile bins
    collapsed into one, and PSI read 0 while the mean went from 0.004 to 0.93."""
    base, moved = np.full(250, 0.004), np.linspace(0.8, 0.99, 250)
    assert psi(base, moved) > 0.2
    assert psi(base, base) == 0.0
    assert psi(np.full(1, 0.004), np.full(5, 0.9)) > 0.2
    # a baseline with a tied value among spread ones: the tie holds its own bin
    mixed = np.r_[np.full(100, 0.5), np.linspace(0.0, 1.0, 300)]
    assert psi(mixed, mixed) == 0.0
    assert psi(mixed, np.linspace(0.0, 1.0, 400)) > psi(mixed, mixed)


def test_the_oov_rate_reads_a_hashtag_as_its_words_as_the_model_does():
    """The detector reads ``#UốngNướcChanh`` as ``uống nước chanh``; so does the
    out-of-vocabulary rate, or every hashtag would count as a word the model never saw."""
    from vnmisinfo.evaluation.drift import oov_rate

    vocabulary = {"uống", "nước", "chanh", "nóng"}
    assert oov_rate(["#UốngNướcChanh nóng"], vocabulary) == 0.0
    assert oov_rate(["#uongnuocchanh nóng"], vocabulary) == 0.5  # no capitals: one word


def test_the_oov_rate_reads_words_joined_by_underscores_as_words():
    from vnmisinfo.evaluation.drift import oov_rate

    assert oov_rate(["uống_nước_chanh nóng"], {"uống", "nước", "chanh", "nóng"}) == 0.0
