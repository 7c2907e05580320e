"""Simulated review loop: ReINTEL as the old world, VFND as the new one (or later ReINTEL posts).

Protocol (see ``docs/review_loop.md``):

* the old model is fitted on ReINTEL train + warm-up (deduplicated);
* VFND (both files, empty and repeated texts dropped) is split per seed, by
  groups, into a *stream* (what the team sees and reviews) and an *unseen
  test* part; a group joins near-duplicate texts and every article of one
  outlet (the domain reduced to its registered name, so that
  ``https://news.zing.vn`` and ``thethao.tuoitre.vn`` join ``zing.vn`` and
  ``tuoitre.vn``);
* each round, ``--budget`` stream items are picked and their held-back labels
  become the reviewer's verdicts (stored in a :class:`FeedbackStore`), and
  the model is refitted on the old world plus the verdicts, weighted;
* strategies, with the same number of verdicts each round: ``queue``
  (:func:`vnmisinfo.review.queue.build_queue` on the current model's
  scores), ``random`` (random stream items not reviewed yet) and
  ``verdicts only`` (the queue's verdicts, without the old world);
* ROC-AUC is measured on the unseen test rows only.

``--world time`` rehearses a shift in time instead: ReINTEL posts in time
order, the earliest 60 % (``--time-cut``) as the old world and the later
posts as the new one, split by near-duplicate groups.  It has streams of
about 900 posts, so it reaches past 200 verdicts.

A weight check (``--weights``, on every seed, queue strategy) picks the
verdicts' weight used for the comparison, unless ``--weight`` is given.  The
splits differ far more from one another than the strategies do, so every
comparison is also reported paired: the difference on each seed, then its mean
and spread over the seeds.

Run from the project root::

    python benchmarks/simulate_review_loop.py --data-dir ../shared/corpora \\
        --seeds 5 --rounds 5 --budget 50 --time-default
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logit
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

from vnmisinfo.data.corpora import EmptyTextWarning, load_training_set, load_vfnd
from vnmisinfo.data.hygiene import deduplicate, drop_empty, make_groups, text_keys
from vnmisinfo.data.schema import joined_text
from vnmisinfo.evaluation.presets import PRESETS
from vnmisinfo.evaluation.train import newest_verdicts
from vnmisinfo.model.detector import Detector
from vnmisinfo.review.queue import build_queue
from vnmisinfo.review.store import FeedbackStore, hex_hashes
from vnmisinfo.triage import TierPolicy

#: The detector refitted every round: syllable 1-2-grams, min_df=2, logistic regression
#: C=4, sigmoid calibration on 3 grouped folds (the ``plain`` preset with ``cv=3``);
#: ``--preset NAME`` replaces it with that preset as ``vnmisinfo train`` builds it.
SIM_PARAMS: dict[str, Any] = {**PRESETS["plain"], "cv": 3}
STRATEGIES = ("queue", "random", "verdicts only")
COLORS = {"queue": "tab:blue", "random": "tab:orange", "verdicts only": "tab:green"}
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "info", "ac", "biz", "name", "int"}
#: Per new world: its name, the plot's title, the plot's default path, how the old world
#: is called in the default-preset check.
WORLDS = {
    "vfnd": ("VFND", "ReINTEL → VFND", "docs/img/review_loop.png", "ReINTEL posts"),
    "time": ("later ReINTEL posts", "ReINTEL, earlier → later posts",
             "docs/img/review_loop_time.png", "earlier ReINTEL posts"),
}
#: The post metadata a scored file can carry (``vnmisinfo score`` reads them when present).
METADATA = ["likes", "comments", "shares", "timestamp"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def outlet(domain: Any) -> str:
    """The registered name of an outlet's domain: no scheme, path, ``www`` or subdomain.

    >>> [outlet(d) for d in ["https://news.zing.vn", "thethao.tuoitre.vn", "dantri.com.vn", ""]]
    ['zing.vn', 'tuoitre.vn', 'dantri.com.vn', '']
    """
    d = str(domain).strip().lower() if isinstance(domain, str) else ""
    for prefix in ("https://", "http://"):
        d = d.removeprefix(prefix)
    parts = [p for p in d.split("/")[0].split(".") if p]
    if len(parts) >= 3 and parts[-1] == "vn" and parts[-2] in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def load_worlds(root: Path, world: str = "vfnd", cut: float = 0.6
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The old world and the new one, with split groups in ``split_group``.

    ``world="vfnd"``: ReINTEL, then VFND grouped by outlet.  ``world="time"``:
    ReINTEL posts with a timestamp in time order, the earliest ``cut`` share
    old and the rest new, grouped by near-duplicate text; a new post whose
    near-duplicate group reaches back into the old world is dropped, so that
    the old model has never seen an unseen row.
    """
    old = load_training_set(root, reintel_only=True)
    if world == "time":
        dated = old[old["timestamp"].notna()].sort_values("timestamp", kind="stable")
        dated = dated.reset_index(drop=True)
        groups = make_groups(dated, by="text")
        n_old = int(round(cut * len(dated)))
        seen = np.isin(groups, groups[:n_old])
        seen[:n_old] = False
        old, new = dated.iloc[:n_old].reset_index(drop=True), dated.iloc[n_old:][~seen[n_old:]]
        log(f"time world: old {len(old)} posts up to {_day(old['timestamp'].iloc[-1])}, new "
            f"{len(new)} posts from {_day(new['timestamp'].iloc[0])} "
            f"({int(seen.sum())} near-copies of old posts dropped)")
        new = new.reset_index(drop=True).assign(domain="")
        new["cluster"] = new["split_group"] = make_groups(new, by="text")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EmptyTextWarning)
            new = pd.concat([load_vfnd(root / "vfnd" / "vfnd_articles_223.csv"),
                             load_vfnd(root / "vfnd" / "vfnd_json_274.csv")], ignore_index=True)
        new, _ = drop_empty(new)
        new, report = deduplicate(new, keys=text_keys(new))
        log(f"new world (VFND): {report}")
        new["domain"] = [outlet(d) for d in new["domain"]]
        new["split_group"] = make_groups(new, by="domain")
        new["cluster"] = make_groups(new, by="text")
    new["text_hash"] = hex_hashes(text_keys(new))
    new["joined"] = [joined_text(t, ti) for t, ti in zip(new["text"], new["title"], strict=True)]
    return old, new


def _day(timestamp: float) -> str:
    return str(pd.Timestamp(timestamp, unit="s").date())


