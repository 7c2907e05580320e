"""Should the classifier also learn from the hand-written rewordings and near misses?

The shipped classifier learns from ReINTEL, VFND and the hand-written posts of
``train_nonclaims.jsonl``.  The narrative files hold two more hand-written training sets:
``train_reworded.jsonl`` (937 posts asserting a catalogue narrative, label 1) and the
``train`` split of ``eval_nearmiss.jsonl`` (835 true statements, warnings, debunks and
reports on the same topics, label 0).  The match decision is fitted on them; the classifier
is not.  For each variant below, this fits the ``default`` preset with the added rows at the
given sample weight (1 is the weight of any public document) and prints:

* **held out, written for the project**: ROC-AUC of the held-out rewordings
  (``eval_reworded.jsonl``) against the held-out near misses (the ``test`` split and the
  three later sets), the share of each kind at probability 0.5 or above, and the ROC-AUC of
  claims against the rest on ``eval_nonclaims.jsonl``;
* **real posts it has not seen** (the worlds of ``bench_regularization.py``): ROC-AUC on
  the later ReINTEL posts of a model fitted on the earliest 60%, and on the VFND articles of
  a model fitted on ReINTEL, each with the same rows added.

Usage (about 2.5 minutes a variant on 2 cores)::

    python benchmarks/bench_written_training.py
    python benchmarks/bench_written_training.py --variants none both:0.1
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from simulate_review_loop import load_worlds
from sklearn.metrics import roc_auc_score

from vnmisinfo.data.corpora import load_training_set
from vnmisinfo.data.hygiene import text_keys
from vnmisinfo.evaluation.nonclaims import SOURCE, load_nonclaims, with_nonclaims
from vnmisinfo.evaluation.train import make_detector

NARRATIVES = Path(__file__).resolve().parents[1] / "corpora" / "narratives"
NEAR_SETS = ("eval_nearmiss.jsonl", "eval_nearmiss_later.jsonl", "eval_nearmiss_third.jsonl",
             "eval_nearmiss_fourth.jsonl")


def _jsonl(name: str) -> list[dict]:
    with open(NARRATIVES / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def added_rows(which: str) -> pd.DataFrame:
    """``text``, ``label`` of the rows a variant adds: ``both``, ``reworded`` or ``near``."""
    reworded = [(r["text"], 1) for r in _jsonl("train_reworded.jsonl")]
    near = [(r["text"], 0) for r in _jsonl("eval_nearmiss.jsonl") if r["split"] == "train"]
    rows = {"both": reworded + near, "reworded": reworded, "near": near, "none": []}[which]
    return pd.DataFrame(rows, columns=["text", "label"])


def held_out() -> pd.DataFrame:
    """Held-out rewordings and near misses (``text``, ``label``, ``kind``)."""
    rows = [(r["text"], 1, f"rewording: {r['style']}") for r in _jsonl("eval_reworded.jsonl")]
    for name in NEAR_SETS:
        rows += [(r["text"], 0, f"near miss: {r['kind']}") for r in _jsonl(name)
                 if r.get("split", "test") == "test"]
    return pd.DataFrame(rows, columns=["text", "label", "kind"])


def fit(frame: pd.DataFrame, extra: Path, added: set[str], weight: float):
    """The default preset fitted on ``frame`` plus the hand-written rows of ``extra``, those
    whose normalized text is in ``added`` weighted ``weight``."""
    frame = frame.copy()
    frame["key"] = text_keys(frame)
    frame = with_nonclaims(frame, extra)
    mine = (frame["source"] == SOURCE).to_numpy() & frame["key"].isin(added).to_numpy()
    w = np.where(mine, weight, 1.0)
    return make_detector("default").fit(frame, frame["label"].to_numpy(), sample_weight=w)


def run(variant: str, root: Path, folder: Path) -> None:
    which, _, weight = variant.partition(":")
    weight_value = float(weight or 1.0)
    nonclaims = load_nonclaims()[["text", "label"]]
    new_rows = added_rows(which)
    added = set(text_keys(new_rows))
    rows = pd.concat([nonclaims, new_rows], ignore_index=True)
    extra = folder / f"{which}.jsonl"
    rows.to_json(extra, orient="records", lines=True, force_ascii=False)
    start = time.perf_counter()
    data = load_training_set(root)
    model = fit(data, extra, added, weight_value)
    test = held_out()
    test["p"] = model.predict_proba(test[["text"]])[:, 1]
    claims = pd.read_json(NARRATIVES / "eval_nonclaims.jsonl", lines=True)
    claims_auc = roc_auc_score(claims["label"], model.predict_proba(claims[["text"]])[:, 1])
    worlds = []
    for world in ("time", "vfnd"):
        old, new = load_worlds(root, world)
        if world == "vfnd":
            new = new.assign(text=new["joined"], title="")
        shifted = fit(old, extra, added, weight_value)
        worlds.append(roc_auc_score(new["label"], shifted.predict_proba(new)[:, 1]))
    shares = test.groupby("kind")["p"].apply(lambda p: float((p >= 0.5).mean()))
    print(f"\n### {variant} ({len(rows) - len(nonclaims)} rows added, weight {weight_value:g}; "
          f"{time.perf_counter() - start:.0f} s)\n")
    print(f"- held out: rewordings against near misses ROC-AUC "
          f"{roc_auc_score(test['label'], test['p']):.3f}; claims against the rest "
          f"(eval_nonclaims) {claims_auc:.3f}")
    print("- at probability >= 0.5: " + "; ".join(f"{k} {v:.3f}" for k, v in shares.items()))
    print(f"- real posts it has not seen: later posts {worlds[0]:.4f}, VFND {worlds[1]:.4f}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/corpora", help="folder of the corpora")
    parser.add_argument("--variants", nargs="+",
                        default=["none", "both:1", "both:0.3", "both:0.1", "reworded:0.3",
                                 "near:0.3"],
                        help="WHICH[:WEIGHT], WHICH one of none, both, reworded, near")
    args = parser.parse_args()
    for variant in args.variants:
        if variant.partition(":")[0] not in ("none", "both", "reworded", "near"):
            parser.error(f"unknown variant {variant!r}; use none, both, reworded or near, "
                         "optionally with :WEIGHT")
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as folder:
        for variant in args.variants:
            run(variant, Path(args.data_dir), Path(folder))


if __name__ == "__main__":
    main()
