"""Triage: tiers that know the catalogue, context that cannot dominate, honest evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vnmisinfo.data.hygiene import text_hashes, text_keys
from vnmisinfo.evaluation.evaluate import TrainingDataError, predict_files
from vnmisinfo.model.detector import Detector
from vnmisinfo.narratives import Match
from vnmisinfo.triage import TierPolicy, Triage


class _Index:
    """A narrative index that matches texts containing 'chanh' and nearly matches 'tỏi'."""

    def match(self, texts, k=1):
        out = []
        for text in texts:
            if "chanh" in text:
                out.append([_match("health-001", 0.7, True, text)])
            elif "tỏi" in text:
                out.append([_match("health-002", 0.3, False, text)])
            elif "xăng" in text:  # near, but a figure the decision rules out
                out.append([_match("finance_rumour-005", 0.5, False, text, score=0.0)])
            else:
                out.append([])
        return out


def _match(nid, similarity, matched, sentence, score=None):
    """A match; its score is the similarity unless given, as for an index without a verifier."""
    return Match(narrative_id=nid, similarity=similarity, matched=matched, sentence=sentence,
                 claim="claim", category="health", verdict="false", rebuttal_vi="vi",
                 rebuttal_en="en", sources=[{"publisher": "WHO"}],
                 score=similarity if score is None else score)


@pytest.mark.parametrize(("p", "matched", "tier", "reason"), [
    (0.10, False, "low", "classifier"),
    (0.60, False, "medium", "classifier"),
    (0.90, False, "high", "classifier"),
    (0.10, True, "medium", "known narrative"),
    (0.60, True, "high", "both"),
    (0.90, True, "high", "both"),
], ids=["low", "medium", "high", "match-lifts-low", "match-and-medium", "match-and-high"])
def test_tier_policy_table(p, matched, tier, reason):
    assert TierPolicy(0.5, 0.8).assign([p], [matched]) == ([tier], [reason])


def test_lifting_can_be_switched_off():
    assert TierPolicy(0.5, 0.8, lift_matches=False).assign([0.1], [True]) == (["low"],
                                                                             ["classifier"])


def test_a_confident_match_lifts_a_low_score_and_says_why(fitted_detector):
    model = Triage(fitted_detector, narratives=_Index(), policy=TierPolicy(0.99, 0.995))
    matched, candidate, plain, ruled_out = model.score(["Hà Nội: uống nước chanh nóng",
                                                        "ăn tỏi sống", "Trời nắng đẹp",
                                                        "xăng 21.000 đồng"])
    assert matched["tier"] == "medium" and matched["tier_reason"] == "known narrative"
    assert matched["narrative_id"] == "health-001" and matched["label"] == 1
    assert matched["narrative_candidate"] is None and matched["rebuttal"] == "en"
    # A weaker nearest narrative is shown as a candidate, never as a match.
    assert candidate["narrative_id"] is None and candidate["narrative_candidate"] == "health-002"
    assert candidate["tier"] == "low" and candidate["rebuttal"] is None
    assert plain["narrative_id"] is None and plain["narrative_candidate"] is None
    # ... unless the match decision rules it out: near, but not a lead
    assert ruled_out["narrative_id"] is None and ruled_out["narrative_candidate"] is None
    assert ruled_out["narrative_similarity"] == 0.5


class _FlatIndex(_Index):
    """Every text's nearest narrative shares nothing with it (similarity 0)."""

    def match(self, texts, k=1):
        return [[_match("health-009", 0.0, False, t)] for t in texts]


def test_an_empty_text_is_not_scored_as_in_a_batch(fitted_detector):
    """An empty text got the intercept's probability, a tier and a nearest narrative."""
    model = Triage(fitted_detector, narratives=_Index(), policy=TierPolicy(0.0, 0.999))
    empty, spaces, real = model.score(["", " \u200b ", "Hà Nội: uống nước chanh nóng"])
    for result in (empty, spaces):
        assert np.isnan(result["probability"]) and result["tier"] is None
        assert result["tier_reason"] == "empty text" and result["label"] == 0
        assert result["narrative_id"] is result["narrative_candidate"] is None
        assert set(result) == set(real)
    assert real["narrative_id"] == "health-001" and real["tier"] == "high"
    assert [r["tier_reason"] for r in model.score(["", ""])] == ["empty text"] * 2


