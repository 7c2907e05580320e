"""``vnmisinfo claimreview``: ClaimReview drafts for rows a reviewer marked misinformation."""

from __future__ import annotations

import argparse
import sys

NAME = "claimreview"
HELP = ("Turn rows of a reviewed CSV whose verdict is 'misinformation' into schema.org "
        "ClaimReview JSON-LD drafts (JSON Lines); other rows are never drafted.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="reviewed CSV, JSONL or Parquet (as for 'vnmisinfo "
                                 "feedback'): verdict "
                                 "(misinformation|reliable|unsure), optional rating "
                                 "(false|fabricated|misleading|missing_context; default: "
                                 "the catalogue verdict of narrative_id, else false), "
                                 "narrative_id, text, url/appearance, date, claim, author, "
                                 "author_type (Person, Organization, NewsMediaOrganization, "
                                 "GovernmentOrganization), id")
    p.add_argument("-o", "--output", default=None, help="output .jsonl (default: standard output)")
    p.add_argument("--org", required=True, help="name of the fact-checking organisation")
    p.add_argument("--date", default=None, help="datePublished, YYYY-MM-DD (default: today)")
    p.add_argument("--catalogue", action="append", default=None, metavar="PATH",
                   help="extra catalogue JSONL for narrative_id look-ups (repeatable)")
    p.add_argument("--text-column", default=None,
                   help="text column when not a known name (as given to 'vnmisinfo queue')")
    p.add_argument("--skip-invalid", action="store_true",
                   help="report and skip rows that cannot be drafted, instead of failing")


def run(args: argparse.Namespace) -> int:
    from vnmisinfo.data.formats import check_suffix, refuse_input_as_output

    refuse_input_as_output(args.output, [args.input, *(args.catalogue or [])])
    check_suffix(args.output, (".jsonl", ".ndjson", ".json"),
                 "ClaimReview drafts as JSON Lines (one JSON-LD object per line)")
    from vnmisinfo.narratives import default_catalogue_path, load_catalogue
    from vnmisinfo.report.claimreview import draft_line, drafts_from_csv, write_drafts

    paths = [default_catalogue_path(), *(args.catalogue or [])]
    narratives = {n.id: n.to_dict() for n in load_catalogue(paths)}
    drafts, skipped, n_rows = drafts_from_csv(args.input, org=args.org, date=args.date,
                                              narratives=narratives,
                                              skip_invalid=args.skip_invalid,
                                              text_column=args.text_column)
    for message in skipped:
        print(f"skipped: {message}", file=sys.stderr)
    if args.output:
        write_drafts(drafts, args.output)
    else:
        for d in drafts:  # <, >, & and control characters escaped, as in the file
            print(draft_line(d))
    print(f"{len(drafts)} ClaimReview draft(s) from {n_rows} row(s); {len(skipped)} "
          "row(s) skipped. Replace each placeholder url (https://example.org/fact-check/TODO-...) "
          "with the published fact-check's address.", file=sys.stderr)
    return 0