def split_new_world(new: pd.DataFrame, seed: int, test_size: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Stream and test row indices; no group crosses.

    VFND's two largest outlets hold 60 % of the rows and one label each, so a
    plain group shuffle can leave a test part of 50 rows of one class.  Draws
    are repeated (seeded) until the test part holds ``test_size`` ± 0.1 of the
    rows and at least 20 % of each class (half the minority class's share of the
    new world when that is less: 13 % of ReINTEL's later posts are misinformation).
    """
    y = new["label"].to_numpy(dtype=int)
    groups = new["split_group"].to_numpy()
    low = min(0.2, 0.5 * min(y.mean(), 1 - y.mean()))
    for draw in range(1000):
        splitter = GroupShuffleSplit(n_splits=1, test_size=test_size,
                                     random_state=1000 * seed + draw)
        stream, test = next(splitter.split(new, y, groups=groups))
        share, pos = len(test) / len(new), y[test].mean()
        if abs(share - test_size) <= 0.1 and low <= pos <= 1 - low:
            return np.sort(stream), np.sort(test)
    raise RuntimeError(f"no balanced grouped split found for seed {seed}.")


def split_parts(new: pd.DataFrame, seed: int, test_size: float
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stream and the unseen test rows of one seed (:func:`split_new_world`)."""
    stream_idx, test_idx = split_new_world(new, seed, test_size)
    return new.iloc[stream_idx].reset_index(drop=True), new.iloc[test_idx]


class Preprocessed:
    """Detector input frames, preprocessed once per text."""

    def __init__(self, template: Detector) -> None:
        self.template = template
        self.cache: dict[str, pd.DataFrame] = {}

    def frame(self, texts: list[str], hashes: list[str]) -> pd.DataFrame:
        missing = [(t, h) for t, h in zip(texts, hashes, strict=True) if h not in self.cache]
        if missing:
            pre = self.template.preprocess(pd.DataFrame({"text": [t for t, _ in missing],
                                                         "title": ""}))
            for i, (_, h) in enumerate(missing):
                self.cache[h] = pre.iloc[[i]]
        if not hashes:
            return self.template.preprocess(pd.DataFrame({"text": [], "title": []}))
        return pd.concat([self.cache[h] for h in hashes], ignore_index=True)

    def rows(self, part: pd.DataFrame) -> pd.DataFrame:
        """The detector input of new-world rows (their ``joined`` text)."""
        return self.frame(part["joined"].tolist(), part["text_hash"].tolist())


def fit(old_pre: pd.DataFrame | None, old_y: np.ndarray | None, fb_pre: pd.DataFrame,
        fb_y: np.ndarray, weight: float) -> Detector | None:
    """A detector on the old world plus the verdicts (weighted, with weights of their own:
    ``SIM_PARAMS["own_scale"]``), or on the verdicts alone."""
    if old_pre is None:
        if len(np.unique(fb_y)) < 2:
            return None
        try:
            return Detector(**SIM_PARAMS).fit(fb_pre, fb_y)
        except ValueError as err:  # too few groups per class for the calibration folds
            log(f"  verdicts-only fit failed: {err}")
            return None
    X = pd.concat([old_pre, fb_pre], ignore_index=True)
    y = np.concatenate([old_y, fb_y])
    w = np.concatenate([np.ones(len(old_y)), np.full(len(fb_y), float(weight))])
    own = np.arange(len(y)) >= len(old_y)  # the verdicts also get weights of their own
    return Detector(**SIM_PARAMS).fit(X, y, sample_weight=w, own=own)


def auc(model: Detector | None, pre: pd.DataFrame, y: np.ndarray) -> float:
    if model is None:
        return float("nan")
    return float(roc_auc_score(y, model.predict_proba(pre)[:, 1]))


def run_loop(strategy: str, *, old_model: Detector, old_pre: pd.DataFrame, old_y: np.ndarray,
             stream: pd.DataFrame, stream_pre: pd.DataFrame, test_pre: pd.DataFrame,
             test_y: np.ndarray, cache: Preprocessed, rounds: int, budget: int,
             explore: float, weight: float, seed: int, sizes: list[int] | None = None,
             cluster_threshold: float = 0.9, sample: float = 0.0
             ) -> dict[str, list[tuple[int, float]]]:
    """One strategy on one split: ``{curve: [(verdicts, auc), ...]}``.

    ``queue`` also returns the ``verdicts only`` curve and the number picked
    each round (``sizes``), which ``random`` then follows.
    """
    curves: dict[str, list[tuple[int, float]]] = {strategy: [(0, auc(old_model, test_pre,
                                                                      test_y))]}
    if strategy == "queue":
        curves["verdicts only"] = []
    picked_sizes: list[int] = []
    rng = np.random.default_rng(seed)
    labels = dict(zip(stream["text_hash"], stream["label"].astype(int), strict=True))
    policy = TierPolicy()
    model = old_model
    with tempfile.TemporaryDirectory() as tmp:
        store = FeedbackStore(Path(tmp) / "store")
        for r in range(rounds):
            reviewed = store.hashes()
            if strategy == "queue":
                p = model.predict_proba(stream_pre)[:, 1]
                scored = stream[["id", "text", "title"]].assign(vnm_score=p,
                                                               vnm_tier=policy.tiers(p))
                picks = build_queue(scored, budget, explore=explore, store=store, seed=seed,
                                    threshold=cluster_threshold, sample=sample)
            else:
                if sizes is not None and r >= len(sizes):
                    break  # the queue ran out of stream items
                size = int(sizes[r]) if sizes is not None else budget
                left = np.flatnonzero(~stream["text_hash"].isin(reviewed).to_numpy())
                chosen = rng.choice(left, size=min(size, len(left)), replace=False)
                picks = stream.iloc[np.sort(chosen)][["id", "text", "title"]]
            if not len(picks):
                break
            hashes = hex_hashes(text_keys(picks))
            picks = picks.assign(verdict=["misinformation" if labels[h] else "reliable"
                                          for h in hashes])
            if "vnm_queue_reason" in picks and (picks["vnm_queue_reason"] == "sample").any():
                drawn = picks["verdict"][picks["vnm_queue_reason"] == "sample"]
                log(f"  seed {seed} round {r}: the sample holds {(drawn == 'misinformation').sum()}"
                    f" misinformation of {len(drawn)} (the stream: "
                    f"{stream['label'].mean():.0%})")
            store.add(picks, reviewer="sim")
            picked_sizes.append(len(picks))
            fb = newest_verdicts(store.frame())[0]  # as retraining counts them
            fb_pre = cache.frame(fb["text"].tolist(), fb["text_hash"].tolist())
            fb_y = fb["label"].to_numpy(dtype=int)
            model = fit(old_pre, old_y, fb_pre, fb_y, weight)
            curves[strategy].append((len(fb), auc(model, test_pre, test_y)))
            if strategy == "queue":
                alone = fit(None, None, fb_pre, fb_y, weight)
                curves["verdicts only"].append((len(fb), auc(alone, test_pre, test_y)))
            log(f"  seed {seed} {strategy} w={weight:g}: {len(fb)} verdicts "
                f"({int(fb_y.sum())} misinformation), AUC {curves[strategy][-1][1]:.4f}"
                + (f", verdicts only {curves['verdicts only'][-1][1]:.4f}"
                   if strategy == "queue" else ""))
    if sizes is not None:
        sizes[:] = picked_sizes
    return curves


def run_seed(seed: int, *, old: pd.DataFrame, old_pre: pd.DataFrame, old_model: Detector,
             new: pd.DataFrame, cache: Preprocessed, args: argparse.Namespace,
             weights: list[float], random_weight: float | None = None,
             sizes: list[int] | None = None) -> dict[float, dict[str, list[tuple[int, float]]]]:
    """Queue curves for each of ``weights``, and the random curve with ``random_weight``.

    Random picks follow the queue's number of picks each round (``sizes``, or
    those of the queue run with ``random_weight``).
    """
    stream, test = split_parts(new, seed, args.test_size)
    log(f"seed {seed}: stream {len(stream)} rows ({stream['cluster'].nunique()} near-duplicate "
        f"clusters, {stream['label'].mean():.0%} misinformation), unseen test {len(test)} rows "
        f"({test['label'].mean():.0%} misinformation"
        + (f", outlets {', '.join(test['domain'].value_counts().index[:4])}...)"
           if test["domain"].astype(bool).any() else ")"))
    stream_pre, test_pre = cache.rows(stream), cache.rows(test)
    test_y = test["label"].to_numpy(dtype=int)
    old_y = old["label"].to_numpy(dtype=int)
    common = dict(old_model=old_model, old_pre=old_pre, old_y=old_y, stream=stream,
                  stream_pre=stream_pre, test_pre=test_pre, test_y=test_y, cache=cache,
                  rounds=args.rounds, budget=args.budget, explore=args.explore, seed=seed,
                  cluster_threshold=args.cluster_threshold, sample=args.sample)
    out: dict[float, dict[str, list[tuple[int, float]]]] = {}
    for w in weights:
        picked: list[int] = []
        out[w] = run_loop("queue", weight=w, sizes=picked, **common)
        if w == random_weight:
            sizes = picked
    if random_weight is not None:
        out.setdefault(random_weight, {}).update(
            run_loop("random", weight=random_weight, sizes=list(sizes or []), **common))
    return out


def ceiling(new: pd.DataFrame, *, old: pd.DataFrame, old_pre: pd.DataFrame,
            cache: Preprocessed, seeds: int, test_size: float, weight: float) -> str:
    """What the whole stream would give: the old world plus every stream row as a verdict.

    One fit per seed, on the same splits; returns a line with the mean ± std of ROC-AUC
    on the unseen rows, the stream's size, and the same with the stream's rows alone.
    """
    both, alone, sizes = [], [], []
    for seed in range(seeds):
        stream, test = split_parts(new, seed, test_size)
        stream_pre, test_pre = cache.rows(stream), cache.rows(test)
        test_y, stream_y = test["label"].to_numpy(dtype=int), stream["label"].to_numpy(dtype=int)
        both.append(auc(fit(old_pre, old["label"].to_numpy(dtype=int), stream_pre, stream_y,
                            weight), test_pre, test_y))
        alone.append(auc(fit(None, None, stream_pre, stream_y, weight), test_pre, test_y))
        sizes.append(len(stream))
        log(f"  ceiling, seed {seed}: {len(stream)} stream rows, AUC {both[-1]:.4f}, "
            f"stream alone {alone[-1]:.4f}")
    return (f"The whole stream as verdicts ({min(sizes)}–{max(sizes)} rows, weight {weight:g}): "
            f"{np.mean(both):.3f} ± {np.std(both):.3f} with the old world, "
            f"{np.mean(alone):.3f} ± {np.std(alone):.3f} alone.")


def choose_weight(per_weight: dict[float, list[dict[str, list[tuple[int, float]]]]],
                  budget: int) -> float:
    """The smallest weight within one spread of the best, from 2 rounds of verdicts on.

    Each seed's mean queue AUC from ``2 * budget`` verdicts on is compared with that of
    the weight with the best mean over seeds; a weight is within reach when its paired
    shortfall (mean over seeds) is no more than the shortfall's spread (std over seeds).
    The smallest such weight leans least on a few verdicts.
    """
    def late(curves: dict[str, list[tuple[int, float]]]) -> float:
        values = [a for n, a in curves["queue"] if n >= 2 * budget]
        return float(np.nanmean(values)) if values else np.nan

    seeds = {w: np.array([late(c) for c in runs]) for w, runs in per_weight.items()}
    best = max(seeds, key=lambda w: np.nanmean(seeds[w]))
    for w in sorted(seeds):
        gap = seeds[best] - seeds[w]
        if np.nanmean(gap) <= np.nanstd(gap):
            return w
    return best


def _by_round(curves: list[tuple[int, float]]) -> dict[int, float]:
    """``{round: auc}``; round r holds r rounds of verdicts."""
    return {r: a for r, (_, a) in enumerate(curves)}


def _cell(values: list[float], signed: bool = False) -> str:
    values = [v for v in values if not np.isnan(v)]
    if not values:
        return "–"
    return f"{np.mean(values):{'+' if signed else ''}.3f} ± {np.std(values):.3f}"


def weight_table(per_seed: list[dict[float, dict[str, list[tuple[int, float]]]]],
                 weights: list[float]) -> str:
    """Markdown: queue AUC of each weight by round, and its paired gain over the first."""
    base = weights[0]
    n_rounds = max(len(ps[base]["queue"]) for ps in per_seed)
    counts = [np.mean([ps[base]["queue"][r][0] for ps in per_seed
                       if r < len(ps[base]["queue"])]) for r in range(n_rounds)]
    lines = ["| weight | " + " | ".join(f"{c:.0f}" for c in counts) + " |",
             "|---|" + "---|" * n_rounds]
    for w in weights:
        cells = []
        for r in range(n_rounds):
            vals = [_by_round(ps[w]["queue"]).get(r, np.nan) for ps in per_seed]
            gain = [_by_round(ps[w]["queue"]).get(r, np.nan)
                    - _by_round(ps[base]["queue"]).get(r, np.nan) for ps in per_seed]
            cells.append(_cell(vals) + ("" if w == base or r == 0
                                        else f" ({_cell(gain, signed=True)})"))
        lines.append(f"| {w:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def paired_table(results: list[dict[str, list[tuple[int, float]]]]) -> str:
    """Markdown: by round, the queue's AUC minus random's and minus verdicts only's, paired."""
    n_rounds = max(len(res["queue"]) for res in results)
    lines = ["| verdicts | queue − random | queue − verdicts only |", "|---|---|---|"]
    for r in range(1, n_rounds):
        counts = [res["queue"][r][0] for res in results if r < len(res["queue"])]
        q = [_by_round(res["queue"]).get(r, np.nan) for res in results]
        rnd = [_by_round(res["random"]).get(r, np.nan) for res in results]
        alone = [_by_round([(0, np.nan)] + res["verdicts only"]).get(r, np.nan)
                 for res in results]
        lines.append(f"| {np.mean(counts):.0f} | "
                     f"{_cell([a - b for a, b in zip(q, rnd, strict=True)], signed=True)} | "
                     f"{_cell([a - b for a, b in zip(q, alone, strict=True)], signed=True)} |")
    return "\n".join(lines)


def table(results: list[dict[str, list[tuple[int, float]]]], old_aucs: list[float]) -> str:
    """Markdown table: round × strategy, mean ± std ROC-AUC over seeds."""
    n_rounds = max(len(res["queue"]) for res in results)
    lines = ["| verdicts | " + " | ".join(STRATEGIES) + " |",
             "|---|" + "---|" * len(STRATEGIES)]
    for r in range(n_rounds):
        counts = [res["queue"][r][0] for res in results if r < len(res["queue"])]
        label = (f"{counts[0]}" if len(set(counts)) == 1
                 else f"{np.mean(counts):.0f} ({min(counts)}–{max(counts)})")
        if len(counts) < len(results):
            label += f" [{len(counts)} of {len(results)} seeds]"
        cells = []
        for s in STRATEGIES:
            offset = 1 if s == "verdicts only" else 0
            vals = [res[s][r - offset][1] for res in results
                    if 0 <= r - offset < len(res[s])]
            cells.append(_cell(vals))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(f"\nOld model alone: {np.mean(old_aucs):.3f} ± {np.std(old_aucs):.3f}.")
    return "\n".join(lines)


def plot(results: list[dict[str, list[tuple[int, float]]]], old_aucs: list[float],
         path: Path, goal: float, world: str = "ReINTEL → VFND") -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.4))
    ax = fig.add_subplot()
    n_rounds = max(len(res["queue"]) for res in results)
    for s in STRATEGIES:
        xs, mean, lo, hi = [], [], [], []
        for r in range(n_rounds):
            pts = [res[s][r - (s == "verdicts only")] for res in results
                   if 0 <= r - (s == "verdicts only") < len(res[s])]
            vals = [a for _, a in pts if not np.isnan(a)]
            if not vals:
                continue
            xs.append(np.mean([n for n, _ in pts]))
            mean.append(np.mean(vals))
            lo.append(np.min(vals))
            hi.append(np.max(vals))
        ax.plot(xs, mean, marker="o", color=COLORS[s], label=s)
        ax.fill_between(xs, lo, hi, color=COLORS[s], alpha=0.15, linewidth=0)
    finish_plot(fig, ax, old_aucs, goal, path, "reviewer verdicts",
                f"Review loop: {world}, {len(results)} grouped splits (mean, min–max band)")


def finish_plot(fig: Any, ax: Any, old_aucs: list[float], goal: float, path: Path,
                xlabel: str, title: str) -> None:
    """The old model's mean and the goal as lines, the labels, and the PNG at ``path``."""
    ax.axhline(np.mean(old_aucs), color="grey", linestyle="--", label="old model alone")
    ax.axhline(goal, color="black", linestyle=":", linewidth=1, label=f"goal {goal:g}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("ROC-AUC on the new world's unseen rows")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def mix_table(mixed: dict[float, list[float]], gained: dict[float, list[float]],
              first: str = "share of the verdicts alone") -> str:
    """Markdown table of :func:`default_check`'s mixes (or public-row weightings, ``first``
    naming the column): AUC, and the gain over the retrained model, mean ± std over seeds."""
    lines = [f"| {first} | ROC-AUC, mean ± std | gain over the retrained model, "
             "paired |", "|---|---|---|"]
    lines += [f"| {share:g} | {_cell(mixed[share])} | {_cell(gained[share], signed=True)} |"
              for share in mixed]
    return "\n".join(lines)


def domain_odds(norm: pd.Series, is_verdict: np.ndarray) -> np.ndarray:
    """Each row's out-of-fold odds of being a verdict rather than a public row, scaled to a
    mean of 1 over the public rows: a logistic regression on TF-IDF 1-2-grams of the
    normalized text, 5 stratified folds.  Raised to a power, they weight the public rows
    that look like the team's posts up and the others down (covariate-shift weighting)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    X = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(norm)
    p = cross_val_predict(LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000),
                          X, is_verdict.astype(int), method="predict_proba",
                          cv=StratifiedKFold(5, shuffle=True, random_state=0))[:, 1]
    odds = p / (1 - p)
    return odds / odds[~is_verdict].mean()


def public_weights(odds: np.ndarray, is_verdict: np.ndarray, exponent: float) -> np.ndarray:
    """``odds ** exponent``, clipped to [0.05, 20] and scaled to a mean of 1 over the public
    rows (the caller gives the verdicts their own weight instead)."""
    weights = np.clip(odds ** exponent, 0.05, 20.0)
    return weights / weights[~is_verdict].mean()


def has_metadata(part: pd.DataFrame) -> bool:
    """Whether any row of ``part`` carries post metadata (:data:`METADATA`)."""
    return bool(part.reindex(columns=METADATA).notna().to_numpy().any())


def detector_input(part: pd.DataFrame, metadata: bool) -> pd.DataFrame:
    """New-world rows as the detector reads them: their ``joined`` text, with their post
    metadata when ``metadata`` (as a scored file holds them), or the text alone."""
    frame = pd.DataFrame({"text": part["joined"].to_numpy()})
    if metadata:
        frame[METADATA] = part[METADATA].to_numpy(dtype=float)
    return frame


def check_split(new: pd.DataFrame, seed: int, test_size: float, verdicts: int,
                template: Detector, metadata: bool = False
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """One split of the preset checks: the stream, the ``verdicts`` stream rows picked (one
    per near-duplicate cluster, in random order), those as feedback (``text``, ``time``,
    ``label``), and the unseen rows preprocessed by ``template`` with their labels.  With
    ``metadata``, the unseen rows keep their post metadata (:data:`METADATA`), as a scored
    file does; otherwise the model reads their text alone."""
    stream, test = split_parts(new, seed, test_size)
    picks = (stream.groupby("cluster").head(1).sample(frac=1.0, random_state=seed)
             .head(verdicts))
    feedback = pd.DataFrame({"text": picks["joined"].to_numpy(), "time": "",
                             "label": picks["label"].astype(int).to_numpy()})
    test_pre = template.preprocess(detector_input(test, metadata))
    return stream, picks, feedback, test_pre, test["label"].to_numpy(dtype=int)


def default_check(old: pd.DataFrame, new: pd.DataFrame, seeds: int,
                  configs: list[tuple[float, float]], test_size: float, verdicts: int,
                  mix: tuple[float, ...] = (), importance: tuple[float, ...] = (),
                  metadata: bool = False) -> str:
    """The shipped ``default`` preset on the same splits: the old world alone, the verdicts
    alone, then the old world with ``verdicts`` stream verdicts (one per near-duplicate
    cluster, in random order) at each ``(weight, own_scale)`` of ``configs``.  Markdown
    table of ROC-AUC on the unseen rows, and what the promotion gate (``vnmisinfo
    compare``) says of the library's default configuration (or the first) against the old
    world alone on those rows: the 95% interval of the gain and its verdict.  With ``mix``,
    also the retrained model (that configuration) mixed with the verdicts alone: the log-odds
    ``(1 - share) * retrained + share * alone`` for each share, as a second table.  With
    ``importance``, also that configuration with the public rows weighted by
    :func:`public_weights` at each exponent, as a third.  With ``metadata``, the unseen rows
    are scored with their post metadata (:func:`check_split`)."""
    from vnmisinfo.evaluation.compare import winner
    from vnmisinfo.evaluation.metrics import paired_auc_interval
    from vnmisinfo.evaluation.train import (
        FEEDBACK_SCALE,
        FEEDBACK_WEIGHT,
        make_detector,
        with_feedback,
    )

    library = (FEEDBACK_WEIGHT, FEEDBACK_SCALE)
    gated = library if library in configs else configs[0]
    verdict = {"new": "promote", "old": "keep the old", None: "no clear difference"}

    template = make_detector("default")
    old_pre = template.preprocess(old)
    head = "| seed | verdicts | old world alone | the verdicts alone | " + " | ".join(
        f"weight {w:g}, " + (f"own words {h:g}" if h else "shared only") for w, h in configs)
    head += (f" | gate: weight {gated[0]:g}, own words {gated[1]:g} against the old world, "
             "95% interval of the gain")
    lines = [head + " |", "|---|---|---|---|" + "---|" * (len(configs) + 1)]
    gains: dict[tuple[float, float], list[float]] = {c: [] for c in configs}
    mixed: dict[float, list[float]] = {share: [] for share in mix}
    gained: dict[float, list[float]] = {share: [] for share in mix}
    weighted: dict[float, list[float]] = {e: [] for e in importance}
    w_gained: dict[float, list[float]] = {e: [] for e in importance}
    for seed in range(seeds):
        _, _, feedback, test_pre, test_y = check_split(new, seed, test_size, verdicts, template,
                                                       metadata)
        base = make_detector("default").fit(old_pre, old["label"].to_numpy(dtype=int),
                                            groups=old["group"].to_numpy())
        p_old = base.predict_proba(test_pre)[:, 1]
        aucs = [float(roc_auc_score(test_y, p_old))]
        data, _, _ = with_feedback(old, feedback, 1.0, "sim", lambda m: None)
        data_pre = template.preprocess(data)
        is_verdict = (data["source"] == "feedback").to_numpy()
        gate = ""
        fb_pre = template.preprocess(feedback)
        alone = make_detector("default").fit(fb_pre, feedback["label"].to_numpy(dtype=int))
        p_alone = alone.predict_proba(test_pre)[:, 1]
        aucs.append(float(roc_auc_score(test_y, p_alone)))
        for w, h in configs:
            model = make_detector("default").set_params(own_scale=h).fit(
                data_pre, data["label"].to_numpy(dtype=int), groups=data["group"].to_numpy(),
                sample_weight=np.where(is_verdict, w, 1.0), own=is_verdict)
            p_new = model.predict_proba(test_pre)[:, 1]
            aucs.append(float(roc_auc_score(test_y, p_new)))
            gains[(w, h)].append(aucs[-1] - aucs[0])
            if (w, h) == gated:
                for share in mix:
                    mixed[share].append(float(roc_auc_score(
                        test_y, mix_log_odds(p_new, p_alone, share))))
                    gained[share].append(mixed[share][-1] - aucs[-1])
                odds = domain_odds(data_pre["norm"], is_verdict) if importance else np.ones(0)
                for e in importance:  # the odds are fitted only when asked for
                    refit = make_detector("default").set_params(own_scale=h).fit(
                        data_pre, data["label"].to_numpy(dtype=int),
                        groups=data["group"].to_numpy(), own=is_verdict,
                        sample_weight=np.where(is_verdict, w, public_weights(odds, is_verdict, e)))
                    weighted[e].append(float(roc_auc_score(
                        test_y, refit.predict_proba(test_pre)[:, 1])))
                    w_gained[e].append(weighted[e][-1] - aucs[-1])
                low, high = paired_auc_interval(test_y, p_old, p_new)
                gate = (f"{low:+.3f} to {high:+.3f}, {len(test_y)} rows: "
                        f"{verdict[winner(aucs[-1] - aucs[0], (low, high))]}")
        log(f"  default preset, seed {seed}: " + ", ".join(f"{a:.4f}" for a in aucs)
            + f"; gate {gate}")
        lines.append(f"| {seed} | {len(feedback)} | " + " | ".join(f"{a:.3f}" for a in aucs)
                     + f" | {gate} |")
    lines.append("| gain over the old world alone | | | | "
                 + " | ".join(_cell(gains[c], signed=True) for c in configs) + " | |")
    if mix:
        lines += ["", f"The model of weight {gated[0]:g}, own words {gated[1]:g}, mixed with the "
                  "verdicts alone (log-odds):", "", mix_table(mixed, gained)]
    if importance:
        lines += ["", f"The model of weight {gated[0]:g}, own words {gated[1]:g}, with the public "
                  "rows weighted by their odds of looking like the verdicts (domain_odds), "
                  "raised to a power:", "",
                  mix_table(weighted, w_gained, first="power of the odds")]
    return "\n".join(lines)


def log_odds(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, clipped away from 0 and 1."""
    return logit(np.clip(p, 1e-6, 1 - 1e-6))


def mix_log_odds(p: np.ndarray, q: np.ndarray, share: float) -> np.ndarray:
    """The mean of two models' log-odds, ``share`` of it the second's."""
    return (1 - share) * log_odds(p) + share * log_odds(q)


def retrained_default(old: pd.DataFrame, feedback: pd.DataFrame, template: Detector
                      ) -> Detector:
    """The shipped ``default`` preset fitted on the old world and ``feedback`` (``text``,
    ``time``, ``label``) as ``vnmisinfo train --feedback`` fits it: the library's verdict
    weights (:func:`~vnmisinfo.evaluation.train.with_feedback`) and the verdicts' own words."""
    from vnmisinfo.evaluation.train import (
        FEEDBACK_SCALE,
        FEEDBACK_WEIGHT,
        make_detector,
        with_feedback,
    )

    data, weights, _ = with_feedback(old, feedback, FEEDBACK_WEIGHT, "sim", lambda m: None)
    return make_detector("default").set_params(own_scale=FEEDBACK_SCALE).fit(
        template.preprocess(data), data["label"].to_numpy(dtype=int),
        groups=data["group"].to_numpy(), sample_weight=weights,
        own=(data["source"] == "feedback").to_numpy())


def curve_check(old: pd.DataFrame, new: pd.DataFrame, seeds: int, counts: list[int | None],
                test_size: float, goal: float, metadata: bool = False,
                path: Path | None = None, world: str = "") -> str:
    """How ROC-AUC grows with the number of verdicts: the shipped ``default`` preset retrained
    as ``vnmisinfo train --feedback`` does (the library's weight and own words) with the first
    ``n`` verdicts of each split for each ``n`` of ``counts`` (None: every stream cluster), on
    the first ``seeds`` splits of :func:`check_split`; the verdicts of a smaller count are
    among those of a larger one.  Markdown table of the mean ± std over splits of the
    retrained model and of the verdicts alone, then the gain per doubling of the verdicts (a
    least-squares line through the means against log2 of the counts) and the count at which
    that rate would reach ``goal``.  Learning curves flatten as they grow, so it would likely
    take more.  With
    ``path``, a PNG of the curves, on a log scale of verdicts."""
    from vnmisinfo.evaluation.train import make_detector

    template = make_detector("default")
    old_y = old["label"].to_numpy(dtype=int)
    base = make_detector("default").fit(template.preprocess(old), old_y,
                                        groups=old["group"].to_numpy())
    # res[k, seed]: the number of verdicts, the retrained model's AUC, the verdicts alone's
    res = np.zeros((len(counts), seeds, 3))
    old_aucs = []
    for seed in range(seeds):
        _, _, feedback, test_pre, test_y = check_split(new, seed, test_size, len(new),
                                                            template, metadata)
        old_aucs.append(float(roc_auc_score(test_y, base.predict_proba(test_pre)[:, 1])))
        for k, n in enumerate(counts):
            fb = feedback.head(n) if n is not None else feedback
            model = retrained_default(old, fb, template)
            alone = make_detector("default").fit(template.preprocess(fb),
                                                 fb["label"].to_numpy(dtype=int))
            res[k, seed] = (len(fb), roc_auc_score(test_y, model.predict_proba(test_pre)[:, 1]),
                            roc_auc_score(test_y, alone.predict_proba(test_pre)[:, 1]))
            log(f"  curve, seed {seed}: {len(fb)} verdicts, retrained {res[k, seed, 1]:.4f}, "
                f"alone {res[k, seed, 2]:.4f}")
    lines = ["| verdicts | retrained shipped preset | the verdicts alone |", "|---|---|---|",
             f"| 0 (old world alone) | {_cell(old_aucs)} | – |"]
    sizes, means = res[:, :, 0].mean(axis=1), res[:, :, 1].mean(axis=1)
    for per_seed in res:
        low, high = int(per_seed[:, 0].min()), int(per_seed[:, 0].max())
        lines.append(f"| {low if low == high else f'{low}–{high}'} | "
                     f"{_cell(list(per_seed[:, 1]))} | {_cell(list(per_seed[:, 2]))} |")
    text = "\n".join(lines)
    if len(counts) >= 2:
        rate = float(np.polyfit(np.log2(sizes), means, 1)[0])
        text += (f"\n\nGain per doubling of the verdicts, fitted to the means from "
                 f"{sizes[0]:.0f} to {sizes[-1]:.0f}: {rate:+.4f}. ")
        if means[-1] >= goal:
            text += f"The goal {goal:g} is reached."
        elif rate <= 0:
            text += f"At that rate the goal {goal:g} is never reached."
        else:
            need = sizes[-1] * 2 ** ((goal - means[-1]) / rate)
            text += (f"At that rate the goal {goal:g} would take {need:,.0f} verdicts, "
                     f"{need / sizes[-1]:,.0f} times the last count, if the curve kept that "
                     "rate; learning curves flatten as they grow, so likely more.")
    if path is not None:
        curve_plot(res, old_aucs, path, goal, world)
        text += f"\n\nPlot: {path}"
    return text


def parse_counts(parser: argparse.ArgumentParser, value: str) -> list[int | None]:
    """The verdict counts of ``--curve``: rising positive integers, ``all`` last."""
    items = [c.strip() for c in value.split(",") if c.strip()]
    try:
        counts = [None if c == "all" else int(c) for c in items]
    except ValueError:
        parser.error(f"--curve {value!r}: give rising numbers of verdicts, e.g. 50,100,200,all")
    numbers = [c for c in counts if c is not None]
    if (any(c <= 0 for c in numbers) or numbers != sorted(set(numbers))
            or None in counts[:-1]):
        parser.error(f"--curve {value!r}: the numbers must be positive and rising, with "
                     "'all' only last, e.g. 50,100,200,all")
    return counts


def curve_plot(res: np.ndarray, old_aucs: list[float], path: Path, goal: float,
               world: str) -> None:
    """The curves of :func:`curve_check` (``res[count, seed]``: verdicts, retrained AUC,
    the verdicts alone's AUC): mean and min–max band over splits, log scale."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.4))
    ax = fig.add_subplot()
    xs = res[:, :, 0].mean(axis=1)
    for col, label, color in ((1, "old world + verdicts (retrained)", "tab:blue"),
                              (2, "the verdicts alone", "tab:green")):
        ax.plot(xs, res[:, :, col].mean(axis=1), marker="o", color=color, label=label)
        ax.fill_between(xs, res[:, :, col].min(axis=1), res[:, :, col].max(axis=1),
                        color=color, alpha=0.15, linewidth=0)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [f"{x:.0f}" for x in xs])
    ax.minorticks_off()
    finish_plot(fig, ax, old_aucs, goal, path, "reviewer verdicts (log scale)",
                f"Shipped preset retrained: {world}\n{len(old_aucs)} grouped splits "
                "(mean, min–max band)")


def pseudo_labels(p: np.ndarray, share: float, prior: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows and labels of the most confident ``share`` of each class, taking the class shares
    from ``prior`` (the misinformation share of the verdicts): row indices, then 0/1 labels.

    >>> pseudo_labels(np.array([0.9, 0.1, 0.6, 0.2]), 0.5, 0.5)
    (array([0, 1]), array([1, 0]))
    """
    n_pos = int(round(share * prior * len(p)))
    n_neg = int(round(share * (1 - prior) * len(p)))
    order = np.argsort(-p, kind="stable")
    rows = np.r_[order[:n_pos], order[len(order) - n_neg:]]
    return rows, np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)]


