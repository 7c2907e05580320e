"""Scoring with Dask, to scale out past one machine.

:func:`score_dask` scores a Dask DataFrame partition by partition and returns
a lazy frame.  :func:`vnmisinfo.batch.dask_files.score_dask_files` is
``vnmisinfo score --engine dask``: it reads CSV or Parquet files as partitions, scores them on a
``dask.distributed`` cluster (a local one by default), and writes a folder
of part files, or one CSV file, with the columns of
:func:`~vnmisinfo.batch.run.score_file`'s output.

Only the model's *path* travels with the tasks: each worker process loads it
once, on its first partition, and keeps it (:func:`vnmisinfo.load_model`
caches per process).  Input and output paths must be visible to every worker
(one machine, or a shared file system).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from vnmisinfo._compat import import_or_raise
from vnmisinfo.batch.frame import score_frame
from vnmisinfo.batch.rows import check_scored
from vnmisinfo.batch.scoring import _load
from vnmisinfo.data.blocks import READ_NOTE

__all__ = ["score_dask"]

#: Rows per partition when the caller does not say: a worker's peak grows with a partition's
#: rows (scoring 30,000 rows: 432 MB with 500, 444 MB with 1,000), its speed does not.
PARTITION_ROWS = 500
#: Worker processes of the local cluster when the caller does not say.
LOCAL_WORKERS = 2


def _score_partition(frame: pd.DataFrame, model: Any, text_column: str | None, explain: int,
                     match: bool, overwrite_scores: bool) -> pd.DataFrame:
    """Score one partition; ``model`` is loaded (once per worker) when it is a path or None.

    A partition read from files carries its rows' read notes in :data:`READ_NOTE`, which
    go to ``vnm_error`` as the local engine's do.
    """
    notes = None
    if READ_NOTE in frame.columns:
        notes = [n if isinstance(n, str) and n else None for n in frame[READ_NOTE]]
        frame = frame.drop(columns=[READ_NOTE])
    return score_frame(_load(model, match), frame, text_column=text_column, explain=explain,
                       overwrite_scores=overwrite_scores, notes=notes)


def score_dask(ddf: Any, *, model: Any = None, text_column: str | None = None,
               explain: int = 5, match: bool = True, overwrite_scores: bool = False) -> Any:
    """Score a Dask DataFrame partition by partition, to scale out past one machine.

    Each worker loads the model once (pass a path, or None for the shipped model, so that
    only the path travels with the tasks) and scores its partitions with
    :func:`~vnmisinfo.batch.frame.score_frame`: the input columns, unchanged, then the
    ``vnm_`` output columns of :func:`~vnmisinfo.batch.run.score_file`; bad rows get
    ``vnm_error``.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Rows with a text column (``text``, ``post_message``, ... or ``text_column``).
    model : str, Path, model or None
        Model file, a model as returned by :func:`vnmisinfo.load_model`, or None
        for the shipped model.
    text_column : str, optional
        Text column when not a known name.
    explain : int
        Terms per row in ``vnm_top_terms``.
    match : bool
        Match texts against the narrative catalogue when the model carries one.
    overwrite_scores : bool
        Replace the input's ``vnm_`` columns instead of refusing them.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; ``.compute()`` or ``.to_parquet(...)`` runs it.

    Raises
    ------
    ModuleNotFoundError
        If dask is missing.
    ValueError
        If the input has ``vnm_`` columns and ``overwrite_scores`` is False.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> ddf = dd.from_pandas(pd.DataFrame({"text": ["Tỏi chữa khỏi covid", "Hà Nội mưa"]}),
    ...                      npartitions=2)
    >>> out = score_dask(ddf, match=False).compute()
    >>> list(out.columns[:4]), len(out)
    (['text', 'vnm_score', 'vnm_label', 'vnm_tier'], 2)
    """
    import_or_raise("dask.dataframe", "dask", purpose="Dask DataFrames")
    check_scored(ddf.columns, overwrite_scores)
    sample = ddf._meta_nonempty.head(1)
    meta = _score_partition(sample, model, text_column, explain, match,
                            overwrite_scores).iloc[:0]
    return ddf.map_partitions(_score_partition, model, text_column, explain, match,
                              overwrite_scores, meta=meta)


# ---------------------------------------------------------------------------
# Files on a cluster
# ---------------------------------------------------------------------------
