"""The Detector's estimator contract, its inputs and its explanations."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from vnmisinfo.model.detector import Detector
from vnmisinfo.triage import Triage, load_model, save_model


@pytest.mark.parametrize(
    "check",
    [
        check_get_params_invariance,
        check_set_params,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
    ],
    ids=lambda c: c.__name__,
)
def test_sklearn_data_free_checks(check):
    check("Detector", Detector())


def test_init_is_keyword_only():
    with pytest.raises(TypeError):
        Detector(("words",))  # type: ignore[misc]


def test_unfitted_raises_not_fitted():
    with pytest.raises(NotFittedError):
        Detector().predict_proba(["Tin giả"])


def test_fit_returns_self_and_sets_classes(tiny_corpus):
    texts, y = tiny_corpus
    det = Detector(channels=("syllables",), min_df=1, cv=3)
    assert det.fit(texts, y) is det
    assert det.classes_.tolist() == [0, 1]


def test_proba_rows_sum_to_one_and_rank_claims_high(fitted_detector, tiny_corpus):
    texts, y = tiny_corpus
    proba = fitted_detector.predict_proba(texts)
    assert proba.shape == (len(texts), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[np.array(y) == 1, 1].mean() > proba[np.array(y) == 0, 1].mean()


def test_decision_function_orders_like_proba(fitted_detector, tiny_corpus):
    texts, _ = tiny_corpus
    d = fitted_detector.decision_function(texts)
    p = fitted_detector.predict_proba(texts)[:, 1]
    assert np.array_equal(np.argsort(d, kind="stable"), np.argsort(p, kind="stable"))


def test_predict_uses_medium_threshold(fitted_detector, tiny_corpus):
    texts, _ = tiny_corpus
    p = fitted_detector.predict_proba(texts)[:, 1]
    assert fitted_detector.predict(texts).tolist() == (p >= 0.5).astype(int).tolist()


def test_clone_round_trip_gives_identical_scores(fitted_detector, tiny_corpus):
    texts, y = tiny_corpus
    again = clone(fitted_detector).fit(texts, y)
    np.testing.assert_allclose(again.predict_proba(texts), fitted_detector.predict_proba(texts))


def test_skops_round_trip_gives_identical_scores(fitted_detector, tiny_corpus, tmp_path):
    texts, _ = tiny_corpus
    path = save_model(Triage(fitted_detector), tmp_path / "m.skops", metadata={"note": "test"})
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.detector.predict_proba(texts),
                               fitted_detector.predict_proba(texts))
    assert loaded.metadata_["note"] == "test"
    assert loaded.metadata_["thresholds"] == {"medium": 0.5, "high": 0.8, "lift_matches": True}



@pytest.mark.parametrize("params", [{}, {"nb_scaling": True, "n_features": 2**12}],
                         ids=["vocabularies", "hashed-nb"])
def test_a_global_pandas_output_setting_changes_no_number(meta_docs, params, tmp_path):
    """Notebooks often call sklearn.set_config(transform_output="pandas"); the feature union's
    sparse output made fit, predict_proba and explain fail with "The transformer outputs a
    scipy sparse matrix"."""
    import sklearn

    docs, y = meta_docs
    queries = [*docs[:4], "Uong nuoc chanh nong diet virus corona", "Hà Nội nắng nhẹ"]
    plain = Detector(min_df=1, cv=3, **params).fit(docs, y)
    path = save_model(Triage(plain), tmp_path / "m.skops")
    with sklearn.config_context(transform_output="pandas"):
        tabular = Detector(min_df=1, cv=3, **params).fit(docs, y)
        got = [tabular.predict_proba(queries), tabular.decision_function(queries),
               tabular.explain(queries, k=4), tabular.transform(queries).toarray(),
               load_model(path).detector.predict_proba(queries)]
    want = [plain.predict_proba(queries), plain.decision_function(queries),
            plain.explain(queries, k=4), plain.transform(queries).toarray(),
            plain.predict_proba(queries)]
    for a, b in zip(got[:2] + got[3:], want[:2] + want[3:], strict=True):
        np.testing.assert_array_equal(a, b)
    assert got[2] == want[2]


