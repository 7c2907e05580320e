"""``vnmisinfo score``: score a CSV, JSONL or Parquet file in a streaming batch."""

from __future__ import annotations

import argparse
import sys

NAME = "score"
HELP = ("Score a CSV, JSONL or Parquet file of posts or articles; writes every input row "
        "plus score, label, tier, top_terms and error.")


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
    p.add_argument("input", help="CSV, JSONL or Parquet file, or - for standard input")
    p.add_argument("-o", "--output", default=None,
                   help="output file (default: standard output); format from its extension")
    p.add_argument("--model", default=None, help="model file (default: the shipped model)")
    p.add_argument("--format", default=None, choices=["csv", "jsonl", "parquet"],
                   help="input format when the extension does not say (also the output "
                   "format on standard output)")
    p.add_argument("--output-format", default=None, choices=["csv", "jsonl", "parquet"],
                   help="output format when its extension does not say")
    p.add_argument("--text-column", default=None, help="text column when not a known name")
    p.add_argument("--id-column", default=None,
                   help="id column shown in the report (default: id, post_id, ... if present)")
    p.add_argument("--column", action="append", type=_role, default=[], metavar="ROLE=COLUMN",
                   help="map a column to title, likes, comments, shares or timestamp; "
                   "repeatable")
    p.add_argument("--no-match", action="store_true",
                   help="skip matching against the narrative catalogue (faster)")
    p.add_argument("--explain", type=_count, default=5, metavar="K",
                   help="terms per row in top_terms (default: 5)")
    p.add_argument("--workers", type=_positive, default=None, metavar="N",
                   help="worker processes (default: all cores)")
    p.add_argument("--chunk-size", type=_positive, default=2000, metavar="ROWS",
                   help="rows per chunk (default: 2000)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run from <output>.ckpt")
    p.add_argument("--skip-bad-lines", action="store_true",
                   help="log malformed lines (to stderr and <output>.bad-lines) and go on")
    p.add_argument("--report", default=None, metavar="HTML",
                   help="write a self-contained HTML review page of the top items")
    p.add_argument("--report-top", type=_count, default=50, metavar="N",
                   help="items in the report (default: 50)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no summary line")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.batch import score_file

    if args.resume and args.output in (None, "-"):
        print("vnmisinfo score: error: --resume needs -o FILE (an output file to continue)",
              file=sys.stderr)
        return 2
    summary = score_file(
        args.input, args.output, model=args.model, text_column=args.text_column,
        explain=args.explain, fmt=args.format, output_format=args.output_format,
        id_column=args.id_column, columns=dict(args.column), chunksize=args.chunk_size,
        workers=args.workers, resume=args.resume, skip_bad_lines=args.skip_bad_lines,
        report=args.report, report_top=args.report_top,
        progress=not args.quiet and sys.stderr.isatty(), match=not args.no_match)
    if not args.quiet:
        print(f"vnmisinfo score: {summary}", file=sys.stderr)
    return 0
