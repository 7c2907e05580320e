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
from .metrics import summary
from .persist import save_model

__all__ = ["PRESETS", "cross_validate", "make_detector", "train_preset", "write_model_card"]

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
    y = np.asarray(y, dtype=int)
    groups = np.asarray(groups)
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    splits = list(splitter.split(frame, y, groups=groups))

    def run(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        test_frame = frame.iloc[test]
        if transform_test is not None:
            test_frame = transform_test(test_frame)
        model = clone(detector).fit(frame.iloc[train], y[train], groups=groups[train])
        return test, model.predict_proba(test_frame)[:, 1]

    results = Parallel(n_jobs=n_jobs)(delayed(run)(tr, te) for tr, te in splits)
    oof = np.zeros(len(y))
    folds = []
    for test, proba in results:
        oof[test] = proba
        folds.append(summary(y[test], proba))
    return oof, folds


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
        _, folds = cross_validate(detector, pre[reintel].reset_index(drop=True), y[reintel],
                                  groups[reintel], n_splits=cv, n_jobs=n_jobs)
        metrics = {k: _mean_std(folds, k) for k in ("roc_auc", "pr_auc", "brier", "ece")}
        metrics["protocol"] = (f"StratifiedGroupKFold(n_splits={cv}, shuffle=True, "
                               "random_state=0), grouped by normalized text, ReINTEL train+warmup")
        log("CV: " + ", ".join(f"{k} {v['mean']:.4f}±{v['std']:.4f}"
                               for k, v in metrics.items() if isinstance(v, dict)))
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

    def fig(key: str) -> str:
        v = m.get(key)
        return f"{v['mean']:.3f} ± {v['std']:.3f}" if isinstance(v, dict) else "not measured"

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

| metric | mean ± std over folds |
|---|---|
| ROC-AUC | {fig('roc_auc')} |
| PR-AUC | {fig('pr_auc')} |
| Brier | {fig('brier')} |
| ECE (10 bins) | {fig('ece')} |

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

## Responsible use
Use it to prioritise human review, with the explanation and any matched narrative in view.
Do not use it to judge people, to censor opinion or criticism, or to act without a human
check. Report errors, and keep a record of the decisions reviewers make.
"""
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
