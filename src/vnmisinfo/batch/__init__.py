"""Batch scoring of CSV, JSONL and Parquet files: streaming, parallel, resumable; and Dask.

``import vnmisinfo.batch`` imports nothing heavy: the names below are resolved on first
use, so that a worker process (:mod:`vnmisinfo.batch.worker`) can start before pandas.

Examples
--------
>>> import vnmisinfo.batch
>>> vnmisinfo.batch.PREFIX
'vnm_'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vnmisinfo._compat import lazy_names

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

_LAZY = {name: "vnmisinfo.batch.run" for name in __all__} | {"score_dask": "vnmisinfo.batch.dask"}

if TYPE_CHECKING:
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


__getattr__, __dir__ = lazy_names("vnmisinfo.batch", _LAZY, globals())
