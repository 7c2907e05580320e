"""The review report: one static, self-contained HTML page for human reviewers.

:func:`write_report` turns the highest-scoring rows of a batch into a page a
fact-checker can open offline: a banner saying that scores are triage signals,
never verdicts; counts per review tier; a histogram of scores (inline SVG);
and the top items, each with the words that drove its score highlighted in
the original text (red-ish raised the score, blue-ish lowered it; hover for
the weight), its metadata and, when the detector matched one, the known
narrative with its rebuttal.

The page holds no script and no external URL: CSS and the chart are inline,
and every piece of input text is HTML-escaped.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .explain import highlight_spans

__all__ = ["parse_terms", "render_report", "write_report"]

_TZ = timezone(timedelta(hours=7))
_TIERS = ("high", "medium", "low")
_TIER_VI = {"high": "cao", "medium": "trung bình", "low": "thấp"}

_CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--high:#b3261e;--medium:#b26a00;
--low:#3d6b35;--pos:255,80,60;--neg:60,110,255}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:1080px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:4px 0 2px}h2{font-size:18px;margin:28px 0 10px}
.sub{color:var(--muted);font-size:13px;margin:0 0 14px;word-break:break-all}
.banner{background:#fff4d6;border:1px solid #e8c766;border-left:6px solid #d49b00;
padding:10px 14px;border-radius:6px;margin:12px 0 18px}
.banner strong{display:block}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;
min-width:120px}
.card .n{font-size:22px;font-weight:650}.card .k{color:var(--muted);font-size:13px}
.card.high .n{color:var(--high)}.card.medium .n{color:var(--medium)}.card.low .n{color:var(--low)}
.errors{color:var(--muted);font-size:13px;margin:8px 0 0}
.chart{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 10px}
.chart svg{display:block;width:100%;height:auto}
.item{background:#fff;border:1px solid var(--line);border-left:6px solid var(--line);
border-radius:8px;padding:12px 16px;margin:0 0 14px}
.item.high{border-left-color:var(--high)}.item.medium{border-left-color:var(--medium)}
.item.low{border-left-color:var(--low)}
.head{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:baseline;font-size:13px;
color:var(--muted)}
.rank{font-weight:650;color:var(--fg)}
.score{font-size:18px;font-weight:700;color:var(--fg)}
.badge{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-size:12px;
font-weight:600}
.badge.high{background:var(--high)}.badge.medium{background:var(--medium)}
.badge.low{background:var(--low)}
.text{white-space:pre-wrap;word-wrap:break-word;margin:8px 0;font-size:15px}
mark{padding:0 1px;border-radius:3px;color:inherit}
mark.pos{background:rgba(var(--pos),var(--a));box-shadow:inset 0 -2px rgba(var(--pos),.9)}
mark.neg{background:rgba(var(--neg),var(--a));box-shadow:inset 0 -2px rgba(var(--neg),.9)}
.terms{font-size:13px;color:var(--muted);margin:4px 0}
.terms span{display:inline-block;margin:0 10px 0 0}
.terms .p{color:var(--high)}.terms .m{color:#2b4fb8}
.note{font-size:13px;color:#7a4b00}
.narr{background:#f2f6ff;border:1px solid #cfdcf7;border-radius:6px;padding:8px 12px;
margin:8px 0 0;font-size:14px}
.narr b{display:block;margin-bottom:2px}
.cut{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:12px;margin-top:30px}
.legend mark{margin-right:8px}
"""


