"""Rows per second of ``vnmisinfo score --engine dask`` with 2 local workers against 1.

The input is ``--rows`` distinct rows (default 100,000) built from the ReINTEL
``unlabeled.csv``, ``train.csv`` and ``warmup.csv`` posts: copy k > 0 of a post
gets `` #k`` appended, so that no text repeats and deduplication does not
flatter the figures.  For each worker count, a local cluster of that many
processes (one thread each) is started and warmed up (every worker loads the
model on a small file), then the whole file is scored into a folder of CSV
part files and timed: steady-state throughput, without cluster start-up.
Both runs happen in the same invocation, on the same file, and the speed-up
is their ratio.  Generated files go to a temporary folder, deleted at the end.

The same run also measures what two cores give this work on this machine, with
no Dask at all: ``--ceiling-rows`` rows scored in one process alone, then the
same rows in each of two processes at once (model loading not timed).  Two
copies that never talk to each other are the most any two workers can do, so
the Dask speed-up is also given as a share of that ceiling.

Usage::

    python benchmarks/bench_dask.py                        # 100,000 rows, shipped model
    python benchmarks/bench_dask.py --rows 5000 --fast-preset
    python benchmarks/bench_dask.py --model m.skops --no-match
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("VNMISINFO_CORPORA", ROOT.parent / "shared" / "corpora"))
SOURCES = [CORPORA / "reintel" / name for name in ("unlabeled.csv", "train.csv", "warmup.csv")]
COLUMNS = ["id", "post_message", "timestamp_post", "num_like_post", "num_comment_post",
           "num_share_post"]


def make_file(path: Path, rows: int) -> Path:
    """``rows`` distinct posts: the ReINTEL posts repeated, copy k > 0 with ' #k' appended."""
    csv.field_size_limit(2**31 - 1)
    base: list[list[str]] = []
    for source in SOURCES:
        with open(source, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["post_message"].strip():
                    base.append([row.get(c) or "" for c in COLUMNS])
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(rows):
            copy, at = divmod(i, len(base))
            r = list(base[at])
            r[0] = str(i)
            if copy:
                r[1] = f"{r[1]} #{copy}"
            writer.writerow(r)
    return path


def train_fast(path: Path) -> Path:
    """Train the ``fast`` preset on ReINTEL train.csv and save it."""
    from vnmisinfo.data.corpora import load_reintel
    from vnmisinfo.evaluation.train import make_detector
    from vnmisinfo.triage import Triage, save_model

    frame = load_reintel(CORPORA / "reintel" / "train.csv")
    frame = frame[frame["text"].str.strip() != ""].reset_index(drop=True)
    det = make_detector("fast", cv=3).fit(frame, frame["label"].to_numpy())
    save_model(Triage(det), path)
    return path


def timed_run(source: Path, tmp: Path, workers: int, model: str | None, match: bool,
              partition_rows: int) -> float:
    """Rows per second of one scoring of ``source`` on a warm local cluster of ``workers``."""
    from distributed import LocalCluster

    from vnmisinfo.batch.dask_files import _worker_environ, score_dask_files

    warm = make_file(tmp / "warm.csv", 8 * workers)
    # the workers of `vnmisinfo score --engine dask`: the same settings as its own cluster
    with _worker_environ(), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        score_dask_files(str(warm), str(tmp / f"warm-{workers}"), model=model,
                         scheduler=address, partition_rows=8, match=match)
        summary = score_dask_files(str(source), str(tmp / f"out-{workers}"), model=model,
                                   scheduler=address, partition_rows=partition_rows,
                                   match=match, progress=sys.stderr.isatty())
    print(f"{workers} worker(s): {summary}", file=sys.stderr)
    return summary.rows / summary.seconds


def _score_alone(source: str, rows: int, model: str | None, match: bool,
                 partition_rows: int) -> float:
    """Seconds to score the first ``rows`` rows of ``source`` in this process, model loaded,
    in frames of ``partition_rows`` rows as a Dask worker scores its partitions."""
    import time

    import pandas as pd

    from vnmisinfo.batch.frame import score_frame
    from vnmisinfo.batch.scoring import _load

    frame = pd.read_csv(source, dtype=str, keep_default_na=False, nrows=rows)
    loaded = _load(model, match)
    score_frame(loaded, frame.head(200))  # warm: lazy parts of the model are built here
    start = time.perf_counter()
    for lo in range(0, len(frame), partition_rows):
        score_frame(loaded, frame.iloc[lo:lo + partition_rows])
    return time.perf_counter() - start


def _timed(job: tuple[Any, ...], processes: int = 1, trim: str | None = None) -> float:
    """Seconds of :func:`_score_alone` in ``processes`` new processes at once (the slowest),
    with ``MALLOC_TRIM_THRESHOLD_`` set to ``trim`` in their environment, or unset."""
    import multiprocessing

    from vnmisinfo.batch.dask_files import TRIM_VARIABLE

    before = os.environ.pop(TRIM_VARIABLE, None)
    if trim is not None:
        os.environ[TRIM_VARIABLE] = trim  # glibc reads it when a process starts
    try:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            return max(pool.starmap(_score_alone, [job] * processes))
    finally:
        os.environ.pop(TRIM_VARIABLE, None)
        if before is not None:
            os.environ[TRIM_VARIABLE] = before


def machine_ceiling(job: tuple[Any, ...]) -> tuple[float, float, float, float]:
    """``(one, two, ratio, fixed)``: seconds of one process alone (the mean of a run before
    and a run after), of the slower of two at once, the throughput of two over one
    (``2 * one / two``), and seconds of one process with Dask's malloc trim threshold."""
    from vnmisinfo.batch.dask_files import DASK_TRIM

    first, two, last = _timed(job), _timed(job, processes=2), _timed(job)
    one = (first + last) / 2
    return one, two, 2 * one / two, _timed(job, trim=DASK_TRIM)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000, help="distinct rows scored")
    p.add_argument("--model", default=None, help="model file (default: the shipped model)")
    p.add_argument("--fast-preset", action="store_true",
                   help="train the 'fast' preset on ReINTEL train.csv and score with it")
    p.add_argument("--no-match", action="store_true", help="skip narrative matching")
    p.add_argument("--partition-rows", type=int, default=500,
                   help="rows per partition; several partitions per worker keep both busy")
    p.add_argument("--ceiling-rows", type=int, default=4000,
                   help="rows per process for the two-core ceiling (0: skip it)")
    p.add_argument("--ceiling-only", action="store_true",
                   help="measure only the two-core ceiling, not Dask")
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="vnmisinfo-bench-dask-"))
    try:
        model = args.model
        if args.fast_preset:
            model = str(train_fast(tmp / "fast.skops"))
        source = make_file(tmp / "posts.csv", args.rows)
        speedup = None
        if not args.ceiling_only:
            rates = {w: timed_run(source, tmp, w, model, not args.no_match,
                                  args.partition_rows) for w in (1, 2)}
            print("| workers | rows | rows/s |\n|---|---|---|")
            for w, rate in rates.items():
                print(f"| {w} | {args.rows:,} | {rate:,.1f} |")
            speedup = rates[2] / rates[1]
            print(f"\nspeed-up, 2 workers vs 1: {speedup:.2f}x (on {os.cpu_count()} cores)")
        if args.ceiling_rows > 0 or args.ceiling_only:
            rows = min(args.ceiling_rows or 4000, args.rows)
            job = (str(source), rows, model, not args.no_match, args.partition_rows)
            one, two, ceiling, fixed = machine_ceiling(job)
            print(f"two-core ceiling, no Dask: {ceiling:.2f}x ({rows:,} rows: one process "
                  f"alone {one:.1f} s, the slower of two at once {two:.1f} s)"
                  + ("" if speedup is None else f"; Dask reaches {speedup / ceiling:.0%} of it"))
            print(f"one process, {rows:,} rows: {one:.1f} s; with dask's "
                  f"MALLOC_TRIM_THRESHOLD_=65536 {fixed:.1f} s ({fixed / one:.2f}x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
