"""``vnmisinfo queue``: pick the scored items a reviewer should look at next."""

from __future__ import annotations

import argparse
import sys
from typing import Any

NAME = "queue"
HELP = ("Pick N scored items for review: the top of the triage order plus a share of the "
        "most uncertain (and, with --sample, a random share), one per near-duplicate "
        "cluster, none already in the feedback store; writes CSV (TSV, JSONL or Parquet by "
        "the output's extension) with empty verdict, narrative_id and note columns.")


def _budget(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {n}")
    return n


def _share(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {value!r}")
    return x


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="SCORED",
                   help="a file written by 'vnmisinfo score' (CSV, JSONL or Parquet)")
    p.add_argument("-o", "--output", required=True, metavar="QUEUE.csv",
                   help="the queue, a CSV for reviewers (written atomically)")
    p.add_argument("--budget", type=_budget, required=True, metavar="N",
                   help="items to queue")
    p.add_argument("--explore", type=_share, default=0.3, metavar="SHARE",
                   help="share of the budget for the most uncertain items, those scored "
                   "closest to the medium threshold (default: 0.3); a larger share finds less "
                   "misinformation and, by 200 verdicts, taught the model no more "
                   "(docs/review_loop.md)")
    p.add_argument("--sample", type=_share, default=0.0, metavar="SHARE",
                   help="share of the budget drawn at random from all the clusters not yet "
                   "reviewed (vnm_queue_reason 'sample'; default: 0): a fair picture of the "
                   "batch, whose verdicts estimate its share of misinformation and make fair "
                   "rows for calibrate and compare; --explore + --sample must not exceed 1")
    p.add_argument("--store", default=None, metavar="DIR",
                   help="feedback store; texts it holds are never queued again")
    p.add_argument("--overwrite-review", action="store_true",
                   help="blank verdict, narrative_id and note when the input already fills "
                   "them in (without it, such an input is refused)")
    p.add_argument("--seed", type=int, default=0, help="breaks ties between equally "
                   "uncertain items, and draws the sample (default: 0)")
    p.add_argument("--text-column", default=None, help="text column when not a known name")
    p.add_argument("--medium", type=_share, default=None, metavar="P",
                   help="the medium threshold (default: inferred from vnm_tier, else 0.5)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from vnmisinfo.data.formats import atomic_write, extension_format, refuse_input_as_output
    from vnmisinfo.data.tables import read_table, table_format
    from vnmisinfo.review import build_queue

    source, target = Path(args.input), Path(args.output)
    store = args.store
    if store is not None and not Path(store).exists():  # the first week: nothing reviewed yet
        print(f"vnmisinfo queue: note: feedback store {store} does not exist yet, so no row is "
              "skipped as reviewed; 'vnmisinfo feedback REVIEWED --store DIR' makes it (check "
              "the path if it should exist).", file=sys.stderr)
        store = None
    refuse_input_as_output(target, [source])
    # By the output's extension, checked before any work; no extension writes CSV.
    out_fmt = extension_format(target) or ("csv" if not target.suffix else "")
    if out_fmt not in ("csv", "tsv", "jsonl", "parquet"):
        raise ValueError(f"{target}: the queue is written as CSV, TSV, JSONL or Parquet (.csv, "
                         f".tsv, .jsonl, .parquet), not {target.suffix!r}; name it QUEUE.csv "
                         "(a spreadsheet opens it).")
    frame = read_table(source, table_format(source, None))
    queue = build_queue(frame, args.budget, args.explore, store,
                        text_column=args.text_column, medium=args.medium, seed=args.seed,
                        overwrite_review=args.overwrite_review, sample=args.sample)
    atomic_write(target, _encoded(queue, out_fmt))
    s = queue.attrs["queue"]
    skipped = [f"{s[k]} {k}" for k in ("unscored", "empty", "reviewed") if s[k]]
    if s["near_reviewed"]:
        skipped.append(f"{s['near_reviewed']} near-copies of reviewed texts")
    print(f"vnmisinfo queue: {s['rows']} row(s) read, {s['clusters']} cluster(s); "
          f"queued {len(queue)} "
          f"({s['top']} top, {s['uncertain']} uncertain"
          + (f", {s['sample']} sample" if s["n_sample"] else "")
          + f", medium threshold {s['medium']:g})"
          + (f"; skipped {', '.join(skipped)}" if skipped else "") + f" -> {target}",
          file=sys.stderr)
    if len(queue) < args.budget:
        short = (f"; the top share ({args.budget - s['explore']}) is filled first, so "
                 f"{s['uncertain']} of the {s['explore']} uncertain item(s) could be queued"
                 if s["uncertain"] < s["explore"] else "")
        print(f"vnmisinfo queue: note: only {s['left']} cluster(s) were left to queue, fewer "
              f"than --budget {args.budget}, so all of them are queued{short}", file=sys.stderr)
    return 0


def _encoded(queue: Any, fmt: str) -> bytes | str:
    """The queue as the output's format says: CSV, TSV (tab-separated), JSONL or Parquet.

    CSV and TSV start with a UTF-8 byte-order mark, so that Excel opens them as UTF-8, and
    a cell a spreadsheet would run as a formula (``=...``, ``+...``) is written with a ``'``
    first, which feedback and claimreview remove again.
    """
    if fmt == "jsonl":
        return str(queue.to_json(orient="records", lines=True, force_ascii=False))
    if fmt == "parquet":
        import io

        from vnmisinfo.data.formats import require_pyarrow

        require_pyarrow()
        buffer = io.BytesIO()
        queue.to_parquet(buffer, index=False)
        return buffer.getvalue()
    from vnmisinfo.data.spreadsheet import guard_frame
    from vnmisinfo.data.writers import csv_quoting

    queue = guard_frame(queue)  # post texts and ids come from the public
    # A byte-order mark first, as the review page's reviewed CSV has: without it, a
    # spreadsheet opened by a double-click reads UTF-8 in the Windows code page and
    # garbles every Vietnamese letter.
    return "\ufeff" + str(queue.to_csv(index=False, quoting=csv_quoting(queue),
                                       sep="\t" if fmt == "tsv" else ","))
