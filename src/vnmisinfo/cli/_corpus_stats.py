"""``vnmisinfo corpus-stats``: sizes, balance, duplicates and lengths of corpus files."""

from __future__ import annotations

import argparse
import json
import warnings

NAME = "corpus-stats"
HELP = ("Print sizes, label balance, exact and near duplicates, conflicting labels, empty "
        "texts, length quantiles and domains of corpus files.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="corpus files (CSV/JSONL/Parquet/TXT)")
    p.add_argument("--text-column", default=None, help="text column when not a known name")
    p.add_argument("--label-column", default=None,
                   help="label column (default: label; 'none' for unlabelled files)")
    p.add_argument("--near-threshold", type=float, default=0.9,
                   help="cosine similarity for near-duplicates (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--top-domains", type=int, default=15, help="domains listed (default: 15)")


def _format(stats: dict, top: int) -> str:
    lab = stats["labels"]
    labelled = lab["1"] + lab["0"]
    lines = [f"documents: {stats['rows']}"]
    for source, v in stats["by_source"].items():
        lines.append(f"  {source}: {v['rows']} rows"
                     + (f", {v['positives']} labelled 1" if labelled else ""))
    share = f" ({lab['1'] / labelled:.1%} misinformation)" if labelled else ""
    lines.append(f"labels: 1 = {lab['1']}, 0 = {lab['0']}, unlabelled = {lab['unlabelled']}"
                 + share if labelled else f"labels: none (all {lab['unlabelled']} rows unlabelled)")
    lines.append(f"empty texts: {len(stats['empty'])}"
                 + (f" ({', '.join(stats['empty'][:10])})" if stats["empty"] else ""))
    for kind in ("exact", "near"):
        d = stats[kind]
        extra = f", cosine >= {d['threshold']}" if kind == "near" else ""
        conf = stats["conflicting"][kind]
        lines.append(f"{kind} duplicates{extra}: {d['groups']} groups, {d['rows']} rows, "
                     f"{d['extra_copies']} extra copies; {len(conf)} groups with both labels")
        for ids in conf[:5]:
            lines.append(f"    conflicting: {', '.join(ids[:6])}" + (" ..." if len(ids) > 6
                                                                       else ""))
    for kind, unit in (("length_chars", "characters"), ("length_syllables", "syllables")):
        q = stats[kind]
        if q:
            lines.append(f"length in {unit} (title and text): "
                         + ", ".join(f"{k} {v:,.0f}" for k, v in q.items()))
    if "domains" in stats:
        doms = stats["domains"]
        lines.append(f"domains: {len(doms)}" + (
            f" ({stats['single_label_domains']} carry a single label: group by domain when "
            "evaluating)" if labelled else ""))
        for dom, v in list(doms.items())[:top]:
            lines.append(f"  {dom}: {v['rows']} rows"
                         + (f", {v['positives']} labelled 1" if labelled else ""))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from vnmisinfo.data.corpora import CorpusError, EmptyTextWarning, load_any
    from vnmisinfo.data.hygiene import corpus_stats

    label_column = None if (args.label_column or "").lower() == "none" else \
        (args.label_column or "label")
    parts = []
    with warnings.catch_warnings():
        # corpus_stats lists empty texts itself.
        warnings.simplefilter("ignore", EmptyTextWarning)
        for path in args.files:
            try:
                part = load_any(path, text_column=args.text_column, label_column=label_column)
            except CorpusError as exc:
                if args.label_column is not None or "['label']" not in str(exc):
                    raise
                # No label column and none asked for: describe the file unlabelled.
                part = load_any(path, text_column=args.text_column, label_column=None)
            parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    stats = corpus_stats(frame, threshold=args.near_threshold)
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        print(_format(stats, args.top_domains))
    return 0
