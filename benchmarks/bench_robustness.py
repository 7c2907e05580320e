"""Robustness benchmark: grouped K-fold ROC-AUC on clean and perturbed test folds.

Protocol: ReINTEL train + warm-up, deduplicated on normalized text
(``load_training_set(include_vfnd=False)``), ``StratifiedGroupKFold`` grouped
by normalized text with the same seed as ``vnmisinfo train``.  Each fold's
model is fitted ONCE on clean training rows and then scores the clean test
fold and every perturbed copy of it (:mod:`perturb`).  A perturbed copy is
built from the raw columns (``text``, ``title`` and the metadata): the raw
text is perturbed and the detector normalizes and segments it itself, exactly
as it would a user's input.  Perturbing every row once and keeping only the
test rows of each fold is the same as perturbing each test fold, since every
row is tested exactly once, and it segments each perturbed text only once.

Run from the project root::

    .venv/bin/python benchmarks/bench_robustness.py --compare --options 0.3,0.5

``--text-alone`` scores the test rows without their metadata (fitted on rows with it), as
pasted texts and news articles are scored: by the text-only models where the preset has them.
``--compare`` adds the plain baseline (word channel only, evasion
normalization off) for a before/after view; ``--options`` measures the
diacritics-robustness choices: (a) the accent-free channel, (b) training-time
augmentation with the given shares, (c) both, and neither.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detector_settings import add_set_option, detector_settings  # noqa: E402
from perturb import PERTURBATIONS, perturb_many  # noqa: E402

from vnmisinfo.data.corpora import load_training_set  # noqa: E402
from vnmisinfo.data.schema import FRAME_COLUMNS, joined_text  # noqa: E402
from vnmisinfo.evaluation.train import PRESETS, make_detector, without_metadata  # noqa: E402
from vnmisinfo.model.detector import Detector  # noqa: E402
from vnmisinfo.text.normalize import normalize_text  # noqa: E402
from vnmisinfo.text.tokenize import accent_free, segment_many, syllables  # noqa: E402

#: Largest ROC-AUC loss accepted per perturbation (None: reported, no goal).
GOALS: dict[str, float | None] = {
    "no_diacritics": 0.01,
    "zero_width": 0.005,
    "homoglyphs": 0.005,
    "fancy_letters": 0.005,
    "leetspeak": 0.005,
    "spaced_letters": None,
    "teencode": None,
    "lower_no_punct": 0.01,
    "typos": None,
}
Preprocess = Callable[[pd.DataFrame], pd.DataFrame]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def plain_preprocess(frame: pd.DataFrame) -> pd.DataFrame:
    """The Preprocessor's views with evasion normalization off (the baseline)."""
    out = frame.copy()
    norm = [normalize_text(joined_text(t, ti), evasion=False)
            for t, ti in zip(out["text"], out["title"], strict=True)]
    out["norm"] = norm
    out["syll"] = [syllables(t) for t in norm]
    out["words"] = segment_many(norm)
    out["plain"] = [accent_free(t) for t in norm]
    return out


def perturbed_raw(raw: pd.DataFrame, name: str, seed: int) -> pd.DataFrame:
    """A copy of the raw frame (no token views) with text and title perturbed."""
    out = raw.copy()
    out["text"] = perturb_many(name, out["text"], seed=seed)
    out["title"] = perturb_many(name, out["title"], seed=seed)
    return out


def views(raw: pd.DataFrame, preprocess: Preprocess, names: list[str], seed: int
          ) -> dict[str, pd.DataFrame]:
    """Clean and perturbed frames, each preprocessed once."""
    out = {}
    for name in ["clean", *names]:
        t0 = time.perf_counter()
        frame = raw if name == "clean" else perturbed_raw(raw, name, seed)
        assert "norm" not in frame.columns  # the detector must normalize and segment it
        out[name] = preprocess(frame)
        log(f"  preprocessed {name:<15} {time.perf_counter() - t0:6.1f} s")
    return out