def test_batch_equals_one_by_one_and_order_free(fitted_detector, tiny_corpus):
    texts, _ = tiny_corpus
    batch = fitted_detector.predict_proba(texts)[:, 1]
    single = [fitted_detector.predict_proba([t])[0, 1] for t in texts]
    np.testing.assert_allclose(batch, single)
    order = np.random.default_rng(0).permutation(len(texts))
    shuffled = fitted_detector.predict_proba([texts[i] for i in order])[:, 1]
    np.testing.assert_allclose(shuffled, batch[order])


def test_bare_string_raises_type_error(fitted_detector):
    with pytest.raises(TypeError, match="string object received.*\\[text\\]"):
        Triage(fitted_detector).score("Uống nước chanh nóng")


@pytest.mark.parametrize("bad", [42, b"bytes", 3.5], ids=["int", "bytes", "float"])
def test_non_string_item_raises_type_error_naming_it(fitted_detector, bad):
    with pytest.raises(TypeError, match="document 1 is"):
        Triage(fitted_detector).score(["ok", bad])


def test_none_item_is_taken_as_empty_text(fitted_detector):
    a, b = Triage(fitted_detector).score([None, ""])
    assert a == b | {"probability": a["probability"]}
    assert np.isnan(a["probability"]) and a["tier_reason"] == "empty text"


def test_inputs_strings_mappings_and_frames_agree(fitted_detector):
    text = "Uống nước chanh nóng diệt virus"
    as_str = fitted_detector.predict_proba([text])[0, 1]
    as_map = fitted_detector.predict_proba([{"text": text}])[0, 1]
    as_reintel = fitted_detector.predict_proba(pd.DataFrame({"post_message": [text]}))[0, 1]
    assert as_str == pytest.approx(as_map) == pytest.approx(as_reintel)


def test_metadata_changes_the_score(meta_detector):
    text = "Uống nước chanh nóng diệt virus"
    bare = meta_detector.predict_proba([{"text": text}])[0, 1]
    meta = meta_detector.predict_proba([{"text": text, "likes": 5000, "shares": 900,
                                         "comments": 300, "timestamp": 1585000000}])[0, 1]
    assert bare != pytest.approx(meta)


def test_metadata_never_seen_in_training_moves_nothing(fitted_detector):
    text = "Uống nước chanh nóng diệt virus"
    bare = fitted_detector.predict_proba([{"text": text, "likes": 1}])[0, 1]
    meta = fitted_detector.predict_proba([{"text": text, "likes": 5000, "shares": 900}])[0, 1]
    assert bare == pytest.approx(meta)


@pytest.mark.parametrize(
    ("doc", "model"),
    [("Uống nước chanh nóng diệt virus corona", "text_model_"),
     ({"text": "Uống nước chanh nóng diệt virus corona", "likes": 40, "shares": 9}, "model_")],
    ids=["plain-text", "with-metadata"],
)
def test_score_explains_with_exact_contributions(meta_detector, doc, model):
    fitted_detector = meta_detector
    (result,) = Triage(fitted_detector).score([doc], explain=3)
    assert set(result) >= {"probability", "label", "tier", "top_terms"}
    assert 0.0 <= result["probability"] <= 1.0
    assert result["tier"] in {"high", "medium", "low"}
    assert len(result["top_terms"]) == 3
    weights = [abs(w) for _, w in result["top_terms"]]
    assert weights == sorted(weights, reverse=True)
    (full,) = Triage(fitted_detector).score([doc], explain=100_000)
    total = sum(w for _, w in full["top_terms"]) + sum(w for _, w in full["context"])
    clf = getattr(fitted_detector, model).calibrated_classifiers_[0].estimator
    decision = fitted_detector.decision_function([doc])[0]
    rounding = 5e-5 * (len(full["top_terms"]) + len(full["context"]))  # 4 decimals each
    assert total + clf.intercept_[0] == pytest.approx(decision, abs=rounding)
    assert not any(t.startswith("[") for t, _ in full["top_terms"])
    assert bool(full["context"]) == (model == "model_")