def test_marks_or_emoji_alone_are_not_scored(fitted_detector):
    """'!' alone scored 0.54 (medium) on the term «!»: nothing a claim is made of."""
    model = Triage(fitted_detector, narratives=_Index(), policy=TierPolicy(0.0, 0.999))
    marks, emoji, words = model.score(["!", "😡😡 ???", "5G"])
    for result in (marks, emoji):
        assert np.isnan(result["probability"]) and result["tier"] is None
        assert result["tier_reason"] == "no words" and set(result) == set(words)
    assert words["tier"] in ("high", "medium", "low")


def test_a_narrative_that_shares_nothing_is_no_candidate(fitted_detector):
    (result,) = Triage(fitted_detector, narratives=_FlatIndex()).score(["Trời nắng đẹp"])
    assert result["narrative_candidate"] is None and result["narrative_similarity"] == 0.0


class _WeakIndex(_Index):
    """Every text's nearest narrative is weak: similarity 0.2, not matched."""

    def match(self, texts, k=1):
        return [[_match("miscaptioned_media-001", 0.2, False, t)] for t in texts]


def test_a_weak_nearest_narrative_is_no_candidate(fitted_detector):
    """A weather post was offered a false narrative (similarity 0.15) to be filed under."""
    (weak,) = Triage(fitted_detector, narratives=_WeakIndex()).score(["Hôm nay trời đẹp"])
    assert weak["narrative_candidate"] is None and weak["narrative_similarity"] == 0.2
    # the similarity from which candidates are shown is a parameter
    (shown,) = Triage(fitted_detector, narratives=_WeakIndex(),
                      candidate_similarity=0.2).score(["Hôm nay trời đẹp"])
    assert shown["narrative_candidate"] == "miscaptioned_media-001"
    # a model saved before the parameter existed shows candidates from the default
    old = Triage(fitted_detector, narratives=_Index())
    del old.candidate_similarity
    (garlic,) = old.score(["ăn tỏi sống"])
    assert garlic["narrative_candidate"] == "health-002"  # similarity 0.3 >= 0.25


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.3", True, None])
def test_candidate_similarity_is_checked(fitted_detector, bad):
    with pytest.raises(ValueError, match="candidate_similarity must be a number in"):
        Triage(fitted_detector, candidate_similarity=bad)


def test_the_shipped_model_offers_no_candidate_for_a_weather_post():
    from vnmisinfo import load_model

    weather, relay = load_model().score([
        "Hôm nay trời đẹp",
        "Mưa lớn kéo dài khiến nhiều tuyến đường ở Yên Bái bị sạt lở. Trên mạng xã hội xuất "
        "hiện tin đồn đập thủy điện Thác Bà đã bị vỡ khiến nhiều người hoảng loạn."], explain=0)
    assert weather["narrative_candidate"] is None and weather["narrative_id"] is None
    assert 0 < weather["narrative_similarity"] < 0.25
    # a news relay of a known hoax still shows it, matched or as a candidate
    assert "disaster_hoax-001" in (relay["narrative_id"], relay["narrative_candidate"])


def test_a_flagged_post_with_a_dotless_i_in_a_place_name_is_scored(fitted_detector):
    """'Vıet Nam' (dotless i) stopped the whole call with a KeyError in the entity lookup."""
    policy = TierPolicy(0.0, 0.999)  # every item is flagged, so its entities are read
    results = Triage(fitted_detector, narratives=None, policy=policy).score(
        ["Vắc xin có chip theo dõi người dân Vıet Nam", "Dân VİET NAM hoang mang"])
    assert [r["entities"] for r in results] == [[("Việt Nam", "LOC")]] * 2


