"""How readable are the terms shown for each score? The bundled sample, scored as shipped.

For the posts of ``corpora/sample/posts.csv`` (or ``--data``), with ``--explain`` terms per
post (default 5), this prints:

* the posts that show one word twice: as written and as its accent-free reading
  (``mọi người`` and ``≈moi nguoi``), or as a word and as its character n-gram (``gạo``
  and ``«gạo»``), and how many of the shown slots those second readings take;
* how many shown terms are accent-free readings (``≈``) at all;
* how many posts' lists equal the first terms of the list ranked over every feature
  (``explain=1000000``): the terms and their weights do not depend on how many are asked;
* how many posts' terms (all of them), context signals and intercept add up to their
  decision value, but for the rounding of each weight to 4 decimals.

Usage::

    python benchmarks/bench_terms.py [--data posts.csv] [--explain 5] [--model other.skops]
    python benchmarks/bench_terms.py --reintel 1000   # 1,000 ReINTEL unlabeled posts (seeded)
    python benchmarks/bench_terms.py --reintel 1000 --no-diacritics  # the same, typed without
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import vnmisinfo
from vnmisinfo.text.normalize import strip_diacritics
from vnmisinfo.text.tokenize import accent_free

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample" / "posts.csv"


def second_readings(terms: list[str]) -> list[str]:
    """The terms of a list that repeat a word term also in it: its accent-free reading
    (``≈moi nguoi`` beside ``mọi người``) or its character n-gram (``«gạo»`` beside
    ``gạo``, ``≈«cai»`` beside ``≈cai``)."""
    words = [t for t in terms if not t.lstrip("≈").startswith(("«", "["))]
    written = {accent_free(t) for t in words if not t.startswith("≈")}
    plain = {t[1:] for t in words if t.startswith("≈")}
    return [t for t in terms
            if (t.startswith("≈") and not t.startswith("≈«") and t[1:] in written)
            or (t.startswith("«") and t[1:-1] in words)
            or (t.startswith("≈«") and t[2:-1] in plain)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SAMPLE), help="a CSV of posts (default: sample)")
    parser.add_argument("--explain", type=int, default=5, help="terms per post (default 5)")
    parser.add_argument("--model", default=None, help="model file (default: the shipped one)")
    parser.add_argument("--reintel", type=int, default=0, metavar="N",
                        help="score N posts drawn (seed 0) from ReINTEL unlabeled.csv instead")
    parser.add_argument("--data-dir", default="../shared/corpora", help="folder of the corpora")
    parser.add_argument("--no-diacritics", action="store_true",
                        help="strip the posts' diacritics first (as many posts are typed)")
    args = parser.parse_args()
    if args.reintel:
        raw = pd.read_csv(Path(args.data_dir) / "reintel" / "unlabeled.csv")
        texts = raw["post_message"].dropna().astype(str)
        texts = texts[texts.str.strip().astype(bool)]
        posts = pd.DataFrame({"text": texts.sample(n=min(args.reintel, len(texts)),
                                                   random_state=0).tolist()})
    else:
        posts = pd.read_csv(args.data)
    if args.no_diacritics:
        posts = pd.DataFrame({"text": [strip_diacritics(str(t)) for t in posts["text"]]})
    detector = vnmisinfo.load_model(args.model).detector
    k = args.explain
    asked = detector.explain(posts, k=k)
    every = detector.explain(posts, k=10**6)
    shown = [[t for t, _ in r["top_terms"]] for r in asked]
    twice = [second_readings(terms) for terms in shown]
    slots = sum(map(len, shown))
    same = sum(a["top_terms"] == b["top_terms"][:k] for a, b in zip(asked, every, strict=True))
    print(f"{len(posts)} posts, {k} terms each")
    print(f"- posts showing a word twice (accent-free reading or character n-gram): "
          f"{sum(bool(t) for t in twice)} of {len(posts)}; slots taken by the second reading: "
          f"{sum(map(len, twice))} of {slots}")
    print(f"- accent-free terms (≈) shown: {sum(t.startswith('≈') for s in shown for t in s)}"
          f" of {slots}")
    print(f"- lists equal to the first {k} of the list over every feature: {same} of "
          f"{len(posts)}")
    print(f"- posts whose terms, context and intercept add up to the decision value: "
          f"{adding_up(detector, posts, every)} of {len(posts)}")


def adding_up(detector, posts: pd.DataFrame, every: list[dict]) -> int:
    """How many posts' terms and context signals (``every``: ``explain`` with every term) sum,
    with the intercept of the model that scored each, to its decision value, give or take
    0.00005 a number (each weight is rounded to 4 decimals)."""
    decision = detector.decision_function(posts)
    intercept = np.zeros(len(posts))
    for rows, _, calibrated, *_ in detector._parts(detector.preprocess(posts)):
        intercept[rows] = np.ravel(calibrated.estimator.intercept_)[0]
    count = 0
    for result, d, b in zip(every, decision, intercept, strict=True):
        weights = [w for _, w in result["top_terms"] + result["context"]]
        count += abs(sum(weights) + b - d) <= 5e-5 * len(weights) + 1e-9
    return count


if __name__ == "__main__":
    main()
