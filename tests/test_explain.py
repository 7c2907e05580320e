"""Explanations map back to the original text."""

from __future__ import annotations

import pytest

from vnmisinfo.model.explain import format_terms, highlight_spans, readable_term


@pytest.mark.parametrize(
    ("name", "expected"),
    [("words__hà_nội", "hà nội"), ("syllables__y tế", "y tế"), ("chars__ coro", "«coro»"),
     ("accent_free__ha noi", "≈ha noi"), ("meta__missing_time", "[missing_time]"),
     ("syllables__xem __url__", "xem __url__"), ("accent_free____phone__", "≈__phone__"),
     ("chars___", ""), ("accent_free_chars__l__ ", ""), ("syllables__covid_19", "covid_19"),
     ("words__corona ____", "corona ____")],
    ids=["words", "syllables", "chars", "accent-free", "meta", "placeholder",
         "accent-free-placeholder", "underscores", "piece-of-a-placeholder",
         "underscore-in-the-text", "underscores-of-the-text"],
)
def test_readable_terms(name, expected):
    assert readable_term(name) == expected


def test_a_link_reads_as_its_placeholder_in_the_terms_of_the_shipped_model():
    """A link read '  url  ' and '≈  url  ', and underscores '«_»', '«__»' took term slots."""
    from vnmisinfo import load_model

    terms = dict(load_model().score(["Xem tại https://tin-gia.vn/abc"])[0]["top_terms"])
    assert "__url__" in terms
    assert not [t for t in terms if "_" in t and t != "__url__"]


def test_words_joined_by_an_underscore_read_and_are_drawn_as_words():
    """'covid_19' read as one glued token ('covid_19', '«d_1»'); it now reads as 'covid 19',
    the same as the words written apart and as the hashtag '#Covid_19', and its terms are
    drawn on the joined words."""
    from vnmisinfo import load_model

    detector = load_model().detector
    texts = ["Covid_19 lây qua sóng 5G", "Covid 19 lây qua sóng 5G", "#Covid_19 lây qua sóng 5G"]
    joined, apart, tagged = (dict(r["top_terms"]) for r in detector.explain(texts, k=10**6))
    assert joined == apart == tagged
    assert "covid 19" in joined and not [t for t in joined if "_" in t]
    assert [texts[0][s:e] for s, e, _ in highlight_spans(texts[0], [("covid 19", 0.1)])] == [
        "Covid_19"]


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        ("Uống nước CHANH nóng", [("nước chanh", 1.0)], ["nước CHANH"]),
        ("Uong nuoc chanh", [("nước chanh", 1.0)], ["nuoc chanh"]),
        ("Tin: Hà   Nội, mưa", [("hà nội", 0.5)], ["Hà   Nội"]),
        ("virus corona", [("≈virus", 0.2), ("[log_likes]", 0.9)], ["virus"]),
        ("coronavirus", [("«rona»", 0.3)], ["rona"]),
        ("ở đây", [("ở", 0.1)], ["ở"]),
    ],
    ids=["case", "no-diacritics", "spacing", "skip-meta", "char-gram", "one-letter"],
)
def test_highlight_spans_point_into_the_raw_text(text, terms, expected):
    spans = highlight_spans(text, terms)
    assert [text[s:e] for s, e, _ in spans] == expected


def test_terms_are_drawn_inside_a_hashtag_where_it_is_cut_into_words():
    """The model reads ``#UốngNướcChanh`` as ``uống nước chanh``: its terms are drawn on the
    words inside the hashtag, but not on a run of letters that is no word of it."""
    text = "Tin #UốngNướcChanh nóng #Covid_19 thanh"
    assert _drawn(text, [("nước chanh", 0.5), ("covid 19", 0.2)]) == [
        ("NướcChanh", 0.5), ("Covid_19", 0.2)]
    assert _drawn(text, [("chanh nóng", 0.4)]) == [("Chanh nóng", 0.4)]
    assert _drawn(text, [("ống", 0.3), ("an", 0.1), ("ướcc", 0.1)]) == []  # inside words
    # no capitals: cut into syllables; English is not cut
    assert _drawn("#uongnuocchanh", [("nuoc chanh", 0.5)]) == [("nuocchanh", 0.5)]
    assert _drawn("#stayhome", [("stay", 0.5)]) == []


def test_overlapping_spans_keep_the_stronger_term():
    spans = highlight_spans("nước chanh nóng", [("nước chanh", 0.2), ("chanh nóng", -0.9)])
    assert [(s, e) for s, e, _ in spans] == [(5, 15)]


