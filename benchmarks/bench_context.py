"""Context cannot dominate: drop one metadata field from every row of the held-out folds.

Grouped K-fold CV on ReINTEL train + warm-up (folds grouped by normalized text). Each
fold's model is fitted once and scores its test fold as is, without each metadata field in
turn (comments, shares, likes, timestamp), and without any metadata. Prints, per field, the
mean absolute change of probability, the share of rows moving by more than 0.2 and the
ROC-AUC drop, against the goals; and the ROC-AUC with and without metadata.

    python benchmarks/bench_context.py --folds 5
    python benchmarks/bench_context.py --folds 3 --scale 0.05   # try another metadata weight
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from detector_settings import add_set_option, detector_settings
from sklearn.metrics import roc_auc_score

from vnmisinfo.data.corpora import load_training_set
from vnmisinfo.data.names import META_COLUMNS
from vnmisinfo.evaluation.train import (
    DROP_GOALS,
    cross_validate_variants,
    drop_one_field_report,
    make_detector,
    without_field,
    without_metadata,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="folder of the corpora")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scale", type=float, default=None,
                        help="metadata scale to try (default: the preset's)")
    parser.add_argument("--dropout", type=float, default=None,
                        help="metadata field dropout to try (default: the preset's)")
    add_set_option(parser)
    args = parser.parse_args()
    start = time.perf_counter()
    data = load_training_set(args.data_dir, reintel_only=True)
    detector = make_detector(args.preset)
    if args.scale is not None:
        detector.set_params(meta_scale=args.scale)
    if args.dropout is not None:
        detector.set_params(meta_dropout=args.dropout)
    detector.set_params(**detector_settings(parser, args.set))
    pre = detector.preprocess(data)
    y = data["label"].to_numpy()
    variants = {"": None, "text_only": without_metadata,
                **{f"drop_{f}": without_field(f) for f in META_COLUMNS}}
    results = cross_validate_variants(detector, pre, y, data["group"].to_numpy(), variants,
                                      n_splits=args.folds, n_jobs=args.jobs)
    report = drop_one_field_report(y, results)
    print(f"{len(y)} posts, {args.folds}-fold grouped CV, preset {args.preset}"
          + f", meta_scale {detector.meta_scale}, meta_dropout {detector.meta_dropout}"
          + "".join(f", {s}" for s in args.set))
    for name in ("", "text_only"):
        folds = [f["roc_auc"] for f in results[name][1]]
        label = "with metadata" if not name else "text alone"
        print(f"ROC-AUC {label}: {np.mean(folds):.4f} ± {np.std(folds):.4f} "
              f"(pooled {roc_auc_score(y, results[name][0]):.4f})")
    print("\n| field dropped | mean abs change | share moved > 0.2 | ROC-AUC drop | goals met |")
    print("|---|---|---|---|---|")
    for field, row in report.items():
        met = all(row[k] <= goal for k, goal in DROP_GOALS.items())
        print(f"| {field} | {row['mean_abs_change']:.4f} | {row['share_moved_0.2']:.4f} | "
              f"{row['roc_auc_drop']:+.4f} | {'yes' if met else 'no'} |")
    print(f"\ngoals: mean abs change <= {DROP_GOALS['mean_abs_change']}, share moved > 0.2 <= "
          f"{DROP_GOALS['share_moved_0.2']}, ROC-AUC drop <= {DROP_GOALS['roc_auc_drop']}")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
