"""Evaluation: scores on labelled data, grouped cross-validation, and a report folder.

Two ways to get scores for labelled documents:

* :func:`predict_files` scores files with a fitted model (the shipped one by default);
* :func:`cross_val_scores` fits a preset on K grouped, stratified folds and
  scores each fold with the model that did not see it.  Folds are grouped by
  near-duplicate text (or also by outlet), so no copy of a post sits on both
  sides of a split.

Both return a :class:`Scored` table (one row per document with its label,
probability, fold and top terms) that :func:`write_report` turns into a
folder: ``metrics.json``, ``predictions.csv``, five PNG plots (ROC, PR,
reliability, score histograms, confusion matrices) drawn with
scikit-learn's display helpers, and a self-contained ``report.html``.
Plots need the ``plots`` extra (matplotlib).
"""

from __future__ import annotations

import base64
import html
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from vnmisinfo.data.corpora import CorpusError, EmptyTextWarning, load_any
from vnmisinfo.data.hygiene import (
    GROUP_BY,
    deduplicate,
    drop_empty,
    grouped_folds,
    make_groups,
    name_conflicts,
    seen_in,
    text_keys,
)
from vnmisinfo.data.spreadsheet import guard_frame
from vnmisinfo.evaluation.metrics import (
    BUDGETS,
    LEVEL,
    RESAMPLES,
    auc_interval,
    summary,
    triage_report,
)
from vnmisinfo.evaluation.plots import PLOTS, plot_all
from vnmisinfo.model.explain import format_terms

__all__ = [
    "PLOTS",
    "TrainingDataError",
    "Scored",
    "conflicts_left_out",
    "cross_val_scores",
    "load_labelled",
    "plot_all",
    "predict_files",
    "write_report",
]

#: The plots of a report, by file name.
_WORST = 20


