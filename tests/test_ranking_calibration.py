"""A calibration never reverses the ranking of the linear model it calibrates."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import spearmanr
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression

from vnmisinfo.model.calibration import RankingWarning, calibrated_fit, fitting_pool, keep_ranking
from vnmisinfo.model.detector import Detector
from vnmisinfo.model.linear import linear_model


def _small_sets(n_sets: int = 12) -> list[tuple[pd.DataFrame, np.ndarray]]:
    """Small sets of short texts over 60 words; on some of them the out-of-fold scores of
    three calibration folds run against the labels."""
    sets = []
    for seed in range(n_sets):
        rng = np.random.default_rng(seed)
        words = [f"từ{i}" for i in range(60)]
        texts = [" ".join(rng.choice(words, 6)) for _ in range(60)]
        sets.append((pd.DataFrame({"text": texts}), (rng.random(60) < 0.4).astype(int)))
    return sets


def _sigmoids(detector: Detector) -> list:
    return [c for m in (detector.model_, detector.text_model_, detector.plain_model_)
            if m is not None for member in m.calibrated_classifiers_ for c in member.calibrators]


def test_detector_calibration_keeps_the_linear_models_order() -> None:
    warned, sets = 0, _small_sets()
    for X, y in sets:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            detector = Detector(channels=("syllables",), cv=3, random_state=0).fit(X, y)
        flattened = [w for w in caught if issubclass(w.category, RankingWarning)]
        warned += bool(flattened)
        assert all(c.a_ <= 0 for c in _sigmoids(detector))
        p = detector.predict_proba(X)[:, 1]
        linear = detector.pipeline_.decision_function(detector.preprocess(X))
        assert spearmanr(p, linear).statistic == pytest.approx(1.0)
        if flattened:
            assert "reversed the ranking" in str(flattened[0].message)
            assert np.ptp(p) < 1e-4
            assert p.mean() == pytest.approx(y.mean(), abs=1e-3)
    # the sets are chosen so that the guard is exercised, and not on every set
    assert 0 < warned < len(sets)


def test_keep_ranking_leaves_an_increasing_calibration_alone() -> None:
    X = np.linspace(-3, 3, 40)[:, None]
    y = (X[:, 0] + np.random.default_rng(0).normal(0, 1, 40) > 0).astype(int)
    model = CalibratedClassifierCV(LogisticRegression(), cv=2, ensemble=False).fit(X, y)
    before = model.predict_proba(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert keep_ranking(model, y) == 0
    np.testing.assert_array_equal(model.predict_proba(X), before)


def test_keep_ranking_flattens_to_the_weighted_share_of_positives() -> None:
    X = np.arange(30, dtype=float)[:, None]
    y = (np.arange(30) % 3 == 0).astype(int)
    model = CalibratedClassifierCV(LogisticRegression(), cv=3, ensemble=True).fit(X, y)
    for member in model.calibrated_classifiers_:
        member.calibrators[0].a_ = 1.0  # every fold inverted
    weights = np.where(y == 1, 4.0, 1.0)  # positives weigh 4: 40 of 60 units
    with pytest.warns(RankingWarning, match="share of positives \\(0.67\\)"):
        assert keep_ranking(model, y, weights, name="test model") == 3
    p = model.predict_proba(X)[:, 1]
    assert p == pytest.approx(np.full(30, 2 / 3), abs=1e-4)
    assert np.all(np.diff(p) != 0)


def test_calibrated_fits_in_worker_processes_equal_the_fits_in_this_process() -> None:
    # a wide problem, solved in the dual, whose coordinate order is drawn at random: side by
    # side in worker processes, every model comes out as it does one after another here
    rng = np.random.default_rng(0)
    X = sp.random(300, 2000, density=0.02, format="csr", random_state=0)
    y = (X[:, :50].sum(axis=1).A1 + rng.normal(scale=0.05, size=300) > 0.25).astype(int)
    w = rng.uniform(0.5, 2.0, size=300)
    splits = [(np.setdiff1d(np.arange(300), test), test)
              for test in np.array_split(rng.permutation(300), 3)]
    estimator = linear_model("logreg", 4.0, None, 300, n_features=2000)
    assert estimator.dual
    here, workers = fitting_pool(None), fitting_pool(2)
    alone = [here.submit(calibrated_fit, estimator, "sigmoid", splits, X, y, w).result()
             for _ in range(2)]
    futures = [workers.submit(calibrated_fit, estimator, "sigmoid", splits, X, y, w)
               for _ in range(4)]
    side_by_side = [f.result() for f in futures]
    sequential = CalibratedClassifierCV(estimator, method="sigmoid", cv=splits,
                                        ensemble=False).fit(X, y, sample_weight=w)
    for model in alone + side_by_side:
        np.testing.assert_array_equal(model.predict_proba(X), sequential.predict_proba(X))
    assert 0.5 < sequential.predict_proba(X)[y == 1, 1].mean()
