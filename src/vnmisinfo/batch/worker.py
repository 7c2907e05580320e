"""The start of a batch process: the model loaded once, before any row; no pyarrow unneeded.

A worker of ``vnmisinfo score --workers N`` receives records and returns scores; it
never reads or writes a file.  pandas imports pyarrow whenever it is installed (the
``parquet`` extra, and Dask's), which costs each process about 70 MB for nothing, so a
worker that starts before pandas tells Python that pyarrow is absent: pandas then
keeps its strings as Python objects, as it does in an install without pyarrow, and the
scores and the files written are the same.  The main process keeps pyarrow when it
reads or writes Parquet (:func:`skip_pyarrow`).

This module imports nothing heavy: it must run before pandas does.

Examples
--------
>>> from vnmisinfo.batch.worker import _without_pyarrow
>>> _without_pyarrow({})
{'pyarrow': None}
>>> _without_pyarrow({"pandas": object()}).get("pyarrow", "untouched")
'untouched'
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

__all__ = ["skip_pyarrow", "start"]


def _without_pyarrow(modules: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Mark pyarrow absent in ``modules`` unless pandas (or pyarrow) is already imported."""
    if "pandas" not in modules and "pyarrow" not in modules:
        modules["pyarrow"] = None  # ``import pyarrow`` now raises ImportError
    return modules


def skip_pyarrow(*formats: str | None) -> bool:
    """Keep pyarrow out of this process when none of ``formats`` is Parquet.

    For a process that reads and writes only CSV or JSONL: the command line's
    ``vnmisinfo score`` calls it before pandas is imported, so that one process
    scoring with ``--workers 1`` does not carry pyarrow.  It does nothing once
    pandas is imported.

    Returns
    -------
    bool
        Whether pyarrow is now kept out.
    """
    if "parquet" in formats:
        return False
    _without_pyarrow(sys.modules)
    return "pyarrow" in sys.modules and sys.modules["pyarrow"] is None


def start(model: Any, match: bool = True) -> None:
    """Load the model of this worker process (see :func:`~vnmisinfo.batch.scoring._init_worker`).

    Parameters
    ----------
    model : str, path, fitted model or None
        What :func:`vnmisinfo.load_model` loads (None: the shipped model).
    match : bool, default=True
        Keep the model's narrative index.
    """
    _without_pyarrow(sys.modules)
    from vnmisinfo.batch.scoring import _init_worker

    _init_worker(model, match)