_TONES_TEXT = "Thi thì thí sinh thị trấn đi thi, giờ thì hết chối nhé mọi người chia sẻ"
_TONES_TERMS = [("hết", 0.347), ("thì", 0.308), ("thi", -0.299), ("nhé", 0.256), ("thí", 0.235),
                ("mọi người", 0.218), ("nhé mọi", 0.191), ("sinh", 0.158)]


def _drawn(text, terms, **kwargs):
    """Each highlighted piece of ``text`` with the weight it shows."""
    return [(text[s:e], w) for s, e, w in highlight_spans(text, terms, **kwargs)]


def test_a_term_is_drawn_only_on_the_words_with_its_tone_marks():
    """'thì' (+0.308) was drawn on 'Thi', 'thí', 'thị' and 'thi': 'thi' lowered the score
    (-0.299) and showed red, 'thí' has a term of its own (+0.235)."""
    assert _drawn(_TONES_TEXT, _TONES_TERMS) == [
        ("Thi", -0.299), ("thì", 0.308), ("thí", 0.235), ("sinh", 0.158), ("thi", -0.299),
        ("thì", 0.308), ("hết", 0.347), ("nhé", 0.256), ("mọi người", 0.218)]


def test_an_accent_free_term_is_drawn_on_every_word_of_its_reading_but_their_own_terms():
    text = "ba bà bá bả bã bạ Hoà"
    drawn = _drawn(text, [("≈ba", 0.165), ("bà", -0.3), ("hòa", 0.1)])
    assert drawn == [("ba", 0.165), ("bà", -0.3), ("bá", 0.165), ("bả", 0.165), ("bã", 0.165),
                     ("bạ", 0.165), ("Hoà", 0.1)]  # the normalizer's 'hoà' reads 'hòa'


def test_a_text_typed_without_tone_marks_is_matched_without_them():
    text = "Thi thi thi sinh nhe moi nguoi"
    assert _drawn(text, [("thì", 0.3), ("mọi người", 0.2)]) == [
        ("Thi", 0.3), ("thi", 0.3), ("thi", 0.3), ("moi nguoi", 0.2)]
    assert _drawn(_TONES_TEXT, [("thì", 0.3)], fold=True)[:4] == [
        ("Thi", 0.3), ("thì", 0.3), ("thí", 0.3), ("thị", 0.3)]


def test_the_sample_highlights_each_word_with_its_own_term():
    """s009 ('... phòng thí nghiệm, giờ thì hết chối nhé.'): the term 'thí' (+0.188) of
    'thí nghiệm' was drawn on the word 'thì' of 'giờ thì'."""
    import csv
    from pathlib import Path

    import vnmisinfo
    from vnmisinfo.text.normalize import normalize_text

    sample = Path(__file__).resolve().parents[1] / "corpora" / "sample" / "posts.csv"
    with open(sample, encoding="utf-8", newline="") as f:
        (text,) = [r["text"] for r in csv.DictReader(f) if r["id"] == "s009"]
    (result,) = vnmisinfo.load_model().detector.explain([text], k=8)
    terms = result["top_terms"]
    assert "thí" in dict(terms)
    by_weight = {w: t for t, w in terms}
    assert len(by_weight) == len(terms)
    drawn = _drawn(text, terms)
    assert drawn
    for piece, weight in drawn:
        term = by_weight[weight]
        read = normalize_text(piece).lower().split()
        assert term.startswith("≈") or read == term.strip("«»").split()
    # 'thì' is drawn only as the term 'thì' (when the model shows it), never as 'thí'
    assert {by_weight[w] for piece, w in drawn if piece == "thì"} <= {"thì"}
    assert "thí" in {by_weight[w] for piece, w in drawn}


def test_format_terms_is_readable():
    assert format_terms([("a b", 0.5), ("c", -0.25)]) == "a b:+0.500; c:-0.250"


def test_top_terms_and_their_weights_do_not_depend_on_k():
    """The k terms shown are the first k of the list ranked over every feature, each with
    its exact weight, the spacings of a character n-gram summed (shipped model, sample)."""
    from pathlib import Path

    import pandas as pd

    import vnmisinfo

    sample = Path(__file__).resolve().parents[1] / "corpora" / "sample" / "posts.csv"
    posts = pd.read_csv(sample)
    detector = vnmisinfo.load_model().detector
    every = detector.explain(posts, k=10**6)
    for k in (1, 3, 5):
        shown = detector.explain(posts, k=k)
        assert [r["top_terms"] for r in shown] == [r["top_terms"][:k] for r in every]
    merged = [t for r in every for t, _ in r["top_terms"][:5] if t.startswith("«")]
    assert merged  # character n-grams are among the terms shown


