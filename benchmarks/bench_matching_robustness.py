"""Narrative matching under evasion: held-out rewordings and near misses, perturbed.

The held-out rewordings typed with diacritics (``eval_reworded.jsonl``, style
``diacritics``) and the held-out near misses typed with diacritics (the ``test`` split of
``eval_nearmiss.jsonl``) are perturbed as ``bench_robustness.py`` perturbs posts
(:mod:`perturb`: no diacritics, invisible characters, look-alike letters, fancy letters,
spaced or dotted letters, decomposed text, dots inside words, letters spelled out with
``". "``, teencode, lower case without punctuation, typos), with several seeds,
and matched by the shipped index (``NarrativeIndex.match``, as every tier reads it).
For each perturbation it prints the share of rewordings whose right narrative comes
first, the share of those that assert their claim matched to it, the share of those that
only report or refute it matched to anything (a match there is wrong: only a text that
asserts a claim is a match), and the share of near misses matched to anything, each the
mean over the seeds, with the clean texts as the first row::

    python benchmarks/bench_matching_robustness.py [--seeds 3] [--styles diacritics]
                                                   [--underthesea-sentences]
                                                   [--perturbations fancy_letters,homoglyphs]

``--styles`` picks other styles of the held-out files (``long_article``: rewordings
written as news articles of several sentences; there are no near misses in that style).
``--underthesea-sentences`` splits sentences with underthesea's rules alone, cutting a
word spelled out with dots (``U.ố.n.g``, ``đ. ổ. i``) or cut by one (``nư.ớc``) at its
dots, and reading the letter that ends one spelled out with spaces (``m u a.``) as an
initial: the splitter before 0.4, except that the text is still composed (NFC) and
stripped of format characters first.
``--perturbations`` measures only the named ones (comma-separated; all by default).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from perturb import PERTURBATIONS, perturb_many  # noqa: E402

from vnmisinfo.narratives import default_index  # noqa: E402
from vnmisinfo.text import sentences  # noqa: E402

EVAL = Path(__file__).resolve().parents[1] / "corpora" / "narratives"


def _jsonl(name: str) -> list[dict]:
    with open(EVAL / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="perturbation seeds (default 3)")
    parser.add_argument("--styles", default="diacritics",
                        help="comma-separated styles of the held-out texts (default "
                             "diacritics; also no_diacritics, teencode, long_article)")
    parser.add_argument("--underthesea-sentences", action="store_true",
                        help="cut words spelled out with dots or cut by one at their dots, "
                             "as underthesea's splitter does")
    parser.add_argument("--perturbations", default=",".join(PERTURBATIONS),
                        help="comma-separated perturbations to measure (default: all)")
    args = parser.parse_args()
    names = [n for n in args.perturbations.split(",") if n]
    unknown = sorted(set(names) - set(PERTURBATIONS))
    if unknown:
        parser.error(f"unknown perturbation(s) {unknown}; choose from {list(PERTURBATIONS)}")
    if args.underthesea_sentences:
        sentences._SPELLED_HINT = re.compile("(?!)")  # never a spelled-out word
        sentences._IN_WORD_DOT = re.compile("(?!)")  # nor a word cut by a dot
        sentences._SPACED_RUN = re.compile("(?!)")  # nor one spelled out with spaces
    styles = set(args.styles.split(","))
    index = default_index()
    reworded = [r for r in _jsonl("eval_reworded.jsonl") if r["style"] in styles]
    near = [r["text"] for r in _jsonl("eval_nearmiss.jsonl")
            if r["split"] == "test" and r["style"] in styles]
    if not reworded:
        parser.error(f"no held-out rewordings in style(s) {sorted(styles)}")
    texts = [r["text"] for r in reworded]
    gold = np.array([r["narrative_id"] for r in reworded])
    asserts = np.array([r.get("stance", "asserts") == "asserts" for r in reworded])

    def share(values: np.ndarray) -> float:
        return float(values.mean()) if values.size else np.nan

    def rates(posts: list[str], misses: list[str]) -> tuple[float, float, float, float]:
        best = [m[0] for m in index.match(posts, k=1)]
        right = np.array([m.narrative_id for m in best]) == gold
        matched = np.array([m.matched for m in best])
        missed = [m[0].matched for m in index.match(misses, k=1)] if misses else [np.nan]
        return (float(right.mean()), share((right & matched)[asserts]),
                share(matched[~asserts]), float(np.mean(missed)))

    def row(name: str, figures: Any) -> str:
        return f"| {name} | " + " | ".join("—" if np.isnan(f) else f"{f:.3f}"
                                           for f in figures) + " |"

    print(f"{len(texts)} held-out rewordings ({int(asserts.sum())} assert their claim, "
          f"{int((~asserts).sum())} report or refute it) and {len(near)} held-out near misses, "
          f"style(s) {', '.join(sorted(styles))}; means over {args.seeds} seeds\n")
    print("| text | right narrative first | asserting: matched to it | reporting or refuting: "
          "matched | near misses matched |")
    print("|---|---:|---:|---:|---:|")
    print(row("clean", rates(texts, near)))
    for name in names:
        runs = [rates(perturb_many(name, texts, seed=s), perturb_many(name, near, seed=s))
                for s in range(args.seeds)]
        print(row(name, np.mean(np.array(runs), axis=0)))


if __name__ == "__main__":
    main()
