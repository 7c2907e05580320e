"""Opinions, questions and personal posts against claims: what gets flagged.

Scores the held-out set ``corpora/narratives/eval_nonclaims.jsonl`` (200 posts written
apart from the training file ``train_nonclaims.jsonl``, by another writer): opinions and
reviews, opinions on public policy, questions that relay no claim and personal posts
(label 0), and questions or posts that relay or assert a false claim (label 1). For each
kind it prints the share the model puts at tier ``medium`` or above (narrative lift
included, as ``vnmisinfo score`` does) and the mean probability, and the ROC-AUC of claims
against non-claims. It also scores ``eval_everyday.jsonl`` (kind ``everyday``): 30
everyday posts in the register of calls to share ("Mọi người ơi...", "nhé"), invitations,
notices and greetings, written before the everyday posts of the training file and held
out from it, but by the same writer; they are shown as their own row, outside the totals::

    python benchmarks/bench_nonclaims.py                      # the shipped model
    python benchmarks/bench_nonclaims.py --model other.skops
    python benchmarks/bench_nonclaims.py --compare            # with and without the posts
    python benchmarks/bench_nonclaims.py --compare --posts earlier.jsonl

``--compare`` fits the ``default`` preset twice on the public corpora, without and with
the hand-written training posts (weight 1, as any public document), and prints for each
the grouped 5-fold CV ROC-AUC on ReINTEL (the posts in every training fold, never in a test
fold) with metadata and text alone, the two shifted worlds of ``bench_regularization.py``
(a fit on the old world and the posts, scored on the later posts and on VFND), and the
held-out figures above (tiers at 0.5 and 0.8, without narrative lift). ``--posts FILE``
adds a fit with another file of posts, an earlier version of the shipped one say (``git
show feb9cb7:corpora/narratives/train_nonclaims.jsonl``). About 4 minutes a fit on 2 cores.
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
EVERYDAY = HELD_OUT.with_name("eval_everyday.jsonl")


def held_out() -> pd.DataFrame:
    """The held-out posts: ``text``, ``kind``, ``label``, then the everyday posts."""
    return pd.concat([pd.read_json(path, lines=True, dtype={"text": str, "kind": str,
                                                            "label": int})
                      for path in (HELD_OUT, EVERYDAY)], ignore_index=True)


def table(frame: pd.DataFrame, proba: np.ndarray, flagged: np.ndarray, title: str) -> None:
    """Per kind: n, mean probability, share at medium+; then ROC-AUC, claims vs non-claims."""
    out = frame.assign(p=proba, flagged=flagged)
    print(f"\n{title}\n\n| kind | label | n | mean probability | medium+ |")
    print("|---|---:|---:|---:|---:|")
    for (label, kind), part in out.groupby(["label", "kind"], sort=True):
        print(f"| {kind} | {label} | {len(part)} | {part['p'].mean():.3f} | "
              f"{part['flagged'].mean():.3f} |")
    everyday = out["kind"] == "everyday"
    for label, name in ((0, "all non-claims"), (1, "all claims")):
        part = out[(out["label"] == label) & ~everyday]
        print(f"| {name} | {label} | {len(part)} | {part['p'].mean():.3f} | "
              f"{part['flagged'].mean():.3f} |")
    rest = out[~everyday]
    print(f"\nROC-AUC, claims against non-claims (eval_nonclaims.jsonl): "
          f"{roc_auc_score(rest['label'].astype(int), rest['p']):.4f}")


def shipped(model_path: str | None) -> None:
    from vnmisinfo import load_model

    frame = held_out()
    model = load_model(model_path)
    results = model.score(frame["text"].tolist(), explain=0)
    proba = np.array([r["probability"] for r in results])
    flagged = np.array([r["tier"] in ("medium", "high") for r in results])
    table(frame, proba, flagged, f"{model_path or 'the shipped model'} on "
          f"eval_nonclaims.jsonl and eval_everyday.jsonl (tiers as scored, narrative lift "
          f"included)")


def compare(folds: int, jobs: int, posts: str | None = None) -> None:
    from bench_regularization import shifted

    from vnmisinfo.data.corpora import default_data_dir, load_training_set
    from vnmisinfo.data.hygiene import text_keys
    from vnmisinfo.evaluation.nonclaims import load_nonclaims, with_nonclaims
    from vnmisinfo.evaluation.train import (
        cross_validate_reintel,
        make_detector,
        without_metadata,
    )

    frame = held_out()
    base = load_training_set()
    base["key"] = text_keys(base)
    configs = [("without the hand-written posts", base, None)]
    if posts is not None:
        configs.append((f"with {posts}", with_nonclaims(base, posts), load_nonclaims(posts)))
    configs.append(("with the shipped posts (the shipped training data)", with_nonclaims(base),
                    load_nonclaims()))
    for name, data, extra in configs:
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
        later, vfnd = (shifted("default", None, default_data_dir(), world, extra)
                       for world in ("time", "vfnd"))
        print(f"\n## {name}: {len(data)} training documents ({time.perf_counter() - started:.0f} s)"
              f"\n\ngrouped {folds}-fold CV ROC-AUC on ReINTEL: with metadata "
              f"{np.mean(cv['']):.4f} ± {np.std(cv['']):.4f}, text alone "
              f"{np.mean(cv['text_only']):.4f} ± {np.std(cv['text_only']):.4f}"
              f"\nshifted worlds (one fit each): later posts {later:.4f}, other outlets (VFND) "
              f"{vfnd:.4f}")
        table(frame, proba, proba >= 0.5, "held out, probability >= 0.5 (no narrative lift)")
        rest = (frame["kind"] != "everyday").to_numpy()
        print(f"share at 0.8 or above, non-claims: "
              f"{np.mean(proba[rest & (frame['label'] == 0)] >= 0.8):.3f}"
              f"; claims: {np.mean(proba[rest & (frame['label'] == 1)] >= 0.8):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model file (default: the shipped one)")
    parser.add_argument("--compare", action="store_true",
                        help="fit the default preset without and with the hand-written posts")
    parser.add_argument("--folds", type=int, default=5, help="CV folds of --compare")
    parser.add_argument("--jobs", type=int, default=2, help="parallel folds of --compare")
    parser.add_argument("--posts", default=None, metavar="JSONL",
                        help="--compare also fits with this file of hand-written posts, beside "
                        "the shipped one (e.g. an earlier version of it)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.compare:
        compare(args.folds, args.jobs, args.posts)
    else:
        shipped(args.model)


if __name__ == "__main__":
    main()