def test_terms_of_text_typed_without_tone_marks_are_the_first_of_every_feature():
    """A post typed without marks, when its marks are not put back, is scored by the
    accent-free models, whose weight is spread over many weak character n-grams: a word
    merged from them must still be shown when it ranks among the first (47 of the 49 sample
    posts before the wider shortlist)."""
    import copy
    from pathlib import Path

    import pandas as pd

    import vnmisinfo
    from vnmisinfo.text.accents import strip_diacritics

    sample = Path(__file__).resolve().parents[1] / "corpora" / "sample" / "posts.csv"
    posts = pd.DataFrame({"text": [strip_diacritics(t) for t in pd.read_csv(sample)["text"]]})
    detector = copy.copy(vnmisinfo.load_model().detector)
    detector.restore_marks = False
    every = detector.explain(posts, k=10**6)
    shown = detector.explain(posts, k=5)
    assert [r["top_terms"] for r in shown] == [r["top_terms"][:5] for r in every]
    assert sum(t.startswith("≈") for r in shown for t, _ in r["top_terms"]) > 200


def test_the_shipped_model_reads_posts_typed_without_marks_as_marked_ones():
    """With their tone marks put back, the sample posts typed without them score within 0.04
    of the posts as written, on the mean; scored by the accent-free models, within 0.11."""
    import copy
    from pathlib import Path

    import numpy as np
    import pandas as pd

    import vnmisinfo
    from vnmisinfo.text.accents import strip_diacritics

    sample = Path(__file__).resolve().parents[1] / "corpora" / "sample" / "posts.csv"
    texts = pd.read_csv(sample)["text"].tolist()
    typed = [strip_diacritics(t) for t in texts]
    detector = vnmisinfo.load_model().detector
    assert detector.restore_marks
    unrestored = copy.copy(detector)
    unrestored.restore_marks = False
    written = detector.predict_proba(texts)[:, 1]
    restored_gap = np.abs(detector.predict_proba(typed)[:, 1] - written).mean()
    route_gap = np.abs(unrestored.predict_proba(typed)[:, 1] - written).mean()
    assert restored_gap < 0.05 < route_gap
    terms = [t for r in detector.explain(typed[:10], k=5) for t, _ in r["top_terms"]]
    assert sum(t.startswith("≈") for t in terms) < len(terms) / 2  # marked words, mostly


@pytest.mark.parametrize("terms, expected", [
    ([("≈moi nguoi", 0.1), ("sắp", 0.2)], [("mọi người", "moi nguoi"), ("sắp", "sap")]),
    ([("≈moi", 0.1)], []),
    ([("mới", 0.1)], []),
    ([("«sắp»", 0.1), ("≈«sap»", 0.1), ("[likes]", 0.2)], []),
], ids=["accent-free and accented", "one reading, two words", "its reading is shared",
        "only word terms"])
def test_accent_twins_pair_a_word_with_its_only_accent_free_reading(terms, expected):
    from vnmisinfo.model.terms import accent_twins

    assert accent_twins(terms, "mọi người mới sắp về", "moi nguoi moi sap ve") == expected


def _summed_contribution(detector, union, model, columns, text, parts):
    """Sum over the distinct columns of ``parts`` (channel, n-grams) of coef x feature value
    of ``text``: a term's weight, computed straight from the features.  ``columns`` are the
    union columns a text-only model reads (its coefficients' order)."""
    import numpy as np

    from vnmisinfo.model.features import _vectorizer

    X = union.transform(detector.preprocess([text]))
    coef = np.ravel(model.calibrated_classifiers_[0].estimator.coef_)
    assert len(coef) == len(columns)
    cols = set()
    for channel, grams in parts:
        local = _vectorizer(union.named_transformers_[channel]).columns_of(grams)
        assert (local >= 0).any()  # the channel holds the term
        cols |= {union.output_indices_[channel].start + int(c) for c in local if c >= 0}
    return sum(X[0, c] * coef[int(np.searchsorted(columns, c))] for c in cols)


@pytest.mark.parametrize("text, view, term, gone, parts", [
    ("Chia sẻ gấp cho mọi người: uống nước chanh nóng mỗi sáng diệt được virus corona", "",
     "mọi người", "≈moi nguoi", [("syllables", ["mọi người"]), ("accent_free", ["moi nguoi"])]),
    ("cai nay bao nhieu tien vay moi nguoi, cai ao nay dep qua", "plain_", "≈cai", "≈«cai»",
     [("accent_free", ["cai"]), ("accent_free_chars", ["cai", " cai", "cai ", " cai "])]),
], ids=["a word and its accent-free reading", "a word and its character n-gram"])
def test_one_word_is_one_term_with_the_summed_weight(text, view, term, gone, parts):
    """A word read by two channels is one term whose weight is the sum of both
    contributions (every spacing of a character n-gram), computed here from the features
    of the model that scores the post: a post with no metadata takes the shipped model's
    text-only model (over the accent-free view for a post typed without tone marks, when its
    marks are not put back)."""
    import copy

    import vnmisinfo

    detector = copy.copy(vnmisinfo.load_model().detector)
    detector.restore_marks = False
    (result,) = detector.explain([text], k=10**6)
    terms = dict(result["top_terms"])
    assert term in terms and gone not in terms
    expected = _summed_contribution(detector, getattr(detector, f"{view}features_"),
                                    getattr(detector, f"{view}text_model_"),
                                    getattr(detector, f"{view}text_columns_"), text, parts)
    assert terms[term] == pytest.approx(expected, abs=1e-4)


