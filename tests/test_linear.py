"""The linear models, and the weights of a team's own verdicts."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from vnmisinfo.cli import main
from vnmisinfo.model.detector import Detector
from vnmisinfo.model.linear import (
    DUAL_PASSES,
    OwnWordsClassifier,
    augment_own,
    fit_linear,
    linear_model,
    opposite_near_copies,
)
from vnmisinfo.model.persist import read_metadata
from vnmisinfo.review.store import FeedbackStore, hash_texts
from vnmisinfo.triage import Triage, load_model, save_model

# A new kind of post the public corpus never saw: crypto-airdrop scams against market reports.
NEW_FALSE = [
    "Nhận airdrop token miễn phí, chỉ cần gửi ví và mã khôi phục cho admin",
    "Sàn tặng token miễn phí cho mọi ví, gửi mã khôi phục để nhận ngay",
    "Airdrop lớn nhất năm: nhập mã khôi phục ví để nhận token thưởng",
    "Nhóm admin phát token miễn phí, gửi ví kèm mã khôi phục trước nửa đêm",
]
NEW_TRUE = [
    "Báo cáo quý cho thấy giá cổ phiếu ngân hàng tăng nhẹ trong phiên sáng",
    "Chỉ số chứng khoán đóng cửa giảm nhẹ, thanh khoản thị trường thấp",
    "Báo cáo tài chính quý ba của doanh nghiệp niêm yết được công bố hôm nay",
    "Thị trường chứng khoán phiên chiều giao dịch thận trọng, chỉ số đi ngang",
]
UNSEEN = ["Gửi mã khôi phục ví cho admin để nhận token airdrop miễn phí",
          "Chỉ số chứng khoán phiên sáng tăng nhẹ theo báo cáo thị trường"]


def _data(tiny_corpus):
    texts, y = tiny_corpus
    all_texts = list(texts) + NEW_FALSE + NEW_TRUE
    labels = np.array(list(y) + [1] * len(NEW_FALSE) + [0] * len(NEW_TRUE))
    own = np.arange(len(all_texts)) >= len(texts)
    return all_texts, labels, own


def test_own_rows_get_weights_of_their_own_beside_the_shared_ones():
    X = sp.csr_matrix(np.array([[1.0, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0],
                                [0, 0, 1], [0, 1, 1]]))
    y = np.array([1, 0, 1, 0, 1, 0])
    own = np.array([False] * 4 + [True] * 2)
    w = np.array([1, 1, 1, 1, 5, 5.0])
    clf = OwnWordsClassifier(LogisticRegression(), own_scale=0.5).fit(X, y, sample_weight=w,
                                                                      own=own)
    # the same fit by hand: [X, 0.5 * own * X, own]
    augmented = sp.hstack([X, sp.diags(0.5 * own) @ X, sp.csr_matrix(own[:, None] * 1.0)])
    ref = LogisticRegression().fit(augmented, y, sample_weight=w)
    np.testing.assert_allclose(clf.coef_, ref.coef_[:, :3] + 0.5 * ref.coef_[:, 3:6])
    np.testing.assert_allclose(clf.intercept_, ref.intercept_ + ref.coef_[:, 6])
    np.testing.assert_allclose(clf.own_coef_, 0.5 * ref.coef_[:, 3:6])
    assert clf.own_coef_[0, 2] > 0  # the word only the team's posts carry has an own weight
    assert clf.own_coef_[0, 0] == 0  # a word they never carry has none
    np.testing.assert_allclose(clf.decision_function(X), X @ clf.coef_[0] + clf.intercept_[0])
    assert clf.predict(X).tolist() == (clf.decision_function(X) > 0).astype(int).tolist()
    assert clf.predict_proba(X).shape == (6, 2)


@pytest.mark.parametrize("seed", range(5))
def test_augmented_rows_equal_the_stack_of_copies_built_by_hand(seed):
    rng = np.random.default_rng(seed)
    dense = rng.random((40, 30)) * (rng.random((40, 30)) < 0.2)
    dense[3] = 0.0  # an empty row, own or not
    own = rng.random(40) < 0.3
    own[3] = True
    A, used = augment_own(sp.csr_matrix(dense), own, 0.7)
    assert used.tolist() == np.flatnonzero((dense[own] != 0).any(axis=0)).tolist()
    by_hand = np.hstack([dense, 0.7 * own[:, None] * dense[:, used], own[:, None] * 1.0])
    np.testing.assert_array_equal(A.toarray(), by_hand)
    assert A.has_canonical_format  # sorted indices, no duplicates: what liblinear reads


@pytest.mark.parametrize(("own", "scale"), [(None, 1.0), ([False] * 6, 1.0),
                                            ([False] * 4 + [True] * 2, 0.0)])
def test_without_own_rows_or_scale_it_is_the_estimator_alone(own, scale):
    X = np.array([[1.0, 0], [0, 1], [1, 0], [0, 1], [1, 1], [0, 0]])
    y = np.array([1, 0, 1, 0, 1, 0])
    clf = OwnWordsClassifier(LogisticRegression(), own_scale=scale).fit(X, y, own=own)
    assert clf.own_coef_ is None
    np.testing.assert_allclose(clf.coef_, LogisticRegression().fit(X, y).coef_)


def test_bad_own_scale_and_classifier_are_named():
    X, y = np.eye(2), np.array([0, 1])
    with pytest.raises(ValueError, match="own_scale must be >= 0"):
        OwnWordsClassifier(LogisticRegression(), own_scale=-1).fit(X, y)
    with pytest.raises(ValueError, match="classifier must be one of"):
        linear_model("forest", 1.0, None, 10)


def test_own_rows_move_the_detector_towards_their_own_words(tiny_corpus):
    texts, y, own = _data(tiny_corpus)
    weights = np.where(own, 3.0, 1.0)
    params = dict(channels=("syllables",), min_df=1, cv=3)
    without = Detector(**params, own_scale=0.0).fit(texts, y, sample_weight=weights, own=own)
    plain = Detector(**params).fit(texts, y, sample_weight=weights)
    with_own = Detector(**params).fit(texts, y, sample_weight=weights, own=own)
    # own_scale=0 is the weighted model alone, the same as giving no own rows
    np.testing.assert_allclose(without.decision_function(UNSEEN), plain.decision_function(UNSEEN))
    d_without, d_with = without.decision_function(UNSEEN), with_own.decision_function(UNSEEN)
    assert d_with[0] > d_without[0]  # the new scam leans further to misinformation
    assert d_with[1] < d_without[1]  # the new market report further to reliable
    assert d_with[0] - d_with[1] > d_without[0] - d_without[1]
    clf = with_own.model_.calibrated_classifiers_[0].estimator
    assert isinstance(clf, OwnWordsClassifier) and clf.own_coef_ is not None
    # still one linear model: its weights explain the score exactly
    found = with_own.explain(UNSEEN[:1], k=3)[0]["top_terms"]
    assert found and all(w > 0 for _, w in found[:1])


def test_own_must_match_the_documents_and_own_scale_must_not_be_negative(tiny_corpus):
    texts, y = tiny_corpus
    with pytest.raises(ValueError, match="own must hold one flag per document"):
        Detector(channels=("syllables",), min_df=1, cv=3).fit(texts, y, own=[True])
    with pytest.raises(ValueError, match="own_scale must be a number, 0 or more"):
        Detector(channels=("syllables",), min_df=1, cv=3, own_scale=-0.5).fit(texts, y)


def test_a_model_with_own_weights_saves_and_loads_with_the_trusted_loader(tiny_corpus, tmp_path):
    texts, y, own = _data(tiny_corpus)
    det = Detector(channels=("syllables",), min_df=1, cv=3, n_features=2**14).fit(
        texts, y, sample_weight=np.where(own, 3.0, 1.0), own=own)
    path = save_model(Triage(det), tmp_path / "adapted.skops")
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.detector.predict_proba(UNSEEN), det.predict_proba(UNSEEN))


def _mini_corpora(root, tiny_corpus):
    """The four public files the training command reads, written from the tiny corpus."""
    texts, y = tiny_corpus
    (root / "reintel").mkdir(parents=True)
    (root / "vfnd").mkdir()
    half = len(texts) // 2
    halves = {"train.csv": range(0, len(texts), 2), "warmup.csv": range(1, len(texts), 2)}
    for name, idx in halves.items():
        pd.DataFrame({"id": list(idx), "user_name": "u", "post_message": [texts[i] for i in idx],
                      "timestamp_post": 1585000000, "num_like_post": 3, "num_comment_post": 1,
                      "num_share_post": 0, "label": [y[i] for i in idx]}
                     ).to_csv(root / "reintel" / name, index=False)
    pd.DataFrame({"text": texts[:half], "domain": "a.vn", "label": y[:half]}
                 ).to_csv(root / "vfnd" / "vfnd_articles_223.csv", index=False)
    pd.DataFrame({"id": [1], "label": ["real"], "kind": ["article"], "title": [""],
                  "text": [texts[-1]], "source_domain": ["b.vn"], "url": [""],
                  "date_publish": [""]}).to_csv(root / "vfnd" / "vfnd_json_274.csv", index=False)


def test_train_gives_the_verdicts_weights_of_their_own_and_says_so(tmp_path, tiny_corpus, capsys):
    _mini_corpora(tmp_path / "corpora", tiny_corpus)
    store = tmp_path / "store"
    FeedbackStore(store).add(pd.DataFrame({
        "text": NEW_FALSE + NEW_TRUE,
        "verdict": ["misinformation"] * len(NEW_FALSE) + ["reliable"] * len(NEW_TRUE),
        "vnm_model": "default.skops vnmisinfo-0.3.0 sha256:c354"}), reviewer="lan")
    out = tmp_path / "m.skops"
    base = ["train", "--preset", "plain", "--data-dir", str(tmp_path / "corpora"), "--cv", "0",
            "--feedback", str(store), "-o", str(out)]
    assert main(base) == 0  # the default: own words at scale 1
    said = " ".join(capsys.readouterr().err.split())
    assert (f"'vnmisinfo calibrate --model {out} --data REVIEWED_A.csv --budget 0.05 "
            "--medium-budget 0.2 -o") in said  # as the README's step 5
    assert "--data REVIEWED_B.csv' (other rows" in said
    fb = read_metadata(out)["feedback"]
    assert (fb["rows"], fb["weight"], fb["own_scale"]) == (8, 30.0, 1.0)
    assert fb["scored_by"] == ["default.skops vnmisinfo-0.3.0 sha256:c354"]
    card = " ".join(out.with_suffix(".md").read_text("utf-8").split())
    assert "with weights of their own beside the shared ones (own-feature scale 1)" in card
    assert (f"Reproduce: `vnmisinfo train --preset plain --data-dir {tmp_path / 'corpora'} "
            f"--cv 0 --feedback {store} --feedback-weight 30 --feedback-scale 1 -o {out}`"
            ) in card
    clf = load_model(out).detector.model_.calibrated_classifiers_[0].estimator
    assert isinstance(clf, OwnWordsClassifier) and clf.own_coef_ is not None
    assert main([*base, "--feedback-scale", "0"]) == 0  # none; the first model is kept
    assert (tmp_path / "m.previous.skops").is_file()
    kept = tmp_path / "m.previous.skops"
    assert (f"(to roll back, copy both back: {kept} to {out} and {kept}.sha256 to "
            f"{out}.sha256)") in " ".join(capsys.readouterr().err.split())
    assert read_metadata(out)["feedback"]["own_scale"] == 0.0
    assert "weights of their own" not in out.with_suffix(".md").read_text("utf-8")
    clf = load_model(out).detector.model_.calibrated_classifiers_[0].estimator
    # heavy rows without own words: the linear model alone, in the wrapper that un-stalls it
    assert isinstance(clf, OwnWordsClassifier) and clf.own_coef_ is None
    assert isinstance(clf.model_, LogisticRegression)
    capsys.readouterr()
    assert main([*base, "--feedback-scale", "-1"]) != 0
    assert "--feedback-scale must be >= 0, got -1" in capsys.readouterr().err


def test_wide_problems_are_solved_in_the_dual_with_the_same_optimum():
    # more columns than rows, as with hashed n-grams: the dual, whose optimum is the primal's
    rng = np.random.default_rng(0)
    X = sp.random(60, 400, density=0.05, format="csr", random_state=0)
    y = (X[:, :20].sum(axis=1).A1 > np.median(X[:, :20].sum(axis=1).A1)).astype(int)
    w = rng.uniform(0.5, 3.0, 60)
    wide, tall = linear_model("logreg", 3.0, None, 60, n_features=400), linear_model(
        "logreg", 3.0, None, 60, n_features=40)
    assert (wide.dual, tall.dual) == (True, False)
    dual = wide.set_params(tol=1e-8).fit(X, y, sample_weight=w)
    primal = tall.set_params(tol=1e-8).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(dual.decision_function(X), primal.decision_function(X), atol=1e-4)
    assert 0 < dual.score(X, y) and np.abs(dual.coef_).max() > 0.1


def test_n_jobs_must_name_processes(tiny_corpus):
    texts, y = tiny_corpus
    for bad in (0, 1.5, "all"):
        with pytest.raises(ValueError, match=r"n_jobs must be None, a whole number of processes"):
            Detector(channels=("syllables",), min_df=1, cv=3, n_jobs=bad).fit(texts, y)
    # below a million characters of text the models fit in this process, whatever n_jobs says
    one, every = (Detector(channels=("syllables",), min_df=1, cv=3, n_jobs=n).fit(texts, y)
                  for n in (1, -1))
    np.testing.assert_array_equal(one.predict_proba(texts), every.predict_proba(texts))


def test_train_counts_copies_of_a_text_once_and_names_the_contradicted_verdict(
        tmp_path, tiny_corpus, capsys):
    _mini_corpora(tmp_path / "corpora", tiny_corpus)
    store = FeedbackStore(tmp_path / "store")
    store.add(pd.DataFrame({"text": NEW_FALSE + NEW_TRUE,
                            "verdict": ["misinformation"] * len(NEW_FALSE)
                            + ["reliable"] * len(NEW_TRUE)}), reviewer="lan")
    copy = NEW_TRUE[0].replace(" cho thấy ", "\ncho thấy ") + " !!"  # another copy of a post
    assert store.add([{"text": copy, "verdict": "misinformation"}],
                     reviewer="minh").contradicts  # feedback warned already
    out = tmp_path / "m.skops"
    assert main(["train", "--preset", "plain", "--data-dir", str(tmp_path / "corpora"),
                 "--cv", "0", "--feedback", str(store.path), "-o", str(out)]) == 0
    said = " ".join(capsys.readouterr().err.split())
    older = hash_texts([NEW_TRUE[0]])[0]
    assert (f"1 verdicts on texts with the same words as a newer verdict are left out, the "
            f"newest counts; 1 of them said the opposite (text_hash {older}") in said
    fb = read_metadata(out)["feedback"]
    assert (fb["rows"], fb["misinformation"], fb["contradicted"]) == (8, 5, 1)
    card = " ".join(out.with_suffix(".md").read_text("utf-8").split())
    assert ("1 older verdicts on texts with the same words as a newer one left out (1 of them "
            "the opposite verdict)") in card


def _contradicting_heavy_rows() -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Wide rows, five of them repeated with the opposite label, all ten at weight 30."""
    rng = np.random.default_rng(0)
    X = sp.random(200, 2000, density=0.05, format="csr", random_state=0)
    y = (rng.random(200) < 0.5).astype(int)
    X, y = sp.vstack([X, X[:5]]).tocsr(), np.r_[y, 1 - y[:5]]
    w = np.r_[np.full(5, 30.0), np.ones(195), np.full(5, 30.0)]
    return X, y, w


