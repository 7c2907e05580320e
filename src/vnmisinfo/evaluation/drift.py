"""Drift: has a new batch of posts moved away from what the model was built on?

:func:`drift_report` compares a BASELINE file of posts with a NEW one, with one model:
the score distribution (:func:`psi` over 10 quantile bins of the baseline; the
Kolmogorov-Smirnov test for information), the out-of-vocabulary rate (:func:`oov_rate`),
the tier mix and the rising terms (:func:`rising_terms`).  The verdict (:data:`RULE`,
:func:`decide`) comes from effect sizes only, never from p-values, which call almost any
difference between two large files "significant".  :func:`write_drift_report` writes
``drift.json``, PNG plots (``plots`` extra) and a self-contained ``report.html``.
"""

from __future__ import annotations

import base64
import json
import math
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vnmisinfo.data.formats import atomic_write
from vnmisinfo.data.hygiene import seen_in, text_keys
from vnmisinfo.data.names import TEXT_ALIASES
from vnmisinfo.data.schema import as_frame, resolve_columns
from vnmisinfo.data.tables import read_any_table, text_rows
from vnmisinfo.evaluation.plots import _DRIFT_SIDES as _SIDES
from vnmisinfo.evaluation.plots import DRIFT_PLOTS, drift_plots
from vnmisinfo.evaluation.plots import DRIFT_TIERS as _TIERS
from vnmisinfo.evaluation.shift import psi
from vnmisinfo.text.hashtags import normalize_for_model
from vnmisinfo.text.normalize import TruncationWarning
from vnmisinfo.text.tokenize import TOKEN_PATTERN, syllables

__all__ = ["MIN_ROWS", "OOV_RISE", "OOV_RISE_RELATIVE", "PLOTS", "PSI_SHIFT", "RULE", "TVD_SHIFT",
           "decide", "drift_report", "model_vocabulary", "oov_rate", "psi", "read_posts",
           "rising_terms", "write_drift_report"]

#: PSI of the score distribution from which the scores have shifted.
PSI_SHIFT = 0.2
#: Absolute rise of the out-of-vocabulary rate that counts as a shift ...
OOV_RISE = 0.05
#: ... when it is also at least this relative rise.
OOV_RISE_RELATIVE = 0.25
#: Total variation distance between the two tier mixes that counts as a shift.
TVD_SHIFT = 0.15
#: The rule, in words, as written to ``drift.json``.
RULE = (f"shift when the score PSI >= {PSI_SHIFT:g}, or the out-of-vocabulary rate rises by "
        f">= {OOV_RISE:g} absolute and >= {OOV_RISE_RELATIVE:.0%} relative, or the tier mix "
        f"moves by a total variation distance >= {TVD_SHIFT:g}; effect sizes only, p-values "
        "are reported but never decide")
#: Rows a side below which the verdict warns: two samples of one score distribution give PSI
#: >= 0.2 36% of the time with 100 rows a side, 1% with 200 (tests/test_drift.py).
MIN_ROWS = 200
#: The plots of a drift report, by file name.
PLOTS = DRIFT_PLOTS


# -- the measures -----------------------------------------------------------------------------
def _syllable_docs(texts: Iterable[Any]) -> list[str]:
    """Normalized, lower-cased syllable views of texts, a hashtag and words joined by
    underscores read as words (as the detector's ``syll`` column)."""
    with warnings.catch_warnings():
        # Cutting a very long text changes a drift statistic by nothing that matters.
        warnings.simplefilter("ignore", TruncationWarning)
        return [syllables(normalize_for_model("" if t is None else str(t))) for t in texts]


