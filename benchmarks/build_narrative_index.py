"""Rebuild ``models/narratives.skops``, the shipped narrative index.

Run from the repository root (reads ReINTEL from ``../shared/corpora``, the
``train`` split of ``corpora/narratives/eval_nearmiss.jsonl`` and
``corpora/narratives/train_reworded.jsonl`` at build time; the index keeps term
weights and the fitted match decision, never texts)::

    python benchmarks/build_narrative_index.py [--data-dir ../shared/corpora]

The build is deterministic: the same catalogue and data give the same index.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from vnmisinfo.narratives import build_default_index, save_index

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "corpora"),
                        help="folder holding reintel/ (default: ../shared/corpora)")
    parser.add_argument("--out", default=str(ROOT / "models" / "narratives.skops"),
                        help="output file (default: models/narratives.skops)")
    args = parser.parse_args()
    start = time.perf_counter()
    index = build_default_index(args.data_dir)
    # save_index also writes the .sha256 that default_index checks
    path = save_index(index, args.out, metadata={"built_by": "benchmarks/build_narrative_index.py"})
    print(f"built in {time.perf_counter() - start:.1f} s: {path} ({path.stat().st_size} bytes), "
          f"{len(index.narratives_)} narratives, {index.n_background_} background sentences, "
          f"threshold {index.threshold_} on the match probability")
    report = index.fit_report_
    if report:
        print("out of fold on the training data: "
              + ", ".join(f"{k} {v}" for k, v in report.items()))


if __name__ == "__main__":
    main()
