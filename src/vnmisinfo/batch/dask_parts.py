"""The partition tasks of ``--engine dask``: each writes its scored rows as the local engine would.

A task writes its part file (or sends back its CSV text, for one output file), and
returns the partition's summary and, for the review page, its histogram and top rows.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from vnmisinfo.batch.report_state import (
    _TEXT_KEY,
    HIST_BINS,
    REPORT_CHARS,
    _input_cells,
    _raw_key,
    _text_key,
)
from vnmisinfo.batch.rows import OUTPUT_TYPES, PREFIX, BatchSummary
from vnmisinfo.data.arrow_rows import stored_values
from vnmisinfo.data.formats import require_pyarrow
from vnmisinfo.data.writers import csv_cell, csv_quoting, csv_text
from vnmisinfo.report.page import COPIES, INPUT_KEY

__all__: list[str] = []


@dataclass(frozen=True)
class _PartSpec:
    """What each partition task does with its scored rows besides scoring them."""

    folder: str | None  # where its part file goes; None: its CSV text is sent back
    out_fmt: str
    columns: list[Any]
    schema: Any  # the pyarrow schema of Parquet part files
    report_top: int  # rows kept for the review page; -1: no page
    text_col: str
    id_col: str | None
    roles: dict[str, str]  # title, likes, ... -> column, shown in the page

    @property
    def sep(self) -> str:  # the field separator of CSV output: a tab for TSV
        return "\t" if self.out_fmt == "tsv" else ","


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _part_summary(frame: pd.DataFrame) -> BatchSummary:
    """Rows, rows per tier, rows not scored and row notes of a scored partition."""
    summary = BatchSummary(rows=len(frame))
    scored = frame["vnm_score"].notna()
    summary.not_scored = int((~scored).sum())
    for tier, n in frame.loc[scored, "vnm_tier"].value_counts().items():
        summary.tiers[str(tier)] = summary.tiers.get(str(tier), 0) + int(n)
    for note in frame["vnm_error"]:
        if isinstance(note, str) and note:
            summary.count_errors(note)
    return summary


def _part_report(frame: pd.DataFrame, index: int, spec: _PartSpec) -> tuple[list[int], list]:
    """The score histogram of a partition and its ``report_top`` distinct texts in review order.

    Each kept row is ``(tier rank, score, -partition, -position, item)``:
    across partitions, earlier rows come first among equals, as in the local engine.
    Copies of a text are counted on its first row in review order (:data:`COPIES`), as
    the local engine counts them: a copy below the page is counted when it is a
    byte-for-byte copy, so the count is a lower bound.  The item holds its text's
    comparison key, by which :func:`_fold_copies` folds copies across partitions.
    """
    import numpy as np

    from vnmisinfo.data.review import review_rank

    scores = frame["vnm_score"].dropna().to_numpy(dtype=float)
    bins = np.clip((scores * HIST_BINS).astype(int), 0, HIST_BINS - 1)
    hist = np.bincount(bins, minlength=HIST_BINS).tolist()
    if spec.report_top <= 0:
        return hist, []
    keys = sorted(((*review_rank(tier, float(score), narrative), -index, -pos)
                   for pos, (tier, score, narrative) in enumerate(zip(
                       frame["vnm_tier"], frame["vnm_score"], frame["vnm_narrative_id"],
                       strict=True))
                   if not _missing(score)), reverse=True)
    texts = [str(t) for t in frame[spec.text_col]]
    title_col = spec.roles.get("title")
    titles = frame[title_col].tolist() if title_col is not None else [None] * len(frame)
    kept: dict[str, dict[str, Any]] = {}  # text key -> its item
    raw: dict[str, str] = {}  # raw key -> text key, for kept texts
    top = []
    for key in keys:
        pos = -key[3]
        copy = _raw_key(texts[pos], titles[pos])
        found = raw.get(copy)
        if found is None:
            if len(kept) >= spec.report_top:
                continue  # below the page, and not a byte-for-byte copy of a kept text
            found = raw[copy] = _text_key(texts[pos], titles[pos])
        if found in kept:
            kept[found][COPIES] += 1
            continue
        kept[found] = _part_item(frame.iloc[pos], texts[pos], spec)
        kept[found].update({COPIES: 0, _TEXT_KEY: found})
        top.append((*key, kept[found]))
    return hist, top


def _part_item(row: pd.Series, text: str, spec: _PartSpec) -> dict[str, Any]:
    """What the review page shows of a partition's row, its input columns included."""
    item = {str(c): row[c] for c in row.index
            if str(c).startswith(PREFIX) and not _missing(row[c])}
    item.update(id=row[spec.id_col] if spec.id_col else None, text=text[:REPORT_CHARS],
                text_chars=len(text))
    item.update({role: row[col] for role, col in spec.roles.items() if not _missing(row[col])})
    item[INPUT_KEY] = _input_cells(row.to_dict())  # the input row, as the local engine keeps it
    return item