def _token_counts(docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct syllables of ``docs`` and how often each occurs, in one sparse pass."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=False)
    try:
        counts = vec.fit_transform(docs)
    except ValueError:  # no token at all
        return np.array([], dtype=object), np.array([], dtype=int)
    return (np.asarray(vec.get_feature_names_out(), dtype=object),
            np.asarray(counts.sum(axis=0)).ravel())


def oov_rate(texts: Iterable[Any], vocabulary: Iterable[str]) -> float:
    """The share of syllable tokens of ``texts`` that are not in ``vocabulary``.

    Texts are normalized (:func:`vnmisinfo.text.normalize.normalize_text`)
    and lower-cased; tokens are the detector's word tokens (``\\w+``), so
    punctuation is not counted.  Every token counts, repeats included.

    Raises
    ------
    ValueError
        If the texts hold no token at all.

    Examples
    --------
    >>> oov_rate(["Hà Nội mưa to", "mưa to!"], {"hà", "nội", "mưa"})
    0.3333333333333333
    """
    terms, counts = _token_counts(_syllable_docs(texts))
    total = int(counts.sum())
    if not total:
        raise ValueError("the texts hold no word token; the out-of-vocabulary rate is undefined.")
    known = vocabulary if isinstance(vocabulary, (set, frozenset, dict)) else set(vocabulary)
    seen = np.fromiter((t in known for t in terms), dtype=bool, count=len(terms))
    return float(counts[~seen].sum() / total)


def model_vocabulary(model: Any) -> frozenset[str]:
    """The syllables a model knows: unigrams of its fitted word and syllable TF-IDF channels.

    Segmented words (``hà_nội``) count by their syllables, since drift is
    measured on syllables.  A model without such a channel gives an empty set.
    """
    from sklearn.pipeline import Pipeline

    detector = getattr(model, "detector", model)
    union = getattr(detector, "features_", None)
    if union is None:
        raise ValueError(f"{type(detector).__name__} has no fitted features_; pass a fitted "
                         "vnmisinfo model (vnmisinfo.load_model or a fitted Detector).")
    known: set[str] = set()
    for _name, step, column in getattr(union, "transformers_", []):
        if column not in ("words", "syll"):
            continue
        if isinstance(step, Pipeline):
            step = step.steps[0][1]
        # a hashed channel keeps its unigrams as one string; a vocabulary channel, as a dict
        terms = (step.unigrams_.split("\n") if getattr(step, "unigrams_", "")
                 else getattr(step, "vocabulary_", None) or {})
        known.update(part for term in terms if " " not in term for part in term.split("_"))
    known.discard("")
    return frozenset(known)


def rising_terms(baseline_docs: Sequence[str], new_docs: Sequence[str], *, top: int = 20,
                 min_count: int = 5, alpha: float = 0.5) -> list[dict[str, Any]]:
    """The syllable unigrams and bigrams whose document frequency rose most in ``new_docs``.

    The score is the smoothed log ratio of document shares,
    ``ln((df_new + a) / (n_new + 2a)) - ln((df_base + a) / (n_base + 2a))``;
    terms found in fewer than ``min_count`` NEW documents are left out, and
    only terms that rose are listed.

    Examples
    --------
    >>> base = ["hà nội mưa to", "hà nội nắng"] * 5
    >>> new = ["bóng đá hà nội", "hà nội mưa"] * 5
    >>> [t["term"] for t in rising_terms(base, new, top=3)]
    ['bóng', 'bóng đá', 'đá']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if not len(new_docs) or not len(baseline_docs):
        return []
    vec = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=False, ngram_range=(1, 2),
                          binary=True, min_df=max(1, int(min_count)))
    try:
        x_new = vec.fit_transform(new_docs)
    except ValueError:  # no term reaches min_count
        return []
    x_base = vec.transform(baseline_docs)
    df_new = np.asarray(x_new.sum(axis=0)).ravel()
    df_base = np.asarray(x_base.sum(axis=0)).ravel()
    n_new, n_base = len(new_docs), len(baseline_docs)
    score = (np.log((df_new + alpha) / (n_new + 2 * alpha))
             - np.log((df_base + alpha) / (n_base + 2 * alpha)))
    terms = np.asarray(vec.get_feature_names_out(), dtype=object)
    order = np.lexsort((terms, -df_new, -score))
    return [{"term": str(terms[i]), "new_docs": int(df_new[i]), "baseline_docs": int(df_base[i]),
             "new_share": float(df_new[i] / n_new), "baseline_share": float(df_base[i] / n_base),
             "log_ratio": float(score[i])}
            for i in order[:top] if score[i] > 0]


def _tier_mix(tiers: Sequence[str]) -> dict[str, float]:
    values = pd.Series(list(tiers), dtype=object).astype(str).str.strip().str.lower()
    n = len(values)
    return {t: float((values == t).sum() / n) if n else 0.0 for t in _TIERS}


def decide(*, psi: float, oov_baseline: float | None, oov_new: float | None,
           tvd: float) -> tuple[bool, list[str]]:
    """Apply :data:`RULE`: whether the data shifted, and the parts of the rule that fired.

    Examples
    --------
    >>> decide(psi=0.31, oov_baseline=0.12, oov_new=0.21, tvd=0.02)
    (True, ['PSI 0.31 >= 0.2', 'OOV rate 0.12 -> 0.21'])
    >>> decide(psi=0.05, oov_baseline=0.30, oov_new=0.36, tvd=0.10)
    (False, [])
    """
    reasons = []
    if psi >= PSI_SHIFT:
        reasons.append(f"PSI {psi:.2f} >= {PSI_SHIFT:g}")
    if oov_baseline is not None and oov_new is not None:
        rise = oov_new - oov_baseline
        relative = rise / oov_baseline if oov_baseline > 0 else (math.inf if rise > 0 else 0.0)
        if rise >= OOV_RISE and relative >= OOV_RISE_RELATIVE:
            reasons.append(f"OOV rate {oov_baseline:.2f} -> {oov_new:.2f}")
    if tvd >= TVD_SHIFT:
        reasons.append(f"tier mix TVD {tvd:.2f} >= {TVD_SHIFT:g}")
    return bool(reasons), reasons


def _scores_source(reuse: bool, scorer: Any, measure: Any,
                   names: dict[str, set[str]]) -> dict[str, Any]:
    """Where the scores came from (``model``), and the model the OOV rate and the training
    overlap were measured with (``measured_with``): the same one, unless the files' model
    could not be loaded here (``measured_with_scoring_model`` is then False)."""
    def name(model: Any) -> str:
        return str(getattr(model, "model_id", type(model).__name__))

    named = ", ".join(sorted(names["baseline"])) or "a model the files do not name (no vnm_model)"
    note = ("vnm_score and vnm_tier as written by vnmisinfo score" if reuse else
            "scored here with the model; tiers from the classifier alone (no catalogue lift)")
    if scorer is None:
        note += (f"; the OOV rate and the training overlap come from another model, "
                 f"{name(measure)}, since the files' model cannot be loaded here")
    return {"source": "files" if reuse else "model",
            "model": named if scorer is None else name(scorer), "measured_with": name(measure),
            "measured_with_scoring_model": scorer is not None,
            "file_models": {k: sorted(v) for k, v in names.items()}, "note": note}


def _verdict(report: dict[str, Any]) -> str:
    seen = [f"{s['in_training']} of {s['read']} {k} rows" for k, s in report["rows"].items()
            if s.get("in_training")]
    note = (f"; note: {' and '.join(seen)} were in the model's training data, whose scores "
            "were fitted on them, so the score shift partly measures that" if seen else "")
    if not report["scores"].get("measured_with_scoring_model", True):
        note += (f"; note: the OOV rate and the training overlap come from "
                 f"{report['scores']['measured_with'].split(' ')[0]}, not from the model that "
                 "scored the files")
    if min(s["compared"] for s in report["rows"].values()) < MIN_ROWS:  # chance moves PSI
        note += f"; caution: fewer than {MIN_ROWS} rows on a side: compare larger files"
    if report["shift"]:
        return f"drift: SHIFT ({'; '.join(report['reasons'])}){note}"
    oov = report["oov_rate"]
    oov_part = f"OOV {oov['rise']:+.3f}" if oov["rise"] is not None else "OOV n/a"
    return (f"drift: no shift (PSI {report['score_shift']['psi']:.2f}, {oov_part}, "
            f"tier mix TVD {report['tier_mix']['tvd']:.2f}){note}")


# -- reading and scoring ----------------------------------------------------------------------
def read_posts(path: str | Path) -> pd.DataFrame:
    """Read a CSV, TSV, JSONL or Parquet file of posts, scored by ``vnmisinfo score`` or not.

    Raises :class:`ValueError` (or its :class:`~vnmisinfo.data.tables.CorpusError`) for
    an unknown extension or a missing, empty or malformed file.
    """
    return read_any_table(path)


def _text_column(frame: pd.DataFrame, text_column: str | None, side: str) -> str:
    wanted = [text_column] if text_column else [resolve_columns(list(frame.columns)).get("text")]
    found = next((c for c in wanted if c in frame.columns), None)
    if found is None:
        expected = f" {text_column!r}" if text_column else ""
        raise ValueError(f"{side}: no text column{expected}; its columns are "
                         f"{list(frame.columns)}" + ("" if text_column else f", expected one of "
                                                     f"{list(TEXT_ALIASES)}")
                         + ". Name the right one with --text-column.")
    return found


def _named_models(frame: pd.DataFrame) -> set[str]:
    values = frame.get("vnm_model", pd.Series(dtype=object)).dropna().astype(str).str.strip()
    return set(values[values != ""])


def _names(name: str, model: Any) -> bool:
    """Whether a ``vnm_model`` value names ``model``: its id, or the SHA-256 of its file."""
    digest = getattr(model, "metadata_", {}).get("sha256")
    return name == getattr(model, "model_id", None) or bool(digest and f"sha256:{digest}" in name)


def _usable_scores(frame: pd.DataFrame, model: Any, model_given: bool) -> bool:
    """Whether a file's scores may be used: present, and by this model when one was given."""
    if not {"vnm_score", "vnm_tier"} <= set(frame.columns):
        return False
    names = _named_models(frame)
    return not model_given or bool(names) and all(_names(n, model) for n in names)


def _scoring_model(names: set[str], model: Any) -> Any | None:
    """The model that wrote the files' scores, by their one ``vnm_model``: ``model`` or a shipped
    model; None when it cannot be loaded here (another file, several models or none named)."""
    if len(names) != 1:
        return None
    name = next(iter(names))
    if _names(name, model):
        return model
    from vnmisinfo.model.persist import SHIPPED, shipped_model_path
    from vnmisinfo.triage import load_model

    shipped = next((key for key, file in SHIPPED.items() if name.split(" ")[0] == file), None)
    candidate = load_model(shipped_model_path(shipped)) if shipped else None
    return candidate if candidate is not None and _names(name, candidate) else None


def _side(frame: pd.DataFrame, text_column: str | None, name: str) -> dict[str, Any]:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame of posts, got "
                        f"{type(frame).__name__}; read files with read_posts(path).")
    column = _text_column(frame, text_column, name)
    keep, not_text = text_rows(frame, column, name)
    if not keep.any():
        raise ValueError(f"{name}: every text in column {column!r} is empty"
                         f"{' or not a string' if not_text else ''}; nothing to compare.")
    rows = frame.loc[keep].reset_index(drop=True)
    return {"frame": rows, "column": column, "texts": rows[column].tolist(),
            "rows": {"read": int(len(frame)), "empty_dropped": int((~keep).sum()) - not_text,
                     "not_text_dropped": not_text}}


