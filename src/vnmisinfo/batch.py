"""Batch scoring of CSV and JSONL files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from .explain import format_terms

__all__ = ["BatchSummary", "score_file", "score_frame"]

OUTPUT_COLUMNS = ("score", "label", "tier", "top_terms")


@dataclass
class BatchSummary:
    """What a batch run did."""

    rows: int = 0
    tiers: dict[str, int] = field(default_factory=lambda: {"high": 0, "medium": 0, "low": 0})

    def __str__(self) -> str:
        t = self.tiers
        return (f"{self.rows} rows scored: {t['high']} high, {t['medium']} medium, "
                f"{t['low']} low")


def _format(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv" or path == "-":
        return "csv"
    raise ValueError(f"cannot tell the format of {path!r} from its extension; "
                     "use --format csv or --format jsonl.")


def _chunks(path: str, fmt: str, chunksize: int) -> Iterator[pd.DataFrame]:
    source: Any = sys.stdin if path == "-" else path
    if fmt == "csv":
        yield from pd.read_csv(source, dtype=str, keep_default_na=False, chunksize=chunksize)
    else:
        yield from pd.read_json(source, lines=True, dtype=False, chunksize=chunksize)


def score_frame(detector: Any, frame: pd.DataFrame, *, text_column: str | None = None,
                explain: int = 5) -> pd.DataFrame:
    """Score one frame and return it with ``score``, ``label``, ``tier`` and ``top_terms``."""
    from .features import as_frame

    results = detector.score(as_frame(frame, text_column=text_column), explain=explain)
    out = frame.copy()
    out["score"] = [round(r["probability"], 6) for r in results]
    out["label"] = [r["label"] for r in results]
    out["tier"] = [r["tier"] for r in results]
    out["top_terms"] = [format_terms(r["top_terms"]) for r in results]
    return out


def score_file(input: str, output: str | None = None, *, model: Any = None,
               text_column: str | None = None, explain: int = 5, fmt: str | None = None,
               chunksize: int = 2000) -> BatchSummary:
    """Score a CSV or JSONL file and write the input columns plus the scores.

    Parameters
    ----------
    input, output : str
        Paths; ``-`` or None for standard output.
    model : Detector, optional
        Defaults to the shipped model.
    text_column : str, optional
        Text column when not a known name (``text``, ``post_message``, ...).
    explain : int
        Terms per row in ``top_terms``.
    """
    from .persist import load_model

    detector = model if model is not None else load_model()
    in_fmt = _format(input, fmt)
    out_fmt = _format(output or "-", fmt if output in (None, "-") else None)
    summary = BatchSummary()
    sink: TextIO = sys.stdout if output in (None, "-") else open(output, "w", encoding="utf-8")
    try:
        first = True
        for chunk in _chunks(input, in_fmt, chunksize):
            scored = score_frame(detector, chunk, text_column=text_column, explain=explain)
            summary.rows += len(scored)
            for t, n in scored["tier"].value_counts().items():
                summary.tiers[str(t)] += int(n)
            if out_fmt == "csv":
                scored.to_csv(sink, header=first, index=False)
            else:
                scored.to_json(sink, orient="records", lines=True, force_ascii=False)
                if not scored.empty:
                    sink.write("\n")
            first = False
    finally:
        if sink is not sys.stdout:
            sink.close()
    return summary
