"""Narrative matching quality and throughput.

Run from the repository root::

    python benchmarks/bench_matching.py                # evaluate the shipped threshold
    python benchmarks/bench_matching.py --calibrate    # re-derive the threshold

Evaluation (held out, never used to choose anything):

* recall@1 / recall@3 of the right narrative on ``corpora/narratives/eval_reworded.jsonl``
  (overall and per style), and recall@1 *matched* (right narrative ranked first and
  its similarity at or above the threshold);
* false-match rate at the threshold on ``eval_unrelated.jsonl`` plus ReINTEL
  ``train.csv`` posts labelled reliable (read at run time from ``../shared/corpora``,
  never copied);
* throughput in texts per second on those ReINTEL posts.

Calibration (``--calibrate``), on data disjoint from the evaluation: positives are
the catalogue's own variants, each scored by an index built without it (leave one
variant slot out: 3 indexes); negatives are ReINTEL ``warmup.csv`` posts labelled
reliable whose normalized text does not occur in ``train.csv``.  The threshold is
the lowest one that keeps the false-match rate on those negatives within 2%.

``--cv`` adds a cross-check: 5 folds grouped by narrative over the evaluation
sets, the threshold chosen on 4 folds and applied to the fifth.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from vnmisinfo.narratives import (
    NarrativeIndex,
    choose_threshold,
    default_catalogue_path,
    load_catalogue,
)
from vnmisinfo.normalize import normalize_text

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "corpora" / "narratives"
REINTEL = ROOT.parent / "shared" / "corpora" / "reintel"


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _reliable(name: str) -> list[str]:
    path = REINTEL / name
    if not path.is_file():
        sys.exit(f"ReINTEL file {path} not found: the benchmark reads it from ../shared/corpora.")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts = df.loc[df["label"] == "0", "post_message"].astype(str)
    return [t for t in texts.drop_duplicates() if t.strip()]


def _key(text: str) -> str:
    return normalize_text(text).lower()


def calibrate(params: dict) -> float:
    """Threshold from leave-one-variant-out positives and warmup negatives."""
    catalogue = load_catalogue()
    positives: list[float] = []
    for slot in range(3):
        reduced = []
        for n in catalogue:
            d = n.to_dict()
            d["variants"] = [v for i, v in enumerate(d["variants"]) if i != slot] + [d["claim"]]
            reduced.append(d)
        index = NarrativeIndex(**params).fit(reduced)
        ids = [n["id"] for n in index.narratives_]
        sims = index.similarities([n.variants[slot] for n in catalogue])
        top = sims.argmax(axis=1)
        for row, n in enumerate(catalogue):
            # a variant whose own narrative is not ranked first cannot be matched
            positives.append(float(sims[row].max()) if ids[top[row]] == n.id else 0.0)
    train_keys = {_key(t) for t in _reliable("train.csv")}
    negatives_text = [t for t in _reliable("warmup.csv") if _key(t) not in train_keys]
    index = NarrativeIndex(**params).fit(catalogue)
    negatives = index.similarities(negatives_text).max(axis=1)
    threshold = choose_threshold(positives, negatives, max_false_rate=0.02)
    pos = np.asarray(positives)
    print(f"calibration: {len(pos)} held-out variants, {len(negatives)} warmup reliable posts")
    print(f"  variants ranked first: {np.mean(pos > 0):.3f}; at threshold {threshold}: "
          f"recall {np.mean(pos >= threshold):.3f}, "
          f"false matches {np.mean(negatives >= threshold):.4f}")
    return threshold


def evaluate(index: NarrativeIndex, *, cv: bool = False) -> None:
    ids = [n["id"] for n in index.narratives_]
    reworded = _jsonl(EVAL / "eval_reworded.jsonl")
    unrelated = [r["text"] for r in _jsonl(EVAL / "eval_unrelated.jsonl")]
    reliable = _reliable("train.csv")
    gold = np.array([ids.index(r["narrative_id"]) for r in reworded])
    styles = np.array([r["style"] for r in reworded])

    sims = index.similarities([r["text"] for r in reworded])
    order = np.argsort(-sims, axis=1, kind="stable")
    top1 = order[:, 0] == gold
    top3 = (order[:, :3] == gold[:, None]).any(axis=1)
    best = sims.max(axis=1)
    th = index.threshold_
    matched1 = top1 & (best >= th)

    neg_unrel = index.similarities(unrelated).max(axis=1)
    start = time.perf_counter()
    neg_rel = index.similarities(reliable).max(axis=1)
    elapsed = time.perf_counter() - start

    print(f"\nThreshold {th} (stored in the index). Catalogue: {len(ids)} narratives.\n")
    print("| set | n | recall@1 | recall@3 | recall@1 matched (>= threshold) |")
    print("|---|---:|---:|---:|---:|")
    for style in ["diacritics", "no_diacritics", "teencode", "long_article", None]:
        mask = np.ones(len(gold), bool) if style is None else styles == style
        name = "all reworded" if style is None else style
        print(f"| {name} | {mask.sum()} | {top1[mask].mean():.3f} | {top3[mask].mean():.3f} | "
              f"{matched1[mask].mean():.3f} |")
    print("\n| negatives | n | false matches | rate |")
    print("|---|---:|---:|---:|")
    both = np.concatenate([neg_unrel, neg_rel])
    for name, arr in (("eval_unrelated.jsonl", neg_unrel), ("ReINTEL train.csv reliable", neg_rel),
                      ("all negatives", both)):
        print(f"| {name} | {len(arr)} | {(arr >= th).sum()} | {(arr >= th).mean():.4f} |")
    chars = sum(len(t) for t in reliable) / len(reliable)
    print(f"\nThroughput: {len(reliable) / elapsed:.0f} texts/s ({len(reliable)} ReINTEL posts, "
          f"mean {chars:.0f} characters, {elapsed:.1f} s, similarities for all narratives).")

    if cv:
        rng = np.random.default_rng(0)
        fold_of_narr = rng.permutation(len(ids)) % 5
        neg_fold = rng.permutation(len(both)) % 5
        hits = fm = 0
        for f in range(5):
            tr, te = fold_of_narr[gold] != f, fold_of_narr[gold] == f
            pos_tr = np.where(top1[tr], best[tr], 0.0)
            t = choose_threshold(pos_tr, both[neg_fold != f], max_false_rate=0.02)
            hits += int((top1[te] & (best[te] >= t)).sum())
            fm += int((both[neg_fold == f] >= t).sum())
        print(f"\n5-fold CV (grouped by narrative, threshold chosen on 4 folds): recall@1 matched "
              f"{hits / len(gold):.3f}, false-match rate {fm / len(both):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true",
                        help="derive the threshold on the calibration data and use it")
    parser.add_argument("--cv", action="store_true", help="add the grouped cross-validation check")
    parser.add_argument("--params", default="{}", help="JSON dict of NarrativeIndex parameters")
    args = parser.parse_args()
    params = json.loads(args.params)
    if args.calibrate:
        params["threshold"] = calibrate(params)
    start = time.perf_counter()
    index = NarrativeIndex(**params).fit(load_catalogue(default_catalogue_path()))
    print(f"index built in {time.perf_counter() - start:.2f} s")
    evaluate(index, cv=args.cv)


if __name__ == "__main__":
    main()