def _scores(side: dict[str, Any], model: Any, reuse: bool) -> None:
    """Scores, tiers and syllable views of a side: from its file, or from the model."""
    frame = side["frame"]
    if reuse:
        scores = pd.to_numeric(frame["vnm_score"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(scores)
        side.update(scores=scores[ok], docs=_syllable_docs(side["texts"]),
                    tiers=frame["vnm_tier"].astype(str).to_numpy()[ok].tolist())
        side["rows"]["unscored_dropped"] = int((~ok).sum())
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        pre = model.detector.preprocess(as_frame(frame, text_column=side["column"]))
        proba = np.asarray(model.detector.predict_proba(pre)[:, 1], dtype=float)
    side.update(scores=proba, tiers=model.policy.tiers(proba), docs=pre["syll"].tolist())


def drift_report(baseline_frame: pd.DataFrame, new_frame: pd.DataFrame, model: Any = None, *,
                 text_column: str | None = None, top: int = 20,
                 min_count: int = 5) -> dict[str, Any]:
    """Compare a NEW batch of posts with a BASELINE one; see the module notes for the rule.

    Parameters
    ----------
    baseline_frame, new_frame : DataFrame
        Posts as read from a file (:func:`read_posts`), with a text column,
        and, when scored by ``vnmisinfo score``, ``vnm_score``, ``vnm_tier``
        and ``vnm_model``.
    model : Triage, Detector, path or None, default=None
        The model whose scores and vocabulary are measured; the shipped model
        when None.  Scores in the files are used when both files carry them,
        both name the same model, and either no model was given or the files
        name this one; otherwise both files are scored here (classifier
        tiers, without catalogue lifts), so that both sides share one ruler.
        The out-of-vocabulary rate and the training overlap are measured with
        the model that wrote the scores: the files' model (``vnm_model``) when
        their scores are used and it is this one or a shipped one; when it
        cannot be loaded here, with this one, and ``scores`` says so.
    text_column : str, optional
        The text column when it is not a known name (:data:`TEXT_ALIASES`).
    top, min_count : int, default=20, 5
        Rising terms listed, and the NEW documents a term needs to be listed.

    Returns
    -------
    dict
        Plain data for JSON: ``shift``, ``rule``, ``reasons``, ``verdict`` (one
        line), ``checks``, ``score_shift``, ``oov_rate``, ``tier_mix``,
        ``rising_terms``, ``rows`` and ``scores`` (where they came from).

    Examples
    --------
    >>> from vnmisinfo.model.detector import Detector
    >>> covid = ["tỏi chữa khỏi covid", "nước chanh diệt covid", "hà nội nắng nhẹ",
    ...          "huế mưa nhẹ"] * 10
    >>> det = Detector(channels=("syllables",), min_df=1, cv=2).fit(covid, [1, 1, 0, 0] * 10)
    >>> sport = pd.DataFrame({"text": ["đội tuyển thắng trận chung kết", "cổ phiếu ngân hàng"
    ...                                " tăng điểm"] * 20})
    >>> r = drift_report(pd.DataFrame({"text": covid}), sport, model=det)
    >>> r["shift"], r["oov_rate"]["baseline"], r["oov_rate"]["new"] > 0.5
    (True, 0.0, True)
    """
    from scipy.stats import ks_2samp

    from vnmisinfo.triage import Triage, load_model

    model_given = model is not None
    if model is None or isinstance(model, (str, Path)):
        model = load_model(model)
    elif not hasattr(model, "detector"):
        model = Triage(model)  # a bare fitted Detector
    sides = {"baseline": _side(baseline_frame, text_column, "baseline"),
             "new": _side(new_frame, text_column, "new")}
    names = {k: _named_models(s["frame"]) for k, s in sides.items()}
    reuse = (all(_usable_scores(s["frame"], model, model_given) for s in sides.values())
             and names["baseline"] == names["new"])
    scorer = _scoring_model(names["baseline"], model) if reuse else model
    measure = scorer or model  # the vocabulary and training texts, of the files' model if it can
    for side in sides.values():
        _scores(side, model, reuse)
        side["rows"]["compared"] = int(len(side["scores"]))
        keys = text_keys(as_frame(side["frame"], text_column=side["column"]))  # by text hash
        side["rows"]["in_training"] = int(seen_in(keys, getattr(measure, "training_hashes",
                                                                None)).sum())
    base, new = sides["baseline"], sides["new"]
    psi_value = psi(base["scores"], new["scores"])
    ks = ks_2samp(base["scores"], new["scores"])
    vocabulary = model_vocabulary(measure)
    oov: dict[str, Any] = {"baseline": None, "new": None, "rise": None, "relative_rise": None,
                           "vocabulary_size": len(vocabulary)}
    if vocabulary:
        ob, on = oov_rate(base["docs"], vocabulary), oov_rate(new["docs"], vocabulary)
        oov.update(baseline=ob, new=on, rise=on - ob,
                   relative_rise=(on - ob) / ob if ob > 0 else None)
    mix = {"baseline": _tier_mix(base["tiers"]), "new": _tier_mix(new["tiers"])}
    tvd = 0.5 * sum(abs(mix["new"][t] - mix["baseline"][t]) for t in _TIERS)
    shift, reasons = decide(psi=psi_value, oov_baseline=oov["baseline"], oov_new=oov["new"],
                            tvd=tvd)
    edges = np.linspace(0.0, 1.0, 21)  # 20 bins for the plot
    report: dict[str, Any] = {
        "shift": shift,
        "rule": RULE,
        "reasons": reasons,
        "checks": {"psi": {"fired": psi_value >= PSI_SHIFT},
                   "oov_rate": {"fired": any(r.startswith("OOV") for r in reasons)},
                   "tier_mix": {"fired": tvd >= TVD_SHIFT}},
        "score_shift": {
            "psi": psi_value, "bins": 10,
            "ks": {"statistic": float(ks.statistic), "p_value": float(ks.pvalue)},
            "mean": {k: float(np.mean(s["scores"])) for k, s in sides.items()},
            "histogram": {"edges": edges.tolist(),
                          **{k: (np.histogram(np.clip(s["scores"], 0, 1), edges)[0]
                                 / len(s["scores"])).tolist() for k, s in sides.items()}},
        },
        "oov_rate": oov,
        "tier_mix": {**mix, "tvd": tvd},
        "rising_terms": rising_terms(base["docs"], new["docs"], top=top, min_count=min_count),
        "rows": {k: s["rows"] for k, s in sides.items()},
        "scores": _scores_source(reuse, scorer, measure, names),
        "text_columns": {k: s["column"] for k, s in sides.items()},
    }
    report["verdict"] = _verdict(report)
    return report


# -- the report folder ------------------------------------------------------------------------
def _fmt(value: Any, spec: str = ".4f") -> str:
    return "n/a" if value is None else format(value, spec)


def _html(report: dict[str, Any], plots: dict[str, Path]) -> str:
    from vnmisinfo.evaluation.evaluate import _cell, _table

    shift, oov, checks = report["score_shift"], report["oov_rate"], report["checks"]
    files = report.get("files") or {}
    rule_rows = [
        ["score PSI", _fmt(shift["psi"]), f">= {PSI_SHIFT:g}", checks["psi"]["fired"]],
        ["OOV rate rise", f"{_fmt(oov['rise'], '+.4f')} ({_fmt(oov['relative_rise'], '+.0%')})",
         f">= {OOV_RISE:g} and >= {OOV_RISE_RELATIVE:.0%}", checks["oov_rate"]["fired"]],
        ["tier mix TVD", _fmt(report["tier_mix"]["tvd"]), f">= {TVD_SHIFT:g}",
         checks["tier_mix"]["fired"]],
    ]
    side_rows = [[k.upper(), files.get(k, ""), report["rows"][k]["read"],
                  report["rows"][k]["compared"], _fmt(shift["mean"][k]), _fmt(oov[k])]
                 + [_fmt(report["tier_mix"][k][t], ".3f") for t in _TIERS] for k in _SIDES]
    term_rows = [[t["term"], t["new_docs"], t["baseline_docs"], _fmt(t["new_share"]),
                  _fmt(t["baseline_share"]), _fmt(t["log_ratio"], ".2f")]
                 for t in report["rising_terms"]]
    images = "".join(
        f'<figure><img alt="{_cell(name)}" src="data:image/png;base64,'
        f'{base64.b64encode(path.read_bytes()).decode("ascii")}"></figure>'
        for name, path in plots.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>vnmisinfo drift report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }} figure {{ display: inline-block; margin: 0.5em; }}
img {{ max-width: 560px; }} .note {{ color: #555; font-size: 0.9em; }}
.verdict {{ font-size: 1.2em; padding: 0.5em; background: {"#fde2e1" if report["shift"]
                                                             else "#e3f4e1"}; }}
</style></head><body>
<h1>Drift report</h1>
<p class="verdict">{_cell(report['verdict'])}</p>
<p class="note">Rule: {_cell(report['rule'])}. Scores: {_cell(report['scores']['note'])};
model {_cell(report['scores']['model'])}. KS statistic {_fmt(shift['ks']['statistic'])}
(p-value {shift['ks']['p_value']:.3g}, for information only).</p>
<h2>The rule</h2>
{_table(rule_rows, ["check", "value", "shift when", "fired"])}
<h2>The two files</h2>
{_table(side_rows, ["side", "file", "rows read", "rows compared", "mean score", "OOV rate",
                    "high", "medium", "low"])}
<h2>Plots</h2>
{images}
<h2>Rising terms</h2>
{_table(term_rows, ["term", "NEW docs", "BASELINE docs", "NEW share", "BASELINE share",
                    "log ratio"])}
</body></html>
"""


def write_drift_report(report: dict[str, Any], out_dir: str | Path, *,
                       plots: bool = True) -> dict[str, Path]:
    """Write ``drift.json``, the PNG plots and a self-contained ``report.html`` into ``out_dir``.

    ``report`` comes from :func:`drift_report`; an optional ``files`` entry
    (``{"baseline": path, "new": path}``) names the files in the plots and the
    page.  ``out_dir`` is created if needed.  Without ``plots`` (which need
    matplotlib) the page has tables only.  Returns file name -> path of
    everything written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {"drift.json": atomic_write(out / "drift.json", json.dumps(
        report, indent=2, ensure_ascii=False, default=str) + "\n")}
    images = drift_plots(report, out) if plots else {}
    written.update(images)
    written["report.html"] = atomic_write(out / "report.html", _html(report, images))
    return written
