"""Narrative matching quality and throughput.

Run from the repository root::

    python benchmarks/bench_matching.py --cv            # shipped models/narratives.skops
    python benchmarks/bench_matching.py --rebuild --cv  # rebuild it first (build_default_index)
    python benchmarks/bench_matching.py --plain --cv    # the catalogue-only index, no ReINTEL
    python benchmarks/bench_matching.py --plain --calibrate  # re-derive its similarity threshold
    python benchmarks/bench_matching.py --index other.skops  # any saved index

The shipped index is built by ``build_default_index`` (see
``benchmarks/build_narrative_index.py``): IDF weights include ReINTEL ``unlabeled.csv``
sentences, and the match decision is a logistic regression learned from held-out
catalogue variants and ``train_reworded.jsonl`` against ``unlabeled.csv`` + ``warmup.csv``
reliable posts (all minus any text found in ``train.csv``) and the ``train`` split of
``eval_nearmiss.jsonl``; its threshold is chosen out of fold on those training data only.

Evaluation (held out, never used to choose anything):

* recall@1 / recall@3 of the right narrative on the rows of
  ``corpora/narratives/eval_reworded.jsonl`` that assert their claim (``stance``;
  overall and per style), and recall@1 *matched* (right narrative ranked first and
  its match score at or above the threshold); the rows that only report that the claim
  circulates, or refute it, count with the near misses (and every row, whatever its
  stance, gets one line of its own);
* false-match rate at the threshold on the ``test`` split of ``eval_nearmiss.jsonl`` and on
  the two later held-out near-miss sets (``eval_nearmiss_later.jsonl``,
  ``eval_nearmiss_third.jsonl``)
  (true statements, warnings, debunks and news reports on catalogue topics; by kind),
  on ``eval_unrelated.jsonl`` and on ReINTEL ``train.csv`` posts labelled reliable (read
  at run time from ``../shared/corpora``, never copied);
* throughput in texts per second on those ReINTEL posts.

Calibration (``--calibrate``), on data disjoint from the evaluation: positives are
the catalogue's own variants, each scored by an index built without it (leave one
variant slot out: 3 indexes); negatives are ReINTEL ``warmup.csv`` posts labelled
reliable whose normalized text does not occur in ``train.csv``.  The threshold is
the lowest one that keeps the false-match rate on those negatives within 2%.

``--cv`` adds a cross-check: 5 folds grouped by narrative over the evaluation
sets, the threshold chosen on 4 folds (rewordings against unrelated and reliable
posts at 2%, and near-miss ``train`` rows of those folds' topics at 5%) and applied to
the fifth; near-miss ``test`` rows are only ever scored, never used to choose.
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
    build_default_index,
    choose_threshold,
    default_catalogue_path,
    load_catalogue,
    load_index,
    save_index,
)
from vnmisinfo.narratives.decision import rank_narratives
from vnmisinfo.text.normalize import normalize_text

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "corpora" / "narratives"
REINTEL = ROOT.parent / "shared" / "corpora" / "reintel"
SHIPPED = ROOT / "models" / "narratives.skops"


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


def evaluate(index: NarrativeIndex, *, cv: bool = False, by_similarity: bool = False) -> None:
    """Print the quality tables (ranking as ``NarrativeIndex.match`` ranks, or by similarity
    alone; decision by match score)."""
    ids = [n["id"] for n in index.narratives_]
    written = _jsonl(EVAL / "eval_reworded.jsonl")
    # recall counts the rewordings that assert their claim; those that only report that it
    # circulates, or refute it, are near misses (the ``stance`` of each row)
    reworded = [r for r in written if r.get("stance", "asserts") == "asserts"]
    not_asserting = [r for r in written if r.get("stance") in ("reports", "refutes")]
    unrelated = [r["text"] for r in _jsonl(EVAL / "eval_unrelated.jsonl")]
    near = _jsonl(EVAL / "eval_nearmiss.jsonl")
    near_test = [r for r in near if r["split"] == "test"]
    near_train = [r for r in near if r["split"] == "train"]
    reliable = _reliable("train.csv")
    gold = np.array([ids.index(r["narrative_id"]) for r in reworded])
    styles = np.array([r["style"] for r in reworded])

    def top_score(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sim, score = index.match_scores(texts)
        order = (np.argsort(-sim, axis=1, kind="stable") if by_similarity
                 else rank_narratives(sim, score))  # as NarrativeIndex.match ranks them
        return order, sim, score[np.arange(len(texts)), order[:, 0]]

    order, sims, best = top_score([r["text"] for r in reworded])
    top1 = order[:, 0] == gold
    top3 = (order[:, :3] == gold[:, None]).any(axis=1)
    th = index.threshold_
    matched1 = top1 & (best >= th)
    as_written = top_score([r["text"] for r in written])
    written_gold = np.array([ids.index(r["narrative_id"]) for r in written])
    written_hits = (as_written[0][:, 0] == written_gold) & (as_written[2] >= th)

    neg_unrel = top_score(unrelated)[2]
    neg_near = top_score([r["text"] for r in near_test])[2]
    neg_reported = top_score([r["text"] for r in not_asserting])[2]
    kinds = np.array([r["kind"] for r in near_test])
    later = {name: top_score([r["text"] for r in _jsonl(EVAL / name)])[2]
             for name in ("eval_nearmiss_later.jsonl", "eval_nearmiss_third.jsonl",
                          "eval_nearmiss_fourth.jsonl")}
    start = time.perf_counter()
    neg_rel = top_score(reliable)[2]
    elapsed = time.perf_counter() - start

    what = "match probability" if index.verifier_ is not None else "similarity"
    print(f"\nThreshold {th} on the {what} (stored in the index). "
          f"Catalogue: {len(ids)} narratives.\n")
    print("| set | n | recall@1 | recall@3 | recall@1 matched (>= threshold) |")
    print("|---|---:|---:|---:|---:|")
    for style in ["diacritics", "no_diacritics", "teencode", "long_article", None]:
        mask = np.ones(len(gold), bool) if style is None else styles == style
        name = "all that assert their claim" if style is None else style
        if mask.any():
            print(f"| {name} | {mask.sum()} | {top1[mask].mean():.3f} | "
                  f"{top3[mask].mean():.3f} | {matched1[mask].mean():.3f} |")
    print(f"\nEvery row of eval_reworded.jsonl, whatever its stance ({len(written)} rows): "
          f"right narrative first and matched {written_hits.mean():.3f}; "
          f"{len(reworded)} assert their claim, {len(not_asserting)} only report or refute it, "
          f"{len(written) - len(reworded) - len(not_asserting)} make another claim.")
    print("\n| negatives | n | false matches | rate |")
    print("|---|---:|---:|---:|")
    both = np.concatenate([neg_unrel, neg_rel])
    rows = [(f"near-miss test: {k}", neg_near[kinds == k])
            for k in ("true", "warning", "debunk", "report")]
    rows += [("near-miss test: all", neg_near),
             ("held-out rewordings that only report or refute their claim", neg_reported),
             *[(f"near-miss, later set: {name}", arr) for name, arr in later.items()],
             ("eval_unrelated.jsonl", neg_unrel),
             ("ReINTEL train.csv reliable", neg_rel),
             ("eval_unrelated + ReINTEL reliable", both)]
    for name, arr in rows:
        print(f"| {name} | {len(arr)} | {(arr >= th).sum()} | {(arr >= th).mean():.4f} |")
    chars = sum(len(t) for t in reliable) / len(reliable)
    print(f"\nThroughput: {len(reliable) / elapsed:.0f} texts/s ({len(reliable)} ReINTEL posts, "
          f"mean {chars:.0f} characters, {elapsed:.1f} s, all narratives scored).")
    print(f"\nTrade-off ({what} threshold -> recall@1 matched / false-match rate):\n")
    print("| threshold | recall@1 matched | near-miss test | eval_unrelated "
          "| ReINTEL reliable |")
    print("|---:|---:|---:|---:|---:|")
    grid = sorted({round(float(t), 3) for t in np.quantile(both, [0.95, 0.97, 0.98, 0.99, 0.995])}
                  | {round(float(t), 3) for t in np.quantile(best[top1], [0.02, 0.05, 0.1])}
                  | {round(th, 3)})
    for t in grid:
        print(f"| {t:.3f}{' (shipped)' if t == round(th, 3) else ''} | "
              f"{(top1 & (best >= t)).mean():.3f} | {(neg_near >= t).mean():.3f} | "
              f"{(neg_unrel >= t).mean():.3f} | {(neg_rel >= t).mean():.4f} |")

    if cv:
        near_tr = top_score([r["text"] for r in near_train])[2]
        rng = np.random.default_rng(0)
        fold_of_narr = rng.permutation(len(ids)) % 5
        neg_fold = rng.permutation(len(both)) % 5
        tr_fold = fold_of_narr[[ids.index(r["topic_id"]) for r in near_train]]
        te_fold = fold_of_narr[[ids.index(r["topic_id"]) for r in near_test]]
        hits = fm = near_fm = 0
        for f in range(5):
            tr, te = fold_of_narr[gold] != f, fold_of_narr[gold] == f
            pos_tr = np.where(top1[tr], best[tr], 0.0)
            t = max(choose_threshold(pos_tr, both[neg_fold != f], max_false_rate=0.02),
                    choose_threshold(pos_tr, near_tr[tr_fold != f], max_false_rate=0.05))
            hits += int((top1[te] & (best[te] >= t)).sum())
            fm += int((both[neg_fold == f] >= t).sum())
            near_fm += int((neg_near[te_fold == f] >= t).sum())
        print(f"\n5-fold CV (grouped by narrative, threshold chosen on 4 folds): recall@1 matched "
              f"{hits / len(gold):.3f}, false-match rate {fm / len(both):.4f} "
              f"(unrelated + reliable), near-miss test {near_fm / len(neg_near):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true",
                        help="with --plain: derive the similarity threshold on the calibration "
                             "data and use it")
    parser.add_argument("--cv", action="store_true", help="add the grouped cross-validation check")
    parser.add_argument("--plain", action="store_true",
                        help="evaluate the catalogue-only index (no background, no learned "
                             "decision) instead of the shipped one")
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild models/narratives.skops with build_default_index first")
    parser.add_argument("--rank", choices=("score", "similarity"), default="score",
                        help="rank a text's narratives as NarrativeIndex.match does (the three "
                             "most similar by match score; default) or by similarity alone")
    parser.add_argument("--params", default="{}", help="JSON dict of NarrativeIndex parameters")
    parser.add_argument("--index", default=str(SHIPPED),
                        help="saved index to evaluate (default: models/narratives.skops)")
    args = parser.parse_args()
    params = json.loads(args.params)
    start = time.perf_counter()
    if args.plain:
        if args.calibrate:
            params["threshold"] = calibrate(params)
        index = NarrativeIndex(**params).fit(load_catalogue(default_catalogue_path()))
        print(f"catalogue-only index built in {time.perf_counter() - start:.2f} s")
    elif args.rebuild or params:
        index = build_default_index(REINTEL.parent, **params)
        if not params:
            save_index(index, SHIPPED,
                       metadata={"built_by": "benchmarks/bench_matching.py --rebuild"})
        print(f"index built in {time.perf_counter() - start:.1f} s"
              + ("" if params else f", saved to {SHIPPED}"))
    else:
        path = Path(args.index)
        if not path.is_file():
            sys.exit(f"{path} not found: run with --rebuild (or --plain).")
        index = load_index(path)
        print(f"{path.name} loaded in {time.perf_counter() - start:.2f} s")
    report = getattr(index, "fit_report_", None)
    if report:
        print(f"\nOut of fold on its training data (chosen on these alone): {fit_summary(report)}")
    evaluate(index, cv=args.cv, by_similarity=args.rank == "similarity")


def fit_summary(report: dict) -> str:
    """One line of the index's out-of-fold figures on its own training data."""
    return (f"recall {report['recall']:.3f} of {report['positives']:.0f} training rewordings, "
            f"{report.get('near_rate', float('nan')):.3f} of near-miss train rows, "
            f"{report['ordinary_rate']:.4f} of warm-up reliable posts at the threshold; "
            f"recall {report.get('recall_at_near', float('nan')):.3f} at 5% of near misses; "
            f"ROC-AUC rewordings vs near misses {report.get('auc_near', float('nan')):.4f}")


if __name__ == "__main__":
    main()
