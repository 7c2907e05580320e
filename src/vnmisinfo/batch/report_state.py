"""What the review report needs from a batch run, bounded while streaming.

A histogram of the scores and a heap of the ``top`` rows to review first, in
the order of the review page (:func:`vnmisinfo.data.review.review_rank`):
higher tiers first, so that a catalogue match lifted to ``medium`` is never
pushed out by ``low`` rows of higher score, then higher scores.  The state is
plain data, so that a checkpoint can carry it across a resume.

A text is kept once: a row whose text is a copy of a kept row's (the same comparison key
as the review queue's exact duplicates, :func:`~vnmisinfo.data.hygiene.text_keys`: the
normalized title and text, lower case) is counted on the kept item (:data:`COPIES`), and the
kept item is the copy first in review order.  The key is computed only for a row that ranks
among the ``top``, and a byte-for-byte copy of a kept text is known without it, so such a
copy is counted wherever it ranks; a copy seen before its text was kept, or pushed out and
kept again, is not (the count is a lower bound).  Memory stays bounded by ``top``.

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
>>> state.add(4, {"vnm_score": 0.6, "vnm_tier": "medium"}, "TIN ", "p10", {}, [])
>>> [(item["id"], item[COPIES]) for item in state.items()]
[('p9', 1), (2, 0)]
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Mapping
from typing import Any

from vnmisinfo.data.review import review_rank
from vnmisinfo.report.page import COPIES, INPUT_KEY, plain_cell

__all__: list[str] = []

#: Bins of the score histogram.
HIST_BINS = 20
#: Characters of a text kept for the review report.
REPORT_CHARS = 4000

#: A kept row: its tier rank, its score, minus its position (earlier rows first), the item.
_Entry = tuple[int, float, int, dict[str, Any]]
#: Keys of a kept item: the hash of its text's comparison key, and of its raw text and title.
_TEXT_KEY, _RAW_KEY = "_text_key", "_raw_key"


def _text_key(text: str, title: Any) -> str:
    """The hash of the comparison key of a text and title, as the review queue compares them."""
    import pandas as pd

    from vnmisinfo.data.hygiene import text_hashes, text_keys

    key = text_keys(pd.DataFrame({"text": [text], "title": [title]}))[0]
    return f"{int(text_hashes([key])[0]):016x}"


def _raw_key(text: str, title: Any) -> str:
    """A hash of a text and title exactly as read: equal for byte-for-byte copies."""
    both = f"{title if isinstance(title, str) else ''}\x00{text}"
    return hashlib.blake2b(both.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _input_cells(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The input columns of ``row`` as the page keeps them (:data:`INPUT_KEY`).

    Parameters
    ----------
    row : Mapping
        A row as read, by column name; ``vnm_`` columns are left out.

    Returns
    -------
    dict
        Each column name as text, with its cell as :func:`~vnmisinfo.report.page.plain_cell`
        gives it.
    """
    return {str(k): plain_cell(v) for k, v in row.items() if not str(k).startswith("vnm_")}


