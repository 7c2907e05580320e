"""Batch scoring of CSV, JSONL and Parquet files: streaming, parallel, resumable; and Dask."""

from vnmisinfo.batch.dask import score_dask
from vnmisinfo.batch.run import (
    FORMATS,
    OUTPUT_COLUMNS,
    PREFIX,
    BadInputError,
    BatchSummary,
    score_file,
    score_frame,
)

__all__ = [
    "FORMATS",
    "OUTPUT_COLUMNS",
    "PREFIX",
    "BadInputError",
    "BatchSummary",
    "score_dask",
    "score_file",
    "score_frame",
]