def test_documents_without_metadata_ignore_missing_flags(meta_detector):
    fitted_detector = meta_detector
    text = "Uống nước chanh nóng diệt virus corona"
    plain = fitted_detector.predict_proba([text])[0, 1]
    as_dict = fitted_detector.predict_proba([{"text": text, "likes": None}])[0, 1]
    with_meta = fitted_detector.predict_proba([{"text": text, "likes": 3}])[0, 1]
    assert plain == pytest.approx(as_dict)
    assert plain != pytest.approx(with_meta)


@pytest.mark.parametrize(
    ("proba", "tier"), [(0.95, "high"), (0.8, "high"), (0.6, "medium"), (0.5, "medium"),
                        (0.49, "low")],
    ids=["0.95", "0.80", "0.60", "0.50", "0.49"],
)
def test_tiers_follow_stored_thresholds(proba, tier):
    assert Detector().tier([proba]) == [tier]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"classifier": "tree"}, "classifier must be one of"),
        ({"calibration": "beta"}, "calibration must be"),
        ({"medium_threshold": 0.9, "high_threshold": 0.5}, "thresholds must satisfy"),
        ({"channels": ("bogus",)}, "channels must be"),
        ({"C": -1}, r"Detector\(C=-1\): C must be a number above 0"),
        ({"class_weight": "equal"}, r"class_weight must be None, 'balanced' or a dict"),
        ({"cv": 1}, r"Detector\(cv=1\): cv must be a whole number of folds, 2 or more"),
        ({"cv": "5"}, "cv must be a whole number of folds"),
        ({"min_df": -2}, r"Detector\(min_df=-2\): min_df must be a count of documents"),
        ({"max_df": 1.5}, "max_df must be a count of documents .1 or more. or a share"),
        ({"char_ngram_range": (5, 1)}, "char_ngram_range must be a pair"),
        ({"meta_dropout": 1.0}, r"meta_dropout must be a share in \[0, 1\)"),
        ({"n_features": 0}, "n_features must be None or a whole number"),
        ({"channel_weights": {"chars": 0.0}},
         r"channel_weights must be factors above 0; 'chars' has 0.0"),
        ({"channel_weights": {"syllables": 2.0}},
         r"keyed by the detector's channels \('words', 'chars', 'accent_free', 'meta'\); "
         r"'syllables' is not one"),
        ({"channel_weights": [("chars", 2.0)]}, "channel_weights must be None or a dict"),
        ({"medium_threshold": "0.5"},
         r"Detector\(medium_threshold='0.5'\): medium_threshold must be a probability"),
        ({"high_threshold": None}, r"high_threshold must be a probability: a number in \[0, 1\]"),
    ],
    ids=["classifier", "calibration", "thresholds", "channels", "C", "class_weight", "cv",
         "cv-text", "min_df", "max_df", "char_ngram_range", "meta_dropout", "n_features",
         "weight-zero", "weight-not-a-channel", "weights-not-a-dict",
         "medium-threshold-text", "high-threshold-none"],
)
def test_bad_parameters_raise_in_fit(tiny_corpus, params, message):
    texts, y = tiny_corpus
    with pytest.raises(ValueError, match=message):
        Detector(**params).fit(texts, y)


def test_ngram_ranges_given_as_lists_fit_like_tuples(tiny_corpus):
    """A grid read from JSON or YAML gives lists: they failed deep inside the vectorizer."""
    texts, y = tiny_corpus
    as_list = Detector(channels=("syllables",), cv=3, word_ngram_range=[1, 2]).fit(texts, y)
    as_tuple = Detector(channels=("syllables",), cv=3, word_ngram_range=(1, 2)).fit(texts, y)
    np.testing.assert_allclose(as_list.predict_proba(texts), as_tuple.predict_proba(texts))