def test_whole_words_leave_a_run_of_letters_found_inside_other_words():
    from vnmisinfo.model.terms import whole_words

    terms = [("«an»", 0.2), ("an", 0.1), ("«gạo»", 0.1), ("≈gao", 0.1)]
    assert whole_words(terms, "gạo an toàn, thanh toán") == ["gạo"]  # "an" is in "thanh"
    assert whole_words(terms, "gao an toan", mark="≈") == ["gao"]


#: Posts whose terms once missed part of the decision value: a literal underscore, hashtags,
#: a link, a phone number (placeholders), a line of underscores, a character n-gram whose
#: spacing " iện" shares a bucket with "ề v", written in the post; and ordinary posts, one with
#: its counts (context), one typed without tone marks (the accent-free model).
_ADDING_UP = [
    "Covid_19", "hello #world ok", "Lừa đảo #lừađảo #khẩutrang #covid_19",
    "Xem tại https://tin-gia.vn/abc", "Chi tiet xem tai https://abc.vn nhe",
    "gọi 0912345678 ngay", "Hồng Kông có ca tử vong _______ vì virus Corona",
    "về việc thực hiện", "Uống nước chanh nóng diệt virus corona",
    {"text": "Chia sẻ gấp: uống nước chanh nóng diệt virus corona __ mọi người nhé",
     "likes": 1329, "comments": 77, "shares": 404, "timestamp": 1752570693},
]


def test_every_term_context_and_intercept_add_up_to_the_decision_value():
    """Each term's weight is its share of ``intercept + coef @ x``: all the terms of a post
    (``explain(k=10**6)``), its context signals and the intercept sum to its decision value.
    Each weight is rounded to 4 decimals once, so the sum may be off by 5e-5 per number."""
    import numpy as np

    import vnmisinfo

    detector = vnmisinfo.load_model().detector
    results = detector.explain(_ADDING_UP, k=10**6)
    decision = detector.decision_function(_ADDING_UP)
    intercept = np.zeros(len(_ADDING_UP))
    for rows, _, calibrated, *_ in detector._parts(detector.preprocess(_ADDING_UP)):
        intercept[rows] = np.ravel(calibrated.estimator.intercept_)[0]
    off = []
    for doc, result, d, b in zip(_ADDING_UP, results, decision, intercept, strict=True):
        weights = [w for _, w in result["top_terms"]] + [w for _, w in result["context"]]
        if abs(sum(weights) + b - d) > 5e-5 * len(weights):
            off.append((doc, round(sum(weights) + b - d, 4)))
        assert all(t for t, _ in result["top_terms"])  # every term reads as something
    assert not off



def test_top_pairs_keep_a_tie_whatever_rows_are_scored_beside():
    """Of contributions equal at the k-th place, which were kept depended on the width the
    row was padded to, so a post's terms changed with the posts scored in its batch."""
    import numpy as np
    import scipy.sparse as sp

    from vnmisinfo.model.explain import top_pairs

    rng = np.random.default_rng(0)
    tied = np.r_[rng.uniform(1.0, 2.0, 6), np.full(40, 0.5), rng.uniform(0.0, 0.4, 30)]
    row = sp.csr_matrix(rng.permutation(tied)[None, :])
    alone = top_pairs(row, np.ones(row.shape[1]), 10)
    for width in (3, 200, 5000):  # the row beside it pads the chunk to its width, or not
        other = sp.csr_matrix(rng.uniform(0.1, 1.0, (1, width)))
        block = sp.vstack([sp.hstack([other, sp.csr_matrix((1, row.shape[1]))]),
                           sp.hstack([sp.csr_matrix((1, width)), row])]).tocsr()
        rows, cols, values = top_pairs(block, np.ones(block.shape[1]), 10)
        assert (cols[rows == 1] - width).tolist() == alone[1].tolist()
        assert values[rows == 1].tolist() == alone[2].tolist()
    # every contribution as large as the 10th is kept, the largest first, ties by column
    assert len(alone[1]) == 6 + 40 and alone[2][5] > alone[2][6] == alone[2][-1] == 0.5
    assert alone[1][6:].tolist() == sorted(alone[1][6:].tolist())
