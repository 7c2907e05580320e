"""The shipped default model scores evasive spellings of a text like the text itself.

The perturbations are those of ``benchmarks/perturb.py`` (seeded), applied to
fixed, hand-written posts.  Invisible characters, look-alike letters and fancy
letters (small capitals, enclosed and superscript letters) are undone by
normalization, so their scores must stay within 0.02 of the clean score.
Text typed without diacritics is a different, ambiguous text (``ma`` may be
``ma``, ``má``, ``mà``, ``mã`` or ``mạ``); only the accent-free channel
carries it, so its bound is looser: see ``NO_DIACRITICS_BOUND``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import vnmisinfo

_spec = importlib.util.spec_from_file_location(
    "perturb", Path(__file__).resolve().parents[1] / "benchmarks" / "perturb.py")
assert _spec is not None and _spec.loader is not None
perturb_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(perturb_module)
perturb = perturb_module.perturb

TEXTS = {
    "lemon-cure": "Uống nước chanh nóng mỗi sáng sẽ diệt được virus corona trong cổ họng, "
                  "chia sẻ gấp cho mọi người cùng biết!",
    "bank-rumour": "Khẩn cấp: ngân hàng sắp đổi tiền mới, người dân hãy rút hết tiền tiết "
                   "kiệm ra ngay kẻo mất trắng.",
    "dam-rumour": "Tin nóng: đập thủy điện đang có nguy cơ vỡ, toàn bộ người dân vùng hạ du "
                  "phải sơ tán ngay trong đêm nay.",
    "weather": "Theo Trung tâm Dự báo khí tượng thủy văn quốc gia, Hà Nội hôm nay có mưa rào "
               "rải rác, nhiệt độ cao nhất 31 độ C.",
    "traffic": "Sở Giao thông vận tải thông báo phân luồng tạm thời trên đường Láng từ ngày "
               "15/3 để thi công cầu vượt.",
    "school": "Các trường học tại Đà Nẵng tổ chức lễ khai giảng năm học mới vào sáng thứ Hai, "
              "học sinh mặc đồng phục theo quy định.",
}

#: Allowed |p(perturbed) - p(clean)| for invisible characters, homoglyphs, fancy letters and
#: digits typed for letters.
EVASION_BOUND = 0.02
#: Allowed |p(no diacritics) - p(clean)| per text.  An earlier model (no augmentation)
#: moved the news texts by up to +0.35, their accent-free spelling looking like the informal
#: posts of its training data; the shipped model moves these texts by at most 0.12 (the
#: one-liner in docs/robustness.md).  0.40 keeps that worst case plus a margin for
#: retraining; the mean bound below is the tighter check.
NO_DIACRITICS_BOUND = 0.40
#: Allowed mean |p(no diacritics) - p(clean)| over TEXTS (0.12 for the earlier model).
NO_DIACRITICS_MEAN_BOUND = 0.15


@pytest.fixture(scope="module")
def model():
    return vnmisinfo.load_model()


def _proba(model, texts):
    return model.detector.predict_proba(list(texts))[:, 1]


@pytest.mark.parametrize("name", ["zero_width", "homoglyphs", "fancy_letters", "leetspeak",
                                  "lower_hashtags", "styled"])
@pytest.mark.parametrize("text_id", list(TEXTS))
def test_evasion_keeps_the_score(model, name, text_id):
    clean = TEXTS[text_id]
    dirty = perturb(name, clean, seed=1)
    assert dirty != clean
    p_clean, p_dirty = _proba(model, [clean, dirty])
    assert abs(p_dirty - p_clean) <= EVASION_BOUND


@pytest.mark.parametrize("text_id", list(TEXTS))
def test_no_diacritics_stays_close(model, text_id):
    clean = TEXTS[text_id]
    bare = perturb("no_diacritics", clean)
    assert bare != clean and bare.isascii()
    p_clean, p_bare = _proba(model, [clean, bare])
    assert abs(p_bare - p_clean) <= NO_DIACRITICS_BOUND


def test_no_diacritics_mean_gap(model):
    clean = _proba(model, TEXTS.values())
    bare = _proba(model, [perturb("no_diacritics", t) for t in TEXTS.values()])
    assert np.abs(bare - clean).mean() <= NO_DIACRITICS_MEAN_BOUND


def test_no_diacritics_keeps_the_ranking(model):
    clean = _proba(model, TEXTS.values())
    bare = _proba(model, [perturb("no_diacritics", t) for t in TEXTS.values()])
    rumours, news = slice(0, 3), slice(3, 6)
    assert bare[rumours].min() > bare[news].max()
    assert clean[rumours].min() > clean[news].max()


@pytest.mark.parametrize("name", ["spaced_letters", "emoji_letters", "decorated", "teencode",
                                  "blank_spaces", "hashtags", "underscores"])
def test_normalized_evasions_score_exactly_like_clean_text(model, name):
    # These perturbations are fully undone by normalization on these texts (a claim glued
    # into hashtags, '#UốngNướcChanh', or joined by underscores reads as its words).
    clean = list(TEXTS.values())
    dirty = [perturb(name, t, seed=2) for t in clean]
    assert dirty != clean
    np.testing.assert_allclose(_proba(model, dirty), _proba(model, clean), atol=1e-9)


def test_the_styled_fake_articles_of_vfnd_read_as_plain_vietnamese():
    """Five fake VFND articles are typed in look-alikes ('qυên rúт ѕạc đιện тнoạι', 'Một
    nցười Ƭrunց', 'ρɦáo tɾonց tɑу'): normalized, they hold none of them."""
    from vnmisinfo.data.corpora import default_data_dir
    from vnmisinfo.text.normalize import normalize_text

    path = default_data_dir() / "vfnd" / "vfnd_json_274.csv"
    if not path.exists():
        pytest.skip(f"the public corpora are not at {path.parent.parent}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts = [t for t in frame["title"] + " " + frame["text"] if re.search("[тнмցᵭƙɦ]", t)]
    assert len(texts) >= 5
    for text in texts:
        assert not re.search("[тнмвкиιυѕցᵭƙƬɾɦƅĸρ]", normalize_text(text)), text[:80]
