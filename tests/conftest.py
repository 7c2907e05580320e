"""Shared fixtures: a tiny Vietnamese corpus and a detector fitted on it.

Property-based tests draw the same examples on every run (the ``repeatable``
Hypothesis profile), so that a passing suite passes again on another machine.
``VNMISINFO_HYPOTHESIS=explore make test`` draws new random examples instead,
to look for inputs nobody has tried yet.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from vnmisinfo.model.detector import Detector

# Loaded here, before any test module applies @settings: each test's settings inherit from it.
settings.register_profile("repeatable", max_examples=100, deadline=None, derandomize=True)
settings.register_profile("explore", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("VNMISINFO_HYPOTHESIS", "repeatable"))

FALSE_CLAIMS = [
    "Uống nước chanh nóng diệt được virus corona, chia sẻ gấp cho mọi người",
    "Bộ Y tế xác nhận tỏi chữa khỏi Covid-19 chỉ sau ba ngày",
    "Khẩn cấp: đêm nay trực thăng phun thuốc khử trùng, mọi người đóng cửa ở trong nhà",
    "Ngân hàng Nhà nước sắp đổi tiền, rút hết tiền ra ngay kẻo mất",
    "Súc miệng nước muối giết chết virus corona trong cổ họng",
    "Sóng 5G làm lây lan virus corona, hãy tắt điện thoại",
    "Tin nóng: Thủ tướng ra lệnh phong tỏa toàn quốc từ ngày mai, tích trữ lương thực ngay",
    "Vắc xin Covid làm thay đổi gen người tiêm, bác sĩ giấu kín",
    "Việc nhẹ lương cao, chỉ cần bấm like kiếm 5 triệu mỗi ngày, nạp tiền trước để nhận việc",
    "Uống rượu mạnh giúp cơ thể miễn dịch với virus corona",
    "Đập thủy điện sắp vỡ, người dân hạ du sơ tán khẩn cấp, chia sẻ ngay",
    "Ăn tỏi sống mỗi sáng diệt sạch virus corona trong phổi",
]
TRUE_POSTS = [
    "Hà Nội hôm nay trời nắng nhẹ, nhiệt độ cao nhất 32 độ",
    "Bộ Y tế khuyến cáo người dân rửa tay thường xuyên bằng xà phòng",
    "Đội tuyển Việt Nam thắng 2-0 trong trận giao hữu tối qua",
    "Sở Giao thông thông báo phân luồng đường Láng để thi công cầu vượt",
    "Trường học ở Đà Nẵng tổ chức khai giảng năm học mới vào sáng mai",
    "Giá xăng giảm nhẹ từ 15 giờ chiều nay theo thông báo của liên bộ",
    "Thư viện quận mở cửa đến 21 giờ các ngày trong tuần",
    "Ngân hàng Nhà nước giữ nguyên lãi suất điều hành trong tháng này",
    "Chợ hoa Tết ở Quy Nhơn nhộn nhịp khách mua sắm cuối tuần",
    "Bệnh viện tổ chức hiến máu nhân đạo, mời người dân tham gia",
    "Lễ hội pháo hoa quốc tế Đà Nẵng diễn ra vào tháng sáu",
    "Tuyến metro số 1 chạy thử nghiệm với tần suất 10 phút một chuyến",
]


@pytest.fixture(scope="session")
def tiny_corpus() -> tuple[list[str], list[int]]:
    """Twenty-four short posts, half false claims, half ordinary news."""
    texts = FALSE_CLAIMS + TRUE_POSTS
    return texts, [1] * len(FALSE_CLAIMS) + [0] * len(TRUE_POSTS)


@pytest.fixture(scope="session")
def fitted_detector(tiny_corpus: tuple[list[str], list[int]]) -> Detector:
    """A detector with every text channel and metadata, fitted on the tiny corpus."""
    texts, y = tiny_corpus
    return Detector(min_df=1, cv=3).fit(texts, y)


@pytest.fixture(scope="session")
def meta_docs(tiny_corpus: tuple[list[str], list[int]]) -> tuple[list[dict], list[int]]:
    """The tiny corpus as posts with counts and times; false claims get fewer likes."""
    texts, y = tiny_corpus
    docs = [{"text": t, "likes": (5 + 7 * i) if label else (40 + 11 * i),
             "comments": (i % 4) if label else 3 + i % 6, "shares": 2 * i,
             "timestamp": 1585000000 + 5400 * i}
            for i, (t, label) in enumerate(zip(texts, y, strict=True))]
    return docs, y


@pytest.fixture(scope="session")
def meta_detector(meta_docs: tuple[list[dict], list[int]]) -> Detector:
    """A detector fitted on posts that carry metadata."""
    docs, y = meta_docs
    return Detector(min_df=1, cv=3).fit(docs, y)
