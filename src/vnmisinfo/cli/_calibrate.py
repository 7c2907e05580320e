"""``vnmisinfo calibrate``: set the review thresholds from a target precision or a budget."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "calibrate"
HELP = ("Set a model's high/medium review thresholds from a target precision or a review "
        "budget, measured on labelled data, and save the model.")

_GENERATED = {"format_version", "vnmisinfo", "scikit-learn", "underthesea", "skops", "python",
              "created", "thresholds", "params"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    from vnmisinfo.train import PRESETS

    p.add_argument("--data", nargs="+", required=True, metavar="FILE",
                   help="labelled files the thresholds are measured on")
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
    p.add_argument("--group-by", default="text", choices=["exact", "text", "domain"],
                   help="fold groups for --cv (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=1, help="parallel folds for --cv (default: 1)")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.calibrate import apply_thresholds, choose_thresholds
    from vnmisinfo.persist import load_model, save_model

    if all(v is None for v in (args.high_precision, args.medium_precision, args.budget,
                               args.medium_budget)):
        print("vnmisinfo calibrate: error: give a rule: --high-precision, --medium-precision, "
              "--budget or --medium-budget.", file=sys.stderr)
        return 2
    if args.cv and args.model:
        print("vnmisinfo calibrate: error: --cv fits a new model from --preset; drop --model.",
              file=sys.stderr)
        return 2

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr)

    from vnmisinfo.evaluate import cross_val_scores, load_labelled, predict_files

    metadata: dict = {}
    if args.cv:
        from vnmisinfo.train import make_detector

        frame, info = load_labelled(args.data)
        template = make_detector(args.preset)
        scored = cross_val_scores(frame, detector=template, n_splits=args.cv,
                                  group_by=args.group_by, n_jobs=args.jobs,
                                  progress=not args.quiet, info=info, log=log)
        log("fitting the model on all of --data")
        pre = template.preprocess(frame)
        detector = template.fit(pre, frame["label"].to_numpy(dtype=int),
                                groups=scored.frame["group"].to_numpy())
        metadata = {"preset": args.preset, "training_rows": int(len(frame)),
                    "training_files": [str(p) for p in args.data]}
        source = f"{args.cv}-fold grouped out-of-fold scores on {len(frame)} documents"
    else:
        detector = load_model(args.model)
        scored = predict_files(args.data, model=detector)
        stored = getattr(detector, "metadata_", {}) or {}
        metadata = {k: v for k, v in stored.items() if k not in _GENERATED}
        source = f"held-out scores of {args.model or 'the shipped model'} on " \
                 f"{len(scored.frame)} documents"
    choices = choose_thresholds(
        scored.y, scored.proba, high_precision=args.high_precision,
        medium_precision=args.medium_precision, budget=args.budget,
        medium_budget=args.medium_budget,
        current=(float(detector.medium_threshold), float(detector.high_threshold)))
    tuned = apply_thresholds(detector, choices)
    metadata["threshold_calibration"] = {
        "measured_on": source,
        "files": [str(p) for p in args.data],
        **{tier: c.as_dict() for tier, c in choices.items()},
    }
    path = save_model(tuned, args.output, metadata=metadata)
    print(f"thresholds measured on {source}:")
    for c in choices.values():
        print(f"  {c}")
    log(f"saved {path}")
    if not args.quiet:
        log(json.dumps(metadata["threshold_calibration"], indent=2))
    return 0
