"""The evaluation report: scores, grouped CV and every file of the report folder."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from vnmisinfo.cli import main
from vnmisinfo.data.tables import CorpusError
from vnmisinfo.evaluation.evaluate import (
    PLOTS,
    conflicts_left_out,
    cross_val_scores,
    load_labelled,
    plot_all,
    predict_files,
    write_report,
)
from vnmisinfo.model.detector import Detector
from vnmisinfo.triage import Triage, save_model


@pytest.fixture()
def tiny_csv(tmp_path, tiny_corpus):
    texts, y = tiny_corpus
    rows = list(zip(texts, y, strict=True)) + [(texts[0], y[0]), ("", 0)]  # a copy, an empty
    path = tmp_path / "tiny.csv"
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    return path


def test_load_labelled_drops_empty_and_duplicates(tiny_csv):
    frame, info = load_labelled([tiny_csv])
    assert len(frame) == 24 and info["rows_read"] == 26
    assert info["empty_dropped"] == ["tiny:25"]
    assert info["dedup"]["duplicates_removed"] == 1


def test_load_labelled_names_the_conflicts_that_leave_a_single_class(tmp_path):
    path = tmp_path / "two.csv"
    pd.DataFrame({"id": ["a", "b", "c"], "text": ["Tỏi chữa covid", "tỏi  chữa covid", "Mưa"],
                  "label": [1, 0, 1]}).to_csv(path, index=False)
    with pytest.raises(CorpusError) as err:
        load_labelled([path])
    assert str(err.value).startswith(
        "1 text(s) have conflicting verdicts in the file and were left out: 'Tỏi chữa covid' "
        "(ids two:a, two:b). Without them the data holds a single class (misinformation (1)).")
    assert conflicts_left_out({"files": ["x", "y"], "dedup": {"conflicting_groups": []}}) is None


def test_predict_files_scores_every_row(tiny_csv, fitted_detector):
    scored = predict_files([tiny_csv], model=fitted_detector)
    assert len(scored.frame) == 24
    assert scored.proba.min() >= 0 and scored.proba.max() <= 1
    assert all(isinstance(t, list) for t in scored.frame["top_terms"])
    assert scored.metrics()["roc_auc"] > 0.9  # it was fitted on these very texts


def test_cross_val_scores_keeps_groups_in_one_fold(tiny_csv):
    frame, _ = load_labelled([tiny_csv], dedup=False)  # keep the duplicate pair
    det = Detector(channels=("syllables",), min_df=1, cv=2)
    scored = cross_val_scores(frame, detector=det, n_splits=3, progress=False)
    f = scored.frame
    assert f.groupby("group")["fold"].nunique().max() == 1
    assert sorted(f["fold"].unique()) == [0, 1, 2] and len(scored.folds) == 3
    assert f.loc[0, "group"] == f.loc[24, "group"]  # the copy of the first text


def test_write_report_writes_every_file(tiny_csv, fitted_detector, tmp_path):
    scored = predict_files([tiny_csv], model=fitted_detector)
    written = write_report(scored, tmp_path / "rep", title="tiny")
    for name in ("metrics.json", "predictions.csv", "report.html", *PLOTS):
        assert (tmp_path / "rep" / name).stat().st_size > 0, name
    assert set(written) == {"metrics.json", "predictions.csv", "report.html", *PLOTS}
    metrics = json.loads((tmp_path / "rep" / "metrics.json").read_text(encoding="utf-8"))
    assert {"roc_auc", "pr_auc", "brier", "ece", "thresholds", "budgets"} <= set(metrics)
    assert set(metrics["thresholds"]) == {"medium", "high"}
    assert list(metrics["budgets"]) == ["top_1%", "top_5%", "top_10%"]
    ci = metrics["roc_auc_interval"]
    assert ci["level"] == 0.95 and 0 <= ci["low"] <= ci["high"] <= 1
    page = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    assert f"{ci['low']:.4f} to {ci['high']:.4f}" in page
    assert page.count("data:image/png;base64,") == len(PLOTS)
    assert "http://" not in page and "https://" not in page  # self-contained
    assert "worst false positives" in page and "worst false negatives" in page
    assert "text" not in pd.read_csv(tmp_path / "rep" / "predictions.csv").columns


def test_predict_files_measures_the_tiers_of_the_models_own_policy(tiny_csv, fitted_detector):
    from vnmisinfo.triage import TierPolicy

    model = Triage(fitted_detector, policy=TierPolicy(0.2, 0.4))
    scored = predict_files([tiny_csv], model=model)
    assert (scored.medium_threshold, scored.high_threshold) == (0.2, 0.4)
    flagged = scored.metrics()["thresholds"]["medium"]
    assert flagged["threshold"] == 0.2


def test_main_evaluate_reads_every_repeated_data_option(tiny_csv, fitted_detector, tmp_path):
    model = save_model(Triage(fitted_detector), tmp_path / "m.skops")
    frame = pd.read_csv(tiny_csv)
    halves = [tmp_path / "a.csv", tmp_path / "b.csv"]
    frame.iloc[: len(frame) // 2].to_csv(halves[0], index=False)
    frame.iloc[len(frame) // 2:].to_csv(halves[1], index=False)
    rows = {}
    for name, data in (("one", ["--data", str(tiny_csv)]),
                       ("repeated", ["--data", str(halves[0]), "--data", str(halves[1])])):
        assert main(["evaluate", *data, "--model", str(model), "-o", str(tmp_path / name),
                     "--no-plots", "--quiet"]) == 0
        rows[name] = len(pd.read_csv(tmp_path / name / "predictions.csv"))
    assert rows["repeated"] == rows["one"] > 0


def test_predictions_csv_cannot_run_as_a_formula(tiny_csv, fitted_detector, tmp_path):
    # ids are "<file>:<id>"; a dump named after a page's handle starts with "@"
    frame = pd.read_csv(tiny_csv)
    frame.insert(0, "id", [f"p{i}" for i in range(len(frame))])
    frame.to_csv(tmp_path / "@baomoi.csv", index=False)
    write_report(predict_files([tmp_path / "@baomoi.csv"], model=fitted_detector),
                 tmp_path / "rep", plots=False)
    ids = pd.read_csv(tmp_path / "rep" / "predictions.csv", dtype=str)["id"].tolist()
    assert ids[0] == "'@baomoi:p0" and all(i.startswith("'@baomoi:") for i in ids)


def test_plots_need_matplotlib(tiny_csv, fitted_detector, tmp_path, monkeypatch):
    scored = predict_files([tiny_csv], model=fitted_detector)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "vnmisinfo\[plots\]"'):
        plot_all(scored, tmp_path)


def test_main_evaluate_with_a_model_file(tiny_csv, fitted_detector, tmp_path, capsys):
    model = save_model(Triage(fitted_detector), tmp_path / "m.skops")
    code = main(["evaluate", "--data", str(tiny_csv), "--model", str(model), "-o",
                 str(tmp_path / "rep"), "--no-plots", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    ci = json.loads((tmp_path / "rep" / "metrics.json").read_text(encoding="utf-8"))[
        "roc_auc_interval"]
    assert printed.startswith("ROC-AUC ")
    assert f"(95% interval {ci['low']:.4f} to {ci['high']:.4f})  PR-AUC" in printed
    assert (tmp_path / "rep" / "report.html").is_file()
    assert not (tmp_path / "rep" / "roc.png").exists()


@pytest.mark.parametrize("argv, message", [
    (["--cv", "1"], "at least 2 folds"),
    (["--cv", "3", "--model", "m.skops"], "drop --model"),
], ids=["one-fold", "cv-and-model"])
def test_main_evaluate_usage_errors(tiny_csv, tmp_path, capsys, argv, message):
    code = main(["evaluate", "--data", str(tiny_csv), "-o", str(tmp_path / "r"), *argv])
    assert code == 2
    assert message in capsys.readouterr().err


def test_main_evaluate_unlabelled_file_is_an_error(tmp_path, capsys):
    path = tmp_path / "u.csv"
    path.write_text("text\nTin một\n", encoding="utf-8")
    assert main(["evaluate", "--data", str(path), "-o", str(tmp_path / "r")]) == 1
    assert "no 'label' (0/1) and no 'verdict' column" in capsys.readouterr().err
