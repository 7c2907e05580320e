"""Training: presets, grouped cross-validation, and the shipped default model.

``vnmisinfo train --preset default`` rebuilds ``models/default.skops`` from
the public corpora.  Every step is seeded, so the same data and versions give
the same model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold

from .corpora import default_data_dir, load_training_set
from .detector import Detector
from .features import META_COLUMNS
from .metrics import summary
from .persist import save_model

__all__ = [
    "PRESETS",
    "cross_validate",
    "cross_validate_variants",
    "make_detector",
    "train_preset",
    "without_metadata",
    "write_model_card",
]

#: Named configurations.  ``default`` is the shipped model; see the README's ablation.
PRESETS: dict[str, dict[str, Any]] = {
    # Everything not named here takes the Detector's defaults (word 1-2-grams, char 1-5-grams
    # across word boundaries, min_df=2, max_df=0.9, LogisticRegression C=16, sigmoid).
    "default": {"channels": ("words", "chars", "accent_free", "meta")},
    "text": {"channels": ("words", "chars", "accent_free")},
    "fast": {"channels": ("syllables", "chars", "accent_free", "meta")},
    "plain": {"channels": ("syllables",), "C": 4.0},
}


def make_detector(preset: str = "default", **overrides: Any) -> Detector:
    """A fresh detector for a named preset, with optional parameter overrides.

    Examples
    --------
    >>> make_detector("fast").channels
    ('syllables', 'chars', 'accent_free', 'meta')
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}.")
    return Detector(**{**PRESETS[preset], **overrides})