def _fold_copies(entries: list, top: int) -> list:
    """The first ``top`` distinct texts of ``entries`` (from :func:`_part_report`) in review order.

    Items of one text, from several partitions, make one: the first in review order,
    counting the others and their copies (:data:`COPIES`).
    """
    kept: dict[str, dict[str, Any]] = {}
    out: list = []
    for entry in sorted(entries, reverse=True, key=lambda e: e[:4]):
        item = entry[4]
        first = kept.get(item[_TEXT_KEY])
        if first is not None:
            first[COPIES] += item[COPIES] + 1
        elif len(out) < top:
            kept[item[_TEXT_KEY]] = item
            out.append(entry)
    return out


def _finish_part(frame: pd.DataFrame, index: int, spec: _PartSpec) -> dict[str, Any]:
    """Write a scored partition (or return its CSV text); return its summary and top rows."""
    frame = frame.reindex(columns=spec.columns)
    for c in frame.columns:
        if str(c).startswith(PREFIX) and frame[c].dtype == object:
            frame[c] = [csv_cell(v) for v in frame[c]]
    frame["vnm_label"] = frame["vnm_label"].astype("Int64")
    out: dict[str, Any] = {"summary": _part_summary(frame)}
    if spec.report_top >= 0:
        out["hist"], out["top"] = _part_report(frame, index, spec)
    if spec.out_fmt == "parquet":
        assert spec.folder is not None
        path = os.path.join(spec.folder, f"part-{index:05d}.parquet")
        require_pyarrow().parquet.write_table(_arrow_table(frame, spec.schema), path)
        return out
    for c in frame.columns:  # each cell as the local engine's CSV writer writes it
        if frame[c].dtype == object:
            frame[c] = [csv_text(v) for v in frame[c]]
    if spec.folder is None:
        out["csv"] = frame.to_csv(index=False, header=False, lineterminator="\n", sep=spec.sep,
                                  quoting=csv_quoting(frame))
        return out
    path = os.path.join(spec.folder, f"part-{index:05d}.{spec.out_fmt}")
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", sep=spec.sep,
                 quoting=csv_quoting(frame))
    return out


def _arrow_table(frame: pd.DataFrame, schema: Any) -> Any:
    """``frame`` as an Arrow table of ``schema``, each input cell as the local engine writes it.

    A column of Python values keeps a NaN as NaN (not null); a date beyond Python's,
    read as text, is written back as its stored value.
    """
    pa = require_pyarrow()

    def array(values: pd.Series, typ: Any) -> Any:
        if values.dtype != object:  # the scores: NaN is a row not scored
            return pa.array(values, type=typ, from_pandas=True)
        cells = values.tolist()
        try:
            return pa.array(cells, type=typ)
        except (TypeError, ValueError):
            return pa.array(stored_values(cells), type=typ)

    return pa.Table.from_arrays([array(frame[c], field.type)
                                 for c, field in zip(frame.columns, schema, strict=True)],
                                schema=schema)


def _parquet_schema(columns: list[Any], input_fields: list[Any] | None) -> Any:
    """Input columns keep their Parquet types; the ``vnm_`` columns are numbers or text."""
    pa = require_pyarrow()
    given = {f.name: f.type for f in input_fields or []}
    arrow = {float: pa.float64(), int: pa.int64(), str: pa.string()}
    return pa.schema([pa.field(str(c), given.get(str(c), arrow[OUTPUT_TYPES.get(str(c), str)]))
                      for c in columns])


def _merge(total: BatchSummary, part: BatchSummary) -> None:
    total.rows += part.rows
    total.not_scored += part.not_scored
    total.error_rows += part.error_rows
    for tier, n in part.tiers.items():
        total.tiers[tier] = total.tiers.get(tier, 0) + n
    for reason, n in part.errors.items():
        total.errors[reason] = total.errors.get(reason, 0) + n
