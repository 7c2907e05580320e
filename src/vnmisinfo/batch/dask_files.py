"""Dask from the command line: partitioned CSV/Parquet in, part files out, on any cluster.

``vnmisinfo score IN -o OUT --engine dask`` calls :func:`score_dask_files`;
each worker loads the model once, from its path.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import logging
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import pandas as pd

from vnmisinfo._compat import import_or_raise
from vnmisinfo.batch.dask import LOCAL_WORKERS, PARTITION_ROWS, score_dask
from vnmisinfo.batch.dask_parts import (
    _finish_part,
    _fold_copies,
    _merge,
    _parquet_schema,
    _PartSpec,
)
from vnmisinfo.batch.report_state import _TEXT_KEY, HIST_BINS
from vnmisinfo.batch.rows import PREFIX, BatchSummary
from vnmisinfo.batch.scoring import _load, _thresholds
from vnmisinfo.data.blocks import (
    READ_NOTE,
    csv_blocks,
    parquet_blocks,
    read_csv_block,
    read_parquet_block,
)
from vnmisinfo.data.formats import (
    EXTENSIONS,
    check_folder,
    check_named_format,
    compression_of,
    extension_format,
    is_stream,
    require_pyarrow,
    same_file,
)
from vnmisinfo.data.readers import check_encoding, column_map, id_column_of

__all__ = ["score_dask_files"]


_INPUT_KINDS = ("csv", "tsv", "parquet")


def _kind(path: str, fmt: str | None) -> str:
    """``csv``, ``tsv`` or ``parquet``: ``fmt`` when given, else the extension."""
    compressed = compression_of(path)
    if compressed:
        raise ValueError(
            f"--engine dask reads uncompressed files, and {path!r} is compressed "
            f"({compressed}); score it without --engine dask (which reads it as it is), or "
            "decompress it first (or convert it to Parquet).")
    found = EXTENSIONS.get(os.path.splitext(path)[1].lower())
    if fmt and not (fmt == "csv" and found == "tsv"):
        found = fmt
    if found not in _INPUT_KINDS:
        raise ValueError(
            f"--engine dask reads CSV and Parquet files (.csv, .tsv, .parquet, .pq); "
            f"{path!r} is {found.upper() + ' ' if found else ''}not one of them. Score it without "
            "--engine dask, name its format with --format, or convert it to Parquet.")
    return found


def _data_file(path: str) -> bool:
    return os.path.isfile(path) and EXTENSIONS.get(os.path.splitext(path)[1].lower()) in \
        _INPUT_KINDS


def _partitioned_files(folder: str) -> list[str]:
    """The Parquet files in the ``key=value`` subfolders of ``folder`` (a partitioned
    dataset, as pandas, Dask and Spark write it), sorted; refuse other nested files."""
    found = []
    for where, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        found += [os.path.join(where, n) for n in sorted(names) if not n.startswith(("_", "."))
                  and _data_file(os.path.join(where, n))]
    parts = {os.path.relpath(os.path.dirname(f), folder) for f in found}
    hive = all(all("=" in part.strip("=") for part in rel.split(os.sep)) for rel in parts)
    if found and hive and all(EXTENSIONS.get(os.path.splitext(f)[1].lower()) == "parquet"
                              for f in found):
        return found
    nested = (f" (it has {len(found)} in subfolders, which are read only as a partitioned "
              "Parquet dataset: Parquet files in key=value subfolders)" if found else "")
    ext = os.path.splitext(found[0])[1] if found else ".parquet"
    raise ValueError(f"{folder!r} holds no CSV or Parquet file (.csv, .tsv, .parquet, .pq) at "
                     f"its top level{nested}; point at the files with a glob, such as "
                     f"'{os.path.join(folder, '*', '*' + ext)}'.")


def _input_files(source: str, fmt: str | None) -> tuple[list[str], str, str]:
    """The input files, sorted, their one kind, and the folder that their partition folders
    (``key=value``) are under: a file, a folder of files, a partitioned dataset, or a glob."""
    if source == "-" or is_stream(source):
        raise ValueError(f"--engine dask reads files, not standard input or a stream "
                         f"({source!r}); save the data to a file first, or drop --engine dask.")
    base = source
    if os.path.isdir(source):
        files = [f for f in sorted(glob.glob(os.path.join(glob.escape(source), "*")))
                 if _data_file(f)]
        files = files or _partitioned_files(source)
    elif any(c in source for c in "*?["):
        files = sorted(f for f in glob.glob(source) if os.path.isfile(f))
        base = os.path.commonpath([os.path.dirname(os.path.abspath(f)) for f in files]
                                  ) if files else source
    elif os.path.isfile(source):
        files, base = [source], os.path.dirname(os.path.abspath(source))
    else:
        raise FileNotFoundError(f"no such file or folder: {source!r}")
    if not files:
        raise ValueError(f"{source!r} holds no CSV or Parquet file (.csv, .tsv, .parquet, .pq).")
    kinds = sorted({_kind(f, fmt) for f in files})
    if len(kinds) > 1:
        raise ValueError(f"{source!r} mixes {' and '.join(kinds)} files; score one kind at a "
                         "time (a glob such as 'folder/*.csv' picks them).")
    for f in files:  # as the local engine, before any cluster starts
        check_encoding(f, kinds[0])
    return [os.path.abspath(f) for f in files], kinds[0], os.path.abspath(base)


def _read(files: list[str], kind: str, partition_rows: int, base: str) -> tuple[Any, Any]:
    """The input as a Dask DataFrame of ``partition_rows`` rows a partition; its schema.

    A CSV file is cut into byte blocks of whole rows (:func:`csv_blocks`), even
    where a quoted field spans lines, and each worker reads its own blocks.
    Every CSV cell is read as text, empty cells as ``""``.  A Parquet file is
    cut along its row groups, and a large row group into slices of it
    (:func:`parquet_blocks`); its cells are read as the local engine reads them,
    as Python values.  Parquet files in ``key=value`` folders under ``base`` get
    those columns, after their own, as pyarrow reads a partitioned dataset.
    """
    dd = import_or_raise("dask.dataframe", "dask", purpose="--engine dask")
    if kind == "parquet":
        require_pyarrow()
        import pyarrow.dataset as ds

        dataset = ds.dataset(files, format="parquet", partitioning="hive",
                             partition_base_dir=base)
        index = (dataset.schema.pandas_metadata or {}).get("index_columns", [])
        full = dataset.schema.remove_metadata()
        columns = [n for n in full.names if n not in index]  # not a stored pandas index
        keys = {os.path.abspath(f.path): ds.get_partition_keys(f.partition_expression)
                for f in dataset.get_fragments()}
        given = [n for n in columns if any(n in found for found in keys.values())]
        paths, blocks = _each(files, lambda f: parquet_blocks(f, partition_rows))
        parts = [(p, b, {k: keys[p].get(k) for k in given}) for p, b in zip(paths, blocks,
                                                                              strict=True)]
        return dd.from_map(_parquet_part, parts, columns=columns,
                           meta=_text_meta([*columns, READ_NOTE]),
                           enforce_metadata=False), [full.field(n) for n in columns]
    delimiter = "\t" if kind == "tsv" else ","
    layouts = {f: csv_blocks(f, partition_rows, delimiter) for f in files}
    headers = {tuple(blocks.header) for blocks in layouts.values()}
    if len(headers) > 1:
        raise ValueError(f"the input files have different columns ({sorted(headers)}); score "
                         "files with the same header together.")
    header = layouts[files[0]].header
    paths, spans = _each(files, lambda f: layouts[f].ranges)
    return dd.from_map(read_csv_block, paths, spans, header=header, delimiter=delimiter,
                       notes=True, meta=_text_meta([*header, READ_NOTE]),
                       enforce_metadata=False), None


def _parquet_part(part: tuple[str, Any, dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of one Parquet block ``(file, block, partition values)``."""
    path, block, values = part
    return read_parquet_block(path, block, [c for c in columns if c not in values],
                              {k: v for k, v in values.items() if k in columns}, notes=True)


