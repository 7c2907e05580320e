"""Detector is a plain scikit-learn classifier; Triage composes it with the narrative index.

Default scoring everywhere: ``score(X, y)`` is the inherited accuracy.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import FunctionTransformer, Pipeline
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from vnmisinfo import Detector, Triage
from vnmisinfo.triage import TierPolicy

FAST = {"channels": ("syllables",), "min_df": 1, "cv": 2}


@pytest.fixture(scope="module")
def data(tiny_corpus):
    texts, y = tiny_corpus
    return texts * 2, np.array(y * 2)


@pytest.mark.parametrize("check", [check_get_params_invariance, check_set_params,
                                   check_no_attributes_set_in_init,
                                   check_parameters_default_constructible],
                         ids=lambda c: c.__name__)
def test_data_free_sklearn_checks(check):
    check("Detector", Detector())


def test_score_is_the_inherited_accuracy(data):
    texts, y = data
    det = Detector(**FAST).fit(texts, y)
    assert det.score(texts, y) == pytest.approx(np.mean(det.predict(texts) == y))
    assert det.score(texts, 1 - y) == pytest.approx(1 - det.score(texts, y))


def test_cross_val_score_with_default_scoring_gives_accuracies(data):
    texts, y = data
    scores = cross_val_score(Detector(**FAST), texts, y,
                             cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and not np.isnan(scores).any()
    assert np.all((scores >= 0) & (scores <= 1)) and scores.mean() > 0.5


def test_grid_search_with_default_scoring_chooses_between_parameter_sets(data):
    texts, y = data
    # A threshold of 1.0 labels nothing: accuracy 0.5, so the search must pick 0.5.
    grid = GridSearchCV(Detector(**FAST), {"medium_threshold": [1.0, 0.5],
                                            "high_threshold": [1.0]},
                        cv=KFold(3, shuffle=True, random_state=0))
    grid.fit(texts, y)
    means = grid.cv_results_["mean_test_score"]
    assert means[1] > means[0]
    assert grid.best_params_["medium_threshold"] == 0.5


def test_pipeline_score_works(data):
    texts, y = data
    pipe = Pipeline([("strip", FunctionTransformer(lambda docs: [d.strip() for d in docs])),
                     ("det", Detector(**FAST))]).fit(texts, y)
    assert pipe.score(texts, y) == pytest.approx(np.mean(pipe.predict(texts) == y))


def test_clone_then_fit_gives_the_same_scores(data):
    texts, y = data
    det = Detector(**FAST).fit(texts, y)
    again = clone(det).fit(texts, y)
    np.testing.assert_allclose(again.predict_proba(texts), det.predict_proba(texts))
    assert clone(det).get_params() == det.get_params()
    assert "narratives" not in det.get_params()


def test_string_input_tag():
    tags = Detector().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_explain_has_its_own_name_and_matches_predict_proba(data):
    texts, y = data
    det = Detector(**FAST).fit(texts, y)
    results = det.explain(texts[:3], k=2)
    np.testing.assert_allclose([r["probability"] for r in results],
                               det.predict_proba(texts[:3])[:, 1])
    assert all(len(r["top_terms"]) <= 2 for r in results)


def test_triage_keeps_the_result_format_and_its_detector(data):
    texts, y = data
    det = Detector(**FAST).fit(texts, y)
    model = Triage(det, policy=TierPolicy(0.4, 0.9))
    assert model.detector is det
    (r,) = model.score([texts[0]], explain=3)
    assert {"probability", "label", "tier", "top_terms"} <= set(r)
    assert r["tier"] == TierPolicy(0.4, 0.9).tiers([r["probability"]])[0]
    assert model.score([]) == []


def test_a_bad_tier_policy_is_refused():
    with pytest.raises(ValueError, match="0 <= medium <= high <= 1"):
        TierPolicy(0.9, 0.5)
