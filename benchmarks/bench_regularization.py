"""How strongly to regularize: in-domain CV against two shifted worlds, for several ``C``.

A model that ranks held-back posts of its own corpus well can still rank posts of later
months or other outlets worse; stronger regularization (a smaller ``C``) usually trades a
little of the first for some of the second. For each ``C`` of ``--C`` and the ``--preset``
chosen, this prints:

* grouped 5-fold CV ROC-AUC on ReINTEL train + warm-up, with metadata and on text alone,
  with the hand-written posts of ``evaluation.nonclaims`` in every training fold (the
  shipped preset's training report);
* **later posts**: a model fitted on the earliest 60% of the dated ReINTEL posts, scored on
  the later ones (near-copies of earlier posts left out);
* **other outlets**: a model fitted on ReINTEL, scored on the VFND articles (other years,
  news sites).

Each row's worlds are one fit each, so read their differences as a direction, with the
CV as the check that in-domain ranking holds::

    python benchmarks/bench_regularization.py                  # default preset, C 2, 4, 8, 16
    python benchmarks/bench_regularization.py --preset fast --C 4 16
    python benchmarks/bench_regularization.py --C 4 --channels syllables,chars,accent_free,meta
    python benchmarks/bench_regularization.py --C 4 --set class_weight="'balanced'"
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from detector_settings import add_set_option, detector_settings
from simulate_review_loop import load_worlds
from sklearn.metrics import roc_auc_score

from vnmisinfo.data.corpora import load_training_set
from vnmisinfo.data.hygiene import text_keys
from vnmisinfo.evaluation.nonclaims import with_nonclaims
from vnmisinfo.evaluation.train import cross_validate_reintel, make_detector, without_metadata


def grouped_cv(preset: str, C: float, root: Path, folds: int, jobs: int,
               **overrides: Any) -> tuple[float, float]:
    """Mean grouped-CV ROC-AUC on ReINTEL, with metadata and on text alone (``overrides``:
    detector parameters set over the preset's)."""
    data = load_training_set(root)
    data["key"] = text_keys(data)
    data = with_nonclaims(data)
    detector = make_detector(preset, **overrides).set_params(C=C)
    results = cross_validate_reintel(detector, detector.preprocess(data), data,
                                     {"": None, "text_only": without_metadata},
                                     n_splits=folds, n_jobs=jobs)
    return tuple(float(np.mean([f["roc_auc"] for f in results[k][1]]))  # type: ignore[return-value]
                 for k in ("", "text_only"))


def shifted(preset: str, C: float | None, root: Path, world: str,
            posts: pd.DataFrame | None = None, **overrides: Any) -> float:
    """ROC-AUC on the new world of a model fitted on the old one (and on ``posts``, rows
    of ``text`` and ``label`` such as the hand-written ones, when given); ``C=None`` keeps
    the preset's own."""
    old, new = load_worlds(root, world)
    if world == "vfnd":  # articles: their title and text, as scoring joins them
        new = new.assign(text=new["joined"], title="")
    if posts is not None:
        old = pd.concat([old, posts[["text", "label"]].assign(title=None)], ignore_index=True)
    detector = make_detector(preset, **overrides)
    if C is not None:
        detector.set_params(C=C)
    model = detector.fit(old, old["label"].to_numpy())
    return float(roc_auc_score(new["label"], model.predict_proba(new)[:, 1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/corpora", help="folder of the corpora")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--C", type=float, nargs="+", default=[2.0, 4.0, 8.0, 16.0],
                        help="values of C to compare (default: 2 4 8 16)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2, help="parallel CV folds")
    parser.add_argument("--channels", default=None, metavar="A,B,...",
                        help="feature channels instead of the preset's, comma-separated "
                             "(e.g. syllables,chars,accent_free,meta)")
    add_set_option(parser)
    args = parser.parse_args()
    overrides: dict[str, Any] = (
        {"channels": tuple(c.strip() for c in args.channels.split(","))} if args.channels else {})
    overrides.update(detector_settings(parser, args.set))
    warnings.simplefilter("ignore")
    root = Path(args.data_dir)
    setting = f"preset {args.preset}" + "".join(f", {k}={v!r}" for k, v in overrides.items())
    print(f"{setting}\n\n| C | CV with metadata | CV text alone | later posts | "
          "other outlets (VFND) |\n|---:|---:|---:|---:|---:|", flush=True)
    for C in args.C:
        started = time.perf_counter()
        meta, text = grouped_cv(args.preset, C, root, args.folds, args.jobs, **overrides)
        later, vfnd = (shifted(args.preset, C, root, w, **overrides) for w in ("time", "vfnd"))
        print(f"| {C:g} | {meta:.4f} | {text:.4f} | {later:.4f} | {vfnd:.4f} |  "
              f"({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
