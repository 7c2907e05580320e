"""Scoring one chunk of records, in a worker process or in-process.

The model is whatever :func:`vnmisinfo.load_model` returns: an object whose
``score(docs, explain=k)`` gives one dict per document (``probability``,
``label``, ``tier``, ``top_terms`` and optional further keys), with its tier
thresholds as ``thresholds`` (``(medium, high)``) or as ``medium_threshold``
and ``high_threshold``.  Texts that normalize alike are scored once, on the
frame of the model's (or its ``detector``'s) ``preprocess`` when it has one.

Examples
--------
>>> _join("missing text", None, "not Vietnamese")
'missing text; not Vietnamese'
>>> _join(None, "") is None
True
"""

from __future__ import annotations

import copy
import math
import os
import re
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from vnmisinfo.data.schema import META_COLUMNS, as_frame, is_missing, joined_text
from vnmisinfo.text.accents import looks_vietnamese
from vnmisinfo.text.normalize import TruncationWarning, normalize_text, not_scored_reason

__all__: list[str] = []

_BASIC_KEYS = frozenset({"probability", "label", "tier", "top_terms"})
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: The model of this process, set by :func:`_init_worker`.
_DETECTOR: Any = None

#: One scored row: (probability, label, tier, top_terms, note, extras).
_Result = tuple[float, int, str, list, str | None, dict]


def _join(*notes: str | None) -> str | None:
    """The notes that are set, joined with ``"; "``; None when there are none."""
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _load(model: Any, match: bool = True) -> Any:
    """The model to score with: ``model``, or the one loaded from its path (None: shipped).

    With ``match=False``, a copy without the narrative index: the caller's
    (or the cached) model is never changed.
    """
    from vnmisinfo.triage import Triage, load_model

    if model is None or isinstance(model, (str, os.PathLike)):
        model = load_model(os.fspath(model) if model is not None else None)
    elif not isinstance(model, Triage) and hasattr(model, "explain"):
        model = Triage(model)  # a bare fitted Detector: tiers from its own thresholds
    if not match and getattr(model, "narratives", None) is not None:
        model = copy.copy(model)
        model.narratives = None
    return model


def _init_worker(model: Any, match: bool = True) -> Any:
    """Load the model once per worker process; return it."""
    global _DETECTOR
    warnings.simplefilter("ignore", TruncationWarning)
    _DETECTOR = _load(model, match)
    return _DETECTOR


def _thresholds(model: Any) -> tuple[float, float] | None:
    """The model's ``(medium, high)`` tier thresholds, or None when it has none."""
    pair = getattr(model, "thresholds", None)
    try:
        if pair is not None:
            medium, high = pair
        else:
            medium, high = model.medium_threshold, model.high_threshold
        return float(medium), float(high)
    except (AttributeError, TypeError, ValueError):
        return None


def _model_id(model: Any) -> str:
    """Which model scores: its ``model_id`` (file, version, SHA-256), or "" when it has none."""
    return str(getattr(model, "model_id", "") or "")


def _dedup(frame: pd.DataFrame) -> tuple[list[int], list[int]]:
    """Index of each row's distinct value, and the first row of each distinct value."""
    first: dict[tuple, int] = {}
    index: list[int] = []
    pick: list[int] = []
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        key = tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
        j = first.get(key)
        if j is None:
            j = first[key] = len(pick)
            pick.append(i)
        index.append(j)
    return index, pick


def _preprocessor(model: Any) -> Callable[[Any], pd.DataFrame] | None:
    """The model's ``preprocess`` (or its detector's), adding the ``norm`` column."""
    found = getattr(model, "preprocess", None)
    if found is None:
        found = getattr(getattr(model, "detector", None), "preprocess", None)
    return found if callable(found) else None


