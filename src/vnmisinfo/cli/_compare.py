"""``vnmisinfo compare``: a promotion gate between two models on unseen reviewer-labelled rows."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "compare"
HELP = ("Compare an OLD and a NEW model file on reviewer-labelled rows that neither was "
        "trained on: ROC-AUC, PR-AUC, Brier and precision at the medium tier, and a verdict. "
        "Exits 0 only when NEW is better: ROC-AUC higher by >= 0.005 and its bootstrap "
        "confidence interval (level 0.95) above 0; else 1.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", help="the model in use (a .skops model file)")
    p.add_argument("new", metavar="NEW", help="the candidate model (a .skops model file)")
    p.add_argument("--data", nargs="+", action="extend", required=True, metavar="REVIEWED",
                   help="labelled files (label 0/1) or reviewed files (verdict: "
                   "misinformation, reliable; unsure and blank rows are left out); repeatable")
    p.add_argument("-o", "--output", default=None, metavar="REPORT.json",
                   help="also write the full comparison as JSON")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.data.formats import atomic_write, check_suffix, refuse_input_as_output

    refuse_input_as_output(args.output, [args.old, args.new, *args.data])
    check_suffix(args.output, (".json",), "a JSON report")
    from vnmisinfo.evaluation.compare import compare_models, format_comparison

    result = compare_models(args.old, args.new, args.data,
                            log=lambda message: print(message, file=sys.stderr))
    if args.output:
        atomic_write(args.output, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print("\n".join(format_comparison(result)))
    return 0 if result["winner"] == "new" else 1
