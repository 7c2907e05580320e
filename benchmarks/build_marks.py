"""Rebuild ``src/vnmisinfo/data/marks.tsv.gz``, the tables that put tone marks back.

Run from the repository root::

    python benchmarks/build_marks.py [--data-dir ../shared/corpora]

The tables count the lower-cased words and word pairs of ReINTEL's unlabeled posts
(``reintel/unlabeled.csv``) and of VFND's articles (both files), leaving out every unlabeled
post that is a copy or a near copy (:func:`~vnmisinfo.data.hygiene.near_duplicate_groups`)
of a labelled ReINTEL post: the robustness benchmark, which takes the marks off the
labelled posts, never reads back a text the tables hold.  The build is deterministic.
``--check`` also prints the share of words of the labelled ReINTEL posts that come back
as written once their marks are taken off.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import pandas as pd

from vnmisinfo.data.corpora import load_training_set
from vnmisinfo.data.hygiene import near_duplicate_groups, text_keys
from vnmisinfo.text.accents import strip_diacritics
from vnmisinfo.text.marks import MARKS_FILE, MarkRestorer, count_words, write_tables

ROOT = Path(__file__).resolve().parents[1]


def source_texts(data_dir: Path) -> tuple[list[str], int]:
    """The marked texts the tables count, and how many unlabeled posts were left out as
    copies or near copies of labelled ReINTEL posts."""
    posts = pd.read_csv(data_dir / "reintel" / "unlabeled.csv", usecols=["post_message"])
    posts = [str(t) for t in posts["post_message"].dropna()]
    labelled = load_training_set(data_dir, include_vfnd=False)["text"].fillna("").astype(str)
    keys = text_keys(pd.DataFrame({"text": [*posts, *labelled]}))
    groups = near_duplicate_groups(keys)
    seen = set(groups[len(posts):].tolist())
    kept = [t for t, g in zip(posts, groups[:len(posts)], strict=True) if g not in seen]
    articles = [pd.read_csv(data_dir / "vfnd" / name, usecols=["text"])["text"].dropna()
                for name in ("vfnd_articles_223.csv", "vfnd_json_274.csv")]
    return kept + [str(t) for a in articles for t in a], len(posts) - len(kept)


def check(restorer: MarkRestorer, data_dir: Path) -> str:
    """Share of the labelled ReINTEL posts' words read back as written, and the speed."""
    texts = load_training_set(data_dir, include_vfnd=False)["text"].fillna("").tolist()
    start = time.perf_counter()
    back = [restorer.restore(strip_diacritics(t)) for t in texts]
    seconds = time.perf_counter() - start
    words = re.compile(r"\w+")
    total = same = 0
    for text, read in zip(texts, back, strict=True):
        a, b = words.findall(text.lower()), words.findall(read.lower())
        if len(a) == len(b):
            total += len(a)
            same += sum(x == y for x, y in zip(a, b, strict=True))
    return (f"{len(texts)} labelled posts without marks: {same / total:.4f} of {total} words "
            f"read back as written; {total / seconds:,.0f} words a second")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "corpora",
                        help="folder holding reintel/ and vfnd/ (default: ../shared/corpora)")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "vnmisinfo" / MARKS_FILE,
                        help=f"output file (default: src/vnmisinfo/{MARKS_FILE})")
    parser.add_argument("--check", action="store_true",
                        help="also measure the tables on the labelled ReINTEL posts")
    args = parser.parse_args(argv)
    texts, dropped = source_texts(args.data_dir)
    counts = count_words(texts)
    path = write_tables(args.out, counts)
    print(f"{len(texts)} texts ({dropped} unlabeled posts left out as copies of labelled ones): "
          f"{len(counts[0])} words, {len(counts[1])} pairs "
          f"-> {path} ({path.stat().st_size:,} bytes)")
    if args.check:
        print(check(MarkRestorer(*counts), args.data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