@dataclass
class Scored:
    """Scores for labelled documents, and how they were obtained.

    Attributes
    ----------
    frame : DataFrame
        One row per document: ``id``, ``source``, ``domain``, ``text``,
        ``title``, ``label``, ``probability``, ``fold`` (-1 without CV),
        ``group`` and ``top_terms`` (list of ``(term, weight)``).
    medium_threshold, high_threshold : float
        The review thresholds the metrics are reported at.
    folds : list of dict
        :func:`vnmisinfo.evaluation.metrics.summary` of each fold (empty without CV).
    info : dict
        Data and protocol description for ``metrics.json``.
    """

    frame: pd.DataFrame
    medium_threshold: float
    high_threshold: float
    folds: list[dict[str, float]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def y(self) -> np.ndarray:
        """Labels as a 0/1 array."""
        return self.frame["label"].to_numpy(dtype=int)

    @property
    def proba(self) -> np.ndarray:
        """Calibrated probabilities of misinformation."""
        return self.frame["probability"].to_numpy(dtype=float)

    def metrics(self, budgets: Sequence[float] = BUDGETS) -> dict[str, Any]:
        """:func:`~vnmisinfo.evaluation.metrics.triage_report`, the 95% interval of its
        ROC-AUC (``roc_auc_interval``, a stratified bootstrap of the rows; None with one
        class), plus fold means under CV."""
        out = triage_report(self.y, self.proba, medium_threshold=self.medium_threshold,
                            high_threshold=self.high_threshold, budgets=budgets)
        out["roc_auc_interval"] = None
        if len(np.unique(self.y)) == 2:
            low, high = auc_interval(self.y, self.proba)
            out["roc_auc_interval"] = {"low": low, "high": high, "level": LEVEL,
                                       "resamples": RESAMPLES,
                                       "method": "stratified bootstrap, percentile"}
        if self.folds:
            out["folds"] = self.folds
            out["fold_mean"] = {
                k: {"mean": float(np.mean([f[k] for f in self.folds])),
                    "std": float(np.std([f[k] for f in self.folds]))}
                for k in ("roc_auc", "pr_auc", "brier", "ece")
            }
        out["info"] = self.info
        return out


# -- data -------------------------------------------------------------------------------------
def load_labelled(
    paths: Sequence[str | Path],
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    id_column: str | None = None,
    dedup: bool = True,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Load labelled files, drop empty texts and (by default) duplicate texts.

    Parameters
    ----------
    paths : sequence of path
        Files :func:`vnmisinfo.data.corpora.load_any` reads.
    text_column, label_column, id_column : str, optional
        Column names when the files do not use known names.
    dedup : bool, default=True
        Drop repeated texts, keeping the first copy; groups whose copies
        disagree on the label are dropped whole.

    Returns
    -------
    frame : DataFrame
        Canonical records; ``attrs["keys"]`` holds the normalized texts.
    info : dict
        Files, rows, the empty ids dropped and the deduplication report.

    Raises
    ------
    CorpusError
        If a file cannot be read or holds unlabelled rows.
    """
    if not paths:
        raise ValueError("no data files given; pass one or more labelled CSV/JSONL/Parquet "
                         "files.")
    parts = []
    for path in paths:
        with warnings.catch_warnings():
            # Empty texts are counted and dropped below, with their ids in the report.
            warnings.simplefilter("ignore", EmptyTextWarning)
            part = load_any(path, text_column=text_column,
                            label_column=label_column or "label", id_column=id_column)
        if part["label"].isna().any():
            raise CorpusError(f"{path}: {int(part['label'].isna().sum())} row(s) have no label; "
                              "evaluation needs labelled data (name it with --label-column).")
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["label"] = frame["label"].astype(int)
    info: dict[str, Any] = {"files": [str(p) for p in paths], "rows_read": int(len(frame))}
    read, info["empty_dropped"] = drop_empty(frame)
    frame = read
    if dedup:
        frame, report = deduplicate(frame, keys=frame.attrs["keys"])
        info["dedup"] = report.as_dict()
    info["rows"] = int(len(frame))
    info["positives"] = int(frame["label"].sum())
    if frame["label"].nunique() < 2:
        raise CorpusError(_one_class(frame, read, info))
    return frame, info


def conflicts_left_out(info: dict[str, Any]) -> str | None:
    """The note on texts left out because their copies disagree on the label (from the
    ``info`` of :func:`load_labelled`, or ``Scored.info``); None if none.

    Examples
    --------
    >>> conflicts_left_out({"files": ["a.csv", "b.csv"],
    ...                     "dedup": {"conflicting_groups": [["a:1", "b:1"]]}})
    '1 text(s) have conflicting verdicts across the files and were left out'
    """
    groups = (info.get("dedup") or {}).get("conflicting_groups") or []
    where = "across the files" if len(info.get("files") or ()) > 1 else "in the file"
    return (f"{len(groups)} text(s) have conflicting verdicts {where} and were left out"
            if groups else None)


def _one_class(frame: pd.DataFrame, read: pd.DataFrame, info: dict[str, Any]) -> str:
    """Why the data cannot be measured: one class or none left, naming conflicts if any."""
    names = {0: "reliable (0)", 1: "misinformation (1)"}
    held = ", ".join(names.get(int(v), str(v)) for v in sorted(frame["label"].unique()))
    left = f"the data holds a single class ({held})" if len(frame) else "no labelled row is left"
    need = "ROC-AUC and PR-AUC need both misinformation (1) and reliable (0) documents."
    if (note := conflicts_left_out(info)) is None:
        return f"{left}; {need}"
    return (f"{note}: {name_conflicts(read, info['dedup']['conflicting_groups'])}. Without "
            f"them {left}. Settle those verdicts (one verdict per text), or leave out the file "
            f"with the outdated ones. {need}")


def _base_columns(frame: pd.DataFrame) -> pd.DataFrame:
    cols = ["id", "source", "domain", "text", "title", "label"]
    return frame[[c for c in cols if c in frame.columns]].copy()


# -- scoring ----------------------------------------------------------------------------------
def predict_files(
    paths: Sequence[str | Path],
    *,
    model: Any = None,
    explain: int = 5,
    text_column: str | None = None,
    label_column: str | None = None,
    id_column: str | None = None,
    include_training_rows: bool = False,
    keep_option: str | None = "--include-training-rows",
    log: Callable[[str], None] | None = None,
) -> Scored:
    """Score labelled files with a fitted model (the shipped default when None).

    Rows whose normalized text the model was trained on are found through the
    text hashes it keeps; they are left out of the metrics unless
    ``include_training_rows``, and ``info["training_overlap"]`` says how many.
    Messages name ``keep_option`` to keep them (None: the caller has none).

    Raises
    ------
    TrainingDataError
        If every row was in the model's training data (and
        ``include_training_rows`` is off): nothing held-out is left to measure.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from vnmisinfo.model.detector import Detector
    >>> texts = ["tỏi chữa khỏi covid", "tỏi sống diệt covid", "nước chanh chữa covid",
    ...          "gừng chữa khỏi covid", "hà nội nắng nhẹ", "huế nắng nhẹ", "hà nội mưa nhẹ",
    ...          "đà nẵng nắng đẹp"]
    >>> det = Detector(channels=("syllables",), min_df=1, cv=2).fit(texts, [1] * 4 + [0] * 4)
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("text,label\\ntỏi chữa covid,1\\nhà nội nắng,0\\n", encoding="utf-8")
    >>> s = predict_files([p], model=det)
    >>> s.frame["label"].tolist(), bool(s.proba[0] > s.proba[1])
    ([1, 0], True)
    """
    from vnmisinfo.triage import load_model

    frame, info = load_labelled(paths, text_column=text_column, label_column=label_column,
                                id_column=id_column)
    loaded = load_model(model) if model is None or isinstance(model, (str, Path)) else model
    detector: Any = getattr(loaded, "detector", loaded)
    frame = _unseen_rows(frame, getattr(loaded, "training_hashes", None), info,
                         include=include_training_rows, keep_option=keep_option,
                         log=log or (lambda _m: None))
    results = detector.explain(frame, k=explain)
    out = _base_columns(frame)
    out["probability"] = [r["probability"] for r in results]
    out["fold"] = -1
    out["group"] = -1
    out["top_terms"] = [r["top_terms"] for r in results]
    info["protocol"] = ("files scored by a fitted model, training rows included" if
                        include_training_rows else "held-out rows (not in the model's "
                        "training data) scored by a fitted model")
    info["model"] = str(model) if isinstance(model, (str, Path)) else (
        "shipped default" if model is None else type(model).__name__)
    medium, high = getattr(loaded, "thresholds", (detector.medium_threshold,
                                                  detector.high_threshold))  # a Triage's policy
    return Scored(out, float(medium), float(high), info=info)


class TrainingDataError(ValueError):
    """Every row to evaluate was in the model's training data."""


def _unseen_rows(frame: pd.DataFrame, hashes: Any, info: dict[str, Any], *, include: bool,
                 keep_option: str | None, log: Callable[[str], None]) -> pd.DataFrame:
    """``frame`` without the rows the model was trained on (all rows when ``include``);
    messages name ``keep_option``, the option that keeps them, when there is one."""
    if hashes is None or not len(hashes):
        info["training_overlap"] = None
        log("the model keeps no training-text hashes: overlap with its training data unknown")
        return frame
    keys = frame.attrs.get("keys")
    if keys is None or len(keys) != len(frame):
        keys = text_keys(frame)
    seen = seen_in(keys, hashes)
    n, m = int(seen.sum()), len(frame)
    info["training_overlap"] = {"rows": n, "of": m, "excluded": bool(n and not include)}
    if include or not n:
        log(f"{n} of {m} rows were in the training data"
            + (f"; kept, as asked{f' ({keep_option})' if keep_option else ''}" if n else ""))
        return frame
    if n == m:
        raise TrainingDataError(
            f"{n} of {m} rows were in the training data: no unseen row is left to measure. "
            "Evaluate on data the model has not seen"
            + (f", or pass {keep_option} (the figures will then be optimistic)."
               if keep_option else "."))
    log(f"{n} of {m} rows were in the training data; metrics use the {m - n} unseen rows"
        + (f" ({keep_option} keeps them)" if keep_option else ""))
    kept = frame.loc[~seen].reset_index(drop=True)
    kept.attrs["keys"] = [k for k, s in zip(keys, seen, strict=True) if not s]
    return kept


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="fold", file=sys.stderr, disable=not enabled)


