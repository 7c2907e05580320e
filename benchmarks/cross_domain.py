"""Cross-domain evaluation: social posts (ReINTEL) versus news articles (VFND).

Rows:

* train on ReINTEL train + warm-up, test on VFND (both files);
* train on VFND, test on ReINTEL;
* train on both, test on each corpus by grouped 5-fold CV (folds grouped by
  near-duplicate text and by outlet, against VFND's one-label-per-outlet leak).

The ``text`` preset is used throughout, since VFND has no post metadata.
Prints a markdown table (ROC-AUC, PR-AUC, n).

Run from the project root::

    python benchmarks/cross_domain.py --data-dir ../shared/corpora
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from vnmisinfo.data.corpora import EmptyTextWarning, load_reintel, load_vfnd
from vnmisinfo.data.hygiene import deduplicate, drop_empty
from vnmisinfo.evaluation.evaluate import cross_val_scores
from vnmisinfo.evaluation.metrics import summary
from vnmisinfo.evaluation.train import make_detector


def _load(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyTextWarning)
        reintel = pd.concat([load_reintel(root / "reintel" / "train.csv"),
                             load_reintel(root / "reintel" / "warmup.csv")], ignore_index=True)
        vfnd = pd.concat([load_vfnd(root / "vfnd" / "vfnd_articles_223.csv"),
                          load_vfnd(root / "vfnd" / "vfnd_json_274.csv")], ignore_index=True)
    out = []
    for frame in (reintel, vfnd):
        frame, _ = drop_empty(frame)
        frame, _ = deduplicate(frame, keys=frame.attrs["keys"])
        out.append(frame)
    return out[0], out[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/corpora")
    parser.add_argument("--preset", default="text")
    parser.add_argument("--cv", type=int, default=5)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    reintel, vfnd = _load(Path(args.data_dir))
    # Texts shared by both corpora would leak across the cross-domain rows.
    shared = set(reintel.attrs["keys"]) & set(vfnd.attrs["keys"])
    keep = np.array([k not in shared for k in vfnd.attrs["keys"]])
    vfnd = vfnd[keep].reset_index(drop=True)
    template = make_detector(args.preset)
    print(f"segmenting {len(reintel) + len(vfnd)} documents", file=sys.stderr)
    pre_r = template.preprocess(reintel)
    pre_v = template.preprocess(vfnd)
    rows = []
    for name, train, test in (("ReINTEL → VFND", (pre_r, reintel), (pre_v, vfnd)),
                              ("VFND → ReINTEL", (pre_v, vfnd), (pre_r, reintel))):
        print(f"fitting {name}", file=sys.stderr)
        model = make_detector(args.preset).fit(train[0], train[1]["label"].to_numpy())
        proba = model.predict_proba(test[0])[:, 1]
        m = summary(test[1]["label"].to_numpy(), proba)
        rows.append((name, m["roc_auc"], m["pr_auc"], m["n"]))
    both = pd.concat([reintel, vfnd], ignore_index=True)
    scored = cross_val_scores(both, preset=args.preset, n_splits=args.cv, group_by="domain",
                              log=lambda m: print(m, file=sys.stderr))
    f = scored.frame
    for corpus in ("reintel", "vfnd"):
        mask = f["source"].str.startswith(corpus).to_numpy()
        m = summary(scored.y[mask], scored.proba[mask])
        label = "ReINTEL" if corpus == "reintel" else "VFND"
        rows.append((f"both → {label} ({args.cv}-fold grouped CV)", m["roc_auc"], m["pr_auc"],
                     m["n"]))
    print(f"Command: `python benchmarks/cross_domain.py --data-dir {args.data_dir} "
          f"--preset {args.preset}` ({time.perf_counter() - start:.0f} s)\n")
    print("| train → test | ROC-AUC | PR-AUC | n |\n|---|---|---|---|")
    for name, auc, ap, n in rows:
        print(f"| {name} | {auc:.3f} | {ap:.3f} | {n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