def test_a_stalled_dual_fit_is_solved_in_the_primal(monkeypatch):
    import vnmisinfo.model.linear as linear

    monkeypatch.setattr(linear, "opposite_near_copies", lambda *a, **k: False)  # not foreseen
    X, y, w = _contradicting_heavy_rows()
    wide = linear_model("logreg", 3.0, None, len(y), n_features=X.shape[1])
    with pytest.warns(ConvergenceWarning):  # the dual alone runs out of passes
        stalled = clone(wide).fit(X, y, sample_weight=w)
    assert stalled.n_iter_[0] == wide.max_iter
    model = fit_linear(wide, X, y, sample_weight=w)
    assert not model.dual
    optimum = clone(wide).set_params(dual=False, tol=1e-8).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.decision_function(X), optimum.decision_function(X),
                               atol=1e-3)
    # rows that agree: the dual converges within its passes and is kept, as configured
    plain = fit_linear(wide, X[:200], y[:200])
    assert plain.dual and plain.n_iter_[0] < DUAL_PASSES and plain.max_iter == wide.max_iter


def test_weighted_near_copies_judged_both_ways_go_to_the_primal_at_once(monkeypatch):
    """A false claim and its true version, one word apart, both judged at weight 30: the
    dual would stall, so the primal solves it from the start, without the dual's passes."""
    X, y, w = _contradicting_heavy_rows()
    X, y, w = X[:200], y[:200], np.ones(200)
    near = X[:5].tolil()
    near[:, 0] = 0.3  # one more word in each copy
    X, y = sp.vstack([X, near.tocsr()]).tocsr(), np.r_[y, 1 - y[:5]]
    w = np.r_[np.full(5, 30.0), w[5:], np.full(5, 30.0)]
    assert opposite_near_copies(X, y, w)
    solved, fit = [], LogisticRegression.fit

    def spy(self, *args, **kwargs):
        solved.append(self.dual)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", spy)
    wide = linear_model("logreg", 3.0, None, len(y), n_features=X.shape[1])
    model = fit_linear(wide, X, y, sample_weight=w)
    assert not model.dual and solved == [False]
    # the same near-copies with the same labels: an ordinary dual fit
    same = np.r_[y[:200], y[:5]]
    assert not opposite_near_copies(X, same, w)
    assert fit_linear(wide, X, same, sample_weight=w).dual and solved[1:] == [True]


def test_own_words_fits_do_not_stall_on_contradicting_verdicts():
    X, y, w = _contradicting_heavy_rows()
    own = w > 1
    wide = linear_model("logreg", 3.0, None, len(y), n_features=X.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = OwnWordsClassifier(wide).fit(X, y, sample_weight=w, own=own)
    assert not clf.model_.dual and clf.own_coef_ is not None