def cross_val_scores(
    frame: pd.DataFrame,
    *,
    detector: Any = None,
    preset: str = "default",
    n_splits: int = 5,
    group_by: str = "text",
    threshold: float = 0.9,
    n_jobs: int = 1,
    random_state: int = 0,
    explain: int = 5,
    progress: bool = True,
    info: dict[str, Any] | None = None,
    log: Callable[[str], None] | None = None,
) -> Scored:
    """Out-of-fold scores from grouped, stratified K-fold cross-validation.

    Parameters
    ----------
    frame : DataFrame
        Labelled canonical records (see :func:`load_labelled`).
    detector : Detector, optional
        Unfitted template, cloned per fold; by default
        ``vnmisinfo.evaluation.train.make_detector(preset)``.
    preset : str, default="default"
        Preset from :data:`vnmisinfo.evaluation.train.PRESETS` when no detector is given.
    n_splits : int, default=5
        Folds.
    group_by : {"exact", "text", "domain"}, default="text"
        How folds are grouped (:func:`vnmisinfo.data.hygiene.make_groups`).
    threshold : float, default=0.9
        Near-duplicate cosine threshold.
    n_jobs : int, default=1
        Folds fitted in parallel.
    random_state : int, default=0
        Fold seed.
    explain : int, default=5
        Top terms kept per document.
    progress : bool, default=True
        Show a progress bar on standard error.
    info : dict, optional
        Data description to carry into the report.
    log : callable, optional
        Receives progress messages.

    Returns
    -------
    Scored
        Out-of-fold probabilities, at the template's thresholds.
    """
    from joblib import Parallel, delayed

    preset_used = preset if detector is None else None
    if detector is None:
        from vnmisinfo.evaluation.train import make_detector

        detector = make_detector(preset)
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}, got {group_by!r}.")
    say = log or (lambda _m: None)
    y = frame["label"].to_numpy(dtype=int)
    keys = frame.attrs.get("keys")
    if keys is None or len(keys) != len(frame):
        keys = text_keys(frame)
    say(f"grouping {len(frame)} documents by {group_by}")
    groups = make_groups(frame, by=group_by, threshold=threshold, keys=keys)
    folds = grouped_folds(y, groups, n_splits=n_splits, random_state=random_state)
    say("normalizing and segmenting once for all folds")
    pre = detector.preprocess(frame.reset_index(drop=True))

    def run(k: int, train: np.ndarray, test: np.ndarray) -> tuple[int, np.ndarray, list]:
        model = clone(detector).fit(pre.iloc[train], y[train], groups=groups[train])
        return k, test, model.explain(pre.iloc[test], k=explain)

    proba = np.zeros(len(frame))
    fold_of = np.full(len(frame), -1)
    terms: list[Any] = [None] * len(frame)
    fold_metrics: list[dict[str, float]] = [{}] * n_splits
    jobs = (delayed(run)(k, tr, te) for k, (tr, te) in enumerate(folds))
    with _progress(n_splits, f"{n_splits}-fold CV", progress) as bar:
        for k, test, results in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs):
            p = np.array([r["probability"] for r in results])
            proba[test] = p
            fold_of[test] = k
            for i, r in zip(test, results, strict=True):
                terms[i] = r["top_terms"]
            fold_metrics[k] = summary(y[test], p)
            bar.update(1)
    out = _base_columns(frame.reset_index(drop=True))
    out["probability"] = proba
    out["fold"] = fold_of
    out["group"] = groups
    out["top_terms"] = terms
    meta = dict(info or {})
    meta["protocol"] = (f"StratifiedGroupKFold(n_splits={n_splits}, shuffle=True, "
                        f"random_state={random_state}), grouped by {group_by}"
                        + (f" (near-duplicates: char 4-gram cosine >= {threshold})"
                           if group_by != "exact" else ""))
    meta["groups"] = int(len(np.unique(groups)))
    meta["detector"] = {k: (list(v) if isinstance(v, tuple) else v)
                        for k, v in detector.get_params().items()}
    meta["preset"] = preset_used
    return Scored(out, float(detector.medium_threshold), float(detector.high_threshold),
                  folds=fold_metrics, info=meta)