def nearest_verdicts(verdict_text: pd.Series, verdict_y: np.ndarray, text: pd.Series,
                     k: int = 5) -> np.ndarray:
    """How much closer each text is to its ``k`` nearest misinformation verdicts than to its
    ``k`` nearest reliable ones (cosine of TF-IDF word 1-2-grams fitted on both)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(
        pd.concat([verdict_text, text]).str.lower())
    sim = (vectors[len(verdict_text):] @ vectors[:len(verdict_text)].T).toarray()
    near = [np.sort(sim[:, verdict_y == c], axis=1)[:, -k:].mean(axis=1) for c in (1, 0)]
    return near[0] - near[1]


def unreviewed_check(old: pd.DataFrame, new: pd.DataFrame, seeds: int, test_size: float,
                     verdicts: int, weight: float, own_scale: float, share: float = 0.5,
                     mix: float = 0.2) -> str:
    """Two more uses of what a team has besides its verdicts, on the preset-check splits.

    Self-training: the retrained ``default`` preset labels the stream posts nobody
    reviewed; the most confident ``share`` of each class joins the verdicts (weight 1, with
    the verdicts' own words) and the preset is fitted again.  Nearest verdicts: the
    retrained model's standardized log-odds plus ``mix`` times the standardized
    :func:`nearest_verdicts` score.  Markdown table of ROC-AUC on the unseen rows, and the
    paired gains."""
    from vnmisinfo.evaluation.train import make_detector, with_feedback

    template = make_detector("default")
    lines = ["| seed | unreviewed stream posts | retrained | self-trained | pseudo-labels right "
             "| with the nearest verdicts |", "|---|---|---|---|---|---|"]
    aucs: list[list[float]] = []
    for seed in range(seeds):
        stream, picks, feedback, test_pre, test_y = check_split(new, seed, test_size,
                                                                verdicts, template)
        # the library's weights: verdicts among near-copies judged both ways weigh one
        data, weights, _ = with_feedback(old, feedback, weight, "sim", lambda m: None)
        data_pre = template.preprocess(data)
        is_verdict, y = (data["source"] == "feedback").to_numpy(), data["label"].to_numpy()
        groups = data["group"].to_numpy()
        model = make_detector("default").set_params(own_scale=own_scale).fit(
            data_pre, y, groups=groups, sample_weight=weights, own=is_verdict)
        p_new = model.predict_proba(test_pre)[:, 1]
        rest = stream[~stream["text_hash"].isin(picks["text_hash"])]
        rest_pre = template.preprocess(pd.DataFrame({"text": rest["joined"].to_numpy()}))
        rows, pseudo = pseudo_labels(model.predict_proba(rest_pre)[:, 1], share,
                                     float(feedback["label"].mean()))
        self_trained = make_detector("default").set_params(own_scale=own_scale).fit(
            pd.concat([data_pre, rest_pre.iloc[rows]], ignore_index=True), np.r_[y, pseudo],
            groups=np.r_[groups, groups.max() + 1 + np.arange(len(rows))],
            sample_weight=np.r_[weights, np.ones(len(rows))],
            own=np.r_[is_verdict, np.ones(len(rows), dtype=bool)])
        odds = log_odds(p_new)
        near = nearest_verdicts(data_pre["norm"][is_verdict], y[is_verdict], test_pre["norm"])
        mixed = ((odds - odds.mean()) / odds.std()
                 + mix * (near - near.mean()) / near.std())
        right = float(np.mean(rest["label"].to_numpy()[rows] == pseudo))
        aucs.append([float(roc_auc_score(test_y, s)) for s in
                     (p_new, self_trained.predict_proba(test_pre)[:, 1], mixed)])
        log(f"  unreviewed posts, seed {seed}: " + ", ".join(f"{a:.4f}" for a in aucs[-1]))
        lines.append(f"| {seed} | {len(rest)} | {aucs[-1][0]:.3f} | {aucs[-1][1]:.3f} | "
                     f"{right:.1%} of {len(rows)} | {aucs[-1][2]:.3f} |")
    a = np.array(aucs)
    lines.append(f"| gain over the retrained preset | | | {_cell(list(a[:, 1] - a[:, 0]), True)} "
                 f"| | {_cell(list(a[:, 2] - a[:, 0]), True)} |")
    return "\n".join(lines)


def within_check(new: pd.DataFrame, folds: int, seed: int = 0) -> str:
    """The shipped ``default`` preset fitted on the new world alone: grouped, stratified
    ``folds``-fold CV over all its rows (split groups kept whole), several times more
    labelled rows per fold than a stream gives verdicts.  What a model of this kind can
    learn of the new world at most, whatever the verdicts.  Markdown table of ROC-AUC per
    fold and its mean ± std over the folds (not pooled out of fold: VFND's outlets carry one
    label each, so its folds' scores are not on one scale), of the text alone and, when the
    new world has post metadata, with it."""
    from sklearn.model_selection import StratifiedGroupKFold

    from vnmisinfo.evaluation.train import make_detector

    template = make_detector("default")
    y, groups = new["label"].to_numpy(dtype=int), new["split_group"].to_numpy()
    has_meta = has_metadata(new)
    text = detector_input(new, False)
    pre_text, pre_meta = template.preprocess(text), template.preprocess(
        detector_input(new, has_meta))
    lines = ["| fold | training rows | unseen rows | text alone | with post metadata |",
             "|---|---|---|---|---|"]
    aucs: list[list[float]] = []
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (train, test) in enumerate(splitter.split(text, y, groups)):
        model = make_detector("default").fit(pre_meta.iloc[train], y[train],
                                             groups=groups[train])
        aucs.append([float(roc_auc_score(y[test], model.predict_proba(pre.iloc[test])[:, 1]))
                     for pre in (pre_text, pre_meta)])
        log(f"  within the new world, fold {k}: " + ", ".join(f"{a:.4f}" for a in aucs[-1]))
        lines.append(f"| {k} | {len(train)} | {len(test)} | {aucs[-1][0]:.3f} | "
                     + (f"{aucs[-1][1]:.3f} |" if has_meta else "none |"))
    a = np.array(aucs)  # folds are scored apart: each fold's model is calibrated on its own
    lines.append(f"| mean over folds | | | {_cell(list(a[:, 0]))} | "
                 + (f"{_cell(list(a[:, 1]))} |" if has_meta else "none |"))
    return "\n".join(lines)


def timing_sample(new: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` new-world rows whose verdicts the retraining time is measured with."""
    return new.sample(n=min(n, len(new)), random_state=0)


def write_store(new: pd.DataFrame, n: int, path: Path) -> int:
    """Store the verdicts of :func:`timing_sample` in a feedback store at ``path``, so that
    the whole command can be timed with them (``vnmisinfo train --feedback PATH``)."""
    rows = timing_sample(new, n)
    reviewed = pd.DataFrame({"text": rows["joined"].to_numpy(), "verdict": [
        "misinformation" if y else "reliable" for y in rows["label"].astype(int)]})
    return FeedbackStore(path).add(reviewed, reviewer="simulation").added


def time_default(root: Path, new: pd.DataFrame, n: int) -> float:
    """Seconds of one ``train_preset("default")`` run with ``n`` verdicts, without CV."""
    from vnmisinfo.evaluation.train import train_preset

    rows = timing_sample(new, n)
    feedback = pd.DataFrame({"text": rows["joined"].to_numpy(),
                             "label": rows["label"].astype(int).to_numpy(),
                             "time": "2024-01-01T00:00:00+00:00"})
    start = time.perf_counter()
    train_preset("default", data_dir=root, cv=0, feedback=feedback, output=None,
                 with_narratives=False, log=log)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/corpora")
    parser.add_argument("--seeds", type=int, default=5, help="grouped splits (0: no simulation)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=50, help="verdicts per round")
    parser.add_argument("--explore", type=float, default=0.3)
    parser.add_argument("--sample", type=float, default=0.0,
                        help="the queue's share drawn at random from all the clusters not yet "
                             "reviewed, as vnmisinfo queue --sample (default: 0)")
    parser.add_argument("--cluster-threshold", type=float, default=0.9,
                        help="the queue's near-duplicate cosine threshold (default: 0.9, "
                             "as vnmisinfo queue)")
    parser.add_argument("--world", choices=("vfnd", "time"), default="vfnd",
                        help="the new world: VFND articles (default), or ReINTEL's later "
                        "posts (time)")
    parser.add_argument("--time-cut", type=float, default=0.6,
                        help="with --world time, the share of dated posts in the old world")
    parser.add_argument("--test-size", type=float, default=0.4)
    parser.add_argument("--weights", default="10,30,100,300",
                        help="verdict weights compared on every seed")
    parser.add_argument("--weight", type=float, default=None,
                        help="use this verdict weight and skip the comparison")
    parser.add_argument("--own-scale", type=float, default=0.0,
                        help="scale of the verdicts' own copy of their features, which gives "
                        "them weights of their own (default: 0, none; vnmisinfo train "
                        "--feedback uses 1, whose effect docs/results.md shows with "
                        "--own-scale 1)")
    parser.add_argument("--preset", choices=sorted(PRESETS), default=None,
                        help="the detector refitted every round: this preset as vnmisinfo "
                        "train builds it, e.g. default, the shipped one (default: the plain "
                        "preset with 3 calibration folds, which is faster)")
    parser.add_argument("--goal", type=float, default=0.92)
    parser.add_argument("--plot", default=None,
                        help="PNG of the curves (default: docs/img/review_loop.png, "
                        "docs/img/review_loop_time.png with --world time)")
    parser.add_argument("--default-check", type=int, default=0, metavar="SEEDS",
                        help="also fit the shipped default preset on the first SEEDS splits, "
                        "with --check-verdicts verdicts at the library's default weight, "
                        "without and with the verdicts' own words, and at weight 10")
    parser.add_argument("--check-verdicts", type=int, default=150,
                        help="verdicts in the default-preset check (default: 150)")
    parser.add_argument("--check-configs", default=None, metavar="W:S,...",
                        help="the default-preset check's (verdict weight, own-feature scale) "
                        "pairs, e.g. 30:1,30:2 (default: the library's weight without and "
                        "with own words, and 10 with them)")
    parser.add_argument("--mix", default="", metavar="SHARES",
                        help="with --default-check: also mix the retrained model with the "
                        "verdicts alone, at these shares of the latter (log-odds), e.g. "
                        "0.1,0.2,0.3")
    parser.add_argument("--importance", default="", metavar="POWERS",
                        help="with --default-check: also weight the public rows by their odds "
                        "of looking like the verdicts, raised to these powers, e.g. 0.5,1")
    parser.add_argument("--unreviewed", type=int, default=0, metavar="SEEDS",
                        help="also try, on the first SEEDS splits with --check-verdicts "
                        "verdicts, self-training on the stream posts nobody reviewed and a mix "
                        "with the nearest verdicts (the library's weight and own words)")
    parser.add_argument("--check-metadata", action="store_true",
                        help="with --default-check: score the unseen rows with their post "
                        "metadata (likes, comments, shares, time), as vnmisinfo score does "
                        "(--world time; VFND's articles have none)")
    parser.add_argument("--curve", default="", metavar="COUNTS",
                        help="also retrain the shipped default preset as vnmisinfo train "
                        "--feedback does with each of these numbers of verdicts, rising (all: "
                        "one per stream cluster), e.g. 50,100,200,400,all, on the splits of "
                        "--default-check: the learning curve, and what the goal would take")
    parser.add_argument("--curve-seeds", type=int, default=5, metavar="SEEDS",
                        help="with --curve: the number of splits (default: 5)")
    parser.add_argument("--curve-plot", type=Path, default=None, metavar="PNG",
                        help="with --curve: the curves as a PNG")
    parser.add_argument("--within", type=int, default=0, metavar="FOLDS",
                        help="also fit the shipped default preset on the new world alone, "
                        "grouped FOLDS-fold CV: the most such a model learns of that world")
    parser.add_argument("--ceiling", action="store_true",
                        help="also fit, on every seed, the old world plus the whole stream as "
                        "verdicts (the most a team could review) at the chosen weight")
    parser.add_argument("--time-default", action="store_true",
                        help="also time one retrain of the default preset with 200 verdicts")
    parser.add_argument("--write-store", type=Path, default=None, metavar="DIR",
                        help="also store those 200 verdicts in a feedback store at DIR, to time "
                        "the whole command: time vnmisinfo train --preset default --data-dir "
                        "../shared/corpora --feedback DIR --cv 0 -o retrained.skops")
    args = parser.parse_args(argv)
    counts = parse_counts(parser, args.curve)
    if args.preset is not None:  # the preset as vnmisinfo train builds it, on every core
        SIM_PARAMS.clear()
        SIM_PARAMS.update({"n_jobs": -1, **PRESETS[args.preset]})
    SIM_PARAMS["own_scale"] = args.own_scale
    root = Path(args.data_dir)
    start = time.perf_counter()
    old, new = load_worlds(root, args.world, args.time_cut)
    name, title, default_plot, old_name = WORLDS[args.world]
    if args.check_metadata and not has_metadata(new):
        parser.error(f"--check-metadata: the new world ({name}) has no post metadata to score "
                     "with; use it with --world time.")
    args.plot = args.plot or default_plot
    log(f"old world (ReINTEL): {len(old)} rows; new world ({name}): {len(new)} rows, "
        f"{new['cluster'].nunique()} near-duplicate clusters, "
        f"{new['split_group'].nunique()} split groups")
    print(f"Command: `python {' '.join(shlex.quote(a) for a in sys.argv)}`\n")
    if args.seeds > 0:
        print(f"Detector refitted each round: `Detector(**{SIM_PARAMS})`\n")
        cache = Preprocessed(Detector(**SIM_PARAMS))
        old_pre = Detector(**SIM_PARAMS).preprocess(old)
        old_model = Detector(**SIM_PARAMS).fit(old_pre, old["label"].to_numpy(dtype=int),
                                               groups=old["group"].to_numpy())
        log(f"old model fitted ({time.perf_counter() - start:.0f} s)")
        common = dict(old=old, old_pre=old_pre, old_model=old_model, new=new, cache=cache,
                      args=args)
        weights = ([float(w) for w in args.weights.split(",")] if args.weight is None
                   else [args.weight])
        per_seed = [run_seed(seed, weights=weights, **common) for seed in range(args.seeds)]
        chosen = weights[0]
        if len(weights) > 1:
            chosen = choose_weight({w: [ps[w] for ps in per_seed] for w in weights},
                                   args.budget)
            print("Weight check (queue strategy, every seed; ROC-AUC on the unseen rows, "
                  f"mean ± std over seeds, then the paired difference from weight "
                  f"{weights[0]:g}):\n")
            print(weight_table(per_seed, weights))
            print(f"\nChosen weight: {chosen:g} (the smallest whose mean AUC from "
                  f"{2 * args.budget} verdicts on is within one spread of the best, "
                  "paired by seed)\n", flush=True)
        results = []
        for seed, ps in enumerate(per_seed):
            sizes = list(np.diff([n for n, _ in ps[chosen]["queue"]]))
            ps[chosen].update(run_seed(seed, weights=[], random_weight=chosen, sizes=sizes,
                                       **common)[chosen])
            results.append(ps[chosen])
        old_aucs = [res["queue"][0][1] for res in results]
        print(f"ROC-AUC on the new world's unseen rows, mean ± std over {args.seeds} seeds "
              f"(verdict weight {chosen:g}, {args.budget} per round, explore "
              f"{args.explore:g}" + (f", sample {args.sample:g}" if args.sample else "")
              + "):\n")
        print(table(results, old_aucs))
        print("\nPaired: the queue's AUC minus each other strategy's, seed by seed "
              "(mean ± std over seeds):\n")
        print(paired_table(results))
        if args.ceiling:
            print("\n" + ceiling(new, old=old, old_pre=old_pre, cache=cache, seeds=args.seeds,
                                 test_size=args.test_size, weight=chosen))
        if args.rounds > 0:  # no rounds, no curves: the committed plot is left as it is
            plot(results, old_aucs, Path(args.plot), args.goal, title)
            print(f"\nPlot: {args.plot}")
        print(f"Simulation time: {time.perf_counter() - start:.0f} s", flush=True)
    if args.default_check > 0:
        print(f"\nThe shipped default preset on the first {args.default_check} splits "
              f"(ROC-AUC on the unseen rows; old world: {old_name} only):\n")
        from vnmisinfo.evaluation.train import FEEDBACK_WEIGHT

        configs = ([(FEEDBACK_WEIGHT, 0.0), (FEEDBACK_WEIGHT, 1.0), (10.0, 1.0)]
                   if not args.check_configs else
                   [(float(w), float(h)) for w, h in
                    (pair.split(":") for pair in args.check_configs.split(","))])
        mix = tuple(float(share) for share in args.mix.split(",") if share.strip())
        importance = tuple(float(e) for e in args.importance.split(",") if e.strip())
        print(default_check(old, new, args.default_check, configs, args.test_size,
                            args.check_verdicts, mix, importance, args.check_metadata),
              flush=True)
    if args.curve:
        print(f"\nThe shipped default preset retrained with more and more verdicts, on the "
              f"first {args.curve_seeds} splits (ROC-AUC on the unseen rows):\n")
        print(curve_check(old, new, args.curve_seeds, counts, args.test_size, args.goal,
                          args.check_metadata, args.curve_plot, title), flush=True)
    if args.unreviewed > 0:
        from vnmisinfo.evaluation.train import FEEDBACK_SCALE, FEEDBACK_WEIGHT

        print(f"\nThe shipped default preset, retrained with {args.check_verdicts} verdicts, "
              "then self-trained on the unreviewed stream posts, or mixed with the nearest "
              "verdicts (ROC-AUC on the unseen rows):\n")
        print(unreviewed_check(old, new, args.unreviewed, args.test_size, args.check_verdicts,
                               FEEDBACK_WEIGHT, FEEDBACK_SCALE), flush=True)
    if args.within > 0:
        print(f"\nThe shipped default preset fitted on the new world alone, grouped "
              f"{args.within}-fold CV (ROC-AUC):\n")
        print(within_check(new, args.within), flush=True)
    if args.write_store is not None:
        added = write_store(new, 200, args.write_store)
        print(f"\n{added} verdicts stored in {args.write_store}")
    if args.time_default:
        seconds = time_default(root, new, 200)
        print(f"\nOne retrain of the default preset with 200 verdicts (cv=0, no narratives): "
              f"{seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
