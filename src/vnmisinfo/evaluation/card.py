"""The model card: what a model file holds, how it was trained, and how to read it.

:func:`write_model_card` renders ``templates/model_card.md.j2`` from the metadata
that :func:`vnmisinfo.evaluation.train.train_preset` stores with the model.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from vnmisinfo.model.detector import Detector
from vnmisinfo.model.persist import file_sha256

__all__ = ["DROP_GOALS", "keep_previous", "write_model_card"]

#: Goals of the drop-one-field check: context must never dominate the text.
DROP_GOALS = {"mean_abs_change": 0.03, "share_moved_0.2": 0.02, "roc_auc_drop": 0.01}


def _feedback_lines(fb: dict[str, Any] | None) -> str:
    if not fb:
        return ""
    origin = fb.get("from_model") or {}
    head = (f", with weights of their own beside the shared ones (own-feature scale "
            f"{fb['own_scale']:g})" if fb.get("own_scale") else "")
    came = (f"; it replaces the model kept as `{origin.get('path')}` (sha256 "
            f"`{str(origin.get('sha256'))[:16]}…`) for a roll-back" if origin else "")
    scored = fb.get("scored_by") or []
    given = ("; the verdicts were given on rows scored by " + ", ".join(f"`{m}`" for m in scored)
             if scored else "")
    repeated = int(fb.get("repeated_left_out", 0) or 0)
    left = (f"; {repeated} older verdicts on texts with the same words as a newer one left out "
            f"({int(fb.get('contradicted', 0) or 0)} of them the opposite verdict)"
            if repeated else "")
    contested = int(fb.get("contested_near_copies", 0) or 0)
    each = (f"weight {fb['weight']:g} each, but {contested} on near-copies judged both ways "
            "weight 1" if contested else f"weight {fb['weight']:g} each")
    return (f"Reviewers' verdicts: {fb['rows']} ({fb['misinformation']} misinformation, "
            f"{fb['reliable']} reliable; unsure left out{left}), from {fb['first'] or '?'} to "
            f"{fb['last'] or '?'}, {each}{head}{given}{came}. The model "
            "is trained anew on the public data and these verdicts; the model file keeps only "
            "hashes of their texts.\n\n")


def _routes_line(detector: Detector) -> str:
    plain = ("Texts typed without tone marks are scored by a model over the accent-free view, "
             "calibrated the same way." if detector.accent_free_route else "")
    if getattr(detector, "restore_marks", False):
        plain = ("Texts typed without tone marks get them back first (vnmisinfo.text.marks) and "
                 "are scored as marked texts" + ("; a text that still reads as unmarked is scored "
                 "by a model over the accent-free view, calibrated the same way."
                 if detector.accent_free_route else "."))
    if getattr(detector, "text_only_route", True):
        return ("Documents that carry no metadata at all are scored by a text-only linear model. "
                + plain)
    return ("Documents without metadata take the same model: missing metadata contributes "
            "nothing. " + plain)


def _drop_table(m: dict[str, Any]) -> str:
    rows = m.get("drop_one_field") or {}
    if not rows:
        return "Not measured."
    lines = ["| field removed from every test row | mean abs change | share moved > 0.2 | "
             "ROC-AUC drop |", "|---|---|---|---|"]
    lines += [f"| {field} | {r['mean_abs_change']:.3f} | {r['share_moved_0.2']:.3f} | "
              f"{r['roc_auc_drop']:+.4f} |" for field, r in rows.items()]
    goals = ", ".join(f"{k} <= {v}" for k, v in DROP_GOALS.items())
    return "\n".join(lines) + f"\n\nGoals: {goals}."


def keep_previous(output: str | Path) -> Path | None:
    """Move an existing model file (and its ``.sha256`` and ``.md`` card) aside as
    ``NAME.previous.skops``."""
    path = Path(output)
    if not path.is_file():
        return None
    previous = path.with_name(f"{path.stem}.previous{path.suffix}")
    path.replace(previous)
    side = path.with_name(path.name + ".sha256")
    if side.is_file():
        side.unlink()
    card = path.with_suffix(".md")  # its card goes with it
    if card.is_file():
        card.replace(previous.with_suffix(".md"))
    previous.with_name(previous.name + ".sha256").write_text(
        f"{file_sha256(previous)}  {previous.name}\n")
    return previous


def _card_template() -> Any:
    """The model card's Markdown template (jinja2, no HTML escaping: the card is Markdown)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("vnmisinfo.evaluation", "templates"),
                      autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("model_card.md.j2")


def _heavy_lines(detector: Any, k: int = 15) -> str:
    """The heaviest terms of each class as a Markdown table (none for an older model)."""
    if not hasattr(detector, "heavy_terms_"):
        return "Not recorded for this model."
    top = detector.top_terms(k)
    rows = ["| misinformation term | weight | reliable term | weight |", "|---|---|---|---|"]
    pos, neg = top["misinformation"], top["reliable"]
    for i in range(max(len(pos), len(neg))):
        a = pos[i] if i < len(pos) else ("", 0.0)
        b = neg[i] if i < len(neg) else ("", 0.0)
        rows.append(f"| {_cell(a[0])} | {a[1]:+.2f} | {_cell(b[0])} | {b[1]:+.2f} |")
    return "\n".join(rows)


