"""``vnmisinfo train``: rebuild a model from the public corpora."""

from __future__ import annotations

import argparse
import sys

NAME = "train"
HELP = "Train a detector on the public corpora (ReINTEL + VFND) and save it with a model card."


def add_arguments(p: argparse.ArgumentParser) -> None:
    from vnmisinfo.train import PRESETS

    p.add_argument("--preset", default="default", choices=sorted(PRESETS),
                   help="named configuration (default: %(default)s)")
    p.add_argument("--data-dir", default=None,
                   help="folder with reintel/ and vfnd/ (default: $VNMISINFO_CORPORA "
                   "or ../shared/corpora)")
    p.add_argument("-o", "--output", default=None,
                   help="model file to write (default: models/<preset>.skops)")
    p.add_argument("--cv", type=int, default=5,
                   help="grouped CV folds for the stored metrics; 0 skips CV (default: 5)")
    p.add_argument("--jobs", type=int, default=1, help="parallel CV folds (default: 1)")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.train import train_preset

    output = args.output or f"models/{args.preset}.skops"
    train_preset(args.preset, data_dir=args.data_dir, output=output, cv=args.cv,
                 n_jobs=args.jobs, log=lambda m: print(m, file=sys.stderr))
    return 0
