"""``vnmisinfo narratives``: add a team's own narratives, check them, build their index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "narratives"
HELP = ("Add new narratives to a team catalogue (never the shipped one), validate it, and "
        "build the narrative index of the shipped catalogue plus the team's.")


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--catalogue", required=True, metavar="TEAM.jsonl",
                   help="the team catalogue to append to (created when missing)")
    p.add_argument("--from-reviewed", default=None, metavar="REVIEWED",
                   help="take the new narratives of a reviewed file: rows whose narrative_id "
                   "is in neither catalogue, with columns claim, rebuttal_vi, source_url and "
                   "category (optional: rebuttal_en, source_publisher, source_title, "
                   "source_date, variant); the row's text becomes a variant")
    p.add_argument("--skip-invalid", action="store_true",
                   help="with --from-reviewed: report rows that lack a column and add the rest "
                   "(default: add nothing if any row lacks one)")
    p.add_argument("--text-column", default=None,
                   help="with --from-reviewed: the text column (default: variant, text, ...)")
    p.add_argument("--id", default=None, help="a new, unique id (e.g. local-001)")
    p.add_argument("--claim", default=None, help="the false claim, in Vietnamese")
    p.add_argument("--rebuttal-vi", default=None, help="the rebuttal in Vietnamese")
    p.add_argument("--rebuttal-en", default=None,
                   help="the rebuttal in English (default: the Vietnamese one)")
    p.add_argument("--source", default=None, metavar="URL", help="a source that refutes it")
    p.add_argument("--source-publisher", default=None, help="default: the URL's host")
    p.add_argument("--source-title", default=None,
                   help="title of the source (marks it exact); default: the URL")
    p.add_argument("--source-date", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--category", default=None,
                   help="health, fake_announcement, fake_quote, disaster_hoax, finance_rumour, "
                   "scam, fabricated_statistics, miscaptioned_media, history_culture (others "
                   "are accepted with a warning)")
    p.add_argument("--variant", action="append", default=[],
                   help="a reworded form as posts say it (repeatable); fewer than three are "
                   "completed with the claim and the claim without diacritics")
    p.add_argument("--verdict", default="false",
                   choices=["false", "misleading", "missing_context", "fabricated"])
    p.add_argument("--entity", action="append", default=[], help="a named entity (repeatable)")
    p.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    p.add_argument("--first-seen", default=None, metavar="YYYY[-MM[-DD]]",
                   help="when the claim was first seen (default: this month)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    add = sub.add_parser("add", help="append one narrative (or a reviewed file's new ones) to "
                         "a team catalogue", description="Append validated narratives to a "
                         "team catalogue; ids must be new to the shipped and team catalogues.")
    _add_arguments(add)
    build = sub.add_parser("build", help="build the index of the shipped plus a team catalogue",
                           description="Build and save (skops) the index of the shipped "
                           "catalogue plus a team file. With the ReINTEL files the match "
                           "decision is learned as for the shipped index; without them the "
                           "index uses a similarity threshold (a note says so).")
    build.add_argument("--catalogue", required=True, metavar="TEAM.jsonl")
    build.add_argument("-o", "--output", required=True, metavar="INDEX.skops")
    build.add_argument("--data-dir", default=None, metavar="DIR",
                       help="folder holding reintel/ (default: $VNMISINFO_CORPORA or "
                       "../shared/corpora)")
    check = sub.add_parser("validate", help="print each problem of a team catalogue",
                           description="Check a team catalogue together with the shipped one "
                           "(ids must be unique across both); the shipped catalogue itself is "
                           "checked on its own. Exit 1 on any error.")
    check.add_argument("catalogue", metavar="TEAM.jsonl")


def _print_problems(errors: list[str], warns: list[str]) -> None:
    for w in warns:
        print(f"warning: {w}", file=sys.stderr)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)


def _usage(message: str) -> int:
    print(f"vnmisinfo narratives: error: {message}", file=sys.stderr)
    return 2


def _add(args: argparse.Namespace) -> int:
    from vnmisinfo.narratives import CatalogueError, add_narratives, entries_from_reviewed

    fields = ("id", "claim", "rebuttal_vi", "source", "category")
    if args.from_reviewed:
        entries, where, problems = entries_from_reviewed(args.from_reviewed, args.catalogue,
                                                         text_column=args.text_column)
        _print_problems(problems, [])
        if problems and not args.skip_invalid:
            print(f"{args.from_reviewed}: {len(problems)} row(s) lack a column; nothing "
                  "added (fix them, or pass --skip-invalid to add the others)", file=sys.stderr)
            return 1
    else:
        missing = [f"--{f.replace('_', '-')}" for f in fields if not getattr(args, f)]
        if missing:
            return _usage(f"add needs {', '.join(missing)} (or --from-reviewed FILE)")
        from vnmisinfo.narratives import new_entry

        entries = [new_entry(
            id=args.id, claim=args.claim, rebuttal_vi=args.rebuttal_vi,
            rebuttal_en=args.rebuttal_en, source_url=args.source,
            source_publisher=args.source_publisher, source_title=args.source_title,
            source_date=args.source_date, category=args.category, variants=args.variant,
            verdict=args.verdict, entities=args.entity, tags=args.tag,
            first_seen=args.first_seen)]
        where = None
    if not entries:
        print("no new narratives to add", file=sys.stderr)
        return 0
    try:
        warns = add_narratives(args.catalogue, entries, where=where)
    except CatalogueError as exc:
        _print_problems(exc.problems, [])
        print(f"{args.catalogue}: nothing added", file=sys.stderr)
        return 1
    _print_problems([], warns)
    ids = ", ".join(e["id"] for e in entries)
    print(f"{args.catalogue}: added {len(entries)} narrative(s): {ids}", file=sys.stderr)
    return 0


def _build(args: argparse.Namespace) -> int:
    from vnmisinfo.data.formats import check_suffix
    from vnmisinfo.narratives import build_team_index, save_index

    check_suffix(args.output, (".skops",), "a skops index file")
    index, note = build_team_index(args.catalogue, data_dir=args.data_dir)
    if note:
        print(f"note: {note}", file=sys.stderr)
    path = save_index(index, args.output, metadata={"team_catalogue": str(args.catalogue)})
    print(f"{path}: {len(index.narratives_)} narratives, threshold {index.threshold_:.3f}",
          file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from vnmisinfo.narratives import catalogue_problems, default_catalogue_path

    shipped, team = default_catalogue_path(), Path(args.catalogue)
    alone = team.is_file() and shipped.is_file() and team.samefile(shipped)
    errors, warns = catalogue_problems(team if alone else [shipped, team])
    _print_problems(errors, warns)
    if alone:
        print("note: this is the shipped catalogue, checked on its own", file=sys.stderr)
    elif errors and all("duplicate id" in e for e in errors) and len(errors) == sum(
            1 for line in team.read_text(encoding="utf-8").splitlines() if line.strip()):
        print(f"note: every error is an id the shipped catalogue already uses: is "
              f"{args.catalogue} a copy of it? A team catalogue holds only the team's own "
              "narratives (made with 'vnmisinfo narratives add'); the shipped ones are "
              "always matched.", file=sys.stderr)
    state = f"{len(errors)} error(s)" if errors else "valid"
    print(f"{args.catalogue}: {state}, {len(warns)} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def run(args: argparse.Namespace) -> int:
    actions = {"add": _add, "build": _build, "validate": _validate}
    if args.action not in actions:
        return _usage("choose an action: add, build or validate (see --help)")
    return actions[args.action](args)
