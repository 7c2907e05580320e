"""Hashed n-grams: the same n-grams as scikit-learn's analyzers, found again by name."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from vnmisinfo.model.hashing import HashedTfidf, NgramHasher

TEXTS = [
    "Uống nước chanh nóng diệt được virus corona!!",
    "hà nội  mưa to,   gió lớn 😂 a b",
    "",
    "   ",
    "x",
    "Bộ Y tế: 5G không lây COVID-19 — tin giả (nguồn: __url__)",
    "a\tb\nc đ",
]
CASES = [("char", (1, 5)), ("char", (2, 4)), ("char_wb", (2, 5)), ("char_wb", (4, 6)),
         ("word", (1, 2)), ("word", (1, 3)), ("word", (2, 2))]


def _hash_of(gram: str, analyzer: str) -> int:
    """The hash one n-gram string gets, hashed alone as a whole."""
    if analyzer == "word":
        k = len(gram.split(" "))
        _, hashes = NgramHasher("word", (k, k)).hashes([gram])
    else:
        _, hashes = NgramHasher("char", (len(gram), len(gram))).hashes([gram])
    assert len(hashes) == 1
    return int(hashes[0])


@pytest.mark.parametrize(("analyzer", "ngram_range"), CASES)
def test_same_ngrams_as_sklearn(analyzer, ngram_range):
    reference = CountVectorizer(
        analyzer=analyzer, ngram_range=ngram_range, lowercase=False,
        token_pattern=r"(?u)\b\w+\b" if analyzer == "word" else None).build_analyzer()
    indptr, hashes = NgramHasher(analyzer, ngram_range).hashes(TEXTS)
    assert len(indptr) == len(TEXTS) + 1
    for i, text in enumerate(TEXTS):
        expected = Counter(_hash_of(g, analyzer) for g in reference(text))
        got = Counter(int(h) for h in hashes[indptr[i]:indptr[i + 1]])
        assert got == expected, (analyzer, ngram_range, text)


def test_distinct_ngrams_get_distinct_hashes():
    reference = CountVectorizer(analyzer="char", ngram_range=(1, 5), lowercase=False)
    grams = set(reference.build_analyzer()(" ".join(TEXTS)))
    assert len({_hash_of(g, "char") for g in grams}) == len(grams)


def test_tfidf_matches_sklearn_without_collisions():
    docs = ["hà nội mưa to", "hà nội nắng", "sài gòn mưa", "mưa mưa mưa to"]
    ours = HashedTfidf(analyzer="word", ngram_range=(1, 2), n_features=2**24).fit(docs)
    ref = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), sublinear_tf=True,
                          lowercase=False).fit(docs)
    new = ["mưa to ở hà nội", "trời nắng", "mưa mưa to mưa to"]  # repeats: sublinear counts
    x, r = ours.transform(new), ref.transform(new)
    assert x.has_canonical_format  # one sorted entry per document and bucket
    assert np.allclose(np.sort(x.toarray(), axis=1)[:, -8:], np.sort(r.toarray(), axis=1)[:, -8:],
                       atol=1e-6)
    # every non-zero bucket is named by its n-gram, and the names are sklearn's terms
    rows, cols = x.nonzero()
    names = ours.names(new, rows, cols)
    terms = set(ref.get_feature_names_out())
    assert set(names) <= terms and len(set(zip(rows, names, strict=True))) == x.nnz


def test_min_df_drops_rare_buckets_and_unigrams_are_kept():
    vec = HashedTfidf(n_features=2**16, min_df=2).fit(["hà nội mưa", "hà nội nắng", "trời"])
    assert set(vec.unigrams_.split("\n")) == {"hà", "nội"}
    assert vec.transform(["trời mưa"]).nnz == 0
    assert vec.transform(["hà nội"]).nnz == 3


def test_a_column_absent_from_the_document_has_no_name():
    vec = HashedTfidf(n_features=2**16).fit(["hà nội", "mưa"])
    (col,) = vec.transform(["mưa"]).indices
    assert vec.names(["hà nội", "mưa"], [0, 1], [col, col]) == ["", "mưa"]


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="analyzer"):
        NgramHasher("bytes", (1, 2))
    with pytest.raises(ValueError, match="ngram_range"):
        NgramHasher("char", (3, 2))
    with pytest.raises(TypeError, match="string object"):
        HashedTfidf().fit("one string")
    with pytest.raises(ValueError, match="n_features"):
        HashedTfidf(n_features=0).fit(["a"])


@pytest.mark.parametrize(("analyzer", "ngram_range", "min_df"),
                         [("word", (1, 2), 1), ("word", (1, 2), 2), ("char_wb", (2, 5), 1)])
def test_counts_equal_countvectorizer_column_for_column(analyzer, ngram_range, min_df):
    from vnmisinfo.model.vocabulary import HashedCounts

    train = TEXTS + ["hà nội mưa to", "mưa to ở sài gòn", "Uống nước chanh nóng"]
    ours = HashedCounts(analyzer=analyzer, ngram_range=ngram_range, min_df=min_df).fit(train)
    ref = CountVectorizer(analyzer=analyzer, ngram_range=ngram_range, min_df=min_df,
                          lowercase=False,
                          token_pattern=r"(?u)\b\w+\b" if analyzer == "word" else None).fit(train)
    terms = ref.get_feature_names_out()
    column = np.searchsorted(ours.hashes_, [_hash_of(t, analyzer) for t in terms])
    assert len(ours.hashes_) == len(terms) and len(set(column.tolist())) == len(terms)
    new = ["mưa to ở hà nội nóng", "", "chanh chanh nóng"]
    np.testing.assert_array_equal(ours.transform(new).toarray()[:, column],
                                  ref.transform(new).toarray())
    np.testing.assert_array_equal(ours.fit_transform(train).toarray()[:, column],
                                  ref.transform(train).toarray())
    assert (ours.orders_[column] == [len(t.split(" ")) if analyzer == "word" else len(t)
                                     for t in terms]).all()


@pytest.mark.parametrize("analyzer", ["word", "char", "char_wb"])
def test_fit_transform_equals_fit_then_transform(analyzer):
    docs = [*TEXTS, "hà nội mưa to", "mưa mưa", "sài gòn nắng to"]
    vec = HashedTfidf(analyzer=analyzer, ngram_range=(1, 3), n_features=2**12, min_df=2)
    once = vec.fit_transform(docs)
    assert once.has_sorted_indices and (once != vec.transform(docs)).nnz == 0


@pytest.mark.parametrize(("analyzer", "ngram_range", "min_df"),
                         [("char", (1, 5), 2), ("char_wb", (2, 4), 1), ("word", (1, 2), 2),
                          ("word", (1, 1), 1), ("word", (2, 3), 1)])
def test_fitting_in_slices_equals_fitting_at_once(monkeypatch, analyzer, ngram_range, min_df):
    """Training documents are hashed a few hundred at a time; nothing fitted may change."""
    import vnmisinfo.model.hashing as hashing

    texts = [*TEXTS, "", *[t.upper() for t in TEXTS], "Hà Nội mưa", "hà nội mưa to"] * 3
    fitted = []
    for rows in (10**9, 1, 4):
        monkeypatch.setattr(hashing, "_FIT_ROWS", rows)
        vec = HashedTfidf(analyzer=analyzer, ngram_range=ngram_range, min_df=min_df,
                          n_features=2**12)
        X = vec.fit_transform(texts)
        fitted.append((vec.buckets_.tolist(), vec.idf_.tolist(), vec.unigrams_, X.toarray()))
    whole = fitted[0]
    assert (whole[2] != "") == (analyzer == "word" and ngram_range[0] == 1)
    for other in fitted[1:]:
        assert other[:3] == whole[:3]
        np.testing.assert_array_equal(other[3], whole[3])


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 3)], ids=["uni", "uni-bi", "bi-tri"])
def test_a_phrase_hashes_as_the_word_ngram_it_is_in_a_text(ngram_range):
    hasher = NgramHasher("word", ngram_range)
    text = "Sóng 5G làm lây lan virus corona ở Hà Nội"
    words = text.split()
    lo, hi = ngram_range
    phrases = [" ".join(words[i:i + n]) for n in range(lo, hi + 1)
               for i in range(len(words) - n + 1)]
    _, in_text = hasher.hashes([text])
    assert sorted(hasher.gram_hashes(phrases).tolist()) == sorted(in_text.tolist())


@pytest.mark.parametrize("analyzer, gram", [("char", "abcdefg"), ("word", "một hai ba")],
                         ids=["char too long", "phrase too long"])
def test_an_ngram_outside_the_range_has_no_column(analyzer, gram):
    texts = ["một hai ba bốn", "một hai", "abcdefg hai"] * 3
    vec = HashedTfidf(analyzer=analyzer, ngram_range=(1, 2), n_features=2, min_df=1,
                      max_df=1.0).fit(texts)
    # 2 buckets: bucket 0 is kept, and an n-gram no text can hold must not land there
    assert vec._column_of()[0] >= 0
    assert vec.columns_of([gram]).tolist() == [-1]