def _normalized(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``norm`` (normalized title and text), for a model without ``preprocess``."""
    out = frame.copy()
    out["norm"] = [normalize_text(joined_text(t, ti))
                   for t, ti in zip(frame["text"], frame["title"], strict=True)]
    return out


def _unique_docs(model: Any, frame: pd.DataFrame
                 ) -> tuple[list[int], pd.DataFrame, list[str | None]]:
    """Distinct documents of ``frame``, the index of each row's, and why each is not scored
    (None for those scored).

    Two passes: exact duplicates skip normalization, then texts that normalize
    alike (with the same metadata) are scored once; texts that normalize to
    nothing, or to no words, are not scored (:func:`not_scored_reason`).  A model
    that matches narratives reads the raw text (its sentences follow its line
    breaks), so for it only exact duplicates are scored once: a copy's result never
    depends on which of its spellings came first.
    """
    meta_cols = list(META_COLUMNS)
    raw_index, pick = _dedup(frame[["text", "title", *meta_cols]])
    unique = frame.iloc[pick].reset_index(drop=True)
    preprocess = _preprocessor(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        pre = preprocess(unique) if preprocess is not None else _normalized(unique)
    raw = ["text", "title"] if getattr(model, "narratives", None) is not None else []
    norm_index, pick2 = _dedup(pre[["norm", *raw, *meta_cols]])
    unique = pre.iloc[pick2].reset_index(drop=True)
    reasons = [not_scored_reason(t) for t in unique["norm"]]
    if preprocess is None:
        unique = unique.drop(columns="norm")
    return [norm_index[j] for j in raw_index], unique, reasons


def _score_records(model: Any, records: list[dict[str, Any]],
                   explain: int) -> list[_Result | str]:
    """Score canonical records; deduplicate on normalized text and metadata.

    Returns, per record, a result tuple, or the reason string when nothing
    was left to score.
    """
    notes: list[str | None] = []
    for rec in records:
        text = rec["text"]
        control = "control characters removed" if _CONTROL_RE.search(text) else None
        lang = "not Vietnamese" if looks_vietnamese(text) is False else None
        notes.append(_join(control, lang))
    frame = as_frame(records)
    _unused_context(records, frame, notes)
    index, unique, reasons = _unique_docs(model, frame)
    scoreable = [i for i, reason in enumerate(reasons) if reason is None]
    results: list[dict[str, Any] | None] = [None] * len(unique)
    if scoreable:
        scored = _isolated(model, unique.iloc[scoreable].reset_index(drop=True), explain)
        for i, got in zip(scoreable, scored, strict=True):
            if isinstance(got, str):
                reasons[i] = got
            else:
                results[i] = got
    out: list[_Result | str] = []
    for i, note in enumerate(notes):
        r = results[index[i]]
        if r is None:
            out.append(reasons[index[i]] or "empty text")
            continue
        extras = {k: v for k, v in r.items() if k not in _BASIC_KEYS}
        out.append((float(r["probability"]), int(r["label"]), str(r["tier"]),
                    list(r["top_terms"]), note, extras))
    return out


def _isolated(model: Any, docs: pd.DataFrame, explain: int,
              top: bool = True) -> list[dict[str, Any] | str]:
    """``model.score(docs)``; a document whose scoring raises gets the error as its reason.

    A chunk that raises is scored again in halves until the documents that raise
    alone are found: they are not scored (``not scored: KeyError: ...``), and the
    others are scored as in a run without them.  An error of the machine
    (``OSError``, ``MemoryError``), or one that every document raises, stops the
    run as before.
    """
    try:
        return list(model.score(docs, explain=explain))
    except (OSError, MemoryError):
        raise
    except Exception as error:
        if len(docs) == 1:
            out: list[dict[str, Any] | str] = [
                f"not scored: {type(error).__name__}: {error}"[:300]]
        else:
            mid = len(docs) // 2
            out = [*_isolated(model, docs.iloc[:mid].reset_index(drop=True), explain, False),
                   *_isolated(model, docs.iloc[mid:].reset_index(drop=True), explain, False)]
        if top and all(isinstance(r, str) for r in out):
            raise error  # not a bad row: the model fails on everything
        return out


def _unused_context(records: list[dict[str, Any]], frame: pd.DataFrame,
                    notes: list[str | None]) -> None:
    """Note, in ``notes``, each row whose count or time is given but cannot be used.

    Such a value (``unknown``, ``54 like``, a negative count, a date no parser reads) is
    read as missing, so the row is scored without it: ``likes not used``.

    Examples
    --------
    >>> records = [{"text": "a", "likes": "unknown", "timestamp": "hôm qua"},
    ...            {"text": "b", "likes": "1,2K", "shares": ""}]
    >>> notes = [None, None]
    >>> _unused_context(records, as_frame(records), notes)
    >>> notes
    ['likes not used; timestamp not used', None]
    """
    for c in META_COLUMNS:
        for i in frame.index[frame[c].isna()]:
            raw = records[i].get(c)
            if not (is_missing(raw) or (isinstance(raw, str) and not raw.strip())):
                notes[i] = _join(notes[i], f"{c} not used")


def _score_payload(payload: tuple[list[dict[str, Any]], int]
                   ) -> tuple[list[_Result | str], tuple[float, float] | None, str]:
    """Score ``(records, explain)`` with this worker's model; also return its thresholds and id."""
    records, explain = payload
    results = _score_records(_DETECTOR, records, explain) if records else []
    return results, _thresholds(_DETECTOR), _model_id(_DETECTOR)