def cross_validate(
    detector: Detector,
    frame: pd.DataFrame,
    y: Any,
    groups: Any,
    *,
    n_splits: int = 5,
    n_jobs: int = 1,
    random_state: int = 0,
    transform_test: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Grouped, stratified K-fold out-of-fold probabilities and per-fold metrics.

    No group (duplicate texts, or an outlet when groups are domains) is ever
    split across a training and a test fold.

    Parameters
    ----------
    detector : Detector
        Unfitted template; cloned per fold.
    frame : DataFrame
        Documents, ideally already preprocessed with ``detector.preprocess``.
    y, groups : array-like
        Labels and group ids.
    n_splits, n_jobs, random_state : int
        Folds, parallel fold fits and the fold seed.
    transform_test : callable, optional
        Applied to each test fold only (robustness benchmarks perturb it).

    Returns
    -------
    oof : ndarray
        Out-of-fold probability for every row.
    folds : list of dict
        :func:`vnmisinfo.metrics.summary` of each fold.
    """
    variants = {"": transform_test}
    results = cross_validate_variants(detector, frame, y, groups, variants, n_splits=n_splits,
                                      n_jobs=n_jobs, random_state=random_state)
    return results[""]


def cross_validate_variants(
    detector: Detector,
    frame: pd.DataFrame,
    y: Any,
    groups: Any,
    variants: dict[str, Callable[[pd.DataFrame], pd.DataFrame] | None],
    *,
    n_splits: int = 5,
    n_jobs: int = 1,
    random_state: int = 0,
) -> dict[str, tuple[np.ndarray, list[dict[str, float]]]]:
    """Like :func:`cross_validate`, scoring several versions of each test fold.

    Each fold's model is fitted once; every variant (None = the test fold as
    is) is scored with it.

    Returns
    -------
    dict
        ``{variant: (oof, folds)}``.
    """
    y = np.asarray(y, dtype=int)
    groups = np.asarray(groups)
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    splits = list(splitter.split(frame, y, groups=groups))

    def run(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        model = clone(detector).fit(frame.iloc[train], y[train], groups=groups[train])
        out = {}
        for name, change in variants.items():
            test_frame = frame.iloc[test]
            if change is not None:
                test_frame = change(test_frame)
            out[name] = model.predict_proba(test_frame)[:, 1]
        return test, out

    fold_results = Parallel(n_jobs=n_jobs)(delayed(run)(tr, te) for tr, te in splits)
    results: dict[str, tuple[np.ndarray, list[dict[str, float]]]] = {}
    for name in variants:
        oof = np.zeros(len(y))
        folds = []
        for test, probas in fold_results:
            oof[test] = probas[name]
            folds.append(summary(y[test], probas[name]))
        results[name] = (oof, folds)
    return results


def without_metadata(frame: pd.DataFrame) -> pd.DataFrame:
    """The same documents with every metadata value removed (text alone)."""
    out = frame.copy()
    for column in META_COLUMNS:
        out[column] = np.nan
    return out


def _mean_std(folds: list[dict[str, float]], key: str) -> dict[str, float]:
    values = np.array([f[key] for f in folds])
    return {"mean": round(float(values.mean()), 4), "std": round(float(values.std()), 4)}


def file_hashes(paths: list[Path]) -> dict[str, str]:
    """SHA-256 of each training file, keyed by its path relative to the data folder."""
    out = {}
    for p in paths:
        out[f"{p.parent.name}/{p.name}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def train_preset(
    preset: str = "default",
    *,
    data_dir: str | Path | None = None,
    output: str | Path | None = None,
    cv: int = 5,
    n_jobs: int = 1,
    with_narratives: bool = True,
    log: Callable[[str], None] = print,
) -> tuple[Detector, dict[str, Any]]:
    """Train a preset on the public corpora, cross-validate it, and save it.

    The grouped CV figures are computed on ReINTEL train + warm-up (the
    benchmark the README reports); the final model is fitted on ReINTEL and
    VFND together so that news articles are covered too.

    Returns
    -------
    detector : Detector
        Fitted on all the training data.
    metadata : dict
        What was stored with the model.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    detector = make_detector(preset)
    log(f"loading corpora from {root}")
    data = load_training_set(root)
    log(f"{len(data)} documents after deduplication "
        f"({int(data['label'].sum())} labelled misinformation)")
    log("normalizing and segmenting (cached for all folds)")
    pre = detector.preprocess(data)
    y = data["label"].to_numpy()
    groups = data["group"].to_numpy()
    metrics: dict[str, Any] = {}
    if cv > 1:
        reintel = (data["source"].str.startswith("reintel")).to_numpy()
        log(f"grouped {cv}-fold CV on ReINTEL train + warm-up")
        variants: dict[str, Callable[[pd.DataFrame], pd.DataFrame] | None] = {"": None}
        if "meta" in detector.channels:
            variants["text_only"] = without_metadata
        results = cross_validate_variants(
            detector, pre[reintel].reset_index(drop=True), y[reintel], groups[reintel],
            variants, n_splits=cv, n_jobs=n_jobs)
        keys = ("roc_auc", "pr_auc", "brier", "ece")
        metrics = {k: _mean_std(results[""][1], k) for k in keys}
        if "text_only" in results:
            metrics["text_only"] = {k: _mean_std(results["text_only"][1], k) for k in keys}
        metrics["protocol"] = (f"StratifiedGroupKFold(n_splits={cv}, shuffle=True, "
                               "random_state=0), grouped by normalized text, ReINTEL train+warmup")
        for name, block in (("CV", metrics), ("CV text alone", metrics.get("text_only", {}))):
            if block:
                log(f"{name}: " + ", ".join(f"{k} {v['mean']:.4f}±{v['std']:.4f}"
                                            for k, v in block.items() if k in keys))
    log("fitting the final model on all training data")
    detector.fit(pre, y, groups=groups)
    if with_narratives:
        from .narratives import default_index

        log("attaching the narrative index built from the shipped catalogue")
        detector.set_params(narratives=default_index())
    files = [root / "reintel" / "train.csv", root / "reintel" / "warmup.csv",
             root / "vfnd" / "vfnd_articles_223.csv", root / "vfnd" / "vfnd_json_274.csv"]
    metadata = {
        "preset": preset,
        "training_data": file_hashes(files),
        "training_rows": int(len(data)),
        "training_positives": int(y.sum()),
        "cv_metrics": metrics,
    }
    if output is not None:
        path = save_model(detector, output, metadata=metadata)
        write_model_card(path.with_name("MODEL_CARD.md") if path.stem == "default"
                         else path.with_suffix(".md"), metadata, detector)
        log(f"saved {path}")
    return detector, metadata