def _text_meta(columns: list[str]) -> pd.DataFrame:
    """The empty frame of a partition: every column holds Python values (object)."""
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


def _each(files: list[str], blocks_of: Callable[[str], Iterable[Any]]
          ) -> tuple[list[str], list[Any]]:
    """Each block of each file, and its file beside it: the arguments of one partition each."""
    pairs = [(f, block) for f in files for block in blocks_of(f)]
    return [f for f, _ in pairs], [block for _, block in pairs]


def _output_format(output: str | None, output_format: str | None, single_file: bool,
                   in_kind: str) -> str:
    """``csv``, ``tsv`` or ``parquet``: ``output_format``, else the extension, else the input's."""
    if output in (None, "-") or is_stream(output):
        raise ValueError("--engine dask writes a folder of part files (or one CSV file with "
                         "--single-file); name it with -o OUT.")
    assert output is not None
    check_named_format(output.rstrip("/"), output_format, "--output-format")
    named = extension_format(output.rstrip("/"))
    found = output_format or named
    if found == "csv" and named == "tsv":
        found = "tsv"  # a .tsv named with --output-format csv: tab-separated CSV
    if found is None:
        found = "parquet" if in_kind == "parquet" else "csv"
    if found not in ("csv", "tsv", "parquet"):
        raise ValueError(f"--engine dask writes CSV or Parquet, not {found}; name a .csv or "
                         ".parquet output, or pass --output-format.")
    if single_file and found == "parquet":
        raise ValueError("--single-file writes one CSV file; name OUT.csv, or drop "
                         "--single-file to write a folder of Parquet part files.")
    if found == "parquet":
        require_pyarrow()
    return found