@pytest.mark.parametrize(
    ("labels", "message"),
    [(["a"] * 24, "labels must be 0"), ([1] * 24, "single class"), ([1, 0], "one label per"),
     (np.zeros((24, 2)), r"got shape \(24, 2\), need \(24,\)")],
    ids=["strings", "one-class", "length", "two-columns"],
)
def test_bad_labels_raise(tiny_corpus, labels, message):
    texts, _ = tiny_corpus
    with pytest.raises(ValueError, match=message):
        Detector(min_df=1).fit(texts, labels)


def test_string_labels_are_refused_with_a_mapping_that_works_in_memory(tiny_corpus):
    from vnmisinfo.data.corpora import map_labels

    texts, y = tiny_corpus
    as_text = [str(v) for v in y]
    with pytest.raises(ValueError, match=r"got \['0', '1'\]\. Map them first: y = "
                                         r"vnmisinfo\.data\.corpora\.map_labels\(y\)"):
        Detector(min_df=1, cv=3).fit(texts, as_text)
    det = Detector(channels=("syllables",), min_df=1, cv=3)
    assert det.fit(texts, map_labels(as_text)).classes_.tolist() == [0, 1]


def test_labels_as_one_column_are_flattened_with_a_warning(tiny_corpus):
    from sklearn.exceptions import DataConversionWarning

    texts, y = tiny_corpus
    flat = Detector(channels=("syllables",), min_df=1, cv=3).fit(texts, y)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = Detector(channels=("syllables",), min_df=1, cv=3).fit(
            texts, np.asarray(y).reshape(-1, 1))
    np.testing.assert_array_equal(column.predict_proba(texts), flat.predict_proba(texts))
    with pytest.warns(DataConversionWarning):
        Detector(channels=("syllables",), min_df=1, cv=3).fit(texts, pd.DataFrame({"y": y}))


def test_empty_training_data_is_named_as_such():
    with pytest.raises(ValueError, match="the training data is empty: X holds no documents"):
        Detector().fit([], [])


FOUR = ["Uống nước chanh nóng diệt virus corona", "Tỏi sống chữa khỏi covid",
        "Hà Nội nắng nhẹ cuối tuần", "Đà Nẵng mưa rào buổi chiều"]


@pytest.mark.parametrize(("params", "texts", "message"), [
    ({"min_df": 10000}, FOUR, r"Detector\(min_df=10000\): min_df counts documents, and the "
                              r"training data has 4.*Lower min_df"),
    ({"min_df": 1, "max_df": 0.1}, FOUR * 2,
     r"Detector\(min_df=1, max_df=0.1\): max_df keeps only n-grams found in at most 0.8 of the 8 "
     r"training documents.*Raise max_df or lower min_df"),
    ({"min_df": 5, "max_df": 1.0, "cv": 2}, FOUR * 2,
     r"Detector\(min_df=5, max_df=1.0\): no n-gram is in at least min_df and at most max_df of "
     r"the 8 training documents.*Lower min_df or raise max_df"),
    ({"min_df": 5, "max_df": 1.0, "cv": 2, "n_features": 2**10}, FOUR * 2,
     r"Detector\(min_df=5, max_df=1.0\): no n-gram is in at least min_df"),
    ({"min_df": 1}, FOUR, r"Detector\(cv=5\): cv must be at most the number of documents of the "
                          r"smaller class, 2 of the 4 training documents here.*"
                          r"Lower cv \(Detector\(cv=2\)\)"),
    ({"min_df": 1, "cv": 2}, FOUR[:3], r"Detector\(cv=2\): .*1 of the 3 training documents.*"
                                       r"Add labelled documents"),
], ids=["min_df-above-rows", "max_df-below-min_df", "no-term-left", "no-term-left-hashed",
        "cv-above-class", "one-of-a-class"])
def test_parameters_that_do_not_fit_the_data_are_named(params, texts, message):
    y = ([1, 1, 0, 0] * 2)[:len(texts)]
    with pytest.raises(ValueError, match=message):
        Detector(channels=("syllables", "chars"), **params).fit(texts, y)


