"""What the review report needs from a batch run, bounded while streaming.

A histogram of the scores and a heap of the ``top`` rows to review first, in
the order of the review page (:func:`vnmisinfo.report.page.review_rank`):
higher tiers first, so that a catalogue match lifted to ``medium`` is never
pushed out by ``low`` rows of higher score, then higher scores.  The state is
plain data, so that a checkpoint can carry it across a resume.

A kept row keeps its input columns, whole, under :data:`INPUT_KEY`: the
review page writes them back into the reviewed file that ``vnmisinfo
feedback`` and ``vnmisinfo claimreview`` read, and the feedback store hashes
the text exactly as it was scored.

Examples
--------
>>> state = _ReportState(top=2)
>>> for seq, (score, tier) in enumerate([(0.2, "low"), (0.9, "low"), (0.5, "medium")]):
...     state.add(seq, {"vnm_score": score, "vnm_tier": tier}, f"text {seq}", seq, {}, [])
>>> [item["text"] for item in state.items()], sum(state.hist)
(['text 2', 'text 1'], 3)
>>> state.add(3, {"vnm_score": 0.7, "vnm_tier": "medium"}, "Tin", "p9", {}, [],
...           row={"post_id": "p9", "text": "Tin", "shares": float("nan"), "vnm_score": "1"})
>>> state.items()[0][INPUT_KEY]
{'post_id': 'p9', 'text': 'Tin', 'shares': None}
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any

from vnmisinfo.report.page import INPUT_KEY, plain_cell, review_rank

__all__: list[str] = []

#: Bins of the score histogram.
HIST_BINS = 20
#: Characters of a text kept for the review report.
REPORT_CHARS = 4000

#: A kept row: its tier rank, its score, minus its position (earlier rows first), the item.
_Entry = tuple[int, float, int, dict[str, Any]]


class _ReportState:
    """Histogram of scores and a bounded heap of the top-N rows in review order."""

    def __init__(self, top: int, state: dict[str, Any] | None = None) -> None:
        self.top = top
        self.hist = [0] * HIST_BINS
        self._heap: list[_Entry] = []
        if state:
            self.hist = list(state["hist"])
            self._heap = [(int(r), float(s), int(n), item) for r, s, n, item in state["heap"]]
            heapq.heapify(self._heap)

    def add(self, seq: int, added: dict[str, Any], text: str, id_value: Any,
            meta: dict[str, Any], terms: list, row: Mapping[str, Any] | None = None) -> None:
        """Count a scored row, and keep it when it is among the ``top`` so far.

        ``added`` holds the row's output columns (``vnm_score``, ``vnm_tier``,
        ...); ``meta`` its title, likes, ... by role; ``terms`` its
        ``(term, weight)`` pairs; ``row`` the input row as read, whose
        columns the item keeps (without ``vnm_`` ones).  Without ``row``, the
        item keeps what it knows by role: ``id``, ``text``, ``title``, ...
        """
        score = float(added["vnm_score"])
        self.hist[min(max(int(score * HIST_BINS), 0), HIST_BINS - 1)] += 1
        if self.top <= 0:
            return
        rank, _ = review_rank(added.get("vnm_tier"), score)
        key = (rank, score, -seq)
        if len(self._heap) >= self.top and key <= self._heap[0][:3]:
            return
        item = {**{k: v for k, v in added.items() if v is not None},
                "vnm_top_terms": [[t, w] for t, w in terms], "id": id_value,
                "text": text[:REPORT_CHARS], "text_chars": len(text),
                **{k: v for k, v in meta.items() if v is not None}}
        source = row if row is not None else {"id": id_value, "text": text, **meta}
        item[INPUT_KEY] = {str(k): plain_cell(v) for k, v in source.items()
                           if not str(k).startswith("vnm_")}
        entry = (*key, item)
        if len(self._heap) < self.top:
            heapq.heappush(self._heap, entry)
        else:
            heapq.heapreplace(self._heap, entry)

    def items(self) -> list[dict[str, Any]]:
        """The rows kept, in review order (earlier rows first among equals)."""
        return [e[3] for e in sorted(self._heap, key=lambda e: e[:3], reverse=True)]

    def state(self) -> dict[str, Any]:
        """The state as plain data, for a checkpoint."""
        return {"hist": self.hist, "heap": [list(e) for e in self._heap]}


