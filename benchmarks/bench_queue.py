"""Linking near-duplicates (the review queue's clusters, grouped CV): time and memory.

Groups the distinct-post file of ``bench_engine.py`` (10,241 ReINTEL posts) with
:func:`vnmisinfo.data.hygiene.near_duplicate_groups`, once per setting of the memory
given to each block of pairwise similarities, each in a new process, and prints the
seconds, the peak memory of the process and whether the groups are the same::

    python benchmarks/bench_queue.py [--rows N] [--working-memory 64 1024]

64 MiB is the setting vnmisinfo uses; 1,024 MiB is scikit-learn's default.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = """
import hashlib, json, resource, sys, time
sys.path.insert(0, {bench!r})
from bench_engine import distinct_posts
import pandas as pd
from vnmisinfo.data import hygiene
posts = distinct_posts()[:{rows}]
keys = hygiene.text_keys(pd.DataFrame({{"text": posts, "title": ""}}))
hygiene._WORKING_MEMORY = {memory}
started = time.perf_counter()
groups = hygiene.near_duplicate_groups(keys)
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "peak_mb": resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss / 1024, "groups": int(groups.max()) + 1,
    "digest": hashlib.sha256(groups.tobytes()).hexdigest()[:12]}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="posts grouped (default: all)")
    parser.add_argument("--working-memory", type=int, nargs="+", default=[64, 1024],
                        metavar="MIB", help="settings compared (default: 64 1024)")
    args = parser.parse_args()
    bench = str(Path(__file__).resolve().parent)
    print("| working memory (MiB) | seconds | peak of the process (MB) | groups | same groups |")
    print("|---:|---:|---:|---:|---|")
    first = None
    for memory in args.working_memory:
        code = CHILD.format(bench=bench, rows=args.rows, memory=memory)
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        found = json.loads(run.stdout.strip().splitlines()[-1])
        first = first or found["digest"]
        print(f"| {memory:,} | {found['seconds']:.1f} | {found['peak_mb']:.0f} | "
              f"{found['groups']:,} | {'yes' if found['digest'] == first else 'NO'} |")


if __name__ == "__main__":
    main()
