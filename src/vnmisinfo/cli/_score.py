"""``vnmisinfo score``: score a CSV, JSONL or Parquet file in a streaming batch."""

from __future__ import annotations

import argparse
import sys

NAME = "score"
HELP = ("Score a CSV, JSONL or Parquet file of posts or articles; writes every input row, "
        "its columns unchanged, plus vnm_score, vnm_label, vnm_tier, vnm_tier_reason, "
        "vnm_top_terms, vnm_context, vnm_error, the narrative match (vnm_narrative_id, its "
        "candidate, claim, rebuttal and sources), vnm_entities and vnm_model.")


def _role(value: str) -> tuple[str, str]:
    role, sep, column = value.partition("=")
    if not sep or not role or not column:
        raise argparse.ArgumentTypeError(
            f"expected ROLE=COLUMN (e.g. likes=n_likes), got {value!r}")
    return role.strip(), column


def _at_least(minimum: int):  # noqa: ANN202 - returns an argparse type
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"expected at least {minimum}, got {n}")
        return n

    return parse


_positive = _at_least(1)
_count = _at_least(0)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="CSV, JSONL or Parquet file (CSV and JSONL may be "
                   "compressed: .csv.gz, .jsonl.bz2, .tsv.xz), or - for standard input "
                   "(read as --format, CSV by default)")
    p.add_argument("-o", "--output", default=None,
                   help="output file (default: standard output); format from its extension. "
                   "It must not be the input; a symlink is followed, and a named pipe or a "
                   "device (/dev/stdout) is written straight through")
    p.add_argument("--model", default=None, help="model file (default: the shipped model)")
    p.add_argument("--narratives", default=None, metavar="INDEX.skops|TEAM.jsonl",
                   help="match against this narrative index instead of the model's: a .skops "
                   "file from 'vnmisinfo narratives build' (with its learned decision), or a "
                   ".jsonl team catalogue, fitted here with the shipped catalogue on the "
                   "catalogues alone (a similarity threshold, no learned decision). The "
                   "model itself is not changed; local engine only")
    p.add_argument("--format", default=None, choices=["csv", "jsonl", "parquet"],
                   help="input format when the extension does not say, and of standard "
                   "input (default: csv): a .csv, .jsonl or .parquet input is read as its "
                   "extension says; also the output format on standard output")
    p.add_argument("--output-format", default=None, choices=["csv", "jsonl", "parquet"],
                   help="output format when its extension does not say (standard output, a pipe); "
                   "an output whose extension names another format is refused")
    p.add_argument("--text-column", default=None, help="text column when not a known name")
    p.add_argument("--id-column", default=None,
                   help="id column shown in the report (default: id, post_id, ... if present)")
    p.add_argument("--column", action="append", type=_role, default=[], metavar="ROLE=COLUMN",
                   help="map a column to title, likes, comments, shares or timestamp; "
                   "repeatable")
    p.add_argument("--no-match", action="store_true",
                   help="skip matching against the narrative catalogue (faster)")
    p.add_argument("--explain", type=_count, default=None, metavar="K",
                   help="terms per row in vnm_top_terms (default: 5; 0 with --fast)")
    p.add_argument("--fast", action="store_true",
                   help="the fastest configuration: the shipped fast model (no character "
                   "n-grams, a slightly lower ROC-AUC: see its model card), no catalogue "
                   "matching and no explanations unless --explain asks for them; the same as "
                   "--model <the shipped fast.skops> --no-match --explain 0")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="worker processes (default: all cores; with --engine dask, the local "
                   "cluster's workers, default 2)")
    p.add_argument("--chunk-size", type=_positive, default=None, metavar="ROWS",
                   help="rows per chunk (default: 1000)")
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="local: a pool of processes on this machine (default); dask: a "
                   "dask.distributed cluster, reading a file, a folder or a glob of CSV or "
                   "Parquet files and writing a folder of part files (pip install "
                   "\"vnmisinfo[dask]\")")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="with --engine dask: a running scheduler, e.g. tcp://host:8786 "
                   "(default: start a local cluster)")
    p.add_argument("--partition-rows", type=_positive, default=None, metavar="N",
                   help="with --engine dask: rows per partition (default: 500)")
    p.add_argument("--single-file", action="store_true",
                   help="with --engine dask: write one CSV file OUT.csv instead of a folder")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run from <output>.ckpt (needs an input file "
                   "and a regular output file)")
    p.add_argument("--overwrite-scores", action="store_true",
                   help="replace the vnm_ columns of an input that was scored before (without "
                   "it, such an input is refused); other columns are kept as they are, and a "
                   "vnm_ column that vnmisinfo does not write is refused even with it")
    p.add_argument("--skip-bad-lines", action="store_true",
                   help="log malformed lines (to stderr and <output>.bad-lines) and go on; "
                   "a compressed input damaged partway is scored up to the damage")
    p.add_argument("--report", default=None, metavar="HTML",
                   help="write a self-contained HTML review page of the top items")
    p.add_argument("--report-top", type=_count, default=50, metavar="N",
                   help="items in the report, by tier, known narratives first, then score "
                   "(default: 50); a page of many thousand items may be too big for a browser "
                   "to open (a warning says so): review more with 'vnmisinfo queue'")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no summary line")