def test_the_shipped_model_scores_alike_under_a_global_pandas_output_setting():
    """sklearn.set_config(transform_output="pandas") broke load_model().score."""
    import math

    import sklearn

    from vnmisinfo.triage import load_model

    docs = ["Uống nước nóng diệt được virus corona", "Uong nuoc chanh nong tri khoi covid",
            "Hà Nội nắng nhẹ cuối tuần", "",
            {"text": "Ngân hàng sắp đổi tiền, rút hết tiền ra", "likes": 3, "shares": 90,
             "timestamp": 1585000000}]
    want = load_model().score(docs)
    with sklearn.config_context(transform_output="pandas"):
        got = load_model().score(docs)

    def comparable(result):
        return {k: "nan" if isinstance(v, float) and math.isnan(v) else v
                for k, v in result.items()}

    assert [comparable(r) for r in got] == [comparable(r) for r in want]
    assert got[1]["narrative_id"] == "health-001" and got[4]["context"]


def test_flagged_items_name_their_entities_with_or_without_an_index(fitted_detector):
    """Without a narrative index (score --no-match) the entities of flagged items were lost."""
    texts = ["Bộ Y tế cảnh báo: uống nước chanh nóng ở Hà Nội", "Bộ Y tế họp ở Hà Nội"]
    policy = TierPolicy(0.0, 0.999)  # every item is flagged by the classifier
    for index in (_Index(), None):
        first, second = Triage(fitted_detector, narratives=index, policy=policy).score(texts)
        assert first["label"] == second["label"] == 1
        assert ("Hà Nội", "LOC") in first["entities"] and ("Hà Nội", "LOC") in second["entities"]
    quiet = Triage(fitted_detector, narratives=None, policy=TierPolicy(0.9999, 0.99999))
    assert all(r["entities"] == [] and r["label"] == 0 for r in quiet.score(texts))


def test_top_terms_are_text_and_context_is_separate(tiny_corpus):
    texts, y = tiny_corpus
    rng = np.random.default_rng(0)
    docs = [{"text": t, "likes": int(rng.integers(0, 500)), "comments": int(rng.integers(0, 50)),
             "shares": int(rng.integers(0, 90)), "timestamp": 1585000000 + 3600 * i}
            for i, t in enumerate(texts)]
    det = Detector(channels=("syllables", "meta"), min_df=1, cv=3).fit(docs, y)
    with_meta, plain = det.explain([docs[0], texts[0]], k=50)
    assert not any(t.startswith("[") for t, _ in with_meta["top_terms"] + plain["top_terms"])
    assert {f for f, _ in with_meta["context"]} == {"likes", "comments", "shares",
                                                    "posting hour"}
    assert plain["context"] == []
    without_comments = dict(docs[0], comments=None)
    (r,) = det.explain([without_comments], k=5)
    assert "comments" not in {f for f, _ in r["context"]}


def test_a_missing_count_contributes_nothing(tiny_corpus):
    texts, y = tiny_corpus
    docs = [{"text": t, "comments": 3 if label else 40} for t, label in zip(texts, y, strict=True)]
    det = Detector(channels=("syllables", "meta"), min_df=1, cv=3,
                   accent_free_route=False).fit(docs, y)
    meta = det.features_.named_transformers_["meta"]
    missing = meta.transform(pd.DataFrame({"likes": [np.nan], "comments": [np.nan],
                                           "shares": [np.nan], "timestamp": [np.nan]}))
    assert missing.nnz == 0


def _labelled(tmp_path, texts, labels):
    path = tmp_path / "labelled.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(path, index=False)
    return path


def test_evaluation_leaves_out_training_rows_and_says_so(tmp_path, fitted_detector, tiny_corpus):
    texts, y = tiny_corpus
    trained = text_keys(pd.DataFrame({"text": texts[:6], "title": [""] * 6}))
    model = Triage(fitted_detector, training_hashes=text_hashes(trained))
    path = _labelled(tmp_path, texts, y)
    said: list[str] = []
    scored = predict_files([path], model=model, log=said.append)
    assert len(scored.frame) == len(texts) - 6
    assert scored.info["training_overlap"] == {"rows": 6, "of": len(texts), "excluded": True}
    assert said[0] == (f"6 of {len(texts)} rows were in the training data; metrics use the "
                       f"{len(texts) - 6} unseen rows (--include-training-rows keeps them)")
    kept = predict_files([path], model=model, include_training_rows=True)
    assert len(kept.frame) == len(texts)


