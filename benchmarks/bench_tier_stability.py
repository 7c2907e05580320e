"""Tier stability under evasion: does a retyped post keep the tier a reviewer sees?

``bench_robustness.py`` measures ranking (ROC-AUC) over many posts; a reviewer sees one
post's probability and tier.  This script scores posts of ReINTEL's unlabeled file (which
the shipped model never saw) with the shipped model, as ``vnmisinfo score`` does (tiers
that know the catalogue), then the same posts perturbed as ``bench_robustness.py``
perturbs them (:mod:`perturb`), and prints for each perturbation how far probabilities
move and how many posts change tier::

    python benchmarks/bench_tier_stability.py --data-dir ../shared/corpora [--n 500]
                                              [--perturbations no_diacritics,teencode]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from perturb import PERTURBATIONS, perturb_many  # noqa: E402

import vnmisinfo  # noqa: E402

_FLAGGED = ("medium", "high")


def _scores(model: vnmisinfo.Triage, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    results = model.score(frame, explain=0)
    return (np.array([r["probability"] for r in results], dtype=float),
            np.array([r["tier"] for r in results], dtype=object))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/corpora")
    parser.add_argument("--n", type=int, default=500, help="posts sampled (default: 500)")
    parser.add_argument("--seed", type=int, default=0, help="sample and perturbation seed")
    parser.add_argument("--perturbations", default=",".join(PERTURBATIONS),
                        help="comma-separated perturbations (default: all)")
    args = parser.parse_args(argv)
    names = [n for n in args.perturbations.split(",") if n]
    unknown = sorted(set(names) - set(PERTURBATIONS))
    if unknown:
        parser.error(f"unknown perturbation(s) {unknown}; choose from {list(PERTURBATIONS)}")
    posts = pd.read_csv(Path(args.data_dir) / "reintel" / "unlabeled.csv",
                        dtype={"post_message": str}, keep_default_na=False)
    posts = posts[posts["post_message"].str.strip() != ""]
    posts = posts.sample(n=min(args.n, len(posts)), random_state=args.seed)
    posts = posts.reset_index(drop=True)
    model = vnmisinfo.load_model()
    p0, t0 = _scores(model, posts)
    flagged = np.isin(t0, _FLAGGED)
    print(f"{len(posts)} posts of reintel/unlabeled.csv (seed {args.seed}), the shipped model "
          f"with its tiers; clean: {int(flagged.sum())} at medium or above\n")
    print("| perturbation | mean abs. change of probability | 90th percentile | tier changed "
          "| flagged clean, low now | low clean, flagged now |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        moved = posts.assign(post_message=perturb_many(name, posts["post_message"].tolist(),
                                                       seed=args.seed))
        p1, t1 = _scores(model, moved)
        both = np.isfinite(p0) & np.isfinite(p1)
        change = np.abs(p1 - p0)[both]
        now = np.isin(t1, _FLAGGED)
        print(f"| {name} | {change.mean():.3f} | {np.quantile(change, 0.9):.3f} | "
              f"{np.mean(t1 != t0):.3f} | {int((flagged & ~now).sum())} of {int(flagged.sum())} "
              f"| {int((~flagged & now).sum())} of {int((~flagged).sum())} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