@pytest.mark.parametrize("k", ["3", -1, 2.5, True, None])
def test_explain_and_top_terms_name_a_bad_number_of_terms(fitted_detector, k):
    with pytest.raises(ValueError, match=f"k must be a whole number of terms, 0 or more; "
                                         f"got {re.escape(repr(k))}"):
        fitted_detector.explain(["Tỏi chữa khỏi covid"], k=k)
    with pytest.raises(ValueError, match="k must be a whole number of terms"):
        fitted_detector.top_terms(k)
    assert fitted_detector.explain(["Tỏi chữa khỏi covid"], k=0)[0]["top_terms"] == []
    assert fitted_detector.top_terms(0) == {"misinformation": [], "reliable": []}


@pytest.mark.parametrize("classifier", ["linearsvc", "sgd"])
def test_other_linear_models_work(tiny_corpus, classifier):
    texts, y = tiny_corpus
    det = Detector(channels=("syllables",), classifier=classifier, min_df=1, cv=3).fit(texts, y)
    (r,) = det.explain(["Uống nước chanh nóng diệt virus"])
    assert 0.0 <= r["probability"] <= 1.0 and r["top_terms"]


def test_augmentation_adds_accent_free_copies(tiny_corpus):
    texts, y = tiny_corpus
    det = Detector(channels=("syllables",), min_df=1, cv=3, augment_no_diacritics=1.0)
    det.fit(texts, y)
    vocab = det.pipeline_.named_steps["features"].named_transformers_["syllables"].vocabulary_
    assert "nuoc" in vocab and "nước" in vocab


def test_score_probability_equals_predict_proba(fitted_detector, tiny_corpus):
    texts, _ = tiny_corpus
    scored = [r["probability"] for r in Triage(fitted_detector).score(texts)]
    np.testing.assert_allclose(scored, fitted_detector.predict_proba(texts)[:, 1], atol=1e-12)


def test_score_adds_the_matched_narrative_and_entities(fitted_detector):
    from vnmisinfo.narratives import default_index

    hit, miss, flagged = Triage(fitted_detector, narratives=default_index()).score([
        "Uong nuoc chanh nong tri khoi covid",
        "Chúc mừng sinh nhật bạn thân",
        "Người dân Hà Nội ơi: uống nước chanh nóng diệt virus corona, chia sẻ gấp",
    ])
    assert hit["narrative_id"] == "health-001"
    assert hit["rebuttal"] and hit["sources"] and hit["narrative_sentence"]
    assert 0.0 < hit["narrative_similarity"] <= 1.0
    assert miss["narrative_id"] is None and miss["rebuttal"] is None
    assert flagged["label"] == 1
    assert ("Hà Nội", "LOC") in flagged["entities"]
    if miss["label"] == 0:
        assert miss["entities"] == []


def test_text_without_tone_marks_takes_the_accent_free_route(fitted_detector):
    from vnmisinfo.text.normalize import strip_diacritics

    text = "Uống nước chanh nóng diệt virus corona, chia sẻ gấp cho mọi người"
    (plain,) = Triage(fitted_detector).score([strip_diacritics(text)], explain=100)
    (accented,) = Triage(fitted_detector).score([text], explain=100)
    assert all(t.startswith("≈") for t, _ in plain["top_terms"])
    assert not all(t.startswith("≈") for t, _ in accented["top_terms"])
    assert plain["label"] == accented["label"] == 1


def test_accent_free_route_can_be_switched_off(tiny_corpus):
    texts, y = tiny_corpus
    det = Detector(min_df=1, cv=3, accent_free_route=False).fit(texts, y)
    assert det.plain_model_ is None
    (r,) = det.explain(["Uong nuoc chanh nong diet virus corona"], k=100)
    assert not all(t.startswith("≈") for t, _ in r["top_terms"])


def test_unaccented_text_with_metadata_keeps_its_metadata(meta_detector):
    fitted_detector = meta_detector
    text = "Uong nuoc chanh nong diet virus corona, chia se gap cho moi nguoi"
    (bare,) = Triage(fitted_detector).score([text], explain=100)
    (meta,) = Triage(fitted_detector).score([{"text": text, "likes": 900, "shares": 50}],
                                            explain=100)
    assert bare["context"] == [] and meta["context"]
    assert {f for f, _ in meta["context"]} == {"likes", "shares"}
    assert all(t.startswith("≈") for t, _ in meta["top_terms"])


