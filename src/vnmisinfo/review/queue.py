"""The review queue: which scored items a reviewer should look at next.

A budget of ``N`` items is split in up to three shares:

* ``top``: the head of the triage order (tier high > medium > low, then the
  items that match a known narrative, ``vnm_narrative_id``, then ``vnm_score``
  descending), the items most likely to need action;
* ``uncertain``: a share ``explore`` of the budget, the items whose score is
  closest to the ``medium`` threshold, where a verdict teaches the model most;
* ``sample`` (none by default): a share ``sample`` of the budget drawn at random
  from all the clusters, before the two shares above are filled: a fair
  picture of the batch.  The share of misinformation among their verdicts
  estimates the batch's (one per cluster, so among its distinct texts), and
  they are rows that no ranking chose, for ``calibrate`` and ``compare``.

Near-duplicates (:func:`vnmisinfo.data.hygiene.make_groups`, ``by="text"``)
form one cluster, and a cluster is queued once, through its best-ranked item,
with ``vnm_cluster_size`` telling how many input rows it stands for.  Rows
without a score (a ``vnm_error`` row) and texts already in the feedback store
are never queued.

Examples
--------
>>> scored = pd.DataFrame({
...     "id": ["a", "b", "c", "d"],
...     "text": ["Uống nước chanh nóng mỗi sáng diệt được virus corona, chia sẻ ngay",
...              "Uống nước chanh nóng mỗi sáng diệt được virus corona, hãy chia sẻ ngay",
...              "Hà Nội nắng nhẹ cuối tuần", "Giá xăng giảm nhẹ từ chiều nay"],
...     "vnm_score": ["0.95", "0.91", "0.52", "0.05"],
...     "vnm_tier": ["high", "high", "medium", "low"]})
>>> q = build_queue(scored, 2, explore=0.5)
>>> q[["id", "vnm_queue_reason", "vnm_cluster_size", "verdict"]].values.tolist()
[['a', 'top', 2, ''], ['c', 'uncertain', 1, '']]
>>> build_queue(scored, 3, explore=0.0, sample=1 / 3)["vnm_queue_reason"].tolist()
['top', 'top', 'sample']
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd

from vnmisinfo.data.hygiene import make_groups, text_keys
from vnmisinfo.data.review import QUEUE_COLUMNS, REVIEW_COLUMNS, review_rank
from vnmisinfo.data.schema import is_missing
from vnmisinfo.review.store import FeedbackStore, hex_hashes, reviewed_texts

__all__ = ["QUEUE_COLUMNS", "QueueError", "build_queue", "infer_medium"]



class QueueError(ValueError):
    """A scored table cannot be queued; the message says why and how to fix it."""


def _filled(value: Any) -> bool:
    if is_missing(value):
        return False
    return bool(str(value).strip())


def infer_medium(scores: Any, tiers: Any, reasons: Any = None, default: float = 0.5) -> float:
    """The ``medium`` threshold a scored file was tiered with, or ``default`` when unknown.

    Tiers given by the classifier alone (``vnm_tier_reason`` ``classifier``)
    bracket it: it lies above every ``low`` score and at or below every
    ``medium`` or ``high`` one.  The value of that gap nearest ``default``
    is returned.

    Examples
    --------
    >>> infer_medium([0.9, 0.72, 0.68, 0.1], ["high", "medium", "low", "low"])
    0.68
    >>> infer_medium([0.9, 0.52, 0.05], ["high", "medium", "low"])
    0.5
    >>> infer_medium([0.9, 0.8], ["high", "high"])
    0.5
    """
    p = pd.to_numeric(pd.Series(list(scores)), errors="coerce").to_numpy(dtype=float)
    t = pd.Series([str(v).strip().lower() for v in tiers])
    ok = ~np.isnan(p)
    if reasons is not None:
        r = pd.Series([str(v).strip().lower() for v in reasons])
        ok &= r.isin(["classifier", "", "nan", "none"]).to_numpy()
    low = p[ok & (t == "low").to_numpy()]
    up = p[ok & t.isin(["medium", "high"]).to_numpy()]
    if not len(low) or not len(up) or low.max() >= up.min():
        return default
    return float(min(max(default, low.max()), up.min()))


def _check_shares(budget: Any, explore: float, sample: float) -> None:
    """Refuse a budget or shares that cannot make a queue (:class:`QueueError`)."""
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget < 1:
        raise QueueError(f"budget must be a whole number >= 1, got {budget!r}.")
    if not 0.0 <= explore <= 1.0:
        raise QueueError(f"explore must be a share between 0 and 1, got {explore!r}.")
    if not 0.0 <= sample <= 1.0 - explore + 1e-9:
        raise QueueError(f"sample must be a share between 0 and 1 - explore "
                         f"({1.0 - explore:g}), got {sample!r}: the two shares together "
                         "cannot exceed the budget; lower one of them.")


def _shares(reps: list[int], distance: np.ndarray, budget: int, n_explore: int,
            n_sample: int, seed: int) -> tuple[list[int], list[int], list[int]]:
    """The rows of the ``top``, ``uncertain`` and ``sample`` shares.

    The sample is drawn first, from every cluster (``reps``, in triage order), so that it
    is a simple random sample of the batch; the ranked shares are then filled from the
    clusters it left: ``top`` from the head of the order, ``uncertain`` by the smallest
    ``distance`` to the medium threshold, ties broken at random.
    """
    sampled = np.sort(np.random.default_rng((seed, 1)).choice(
        np.array(reps, dtype=int), size=min(n_sample, len(reps)), replace=False)).tolist()
    drawn = set(sampled)
    ranked = [i for i in reps if i not in drawn]
    top = ranked[: budget - n_explore - len(sampled)]
    rest = np.array(ranked[len(top):], dtype=int)
    tie = np.random.default_rng(seed).permutation(len(rest))
    uncertain = rest[np.lexsort((tie, distance[rest]))][: budget - len(sampled) - len(top)]
    return top, uncertain.tolist(), sampled


def build_queue(frame: pd.DataFrame, budget: int, explore: float = 0.3,
                store: FeedbackStore | str | os.PathLike[str] | None = None, *,
                text_column: str | None = None,
                medium: float | None = None, seed: int = 0, threshold: float = 0.9,
                overwrite_review: bool = False, sample: float = 0.0) -> pd.DataFrame:
    """Pick up to ``budget`` scored rows for review.

    Parameters
    ----------
    frame : DataFrame
        A table written by ``vnmisinfo score``: the input columns and the
        ``vnm_`` columns (``vnm_score`` required; ``vnm_tier``,
        ``vnm_tier_reason`` and ``vnm_error`` used when present).
    budget : int
        Items to queue (fewer when fewer clusters are left).
    explore : float, default=0.3
        Share of the budget for the most uncertain items.
    store : FeedbackStore or path, optional
        Texts it holds are never queued again, nor near-copies of them (the same
        near-duplicate cluster), nor near-copies of reviewed rows of this file.
    text_column : str, optional
        The text column when it is not a known name.
    medium : float, optional
        The ``medium`` threshold; by default inferred from the tiers
        (:func:`infer_medium`), else 0.5.
    seed : int, default=0
        Breaks ties between equally uncertain items.
    threshold : float, default=0.9
        Near-duplicate cosine similarity.
    overwrite_review : bool, default=False
        Blank reviewer columns the input already fills in, instead of refusing it.
    sample : float, default=0.0
        Share of the budget drawn at random (``seed``) from all the clusters,
        before the top and uncertain shares; ``explore + sample`` must not
        exceed 1.

    Returns
    -------
    DataFrame
        The chosen rows, every input column unchanged, then
        :data:`QUEUE_COLUMNS` and empty reviewer columns
        (:data:`~vnmisinfo.data.review.REVIEW_COLUMNS`); ``top`` rows first in
        triage order, then ``uncertain`` rows, closest to the threshold first,
        then ``sample`` rows in input order.
        ``attrs["queue"]`` counts rows read (``rows``), clusters, skipped rows
        (``unscored``, ``empty``, ``reviewed``, and ``near_reviewed``: near-copies
        of reviewed texts), the clusters left to queue (``left``), queued rows
        (``top``, ``uncertain``, ``sample``), the uncertain and sampled items
        the budget asked for (``explore``, ``n_sample``; fewer uncertain items
        are queued when fewer clusters are left than the budget, since the
        sample and then the top share are filled first) and ``medium``.

    Raises
    ------
    QueueError
        If ``budget``, ``explore`` or ``sample`` is out of range, ``vnm_score`` is
        missing, or reviewer columns hold values without ``overwrite_review``.
    """
    _check_shares(budget, explore, sample)
    if "vnm_score" not in frame.columns:
        raise QueueError(f"no vnm_score column among {list(frame.columns)}; queue a file "
                         "written by 'vnmisinfo score', or a frame from score_frame(model, "
                         "frame) (model.score gives records, not its columns).")
    filled = [c for c in REVIEW_COLUMNS if c in frame.columns
              and any(_filled(v) for v in frame[c].tolist())]
    if filled and not overwrite_review:
        raise QueueError(f"the input already has reviewer values in {filled}; feed them with "
                         "'vnmisinfo feedback' first, or pass --overwrite-review to blank them.")
    texts, titles, _, _ = reviewed_texts(frame, text_column)
    n = len(frame)
    score = pd.to_numeric(frame["vnm_score"], errors="coerce").to_numpy(dtype=float)
    tiers = (frame["vnm_tier"].tolist() if "vnm_tier" in frame.columns else [""] * n)
    reasons = frame["vnm_tier_reason"].tolist() if "vnm_tier_reason" in frame.columns else None
    if medium is None:
        medium = infer_medium(score, tiers, reasons)
    keys = text_keys(pd.DataFrame({"text": texts, "title": titles}))
    hashes = np.asarray(hex_hashes(keys), dtype=object)
    usable = ~np.isnan(score) & np.array([bool(k.strip(" .")) for k in keys], dtype=bool)
    if store is not None and not isinstance(store, FeedbackStore):
        store = FeedbackStore(store)
    known = store.hashes() if store is not None else set()
    reviewed = usable & np.isin(hashes, list(known)) if known else np.zeros(n, dtype=bool)

    rows = np.flatnonzero(usable)
    # Texts already reviewed (kept in the store) join the clustering, so that a near-copy of
    # a judged text is not offered again either.
    stored = [e.get("text", "") for e in store.entries()] if store is not None else []
    stored_keys = [k for k in text_keys(pd.DataFrame({"text": stored, "title": ""}))
                   if k.strip(" .")] if stored else []
    cluster = np.full(n, -1)
    blocked: set[int] = set()
    if len(rows):
        groups = make_groups(pd.DataFrame(index=range(len(rows) + len(stored_keys))), by="text",
                             threshold=threshold, keys=[keys[i] for i in rows] + stored_keys)
        cluster[rows] = groups[: len(rows)]
        blocked = {int(g) for g in groups[len(rows):]} | {int(c) for c in cluster[reviewed]}
    sizes = (np.bincount(cluster[rows], minlength=int(cluster.max()) + 1) if len(rows)
             else np.zeros(0, dtype=int))
    near_reviewed = usable & ~reviewed & np.isin(cluster, list(blocked))
    # the review page's order: by tier, known narratives first within one, then by score
    narratives = (frame["vnm_narrative_id"].tolist() if "vnm_narrative_id" in frame.columns
                  else [None] * n)
    rank = np.array([review_rank(str(t).strip().lower(), 0.0, nid)[0]
                     for t, nid in zip(tiers, narratives, strict=True)])
    order = np.lexsort((np.arange(n), -np.nan_to_num(score), -rank))
    candidates = usable & ~reviewed & ~near_reviewed
    best: dict[int, int] = {}
    for i in order:
        if candidates[i] and cluster[i] not in best:
            best[int(cluster[i])] = int(i)
    reps = list(best.values())  # in triage order

    n_explore = math.floor(budget * explore + 0.5)  # half up, not to even
    n_sample = min(math.floor(budget * sample + 0.5), budget - n_explore)
    top, uncertain, sampled = _shares(reps, np.abs(score - medium), budget, n_explore,
                                      n_sample, seed)
    picked = [*top, *uncertain, *sampled]

    out = frame.iloc[picked].copy()
    out["vnm_queue_reason"] = (["top"] * len(top) + ["uncertain"] * len(uncertain)
                               + ["sample"] * len(sampled))
    out["vnm_cluster_size"] = [int(sizes[cluster[i]]) for i in picked]
    for c in REVIEW_COLUMNS:
        out[c] = ""
    tail = [*QUEUE_COLUMNS, *(c for c in REVIEW_COLUMNS if c not in frame.columns)]
    out = out[[*(c for c in frame.columns if c not in QUEUE_COLUMNS), *tail]]
    out.attrs = {"queue": {"rows": n, "clusters": int(len(np.unique(cluster[rows]))),
                           "unscored": int((np.isnan(score)).sum()),
                           "empty": int((~np.isnan(score) & ~usable).sum()),
                           "reviewed": int(reviewed.sum()),
                           "near_reviewed": int(near_reviewed.sum()), "left": len(reps),
                           "top": len(top), "uncertain": int(len(uncertain)),
                           "sample": int(len(sampled)), "explore": int(n_explore),
                           "n_sample": int(n_sample), "medium": float(medium)}}
    return out