def write_model_card(path: str | Path, metadata: dict[str, Any], detector: Detector) -> Path:
    """Write a model card: intended use, data, metrics, limitations and responsible use."""
    m = metadata.get("cv_metrics", {})

    def fig(key: str, block: dict[str, Any] | None = None) -> str:
        v = (m if block is None else block).get(key)
        return f"{v['mean']:.3f} ± {v['std']:.3f}" if isinstance(v, dict) else "not measured"

    t = m.get("text_only") or {}

    data_lines = "\n".join(f"| `{k}` | `{v[:16]}…` |" for k, v in metadata["training_data"].items())
    text = f"""# Model card: vnmisinfo `{metadata.get('preset', 'custom')}` detector

## Intended use
Triage of Vietnamese social-media posts and news articles for **human fact-checkers**: the
model ranks texts by how likely they carry a false or distorted factual claim, so that
reviewers look at the likeliest first. A score is a lead, never a verdict. It must not
trigger removal, sanctions or any other action by itself, and it says nothing about the
author.

## Model
A linear classifier over TF-IDF channels {list(detector.channels)}, word n-grams
{list(detector.word_ngram_range)}, character n-grams {list(detector.char_ngram_range)},
`{detector.classifier}` with C = {detector.C}, probabilities calibrated with
`{detector.calibration}` on grouped cross-validated decision values. Review tiers:
`high` from {detector.high_threshold}, `medium` from {detector.medium_threshold}.
Every score is explained by the exact per-term contributions of the linear model.

## Training data
{metadata['training_rows']} documents after deduplication on normalized text
({metadata['training_positives']} labelled misinformation): ReINTEL (VLSP 2020) train and
warm-up, and VFND (GPL-3.0). Poster identities (`user_name`) are never used. SHA-256 of the
files:

| file | sha256 |
|---|---|
{data_lines}

## Metrics
{m.get('protocol', 'Not cross-validated.')}

| metric | with metadata | text alone (metadata removed from the test folds) |
|---|---|---|
| ROC-AUC | {fig('roc_auc')} | {fig('roc_auc', t)} |
| PR-AUC | {fig('pr_auc')} | {fig('pr_auc', t)} |
| Brier | {fig('brier')} | {fig('brier', t)} |
| ECE (10 bins) | {fig('ece')} | {fig('ece', t)} |

Documents that carry no metadata at all are scored by a text-only linear model, and texts
typed without tone marks by a model over the accent-free view; both are calibrated the
same way.

Reproduce:
`vnmisinfo train --preset {metadata.get('preset', 'default')} --data-dir ../shared/corpora`.

## Limitations
- Trained on 2017–2020 data, much of it about COVID-19: new topics and new styles of
  false claims are scored less reliably. Expect drift; re-evaluate on your own data.
- A bag-of-n-grams model learns topics and styles that co-occur with misinformation in its
  training data. It does not check facts: true posts on the same topics can score high and
  new false claims in neutral language can score low.
- ReINTEL labels are the dataset authors' judgements of reliability; VFND outlets carry a
  single label each, so outlet style can leak into the model.
- It is for Vietnamese; other languages get meaningless scores.
- Metadata flags carry ReINTEL's collection artefacts: a post whose comment count is missing
  was unreliable 88% of the time there, so that flag weighs heavily for posts that carry
  some metadata but not the comment count. Check the explanation: a score driven by
  `[missing_comments]` says nothing about the text.

## Responsible use
Use it to prioritise human review, with the explanation and any matched narrative in view.
Do not use it to judge people, to censor opinion or criticism, or to act without a human
check. Report errors, and keep a record of the decisions reviewers make.
"""
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
