"""``vnmisinfo score``: score a CSV or JSONL file."""

from __future__ import annotations

import argparse
import sys

NAME = "score"
HELP = "Score a CSV or JSONL file of posts or articles; writes the input plus scores."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="CSV or JSONL file, or - for standard input")
    p.add_argument("-o", "--output", default=None, help="output file (default: standard output)")
    p.add_argument("--model", default=None, help="model file (default: the shipped model)")
    p.add_argument("--text-column", default=None, help="text column when not a known name")
    p.add_argument("--format", default=None, choices=["csv", "jsonl"],
                   help="file format when the extension does not say")
    p.add_argument("--explain", type=int, default=5, metavar="K",
                   help="terms per row in top_terms (default: 5)")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.batch import score_file
    from vnmisinfo.persist import load_model

    model = load_model(args.model)
    summary = score_file(args.input, args.output, model=model, text_column=args.text_column,
                         explain=args.explain, fmt=args.format)
    print(summary, file=sys.stderr)
    return 0