def test_evaluation_leaves_out_copies_of_training_rows_with_other_punctuation(
        tmp_path, fitted_detector, tiny_corpus):
    from vnmisinfo.data.hygiene import key_hashes

    texts, y = tiny_corpus
    trained = text_keys(pd.DataFrame({"text": texts[:6], "title": [""] * 6}))
    model = Triage(fitted_detector, training_hashes=key_hashes(trained))
    copies = [t.replace(" ", "\n", 1) + " !!" for t in texts[:6]]  # the same words
    scored = predict_files([_labelled(tmp_path, copies + texts[6:], y)], model=model)
    assert scored.info["training_overlap"] == {"rows": 6, "of": len(texts), "excluded": True}
    assert len(scored.frame) == len(texts) - 6


def test_evaluation_on_training_rows_only_stops(tmp_path, fitted_detector, tiny_corpus):
    texts, y = tiny_corpus
    keys = text_keys(pd.DataFrame({"text": texts, "title": [""] * len(texts)}))
    model = Triage(fitted_detector, training_hashes=text_hashes(keys))
    with pytest.raises(TrainingDataError, match="no unseen row is left.*--include-training-rows"):
        predict_files([_labelled(tmp_path, texts, y)], model=model)


def test_verdicts_join_the_training_set_with_their_weight_and_win_on_the_same_text():
    from vnmisinfo.evaluation.train import with_feedback

    data = pd.DataFrame({"text": ["Tin A về tỏi", "Tin B về thời tiết"], "title": ["", ""],
                         "label": [0, 0], "source": ["reintel/train.csv"] * 2, "group": [0, 1]})
    feedback = pd.DataFrame({"text": ["Tin A về tỏi", "Bài mới năm 2024"], "label": [1, 1],
                             "time": ["2024-05-02T00:00:00Z", "2024-05-01T00:00:00Z"]})
    said: list[str] = []
    combined, weights, meta = with_feedback(data, feedback, 4.0, "store/", said.append)
    assert len(combined) == 3 and combined["label"].tolist() == [0, 1, 1]
    assert weights.tolist() == [1.0, 4.0, 4.0]
    assert meta["replaced_public_rows"] == 1 and meta["rows"] == 2
    assert (meta["first"], meta["last"]) == ("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z")
    assert "2 reviewer verdicts" in said[0]


def test_verdicts_on_the_same_words_count_once_the_newest_and_contradictions_are_named():
    from vnmisinfo.evaluation.train import with_feedback

    data = pd.DataFrame({"text": ["Tin A, về tỏi!", "Tin B về thời tiết"], "title": ["", ""],
                         "label": [0, 0], "source": ["reintel/train.csv"] * 2, "group": [0, 1]})
    # one post stored three times, as punctuation and line breaks differ, with two verdicts
    feedback = pd.DataFrame({
        "text": ["Tin A về tỏi", "Tin A\nvề tỏi 😡", "Tin A. Về tỏi", "Bài mới năm 2024"],
        "label": [0, 1, 1, 1], "text_hash": ["h0", "h1", "h2", "h3"],
        "time": ["2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z", "2024-05-02T00:00:00Z",
                 "2024-05-01T00:00:00Z"]})
    said: list[str] = []
    combined, weights, meta = with_feedback(data, feedback, 30.0, "store/", said.append)
    verdicts = combined[combined["source"] == "feedback"]
    assert verdicts["text"].tolist() == ["Tin A\nvề tỏi 😡", "Bài mới năm 2024"]
    assert verdicts["label"].tolist() == [1, 1]  # the newest verdict on the post
    assert combined["text"].tolist()[0] == "Tin B về thời tiết"  # the public copy gave way
    assert (meta["rows"], meta["repeated_left_out"], meta["contradicted"]) == (2, 2, 1)
    assert meta["replaced_public_rows"] == 1 and weights.tolist() == [1.0, 30.0, 30.0]
    assert ("2 verdicts on texts with the same words as a newer verdict are left out, the "
            "newest counts; 1 of them said the opposite (text_hash h0: check them in the "
            "store)") in said[0]