def test_large_batches_are_transformed_in_slices_with_the_same_result(fitted_detector,
                                                                      tiny_corpus, monkeypatch):
    import vnmisinfo.model.features as features_module

    texts, _ = tiny_corpus
    whole = fitted_detector.predict_proba(texts)
    monkeypatch.setattr(features_module, "_TRANSFORM_ROWS", 5)
    np.testing.assert_allclose(fitted_detector.predict_proba(texts), whole)
    monkeypatch.setattr(features_module, "_TRANSFORM_CHARS", 30)  # long rows stand alone
    np.testing.assert_allclose(fitted_detector.predict_proba(texts), whole)


def test_hashed_channels_score_like_vocabularies_and_name_their_terms(tiny_corpus, meta_docs,
                                                                      tmp_path):
    from vnmisinfo.triage import Triage, load_model, save_model

    docs, y = meta_docs
    exact = Detector(min_df=1, cv=3).fit(docs, y)
    hashed = Detector(min_df=1, cv=3, n_features=2**22).fit(docs, y)
    new = ["Uống nước chanh nóng diệt virus corona", "Hà Nội nắng nhẹ cuối tuần",
           {"text": "Tỏi sống chữa khỏi covid", "likes": 3, "comments": 1}]
    # with 4M buckets nothing collides: the same features, so the same probabilities
    np.testing.assert_allclose(hashed.predict_proba(new), exact.predict_proba(new), atol=1e-6)
    for h, e in zip(hashed.explain(new, k=4), exact.explain(new, k=4), strict=True):
        assert h["top_terms"] == e["top_terms"] and h["context"] == e["context"]
    top = hashed.top_terms(5)
    assert len(top["misinformation"]) == 5 and all(w > 0 for _, w in top["misinformation"])
    assert all(w < 0 for _, w in top["reliable"])
    path = save_model(Triage(hashed), tmp_path / "hashed.skops")
    again = load_model(path).detector
    np.testing.assert_array_equal(again.predict_proba(new), hashed.predict_proba(new))
    assert again.explain(new) == hashed.explain(new)


def test_metadata_dropout_removes_whole_fields_of_rows_and_leaves_the_text():
    """``drop_fields`` zeroes each field of a row with the chance given, all its columns at
    once, and copies: the text columns and the input are untouched."""
    import scipy.sparse as sp

    from vnmisinfo.data.schema import as_frame
    from vnmisinfo.model.features import Preprocessor, build_union, drop_fields, meta_slice

    rng = np.random.default_rng(1)
    rows = [{"text": f"bài viết số {i} về hà nội", "likes": int(rng.integers(1, 900)),
             "comments": int(rng.integers(1, 90)), "shares": int(rng.integers(1, 50)),
             "timestamp": 1_600_000_000 + 3_600 * i} for i in range(400)]
    frame = Preprocessor(segment=False).transform(as_frame(rows))
    union = build_union(["syllables", "meta"], min_df=1, n_features=2**12).fit(frame)
    X = sp.csr_matrix(union.transform(frame))
    before = X.copy()
    out = drop_fields(X, union, 0.5, seed=0)
    assert (X != before).nnz == 0  # the input is not changed
    meta, fields = meta_slice(union), union.named_transformers_["meta"].fields_
    dense, kept = out.toarray(), X.toarray()
    text = np.ones(X.shape[1], dtype=bool)
    text[meta] = False
    assert np.array_equal(dense[:, text], kept[:, text])
    dropped = []
    for field in dict.fromkeys(fields):
        cols = meta.start + np.flatnonzero(fields == field)
        same = np.all(dense[:, cols] == kept[:, cols], axis=1)
        gone = np.all(dense[:, cols] == 0, axis=1) & np.any(kept[:, cols] != 0, axis=1)
        assert np.all(same | gone)  # a field is kept whole or removed whole
        dropped.append(gone.mean())
    assert all(0.4 < share < 0.6 for share in dropped), dropped
    assert drop_fields(X, union, 0.0, seed=0) is X