class _ReportState:
    """Histogram of scores and a bounded heap of the top-N distinct texts in review order."""

    def __init__(self, top: int, state: dict[str, Any] | None = None) -> None:
        self.top = top
        self.hist = [0] * HIST_BINS
        self._heap: list[_Entry] = []  # may hold entries that a better copy replaced
        self._kept: dict[str, _Entry] = {}  # text key -> its entry
        self._raw: dict[str, str] = {}  # raw key -> text key, for kept texts
        if state:
            self.hist = list(state["hist"])
            for _, s, n, item in state["heap"]:
                if _TEXT_KEY not in item:  # a checkpoint written before copies were folded
                    item[_TEXT_KEY] = _text_key(str(item.get("text", "")), item.get("title"))
                    item[_RAW_KEY], item[COPIES] = "", 0
                rank, _ = review_rank(item.get("vnm_tier"), float(s), item.get("vnm_narrative_id"))
                self._restore((rank, float(s), int(n), item))  # ranked as this version ranks
            self._raw.update({r: k for r, k in state.get("raw", {}).items() if k in self._kept})
            self._heap = list(self._kept.values())
            heapq.heapify(self._heap)

    def _restore(self, entry: _Entry) -> None:
        """Keep a checkpoint's ``entry``; of two copies, the first in review order."""
        old = self._kept.get(entry[3][_TEXT_KEY])
        if old is not None:
            first, other = (entry, old) if entry[:3] > old[:3] else (old, entry)
            first[3][COPIES] += other[3][COPIES] + 1
            entry = first
        self._kept[entry[3][_TEXT_KEY]] = entry
        if entry[3][_RAW_KEY]:
            self._raw[entry[3][_RAW_KEY]] = entry[3][_TEXT_KEY]

    def _floor(self) -> tuple[int, float, int] | None:
        """The key of the last kept entry when ``top`` texts are kept, else None."""
        heap = self._heap
        while heap and self._kept.get(heap[0][3][_TEXT_KEY]) is not heap[0]:
            heapq.heappop(heap)  # replaced by a better copy
        return heap[0][:3] if len(self._kept) >= self.top and heap else None

    def add(self, seq: int, added: dict[str, Any], text: str, id_value: Any,
            meta: dict[str, Any], terms: list, row: Mapping[str, Any] | None = None) -> None:
        """Count a scored row, and keep it when it is among the ``top`` so far.

        ``added`` holds the row's output columns (``vnm_score``, ``vnm_tier``,
        ...); ``meta`` its title, likes, ... by role; ``terms`` its
        ``(term, weight)`` pairs; ``row`` the input row as read, whose
        columns the item keeps (without ``vnm_`` ones).  Without ``row``, the
        item keeps what it knows by role: ``id``, ``text``, ``title``, ...
        A copy of a kept text adds one to the kept item's :data:`COPIES`, and
        takes its place when it comes first in review order.
        """
        score = float(added["vnm_score"])
        self.hist[min(max(int(score * HIST_BINS), 0), HIST_BINS - 1)] += 1
        if self.top <= 0:
            return
        rank, _ = review_rank(added.get("vnm_tier"), score, added.get("vnm_narrative_id"))
        key = (rank, score, -seq)
        raw = _raw_key(text, meta.get("title"))
        found = self._raw.get(raw, "")
        floor = self._floor()
        if found not in self._kept:
            if floor is not None and key[:2] < floor[:2]:
                return  # below the page, and not a byte-for-byte copy of a kept text
            found = _text_key(text, meta.get("title"))
        old = self._kept.get(found)
        if old is not None:
            old[3][COPIES] += 1
            self._raw[raw] = found
            if key <= old[:3]:
                return
        elif floor is not None and key <= floor:
            return
        item = {**{k: v for k, v in added.items() if v is not None},
                "vnm_top_terms": [[t, w] for t, w in terms], "id": id_value,
                "text": text[:REPORT_CHARS], "text_chars": len(text),
                **{k: v for k, v in meta.items() if v is not None},
                COPIES: 0 if old is None else old[3][COPIES], _TEXT_KEY: found, _RAW_KEY: raw}
        source = row if row is not None else {"id": id_value, "text": text, **meta}
        item[INPUT_KEY] = _input_cells(source)
        entry = (*key, item)
        self._kept[found] = entry  # a replaced copy stays in the heap until it surfaces
        self._raw[raw] = found
        heapq.heappush(self._heap, entry)
        if len(self._kept) > self.top:
            self._floor()
            del self._kept[heapq.heappop(self._heap)[3][_TEXT_KEY]]
        self._tidy()

    def _tidy(self) -> None:
        """Keep memory bounded by ``top``: drop replaced entries and keys of texts gone."""
        if len(self._heap) > 2 * self.top + 16:
            self._heap = list(self._kept.values())
            heapq.heapify(self._heap)
        if len(self._raw) > 4 * self.top + 64:
            self._raw = {r: k for r, k in self._raw.items() if k in self._kept}

    def items(self) -> list[dict[str, Any]]:
        """The rows kept, in review order (earlier rows first among equals)."""
        return [e[3] for e in sorted(self._kept.values(), key=lambda e: e[:3], reverse=True)]

    def state(self) -> dict[str, Any]:
        """The state as plain data, for a checkpoint."""
        return {"hist": self.hist, "heap": [list(e) for e in self._kept.values()],
                "raw": {r: k for r, k in self._raw.items() if k in self._kept}}