def test_near_copies_judged_both_ways_weigh_as_public_rows():
    from vnmisinfo.evaluation.train import with_feedback

    claim = "Bộ Y tế: tiêm vắc xin COVID-19 làm thay đổi ADN của người tiêm, chia sẻ ngay"
    data = pd.DataFrame({"text": ["Tin B về thời tiết"], "title": [""], "label": [0],
                         "source": ["reintel/train.csv"], "group": [0]})
    feedback = pd.DataFrame({
        "text": [claim, claim.replace("làm thay", "không làm thay"), claim + " nhé",
                 "Bài mới năm 2024 về lũ lụt ở miền Trung"],
        "label": [1, 0, 1, 1], "text_hash": ["h0", "h1", "h2", "h3"], "time": ""})
    said: list[str] = []
    combined, weights, meta = with_feedback(data, feedback, 30.0, "store/", said.append)
    by_text = dict(zip(combined["text"], weights, strict=True))
    # the true version, and both copies of the claim, sit in one group that disagrees
    assert [by_text[t] for t in feedback["text"]] == [1.0, 1.0, 1.0, 30.0]
    assert by_text["Tin B về thời tiết"] == 1.0 and meta["contested_near_copies"] == 3
    assert ("3 verdicts sit among near-copies judged both ways (text_hash h0, h1, h2): they "
            "count as public rows (weight 1)") in said[0]
    # near-copies that agree keep the weight of a verdict
    agreed = feedback.assign(label=[1, 1, 1, 1])
    _, weights, meta = with_feedback(data, agreed, 30.0, "store/", said.append)
    assert weights.tolist() == [1.0, 30.0, 30.0, 30.0, 30.0]
    assert meta["contested_near_copies"] == 0


def test_sample_weight_changes_the_fit(tiny_corpus):
    texts, y = tiny_corpus
    plain = Detector(channels=("syllables",), min_df=1, cv=3).fit(texts, y)
    weights = np.where(np.arange(len(y)) == 0, 50.0, 1.0)
    heavy = Detector(channels=("syllables",), min_df=1, cv=3).fit(texts, y,
                                                                   sample_weight=weights)
    assert not np.allclose(plain.decision_function(texts), heavy.decision_function(texts))
    with pytest.raises(ValueError, match="sample_weight must be"):
        Detector(channels=("syllables",), min_df=1, cv=3).fit(texts, y, sample_weight=[1.0])


def test_retraining_keeps_the_previous_model(tmp_path):
    from vnmisinfo.evaluation.train import keep_previous

    path = tmp_path / "m.skops"
    assert keep_previous(path) is None
    path.write_bytes(b"old model")
    (tmp_path / "m.skops.sha256").write_text("x  m.skops\n")
    (tmp_path / "m.md").write_text("the old model's card")
    previous = keep_previous(path)
    assert previous == tmp_path / "m.previous.skops" and previous.read_bytes() == b"old model"
    assert not path.exists() and (tmp_path / "m.previous.skops.sha256").is_file()
    # a roll-back restores the model with its card
    assert (tmp_path / "m.previous.md").read_text() == "the old model's card"


