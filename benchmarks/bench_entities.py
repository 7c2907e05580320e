"""Named entities: the gazetteer against underthesea's CRF tagger, quality and speed.

Quality is measured on ``benchmarks/data/entities_gold.jsonl``: 60 hand-labelled
sentences in the style of posts and news on the narrative catalogue's topics (40
with tone marks, 20 typed without).  Each gold entity is ``[name, type]`` or
``[name, type, as written]`` when the text spells it differently from the
canonical name ("TP.HCM", "Ha Noi").  Scoring is entity-level: a predicted
``(name, type)`` is correct when the type matches and the name equals the
canonical name or the form as written after NFC + case-folding; each gold
entity is counted once.

Throughput is sentences per second on the 60 sentences repeated ``--repeat``
times, after one warm-up call (model loading is not timed).

Usage::

    python benchmarks/bench_entities.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from vnmisinfo.text.entities import entities as crf_entities
from vnmisinfo.text.gazetteer import Gazetteer

GOLD = Path(__file__).resolve().parent / "data" / "entities_gold.jsonl"


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _score(rows: list[dict], predictions: list[list[tuple[str, str]]]) -> tuple[int, int, int]:
    """True positives, number predicted, number gold."""
    tp = n_pred = n_gold = 0
    for row, predicted in zip(rows, predictions, strict=True):
        gold = [({_norm(n) for n in (e[0], *e[2:])}, e[1]) for e in row["entities"]]
        n_gold += len(gold)
        unique = {(_norm(name), kind) for name, kind in predicted}
        n_pred += len(unique)
        for name, kind in unique:
            for i, (names, gold_kind) in enumerate(gold):
                if kind == gold_kind and name in names:
                    tp += 1
                    del gold[i]
                    break
    return tp, n_pred, n_gold


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _throughput(many: Callable[[list[str]], object], texts: list[str]) -> float:
    many(texts[:1])
    start = time.perf_counter()
    many(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--gold", default=str(GOLD))
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--show-errors", action="store_true", help="list misses and false alarms")
    args = p.parse_args()

    rows = [json.loads(line) for line in Path(args.gold).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    texts = [row["text"] for row in rows]
    gazetteer = Gazetteer.default()
    systems: dict[str, Callable[[list[str]], list[list[tuple[str, str]]]]] = {
        "gazetteer (`Gazetteer.default().entities_many`)": gazetteer.entities_many,
        "underthesea CRF NER (`text.entities.entities`)":
            lambda batch: [crf_entities(t) for t in batch],
    }
    subsets = {
        "all (60)": [True] * len(rows),
        "with tone marks (40)": [row["accented"] for row in rows],
        "without tone marks (20)": [not row["accented"] for row in rows],
    }
    print(f"Command: python benchmarks/bench_entities.py --repeat {args.repeat}\n")
    print("| system | sentences | precision | recall | F1 | sentences/s |")
    print("|---|---|---:|---:|---:|---:|")
    for label, many in systems.items():
        predictions = many(texts)
        speed = _throughput(many, texts * args.repeat)
        for subset, keep in subsets.items():
            chosen = [i for i, k in enumerate(keep) if k]
            prf = _prf(*_score([rows[i] for i in chosen], [predictions[i] for i in chosen]))
            rate = f"{speed:,.0f}" if subset.startswith("all") else ""
            print(f"| {label} | {subset} | {prf[0]:.2f} | {prf[1]:.2f} | {prf[2]:.2f} | {rate} |")
        if args.show_errors:
            for row, predicted in zip(rows, predictions, strict=True):
                gold = {(_norm(e[0]), e[1]) for e in row["entities"]} | {
                    (_norm(e[2]), e[1]) for e in row["entities"] if len(e) == 3}
                extra = [e for e in predicted if (_norm(e[0]), e[1]) not in gold]
                print(f"  {row['text'][:60]!r}: predicted {predicted}; not in gold {extra}",
                      file=sys.stderr)
    print(f"\nThroughput: the 60 sentences x {args.repeat}, one process, after a warm-up call.")


if __name__ == "__main__":
    main()
