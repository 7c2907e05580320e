"""Evaluation plots: ROC, precision-recall, reliability, score histogram and confusion matrices;
and the plots of a drift report: scores, tier mix, out-of-vocabulary rate and rising terms.

They need the ``plots`` extra (matplotlib).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vnmisinfo._compat import import_or_raise
from vnmisinfo.evaluation.metrics import summary

if TYPE_CHECKING:
    from vnmisinfo.evaluation.evaluate import Scored

__all__ = ["DRIFT_PLOTS", "PLOTS", "drift_plots", "plot_all"]

#: File names of the plots :func:`plot_all` writes.
PLOTS = ("roc.png", "pr.png", "reliability.png", "histogram.png", "confusion.png")
#: File names of the plots :func:`drift_plots` writes.
DRIFT_PLOTS = ("scores.png", "tier_mix.png", "oov_rate.png", "rising_terms.png")
#: The tiers of a drift report's tier mix (as vnmisinfo.triage.TIERS), and its two sides.
DRIFT_TIERS = ("high", "medium", "low")
_DRIFT_SIDES = ("baseline", "new")


def _figure(width: float = 5.5, height: float = 4.5, nrows: int = 1, ncols: int = 1,
            **kwargs: Any) -> tuple[Any, Any]:
    figure = import_or_raise("matplotlib.figure", "plots", purpose="evaluation plots")
    fig = figure.Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def plot_all(scored: Scored, out_dir: str | Path, *, title: str = "") -> dict[str, Path]:
    """Draw the five report plots as PNG files into ``out_dir``.

    ROC, precision-recall (with the review thresholds marked), reliability
    (10 equal-width bins, with the count of documents per bin), score
    histograms by class, and confusion matrices at the ``medium`` and
    ``high`` thresholds.

    Raises
    ------
    ModuleNotFoundError
        If matplotlib is missing; install ``vnmisinfo[plots]``.
    """
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay

    from vnmisinfo.evaluation.metrics import at_threshold

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    y, p = scored.y, scored.proba
    name = title or "detector"
    m = summary(y, p)
    paths: dict[str, Path] = {}
    suffix = f" ({title})" if title else ""

    fig, ax = _figure()
    if scored.folds:
        for k in range(len(scored.folds)):
            mask = scored.frame["fold"].to_numpy() == k
            RocCurveDisplay.from_predictions(
                y[mask], p[mask], ax=ax, name=f"fold {k + 1}",
                curve_kwargs={"alpha": 0.35, "linewidth": 1})
    RocCurveDisplay.from_predictions(y, p, ax=ax, name=f"{name}, pooled",
                                     curve_kwargs={"linewidth": 2.2, "color": "black"},
                                     plot_chance_level=True)
    ax.set_title(f"ROC curve{suffix}, n = {m['n']}")
    ax.legend(loc="lower right", fontsize=7)
    paths["roc.png"] = _save(fig, out / "roc.png")

    fig, ax = _figure()
    PrecisionRecallDisplay.from_predictions(y, p, ax=ax, name=name, plot_chance_level=True,
                                            drop_intermediate=True)
    for tier, thr, marker in (("medium", scored.medium_threshold, "o"),
                              ("high", scored.high_threshold, "s")):
        t = at_threshold(y, p, thr)
        if t["flagged"]:
            ax.plot(t["recall"], t["precision"], marker, markersize=8, color="tab:red",
                    label=f"{tier} ≥ {thr:.2f}: P {t['precision']:.2f}, R {t['recall']:.2f}")
    ax.set_title(f"Precision-recall{suffix}")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper right", fontsize=7)
    paths["pr.png"] = _save(fig, out / "pr.png")

    fig, (ax, ax2) = _figure(5.5, 6.0, 2, 1, height_ratios=[3, 1], sharex=True)
    CalibrationDisplay.from_predictions(y, p, n_bins=10, strategy="uniform", ax=ax, name=name,
                                        marker="o")
    ax.set_title(f"Reliability, 10 bins{suffix}\nECE {m['ece']:.3f}, Brier {m['brier']:.3f}",
                 fontsize=11)
    ax.set_xlabel("")
    ax.legend(loc="upper left", fontsize=8)
    ax2.hist(p, bins=np.linspace(0, 1, 11), color="tab:gray", edgecolor="white")
    ax2.set_yscale("log")
    ax2.set_xlabel("Mean predicted probability (positive class: 1)")
    ax2.set_ylabel("documents")
    paths["reliability.png"] = _save(fig, out / "reliability.png")

    fig, ax = _figure(6.0, 4.0)
    bins = np.linspace(0, 1, 41)
    for label, colour, text in ((0, "tab:blue", "reliable (0)"),
                                (1, "tab:red", "misinformation (1)")):
        ax.hist(p[y == label], bins=bins, alpha=0.55, color=colour, density=True,
                label=f"{text}, n = {int((y == label).sum())}")
    for thr, tier in ((scored.medium_threshold, "medium"), (scored.high_threshold, "high")):
        ax.axvline(thr, color="black", linestyle="--", linewidth=1)
        ax.text(thr, ax.get_ylim()[1] * 0.95, f" {tier}", fontsize=8, va="top")
    ax.set_xlabel("Predicted probability of misinformation")
    ax.set_ylabel("density")
    ax.set_title(f"Scores by class{suffix}")
    ax.legend(fontsize=8)
    paths["histogram.png"] = _save(fig, out / "histogram.png")

    fig, axes = _figure(9.0, 4.0, 1, 2)
    for ax, tier, thr in ((axes[0], "medium", scored.medium_threshold),
                          (axes[1], "high", scored.high_threshold)):
        ConfusionMatrixDisplay.from_predictions(
            y, (p >= thr).astype(int), labels=[0, 1], ax=ax, colorbar=False, cmap="Blues",
            display_labels=["reliable", "misinfo"], values_format="d")
        ax.set_title(f"flagged at {tier} (p ≥ {thr:.2f})")
    fig.suptitle(f"Confusion matrices{suffix}")
    paths["confusion.png"] = _save(fig, out / "confusion.png")
    return paths


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=110)
    return path


# -- report -----------------------------------------------------------------------------------


def drift_plots(report: dict[str, Any], out: Path) -> dict[str, Path]:
    """Draw the plots of a drift report (:data:`DRIFT_PLOTS`) into ``out``; name -> path.

    ``report`` comes from :func:`vnmisinfo.evaluation.drift.drift_report`.
    """
    figure = import_or_raise("matplotlib.figure", "plots", purpose="drift plots")
    files = report.get("files") or {}
    label = {k: k.upper() + (f" ({Path(str(files[k])).name})" if k in files else "")
             for k in _DRIFT_SIDES}
    color = {"baseline": "#4c72b0", "new": "#dd8452"}
    terms, oov = report["rising_terms"], report["oov_rate"]
    sizes = [(6, 4), (6, 4), (4.5, 4), (6, max(2.5, 0.3 * len(terms) + 1.2))]
    figs = {name: figure.Figure(figsize=size, layout="constrained")
            for name, size in zip(DRIFT_PLOTS, sizes, strict=True)}
    ax = figs["scores.png"].subplots()
    hist = report["score_shift"]["histogram"]
    for k in _DRIFT_SIDES:
        ax.stairs(hist[k], hist["edges"], fill=True, alpha=0.45, color=color[k], label=label[k])
    ax.set(xlabel="probability of misinformation", ylabel="share of posts", xlim=(0, 1),
           title=f"Scores (PSI {report['score_shift']['psi']:.3f})")
    ax.legend()
    ax = figs["tier_mix.png"].subplots()
    x = np.arange(len(DRIFT_TIERS))
    for i, k in enumerate(_DRIFT_SIDES):
        ax.bar(x + (i - 0.5) * 0.4, [report["tier_mix"][k][t] for t in DRIFT_TIERS], 0.4,
               color=color[k], label=label[k])
    ax.set_xticks(x, list(DRIFT_TIERS))
    ax.set(ylabel="share of posts", ylim=(0, 1),
           title=f"Tier mix (TVD {report['tier_mix']['tvd']:.3f})")
    ax.legend()
    ax = figs["oov_rate.png"].subplots()
    values = [oov[k] or 0.0 for k in _DRIFT_SIDES]
    ax.bar([label[k] for k in _DRIFT_SIDES], values, color=[color[k] for k in _DRIFT_SIDES])
    for i, v in enumerate(values):
        ax.annotate(f"{v:.3f}", (i, v), ha="center", va="bottom")
    ax.set(ylabel="share of syllables not in the model's vocabulary",
           title="Out-of-vocabulary rate" + ("" if oov["baseline"] is not None else " (n/a)"))
    ax = figs["rising_terms.png"].subplots()
    if terms:
        ax.barh([t["term"] for t in terms][::-1], [t["log_ratio"] for t in terms][::-1],
                color=color["new"])
        ax.set(xlabel="log ratio of document shares, NEW vs BASELINE")
    else:
        ax.text(0.5, 0.5, "no rising term", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title("Rising terms")
    for name, fig in figs.items():
        fig.savefig(out / name, dpi=110)
    return {name: out / name for name in figs}
