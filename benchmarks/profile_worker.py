"""Where a batch worker's time goes: ``cProfile`` over its own function, by part.

Draws ``--rows`` posts (seeded) from the distinct-post file of ``bench_engine.py``, loads
the shipped model as a worker does, scores one chunk to warm up, then profiles the next
chunk of ``_score_records`` and prints each part's share of the profiled time (under the
profiler everything is slower: read the shares, not the seconds)::

    python benchmarks/profile_worker.py [--rows 1000] [--top 0]

``--top N`` also prints the N functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import time

from bench_engine import distinct_posts

from vnmisinfo.batch.scoring import _init_worker, _score_records

#: The parts, by the function whose cumulative time they are: (label, file suffix, name);
#: a label in brackets is part of the line above it.
PARTS = [
    ("narrative matching (NarrativeIndex.match)", "narratives/index.py", "match"),
    ("features, the model and the terms (Detector.explain)", "model/detector.py", "explain"),
    ("(of which naming the terms that drove each score: explained_terms)", "model/terms.py",
     "explained_terms"),
    ("normalization and deduplication (_unique_docs)", "batch/scoring.py", "_unique_docs"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows profiled (default 1000)")
    parser.add_argument("--top", type=int, default=0, help="also print the N costliest functions")
    args = parser.parse_args()
    random.seed(0)
    posts = random.sample(distinct_posts(), 2 * args.rows)
    records = [{"text": p, "title": None} for p in posts]
    model = _init_worker(None, True)
    _score_records(model, records[:args.rows], 5)  # warm up: caches built once per process
    started = time.perf_counter()
    _score_records(model, records[args.rows:], 5)
    seconds = time.perf_counter() - started
    profile = cProfile.Profile()
    profile.enable()
    _score_records(model, records[args.rows:], 5)
    profile.disable()
    stats = pstats.Stats(profile)
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, name), (_, _, _, ct, _) in entries.items()
                if name == "_score_records")
    print(f"{args.rows} rows: {seconds:.2f} s without the profiler, {total:.2f} s with it")
    print("| share | part |\n|---:|---|")
    shown = 0.0
    for label, suffix, func in PARTS:
        part = sum(ct for (path, _, name), (_, _, _, ct, _) in entries.items()
                   if name == func and path.endswith(suffix))
        shown += 0.0 if label.startswith("(") else part
        print(f"| {part / total:.0%} | {label} |")
    print(f"| {1 - shown / total:.0%} | the rest (reading records, entities, result rows) |")
    if args.top:
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