def evaluate(det: Detector, frames: dict[str, pd.DataFrame], y: np.ndarray, groups: np.ndarray,
             splits: list[tuple[np.ndarray, np.ndarray]], label: str,
             text_alone: bool = False) -> dict[str, list[float]]:
    """Per-fold ROC-AUC of each view; one fit per fold (on rows with their metadata).

    With ``text_alone``, the test rows are scored without their metadata.
    """
    aucs: dict[str, list[float]] = {name: [] for name in frames}
    clean = frames["clean"]
    for k, (train, test) in enumerate(splits):
        t0 = time.perf_counter()
        model = clone(det).fit(clean.iloc[train], y[train], groups=groups[train])
        fit_s = time.perf_counter() - t0
        for name, frame in frames.items():
            rows = without_metadata(frame.iloc[test]) if text_alone else frame.iloc[test]
            proba = model.predict_proba(rows)[:, 1]
            aucs[name].append(float(roc_auc_score(y[test], proba)))
        log(f"  {label} fold {k + 1}: fit {fit_s:5.1f} s, clean AUC {aucs['clean'][-1]:.4f}, "
            f"no-diacritics {aucs.get('no_diacritics', [float('nan')])[-1]:.4f}")
    return aucs


def _m(v: list[float]) -> float:
    return float(np.mean(v))


def main_table(aucs: dict[str, list[float]], baseline: dict[str, list[float]] | None) -> str:
    clean = _m(aucs["clean"])
    rows = ["| perturbation | ROC-AUC (mean ± std) | loss vs clean | goal | met? |",
            "|---|---|---|---|---|"]
    for name, values in aucs.items():
        loss = clean - _m(values)
        if name == "clean":
            if baseline is not None:
                gap = _m(baseline["clean"]) - clean
                goal, met = "no loss vs baseline", "yes" if gap <= 0 else f"no ({gap:+.4f})"
            else:
                goal, met = "no loss vs baseline", "not measured (use --compare)"
        else:
            limit = GOALS.get(name)
            goal = f"≤ {limit}" if limit is not None else "—"
            met = "—" if limit is None else ("yes" if loss <= limit else "no")
        rows.append(f"| {name} | {_m(values):.4f} ± {np.std(values):.4f} | {loss:+.4f} | "
                    f"{goal} | {met} |")
    return "\n".join(rows)


def compare_table(aucs: dict[str, list[float]], baseline: dict[str, list[float]],
                  preset: str) -> str:
    rows = [f"| perturbation | baseline AUC | baseline loss | `{preset}` AUC | `{preset}` loss |",
            "|---|---|---|---|---|"]
    bc, pc = _m(baseline["clean"]), _m(aucs["clean"])
    for name in aucs:
        b, p = _m(baseline[name]), _m(aucs[name])
        rows.append(f"| {name} | {b:.4f} | {bc - b:+.4f} | {p:.4f} | {pc - p:+.4f} |")
    return "\n".join(rows)


