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
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold

from vnmisinfo.data.corpora import default_data_dir, load_training_set
from vnmisinfo.data.hygiene import (
    key_hashes,
    near_duplicate_groups,
    text_groups,
    text_keys,
    word_keys,
)
from vnmisinfo.evaluation.card import DROP_GOALS, keep_previous, write_model_card
from vnmisinfo.evaluation.metrics import summary
from vnmisinfo.evaluation.nonclaims import SOURCE, nonclaims_path, with_nonclaims
from vnmisinfo.evaluation.presets import PRESETS
from vnmisinfo.model.detector import Detector
from vnmisinfo.model.features import META_COLUMNS
from vnmisinfo.model.persist import file_sha256
from vnmisinfo.triage import Triage, save_model

__all__ = [
    "PRESETS",
    "contested_near_copies",
    "cross_validate",
    "DROP_GOALS",
    "cross_validate_reintel",
    "cross_validate_variants",
    "drop_one_field_report",
    "make_detector",
    "newest_verdicts",
    "train_preset",
    "with_feedback",
    "without_field",
    "without_metadata",
    "write_model_card",
]

def make_detector(preset: str = "default", **overrides: Any) -> Detector:
    """A fresh detector for a named preset, with optional parameter overrides.

    Its linear models fit on every core (``n_jobs=-1``) unless ``n_jobs`` is given.

    Examples
    --------
    >>> make_detector("fast").channels
    ('syllables', 'accent_free', 'meta')
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}.")
    return Detector(**{"n_jobs": -1, **PRESETS[preset], **overrides})


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
        :func:`vnmisinfo.evaluation.metrics.summary` of each fold.
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
    train_only: tuple[pd.DataFrame, np.ndarray] | None = None,
) -> dict[str, tuple[np.ndarray, list[dict[str, float]]]]:
    """Like :func:`cross_validate`, scoring several versions of each test fold.

    Each fold's model is fitted once; every variant (None = the test fold as
    is) is scored with it.  ``train_only`` (documents and labels, already
    preprocessed) joins every training fold and is never tested on.

    Returns
    -------
    dict
        ``{variant: (oof, folds)}``.
    """
    y = np.asarray(y, dtype=int)
    groups = np.asarray(groups)
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    splits = list(splitter.split(frame, y, groups=groups))
    inner = {"n_jobs": 1} if effective_n_jobs(n_jobs) > 1 else {}  # folds side by side: no pools

    def run(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        fit_frame, fit_y, fit_groups = frame.iloc[train], y[train], groups[train]
        if train_only is not None:
            extra, extra_y = train_only
            fit_frame = pd.concat([fit_frame, extra], ignore_index=True)
            fit_y = np.r_[fit_y, np.asarray(extra_y, dtype=int)]
            fit_groups = np.r_[fit_groups.astype(str),
                               [f"train-only:{i}" for i in range(len(extra))]]
        model = clone(detector).set_params(**inner).fit(fit_frame, fit_y, groups=fit_groups)
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


def without_field(field: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A function removing one metadata field (``likes``, ``comments``, ...) from every row."""
    if field not in META_COLUMNS:
        raise ValueError(f"field must be one of {META_COLUMNS}, got {field!r}.")

    def drop(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out[field] = np.nan
        return out

    return drop


def drop_one_field_report(y: Any, results: dict[str, tuple[np.ndarray, list]],
                          ) -> dict[str, dict[str, float]]:
    """How scores move when one metadata field is missing from every row.

    ``results`` is the output of :func:`cross_validate_variants` with the
    variants ``""`` (as is) and ``drop_<field>``.  For each field: the mean
    absolute per-row change of probability, the share of rows moving by more
    than 0.2, and the ROC-AUC drop.
    """
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y, dtype=int)
    base = results[""][0]
    auc = roc_auc_score(y, base)
    report = {}
    for name, (oof, _) in results.items():
        if not name.startswith("drop_"):
            continue
        change = np.abs(oof - base)
        report[name.removeprefix("drop_")] = {
            "mean_abs_change": round(float(change.mean()), 4),
            "share_moved_0.2": round(float((change > 0.2).mean()), 4),
            "roc_auc_drop": round(float(auc - roc_auc_score(y, oof)), 4),
        }
    return report


