"""Narrative catalogue validation, matching, persistence and the match CLI."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from vnmisinfo.cli import main
from vnmisinfo.model.persist import ModelLoadError
from vnmisinfo.narratives import (
    CATEGORIES,
    CatalogueError,
    CatalogueWarning,
    NarrativeIndex,
    catalogue_problems,
    choose_threshold,
    default_catalogue_path,
    default_index,
    load_catalogue,
    load_index,
    near_miss_texts,
    save_index,
    train_rewordings,
    validate_catalogue,
)
from vnmisinfo.narratives.build import STANCES
from vnmisinfo.narratives.decision import (
    FEATURES,
    _text_features,
    figure_conflicts,
    rank_narratives,
)
from vnmisinfo.text.entities import entities
from vnmisinfo.text.sentences import split_sentences
from vnmisinfo.text.stance import CUE_CLASSES, cue_counts, find_figures, find_numbers


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def index(catalogue):
    return NarrativeIndex().fit(catalogue)


def _good_entry(**changes):
    entry = {
        "id": "local-health-001",
        "claim": "Uống nước lá tía tô chữa khỏi sốt xuất huyết.",
        "variants": ["Nước tía tô trị dứt sốt xuất huyết trong hai ngày.",
                     "Uong nuoc la tia to la khoi sot xuat huyet.",
                     "mn ơi tía tô trị sxh hay lắm ko cần đi viện!!"],
        "category": "health",
        "verdict": "false",
        "rebuttal": {"vi": "Không có thuốc đặc trị sốt xuất huyết.", "en": "No herb cures dengue."},
        "sources": [{"publisher": "Bộ Y tế", "date": "2019", "exact": False,
                     "title": "Hướng dẫn chẩn đoán, điều trị sốt xuất huyết"}],
        "first_seen": "2019-07",
        "entities": ["Bộ Y tế"],
        "tags": ["sốt xuất huyết"],
    }
    entry.update(changes)
    return entry


def _without(key):
    entry = _good_entry()
    del entry[key]
    return entry


# -- validation -------------------------------------------------------------

BROKEN = [
    pytest.param(_without("claim"), "missing required field 'claim'", id="missing-claim"),
    pytest.param(_without("sources"), "missing required field 'sources'", id="missing-sources"),
    pytest.param(_good_entry(id=""), "field 'id' must be a non-empty string", id="empty-id"),
    pytest.param(_good_entry(claim=5), "field 'claim' must be a non-empty string", id="claim-int"),
    pytest.param(_good_entry(variants=["a", "b"]), "needs at least 3 reworded forms",
                 id="two-variants"),
    pytest.param(_good_entry(variants="a b c"), "'variants' must be a list", id="variants-str"),
    pytest.param(_good_entry(verdict="wrong"), "'verdict' must be one of false, misleading",
                 id="bad-verdict"),
    pytest.param(_good_entry(rebuttal={"vi": "x"}), "'rebuttal' must be an object", id="no-en"),
    pytest.param(_good_entry(sources=[]), "'sources' must be a non-empty list", id="no-sources"),
    pytest.param(_good_entry(sources=[{"publisher": "WHO", "title": "t", "date": "2020/01",
                                       "exact": True}]),
                 r"sources\[0\]: 'date' must be a real date YYYY, YYYY-MM or YYYY-MM-DD",
                 id="bad-date"),
    pytest.param(_good_entry(sources=[{"publisher": "WHO", "title": "t", "date": "2020",
                                       "exact": "yes"}]),
                 r"'exact' must be true or false", id="exact-str"),
    pytest.param(_good_entry(sources=[{"publisher": "WHO", "title": "t", "date": "2020",
                                       "exact": True, "url": "ftp://who.int/x"}]),
                 r"'url' must be an http:// or https:// address", id="ftp-url"),
    pytest.param(_good_entry(first_seen="2020-13"), "'first_seen' must be a real date",
                 id="month-13"),
    pytest.param(_good_entry(first_seen="2023-02-29"), "'first_seen' must be a real date",
                 id="not-a-leap-year"),
    pytest.param(_good_entry(first_seen="2999-01"), "'first_seen' must not be in the future",
                 id="future-first-seen"),
    pytest.param(_good_entry(sources=[{"publisher": "WHO", "title": "t", "date": "2999-01-01",
                                       "exact": True}]),
                 r"sources\[0\]: 'date' must not be in the future \(today is ", id="future-date"),
    pytest.param(_good_entry(entities="WHO"), "'entities' must be a list", id="entities-str"),
    pytest.param([_good_entry(), _good_entry()], "duplicate id, already used at entry 1",
                 id="duplicate-id"),
    pytest.param([42], "expected a JSON object, got int", id="not-object"),
]


@pytest.mark.parametrize(("entries", "message"), BROKEN)
def test_validator_rejects_broken_entries(entries, message):
    entries = entries if isinstance(entries, list) else [entries]
    with pytest.raises(CatalogueError, match=message) as info:
        validate_catalogue(entries)
    assert all(p.startswith("entry ") for p in info.value.problems)


def test_validator_names_file_line_and_id(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(_good_entry()) + "\n\n{broken json\n"
                    + json.dumps(_good_entry(id="local-2", verdict="true")) + "\n",
                    encoding="utf-8")
    errors, _ = catalogue_problems(path)
    assert errors[0].startswith("mine.jsonl line 3: not valid JSON")
    assert errors[1].startswith("mine.jsonl line 4 (id 'local-2'): field 'verdict'")
    assert main(["match", "--validate", str(path)]) == 1


def test_user_category_is_a_warning_not_an_error():
    with pytest.warns(CatalogueWarning, match="category 'weather' is user-defined"):
        warns = validate_catalogue([_good_entry(category="weather")])
    assert len(warns) == 1


def test_decomposed_text_and_invisible_characters_are_warned_of(tmp_path, capsys):
    """A claim stored decomposed with a zero-width space passed 'valid, 0 warning(s)', and
    reached vnm_narrative_claim and ClaimReview drafts as written."""
    import unicodedata

    claim = unicodedata.normalize("NFD", "Uống nước lá tía tô\u200b chữa khỏi sốt xuất huyết.")
    rebuttal = {"vi": "Không có\u2060 thuốc đặc trị.", "en": "No herb cures dengue."}
    with pytest.warns(CatalogueWarning) as caught:
        warns = validate_catalogue([_good_entry(claim=claim, rebuttal=rebuttal)])
    assert warns == [str(w.message) for w in caught]
    assert warns[0].endswith("field 'claim' is not composed (NFC) and holds invisible "
                             "characters (U+200B); write it as composed text without them.")
    assert "field 'rebuttal' holds invisible characters (U+2060)" in warns[1]
    assert len(warns) == 2
    assert validate_catalogue([_good_entry()]) == []


def test_shipped_catalogue_is_valid_and_broad(catalogue):
    assert validate_catalogue(default_catalogue_path()) == []
    assert len(catalogue) >= 60
    assert len({n.category for n in catalogue} & set(CATEGORIES)) >= 8
    assert all(len(n.variants) >= 3 for n in catalogue)
    assert len({n.id for n in catalogue}) == len(catalogue)


def test_duplicate_id_across_shipped_and_user_file(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(_good_entry(id="health-001")) + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"mine.jsonl line 1 \(id 'health-001'\): duplicate"):
        load_catalogue([default_catalogue_path(), path])


# -- estimator contract ----------------------------------------------------------


@pytest.mark.parametrize("check", [check_get_params_invariance, check_set_params,
                                   check_no_attributes_set_in_init,
                                   check_parameters_default_constructible],
                         ids=lambda c: c.__name__)
def test_sklearn_contract(check):
    check("NarrativeIndex", NarrativeIndex())


def test_unfitted_and_bad_params():
    with pytest.raises(NotFittedError, match="not fitted"):
        NarrativeIndex().match(["x"])
    with pytest.raises(ValueError, match="threshold must be a number in"):
        NarrativeIndex(threshold=2.0).fit([_good_entry()])
    with pytest.raises(ValueError, match="pooling must be"):
        NarrativeIndex(pooling="mean").fit([_good_entry()])
    with pytest.raises(ValueError, match="stance_words must be 'around' or 'all'"):
        NarrativeIndex(stance_words="some").fit([_good_entry()])


def test_clone_keeps_params(index):
    assert clone(index).get_params() == index.get_params()


# -- matching ----------------------------------------------------------------

CASES = [
    pytest.param("Uong nuoc chanh nong tri khoi covid", "health-001", id="no-diacritics"),
    pytest.param("mn ơi ăn tỏi sống mỗi ngày là ko bao giờ bị covid đâu nha 🧄", "health-002",
                 id="teencode"),
    pytest.param("Chu tich UBND tinh vua ky quyet dinh cho hoc sinh nghi hoc het thang vi dich",
                 None, id="no-diacritics-unrelated"),
    pytest.param("Giá vàng hôm nay tăng nhẹ. Nhiều người dân đi chợ sớm. Trên mạng lan truyền "
                 "tin đồn sóng 5G làm lây lan virus corona. Các nhà mạng khẳng định điều này vô "
                 "căn cứ.",
                 "health-004", id="long-article"),
    pytest.param("U.ố.n.g n.ư.ớ.c c.h.a.n.h n.ó.n.g mỗi sáng diệt sạch v.i.r.u.s corona",
                 "health-001", id="spelled-out-with-dots"),
]


@pytest.mark.parametrize(("text", "expected"), [c for c in CASES if c.values[1]])
def test_match_finds_the_narrative(index, text, expected):
    best = index.match_one(text, k=3)[0]
    assert best.narrative_id == expected
    assert best.matched and best.similarity >= index.threshold_  # plain index: on similarity
    assert best.rebuttal_vi and best.rebuttal_en and best.sources


def test_long_article_evidence_is_the_claim_sentence(index):
    best = index.match_one(CASES[3].values[0], k=1)[0]
    assert "5G" in best.sentence and "Giá vàng" not in best.sentence


@pytest.mark.parametrize("text", [
    "Hôm nay Hà Nội nắng đẹp, nhiệt độ cao nhất 31 độ, chiều tối có mưa rào.",
    "Đội tuyển bóng đá Việt Nam thắng 2-0 trong trận giao hữu tối qua.",
    "Thư viện quận mở cửa đến 21 giờ các ngày trong tuần.",
], ids=["weather", "football", "library"])
def test_unrelated_text_gives_no_match(index, text):
    assert not any(m.matched for m in index.match_one(text))


def test_a_name_or_two_words_alone_assert_nothing():
    """'Bill Gates' alone matched 'Bill Gates admits vaccines reduce the population' (0.96)
    and lifted the post to medium: fewer than three words are no claim."""
    shipped = default_index()
    two, short = shipped.match(["Bill Gates", "sóng 5G lây covid"], k=1)
    assert not two[0].matched and two[0].similarity == 0.0
    assert short[0].matched and short[0].narrative_id == "health-004"


def test_match_shapes_and_empty_text(index):
    results = index.match(["", None, "Ngân hàng sắp đổi tiền, rút hết tiền ra ngay"], k=2)
    assert [len(r) for r in results] == [2, 2, 2]
    assert results[0][0].similarity == 0.0 and not results[0][0].matched
    assert results[2][0].similarity >= results[2][1].similarity
    with pytest.raises(TypeError, match="string object received"):
        index.match("một chuỗi")
    with pytest.raises(ValueError, match="k must be a positive integer"):
        index.match(["x"], k=0)


def test_no_texts_give_no_matches_with_the_learned_decision():
    """An empty batch is an empty answer, also for an index with a learned decision."""
    shipped = default_index()
    assert shipped.verifier_ is not None
    assert shipped.match([]) == []
    sim, score = shipped.match_scores([])
    assert sim.shape == score.shape == (0, len(shipped.narratives_))


def test_the_claim_outranks_a_narrative_that_shares_only_the_question_around_it():
    """A question that relays the garlic claim is nearest, on similarity alone, to a narrative
    one of whose variants asks "thật ko vậy mn???"; the match score puts the claim first."""
    shipped = default_index()
    ids = [n["id"] for n in shipped.narratives_]
    text = "Nghe nói ăn tỏi phòng được covid, có thật không mọi người?"
    sim, score = shipped.match_scores([text])
    assert ids[int(sim[0].argmax())] == "fabricated_statistics-003"
    assert [m.narrative_id for m in shipped.match_one(text, k=2)] == [
        "health-002", "fabricated_statistics-003"]
    assert ids[int(rank_narratives(sim, score)[0, 0])] == "health-002"


def test_ranking_orders_only_the_most_similar_few_by_score():
    sim = np.array([[0.5, 0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4, 0.5]])
    score = np.array([[0.1, 0.3, 0.2, 0.9, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    assert rank_narratives(sim, score).tolist() == [[1, 2, 0, 3, 4], [4, 3, 2, 1, 0]]
    assert rank_narratives(sim, score, shortlist=1).tolist() == [[0, 1, 2, 3, 4],
                                                                   [4, 3, 2, 1, 0]]


def test_batch_equals_one_by_one_and_order_free(index):
    texts = [c.values[0] for c in CASES]
    batch = index.similarities(texts)
    single = np.vstack([index.similarities([t]) for t in texts])
    np.testing.assert_allclose(batch, single)
    np.testing.assert_allclose(index.similarities(texts[::-1]), batch[::-1])


def test_user_catalogue_extends_the_shipped_one(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(_good_entry(), ensure_ascii=False) + "\n", encoding="utf-8")
    index = NarrativeIndex.from_catalogue([default_catalogue_path(), path])
    assert index.match_one("Uong la tia to chua khoi sot xuat huyet", k=1)[0].narrative_id == \
        "local-health-001"


def test_entity_boost_raises_similarity_only_with_shared_entities(index):
    boosted = copy.copy(index)
    boosted.entity_boost = 0.1
    text = "Nghe nói Hà Nội là thành phố đông dân nhất Việt Nam, hơn cả Sài Gòn."
    plain, more = index.match_one(text, k=1)[0], boosted.match_one(text, k=1)[0]
    assert more.narrative_id == plain.narrative_id == "fabricated_statistics-008"
    assert more.similarity == pytest.approx(min(1.0, plain.similarity + 0.1), abs=1e-6)
    text = "Uống nước chanh nóng mỗi sáng là diệt được virus corona."
    assert boosted.match_one(text, k=1)[0].similarity == index.match_one(text, k=1)[0].similarity


def test_entities_merges_spans():
    found = entities("Ông Nguyễn Văn Nam ở Thành phố Hồ Chí Minh nói.")
    assert all(kind in ("PER", "LOC", "ORG") for _, kind in found)
    assert any(" " in name for name, _ in found)


def test_split_sentences_keeps_lines():
    assert split_sentences("Một. Hai!\nBa") == ["Một.", "Hai!", "Ba"]


def test_posts_the_splitter_cut_into_fragments_match():
    """An article that asserts a claim, in decomposed Unicode (a lone 'i' after a combining
    mark read as an initial), and a claim spelled out with '. ' (every '. ' ended a
    sentence) normalize to their clean text but were cut into fragments that matched nothing."""
    article = ("Tối qua, người dân một số tỉnh Tây Bắc cảm nhận được rung lắc nhẹ. Viện Vật lý "
               "địa cầu cho biết đó là trận động đất 4 độ, không gây thiệt hại. Người quen làm "
               "ở viện báo mình là đã dự báo chính xác ngày xảy ra động đất lớn ở Hà Nội vào "
               "tuần tới, ai ở chung cư cao tầng thì về quê tránh đi. Chính quyền địa phương "
               "đã kiểm tra các công trình.")
    spelled = ("N. g. â. n h. à. n. g Nhà nước sắp đ. ổ. i t. i. ề. n, tiền cũ sẽ m. ấ. t "
               "g. i. á trị.")
    nfd, dots = default_index().match([unicodedata.normalize("NFD", article), spelled], k=1)
    assert nfd[0].matched and nfd[0].narrative_id == "disaster_hoax-002"
    assert dots[0].matched and dots[0].narrative_id == "finance_rumour-001"


def test_choose_threshold_respects_false_rate():
    neg = np.linspace(0, 0.5, 100)
    t = choose_threshold([0.9] * 10, neg, max_false_rate=0.02)
    assert (neg >= t).mean() <= 0.02 and t < 0.9


# -- persistence -----------------------------------------------------------------


def test_skops_round_trip_gives_identical_similarities(index, tmp_path):
    path = save_index(index, tmp_path / "narratives.skops")
    loaded = load_index(path)
    texts = [c.values[0] for c in CASES]
    np.testing.assert_array_equal(loaded.similarities(texts), index.similarities(texts))
    assert loaded.threshold_ == index.threshold_


def test_load_index_refuses_missing_and_non_skops(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        load_index(tmp_path / "none.skops")
    bad = tmp_path / "bad.skops"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelLoadError, match="not a readable skops file"):
        load_index(bad)


# -- CLI -------------------------------------------------------------------------


def test_cli_match_text(capsys):
    assert main(["match", "Uong nuoc chanh nong tri khoi covid", "--k", "2"]) == 0
    out = capsys.readouterr().out
    assert "health-001" in out and "[MATCH]" in out
    assert "rebuttal (vi): Không có bằng chứng" in out
    assert "(source not pinned down exactly)" in out


def test_cli_match_a_text_longer_than_any_file_name(capsys):
    """A pasted article is a text, not a file name the system refuses as too long."""
    article = "Uống nước chanh nóng mỗi sáng diệt sạch virus corona. " + "Trời đẹp. " * 400
    assert main(["match", article, "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "health-001" in out and "[MATCH]" in out


def test_cli_match_jsonl_file_json_output(tmp_path, capsys):
    path = tmp_path / "posts.jsonl"
    rows = [{"bai_viet": "ae ơi uống nc chanh nóng diệt corona nha"},
            {"bai_viet": "Đội tuyển Việt Nam thắng 2-0 tối qua"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert main(["match", str(path), "--text-column", "bai_viet", "--json", "--k", "1"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["matched"] for x in lines] == [True, False]
    assert lines[0]["matches"][0]["narrative_id"] == "health-001"


def test_cli_match_threshold_and_catalogue(tmp_path, capsys):
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(_good_entry(), ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["match", "tía tô trị sốt xuất huyết", "--catalogue", str(path), "--json",
                 "--threshold", "0.99"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["matches"][0]["narrative_id"] == "local-health-001"
    assert result["matched"] is False


def test_cli_validate_shipped_catalogue(capsys):
    assert main(["match", "--validate", str(default_catalogue_path())]) == 0
    assert "valid" in capsys.readouterr().err


def test_cli_missing_file_is_an_error(tmp_path, capsys):
    assert main(["match", str(tmp_path / "none.csv")]) == 1
    assert "not found" in capsys.readouterr().err


def test_categories_in_shipped_catalogue(catalogue):
    counts = Counter(n.category for n in catalogue)
    assert min(counts.values()) >= 3


def test_installed_script_validates(tmp_path):
    script = shutil.which("vnmisinfo") or str(Path(sys.executable).with_name("vnmisinfo"))
    if not Path(script).is_file():
        pytest.skip("console script not installed")
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(_good_entry(variants=["a"])) + "\n", encoding="utf-8")
    done = subprocess.run([script, "match", "--validate", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "needs at least 3 reworded forms" in done.stdout


# -- background statistics and the learned match decision ---------------------------

BACKGROUND = [
    "Hôm nay trời mưa to ở Hà Nội, nhiều tuyến phố bị ngập nhẹ.",
    "Giá vàng trong nước tăng nhẹ so với phiên hôm qua.",
    "Đội tuyển Việt Nam tập luyện chuẩn bị cho trận đấu cuối tuần.",
    "Chợ đêm mở cửa đến 23 giờ, nhiều người dân đi mua sắm.",
    "Thành phố tổ chức hội chợ sách cho học sinh vào cuối tuần.",
] * 12


@pytest.fixture(scope="module")
def learned(catalogue):
    return NarrativeIndex().fit(catalogue, background=BACKGROUND, negatives=BACKGROUND)


def test_background_lowers_weight_of_common_words(catalogue, index):
    plain_vec = index.vectorizers_[0]
    with_bg = NarrativeIndex().fit(catalogue, background=BACKGROUND)
    (col,) = plain_vec.columns(["hôm"])
    assert col >= 0 and with_bg.n_background_ == len(BACKGROUND) and index.n_background_ == 0
    assert with_bg.idf_[0][col] < index.idf_[0][col]
    np.testing.assert_array_equal(with_bg.vectorizers_[0].hashes_, plain_vec.hashes_)


def test_learned_decision_matches_and_rejects(learned):
    assert learned.verifier_ is not None and 0.0 < learned.threshold_ < 1.0
    best = learned.match_one("Uống nước chanh nóng mỗi sáng là diệt sạch virus corona", k=1)[0]
    assert best.narrative_id == "health-001" and best.matched
    sim, score = learned.match_scores(["Uống nước chanh nóng diệt virus corona", ""])
    assert sim.shape == score.shape == (2, len(learned.narratives_))
    assert ((score >= 0) & (score <= 1)).all() and score[1].max() < learned.threshold_


def test_learned_decision_needs_enough_negatives(catalogue):
    with pytest.raises(ValueError, match="at least 50 texts"):
        NarrativeIndex().fit(catalogue, negatives=BACKGROUND[:10])
    with pytest.raises(TypeError, match="string object received"):
        NarrativeIndex().fit(catalogue, background="một chuỗi")


def test_learned_index_round_trips_compactly(learned, tmp_path):
    path = save_index(learned, tmp_path / "n.skops")
    loaded = load_index(path)
    texts = [c.values[0] for c in CASES]
    for a, b in zip(loaded.match_scores(texts), learned.match_scores(texts), strict=True):
        np.testing.assert_array_equal(a, b)
    assert path.stat().st_size < 5_000_000
    assert loaded.fit_report_ == learned.fit_report_
    assert set(learned.fit_report_) == {"positives", "recall", "ordinary_rate"}  # no near misses


def test_the_fit_reports_its_out_of_fold_figures():
    from vnmisinfo.narratives.fitting import out_of_fold_report

    report = default_index().fit_report_
    assert report["positives"] == len(train_rewordings())  # those that assert their claim
    assert {"near_rate", "recall_at_near", "auc_near"} <= set(report)
    assert 0.5 < report["auc_near"] <= 1 and report["ordinary_rate"] <= 0.01 + 1e-9
    assert 0 < report["recall_at_near"] <= 1 and 0 <= report["near_rate"] <= 1
    # the figures move with the scores they are computed from
    pos, near = np.array([0.9, 0.8, 0.3, 0.2]), np.array([0.85, 0.1, 0.1, 0.1])
    low = out_of_fold_report(pos, np.zeros(10), near, 0.25, max_hard_rate=0.0)
    high = out_of_fold_report(pos, np.zeros(10), near, 0.5, max_hard_rate=0.0)
    assert (low["recall"], low["near_rate"]) == (0.75, 0.25)
    assert (high["recall"], high["near_rate"]) == (0.5, 0.25)
    # no near miss may match: 0.85 is above the median positive, where the rule stops
    assert low["recall_at_near"] == 0.5 and low["auc_near"] == 0.8125


# -- stance cues, figures and the near-miss set ---------------------------------

NEAR_MISS = Path(__file__).resolve().parents[1] / "corpora" / "narratives" / "eval_nearmiss.jsonl"


def test_near_miss_file_is_valid(catalogue):
    rows = [json.loads(line) for line in NEAR_MISS.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    assert len(rows) == 1244 and len({r["text"] for r in rows}) == len(rows)
    assert {r["topic_id"] for r in rows} <= {n.id for n in catalogue}
    assert {r["kind"] for r in rows} == {"true", "warning", "debunk", "report"}
    assert {r["split"] for r in rows} == {"train", "test"}
    # the held-out part stays as it was; the training part grows
    assert sum(r["split"] == "test" for r in rows) == 128
    splits_of_topic: dict[str, set[str]] = {}
    for r in rows:
        splits_of_topic.setdefault(r["topic_id"], set()).add(r["split"])
    assert all(s == {"train", "test"} for s in splits_of_topic.values())
    assert len(near_miss_texts()) == sum(r["split"] == "train" for r in rows)
    assert len(near_miss_texts(split="test")) == sum(r["split"] == "test" for r in rows)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        near_miss_texts(split="all")


@pytest.mark.parametrize("name", ["eval_nearmiss_later.jsonl", "eval_nearmiss_third.jsonl",
                                  "eval_nearmiss_fourth.jsonl"])
def test_later_near_miss_sets_are_valid_and_copy_nothing(catalogue, name):
    """The later held-out near-miss sets: held out whole, and copies of no other text."""
    rows = [json.loads(line) for line in (NEAR_MISS.parent / name)
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == (138 if name == "eval_nearmiss_fourth.jsonl" else 141)
    assert len({_fold(r["text"]) for r in rows}) == len(rows)
    assert all(set(r) == {"text", "topic_id", "kind", "style", "split"} for r in rows)
    assert {r["split"] for r in rows} == {"test"}
    assert {r["kind"] for r in rows} == {"true", "warning", "debunk", "report"}
    assert {r["style"] for r in rows} == {"diacritics", "no_diacritics", "teencode"}
    assert {r["topic_id"] for r in rows} == {n.id for n in catalogue}
    folder = NEAR_MISS.parent
    others = [t for n in catalogue for t in (n.claim, *n.variants, n.rebuttal_vi)]
    for other in ("train_reworded.jsonl", "eval_nearmiss.jsonl", "eval_reworded.jsonl",
                  "eval_unrelated.jsonl", "eval_nearmiss_later.jsonl",
                  "eval_nearmiss_third.jsonl", "eval_nearmiss_fourth.jsonl"):
        if other != name:
            others += [json.loads(line)["text"] for line in (folder / other).read_text(
                encoding="utf-8").splitlines() if line.strip()]
    assert _near_copies([r["text"] for r in rows], others) == []


def test_everyday_posts_in_a_narratives_words_are_valid_and_copy_nothing(catalogue):
    """eval_topical.jsonl: one everyday post per narrative in its words, held out whole."""
    folder = NEAR_MISS.parent
    rows = [json.loads(line) for line in (folder / "eval_topical.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(set(r) == {"text", "topic_id", "kind", "style", "split"} for r in rows)
    assert sorted(r["topic_id"] for r in rows) == sorted(n.id for n in catalogue)
    assert {r["kind"] for r in rows} == {"everyday"} and {r["split"] for r in rows} == {"test"}
    assert {r["style"] for r in rows} == {"diacritics", "no_diacritics", "teencode"}
    assert len({_fold(r["text"]) for r in rows}) == len(rows)
    others = [t for n in catalogue for t in (n.claim, *n.variants, n.rebuttal_vi)]
    for other in ("train_reworded.jsonl", "eval_nearmiss.jsonl", "train_nonclaims.jsonl"):
        others += [json.loads(line)["text"] for line in (folder / other).read_text(
            encoding="utf-8").splitlines() if line.strip()]
    assert _near_copies([r["text"] for r in rows], others) == []


def test_near_miss_training_texts_are_not_copies_of_held_out_ones():
    rows = [json.loads(line) for line in NEAR_MISS.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    held_out = [r["text"] for r in rows if r["split"] == "test"]
    held_out += [json.loads(line)["text"] for line in (
        NEAR_MISS.parent / "eval_reworded.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()]
    assert _near_copies([r["text"] for r in rows if r["split"] == "train"], held_out) == []
    # the check finds a copy typed without diacritics, with a word changed
    copy = "Cong dong cac dan toc Viet Nam gom 54 dan toc, nguoi Kinh chiem khoang 85% dan so."
    assert _near_copies([copy], ["Việt Nam có 54 dân tộc, người Kinh chiếm khoảng 85% dân số."])


def _fold(text: str) -> str:
    from vnmisinfo.text.normalize import strip_diacritics

    return " ".join(strip_diacritics(text).lower().split())


def _near_copies(texts: list[str], others: list[str]) -> list[tuple[str, str]]:
    """Pairs whose folded forms are near copies (difflib ratio > 0.8).

    Only pairs whose character trigrams overlap (cosine > 0.5, far below what a
    ratio of 0.8 implies) are compared with difflib.
    """
    import difflib

    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    mine, theirs = [_fold(t) for t in texts], [_fold(t) for t in others]
    vec = CountVectorizer(analyzer="char", ngram_range=(3, 3), binary=True).fit(mine + theirs)
    cosine = normalize(vec.transform(mine)) @ normalize(vec.transform(theirs)).T
    rows, cols = (cosine > 0.5).nonzero()
    return [(texts[i], others[j]) for i, j in zip(rows, cols, strict=True)
            if difflib.SequenceMatcher(None, mine[i], theirs[j], autojunk=False).ratio() > 0.8]


def test_train_rewordings_are_valid_and_disjoint_from_evaluation(catalogue):
    folder = NEAR_MISS.parent
    rows = [json.loads(line) for line in (folder / "train_reworded.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    assert all(set(r) == {"text", "narrative_id", "style", "stance"} for r in rows)
    assert {r["stance"] for r in rows} == {"asserts", "reports", "refutes"}
    ids = {n.id for n in catalogue}
    per_narrative = Counter(r["narrative_id"] for r in rows)
    assert set(per_narrative) == ids and min(per_narrative.values()) >= 5
    styles = Counter(r["style"] for r in rows)
    assert set(styles) == {"diacritics", "no_diacritics", "teencode", "long_article"}
    assert all(styles[s] >= 0.15 * len(rows) for s in styles)
    assert len({_fold(r["text"]) for r in rows}) == len(rows)
    assert train_rewordings() == [(r["text"], r["narrative_id"]) for r in rows
                                  if r["stance"] == "asserts"]
    assert len(train_rewordings(stance="reports")) + len(train_rewordings(stance="refutes")) \
        == sum(r["stance"] != "asserts" for r in rows) > 0
    others = [t for n in catalogue for t in (n.claim, *n.variants)]
    for name in ("eval_reworded.jsonl", "eval_nearmiss.jsonl", "eval_unrelated.jsonl",
                 "eval_nearmiss_later.jsonl", "eval_nearmiss_third.jsonl"):
        rows_of = [json.loads(line) for line in (folder / name).read_text(
            encoding="utf-8").splitlines() if line.strip()]
        others += [row["text"] for row in rows_of if row.get("split", "test") == "test"]
    # (a training near miss may negate a training rewording almost word for word: both train)
    assert _near_copies([r["text"] for r in rows], others) == []


def test_every_held_out_rewording_has_a_stance_toward_its_claim():
    rows = [json.loads(line) for line in (NEAR_MISS.parent / "eval_reworded.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    stances = Counter(r["stance"] for r in rows)
    assert set(stances) <= set(STANCES) and stances["asserts"] >= 0.75 * len(rows)


def test_train_rewordings_read_a_stance_and_refuse_an_unknown_one(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"text": "a", "narrative_id": "x"}\n'
                    '{"text": "b", "narrative_id": "x", "stance": "reports"}\n', encoding="utf-8")
    assert train_rewordings(path) == [("a", "x")]  # a row without a stance asserts its claim
    assert train_rewordings(path, stance="reports") == [("b", "x")]
    with pytest.raises(ValueError, match="stance must be one of asserts"):
        train_rewordings(path, stance="agrees")
    path.write_text('{"text": "a", "narrative_id": "x", "stance": "agrees"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: .*optional stance \(asserts, reports"):
        train_rewordings(path)


CUES = [
    pytest.param("Thông tin này là sai sự thật", "debunk", id="debunk-accented"),
    pytest.param("thong tin nay la sai su that", "debunk", id="debunk-accent-free"),
    pytest.param("tin giả đó mn, đừng share", "debunk", id="debunk-teencode"),
    pytest.param("ko phải đâu", "debunk", id="khong-phai"),
    pytest.param("ko có đâu mà", "negation", id="negation-teencode"),
    pytest.param("Theo công an tỉnh, vụ việc đang được điều tra", "reporting", id="reporting"),
    pytest.param("CHIA SẺ GẤP cho mọi người", "assertive", id="assertive-upper"),
]


@pytest.mark.parametrize(("text", "cls"), CUES)
def test_cue_counts_finds_each_class(text, cls):
    counts = cue_counts([text])[0]
    assert counts[CUE_CLASSES.index(cls)] >= 1


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("vụ này xạo đó mn, tin vịt thôi", 2, id="slang-marked"),
    pytest.param("vu nay phot gia thoi, tin vit", 2, id="slang-accent-free"),
    pytest.param("rau xào tỏi, cá nhắm rượu", 0, id="words-that-collide-without-diacritics"),
    pytest.param("xao toi thom lam", 0, id="accent-free-xao-is-not-slang"),
    pytest.param("Bộ Y tế bác bỏ thông tin sai sự thật", 2, id="official"),
])
def test_falsity_counts_reads_slang_with_its_diacritics(text, expected):
    from vnmisinfo.text.stance import falsity_counts

    assert falsity_counts([text]).tolist() == [expected]
    with pytest.raises(TypeError, match="wrap it in a list"):
        falsity_counts(text)


def test_warning_counts_reads_words_of_a_warning_with_their_diacritics():
    from vnmisinfo.text.stance import warning_counts

    texts = ["Mọi người đừng tin, ai gọi thì cúp máy nhé", "dung tin", "Dùng đúng cách",
             "Không nên chia sẻ"]
    assert warning_counts(texts).tolist() == [2, 0, 0, 1]
    index = default_index()
    ev, _ = index._segment_scores(texts[:2])
    feats, _ = _text_features(index, ev)
    col = FEATURES.index("warning_text")
    np.testing.assert_allclose(feats[:, 0, col], [np.log1p(2), 0.0])


def test_cue_counts_batch_equals_one_by_one():
    texts = [c.values[0] for c in CUES] + [""]
    np.testing.assert_array_equal(cue_counts(texts), np.vstack([cue_counts([t]) for t in texts]))
    with pytest.raises(TypeError, match="string object received"):
        cue_counts("một chuỗi")


def test_find_numbers_skips_disease_names():
    assert find_numbers(["COVID-19 và SARS-CoV-2: 1.000.000 ca", "", "5G 24 giờ"]) == (
        ["1000000", "24"], [0, 2])


def test_a_narrative_far_less_similar_than_the_closest_one_is_never_matched():
    """The DNA claim after "Nhưng" is refused for the DNA narrative (similarity 0.85), and
    was matched to the microchip narrative (0.48) instead, with the microchip rebuttal."""
    from vnmisinfo.narratives.decision import RELATIVE_SIMILARITY

    text = ("Bộ Y tế cho biết đã tiêm hơn 260 triệu liều vắc xin. Nhưng vắc xin COVID-19 làm "
            "thay đổi ADN của người tiêm.")
    sim, score = default_index().match_scores([text])
    ids = [n["id"] for n in default_index().narratives_]
    dna, chip = ids.index("health-005"), ids.index("health-006")
    assert sim[0, chip] < RELATIVE_SIMILARITY * sim[0, dna] and score[0, chip] == 0.0
    assert not any(m.matched for m in default_index().match([text], k=3)[0])


def test_a_claim_called_fake_in_its_next_sentence_does_not_match():
    from vnmisinfo.text.stance import falsity_counts

    relay = "Sóng 5G làm lây lan virus corona, mọi người tránh xa các trạm phát sóng nhé."
    texts = [relay, relay + " Các nhà mạng khẳng định điều này là tin giả."]
    assert falsity_counts(texts).tolist() == [0, 1]
    _, score = default_index().match_scores(texts)
    j = [n["id"] for n in default_index().narratives_].index("health-004")
    assert score[0, j] >= default_index().threshold_ > score[1, j]


def test_quotation_marks_are_a_feature_of_the_whole_text():
    from vnmisinfo.text.stance import quote_counts

    index = default_index()
    texts = ["Ăn tỏi sống mỗi ngày là không bao giờ nhiễm corona.",
             "Cái tin “ăn tỏi sống mỗi ngày là không bao giờ nhiễm corona” nghe quen lắm. "
             "Ai gửi \"tin\" này vậy?"]
    assert quote_counts(texts).tolist() == [0, 4]
    ev, _ = index._segment_scores(texts)
    feats, _ = _text_features(index, ev)
    col = FEATURES.index("quoted_text")
    assert (feats[0, :, col] == 0).all()
    np.testing.assert_allclose(feats[1, :, col], np.log1p(2))


def test_a_true_statement_is_closer_to_the_rebuttal_than_the_claim_is():
    index = default_index()
    j = [n["id"] for n in index.narratives_].index("health-001")
    texts = ["Mỗi sáng uống một ly nước chanh nóng là virus corona chết sạch",
             "Nước chanh không làm đổi độ pH của máu, và chẳng có nghiên cứu nào cho thấy "
             "nó tiêu diệt được virus SARS-CoV-2."]
    ev, _ = index._segment_scores(texts)
    feats, _ = _text_features(index, ev)
    rebut, gap = FEATURES.index("rebuttal"), FEATURES.index("rebuttal_gap")
    assert feats[1, j, rebut] > feats[0, j, rebut] + 0.1
    assert feats[1, j, gap] < 0 < feats[0, j, gap]
    _, score = index.match_scores(texts)
    assert score[0, j] >= index.threshold_ > score[1, j]


def test_the_piece_stance_is_read_at_the_best_piece():
    from vnmisinfo.narratives.decision import _best_pieces

    index = default_index()
    texts = ["Giá rau tăng nhẹ trong tuần. Trên mạng lan truyền tin ăn tỏi sống mỗi ngày "
             "sẽ không bao giờ nhiễm corona. Các chợ vẫn đủ hàng.", "Một câu ngắn.", ""]
    ev, pieces = index._segment_scores(texts)
    assert ev.piece_stance is not None
    assert ev.piece_stance.shape == (sum(map(len, pieces)), len(index.narratives_))
    best = _best_pieces(ev)
    for i in range(2):
        for j in (0, 5, 40):
            piece = ev.offsets[i] + best["where"][i, j]
            assert best["stance"][i, j] == ev.piece_stance[piece, j]
    assert (best["stance"][2] == 0.5).all()


def _stance_of(index, texts):
    from vnmisinfo.narratives.decision import _claim_free_stance, _presence
    from vnmisinfo.narratives.vectors import _views

    words = index.stance_vectorizer_.transform([_views(t)[1] for t in texts])
    return _claim_free_stance(index, words, sp.identity(len(texts), format="csr")), _presence(
        sp.identity(len(texts), format="csr"), words)


def test_the_piece_stance_reads_only_words_the_narrative_does_not_hold():
    from vnmisinfo.narratives.vectors import _l2

    index = default_index()
    claim = index.stance_claim_words_
    assert claim.shape == (len(index.narratives_), len(index.stance_vectorizer_.hashes_))
    texts = ["Ăn tỏi sống mỗi ngày không bao giờ bị lây covid, chia sẻ ngay cho cả nhà.",
             "Tin đồn ăn tỏi sống chống được covid là sai sự thật, đừng tin.",
             index.narrative("health-002")["claim"]]
    stance, x = _stance_of(index, texts)
    model = index.stance_piece_model_
    for j in (0, 1, 30, len(index.narratives_) - 1):  # the two sparse products, checked by hand
        rest = x - x.multiply(claim[[j]])
        np.testing.assert_allclose(stance[:, j], model.predict_proba(_l2(rest))[:, 1], atol=1e-9)
    j = [n["id"] for n in index.narratives_].index("health-002")
    # the claim's own words say nothing of stance: the bare claim gets the empty piece's value
    assert claim[j].multiply(x[2]).sum() == x[2].sum() > 0
    assert stance[2, j] == pytest.approx(1 / (1 + np.exp(-model.intercept_[0])))
    # what the text says around the claim decides: sharing it against calling it false
    assert stance[0, j] > 0.5 > stance[1, j]


def test_an_index_written_before_the_rebuttal_features_keeps_its_own():
    from vnmisinfo.narratives.vectors import rebuttal_scores

    state = default_index().__getstate__()
    del state["decision_features_"]
    for name in ("rebut_acc_", "rebut_free_", "rebut_owner_"):
        del state[name]
    state["feature_mean_"] = np.zeros(14)
    state.pop("stance_words", None)
    state.pop("stance_claim_words_", None)
    old = NarrativeIndex.__new__(NarrativeIndex)
    old.__setstate__(state)
    assert old.decision_features_ == list(FEATURES[:14])
    assert old.stance_words == "all"  # its piece model reads every word
    assert old.get_params()["stance_words"] == "all"
    assert rebuttal_scores(old, np.ones((2, len(old.doc_owner_)))) is None


def test_a_large_batch_scores_as_single_texts_do(monkeypatch):
    from vnmisinfo.narratives import vectors

    index = default_index()
    texts = ["Giá rau tăng. Uống nước chanh nóng diệt virus corona. Chia sẻ gấp. Trời mưa. "
             "Chợ đông.", "Trên mạng lan truyền tin đồn sóng 5G làm lây lan virus corona. "
             "Nhà mạng nói đó là tin giả. Hà Nội mưa nhỏ. Giá xăng giảm. Đường vắng."] * 100
    built = []
    real = vectors.dense_docs
    monkeypatch.setattr(vectors, "dense_docs", lambda ix: built.append(1) or real(ix))
    sim, score = index.match_scores(texts)
    assert built  # the word-sparse, character-dense product
    calls = len(built)
    one_sim, one_score = index.match_scores(texts[:2])  # the sparse product
    assert len(built) == calls
    np.testing.assert_allclose(sim[:2], one_sim, atol=1e-5)
    np.testing.assert_allclose(score[:2], one_score, atol=1e-5)


def test_refitting_an_index_drops_the_columns_of_its_earlier_fit(catalogue):
    texts = [f"Uống nước chanh nóng diệt virus corona, lần {i}." for i in range(600)]
    index = NarrativeIndex().fit(catalogue[:10])
    index.similarities(texts)  # builds the dense catalogue columns
    index.fit(catalogue[10:20])
    fresh = NarrativeIndex().fit(catalogue[10:20])
    np.testing.assert_allclose(index.similarities(texts), fresh.similarities(texts), atol=1e-6)


def test_debunk_does_not_match_while_the_claim_does():
    claim = "Uống nước chanh nóng mỗi sáng là diệt sạch virus corona"
    debunk = ("Tin đồn uống nước chanh nóng diệt virus corona là sai sự thật, "
              "Bộ Y tế khẳng định")
    asserted, refuted = default_index().match([claim, debunk], k=1)
    assert asserted[0].narrative_id == refuted[0].narrative_id == "health-001"
    assert asserted[0].matched and not refuted[0].matched


def test_number_disagreement_lowers_the_score():
    index = default_index()
    j = [n["id"] for n in index.narratives_].index("finance_rumour-005")
    texts = ["Giá xăng RON95 ở Việt Nam đã tăng lên 50.000 đồng một lít",
             "Giá xăng RON95 ở Việt Nam đã tăng lên 23.000 đồng một lít"]
    ev, _ = index._segment_scores(texts)
    feats, _ = _text_features(index, ev)
    agree, conflict = FEATURES.index("number_agree"), FEATURES.index("number_conflict")
    assert feats[0, j, agree] == 1 and feats[0, j, conflict] == 0
    assert feats[1, j, agree] == 0 and feats[1, j, conflict] == 1
    # the same text with the figure swapped for the claim's: only the figure features differ
    swapped = feats[1:, j].copy()
    swapped[:, [agree, conflict]] = [1, 0]
    cols = [FEATURES.index(n) for n in index.decision_features_]
    x = (np.vstack([feats[1:, j], swapped])[:, cols] - index.feature_mean_) / index.feature_scale_
    stance = index.stance_verifier_.predict_proba(x[:, 5:])[:, 1]
    assert stance[0] < stance[1]
    _, score = index.match_scores(texts)
    assert score[1, j] < score[0, j]


@pytest.mark.parametrize(("text", "matched"), [
    ("Xăng RON95 lên 50.000 đồng một lít rồi, đi xe đạp thôi", True),
    ("xang ron95 gio la 50 nghin dong mot lit roi ae", True),
    ("Giá xăng hôm nay giảm 300 đồng, RON95 còn 21.000 đồng/lít.", False),
    ("Giá xăng RON95 hôm nay là 21.000 đồng/lít.", False),
], ids=["the-claim", "the-claim-without-marks", "true-price-news", "true-price"])
def test_a_figure_against_the_narratives_own_is_never_a_match(text, matched):
    """Petrol at 21,000 đồng a litre is news; at 50,000 it is the rumour."""
    index = default_index()
    j = [n["id"] for n in index.narratives_].index("finance_rumour-005")
    ev, pieces = index._segment_scores([text])
    conflict = figure_conflicts(index.narratives_, pieces[0], sp.identity(len(pieces[0]),
                                                                            format="csr"))
    assert bool(conflict[:, j].any()) is not matched
    _, score = index.match_scores([text])
    assert bool(score[0, j] >= index.threshold_) is matched
    # matched or not, the petrol narrative comes first: ruled out, it keeps its similarity's place
    best = index.match_one(text, k=1)[0]
    assert best.narrative_id == "finance_rumour-005" and best.matched is matched
    if not matched:  # the verifier alone would have matched it: the figure decides
        feats, _ = _text_features(index, ev)
        assert feats[0, j, FEATURES.index("number_conflict")] == 1


def test_figures_are_read_with_their_units_and_scales():
    values, units, text_of = find_figures([
        "150 triệu người", "Dan so 1,4 trieu nguoi", "50k/lít", "giảm 300đ, còn 21.000 đồng",
        "hoa hồng 25%", "lương 1.500 USD", "nóng 37 độ C", "năm 2024, 3 lần"])
    assert values.tolist() == [150e6, 1.4e6, 300, 21000, 25, 1500, 37]
    assert units == ["people", "people", "VND", "VND", "%", "USD", "do"]
    assert text_of.tolist() == [0, 1, 3, 3, 4, 5, 6]


def test_hard_negatives_need_negatives(catalogue):
    with pytest.raises(ValueError, match="hard_negatives need negatives"):
        NarrativeIndex().fit(catalogue, hard_negatives=["Tin đồn này là sai sự thật."])


@pytest.mark.parametrize("stance_words", ["around", "all"])
def test_stance_words_chooses_what_the_piece_model_reads(catalogue, stance_words):
    near = near_miss_texts()[::4]
    index = NarrativeIndex(stance_words=stance_words).fit(
        catalogue, background=BACKGROUND, negatives=BACKGROUND, hard_negatives=near,
        positives=train_rewordings()[::4])
    assert {"near_rate", "recall_at_near", "auc_near"} <= set(index.fit_report_)
    ev, pieces = index._segment_scores(["Tin đồn ăn tỏi sống chữa khỏi covid là sai.",
                                        "Uống nước chanh nóng diệt virus corona"])
    if stance_words == "all":  # one probability per piece, whatever the narrative
        assert index.stance_claim_words_ is None and ev.piece_stance.shape == (2,)
    else:
        assert index.stance_claim_words_.shape[0] == len(catalogue)
        assert ev.piece_stance.shape == (2, len(catalogue))
        assert np.ptp(ev.piece_stance, axis=1).min() > 0  # it depends on the narrative


@pytest.mark.parametrize(("name", "counts"), [
    ("train_nonclaims.jsonl", {"opinion": 45, "political": 45, "question": 50, "personal": 140,
                               "rumour_question": 35, "claim": 35}),
    ("eval_nonclaims.jsonl", {"opinion": 35, "political": 35, "question": 40, "personal": 30,
                              "rumour_question": 30, "claim": 30}),
    ("eval_everyday.jsonl", {"everyday": 30}),
])
def test_posts_that_make_no_claim_are_valid(name, counts):
    rows = [json.loads(line) for line in (NEAR_MISS.parent / name)
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(set(r) == {"text", "kind", "label"} for r in rows)
    assert {k: sum(r["kind"] == k for r in rows) for k in counts} == counts
    assert len(rows) == sum(counts.values()) and len({_fold(r["text"]) for r in rows}) == len(rows)
    claims = {"rumour_question", "claim"}
    assert all(r["label"] == int(r["kind"] in claims) for r in rows)


def test_held_out_nonclaims_copy_no_training_text():
    def texts(name):
        return [json.loads(line)["text"] for line in (NEAR_MISS.parent / name)
                .read_text(encoding="utf-8").splitlines() if line.strip()]

    trained_on = texts("train_nonclaims.jsonl") + texts("train_reworded.jsonl")
    assert _near_copies(texts("eval_nonclaims.jsonl"), trained_on) == []
    assert _near_copies(texts("eval_everyday.jsonl"), trained_on) == []


@pytest.mark.parametrize(("text", "narrative"), [
    ("#UốngNướcChanhNóngDiệtĐượcVirusCorona", "health-001"),
    ("Tin nóng: #TiêmVắcXinLàmBiếnĐổiGen #ChiaSẻNgay", "health-005"),
    (unicodedata.normalize("NFD", "#UốngNướcChanhNóngDiệtĐượcVirusCorona"), "health-001"),
])
def test_a_claim_written_as_hashtags_is_matched(text, narrative):
    """A claim glued into a hashtag read as one word and matched nothing; its words are
    read where a capital starts one."""
    best = default_index().match_one(text, k=1)[0]
    assert best.matched and best.narrative_id == narrative
    plain = default_index().match_one(text.replace("#", "@"), k=1)[0]  # glued, not a hashtag
    assert not plain.matched


@pytest.mark.parametrize(("text", "narrative"), [
    ("uống_nước_chanh_nóng diệt_được virus_corona", "health-001"),
    ("Tin nóng: tiêm_vắc_xin làm_biến_đổi_gen, chia_sẻ_ngay", "health-005"),
])
def test_a_claim_written_with_underscores_is_matched_as_its_words(text, narrative):
    """Words joined by underscores (a hashtag without its '#') read as words, as the
    classifier reads them: the match and its score are those of the text with spaces."""
    index = default_index()
    joined, spaced = (index.match_one(t, k=1)[0] for t in (text, text.replace("_", " ")))
    assert joined.matched and joined.narrative_id == narrative
    assert joined.score == pytest.approx(spaced.score)