# -- plots ------------------------------------------------------------------------------------
def _worst(scored: Scored, label: int, n: int = _WORST) -> pd.DataFrame:
    part = scored.frame[scored.frame["label"] == label]
    return part.sort_values("probability", ascending=(label == 1), kind="stable").head(n)


def _cell(value: Any) -> str:
    return html.escape(str(value))


def _table(rows: list[list[Any]], header: list[str]) -> str:
    head = "".join(f"<th>{_cell(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _excerpt(title: Any, text: Any, limit: int = 280) -> str:
    joined = f"{title}. {text}" if isinstance(title, str) and title.strip() else str(text)
    joined = " ".join(joined.split())
    return joined if len(joined) <= limit else joined[:limit].rstrip() + " …"


def _errors_table(part: pd.DataFrame) -> str:
    rows = [[r["id"], r["source"], f"{r['probability']:.3f}", _excerpt(r["title"], r["text"]),
             format_terms(list(r["top_terms"] or []))] for r in part.to_dict("records")]
    return _table(rows, ["id", "source", "probability", "text (start)", "top terms"])


def _html(scored: Scored, metrics: dict[str, Any], plots: dict[str, Path], title: str) -> str:
    fmt = "{:.4f}".format
    main = [[k, fmt(metrics[k])] for k in ("roc_auc", "pr_auc", "brier", "ece")]
    ci = metrics.get("roc_auc_interval")
    if ci:
        main.insert(1, ["roc_auc, 95% interval", f"{fmt(ci['low'])} to {fmt(ci['high'])}"])
    main += [["documents", metrics["n"]], ["misinformation (1)", metrics["positives"]]]
    fm = metrics.get("fold_mean")
    fold_html = ""
    if fm:
        fold_html = "<h3>Mean ± std over folds</h3>" + _table(
            [[k, f"{v['mean']:.4f} ± {v['std']:.4f}"] for k, v in fm.items()],
            ["metric", "value"])
    thr_rows = [[tier, fmt(t["threshold"]), t["flagged"], fmt(t["flagged_rate"]),
                 fmt(t["precision"]), fmt(t["recall"]), fmt(t["f1"])]
                for tier, t in metrics["thresholds"].items()]
    bud_rows = [[k, v["k"], fmt(v["precision"]), fmt(v["recall"])]
                for k, v in metrics["budgets"].items()]
    images = "".join(
        f'<figure><img alt="{_cell(name)}" src="data:image/png;base64,'
        f'{base64.b64encode(path.read_bytes()).decode("ascii")}"><figcaption>{_cell(name)}'
        "</figcaption></figure>" for name, path in plots.items())
    info = metrics.get("info", {})
    protocol = _cell(info.get("protocol", ""))
    files = _cell(", ".join(info.get("files", [])))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_cell(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
figure {{ display: inline-block; margin: 0.5em; }} img {{ max-width: 560px; }}
.note {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>{_cell(title)}</h1>
<p class="note">Data: {files}. {_cell(info.get('rows', metrics['n']))} documents after dropping
empty texts and duplicates. Protocol: {protocol}. Scores are triage signals for human
reviewers, never verdicts.</p>
<h2>Ranking and calibration</h2>
{_table(main, ["metric", "value"])}
{fold_html}
<h2>At the review thresholds</h2>
{_table(thr_rows, ["tier", "threshold", "flagged", "flagged rate", "precision", "recall", "F1"])}
<h2>Review budgets (top k by score)</h2>
{_table(bud_rows, ["budget", "k", "precision@k", "recall@k"])}
<h2>Plots</h2>
{images}
<h2>{_WORST} worst false positives (reliable, highest scores)</h2>
{_errors_table(_worst(scored, 0))}
<h2>{_WORST} worst false negatives (misinformation, lowest scores)</h2>
{_errors_table(_worst(scored, 1))}
</body></html>
"""


def write_report(scored: Scored, out_dir: str | Path, *, title: str = "vnmisinfo evaluation",
                 plots: bool = True, budgets: Sequence[float] = BUDGETS) -> dict[str, Path]:
    """Write ``metrics.json``, ``predictions.csv``, the plots and ``report.html``.

    Parameters
    ----------
    scored : Scored
        From :func:`predict_files` or :func:`cross_val_scores`.
    out_dir : str or Path
        Report folder, created if needed.
    title : str
        Report title.
    plots : bool, default=True
        Draw the PNG plots (needs matplotlib).
    budgets : sequence of float
        Review budgets for precision@k / recall@k.

    Returns
    -------
    dict
        File name to path of everything written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metrics = scored.metrics(budgets)
    written: dict[str, Path] = {}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    written["metrics.json"] = out / "metrics.json"
    preds = scored.frame.drop(columns=["text", "title"], errors="ignore").copy()
    preds["top_terms"] = [format_terms(t or []) for t in preds["top_terms"]]
    guard_frame(preds).to_csv(out / "predictions.csv", index=False)  # no formula cells
    written["predictions.csv"] = out / "predictions.csv"
    images = plot_all(scored, out, title=scored.info.get("title", "")) if plots else {}
    written.update(images)
    (out / "report.html").write_text(_html(scored, metrics, images, title), encoding="utf-8")
    return {**written, "report.html": out / "report.html"}
