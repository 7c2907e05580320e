"""The review loop: queue scored items for reviewers, keep their verdicts.

``vnmisinfo score`` → :func:`build_queue` (``vnmisinfo queue``) → reviewers
fill in ``verdict``, ``narrative_id`` and ``note`` → :class:`FeedbackStore`
(``vnmisinfo feedback``) → :meth:`FeedbackStore.frame` as training data.
See ``docs/review.md``.
"""

from __future__ import annotations

from vnmisinfo.review.queue import QUEUE_COLUMNS, QueueError, build_queue, infer_medium
from vnmisinfo.review.store import AddResult, FeedbackError, FeedbackStore, hash_texts

__all__ = ["QUEUE_COLUMNS", "AddResult", "FeedbackError", "FeedbackStore", "QueueError",
           "build_queue", "hash_texts", "infer_medium"]
