"""Do catalogue matches reach reviewers? Tiers of held-out rewordings and of unrelated posts.

With the shipped model (classifier + narrative index + tier policy):

* held-out rewordings of catalogue narratives (``corpora/narratives/eval_reworded.jsonl``)
  that assert their claim: the share that reach ``medium`` or ``high`` with the right
  ``narrative_id``; those that only report that the claim circulates, or refute it: the
  share with a confident match, and at ``medium``+ for any reason;
* reliable ReINTEL posts (label 0 of train + warm-up): the share *lifted* by a match, i.e.
  whose tier is ``medium``+ only because of a known narrative (``tier_reason`` =
  ``known narrative``), and the share with any confident match;
* the held-out part of the near-miss set (``eval_nearmiss.jsonl``, split ``test``), two
  later held-out near-miss sets (``eval_nearmiss_later.jsonl``, which showed where the
  decision failed, ``eval_nearmiss_third.jsonl``, which nothing was fitted on, and
  ``eval_nearmiss_fourth.jsonl``, written apart from every other set and read by no choice)
  and the topical near-misses of ``eval_unrelated.jsonl``: the share with a confident match;
* everyday posts that use a narrative's words without its claim (``eval_topical.jsonl``:
  a shop's garlic, a cup of hot lemon water, a 5G phone): the share matched, and at
  ``medium``+ for any reason;
* the four held-out near-miss sets pooled: the share at ``medium``+ for any reason (the
  classifier's probability included), by kind;
* how often a weaker nearest narrative is shown as ``narrative_candidate``: the share of
  rewordings whose right narrative is shown (matched or as the candidate), and of reliable
  posts offered a candidate at all.

    python benchmarks/bench_tiers.py [--candidate-similarity 0]
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import pandas as pd

import vnmisinfo
from vnmisinfo.data.corpora import load_reintel
from vnmisinfo.evaluation.metrics import proportion_interval

ROOT = Path(__file__).resolve().parents[1]
NARRATIVES = ROOT / "corpora" / "narratives"


def _jsonl(name: str) -> list[dict]:
    with open(NARRATIVES / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/corpora")
    parser.add_argument("--model", default=None, help="model file (default: the shipped one)")
    parser.add_argument("--candidate-similarity", type=float, default=None,
                        help="similarity from which a nearest narrative is shown as a candidate "
                        "(default: the model's; 0 shows every nearest narrative)")
    args = parser.parse_args()
    start = time.perf_counter()
    model = vnmisinfo.load_model(args.model)
    if args.candidate_similarity is not None:
        model = copy.copy(model)  # load_model's cached object stays as loaded
        model.candidate_similarity = args.candidate_similarity
    rows = []

    written = _jsonl("eval_reworded.jsonl")  # the rows that assert their claim count
    reworded = [r for r in written if r.get("stance", "asserts") == "asserts"]
    got = model.score([r["text"] for r in reworded], explain=0)
    frame = pd.DataFrame({"style": [r["style"] for r in reworded],
                          "right": [g["narrative_id"] == r["narrative_id"]
                                    for g, r in zip(got, reworded, strict=True)],
                          "medium_plus": [g["tier"] != "low" for g in got]})
    frame["hit"] = frame["right"] & frame["medium_plus"]
    shown = [r["narrative_id"] in (g["narrative_id"], g["narrative_candidate"])
             for g, r in zip(got, reworded, strict=True)]
    for style, part in [*frame.groupby("style"), ("all", frame)]:
        rows.append(("rewordings: medium+ with the right narrative", style, len(part),
                     int(part["hit"].sum()), ">= 0.95"))
    rows.append(("rewordings: the right narrative shown, matched or as a candidate", "all",
                 len(shown), sum(shown), ""))
    reported = [r for r in written if r.get("stance") in ("reports", "refutes")]
    got = model.score([r["text"] for r in reported], explain=0)
    near_matched = [g.get("narrative_id") is not None for g in got]  # every held-out near miss
    for what, hits in (("with a confident match", [g.get("narrative_id") is not None
                                                   for g in got]),
                       ("at medium+ for any reason", [g["tier"] != "low" for g in got])):
        rows.append((f"held-out rewordings that only report or refute their claim, {what}",
                     "", len(got), sum(hits), ""))

    root = Path(args.data_dir) / "reintel"
    reliable = pd.concat([load_reintel(root / "train.csv"), load_reintel(root / "warmup.csv")])
    reliable = reliable[reliable["label"] == 0]
    got = model.score(reliable[["text", "title"]], explain=0)
    lifted = sum(g["tier_reason"] == "known narrative" for g in got)
    matched = sum(g.get("narrative_id") is not None for g in got)
    rows.append(("reliable ReINTEL posts lifted by a match", "", len(got), lifted, "<= 0.02"))
    rows.append(("reliable ReINTEL posts with a confident match", "", len(got), matched, ""))
    rows.append(("reliable ReINTEL posts shown a narrative candidate", "", len(got),
                 sum(g.get("narrative_candidate") is not None for g in got), ""))

    pooled: list[pd.DataFrame] = []
    for name, label in (("eval_nearmiss.jsonl", "near-miss (held-out) with a confident match"),
                        ("eval_nearmiss_later.jsonl",
                         "near-miss, second held-out set, with a confident match"),
                        ("eval_nearmiss_third.jsonl",
                         "near-miss, third held-out set, with a confident match"),
                        ("eval_nearmiss_fourth.jsonl",
                         "near-miss, fourth held-out set, with a confident match")):
        near = [r for r in _jsonl(name) if r.get("split") == "test"]
        got = model.score([r["text"] for r in near], explain=0)
        kinds = pd.DataFrame({"kind": [r["kind"] for r in near],
                              "matched": [g.get("narrative_id") is not None for g in got],
                              "medium_plus": [g["tier"] != "low" for g in got]})
        pooled.append(kinds)
        near_matched += kinds["matched"].tolist()
        for kind, part in [*kinds.groupby("kind"), ("all", kinds)]:
            rows.append((label, kind, len(part), int(part["matched"].sum()),
                         "<= 0.05" if kind == "all" else ""))
    rows.append(("near-miss, the four held-out sets and the rewordings that only report or "
                 "refute, pooled, with a confident match", "all", len(near_matched),
                 sum(near_matched), "<= 0.05"))
    pooled_frame = pd.concat(pooled, ignore_index=True)
    for kind, part in [*pooled_frame.groupby("kind"), ("all", pooled_frame)]:
        rows.append(("near-miss, the four held-out sets, at medium+ for any reason", kind,
                     len(part), int(part["medium_plus"].sum()), ""))
    unrelated = _jsonl("eval_unrelated.jsonl")
    got = model.score([r["text"] for r in unrelated], explain=0)
    rows.append(("topical near-misses (eval_unrelated) matched", "", len(got),
                 sum(g.get("narrative_id") is not None for g in got), ""))
    topical = _jsonl("eval_topical.jsonl")
    got = model.score([r["text"] for r in topical], explain=0)
    rows.append(("everyday posts in a narrative's words (eval_topical) matched", "", len(got),
                 sum(g.get("narrative_id") is not None for g in got), ""))
    rows.append(("everyday posts in a narrative's words (eval_topical) at medium+", "",
                 len(got), sum(g["tier"] != "low" for g in got), ""))

    print("| set | part | n | share | 95% interval (Wilson) | goal |")
    print("|---|---|---:|---:|---|---|")
    for name, part, n, hits, goal in rows:
        low, high = proportion_interval(hits, n)
        print(f"| {name} | {part} | {n} | {hits / n:.3f} | {low:.3f} to {high:.3f} | {goal} |")
    print(f"\n({time.perf_counter() - start:.0f} s; model {model.model_id})")


if __name__ == "__main__":
    main()
