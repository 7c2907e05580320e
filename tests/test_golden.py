"""Golden outputs: the shipped model scores fixed texts to pinned probabilities.

If the shipped model is rebuilt on purpose (``make model``), update these values in the same
commit; any other change to them is a regression in normalization, features or loading.
"""

from __future__ import annotations

import pytest

import vnmisinfo

GOLDEN = [
    ("Uống nước nóng diệt được virus corona", 0.9788196156800739, "high"),
    ("Uong nuoc nong diet duoc virus corona", 0.9788196156800739, "high"),
    ("Hà Nội hôm nay trời nắng nhẹ, nhiệt độ cao nhất 32 độ", 0.011910467027564433, "low"),
    ("Đội tuyển Việt Nam thắng 2-0 trong trận giao hữu tối qua", 0.011062128243990934, "low"),
    ({"text": "Ngân hàng nhà nước sắp đổi tiền, rút tiền ngay", "likes": 120, "comments": 30,
      "shares": 400, "timestamp": 1585000000}, 0.714669523365774, "high"),
    # A low classifier score, lifted to medium by a confident match: the post asserts the claim.
    ("Bộ Y tế cho biết đã tiêm hơn 260 triệu liều vắc xin. Vắc xin COVID-19 làm thay đổi ADN "
     "của người tiêm đấy, mọi người cẩn thận.", 0.3998747366856003, "medium"),
    # A news report that someone online says so does not assert it: not lifted.
    ("Bộ Y tế cho biết đã tiêm hơn 260 triệu liều vắc xin. Trên mạng có người nói vắc xin "
     "COVID-19 làm thay đổi ADN của người tiêm.", 0.10824505232597997, "low"),
    # A question that makes no claim stays low; one that relays a false cure is a lead.
    ("Bác sĩ ơi cho em hỏi con em sốt 39 độ thì nên làm gì ạ?", 0.24611213120389375, "low"),
    ("Nghe nói uống nước lá ổi chữa khỏi tiểu đường, có thật không mọi người?",
     0.997408058992933, "high"),
]


@pytest.mark.parametrize(("doc", "probability", "tier"), GOLDEN,
                         ids=["claim", "claim-no-diacritics", "weather", "football", "with-meta",
                              "lifted-by-a-match", "a-report-is-not-lifted", "question",
                              "rumour-question"])
def test_shipped_model_scores_are_pinned(doc, probability, tier):
    (result,) = vnmisinfo.load_model().score([doc])
    assert result["probability"] == pytest.approx(probability, abs=1e-6)
    assert result["tier"] == tier


def test_shipped_model_matches_the_hot_water_narrative():
    (result,) = vnmisinfo.load_model().score(["Uống nước nóng diệt được virus corona"])
    assert result["narrative_id"] == "health-001"
    assert "lemon" in result["rebuttal"]
    assert result["tier_reason"] == "both"
    assert any(s.get("url", "").startswith("https://") for s in result["sources"])


def test_shipped_model_metadata_records_versions_and_cv():
    meta = vnmisinfo.load_model().metadata_
    assert {"vnmisinfo", "scikit-learn", "underthesea", "training_data", "cv_metrics"} <= set(meta)
    assert 0.5 < meta["cv_metrics"]["roc_auc"]["mean"] <= 1.0
    assert len(meta["training_data"]) == 5  # ReINTEL x2, VFND x2, the hand-written posts