@pytest.mark.parametrize("n_features", [None, 2**18], ids=["vocabulary", "hashed"])
def test_every_term_counts_also_underscores_and_placeholders(tiny_corpus, n_features):
    """All the terms of a post, its context and the intercept add up to its decision value,
    also when its character n-grams hold an underscore: of a placeholder (``__url__``,
    ``__phone__``) or of the text (``covid_19``, ``____``)."""
    texts, y = tiny_corpus
    odd = ["Xem ngay tại https://tin-gia.vn/abc kẻo lỡ, covid_19 lây qua sóng 5G",
           "Liên hệ 0912345678 để mua thuốc ____ #covid_19 chữa khỏi",
           "Thông báo lịch tiêm tại https://suckhoe.vn/lich ____ gọi 0987654321"]
    detector = Detector(channels=("syllables", "chars", "accent_free", "meta"), min_df=1, cv=3,
                        n_features=n_features).fit(texts + odd, y + [1, 1, 0])
    docs = ["Covid_19 lây qua https://abc.vn/x ____ gọi 0912345678",
            {"text": "Xem tại https://tin-gia.vn/abc: covid_19 chữa khỏi", "likes": 40}]
    results = detector.explain(docs, k=10**6)
    decision = detector.decision_function(docs)
    for (rows, _, calibrated, *_) in detector._parts(detector.preprocess(docs)):
        for r in rows.tolist():
            weights = [w for _, w in results[r]["top_terms"] + results[r]["context"]]
            total = sum(weights) + np.ravel(calibrated.estimator.intercept_)[0]
            assert total == pytest.approx(decision[r], abs=5e-5 * len(weights))
            assert "__url__" in dict(results[r]["top_terms"])


def test_channel_weights_scale_a_channel_and_explanations_still_add_up(tiny_corpus, tmp_path):
    """A channel's factor multiplies its features; the terms of a post still add up to its
    decision value, the heaviest terms weigh what one unit of a feature adds, and the weights
    are saved with the model."""
    texts, y = tiny_corpus
    params = {"channels": ("syllables", "chars"), "min_df": 1, "cv": 3, "n_features": 2**14}
    plain = Detector(**params).fit(texts, y)
    weighted = Detector(**params, channel_weights={"chars": 3.0}).fit(texts, y)
    chars = weighted.features_.output_indices_["chars"]
    syll = weighted.features_.output_indices_["syllables"]
    X0, X1 = plain.transform(texts[:3]).toarray(), weighted.transform(texts[:3]).toarray()
    np.testing.assert_allclose(X1[:, chars], 3.0 * X0[:, chars])
    np.testing.assert_allclose(X1[:, syll], X0[:, syll])
    assert not np.allclose(plain.decision_function(texts), weighted.decision_function(texts))

    (result,) = weighted.explain([texts[0]], k=10**6)
    intercept = np.ravel(weighted.pipeline_.named_steps["clf"].intercept_)[0]
    total = sum(w for _, w in result["top_terms"]) + intercept
    assert total == pytest.approx(weighted.decision_function([texts[0]])[0],
                                  abs=5e-5 * len(result["top_terms"]))

    coef = np.ravel(weighted.pipeline_.named_steps["clf"].coef_)
    heaviest = weighted.top_terms(1)["misinformation"][0][1]
    scaled = np.r_[coef[syll], 3.0 * coef[chars]]
    assert heaviest == pytest.approx(round(float(scaled.max()), 4))

    loaded = load_model(save_model(Triage(weighted), tmp_path / "w.skops")).detector
    assert loaded.get_params()["channel_weights"] == {"chars": 3.0}
    np.testing.assert_allclose(loaded.predict_proba(texts), weighted.predict_proba(texts))


def test_tags_say_the_detector_is_binary_as_fit_is():
    """multi_class was True (ClassifierMixin's default) while fit refuses a third label."""
    assert Detector().__sklearn_tags__().classifier_tags.multi_class is False
    with pytest.raises(ValueError):
        Detector().fit(["a b", "c d", "e f"], [0, 1, 2])
