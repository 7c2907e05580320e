"""``vnmisinfo evaluate``: metrics, plots and an HTML report for a model or a preset."""

from __future__ import annotations

import argparse
import json
import sys

from vnmisinfo.cli._types import jobs

NAME = "evaluate"
HELP = ("Evaluate a model on labelled files, or a preset by grouped cross-validation; "
        "writes metrics.json, plots and report.html.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from vnmisinfo.data.names import GROUP_BY
    from vnmisinfo.evaluation.presets import PRESETS

    p.add_argument("--data", nargs="+", action="extend", required=True, metavar="FILE",
                   help="labelled CSV/TSV/JSONL/Parquet files (ReINTEL and VFND recognised); "
                   "repeatable")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="report folder")
    p.add_argument("--model", default=None,
                   help="model file to evaluate on --data (default: the shipped model)")
    p.add_argument("--cv", type=int, default=0, metavar="K",
                   help="instead of a model, cross-validate --preset with K grouped folds")
    p.add_argument("--preset", default="default", choices=sorted(PRESETS),
                   help="configuration for --cv (default: %(default)s)")
    p.add_argument("--group-by", default="text", choices=GROUP_BY,
                   help="fold groups: exact text, near-duplicate text, or also outlet "
                   "(default: %(default)s)")
    p.add_argument("--near-threshold", type=float, default=0.9,
                   help="cosine similarity for near-duplicates (default: %(default)s)")
    p.add_argument("--jobs", type=jobs, default=1,
                   help="parallel folds (default: 1; -1: every core)")
    p.add_argument("--include-training-rows", action="store_true",
                   help="with a model: also measure on rows it was trained on (by default they "
                   "are found by text hash, counted and left out)")
    p.add_argument("--text-column", default=None, help="text column when not a known name")
    p.add_argument("--label-column", default=None, help="label column (default: label)")
    p.add_argument("--title", default=None, help="report title")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.data.formats import refuse_input_as_output

    refuse_input_as_output(args.output, [*args.data, args.model], "the report folder")
    if args.label_column not in (None, "verdict"):
        return _evaluate(args)
    # reviewed files (a verdict column) are read as calibrate and compare read them
    import tempfile
    from pathlib import Path

    from vnmisinfo.data.review import labelled_paths

    with tempfile.TemporaryDirectory() as tmp:
        ready, _ = labelled_paths(args.data, Path(tmp))
        return _evaluate(argparse.Namespace(**{**vars(args), "label_column": None,
                                               "data": [str(p) for p in ready]}))


def _evaluate(args: argparse.Namespace) -> int:
    from vnmisinfo.evaluation.evaluate import (
        conflicts_left_out,
        cross_val_scores,
        load_labelled,
        predict_files,
        write_report,
    )

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr)

    if args.cv and args.model:
        print("vnmisinfo evaluate: error: --cv fits the preset itself; drop --model, or drop "
              "--cv to evaluate the model on --data.", file=sys.stderr)
        return 2
    if args.cv:
        if args.cv < 2:
            print(f"vnmisinfo evaluate: error: --cv needs at least 2 folds, got {args.cv}.",
                  file=sys.stderr)
            return 2
        frame, info = load_labelled(args.data, text_column=args.text_column,
                                    label_column=args.label_column)
        empty = len(info["empty_dropped"])
        dupes = info["rows_read"] - info["rows"] - empty
        log(f"{info['rows']} documents ({info['positives']} misinformation) after dropping "
            f"{empty} empty and {dupes} duplicate rows")
        info["title"] = f"{args.preset}, {args.cv}-fold CV"
        scored = cross_val_scores(frame, preset=args.preset, n_splits=args.cv,
                                  group_by=args.group_by, threshold=args.near_threshold,
                                  n_jobs=args.jobs, progress=not args.quiet, info=info, log=log)
        title = args.title or f"Preset '{args.preset}': grouped {args.cv}-fold CV"
    else:
        log("scoring with " + (args.model or "the shipped model"))
        scored = predict_files(args.data, model=args.model, text_column=args.text_column,
                               label_column=args.label_column,
                               include_training_rows=args.include_training_rows,
                               log=lambda m: print(m, file=sys.stderr))
        scored.info["title"] = "model" if args.model else "shipped model"
        held = "files" if args.include_training_rows else "held-out rows"
        title = args.title or f"Model {args.model or '(shipped)'} on {held}"
    if note := conflicts_left_out(scored.info):
        log(note)
    written = write_report(scored, args.output, title=title, plots=not args.no_plots)
    metrics = json.loads(written["metrics.json"].read_text(encoding="utf-8"))
    ci = metrics.get("roc_auc_interval")
    interval = f" (95% interval {ci['low']:.4f} to {ci['high']:.4f})" if ci else ""
    print(f"ROC-AUC {metrics['roc_auc']:.4f}{interval}  PR-AUC {metrics['pr_auc']:.4f}  "
          f"Brier {metrics['brier']:.4f}  ECE {metrics['ece']:.4f}  n {metrics['n']}")
    from vnmisinfo.evaluation.metrics import sample_caution

    if caution := sample_caution(metrics["positives"], metrics["n"] - metrics["positives"]):
        print(caution, file=sys.stderr)
    log(f"wrote {', '.join(sorted(written))} to {args.output}")
    return 0