def test_model_card_says_how_tiers_context_and_data_work(tmp_path, meta_detector):
    from vnmisinfo.evaluation.train import write_model_card

    metadata = {"preset": "tiny", "training_rows": 24, "training_positives": 12,
                "training_handwritten": 7, "training_data": {"reintel/train.csv": "ab" * 32},
                "cv_metrics": {"roc_auc": {"mean": 0.9, "std": 0.01},
                               "drop_one_field": {"likes": {"mean_abs_change": 0.01,
                                                            "share_moved_0.2": 0.0,
                                                            "roc_auc_drop": 0.001}}},
                "feedback": {"rows": 3, "misinformation": 2, "reliable": 1, "weight": 10.0,
                             "first": "2024-01-01", "last": "2024-02-01", "store": "s",
                             "scored_by": ["default.skops vnmisinfo-0.3.0 sha256:c354"],
                             "from_model": {"path": "team.previous.skops", "sha256": "ab" * 32}},
                "command": "vnmisinfo train --preset tiny --cv 0 -o models/team.skops"}
    text = write_model_card(tmp_path / "CARD.md", metadata, meta_detector).read_text("utf-8")
    assert text.startswith("# Model card: vnmisinfo `tiny` detector")
    assert "## Tier policy" in text and "`high` from 0.8" in text
    assert "| likes | 0.010 | 0.000 | +0.0010 |" in text
    assert "Reviewers' verdicts: 3 (2 misinformation, 1 reliable" in text
    flat = " ".join(text.split())
    assert ("the verdicts were given on rows scored by `default.skops vnmisinfo-0.3.0 "
            "sha256:c354`; it replaces the model kept as `team.previous.skops`") in flat
    assert "`vnmisinfo train --preset tiny --cv 0 -o models/team.skops`" in flat
    assert "weight 10 each;" in flat  # no near-copies judged both ways
    metadata["feedback"]["contested_near_copies"] = 2
    contested = " ".join(write_model_card(tmp_path / "C2.md", metadata, meta_detector)
                         .read_text("utf-8").split())
    assert "weight 10 each, but 2 on near-copies judged both ways weight 1;" in contested
    assert "| ROC-AUC | 0.900 ± 0.010 | not measured |" in text
    assert "{{" not in text and "}}" not in text
    assert "No narrative index is attached" in text
    flat = " ".join(text.split())
    assert "and 7 posts written for this project" in flat and "are few (7)" in flat
    del metadata["training_handwritten"]  # a model trained before the count was kept
    flat = " ".join(write_model_card(tmp_path / "CARD.md", metadata, meta_detector)
                    .read_text("utf-8").split())
    assert "and posts written for this project" in flat and "are few and come" in flat
    metadata["narratives"] = {"narratives": 72, "threshold": 0.4034, "out_of_fold": {
        "positives": 937.0, "recall": 0.9221, "ordinary_rate": 0.0083, "near_rate": 0.0952}}
    text = write_model_card(tmp_path / "CARD.md", metadata, meta_detector).read_text("utf-8")
    flat = " ".join(text.split())
    assert "holds 72 catalogue narratives; a match counts from a match probability of " \
           "0.4034" in flat
    assert "it matches 92.2% of 937 rewordings" in flat and "9.5% of near misses" in flat


@pytest.mark.parametrize("explain", [None, -1, 2.5, True])
def test_score_names_a_bad_explain_value(fitted_detector, explain):
    with pytest.raises(ValueError, match="explain must be a whole number of terms"):
        Triage(fitted_detector).score(["Tỏi chữa khỏi covid"], explain=explain)


@pytest.mark.parametrize("labels", [[0, 1], np.array([0, 1]), pd.Series([0, 1])],
                         ids=["list", "array", "Series"])
def test_score_with_labels_names_the_detectors_accuracy(fitted_detector, labels):
    """scikit-learn's habit, score(X, y): Triage.score scores texts."""
    texts = ["Tỏi chữa khỏi covid", "Hà Nội hôm nay mưa to"]
    with pytest.raises(TypeError, match=r"Triage.score scores texts .* got \w+ of length 2\. "
                       r"For the accuracy on labelled data .* use model\.detector\.score\(X, "
                       r"y\)\."):
        Triage(fitted_detector).score(texts, labels)
    assert 0 <= Triage(fitted_detector).detector.score(texts, [1, 0]) <= 1


@pytest.mark.parametrize("detector, got", [(None, "NoneType"), (Detector, "the class Detector"),
                                            ("model.skops", "str")], ids=["None", "class", "path"])
def test_triage_needs_a_detector(detector, got):
    with pytest.raises(TypeError, match=f"Triage needs a fitted Detector as its detector; got "
                                        rf"{got}\. Fit one first.*load_model"):
        Triage(detector)


