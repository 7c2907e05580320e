"""Property-based tests over arbitrary Unicode: tokenization, frames and scores.

Normalization's own properties (never raises, idempotent, clean output) live
in ``test_normalize.py``.  The Hypothesis profile (the same examples on every run,
or new random ones with ``VNMISINFO_HYPOTHESIS=explore``) is set in ``conftest.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vnmisinfo.model.features import as_frame
from vnmisinfo.text.normalize import normalize_text, not_scored_reason
from vnmisinfo.text.tokenize import accent_free, segment, segment_many
from vnmisinfo.text.transformers import Tokenizer
from vnmisinfo.triage import Triage

# Vietnamese-looking text: real syllables, punctuation, digits, emoji and evasion debris,
# so that the segmenter sees words it knows as well as noise.
_PIECES = [
    "Hà", "Nội", "virus", "corona", "Bộ", "Y", "tế", "không", "được", "tin", "giả", "ĐÀ",
    "NẴNG", "ko", "dc", "v.i.r.u.s", "c o v i d", "😂", "👍🏻", "\u200b", "\u0441", "\u0301",
    "0912 345 678", "https://x.vn/a", "!!!", ",", ".", "-", "_", "\n", " ", "ạ", "ở", "ý",
    "ᴄᴏʀᴏɴᴀ", "🅥🅘🅡🅤🅢", "ᵛᶦʳᵘˢ", "🇻🇳",
]
vi_text = st.lists(st.sampled_from(_PIECES), max_size=30).map(" ".join)
any_text = st.one_of(st.text(), vi_text, st.text(alphabet=st.characters(codec="utf-8")))
docs = st.lists(st.one_of(any_text, st.none()), min_size=1, max_size=6)


# -- tokenization ---------------------------------------------------------------------------
@given(any_text)
def test_segment_never_raises_and_returns_lowercase_text(text):
    for source in (text, normalize_text(text)):
        out = segment(source)
        assert isinstance(out, str)
        assert out == out.lower()


@given(vi_text)
def test_segment_only_joins_syllables_of_normalized_text(text):
    norm = normalize_text(text)
    out = segment(norm)
    def letters(s: str) -> str:
        return "".join(s.replace("_", " ").split())

    assert letters(out) == letters(norm.lower())


@given(st.lists(any_text, max_size=5), st.sampled_from(Tokenizer._MODES))
def test_tokenizer_never_raises_and_keeps_one_output_per_text(texts, mode):
    norm = [normalize_text(t) for t in texts]
    out = Tokenizer(mode=mode).fit_transform(norm)
    assert len(out) == len(texts) and all(isinstance(t, str) for t in out)
    if mode == "accent_free":
        assert out == [accent_free(t) for t in norm]


@given(st.lists(any_text, max_size=6))
def test_segment_many_equals_segment_one_by_one(texts):
    assert segment_many(texts) == [segment(t) for t in texts]


# -- frames ---------------------------------------------------------------------------------
@given(docs)
def test_as_frame_accepts_any_text_or_none(items):
    frame = as_frame(items)
    assert len(frame) == len(items)
    for item, got in zip(items, frame["text"], strict=True):
        assert isinstance(got, str)
        got.encode("utf-8")  # raises if a lone surrogate got through
        if item is None:
            assert got == ""
        elif not any(0xD800 <= ord(ch) <= 0xDFFF for ch in item):
            assert got == item


# -- scores ---------------------------------------------------------------------------------
@given(docs)
def test_scores_are_probabilities_and_deterministic(fitted_detector, items):
    first = fitted_detector.predict_proba(items)[:, 1]
    assert np.all((first >= 0.0) & (first <= 1.0))
    np.testing.assert_array_equal(fitted_detector.predict_proba(items)[:, 1], first)
    scored = Triage(fitted_detector).score(items, explain=3)
    norms = fitted_detector.preprocess(items)["norm"]
    for r, p, norm in zip(scored, first.tolist(), norms, strict=True):
        if not_scored_reason(norm) is None:
            assert r["probability"] == pytest.approx(p, abs=1e-12)
            assert r["label"] in (0, 1) and r["tier"] in ("high", "medium", "low")
        else:  # nothing left to score (or no words), as in a batch
            assert np.isnan(r["probability"]) and r["tier"] is None and r["label"] == 0
            assert r["tier_reason"] == not_scored_reason(norm)


@given(docs, st.randoms(use_true_random=False))
def test_scores_equal_one_by_one_and_do_not_depend_on_order(fitted_detector, items, rnd):
    batch = fitted_detector.predict_proba(items)[:, 1]
    single = [fitted_detector.predict_proba([item])[0, 1] for item in items]
    np.testing.assert_allclose(batch, single, rtol=0, atol=1e-12)
    order = list(range(len(items)))
    rnd.shuffle(order)
    shuffled = fitted_detector.predict_proba([items[i] for i in order])[:, 1]
    np.testing.assert_allclose(shuffled, batch[order], rtol=0, atol=1e-12)


@given(docs)
def test_shipped_terms_never_raise_and_name_each_term_once(items):
    """Whatever the text (lone combining marks, emoji, look-alikes), naming and merging the
    terms of the shipped model never fails, and no term is listed twice."""
    import vnmisinfo

    for result in vnmisinfo.load_model().detector.explain(items, k=5):
        names = [t for t, _ in result["top_terms"]]
        assert len(names) == len(set(names)) and all(names)