def _check_paths(files: list[str], output: str, single_file: bool, report: str | None) -> None:
    """Refuse an output that would overwrite the input or an earlier run's output."""
    check_folder(report, "report")
    if single_file:
        if os.path.isdir(output):
            raise ValueError(f"output {output!r} is a folder; --single-file writes one file.")
        check_folder(output, "output")
        clash = [f for f in files if same_file(f, output)]
    else:
        if os.path.isfile(output):
            raise ValueError(f"the output {output!r} is a file, and --engine dask writes a "
                             "folder of part files: name a new folder, or pass --single-file "
                             "to write one CSV file (it replaces this one).")
        if os.path.exists(output) and (not os.path.isdir(output) or os.listdir(output)):
            raise ValueError(f"output folder {output!r} exists and is not empty; name a new "
                             "folder (part files of another run are never mixed in).")
        inside = os.path.realpath(output) + os.sep
        clash = [f for f in files if os.path.realpath(f).startswith(inside)]
    if clash:
        raise ValueError(f"the output {output!r} is (or holds) the input file {clash[0]!r}; "
                         "writing it would destroy the input. Name another output.")
    if report is not None and any(same_file(f, report) for f in [*files, output]):
        raise ValueError(f"the report {report!r} is the input or the output; name another "
                         "report file.")


#: The variable Dask's nannies set for their workers, and the value they give it.  With it,
#: glibc stops adapting its mmap threshold: every large temporary array is then mapped and
#: unmapped afresh, and scoring takes up to twice the CPU time (``benchmarks/bench_dask.py``).
TRIM_VARIABLE, DASK_TRIM = "MALLOC_TRIM_THRESHOLD_", "65536"

#: Dask settings of the local cluster's workers: None leaves :data:`TRIM_VARIABLE` unset; one
#: malloc arena, not one per thread (the scoring thread's own arena kept about 20 MB more at a
#: worker's peak); and no statistical profiler samples the scoring thread every 10 ms (for a
#: dashboard that no one watches here).
LOCAL_WORKER_CONFIG = {f"distributed.nanny.pre-spawn-environ.{TRIM_VARIABLE}": None,
                       "distributed.nanny.pre-spawn-environ.MALLOC_ARENA_MAX": 1,
                       "distributed.worker.profile.enabled": False}


@contextlib.contextmanager
def _worker_environ() -> Iterator[None]:
    """:data:`LOCAL_WORKER_CONFIG`, and none of the threshold that an earlier local cluster's
    nannies left in this process's environment (they set it here, and workers inherit it)."""
    import dask

    left = os.environ.get(TRIM_VARIABLE)
    if left == DASK_TRIM:  # Dask's own value, not one the user chose
        del os.environ[TRIM_VARIABLE]
    try:
        with dask.config.set(LOCAL_WORKER_CONFIG):
            yield
    finally:
        if left == DASK_TRIM:
            os.environ[TRIM_VARIABLE] = left


def _trim_threshold() -> str | None:
    """The malloc trim threshold of the process it runs in (a worker's, sent by name)."""
    return os.environ.get(TRIM_VARIABLE)


