"""``vnmisinfo match``: find catalogue narratives in a text or a file of texts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vnmisinfo.cli._score import _positive

NAME = "match"
HELP = ("Match a text (or a .txt/.csv/.jsonl file of texts) against the catalogue of known "
        "false narratives; prints candidates with rebuttals and sources.")

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", default=None,
                   help="a text, or a file: .txt (one text per line), .csv or .jsonl; - reads "
                   "texts from standard input, one per line")
    p.add_argument("-k", "--k", type=_positive, default=3,
                   help="candidates per text (default: 3)")
    p.add_argument("--json", action="store_true", help="print one JSON object per input text")
    p.add_argument("--catalogue", action="append", default=None, metavar="PATH",
                   help="extra catalogue JSONL file, added to the shipped one (repeatable)")
    p.add_argument("--threshold", type=float, default=None,
                   help="match score (printed for each candidate) from which it counts as "
                        "matched (default: the calibrated value stored in the index)")
    p.add_argument("--text-column", default=None, help="text column of a .csv/.jsonl file")
    p.add_argument("--validate", default=None, metavar="PATH",
                   help="only check a catalogue file, print each problem; exit 1 if any error")


def _format_match(rank: int, m: Any) -> list[str]:
    """A candidate's lines: a match with its sentence, rebuttal and sources; a candidate
    below the threshold with its claim and closest sentence alone (no rebuttal to copy for a
    text that does not assert the claim)."""
    mark = "MATCH" if m.matched else "below threshold"
    lines = [f"  {rank}. {m.narrative_id}  match score {m.score:.3f}  similarity "
             f"{m.similarity:.3f}  [{mark}]  "
             f"({m.category}, verdict: {m.verdict})",
             f"     claim: {m.claim}"]
    if not m.matched:
        return lines + ([f"     closest sentence: {m.sentence}"] if m.sentence else [])
    lines += [f"     matched sentence: {m.sentence}",
              f"     rebuttal (vi): {m.rebuttal_vi}",
              f"     rebuttal (en): {m.rebuttal_en}",
              "     sources:"]
    for s in m.sources:
        line = f"       - {s['publisher']}: {s['title']} ({s.get('date') or 'date not given'})"
        if s.get("url"):
            line += f" {s['url']}"
        if not s.get("exact", False):
            line += " (source not pinned down exactly)"
        lines.append(line)
    return lines


def _validate(path: str) -> int:
    from vnmisinfo.narratives import catalogue_problems

    errors, warns = catalogue_problems(path)
    for w in warns:
        print(f"warning: {w}")
    for e in errors:
        print(f"error: {e}")
    if errors:
        print(f"{path}: {len(errors)} error(s), {len(warns)} warning(s)", file=sys.stderr)
        return 1
    print(f"{path}: valid ({len(warns)} warning(s))", file=sys.stderr)
    return 0


def _print_json(row: dict[str, Any]) -> None:
    """One JSON line; DEL and C1 controls, which json.dumps leaves as they are, escaped."""
    from vnmisinfo.text.normalize import show_controls

    print(show_controls(json.dumps(row, ensure_ascii=False), for_json=True))


def _print_unmatched(i: int, text: Any, problem: str, as_json: bool) -> None:
    """A row that is not a text to match: its number and why, as ``score`` says it."""
    if as_json:
        from vnmisinfo.data.schema import is_missing

        _print_json({"index": i, "text": None if is_missing(text) else text,
                     "matched": False, "matches": [], "error": problem})
    else:
        print(f"[{i}] ({problem})\n  -> not matched: {problem}\n")


def _problem(text: Any) -> str | None:
    """Why a row is not matched, as ``score`` says why it is not scored (missing text, empty
    text, no words), or None."""
    import warnings

    from vnmisinfo.data.schema import text_problem
    from vnmisinfo.text.normalize import TruncationWarning, normalize_text, not_scored_reason

    problem = text_problem(text)
    if problem is None:
        with warnings.catch_warnings():  # matching says it, once
            warnings.simplefilter("ignore", TruncationWarning)
            problem = not_scored_reason(normalize_text(text))
    return problem


def run(args: argparse.Namespace) -> int:
    if args.validate:
        return _validate(args.validate)
    if args.input is None:
        print("vnmisinfo match: error: give a text or a file to match (or --validate PATH)",
              file=sys.stderr)
        return 2
    from vnmisinfo.narratives import NarrativeIndex, default_catalogue_path, default_index

    if args.catalogue:
        index = NarrativeIndex.from_catalogue([default_catalogue_path(), *args.catalogue])
    else:
        index = default_index()
    if args.threshold is not None:
        if not 0.0 <= args.threshold <= 1.0:
            raise ValueError(f"--threshold must be in [0, 1]; got {args.threshold}.")
        import copy

        index = copy.copy(index)  # the cached default index is shared: change a copy
        index.threshold = index.threshold_ = float(args.threshold)
    from vnmisinfo.data.tables import read_texts
    from vnmisinfo.text.normalize import show_controls

    texts = read_texts(args.input, args.text_column)
    # a row without words is said as score says it (missing text, no words...), not matched
    problems = [_problem(text) for text in texts]
    found_all = iter(index.match([t for t, p in zip(texts, problems, strict=True) if p is None],
                                 k=args.k))
    for i, (text, problem) in enumerate(zip(texts, problems, strict=True)):
        if problem is not None:
            _print_unmatched(i, text, problem, args.json)
            continue
        matches = next(found_all)
        if args.json:
            _print_json({"index": i, "text": text, "matched": any(m.matched for m in matches),
                         "matches": [m.to_dict() for m in matches]})
            continue
        found = any(m.matched for m in matches)
        head = text if len(text) <= 120 else text[:117] + "..."
        lines = [f"[{i}] {head}",
                 "  -> matches a catalogue narrative (a lead for review, not a verdict)" if found
                 else f"  -> no catalogue narrative reaches the match-score threshold "
                      f"{index.threshold_:.3f}"]
        if not any(m.similarity > 0 for m in matches):  # nothing to list: no shared words
            lines[-1] = ("  -> not matched: no catalogue narrative shares its words (a text of "
                         "one sentence and fewer than three words is not compared)")
            matches = []
        for rank, m in enumerate(matches, 1):
            lines += _format_match(rank, m)
        # the post's (and a catalogue's) escape sequences are shown, not run by the terminal
        print(show_controls("\n".join(lines)) + "\n")
    return 0
