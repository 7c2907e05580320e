"""Scoring one in-memory DataFrame, with the columns of a scored file.

The frame's own columns come first, unchanged (names, order, types and
index); the ``vnm_`` output columns follow, as in the output of
:func:`vnmisinfo.batch.run.score_file`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from vnmisinfo.batch.rows import OUTPUT_COLUMNS, BatchSummary, _Chunk, _Run, check_scored
from vnmisinfo.batch.scoring import _load, _model_id, _score_records
from vnmisinfo.data.readers import column_map
from vnmisinfo.data.schema import frame_columns

__all__ = ["score_frame"]


def score_frame(detector: Any, frame: pd.DataFrame, *, text_column: str | None = None,
                explain: int = 5, overwrite_scores: bool = False,
                notes: Sequence[str | None] | None = None) -> pd.DataFrame:
    """Score one in-memory frame; bad rows get ``vnm_error`` instead of stopping the batch.

    Parameters
    ----------
    detector : model
        A model as returned by :func:`vnmisinfo.load_model`.
    frame : pandas.DataFrame
        Rows with a text column (``text``, ``post_message``, ... or ``text_column``).
    text_column : str, optional
        Text column when not a known name.
    explain : int
        Terms per row in ``vnm_top_terms``.
    overwrite_scores : bool, default=False
        Replace the frame's columns that start with ``vnm_`` (a scored frame
        scored again) instead of refusing it.
    notes : sequence of str or None, optional
        A note per row from reading it (``invalid UTF-8 replaced``...), kept in
        ``vnm_error`` before any note of scoring, as :func:`score_file` keeps its readers'.

    Returns
    -------
    pandas.DataFrame
        ``frame``'s columns, unchanged, then :data:`OUTPUT_COLUMNS` and
        ``vnm_<key>`` for any further result key: the columns of
        :func:`score_file`'s output.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame (a list of texts is scored by ``model.score``).
    ValueError
        If ``frame`` has ``vnm_`` columns and ``overwrite_scores`` is False, or
        names a column twice.

    Examples
    --------
    With the shipped model, a frame whose own ``score`` column is kept (not run here)::

        out = score_frame(vnmisinfo.load_model(),
                          pd.DataFrame({"score": [9.5], "text": ["Tỏi chữa khỏi covid"]}))
        list(out.columns[:3])  # ['score', 'text', 'vnm_score']
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"score_frame takes a pandas DataFrame with a text column; got "
            f"{type(frame).__name__}. For a list of texts use model.score(texts), or make a "
            "frame of them: score_frame(model, pd.DataFrame({'text': texts})).")
    names_seen = frame.columns.astype(str)
    doubled = sorted(set(names_seen[names_seen.duplicated()]))
    if doubled:
        raise ValueError(f"the frame names the columns {doubled} more than once; rename them "
                         "(frame.columns = [...]) so that every column can be kept.")
    old = check_scored(frame.columns, overwrite_scores)
    kept = frame.drop(columns=[c for c in frame.columns if str(c) in old]) if old else frame
    names = {str(c): c for c in kept.columns}
    frame_columns(list(names), text_column)  # a missing text column named for a Python caller
    cmap = column_map(list(names), text_column, None)
    model = _load(detector)
    run = _Run(explain=explain, cmap=cmap, id_col=None, report=None, summary=BatchSummary())
    run.model_id = _model_id(model)
    used = list(dict.fromkeys(cmap.values()))
    if notes is not None and len(notes) != len(frame):
        raise ValueError(f"notes has {len(notes)} items for {len(frame)} rows; give one per "
                         "row (None for a row without one).")
    rows = kept[[names[c] for c in used]].itertuples(index=False, name=None)
    chunk: _Chunk = [(dict(zip(used, values, strict=True)), note) for values, note in
                     zip(rows, notes if notes is not None else [None] * len(frame),
                         strict=True)]
    notes, todo, records = run.prepare(chunk)
    results = _score_records(model, records, explain) if records else []
    added = pd.DataFrame(run.merge(chunk, notes, todo, results),
                         columns=[*OUTPUT_COLUMNS, *(run.extra_columns or [])])
    # Side by side by position: an index with repeated labels is kept as it is.
    return pd.concat([kept.reset_index(drop=True), added], axis=1).set_axis(frame.index)
