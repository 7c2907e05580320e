"""Characters per second of ``normalize_text`` on the ReINTEL posts, against a plain baseline.

The texts are the ``post_message`` column of ReINTEL ``unlabeled.csv``,
``train.csv`` and ``warmup.csv`` (read as strings, empty cells kept as ``''``),
normalized one post at a time with the default options, on one core.  The
baseline, timed in the same run on the same posts, is the cheapest sensible
pass over the text: ``unicodedata.normalize("NFC", t).lower()``.  The ratio
says how many times longer ``normalize_text`` takes than that pass.

The rule tables are loaded before timing (the first call of ``normalize_text``
reads them, about half a second).  Each pass goes over every post; the first
pass is reported apart, since ``normalize_text`` keeps a few small caches
(one compiled regex per first letter of the tone and teencode tables, and the
words it has seen without repeated letters) that later passes reuse.  The
rates are the best of ``--repeat`` passes, and the outputs are checked to be
identical from pass to pass.

Usage::

    python benchmarks/bench_normalize.py                  # all posts, best of 3 passes
    python benchmarks/bench_normalize.py --limit 2000 --repeat 5
    python benchmarks/bench_normalize.py --data-dir /path/to/corpora

``--data-dir`` is the folder holding ``reintel/`` (default: ``$VNMISINFO_CORPORA``,
else ``../shared/corpora`` next to the repository).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from vnmisinfo.text.normalize import normalize_text

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("VNMISINFO_CORPORA", ROOT.parent / "shared" / "corpora"))
FILES = ("unlabeled.csv", "train.csv", "warmup.csv")


def load_posts(data_dir: Path, limit: int | None = None) -> list[str]:
    """The ``post_message`` texts of the ReINTEL files, in file order (at most ``limit``)."""
    posts: list[str] = []
    for name in FILES:
        frame = pd.read_csv(data_dir / "reintel" / name, dtype=str, keep_default_na=False)
        posts += frame["post_message"].tolist()
    return posts[:limit] if limit is not None else posts


def timed_pass(func: Callable[[str], str], posts: list[str]) -> tuple[float, list[str]]:
    """Seconds of one pass of ``func`` over ``posts``, and its outputs."""
    start = time.perf_counter()
    out = [func(text) for text in posts]
    return time.perf_counter() - start, out


def baseline(text: str) -> str:
    """The plain pass the figures are compared with."""
    return unicodedata.normalize("NFC", text).lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=CORPORA,
                        help="folder holding reintel/ (default: $VNMISINFO_CORPORA or "
                             "../shared/corpora next to the repository)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N posts only")
    parser.add_argument("--repeat", type=int, default=3, help="passes timed (best reported)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--repeat and --limit must be at least 1")
    missing = [name for name in FILES if not (args.data_dir / "reintel" / name).is_file()]
    if missing:
        print(f"ReINTEL files not found in {args.data_dir / 'reintel'}: {', '.join(missing)}; "
              "point --data-dir (or VNMISINFO_CORPORA) at the corpora folder", file=sys.stderr)
        return 2

    posts = load_posts(args.data_dir, args.limit)
    chars = sum(map(len, posts))
    normalize_text("ko sao")  # load the rule tables before timing
    first, reference = timed_pass(normalize_text, posts)
    best = first
    for _ in range(args.repeat - 1):
        seconds, out = timed_pass(normalize_text, posts)
        if out != reference:
            print("normalize_text gave different outputs from one pass to the next",
                  file=sys.stderr)
            return 1
        best = min(best, seconds)
    base = min(timed_pass(baseline, posts)[0] for _ in range(args.repeat))

    print(f"posts: {len(posts):,}  characters: {chars:,}")
    rows = [("normalize_text, first pass", first), (f"normalize_text, best of {args.repeat}", best),
            (f"NFC + lower() baseline, best of {args.repeat}", base)]
    for label, seconds in rows:
        print(f"{label:<36} {seconds:8.3f} s {chars / seconds:15,.0f} chars/s")
    print(f"ratio (baseline rate / normalize_text rate): {best / base:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