def options_table(results: dict[str, tuple[Detector, dict[str, list[float]], float]]) -> str:
    rows = ["| option | channels | augment_no_diacritics | clean AUC | no-diacritics AUC | "
            "loss | ≤ 0.01? | zero-width loss | homoglyph loss | fit s/fold |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for label, (det, aucs, fit_s) in results.items():
        c = _m(aucs["clean"])
        nd = _m(aucs["no_diacritics"])
        zw = c - _m(aucs["zero_width"]) if "zero_width" in aucs else float("nan")
        hg = c - _m(aucs["homoglyphs"]) if "homoglyphs" in aucs else float("nan")
        rows.append(
            f"| {label} | {'+'.join(det.channels)} | {det.augment_no_diacritics} | {c:.4f} | "
            f"{nd:.4f} | {c - nd:+.4f} | {'yes' if c - nd <= 0.01 else 'no'} | {zw:+.4f} | "
            f"{hg:+.4f} | {'main run' if np.isnan(fit_s) else f'{fit_s:.1f}'} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--preset", default="default", choices=sorted(PRESETS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data-dir", default="../shared/corpora")
    parser.add_argument("--seed", type=int, default=0, help="perturbation seed")
    parser.add_argument("--compare", action="store_true",
                        help="also report the plain baseline (words only, evasion off)")
    parser.add_argument("--options", default=None,
                        help="comma-separated augmentation shares: also compare the "
                             "diacritics options (accent-free channel / augmentation / both)")
    parser.add_argument("--perturbations", default=",".join(PERTURBATIONS))
    parser.add_argument("--output", type=Path, default=None, help="also write the tables here")
    parser.add_argument("--limit", type=int, default=None,
                        help="use a random sample of this many documents (quick runs)")
    parser.add_argument("--text-alone", action="store_true",
                        help="score the test rows without their metadata (as pasted texts "
                             "and articles are), after fitting on rows with it")
    add_set_option(parser)
    args = parser.parse_args(argv)
    overrides = detector_settings(parser, args.set)

    def flush(lines: list[str]) -> None:
        if args.output is not None:
            args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")

    names = [n for n in args.perturbations.split(",") if n]
    unknown = sorted(set(names) - set(PERTURBATIONS))
    if unknown:
        parser.error(f"unknown perturbation(s) {unknown}; choose from {list(PERTURBATIONS)}")
    t_start = time.perf_counter()
    data = load_training_set(args.data_dir, include_vfnd=False)
    if args.limit is not None and args.limit < len(data):
        data = data.sample(n=args.limit, random_state=0).reset_index(drop=True)
    raw = data[list(FRAME_COLUMNS)].reset_index(drop=True)
    y = data["label"].to_numpy(dtype=int)
    groups = data["group"].to_numpy()
    log(f"{len(raw)} ReINTEL documents after deduplication, {int(y.sum())} unreliable")
    splitter = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
    splits = list(splitter.split(raw, y, groups=groups))

    det = make_detector(args.preset, **overrides)
    log("preprocessing with the detector's own preprocess:")
    frames = views(raw, det.preprocess, names, args.seed)
    aucs = evaluate(det, frames, y, groups, splits, args.preset, args.text_alone)

    flush([main_table(aucs, None)])
    baseline = None
    if args.compare:
        log("preprocessing for the baseline (evasion off):")
        base_frames = views(raw, plain_preprocess, names, args.seed)
        base_det = Detector(channels=("words",), random_state=0)
        baseline = evaluate(base_det, base_frames, y, groups, splits, "baseline")

    out = [f"### Robustness of preset `{args.preset}` "
           f"(grouped {args.folds}-fold CV, ReINTEL train+warmup, n={len(raw)}"
           f"{', test rows without their metadata' if args.text_alone else ''})", "",
           main_table(aucs, baseline)]
    if baseline is not None:
        out += ["", "### Before/after: baseline (words channel, evasion normalization off) "
                f"vs `{args.preset}`", "", compare_table(aucs, baseline, args.preset)]

    if args.options:
        shares = [float(s) for s in args.options.split(",") if s]
        params = dict(PRESETS[args.preset])
        with_af = tuple(params["channels"]) if "accent_free" in params["channels"] else (
            *params["channels"], "accent_free")
        without_af = tuple(c for c in with_af if c != "accent_free")
        variants: dict[str, Detector] = {
            "none": make_detector(args.preset, channels=without_af),
            "(a) accent-free channel": make_detector(args.preset, channels=with_af),
        }
        for s in shares:
            variants[f"(b) augmentation {s}"] = make_detector(
                args.preset, channels=without_af, augment_no_diacritics=s)
        for s in shares:
            variants[f"(c) both, {s}"] = make_detector(
                args.preset, channels=with_af, augment_no_diacritics=s)
        results: dict[str, tuple[Detector, dict[str, list[float]], float]] = {}
        for label, variant in variants.items():
            if variant.get_params() == det.get_params():
                results[label] = (variant, aucs, float("nan"))
                continue
            t0 = time.perf_counter()
            res = evaluate(variant, frames, y, groups, splits, label)
            results[label] = (variant, res, (time.perf_counter() - t0) / args.folds)
            out_now = [*out, "", "### Diacritics robustness options", "",
                       options_table(results)]
            flush(out_now)
        out += ["", "### Diacritics robustness options", "", options_table(results)]

    flush(out)
    out += ["", f"_total runtime {time.perf_counter() - t_start:.0f} s; command: "
            f"`.venv/bin/python benchmarks/bench_robustness.py "
            f"{' '.join(argv if argv is not None else sys.argv[1:])}`_"]
    text = "\n".join(out)
    print(text)
    if args.output is not None:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
