"""How well a run of words glued without spaces is cut back into them.

Runs of two to four words are drawn from ReINTEL posts (lower case, letters only), glued
(``uốngnướcchanh``) and cut again with :func:`vnmisinfo.text.syllables.split_glued`, with
their marks and without them (``uongnuocchanh``).  A run is *right* when it is cut into
exactly its words, *kept whole* when ``split_glued`` declines to cut it (the hashtag then
reads as one word, as before), and *wrong* otherwise::

    python benchmarks/bench_syllables.py --data-dir ../shared/corpora
"""

from __future__ import annotations

import argparse
import random
import time
import unicodedata
from pathlib import Path

import pandas as pd

from vnmisinfo.text.accents import strip_diacritics
from vnmisinfo.text.syllables import split_glued


def runs_of_words(path: Path, n: int, seed: int) -> list[list[str]]:
    """``n`` runs of two to four neighbouring words (letters only, lower case)."""
    texts = pd.read_csv(path)["post_message"].fillna("").astype(str)
    rng = random.Random(seed)
    runs = []
    for text in texts:
        words = unicodedata.normalize("NFC", text).lower().split()
        for i in range(0, max(len(words) - 4, 0), 7):
            run = words[i:i + rng.randint(2, 4)]
            if all(w.isalpha() for w in run):
                runs.append(run)
    rng.shuffle(runs)
    return runs[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/corpora", help="folder of the corpora")
    parser.add_argument("--n", type=int, default=4000, help="runs drawn (default: 4000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    runs = runs_of_words(Path(args.data_dir) / "reintel" / "train.csv", args.n, args.seed)
    print(f"{len(runs)} runs of 2 to 4 words from reintel/train.csv (seed {args.seed})\n")
    print("| typed | right | kept whole | wrong | ms per run |")
    print("|---|---:|---:|---:|---:|")
    for marks in (True, False):
        right = whole = wrong = 0
        start = time.perf_counter()
        for run in runs:
            words = run if marks else [strip_diacritics(w) for w in run]
            cut = split_glued("".join(words))
            if cut is None:
                whole += 1
            elif cut == words:
                right += 1
            else:
                wrong += 1
        ms = (time.perf_counter() - start) * 1000 / max(len(runs), 1)
        n = max(len(runs), 1)
        print(f"| {'with marks' if marks else 'without marks'} | {right / n:.3f} | "
              f"{whole / n:.3f} | {wrong / n:.3f} | {ms:.2f} |")


if __name__ == "__main__":
    main()
