"""``vnmisinfo calibrate``: set the review thresholds from a target precision or a budget."""

from __future__ import annotations

import argparse
import json
import sys

from vnmisinfo.cli._types import jobs

NAME = "calibrate"
HELP = ("Set a model's high/medium review thresholds from a target precision or a review "
        "budget, measured on labelled data, and save the model.")

def add_arguments(p: argparse.ArgumentParser) -> None:
    from vnmisinfo.evaluation.presets import PRESETS

    p.add_argument("--data", nargs="+", action="extend", required=True, metavar="FILE",
                   help="labelled files the thresholds are measured on: a 0/1 'label' "
                   "column, or reviewed files with a 'verdict' column (misinformation / "
                   "reliable; unsure and blank rows are left out); repeatable")
    p.add_argument("-o", "--output", required=True, help="model file to write (.skops)")
    p.add_argument("--model", default=None,
                   help="fitted model whose thresholds are set, scored on --data as held-out "
                   "data (default: the shipped model)")
    p.add_argument("--cv", type=int, default=0, metavar="K",
                   help="instead: fit --preset on --data, measure on K-fold grouped "
                   "out-of-fold scores, and save the model fitted on all of --data")
    p.add_argument("--preset", default="default", choices=sorted(PRESETS),
                   help="configuration for --cv (default: %(default)s)")
    p.add_argument("--high-precision", type=float, default=None, metavar="P",
                   help="lowest threshold whose flags reach precision P goes to high")
    p.add_argument("--medium-precision", type=float, default=None, metavar="P",
                   help="the same for the medium tier")
    p.add_argument("--budget", type=float, default=None, metavar="SHARE",
                   help="share of documents flagged high, e.g. 0.05 for the top 5%%")
    p.add_argument("--medium-budget", type=float, default=None, metavar="SHARE",
                   help="share of documents flagged medium or high")
    p.add_argument("--include-training-rows", action="store_true",
                   help="with a model: also use rows it was trained on (by default they are "
                   "found by text hash, counted and left out)")
    p.add_argument("--group-by", default="text", choices=["exact", "text", "domain"],
                   help="fold groups for --cv (default: %(default)s)")
    p.add_argument("--jobs", type=jobs, default=1,
                   help="parallel folds for --cv (default: 1; -1: every core)")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.data.formats import check_suffix, refuse_input_as_output, same_file
    from vnmisinfo.model.persist import default_model_path

    refuse_input_as_output(args.output, [*args.data, args.model])
    if args.model is None and not args.cv and same_file(default_model_path(), args.output):
        raise ValueError(f"the output {args.output} is the shipped model, which calibrate "
                         "reads when --model is not given; writing there would replace it. "
                         "Write to another file (e.g. -o calibrated.skops) and score with "
                         "--model calibrated.skops.")
    check_suffix(args.output, (".skops",), "a skops model file")
    if all(v is None for v in (args.high_precision, args.medium_precision, args.budget,
                               args.medium_budget)):
        print("vnmisinfo calibrate: error: give a rule: --high-precision, --medium-precision, "
              "--budget or --medium-budget.", file=sys.stderr)
        return 2
    for flag, value in (("--high-precision", args.high_precision),
                        ("--medium-precision", args.medium_precision),
                        ("--budget", args.budget), ("--medium-budget", args.medium_budget)):
        if value is not None and not 0 < value <= 1:  # checked before any row is scored
            print(f"vnmisinfo calibrate: error: {flag} must be a share in (0, 1], got {value}; "
                  "0.05 means 5%.", file=sys.stderr)
            return 2
    if args.cv and args.model:
        print("vnmisinfo calibrate: error: --cv fits a new model from --preset; drop --model.",
              file=sys.stderr)
        return 2
    from vnmisinfo.evaluation.thresholds import calibrate_model
    from vnmisinfo.triage import save_model

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr)

    tuned, choices, metadata = calibrate_model(
        args.data, model=args.model, cv=args.cv, preset=args.preset, group_by=args.group_by,
        n_jobs=args.jobs, progress=not args.quiet, log=log,
        include_training_rows=args.include_training_rows,
        high_precision=args.high_precision, medium_precision=args.medium_precision,
        budget=args.budget, medium_budget=args.medium_budget)
    path = save_model(tuned, args.output, metadata=metadata)
    from vnmisinfo.evaluation.card import write_model_card
    from vnmisinfo.model.persist import read_metadata

    # the calibrated model's card: its thresholds, and where they were measured
    card = write_model_card(path.with_name("MODEL_CARD.md") if path.stem == "default"
                            else path.with_suffix(".md"), read_metadata(path), tuned.detector)
    print(f"thresholds measured on {metadata['threshold_calibration']['measured_on']}:")
    for c in choices.values():
        print(f"  {c}")
    log(f"saved {path} and its card {card}")
    if not args.quiet:
        log(json.dumps(metadata["threshold_calibration"], indent=2))
    return 0
