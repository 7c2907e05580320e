"""Review thresholds from a target precision or a budget."""

from __future__ import annotations

import pandas as pd
import pytest

from vnmisinfo.cli import main
from vnmisinfo.evaluation.thresholds import (
    calibrate_model,
    choose_thresholds,
    threshold_for_budget,
    threshold_for_precision,
)
from vnmisinfo.model.persist import read_metadata
from vnmisinfo.triage import Triage, load_model, save_model

# Scores in ascending order; labels chosen so that precision is not monotone.
Y = [0, 0, 1, 0, 1, 0, 1, 1, 1, 1]
P = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


@pytest.mark.parametrize("target, expected", [
    (1.0, 0.6),    # flags 0.6..0.9: 4/4
    (0.8, 0.4),    # from 0.5: 4/5 = 0.8; from 0.4: 5/6 = 0.833; from 0.3: 5/7 = 0.714
    (0.7, 0.2),    # from 0.3: 0.714; from 0.2: 6/8 = 0.75; from 0.1: 6/9 = 0.667
    (0.6, 0.05),   # everything: 6/10
], ids=["p1.0", "p0.8", "p0.7", "p0.6"])
def test_threshold_for_precision(target, expected):
    assert threshold_for_precision(Y, P, target) == pytest.approx(expected)


def test_unreachable_precision_names_the_best():
    with pytest.raises(ValueError, match=r"no threshold reaches precision 0.900.*best is 0.500"):
        threshold_for_precision([0, 1, 0, 1], [0.9, 0.8, 0.7, 0.6], 0.9)


@pytest.mark.parametrize("budget, expected", [(0.1, 0.9), (0.25, 0.7), (0.5, 0.5), (1.0, 0.05)],
                         ids=["10%", "25%-rounds-up", "50%", "all"])
def test_threshold_for_budget(budget, expected):
    assert threshold_for_budget(P, budget) == pytest.approx(expected)


def test_choose_thresholds_reports_achieved_precision_recall():
    c = choose_thresholds(Y, P, high_precision=1.0, medium_budget=0.6)
    assert c["high"].threshold == pytest.approx(0.6)
    assert (c["high"].precision, c["high"].recall, c["high"].flagged) == (1.0, 4 / 6, 4)
    assert c["medium"].threshold == pytest.approx(0.4)
    assert c["medium"].recall == pytest.approx(5 / 6)


@pytest.mark.parametrize("kwargs, match", [
    ({"high_precision": 0.9, "budget": 0.1}, "both a target precision and a budget"),
    ({"high_precision": 1.0, "medium_precision": 1.0, "current": (0.5, 0.8)}, None),
    ({"high_precision": 0.6, "medium_budget": 0.1},
     "medium threshold .* would be above the high"),
    ({"budget": 0.0}, r"budget must be a share"),
    ({"budget": 0.5, "current": (0.9, 0.95)},
     r"medium threshold \(0.9000, unchanged\).*give the medium tier a rule too.*--medium-budget"),
], ids=["two-rules", "equal-ok", "medium-above-high", "zero-budget", "unchanged-medium-above"])
def test_choose_thresholds_errors(kwargs, match):
    if match is None:
        c = choose_thresholds(Y, P, **kwargs)
        assert c["medium"].threshold == c["high"].threshold
        return
    with pytest.raises(ValueError, match=match):
        choose_thresholds(Y, P, **kwargs)


def test_main_calibrate_saves_the_thresholds(tmp_path, fitted_detector, tiny_corpus, capsys):
    texts, y = tiny_corpus
    data = tmp_path / "held.csv"
    pd.DataFrame({"text": texts, "label": y}).to_csv(data, index=False)
    model = save_model(Triage(fitted_detector), tmp_path / "m.skops", metadata={"preset": "tiny"})
    out = tmp_path / "tuned.skops"
    code = main(["calibrate", "--model", str(model), "--data", str(data), "--budget", "0.25",
                 "--medium-budget", "0.5", "-o", str(out), "--quiet"])
    assert code == 0
    tuned = load_model(out)
    proba = fitted_detector.predict_proba(texts)[:, 1]
    assert tuned.policy.high == pytest.approx(threshold_for_budget(proba, 0.25))
    assert tuned.policy.medium == pytest.approx(threshold_for_budget(proba, 0.5))
    meta = read_metadata(out)
    assert meta["preset"] == "tiny"
    assert meta["threshold_calibration"]["high"]["flagged"] >= 6
    assert "precision" in capsys.readouterr().out
    # the calibrated model has a card of its own, with its thresholds and where they came from
    card = " ".join((tmp_path / "tuned.md").read_text("utf-8").split())
    assert f"`high` from {round(tuned.policy.high, 4)}" in card
    assert "thresholds set by `vnmisinfo calibrate` on held-out scores of" in card