def _narrative_lines(info: dict[str, Any] | None) -> str:
    """What the model card says of the attached narrative index and its match decision."""
    if not info:
        return "No narrative index is attached: no match lifts a tier."
    text = (f"The attached index holds {info['narratives']} catalogue narratives; a match "
            f"counts from a match probability of {info['threshold']:.4f}.")
    oof = info.get("out_of_fold") or {}
    if "near_rate" in oof:
        text += (" Out of fold on its training data, at that threshold, it matches "
                 f"{oof['recall']:.1%} of {oof['positives']:.0f} rewordings that assert a "
                 f"narrative, {oof['near_rate']:.1%} of near misses (true statements, warnings, "
                 f"debunks and reports on catalogue topics) and {oof['ordinary_rate']:.1%} of "
                 "reliable posts.")
    text = textwrap.fill(text, width=92, break_long_words=False, break_on_hyphens=False)
    return text + ("\nHeld-out figures: `python benchmarks/bench_matching.py`." if "near_rate"
                   in oof else "")


def _cell(term: str) -> str:
    return "`" + term.replace("|", "\\|").replace("`", "'") + "`" if term else ""


def _channels_line(detector: Any) -> Any:
    """The channels, each with its weight when the model weighs them (``channel_weights``)."""
    weights = getattr(detector, "channel_weights", None) or {}
    if not weights:
        return list(detector.channels)
    return ", ".join(f"`{c}`" + (f" (weighing {weights[c]:g})" if weights.get(c, 1.0) != 1.0
                                  else "") for c in detector.channels)


def write_model_card(path: str | Path, metadata: dict[str, Any], detector: Detector) -> Path:
    """Write a model card: intended use, data, metrics, limitations and responsible use."""
    m = metadata.get("cv_metrics", {})
    policy = metadata.get("thresholds") or {"medium": detector.medium_threshold,
                                            "high": detector.high_threshold}

    def fig(key: str, block: dict[str, Any] | None = None) -> str:
        v = (m if block is None else block).get(key)
        return f"{v['mean']:.3f} ± {v['std']:.3f}" if isinstance(v, dict) else "not measured"

    context = {
        "preset": metadata.get("preset", "custom"),
        "preset_or_default": metadata.get("preset", "default"),
        "command": metadata.get("command") or (f"vnmisinfo train --preset "
                                               f"{metadata.get('preset', 'default')} "
                                               "--data-dir ../shared/corpora"),
        "channels": _channels_line(detector),
        "word_ngrams": list(detector.word_ngram_range),
        "char_ngrams": (list(detector.char_ngram_range)
                        if any("chars" in c for c in detector.channels) else None),
        "classifier": detector.classifier,
        "C": detector.C, "calibration": detector.calibration,
        "high": round(float(policy["high"]), 4), "medium": round(float(policy["medium"]), 4),
        "calibrated": (metadata.get("threshold_calibration") or {}).get("measured_on", ""),
        "meta_scale": detector.meta_scale, "meta_dropout": detector.meta_dropout,
        "drop_table": _drop_table(m), "feedback": _feedback_lines(metadata.get("feedback")),
        # a model saved without a training run (save_model of a detector) records none
        "rows": metadata.get("training_rows", "an unrecorded number of"),
        "positives": metadata.get("training_positives", "an unrecorded number"),
        "handwritten": metadata.get("training_handwritten"),  # absent before 0.4
        "data_lines": "\n".join(f"| `{k}` | `{v[:16]}…` |"
                                for k, v in (metadata.get("training_data") or {}).items())
                      or "| (not recorded) | |",
        "protocol": m.get("protocol", "Not cross-validated."),
        "figs": {k: fig(k) for k in ("roc_auc", "pr_auc", "brier", "ece")},
        "text_figs": {k: fig(k, m.get("text_only") or {})
                      for k in ("roc_auc", "pr_auc", "brier", "ece")},
        "routes": _routes_line(detector),
        "hashed": (f"hashed into {detector.n_features:,} buckets per channel (no vocabulary is "
                   "stored; an explanation finds the n-gram behind a bucket in the text it "
                   "explains)" if getattr(detector, "n_features", None)
                   else "over vocabularies learned from the training texts"),
        "heavy": _heavy_lines(detector),
        "narratives": _narrative_lines(metadata.get("narratives")),
        "augmentation": "".join(
            f" {share:.0%} of the training posts are also added {how}."
            for share, how in ((getattr(detector, "augment_no_diacritics", 0.0),
                                "without tone marks"),
                               (getattr(detector, "augment_lower", 0.0),
                                "in lower case with punctuation marks as spaces, as many posts "
                                "are typed"))
            if share),
    }
    text = _card_template().render(**context)
    if not text.endswith("\n"):
        text += "\n"
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