def _warn_fixed_trim_threshold(client: Any) -> None:
    """Warn when workers of a running cluster have Dask's fixed malloc trim threshold.

    Each worker reads its own environment: ``os.environ.get`` itself would travel with the
    calling process's environment and read that one.
    """
    seen = client.run(_trim_threshold, on_error="return")
    fixed = [w for w, value in seen.items() if value == DASK_TRIM]
    if fixed:
        warnings.warn(
            f"{len(fixed)} of {len(seen)} Dask workers run with {TRIM_VARIABLE}={DASK_TRIM} "
            "(the Dask nanny's default), which makes scoring up to twice as slow. Fix: set "
            f"distributed.nanny.pre-spawn-environ.{TRIM_VARIABLE} to null in the Dask "
            "configuration of each worker machine and restart its workers (docs/batch.md, "
            "'Dask: more than one machine').", RuntimeWarning, stacklevel=4)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers``."""
    distributed = import_or_raise("distributed", "dask", purpose="--engine dask")
    if scheduler is not None:
        if workers is not None:
            raise ValueError("--workers sizes the local cluster; with --scheduler the "
                             "cluster's own workers score (start more with 'dask worker "
                             f"{scheduler}').")
        with distributed.Client(scheduler) as client:
            _warn_fixed_trim_threshold(client)
            yield client
        return
    with _worker_environ(), \
            distributed.LocalCluster(n_workers=workers or LOCAL_WORKERS, threads_per_worker=1,
                                     processes=True, dashboard_address=":0",
                                     silence_logs=logging.WARNING) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def score_dask_files(input: str, output: str, *, model: Any = None,
                     scheduler: str | None = None, workers: int | None = None,
                     partition_rows: int = PARTITION_ROWS, fmt: str | None = None,
                     output_format: str | None = None, single_file: bool = False,
                     text_column: str | None = None, id_column: str | None = None,
                     explain: int = 5, match: bool = True, overwrite_scores: bool = False,
                     report: str | None = None, report_top: int = 50, progress: bool = False,
                     log: IO[str] | None = None) -> BatchSummary:
    """Score CSV or Parquet files on a Dask cluster; write part files or one CSV file.

    The rows and columns are those of :func:`~vnmisinfo.batch.run.score_file`:
    every input column, unchanged, then the ``vnm_`` columns.  The output is
    written to ``<output>.partial`` and moved into place at the end.

    Parameters
    ----------
    input : str
        A CSV (``.csv``, ``.tsv``) or Parquet file, a folder of them, a partitioned
        Parquet dataset (``key=value`` subfolders; each key is a column), or a glob
        (``"dumps/*.parquet"``).  CSV cells are read as text.
    output : str
        A folder, created, of part files ``part-00000.csv`` (``.tsv`` when the
        output is named ``.tsv``, tab-separated; ``.parquet``) in input order;
        with ``single_file``, one CSV (or TSV) file.
    model : str or None
        Model file, or None for the shipped model.  Only the path is sent to the
        workers, and each loads it once; it must be readable there.
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler
        (``tcp://host:8786``); by default a local cluster is started.
    workers : int, optional
        Worker processes of the local cluster (default: 2); one thread each.
    partition_rows : int, default=500
        Rows per partition at most (fewer at the end of a file or a Parquet row group).
    fmt : {"csv", "parquet"}, optional
        Input format when the extensions do not say.
    output_format : {"csv", "tsv", "parquet"}, optional
        Output format; by default from the output's extension, else the input's.
    single_file : bool, default=False
        Write one CSV file instead of a folder; the rows pass through this process.
    text_column, id_column : str, optional
        Text column when not a known name; id column shown in the report.
    explain : int, default=5
        Terms per row in ``vnm_top_terms``.
    match : bool, default=True
        Match texts against the narrative catalogue when the model carries one.
    overwrite_scores : bool, default=False
        Replace the input's ``vnm_`` columns instead of refusing them.
    report : str, optional
        Write the HTML review page of the top rows here.
    report_top : int, default=50
        Rows shown in the report, by tier, known narratives first, then score.
    progress : bool, default=False
        Print partitions done to ``log``.
    log : file, optional
        Where progress goes (default: standard error).

    Returns
    -------
    BatchSummary
        Counts and timing of the run.

    Raises
    ------
    ValueError
        If the input is not CSV or Parquet, the output is not a new (or empty)
        folder or would overwrite the input, or the input has ``vnm_`` columns
        and ``overwrite_scores`` is False.
    ModuleNotFoundError
        If dask, distributed or (for Parquet) pyarrow is missing.

    Examples
    --------
    On a local cluster of four worker processes, then on a running cluster
    (not run here)::

        score_dask_files("posts/*.csv", "scored", workers=4, output_format="parquet")
        score_dask_files("posts.parquet", "scored", scheduler="tcp://10.0.0.5:8786")
    """
    started = time.perf_counter()
    log = log if log is not None else sys.stderr
    if partition_rows < 1:
        raise ValueError(f"partition_rows must be at least 1, got {partition_rows}.")
    if explain < 0:
        raise ValueError(f"explain must be 0 or more, got {explain}.")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    files, kind, base = _input_files(input, fmt)
    out_fmt = _output_format(output, output_format, single_file, kind)
    _check_paths(files, output, single_file, report)
    dask = import_or_raise("dask", "dask", purpose="--engine dask")
    distributed = import_or_raise("distributed", "dask", purpose="--engine dask")
    if isinstance(model, (str, os.PathLike)) and os.path.exists(model):
        model = os.path.abspath(model)  # the workers' working folder may differ
    target = os.path.abspath(output.rstrip("/") if not single_file else output)
    partial = target + ".partial"
    # Text stays Python strings (None when missing), as the local engine reads it.
    with dask.config.set({"dataframe.convert-string": False}):
        ddf, fields = _read(files, kind, partition_rows, base)  # a bad file stops first
    with dask.config.set({"dataframe.convert-string": False}), \
            _client(scheduler, workers) as client:
        scored = score_dask(ddf, model=model, text_column=text_column, explain=explain,
                            match=match, overwrite_scores=overwrite_scores)
        columns = list(scored.columns)
        names = [str(c) for c in ddf.columns if not str(c).startswith(PREFIX)
                 and c != READ_NOTE]
        cmap = column_map(names, text_column, None)
        spec = _PartSpec(
            folder=None if single_file else partial, out_fmt=out_fmt, columns=columns,
            schema=_parquet_schema(columns, fields) if out_fmt == "parquet" else None,
            report_top=report_top if report else -1, text_col=cmap["text"],
            id_col=id_column_of(names, id_column),
            roles={r: c for r, c in cmap.items() if r != "text"})
        if os.path.isdir(partial):
            shutil.rmtree(partial)
        if not single_file:
            os.makedirs(partial)
        try:
            summary, hist, top, offsets = _run_parts(
                client, distributed, dask, scored, spec, partial, progress, log)
            if not single_file and os.path.isdir(target):
                os.rmdir(target)  # an empty folder, checked above
            os.replace(partial, target)
        except BaseException:
            if os.path.isdir(partial):
                shutil.rmtree(partial, ignore_errors=True)
            elif os.path.exists(partial):
                os.unlink(partial)
            raise
    summary.seconds = time.perf_counter() - started
    if report:
        from vnmisinfo.report import write_report
        from vnmisinfo.report.page import left_out

        items = []
        for entry in _fold_copies(top, report_top):
            item = entry[4]
            del item[_TEXT_KEY]  # not a column of the input: kept out of the reviewed file
            if item["id"] is None:  # no id column: the row's number, as the local engine
                item["id"] = offsets[-entry[2]] - entry[3] + 1
            items.append(item)
        summary.report_left_out = left_out(items, summary, report_top)
        write_report(report, items, summary, histogram=hist,
                     thresholds=_thresholds(_load(model, match)), top=report_top,
                     source=str(input))
    return summary


def _run_parts(client: Any, distributed: Any, dask: Any, scored: Any, spec: _PartSpec,
               partial: str, progress: bool, log: IO[str]
               ) -> tuple[BatchSummary, list[int], list, list[int]]:
    """Run every partition task; with one CSV file, write their rows in order as they come.

    The rows kept for the report are merged in partition order too, so that the copies
    counted on an item do not depend on which partition finished first.
    Returns the summary, the score histogram, the rows kept for the report and
    the first row number of each partition.
    """
    tasks = [dask.delayed(_finish_part)(part, i, spec)
             for i, part in enumerate(scored.to_delayed())]
    futures = client.compute(tasks)
    index = {f.key: i for i, f in enumerate(futures)}
    summary = BatchSummary()
    hist = [0] * HIST_BINS
    top: list = []
    tops: dict[int, list] = {}  # rows kept by partitions that finished before an earlier one
    rows = [0] * len(futures)
    waiting: dict[int, str] = {}
    sink = None
    if spec.folder is None:
        sink = open(partial, "w", encoding="utf-8", newline="")
        csv.writer(sink, lineterminator="\n", delimiter=spec.sep).writerow(spec.columns)
    try:
        written = merged = 0
        for done, future in enumerate(distributed.as_completed(futures), 1):
            i = index[future.key]
            part = future.result()
            future.release()
            _merge(summary, part["summary"])
            rows[i] = part["summary"].rows
            if "hist" in part:
                hist = [a + b for a, b in zip(hist, part["hist"], strict=True)]
                tops[i] = part["top"]
                while merged in tops:
                    top = _fold_copies([*top, *tops.pop(merged)], spec.report_top)
                    merged += 1
            if sink is not None:
                waiting[i] = part["csv"]
                while written in waiting:
                    sink.write(waiting.pop(written))
                    written += 1
            if progress:
                print(f"\rscoring: {done}/{len(futures)} partitions, {summary.rows} rows",
                      end="", file=log, flush=True)
        if progress:
            print(file=log)
        if sink is not None:
            sink.flush()
            os.fsync(sink.fileno())
    finally:
        if sink is not None:
            sink.close()
    offsets = [sum(rows[:i]) for i in range(len(rows))]
    return summary, hist, top, offsets
