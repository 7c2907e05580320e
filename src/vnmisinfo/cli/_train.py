"""``vnmisinfo train``: rebuild a model from the public corpora."""

from __future__ import annotations

import argparse
import sys

from vnmisinfo.cli._types import jobs

NAME = "train"
HELP = ("Train a detector on the public corpora (ReINTEL + VFND) and the shipped hand-written "
        "posts that tell claims from opinions and questions; save it with a model card.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from vnmisinfo.evaluation.presets import PRESETS

    p.add_argument("--preset", default="default", choices=sorted(PRESETS),
                   help="named configuration (default: %(default)s)")
    p.add_argument("--data-dir", default=None,
                   help="folder with reintel/ and vfnd/ (default: $VNMISINFO_CORPORA "
                   "or ../shared/corpora)")
    p.add_argument("-o", "--output", default=None,
                   help="model file to write (default: models/<preset>.skops)")
    p.add_argument("--cv", type=int, default=5,
                   help="grouped CV folds for the stored metrics; 0 skips CV (default: 5)")
    p.add_argument("--jobs", type=jobs, default=1,
                   help="parallel CV folds (default: 1; -1: every core)")
    p.add_argument("--feedback", default=None, metavar="STORE",
                   help="also learn from reviewers' verdicts in this feedback store "
                   "(made by 'vnmisinfo feedback'; unsure verdicts are left out, and "
                   "texts with the same words count once, with their newest verdict)")
    p.add_argument("--feedback-weight", type=float, default=None, metavar="W",
                   help="weight of one verdict against one public document (default: 30)")
    p.add_argument("--feedback-scale", type=float, default=None, metavar="S",
                   help="give the team's own words weights of their own: the scale of the "
                   "copy of the verdicts' features (default: 1; 0 leaves them out, "
                   "for a faster retraining)")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.data.formats import check_suffix
    from vnmisinfo.evaluation.train import FEEDBACK_SCALE, FEEDBACK_WEIGHT, train_preset

    for name in ("feedback_weight", "feedback_scale"):
        value = getattr(args, name)
        if value is not None and not value >= 0:
            raise ValueError(f"--{name.replace('_', '-')} must be >= 0, got {value:g}.")
    if args.cv == 1 or args.cv < 0:
        raise ValueError(f"--cv needs at least 2 folds, or 0 to skip the CV report; got "
                         f"{args.cv}.")
    output = args.output or f"models/{args.preset}.skops"
    check_suffix(output, (".skops",), "a skops model file")
    if args.feedback is None:
        given = [f"--{n.replace('_', '-')}" for n in ("feedback_weight", "feedback_scale")
                 if getattr(args, n) is not None]
        if given:
            raise ValueError(f"{' and '.join(given)} weigh reviewers' verdicts; add --feedback "
                             "STORE, or leave them out.")
    feedback = None
    if args.feedback:
        from pathlib import Path

        from vnmisinfo.review.store import FeedbackStore

        folder = Path(args.feedback)
        if not folder.is_dir():  # train reads a store, and never makes one
            raise ValueError(
                f"the feedback store {folder} "
                + ("is a file, not a store folder" if folder.exists() else "does not exist")
                + "; check the path: a store is the folder given to 'vnmisinfo feedback "
                "REVIEWED --store DIR'.")
        feedback = FeedbackStore(folder).frame()
        if not len(feedback):
            raise ValueError(f"the feedback store {args.feedback} holds no misinformation or "
                             "reliable verdict yet; add some with 'vnmisinfo feedback'.")
    train_preset(args.preset, data_dir=args.data_dir, output=output, cv=args.cv,
                 n_jobs=args.jobs, feedback=feedback, feedback_source=args.feedback or "",
                 feedback_weight=(args.feedback_weight if args.feedback_weight is not None
                                  else FEEDBACK_WEIGHT),
                 feedback_scale=(args.feedback_scale if args.feedback_scale is not None
                                 else FEEDBACK_SCALE),
                 log=lambda m: print(m, file=sys.stderr))
    if feedback is not None:  # what a team does before it uses the retrained model
        stem, dot, ext = str(output).rpartition(".")
        tiers = f"{stem}_tiers.{ext}" if dot else f"{output}_tiers"
        print(f"next, on reviewed rows this model was not trained on: set its tiers with "
              f"'vnmisinfo calibrate --model {output} --data REVIEWED_A.csv --budget 0.05 "
              f"--medium-budget 0.2 -o {tiers}', then 'vnmisinfo compare OLD {tiers} --data "
              "REVIEWED_B.csv' (other rows: thresholds set on the rows they are judged on "
              "flatter them; a command never writes over its input)",
              file=sys.stderr)
    return 0