def test_main_calibrate_reads_every_repeated_data_option(tmp_path, fitted_detector,
                                                         tiny_corpus):
    texts, y = tiny_corpus
    model = save_model(Triage(fitted_detector), tmp_path / "m.skops")
    frame = pd.DataFrame({"text": texts, "label": y})
    frame.to_csv(tmp_path / "all.csv", index=False)
    frame.iloc[::2].to_csv(tmp_path / "even.csv", index=False)
    frame.iloc[1::2].to_csv(tmp_path / "odd.csv", index=False)
    for name, data in (("one", [str(tmp_path / "all.csv")]),
                       ("two", [str(tmp_path / "even.csv"), "--data", str(tmp_path / "odd.csv")])):
        assert main(["calibrate", "--model", str(model), "--data", *data, "--budget", "0.25",
                     "-o", str(tmp_path / f"{name}.skops"), "--quiet"]) == 0
    assert load_model(tmp_path / "two.skops").policy.high == pytest.approx(
        load_model(tmp_path / "one.skops").policy.high)
    measured = read_metadata(tmp_path / "two.skops")["threshold_calibration"]
    assert len(measured["files"]) == 2 and f"on {len(frame)} documents" in measured["measured_on"]


def test_main_calibrate_keeps_the_shipped_model_it_reads(tmp_path, fitted_detector, tiny_corpus,
                                                         monkeypatch, capsys):
    """Without --model the shipped model is the input: -o naming it is refused, not replaced."""
    import vnmisinfo.model.persist
    import vnmisinfo.triage

    texts, y = tiny_corpus
    data = tmp_path / "held.csv"
    pd.DataFrame({"text": texts, "label": y}).to_csv(data, index=False)
    shipped = save_model(Triage(fitted_detector), tmp_path / "default.skops")
    for module in (vnmisinfo.model.persist, vnmisinfo.triage):
        monkeypatch.setattr(module, "default_model_path", lambda: shipped)
    before = shipped.read_bytes(), shipped.with_name("default.skops.sha256").read_bytes()
    code = main(["calibrate", "--data", str(data), "--budget", "0.25", "-o", str(shipped),
                 "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"the output {shipped} is the shipped model" in err
    assert "Write to another file" in err and "--model" in err
    assert (shipped.read_bytes(), shipped.with_name("default.skops.sha256").read_bytes()) == before
    # written elsewhere, the same command calibrates that very model
    assert main(["calibrate", "--data", str(data), "--budget", "0.25", "-o",
                 str(tmp_path / "tuned.skops"), "--quiet"]) == 0
    proba = fitted_detector.predict_proba(texts)[:, 1]
    assert load_model(tmp_path / "tuned.skops").policy.high == pytest.approx(
        threshold_for_budget(proba, 0.25))


def test_main_calibrate_needs_a_rule(tmp_path, capsys):
    assert main(["calibrate", "--data", "x.csv", "-o", str(tmp_path / "m.skops")]) == 2
    assert "give a rule" in capsys.readouterr().err


def test_calibrate_reads_reviewed_files_as_labelled_ones(tmp_path, fitted_detector, tiny_corpus):
    texts, y = tiny_corpus
    model = Triage(fitted_detector)
    labelled = tmp_path / "held.csv"
    pd.DataFrame({"text": texts, "label": y}).to_csv(labelled, index=False)
    reviewed = tmp_path / "reviewed.csv"  # the same verdicts, as reviewers write them
    verdicts = ["Misinformation" if label else "reliable" for label in y]
    pd.DataFrame({"text": [*texts, "chưa rõ", "để sau"], "verdict": [*verdicts, "unsure", ""],
                  "note": ""}).to_csv(reviewed, index=False)
    _, want, _ = calibrate_model([labelled], model=model, budget=0.25, medium_budget=0.5,
                                 progress=False)
    _, got, meta = calibrate_model([reviewed], model=model, budget=0.25, medium_budget=0.5,
                                   progress=False)
    for tier in ("medium", "high"):
        assert got[tier].threshold == pytest.approx(want[tier].threshold)
        assert got[tier].flagged == want[tier].flagged  # unsure and blank rows left out
    assert meta["threshold_calibration"]["files"] == [str(reviewed)]
    other = tmp_path / "other.csv"  # a second reviewer disagrees on one text
    pd.DataFrame({"text": texts[:1], "verdict": ["reliable" if y[0] else "misinformation"]}
                 ).to_csv(other, index=False)
    _, _, meta = calibrate_model([reviewed, other], model=model, budget=0.25, progress=False)
    assert meta["threshold_calibration"]["measured_on"].endswith(
        f"on {len(texts) - 1} documents; 1 text(s) have conflicting verdicts across the files "
        "and were left out")


def test_main_calibrate_names_a_row_with_an_unknown_verdict(tmp_path, fitted_detector, capsys):
    model = save_model(Triage(fitted_detector), tmp_path / "m.skops")
    reviewed = tmp_path / "reviewed.csv"
    pd.DataFrame({"text": ["tỏi chữa covid", "hà nội mưa"],
                  "verdict": ["misinformation", "maybe"]}).to_csv(reviewed, index=False)
    code = main(["calibrate", "--model", str(model), "--data", str(reviewed), "--budget", "0.5",
                 "-o", str(tmp_path / "out.skops"), "--quiet"])
    assert code != 0
    err = capsys.readouterr().err
    assert "line 3" in err and "maybe" in err
    assert not (tmp_path / "out.skops").exists()
