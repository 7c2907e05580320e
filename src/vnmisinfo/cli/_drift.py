"""``vnmisinfo drift``: has a new batch of posts moved away from a baseline batch?"""

from __future__ import annotations

import argparse
import os
import sys

NAME = "drift"
HELP = ("Compare a NEW file of posts with a BASELINE file: score shift (PSI, KS), "
        "out-of-vocabulary rate, tier mix and rising terms; writes drift.json, plots and "
        "report.html, and prints one verdict line. Shift when PSI >= 0.2, or the OOV rate "
        "rises by >= 0.05 and >= 25%%, or the tier mix moves by TVD >= 0.15.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("baseline", metavar="BASELINE",
                   help="CSV/TSV/JSONL/Parquet file of posts the model is known to work on "
                   "(scored by 'vnmisinfo score' or not)")
    p.add_argument("new", metavar="NEW", help="CSV/TSV/JSONL/Parquet file of new posts")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="report folder")
    p.add_argument("--model", default=None,
                   help="model file (default: the shipped model); files scored by another "
                   "model are scored again")
    p.add_argument("--text-column", default=None, help="text column when not a known name")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.data.formats import refuse_input_as_output

    refuse_input_as_output(args.output, [args.baseline, args.new, args.model],
                           "the report folder")
    if os.path.exists(args.output) and not os.path.isdir(args.output):  # before any work
        print(f"vnmisinfo drift: error: -o {args.output} is a file; name a folder for "
              "drift.json, report.html and the plots.", file=sys.stderr)
        return 2
    from vnmisinfo.evaluation.drift import drift_report, read_posts, write_drift_report

    baseline = read_posts(args.baseline)
    new = read_posts(args.new)
    report = drift_report(baseline, new, model=args.model, text_column=args.text_column)
    report["files"] = {"baseline": str(args.baseline), "new": str(args.new)}
    write_drift_report(report, args.output)
    print(report["verdict"])
    return 0