def test_a_frame_without_a_text_column_says_how_to_name_it(fitted_detector):
    with pytest.raises(ValueError, match=r"no text column among \[.bai_viet.\]; rename it"):
        Triage(fitted_detector).score(pd.DataFrame({"bai_viet": ["Tỏi chữa khỏi covid"]}))


def test_a_loaded_model_changed_by_one_caller_leaves_the_next_alone():
    """load_model caches the file's model: set_thresholds on one caller's copy changed what
    every later load_model() returned in the process."""
    from vnmisinfo.triage import load_model

    first = load_model()
    first.set_thresholds(0.0, 0.0)
    first.metadata_["note"] = "mine"
    later = load_model()
    assert later.policy.medium == 0.5 and later.detector.get_params()["medium_threshold"] == 0.5
    assert "note" not in later.metadata_
    assert first.score(["Trời nắng đẹp"])[0]["tier"] == "high"
    assert later.score(["Trời nắng đẹp"])[0]["tier"] == "low"


def test_set_params_on_a_loaded_models_parts_leaves_the_next_load_alone():
    """A loaded model was a shallow copy: set_params on its detector, or a policy or index
    setting, changed every later load_model() in the process."""
    from vnmisinfo.triage import load_model

    first = load_model()
    first.detector.set_params(medium_threshold=0.9, high_threshold=0.95)
    first.policy.lift_matches = False
    first.narratives.set_params(entity_boost=0.3)
    later = load_model()
    assert later.detector.medium_threshold == 0.5 and later.policy.lift_matches is True
    assert later.narratives.entity_boost == 0.0
    # the fitted arrays are shared, not copied
    assert later.detector is not first.detector
    assert later.detector.classes_ is first.detector.classes_


def test_hand_written_posts_join_the_training_data_once_with_groups_of_their_own():
    from vnmisinfo.evaluation.nonclaims import SOURCE, load_nonclaims, with_nonclaims

    posts = load_nonclaims()
    data = pd.DataFrame({"text": [posts["text"][0], "Hà Nội mưa to"], "title": None,
                         "label": [0, 0], "source": "reintel/train.csv", "group": [0, 1]})
    data["key"] = text_keys(data)
    both = with_nonclaims(data)
    added = both[both["source"] == SOURCE]
    assert len(added) == len(posts) - 1  # the text already in data is not added twice
    assert added["group"].min() == 2 and added["group"].is_unique
    assert set(added["label"]) == {0, 1} and both["text"].tolist()[:2] == data["text"].tolist()


def test_cross_validation_trains_on_train_only_rows_and_never_tests_them(tiny_corpus):
    from vnmisinfo.evaluation.train import cross_validate_variants

    texts, y = tiny_corpus
    det = Detector(channels=("syllables",), min_df=1, cv=2)
    frame = det.preprocess(texts)
    groups = np.arange(len(texts))
    plain = cross_validate_variants(det, frame, y, groups, {"": None}, n_splits=3)[""][0]
    # every training fold also learns that "chanh" is reliable: test rows with it score lower
    extra = det.preprocess([f"nước chanh số {i} ngon" for i in range(12)])
    with_extra = cross_validate_variants(det, frame, y, groups, {"": None}, n_splits=3,
                                         train_only=(extra, np.zeros(12, dtype=int)))[""][0]
    assert len(with_extra) == len(texts)  # only the corpus is tested
    has = np.array(["chanh" in t for t in texts])
    assert has.any() and np.all(with_extra[has] < plain[has])


def test_newest_verdicts_reads_any_index_and_rows_without_times():
    from vnmisinfo.evaluation.train import newest_verdicts

    # a frame joined from two files can repeat index labels; without times, the later row wins
    fb = pd.DataFrame({"text": ["Tin A. Ngày 6", "Tin A ngày 6!", "Tin B"],
                       "label": [0, 1, 1]}, index=[3, 3, 4])
    kept, keys, said = newest_verdicts(fb)
    assert kept["label"].tolist() == [1, 1] and keys == ["tin a ngày 6!", "tin b"]
    assert (said["repeated"], said["contradicted"], said["contradicted_hashes"]) == (1, 1, [])
