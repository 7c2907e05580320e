"""Names of the input schema, as plain data: cheap to import (the CLI lists them).

Examples
--------
>>> FRAME_COLUMNS
('text', 'title', 'likes', 'comments', 'shares', 'timestamp')
"""

from __future__ import annotations

__all__ = ["FRAME_COLUMNS", "GROUP_BY", "META_COLUMNS", "TEXT_ALIASES"]

#: Metadata columns of the canonical frame.
META_COLUMNS = ("likes", "comments", "shares", "timestamp")
#: Columns of the canonical frame returned by :func:`as_frame`.
FRAME_COLUMNS = ("text", "title", *META_COLUMNS)

# Column names recognised automatically, first match wins.
#: Names recognised as the text column, first match wins (case aside).
TEXT_ALIASES = ("text", "post_message", "content", "message", "body", "full_text", "noi_dung",
                "nội dung", "nội_dung")

_ALIASES: dict[str, tuple[str, ...]] = {
    "text": TEXT_ALIASES,
    "title": ("title", "headline", "tieu_de", "tiêu đề", "tiêu_đề"),
    "likes": ("likes", "num_like_post", "like_count", "favorite_count", "luot_thich",
              "lượt thích", "lượt_thích"),
    "comments": ("comments", "num_comment_post", "comment_count", "reply_count", "binh_luan",
                 "bình luận", "bình_luận"),
    "shares": ("shares", "num_share_post", "share_count", "retweet_count", "chia_se", "chia sẻ",
               "chia_sẻ"),
    "timestamp": ("timestamp", "timestamp_post", "created_at", "created_time", "thoi_gian",
                  "thời gian", "thời_gian", "ngay_dang", "ngày đăng", "ngày_đăng"),
}

#: Ways to group documents for splitting (see :func:`vnmisinfo.data.hygiene.make_groups`).
GROUP_BY = ("exact", "text", "domain")
