"""Opinions, questions and personal posts against claims: what gets flagged.

Scores the held-out set ``corpora/narratives/eval_nonclaims.jsonl`` (200 posts written
apart from the training file ``train_nonclaims.jsonl``, by another writer): opinions and
reviews, opinions on public policy, questions that relay no claim and personal posts
(label 0), and questions or posts that relay or assert a false claim (label 1). For each
kind it prints the share the model puts at tier ``medium`` or above (narrative lift
included, as ``vnmisinfo score`` does) and the mean probability, and the ROC-AUC of claims
against non-claims::

    python benchmarks/bench_nonclaims.py                      # the shipped model
    python benchmarks/bench_nonclaims.py --model other.skops
    python benchmarks/bench_nonclaims.py --compare            # with and without the posts

``--compare`` fits the ``default`` preset twice on the public corpora, without and with
the hand-written training posts (weight 1, as any public document), and prints for each
the grouped 5-fold CV ROC-AUC on ReINTEL (the posts in every training fold, never in a test
fold) with metadata and text alone, and the held-out figures above (tiers at 0.5 and 0.8,
without narrative lift). About 7 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT = ROOT / "corpora" / "narratives" / "eval_nonclaims.jsonl"


def held_out() -> pd.DataFrame:
    """The held-out posts: ``text``, ``kind``, ``label``."""
    return pd.read_json(HELD_OUT, lines=True, dtype={"text": str, "kind": str, "label": int})


def table(frame: pd.DataFrame, proba: np.ndarray, flagged: np.ndarray, title: str) -> None:
    """Per kind: n, mean probability, share at medium+; then ROC-AUC, claims vs non-claims."""
    out = frame.assign(p=proba, flagged=flagged)
    print(f"\n{title}\n\n| kind | label | n | mean probability | medium+ |")
    print("|---|---:|---:|---:|---:|")
    for (label, kind), part in out.groupby(["label", "kind"], sort=True):
        print(f"| {kind} | {label} | {len(part)} | {part['p'].mean():.3f} | "
              f"{part['flagged'].mean():.3f} |")
    for label, name in ((0, "all non-claims"), (1, "all claims")):
        part = out[out["label"] == label]
        print(f"| {name} | {label} | {len(part)} | {part['p'].mean():.3f} | "
              f"{part['flagged'].mean():.3f} |")
    print(f"\nROC-AUC, claims against non-claims: "
          f"{roc_auc_score(out['label'].astype(int), out['p']):.4f}")


def shipped(model_path: str | None) -> None:
    from vnmisinfo import load_model

    frame = held_out()
    model = load_model(model_path)
    results = model.score(frame["text"].tolist(), explain=0)
    proba = np.array([r["probability"] for r in results])
    flagged = np.array([r["tier"] in ("medium", "high") for r in results])
    table(frame, proba, flagged, f"{model_path or 'the shipped model'} on "
          f"eval_nonclaims.jsonl (tiers as scored, narrative lift included)")


def compare(folds: int, jobs: int) -> None:
    from vnmisinfo.data.corpora import load_training_set
    from vnmisinfo.data.hygiene import text_keys
    from vnmisinfo.evaluation.nonclaims import with_nonclaims
    from vnmisinfo.evaluation.train import (
        cross_validate_reintel,
        make_detector,
        without_metadata,
    )

    frame = held_out()
    base = load_training_set()
    base["key"] = text_keys(base)
    for name, data in (("without the hand-written posts", base),
                       ("with them (the shipped training data)", with_nonclaims(base))):
        started = time.perf_counter()
        detector = make_detector("default")
        pre = detector.preprocess(data)
        y = data["label"].to_numpy().astype(int)
        groups = data["group"].to_numpy()
        results = cross_validate_reintel(detector, pre, data,
                                         {"": None, "text_only": without_metadata},
                                         n_splits=folds, n_jobs=jobs)
        cv = {k: [f["roc_auc"] for f in results[k][1]] for k in results}
        model = detector.fit(pre, y, groups=groups)
        proba = model.predict_proba(frame[["text"]].assign(title=None))[:, 1]
        print(f"\n## {name}: {len(data)} training documents ({time.perf_counter() - started:.0f} s)"
              f"\n\ngrouped {folds}-fold CV ROC-AUC on ReINTEL: with metadata "
              f"{np.mean(cv['']):.4f} ± {np.std(cv['']):.4f}, text alone "
              f"{np.mean(cv['text_only']):.4f} ± {np.std(cv['text_only']):.4f}")
        table(frame, proba, proba >= 0.5, "held out, probability >= 0.5 (no narrative lift)")
        print(f"share at 0.8 or above, non-claims: {np.mean(proba[frame['label'] == 0] >= 0.8):.3f}"
              f"; claims: {np.mean(proba[frame['label'] == 1] >= 0.8):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model file (default: the shipped one)")
    parser.add_argument("--compare", action="store_true",
                        help="fit the default preset without and with the hand-written posts")
    parser.add_argument("--folds", type=int, default=5, help="CV folds of --compare")
    parser.add_argument("--jobs", type=int, default=2, help="parallel folds of --compare")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.compare:
        compare(args.folds, args.jobs)
    else:
        shipped(args.model)


if __name__ == "__main__":
    main()
