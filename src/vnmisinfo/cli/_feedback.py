"""``vnmisinfo feedback``: add reviewers' verdicts to a feedback store."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

NAME = "feedback"
HELP = ("Validate a reviewed file (verdict: misinformation, reliable or unsure; blank = not "
        "reviewed) and append its verdicts to a feedback store folder; feeding the same file "
        "again adds nothing.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", metavar="REVIEWED.csv",
                   help="reviewed file, e.g. a queue from 'vnmisinfo queue' with verdict, "
                   "narrative_id and note filled in (CSV, JSONL or Parquet)")
    p.add_argument("--store", required=True, metavar="DIR",
                   help="the feedback store folder (created when missing)")
    p.add_argument("--reviewer", default="", metavar="NAME", help="who reviewed the file")
    p.add_argument("--redact", action="store_true",
                   help="keep no text for 'unsure' verdicts (their hash and verdict stay)")
    p.add_argument("--text-column", default=None, help="text column when not a known name")
    p.add_argument("--restore-earlier", action="store_true",
                   help="store rows that give a verdict the same reviewer later changed "
                   "(without it they are skipped, so that an older file fed again does not "
                   "undo a correction)")
    p.add_argument("--prune-before", default=None, metavar="YYYY-MM-DD",
                   help="delete verdicts stored before this day (UTC, today at the latest), "
                   "then add the input if one is given")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from vnmisinfo.data.review import read_reviewed
    from vnmisinfo.review import FeedbackStore

    if args.input is None and args.prune_before is None:
        raise ValueError("give a reviewed file to add, or --prune-before DATE.")
    store = FeedbackStore(args.store)
    if args.prune_before is not None:
        removed = store.prune(args.prune_before)
        print(f"vnmisinfo feedback: pruned {removed} verdict(s) stored before {args.prune_before}",
              file=sys.stderr)
    if args.input is not None:
        source = Path(args.input)
        # a cell the queue or the review page wrote as '=... is read without its '
        frame = read_reviewed(source)
        done = store.add(frame, reviewer=args.reviewer, redact=args.redact,
                         text_column=args.text_column, source=source.name,
                         restore_earlier=args.restore_earlier)
        held = Counter(e["verdict"] for e in store.entries())
        mix = ", ".join(f"{held[v]} {v}" for v in ("misinformation", "reliable", "unsure"))
        print(f"vnmisinfo feedback: {len(frame)} row(s) read; {done.added} verdict(s) added, "
              f"{done.duplicates} already stored, {done.skipped_blank} blank (not reviewed) "
              f"skipped; the store holds {sum(held.values())} reviewed text(s) ({mix}; "
              f"training leaves out unsure) -> {store.path}", file=sys.stderr)
        if done.earlier:
            print(f"vnmisinfo feedback: warning: {len(done.earlier)} row(s) go back to an earlier "
                  f"verdict of the same reviewer, which a later verdict replaced "
                  f"({_listed(done.earlier)}); "
                  + ("stored, as --restore-earlier asks" if args.restore_earlier else
                     "skipped, so the later verdict stands (is this an older file fed again?); "
                     "to go back to the earlier verdict, feed the file with --restore-earlier"),
                  file=sys.stderr)
        if done.contradicts:
            print(f"vnmisinfo feedback: warning: {len(done.contradicts)} row(s) say the "
                  "opposite of a stored verdict on a copy of their text with other punctuation "
                  f"({_listed(done.contradicts)}); retraining keeps only the newest of them: "
                  "settle which is right and feed that verdict again", file=sys.stderr)
        if done.near_opposite:
            print(f"vnmisinfo feedback: warning: {len(done.near_opposite)} row(s) say the "
                  "opposite of a stored verdict on a near-copy of their text with other words "
                  f"({_listed(done.near_opposite)}); a false claim and its true version can "
                  "differ by one word: check that these differ in the claim (both are kept; "
                  "retraining counts such a pair as public rows, weight 1)", file=sys.stderr)
        if done.overruled:
            print(f"vnmisinfo feedback: note: {done.overruled} row(s) give a text that the file "
                  "gives again further down; its last verdict is the one kept", file=sys.stderr)
    return 0


def _listed(places: tuple[str, ...], most: int = 10) -> str:
    """The first ``most`` places, and ``...`` when there are more."""
    return ", ".join(places[:most]) + (" ..." if len(places) > most else "")