#: Options of the local engine that --engine dask does not take, and why.
_NOT_DASK = {
    "resume": ("--resume", "a failed Dask run leaves no partial output; run it again"),
    "skip_bad_lines": ("--skip-bad-lines", "a malformed line stops the run; score that file "
                       "with the local engine"),
    "chunk_size": ("--chunk-size", "use --partition-rows"),
    "column": ("--column", "rename the columns to title, likes, comments, shares or "
               "timestamp, or use the local engine"),
    "narratives": ("--narratives", "score with the local engine"),
}
#: Options that only --engine dask takes.
_ONLY_DASK = {"scheduler": "--scheduler", "partition_rows": "--partition-rows",
              "single_file": "--single-file"}


def _usage(message: str) -> int:
    print(f"vnmisinfo score: error: {message}", file=sys.stderr)
    return 2


def _fast(args: argparse.Namespace) -> str | None:
    """Apply --fast and the --explain default; an error message, or None."""
    if args.fast:
        for flag, given in (("--model", args.model), ("--narratives", args.narratives)):
            if given is not None:
                return f"--fast scores with the shipped fast model; drop {flag} or --fast"
        from vnmisinfo.model.persist import shipped_model_path

        args.model = str(shipped_model_path("fast"))
        args.no_match = True
        args.explain = 0 if args.explain is None else args.explain
    args.explain = 5 if args.explain is None else args.explain
    return None


def _warn_large_report(args: argparse.Namespace) -> None:
    """Warn when --report-top asks for a page too big for a browser to open."""
    if not args.report:
        return
    from vnmisinfo.report.page import LARGE_PAGE

    if args.report_top > LARGE_PAGE:
        print(f"vnmisinfo score: warning: --report-top {args.report_top} asks for a review page "
              f"of more than {LARGE_PAGE:,} items, which may be too big for a browser to open "
              "(each item is about 5 KB); to review many rows, use 'vnmisinfo queue SCORED -o "
              "queue.csv --budget N' on the scored file", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    problem = _fast(args)
    if problem:
        return _usage(problem)
    if args.engine == "dask":
        return _run_dask(args)
    for dest, flag in _ONLY_DASK.items():
        if getattr(args, dest):
            return _usage(f"{flag} needs --engine dask")
    from vnmisinfo.batch.worker import skip_pyarrow
    from vnmisinfo.data.formats import extension_format

    skip_pyarrow(args.format, args.output_format, extension_format(args.input),
                 extension_format(args.output))
    _warn_large_report(args)
    from vnmisinfo.batch.run import score_file

    if args.resume and args.output in (None, "-"):
        return _usage("--resume needs -o FILE (an output file to continue)")
    model = args.model
    if args.narratives is not None:
        if args.no_match:
            return _usage("--narratives and --no-match contradict each other; drop one")
        from vnmisinfo.batch.options import with_narratives

        model = with_narratives(args.model, args.narratives)
    summary = score_file(
        args.input, args.output, model=model, text_column=args.text_column,
        explain=args.explain, fmt=args.format, output_format=args.output_format,
        id_column=args.id_column, columns=dict(args.column),
        chunksize=args.chunk_size or 1000, workers=args.workers, resume=args.resume,
        skip_bad_lines=args.skip_bad_lines, report=args.report, report_top=args.report_top,
        progress=not args.quiet and sys.stderr.isatty(), match=not args.no_match,
        overwrite_scores=args.overwrite_scores)
    if not args.quiet:
        print(f"vnmisinfo score: {summary}", file=sys.stderr)
    return 0


def _run_dask(args: argparse.Namespace) -> int:
    for dest, (flag, instead) in _NOT_DASK.items():
        if getattr(args, dest):
            return _usage(f"{flag} is not supported with --engine dask: {instead}")
    if args.format == "jsonl" or args.output_format == "jsonl":
        return _usage("--engine dask reads and writes CSV or Parquet, not JSONL; drop "
                      "--engine dask to score JSONL")
    if args.output in (None, "-"):
        return _usage("--engine dask needs -o OUT: a folder of part files, or a .csv file "
                      "with --single-file")
    _warn_large_report(args)
    from vnmisinfo.batch.dask import PARTITION_ROWS
    from vnmisinfo.batch.dask_files import score_dask_files

    summary = score_dask_files(
        args.input, args.output, model=args.model, scheduler=args.scheduler,
        workers=args.workers, partition_rows=args.partition_rows or PARTITION_ROWS,
        fmt=args.format, output_format=args.output_format, single_file=args.single_file,
        text_column=args.text_column, id_column=args.id_column, explain=args.explain,
        match=not args.no_match, overwrite_scores=args.overwrite_scores, report=args.report,
        report_top=args.report_top, progress=not args.quiet and sys.stderr.isatty())
    if not args.quiet:
        print(f"vnmisinfo score: {summary}", file=sys.stderr)
    return 0