def _mean_std(folds: list[dict[str, float]], key: str) -> dict[str, float]:
    values = np.array([f[key] for f in folds])
    return {"mean": round(float(values.mean()), 4), "std": round(float(values.std()), 4)}


def file_hashes(paths: list[Path]) -> dict[str, str]:
    """SHA-256 of each training file, keyed by its path relative to the data folder."""
    out = {}
    for p in paths:
        out[f"{p.parent.name}/{p.name}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


#: Default weight of one reviewer's verdict against one public training document, chosen by
#: the review-loop simulation (benchmarks/simulate_review_loop.py): 30, 100 and 300 all beat
#: 10, paired by seed, and 30 is the smallest within one spread of the best.
FEEDBACK_WEIGHT = 30.0
#: Default scale of the copy of the verdicts' features that gives the team's own words weights
#: of their own (:class:`vnmisinfo.model.linear.OwnWordsClassifier`).  0: none.  1 (plain
#: feature augmentation) gained ROC-AUC with the default preset on nine of ten splits of the
#: same simulation (-0.003 to +0.047); retraining with it stays under a minute.
FEEDBACK_SCALE = 1.0


def newest_verdicts(feedback: pd.DataFrame) -> tuple[pd.DataFrame, list[str], dict[str, Any]]:
    """One verdict per text's words, the newest, and the comparison key of each kept row.

    Two stored texts that differ only in punctuation, emoji or line breaks (the store keys
    verdicts by exact text) read the same to the model.  Verdicts on them count once, the
    newest by ``time`` (the later row on a tie), as the store does for one text: with
    opposite verdicts both would pull one set of features both ways, at a verdict's weight
    each, and the fit would chase the contradiction (a retrain took minutes instead of
    seconds).  Returns ``(kept rows, their keys, {"repeated": n, "contradicted": n,
    "contradicted_hashes": [...]})``; ``contradicted`` counts the older verdicts left out
    that said the opposite of the newest.

    Examples
    --------
    >>> fb = pd.DataFrame({"text": ["Tin A. Ngày 6", "Tin A\\nngày 6", "Tin B"],
    ...                    "label": [0, 1, 1], "time": ["2024-01-02", "2024-01-03", "2024-01-01"]})
    >>> kept, keys, said = newest_verdicts(fb)
    >>> kept["label"].tolist(), keys, said["contradicted"]
    ([1, 1], ['tin a ngày 6', 'tin b'], 1)
    """
    feedback = feedback.reset_index(drop=True)
    keys = text_keys(feedback.assign(title=""))
    words = pd.Series(word_keys(keys), index=feedback.index)
    times = (feedback["time"].astype(str) if "time" in feedback.columns
             else pd.Series("", index=feedback.index))
    order = np.argsort(times.to_numpy(), kind="stable")
    older = words.iloc[order].duplicated(keep="last").reindex(feedback.index).to_numpy()
    newest_label = dict(zip(words[~older], feedback["label"][~older].astype(int), strict=True))
    opposite = older & (feedback["label"].astype(int).to_numpy()
                        != words.map(newest_label).to_numpy())
    hashes = feedback.get("text_hash", pd.Series("", index=feedback.index))
    said = {"repeated": int(older.sum()), "contradicted": int(opposite.sum()),
            "contradicted_hashes": [str(h) for h in hashes[opposite] if str(h)]}
    return (feedback[~older], [k for k, old in zip(keys, older, strict=True) if not old],
            said)


def contested_near_copies(keys: list[str], labels: Any, threshold: float = 0.9) -> np.ndarray:
    """Which verdicts sit in a near-duplicate group whose verdicts disagree.

    A false claim and its true version can differ by one word, and reviewers may judge
    both.  At a verdict's weight, the words by which the two texts differ would weigh on
    every post that holds them (a common phrase becomes a strong cue), and the linear
    solver stalls on the pair; :func:`with_feedback` counts such verdicts as public rows.
    Groups are :func:`~vnmisinfo.data.hygiene.near_duplicate_groups` of the comparison keys
    (character 4-gram cosine ``>= threshold``, as the queue's clusters).

    Examples
    --------
    >>> claim = "uống nước chanh nóng mỗi sáng diệt được virus corona, chia sẻ ngay cho mọi người"
    >>> contested_near_copies([claim, claim.replace("diệt", "không diệt"), "hà nội nắng nhẹ"],
    ...                       [1, 0, 1]).tolist()
    [True, True, False]
    """
    groups = near_duplicate_groups(keys, threshold=threshold)
    labels = pd.Series(np.asarray(labels, dtype=int))
    return labels.groupby(groups).transform("nunique").to_numpy() > 1


def with_feedback(data: pd.DataFrame, feedback: pd.DataFrame | None, weight: float,
                   source: str, log: Callable[[str], None]
                   ) -> tuple[pd.DataFrame, np.ndarray | None, dict[str, Any]]:
    """The training set with reviewers' verdicts added, and the weight of each row.

    Verdicts win over public rows with the same words (normalized text without punctuation:
    :func:`~vnmisinfo.data.hygiene.word_keys`), and count once per text's words, the newest
    (:func:`newest_verdicts`); each verdict weighs ``weight`` public rows, except verdicts
    among near-copies judged both ways (:func:`contested_near_copies`), which weigh one.
    The frame's ``key`` column holds each row's comparison key
    (:func:`~vnmisinfo.data.hygiene.text_keys`).
    Returns ``(frame, weights, metadata)``; ``weights`` is None when there is
    no feedback.
    """
    if feedback is None or not len(feedback):
        return data, None, {}
    if not {"text", "label"} <= set(feedback.columns):
        raise ValueError("feedback needs 'text' and 'label' columns; got "
                         f"{list(feedback.columns)}.")

    fb, fb_keys, said = newest_verdicts(
        feedback[feedback["text"].astype(str).str.strip() != ""])
    if said["repeated"]:
        named = ", ".join(said["contradicted_hashes"][:5])
        log(f"{said['repeated']} verdicts on texts with the same words as a newer verdict are "
            f"left out, the newest counts; {said['contradicted']} of them said the opposite"
            + (f" (text_hash {named}{', ...' if said['contradicted'] > 5 else ''}: check "
               "them in the store)" if named else ""))
    data_keys = data["key"].tolist() if "key" in data.columns else text_keys(data)
    known = set(word_keys(fb_keys))
    keep = [k not in known for k in word_keys(data_keys)]
    replaced = len(data) - int(sum(keep))
    rows = pd.DataFrame({"text": fb["text"].astype(str).to_numpy(), "title": "",
                         "label": fb["label"].astype(int).to_numpy(), "source": "feedback"})
    combined = pd.concat([data[keep], rows], ignore_index=True)
    # the comparison keys are normalized text: they give the groups, and the model's hashes
    combined["key"] = [k for k, kept in zip(data_keys, keep, strict=True) if kept] + fb_keys
    combined["group"] = text_groups(combined["key"].tolist())
    contested = contested_near_copies(fb_keys, fb["label"])
    if contested.any():
        hashes = fb.get("text_hash", pd.Series("", index=fb.index))[contested]
        shown = [str(h) for h in hashes if str(h)]
        listed = (f" (text_hash {', '.join(shown[:5])}{', ...' if len(shown) > 5 else ''})"
                  if shown else "")
        log(f"{int(contested.sum())} verdicts sit among near-copies judged both ways{listed}: "
            f"they count as public rows (weight 1), since at weight {weight:g} the words by "
            "which they differ would weigh on every post")
    weights = np.r_[np.ones(len(combined) - len(fb)), np.where(contested, 1.0, float(weight))]
    times = sorted(str(t) for t in fb.get("time", pd.Series(dtype=str)) if str(t))
    scored_by = sorted({str(m).strip() for m in fb.get("model", pd.Series(dtype=str))
                        if str(m).strip() and str(m) != "nan"})
    meta = {"rows": int(len(fb)), "misinformation": int(fb["label"].sum()),
            "reliable": int(len(fb) - fb["label"].sum()), "weight": float(weight),
            "first": times[0] if times else "", "last": times[-1] if times else "",
            "store": source, "replaced_public_rows": replaced, "scored_by": scored_by,
            "repeated_left_out": said["repeated"], "contradicted": said["contradicted"],
            "contested_near_copies": int(contested.sum())}
    log(f"adding {len(fb)} reviewer verdicts (weight {weight:g}; {replaced} public rows with "
        "the same words take the reviewer's label)")
    return combined, weights, meta


def _command(preset: str, data_dir: str | Path | None, cv: int, feedback: str | None,
             weight: float, scale: float, output: str | Path | None = None) -> str:
    """The ``vnmisinfo train`` command that makes a model, for its card (with ``-o``, so that
    running it again writes where the model is, not over a shipped model)."""
    command = f"vnmisinfo train --preset {preset} --data-dir {data_dir or '../shared/corpora'}"
    command += f" --cv {cv}"
    if feedback is not None:
        command += (f" --feedback {feedback or 'STORE'} --feedback-weight {weight:g} "
                    f"--feedback-scale {scale:g}")
    if output is not None:
        command += f" -o {output}"
    return command


def cross_validate_reintel(
    detector: Detector,
    pre: pd.DataFrame,
    data: pd.DataFrame,
    variants: dict[str, Callable[[pd.DataFrame], pd.DataFrame] | None],
    *,
    n_splits: int = 5,
    n_jobs: int = 1,
) -> dict[str, tuple[np.ndarray, list[dict[str, float]]]]:
    """:func:`cross_validate_variants` on the ReINTEL rows of a training set, as its report
    does: the hand-written posts (:data:`~vnmisinfo.evaluation.nonclaims.SOURCE`) join every
    training fold and are never tested on; VFND rows are left out.

    ``pre`` is ``detector.preprocess(data)``; ``data`` gives ``source``, ``label`` and
    ``group`` (as :func:`~vnmisinfo.data.corpora.load_training_set` writes them).
    """
    y = data["label"].to_numpy().astype(int)
    groups = data["group"].to_numpy()
    reintel = data["source"].astype(str).str.startswith("reintel").to_numpy()
    written = (data["source"] == SOURCE).to_numpy()
    return cross_validate_variants(
        detector, pre[reintel].reset_index(drop=True), y[reintel], groups[reintel], variants,
        n_splits=n_splits, n_jobs=n_jobs,
        train_only=(pre[written].reset_index(drop=True), y[written]) if written.any() else None)


def _cv_metrics(detector: Detector, pre: pd.DataFrame, data: pd.DataFrame, y: np.ndarray,
                cv: int, n_jobs: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Grouped CV figures on ReINTEL train + warm-up; the hand-written posts in every
    training fold."""
    reintel = (data["source"].astype(str).str.startswith("reintel")).to_numpy()
    log(f"grouped {cv}-fold CV on ReINTEL train + warm-up")
    variants: dict[str, Callable[[pd.DataFrame], pd.DataFrame] | None] = {"": None}
    if "meta" in detector.channels:
        variants["text_only"] = without_metadata
        variants.update({f"drop_{f}": without_field(f) for f in META_COLUMNS})
    results = cross_validate_reintel(detector, pre, data, variants, n_splits=cv, n_jobs=n_jobs)
    keys = ("roc_auc", "pr_auc", "brier", "ece")
    metrics: dict[str, Any] = {k: _mean_std(results[""][1], k) for k in keys}
    if "text_only" in results:
        metrics["text_only"] = {k: _mean_std(results["text_only"][1], k) for k in keys}
        metrics["drop_one_field"] = drop_one_field_report(y[reintel], results)
        for field, row in metrics["drop_one_field"].items():
            log(f"without {field}: " + ", ".join(f"{k} {v:.4f}" for k, v in row.items()))
    metrics["protocol"] = (f"StratifiedGroupKFold(n_splits={cv}, shuffle=True, "
                           "random_state=0), grouped by the words of normalized text, "
                           "ReINTEL train+warmup"
                           " (the hand-written posts in every training fold)")
    for name, block in (("CV", metrics), ("CV text alone", metrics.get("text_only", {}))):
        if block:
            log(f"{name}: " + ", ".join(f"{k} {v['mean']:.4f}±{v['std']:.4f}"
                                        for k, v in block.items() if k in keys))
    return metrics


def train_preset(
    preset: str = "default",
    *,
    data_dir: str | Path | None = None,
    output: str | Path | None = None,
    cv: int = 5,
    n_jobs: int = 1,
    with_narratives: bool = True,
    feedback: pd.DataFrame | None = None,
    feedback_weight: float = FEEDBACK_WEIGHT,
    feedback_scale: float = FEEDBACK_SCALE,
    feedback_source: str = "",
    log: Callable[[str], None] = print,
) -> tuple[Triage, dict[str, Any]]:
    """Train a preset on the public corpora, cross-validate it, and save it.

    The grouped CV figures are computed on ReINTEL train + warm-up (the
    benchmark the README reports), with the hand-written posts of
    :mod:`vnmisinfo.evaluation.nonclaims` in every training fold; the final
    model is fitted on ReINTEL, VFND (so that news articles are covered too)
    and those posts together, plus reviewers' verdicts when ``feedback`` is
    given.

    Parameters
    ----------
    n_jobs : int, default=1
        Processes for the CV folds.
    feedback : DataFrame, optional
        Reviewers' verdicts (``text``, ``label``, ``time``), for example
        ``FeedbackStore(path).frame()``; unsure verdicts are left out there.
        Texts also in the public corpora take the reviewer's label.
    feedback_weight : float, default=FEEDBACK_WEIGHT
        Weight of each verdict against a public training document: verdicts
        are few, but they come from the posts the team actually sees.
    feedback_scale : float, default=FEEDBACK_SCALE
        Scale of the copy of the verdicts' features that only they carry, so
        that the words of the team's own posts get weights of their own beside
        the shared ones (``Detector(own_scale=...)``); 0 leaves it out.
    feedback_source : str
        Where the verdicts come from (the store's path), for the model card.

    Returns
    -------
    model : Triage
        The detector fitted on all the training data, with the narrative index.
    metadata : dict
        What was stored with the model.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    detector = make_detector(preset)
    log(f"loading corpora from {root}")
    data = load_training_set(root)
    # data["key"], normalized once, gives the groups of verdicts and the model's hashes
    data = with_nonclaims(data)  # the register of posts, without the style shortcut
    handwritten = int((data["source"] == SOURCE).sum())
    log(f"{len(data)} documents after deduplication, {handwritten} "
        f"of them hand-written ({int(data['label'].sum())} labelled misinformation)")
    data, weights, feedback_meta = with_feedback(data, feedback, feedback_weight,
                                                  feedback_source, log)
    log("normalizing and segmenting (cached for all folds)")
    pre = detector.preprocess(data)
    y = data["label"].to_numpy()
    groups = data["group"].to_numpy()
    metrics = (_cv_metrics(detector, pre, data, y, cv, n_jobs, log) if cv > 1
               else {})
    log("fitting the final model on all training data")
    own = None
    if feedback_meta:
        feedback_meta["own_scale"] = float(feedback_scale)
        if feedback_scale > 0:
            own = (data["source"] == "feedback").to_numpy()
            detector.set_params(own_scale=float(feedback_scale))
    detector.fit(pre, y, groups=groups, sample_weight=weights, own=own)
    index = None
    if with_narratives:
        from vnmisinfo.narratives import default_index

        log("attaching the narrative index built from the shipped catalogue")
        index = default_index()
    model = Triage(detector, narratives=index, training_hashes=key_hashes(data["key"].tolist()))
    files = [root / "reintel" / "train.csv", root / "reintel" / "warmup.csv",
             root / "vfnd" / "vfnd_articles_223.csv", root / "vfnd" / "vfnd_json_274.csv",
             nonclaims_path()]
    metadata = {"preset": preset, "training_data": file_hashes(files),
                "training_rows": int(len(data)), "training_positives": int(y.sum()),
                "training_handwritten": handwritten,
                "cv_metrics": metrics,
                "command": _command(preset, data_dir, cv, feedback_source if feedback_meta
                                    else None, feedback_weight, feedback_scale, output)}
    if feedback_meta:
        metadata["feedback"] = feedback_meta
    if index is not None:
        metadata["narratives"] = {"narratives": len(index.narratives_),
                                  "threshold": float(index.threshold_),
                                  "out_of_fold": dict(getattr(index, "fit_report_", {}) or {})}
    if output is not None:
        previous = keep_previous(output)
        if previous is not None:
            metadata["previous_model"] = {"path": previous.name, "sha256": file_sha256(previous)}
            if feedback_meta:
                feedback_meta["from_model"] = metadata["previous_model"]
            log(f"kept the model it replaces as {previous}, with its checksum "
                f"{previous}.sha256 (to roll back, copy both back: {previous} to {output} "
                f"and {previous}.sha256 to {output}.sha256)")
        path = save_model(model, output, metadata=metadata)
        write_model_card(path.with_name("MODEL_CARD.md") if path.stem == "default"
                         else path.with_suffix(".md"), metadata, detector)
        log(f"saved {path}")
    model.metadata_ = metadata
    return model, metadata
