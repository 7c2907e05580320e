"""Quality against speed: grouped CV ROC-AUC and scoring throughput of a few configurations.

For each configuration, grouped stratified K-fold CV on ReINTEL train + warm-up
(deduplicated, folds grouped by normalized text) gives ROC-AUC with the post metadata
and with the text alone (every metadata value removed from the test folds).  A model
fitted on all of it then explains ``--rows`` posts of ReINTEL ``unlabeled.csv`` from raw
text (normalization included): posts per second, and the speed relative to the
``vocabulary`` configuration (the 0.2 default) measured in the same run.

Usage::

    python benchmarks/bench_frontier.py --folds 5
    python benchmarks/bench_frontier.py --folds 3 --only default fast
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vnmisinfo.data.corpora import load_training_set
from vnmisinfo.evaluation.train import cross_validate_variants, make_detector, without_metadata

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("VNMISINFO_CORPORA", ROOT.parent / "shared" / "corpora"))

#: name -> (preset, overrides)
CONFIGS = {
    "vocabulary": ("vocabulary", {}),
    "default": ("default", {}),
    "default, char_wb 2-5": ("default", {"char_analyzer": "char_wb", "char_ngram_range": (2, 5)}),
    "default, 2^19 buckets": ("default", {"n_features": 2**19}),
    "fast": ("fast", {}),
}


def throughput(detector, data: pd.DataFrame, y: np.ndarray, posts: list[str]) -> float:
    """Posts per second of ``explain`` on raw posts, for a model fitted on all of ``data``."""
    model = detector.fit(data, y)
    model.explain(posts[:50])  # first-call set-up (tables, imports) is not throughput
    start = time.perf_counter()
    model.explain(posts)
    return len(posts) / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=str(CORPORA), help="folder with reintel/")
    p.add_argument("--folds", type=int, default=5, help="grouped CV folds (default: 5)")
    p.add_argument("--jobs", type=int, default=2, help="parallel folds (default: 2)")
    p.add_argument("--rows", type=int, default=2000, help="posts scored for throughput")
    p.add_argument("--only", nargs="*", help="substrings of the configurations to run")
    args = p.parse_args()

    data = load_training_set(args.data_dir, reintel_only=True)
    y, groups = data["label"].to_numpy(), data["group"].to_numpy()
    posts = pd.read_csv(Path(args.data_dir) / "reintel" / "unlabeled.csv", dtype=str,
                        keep_default_na=False)["post_message"].tolist()[:args.rows]
    print(f"{len(y)} ReINTEL posts, {args.folds}-fold grouped CV; throughput on "
          f"{len(posts)} unlabeled posts")
    print("\n| configuration | ROC-AUC with metadata | ROC-AUC text alone | posts/s | "
          "speed vs vocabulary |")
    print("|---|---|---|---|---|")
    base = None
    for name, (preset, overrides) in CONFIGS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        detector = make_detector(preset, **overrides)
        pre = detector.preprocess(data)
        res = cross_validate_variants(detector, pre, y, groups, {"": None,
                                                                  "text": without_metadata},
                                      n_splits=args.folds, n_jobs=args.jobs)
        auc = {k: [f["roc_auc"] for f in v[1]] for k, v in res.items()}
        rate = throughput(make_detector(preset, **overrides), data, y, posts)
        base = rate if name == "vocabulary" else base
        ratio = f"{rate / base:.1f}×" if base else "n/a"
        print(f"| {name} | {np.mean(auc['']):.4f} ± {np.std(auc['']):.4f} | "
              f"{np.mean(auc['text']):.4f} ± {np.std(auc['text']):.4f} | {rate:.0f} | {ratio} |",
              flush=True)


if __name__ == "__main__":
    main()