def parse_terms(value: Any) -> list[tuple[str, float]]:
    """Read ``top_terms`` back as ``(term, weight)`` pairs.

    Accepts the list form or the ``term:+weight; ...`` text of
    :func:`vnmisinfo.explain.format_terms`.

    Examples
    --------
    >>> parse_terms("virus corona:+0.421; bộ y tế:-0.100")
    [('virus corona', 0.421), ('bộ y tế', -0.1)]
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        out = []
        for part in value.split("; "):
            term, sep, weight = part.rpartition(":")
            if not sep:
                continue
            try:
                out.append((term, float(weight)))
            except ValueError:
                continue
        return out
    return [(str(t), float(w)) for t, w in value]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).replace(",", "")) if not isinstance(value, (int, float)) \
            else float(value)
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _highlight(text: str, terms: Sequence[tuple[str, float]]) -> str:
    spans = highlight_spans(text, terms)
    top = max((abs(w) for _, _, w in spans), default=1.0) or 1.0
    parts = []
    pos = 0
    for start, end, weight in spans:
        parts.append(html.escape(text[pos:start]))
        alpha = 0.18 + 0.5 * abs(weight) / top
        cls = "pos" if weight > 0 else "neg"
        parts.append(f'<mark class="{cls}" style="--a:{alpha:.2f}" '
                     f'title="{html.escape(f"{weight:+.3f}")}">'
                     f"{html.escape(text[start:end])}</mark>")
        pos = end
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


def _histogram_svg(counts: Sequence[int], thresholds: tuple[float, float] | None) -> str:
    width, height, left, bottom, top = 1000, 230, 56, 34, 14
    plot_w, plot_h = width - left - 14, height - bottom - top
    peak = max(counts, default=0) or 1
    n = len(counts) or 1
    bar_w = plot_w / n
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" '
           'aria-label="Histogram of scores">']
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" x2="{width - 14}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#e3e6ec"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                   f'fill="#5b6475">{round(peak * frac)}</text>')
    med, high = thresholds if thresholds else (0.5, 0.8)
    for i, c in enumerate(counts):
        lo = i / n
        color = "#b3261e" if lo >= high - 1e-9 else "#b26a00" if lo >= med - 1e-9 else "#3d6b35"
        h = plot_h * c / peak
        x = left + i * bar_w
        out.append(f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                   f'height="{h:.1f}" fill="{color}" opacity="0.85">'
                   f"<title>{lo:.2f}–{(i + 1) / n:.2f}: {c}</title></rect>")
    for k in range(0, 11, 2):
        x = left + plot_w * k / 10
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                   f'font-size="12" fill="#5b6475">{k / 10:.1f}</text>')
    if thresholds:
        for value, label in ((med, "medium"), (high, "high")):
            x = left + plot_w * value
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" '
                       'stroke="#1d2330" stroke-dasharray="4 3"/>')
            out.append(f'<text x="{x + 4:.1f}" y="{top + 12}" font-size="12" '
                       f'fill="#1d2330">{label} ≥ {value:g}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 2}" text-anchor="middle" '
               'font-size="12" fill="#5b6475">score (điểm)</text>')
    out.append("</svg>")
    return "".join(out)


def _meta_line(item: Any) -> list[str]:
    out = []
    for key, label in (("likes", "likes"), ("comments", "comments"), ("shares", "shares")):
        v = _number(_get(item, key))
        if v is not None:
            out.append(f"{v:,.0f} {label}")
    ts = _number(_get(item, "timestamp"))
    if ts is not None and 0 <= ts < 1e11:
        out.append(datetime.fromtimestamp(ts, _TZ).strftime("%Y-%m-%d %H:%M (UTC+7)"))
    return out


def _item_html(rank: int, item: Any) -> str:
    score = float(_get(item, "score"))
    tier = str(_get(item, "tier") or "")
    tier_cls = tier if tier in _TIERS else ""
    text = _get(item, "text") or ""
    text = text if isinstance(text, str) else str(text)
    terms = parse_terms(_get(item, "top_terms"))
    head = [f'<span class="rank">#{rank}</span>',
            f'<span class="score">{score:.3f}</span>',
            f'<span class="badge {tier_cls}">{html.escape(tier)}</span>']
    ident = _get(item, "id")
    if not _missing(ident):
        head.append(f"<span>id {html.escape(str(ident))}</span>")
    head += [f"<span>{html.escape(m)}</span>" for m in _meta_line(item)]
    parts = [f'<article class="item {tier_cls}">', '<div class="head">', *head, "</div>"]
    title = _get(item, "title")
    if not _missing(title):
        parts.append(f"<h3>{html.escape(str(title))}</h3>")
    parts.append(f'<p class="text">{_highlight(text, terms)}')
    full = _number(_get(item, "text_chars"))
    if full is not None and full > len(text):
        parts.append(f' <span class="cut">… ({int(full):,} characters in all; '
                     "the first part is shown)</span>")
    parts.append("</p>")
    if terms:
        parts.append('<div class="terms">'
                     + "".join(f'<span class="{"p" if w > 0 else "m"}">'
                               f"{html.escape(t)} {w:+.3f}</span>" for t, w in terms)
                     + "</div>")
    error = _get(item, "error")
    if not _missing(error):
        parts.append(f'<div class="note">⚠ {html.escape(str(error))}</div>')
    claim = _get(item, "narrative_claim")
    rebuttal = _get(item, "rebuttal")
    if not _missing(claim) or not _missing(rebuttal):
        nid = _get(item, "narrative_id")
        sim = _number(_get(item, "narrative_similarity"))
        label = "Known narrative" + (f" {html.escape(str(nid))}" if not _missing(nid) else "")
        if sim is not None:
            label += f" (similarity {sim:.2f})"
        parts.append(f'<div class="narr"><b>{label}</b>')
        if not _missing(claim):
            parts.append(f"<div>{html.escape(str(claim))}</div>")
        sentence = _get(item, "narrative_sentence")
        if not _missing(sentence):
            parts.append(f'<div class="terms">matched sentence: {html.escape(str(sentence))}'
                         "</div>")
        if not _missing(rebuttal):
            parts.append(f"<div><b>Rebuttal</b>{html.escape(_plain(rebuttal))}</div>")
        parts.append("</div>")
    parts.append("</article>")
    return "".join(parts)


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return " ".join(str(v) for v in value.values() if not _missing(v))
    if isinstance(value, (list, tuple)):
        return " ".join(_plain(v) for v in value)
    return str(value)


def _items(items: Any) -> list[Any]:
    try:
        import pandas as pd

        if isinstance(items, pd.DataFrame):
            return items.to_dict(orient="records")
    except ModuleNotFoundError:  # pragma: no cover - pandas is a core dependency
        pass
    return list(items)


def render_report(items: Iterable[Any], summary: Any, *, histogram: Sequence[int] | None = None,
                  thresholds: tuple[float, float] | None = None, top: int = 50,
                  source: str | None = None, generated: datetime | None = None) -> str:
    """Render the review page as an HTML string; see :func:`write_report`.

    Examples
    --------
    >>> page = render_report([{"score": 0.9, "tier": "high", "text": "Tỏi <b>chữa</b> covid",
    ...                        "top_terms": "tỏi:+0.5"}], {"rows": 1, "tiers": {"high": 1}})
    >>> "<mark" in page and "&lt;b&gt;" in page and "http" not in page
    True
    """
    rows = [r for r in _items(items) if _number(_get(r, "score")) is not None]
    rows.sort(key=lambda r: -float(_get(r, "score")))
    shown = rows[:top] if top >= 0 else rows
    if histogram is None:
        histogram = [0] * 20
        for r in rows:
            histogram[min(int(float(_get(r, "score")) * 20), 19)] += 1
    n_rows = int(_get(summary, "rows", 0) or 0)
    tiers = _get(summary, "tiers", {}) or {}
    cards = [("rows", n_rows, "posts in the batch")]
    cards += [(t, int(tiers.get(t, 0)), f"tier {t} ({_TIER_VI[t]})") for t in _TIERS]
    cards.append(("", int(_get(summary, "not_scored", 0) or 0), "not scored"))
    cards.append(("", int(_get(summary, "error_rows", 0) or 0), "rows with errors"))
    seconds = _number(_get(summary, "seconds"))
    stamp = (generated or datetime.now(_TZ)).astimezone(_TZ).strftime("%Y-%m-%d %H:%M UTC+7")
    out = ['<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width,initial-scale=1">',
           "<title>vnmisinfo review report</title>", f"<style>{_CSS}</style></head><body><main>",
           "<h1>vnmisinfo: items for human review</h1>"]
    sub = [f"generated {stamp}"]
    if source:
        sub.insert(0, f"input {os.path.basename(source)}")
    if seconds is not None:
        sub.append(f"scored in {seconds:.1f} s")
    out.append(f'<p class="sub">{html.escape(" · ".join(sub))}</p>')
    out.append('<div class="banner" role="note"><strong>Scores are triage signals for human '
               "review, never verdicts.</strong>Điểm số chỉ là tín hiệu để ưu tiên kiểm tra, "
               "không phải kết luận. A high score means “read this first”, not “this is "
               "false”; a low score does not mean a post is true.</div>")
    out.append('<section class="cards">')
    for cls, n, label in cards:
        out.append(f'<div class="card {cls}"><div class="n">{n:,}</div>'
                   f'<div class="k">{html.escape(label)}</div></div>')
    out.append("</section>")
    errors = _get(summary, "errors", {}) or {}
    if errors:
        listed = ", ".join(f"{html.escape(str(k))}: {int(v):,}" for k, v in
                           sorted(errors.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(f'<p class="errors">Row notes: {listed}</p>')
    bad = int(_get(summary, "bad_lines", 0) or 0)
    if bad:
        out.append(f'<p class="errors">{bad:,} malformed input lines were skipped.</p>')
    out.append("<h2>Distribution of scores</h2>")
    out.append(f'<div class="chart">{_histogram_svg(list(histogram), thresholds)}</div>')
    out.append(f"<h2>Top {len(shown)} items by score</h2>")
    out.append('<p class="sub legend"><mark class="pos" style="--a:.45">raised the score</mark>'
               '<mark class="neg" style="--a:.45">lowered the score</mark>'
               "hover a highlighted word for its weight</p>")
    if not shown:
        out.append('<p class="sub">No scored items.</p>')
    for rank, item in enumerate(shown, 1):
        out.append(_item_html(rank, item))
    out.append("<footer>Made by vnmisinfo. Highlights show the terms whose weights moved the "
               "score most; they explain the model, not the facts. Check every claim against "
               "sources before acting.</footer></main></body></html>")
    return "\n".join(out)


def write_report(path: str | os.PathLike[str], items: Iterable[Any], summary: Any, *,
                 histogram: Sequence[int] | None = None,
                 thresholds: tuple[float, float] | None = None, top: int = 50,
                 source: str | None = None, generated: datetime | None = None) -> Path:
    """Write the self-contained HTML review page.

    Parameters
    ----------
    path : str or Path
        Target ``.html`` file; written atomically.
    items : iterable of mapping, or pandas.DataFrame
        Scored rows with ``score``, ``tier``, ``text`` and ``top_terms`` (list
        of pairs or ``term:+weight`` text), and optionally ``id``, ``title``,
        ``likes``, ``comments``, ``shares``, ``timestamp``, ``error``,
        ``narrative_id``, ``narrative_similarity``, ``narrative_claim``,
        ``narrative_sentence`` and ``rebuttal``.  The ``top`` highest scores
        are shown.
    summary : BatchSummary or mapping
        ``rows``, ``tiers`` and optionally ``not_scored``, ``error_rows``,
        ``errors``, ``bad_lines``, ``seconds``.
    histogram : sequence of int, optional
        Counts over equal score bins in [0, 1]; by default from ``items``.
    thresholds : (float, float), optional
        The medium and high tier cut-offs, drawn on the histogram.
    top : int, default=50
        Items shown.
    source : str, optional
        Input name shown in the header.
    generated : datetime, optional
        Timestamp shown (default: now).

    Returns
    -------
    Path
        The written file.
    """
    page = render_report(items, summary, histogram=histogram, thresholds=thresholds, top=top,
                         source=source, generated=generated)
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
