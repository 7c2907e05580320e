"""Ablation of the feature channels: quality (grouped CV) and scoring throughput.

For each channel set, grouped stratified K-fold CV on ReINTEL train + warm-up
(deduplicated, folds grouped by normalized text) gives ROC-AUC and PR-AUC, and a
model fitted on all of it scores ``--throughput-rows`` posts of ReINTEL
``unlabeled.csv`` from raw text (normalization and, where the channels need it,
word segmentation included, with the segmentation cache cleared first).  The
plain TF-IDF syllable 1-2-gram + LogisticRegression row is the baseline that the
speed-up column is relative to, measured in the same run.

Usage::

    python benchmarks/bench_ablation.py --folds 5
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vnmisinfo.data.corpora import load_training_set
from vnmisinfo.evaluation.train import cross_validate
from vnmisinfo.model.detector import Detector
from vnmisinfo.text.tokenize import _segment_cached

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("VNMISINFO_CORPORA", ROOT.parent / "shared" / "corpora"))

CONFIGS = {
    "baseline: syllables 1-2, C=4": {"channels": ("syllables",), "C": 4.0},
    "words (segmented)": {"channels": ("words",)},
    "syllables": {"channels": ("syllables",)},
    "chars 1-5": {"channels": ("chars",)},
    "words + chars": {"channels": ("words", "chars")},
    "syllables + chars": {"channels": ("syllables", "chars")},
    "words + syllables + chars": {"channels": ("words", "syllables", "chars")},
    "text preset: words + chars + accent-free": {"channels": ("words", "chars", "accent_free")},
    "fast preset: syllables + chars + accent-free + meta": {
        "channels": ("syllables", "chars", "accent_free", "meta")},
    "default preset: words + chars + accent-free + meta": {
        "channels": ("words", "chars", "accent_free", "meta")},
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=str(CORPORA))
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--throughput-rows", type=int, default=1000)
    p.add_argument("--only", nargs="*", help="substrings of the configurations to run")
    args = p.parse_args()

    data = load_training_set(args.data_dir, include_vfnd=False)
    y, groups = data["label"].to_numpy(), data["group"].to_numpy()
    pre = Detector().preprocess(data)  # segments once; every configuration reads its columns
    raw = load_reintel_unlabeled(Path(args.data_dir), args.throughput_rows)
    rows = []
    base_rate = None
    for name, params in CONFIGS.items():
        if args.only and not any(s in name for s in args.only):
            continue
        det = Detector(**params)
        _, folds = cross_validate(det, pre, y, groups, n_splits=args.folds, n_jobs=args.jobs)
        auc = np.array([f["roc_auc"] for f in folds])
        pr = np.array([f["pr_auc"] for f in folds])
        model = Detector(**params).fit(pre, y, groups=groups)
        _segment_cached.cache_clear()
        start = time.perf_counter()
        model.predict_proba(raw)
        rate = len(raw) / (time.perf_counter() - start)
        base_rate = base_rate or rate
        rows.append((name, auc.mean(), auc.std(), pr.mean(), rate, rate / base_rate))
        print(f"{name}: AUC {auc.mean():.4f} ± {auc.std():.4f}, PR-AUC {pr.mean():.4f}, "
              f"{rate:.0f} docs/s", flush=True)
    print(f"\nGrouped {args.folds}-fold CV on ReINTEL train + warm-up ({len(data)} documents); "
          f"throughput on {len(raw)} unlabeled posts from raw text, one process.\n")
    print("| channels | ROC-AUC | PR-AUC | docs/s | speed vs baseline |")
    print("|---|---|---|---|---|")
    for name, auc_m, auc_s, pr_m, rate, ratio in rows:
        print(f"| {name} | {auc_m:.4f} ± {auc_s:.4f} | {pr_m:.4f} | {rate:.0f} | {ratio:.2f}x |")


def load_reintel_unlabeled(data_dir: Path, n: int) -> pd.DataFrame:
    """The first ``n`` unlabeled ReINTEL posts with their metadata, as raw documents."""
    frame = pd.read_csv(data_dir / "reintel" / "unlabeled.csv", dtype=str, keep_default_na=False)
    frame = frame.head(n)
    return frame[["post_message", "num_like_post", "num_comment_post", "num_share_post",
                  "timestamp_post"]]


if __name__ == "__main__":
    main()
