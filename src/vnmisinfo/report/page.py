"""The review page: one static, self-contained HTML workbench for human reviewers.

:func:`write_report` turns the scored rows of a batch into a page a
fact-checker opens offline: a banner saying that scores are triage signals,
never verdicts; counts per review tier; a histogram of scores (inline SVG);
and the top items in review order (:func:`review_rank`: by tier, known narratives
first within one, then by score: a match is never buried).  Each item shows why it
got its tier, the words that drove its score highlighted in the original text
(red-ish raised the score, blue-ish lowered it; hover for the weight), its context
signals and metadata, and the known
narrative it matched: the claim, the Vietnamese rebuttal (English behind a
toggle) and the sources; a nearest narrative that is not a confident match is
shown, muted, as a *possible* narrative.

The page is a workbench: filters (tier, known narrative, not yet reviewed,
text search), keyboard navigation (``j``/``k``, ``1``/``2``/``3`` for
misinformation/reliable/unsure, ``/`` to search), and per item a verdict, a
``narrative_id`` and a note, kept in the browser's local storage under a key
of the page's items.  "Download reviewed CSV" writes the file that
``vnmisinfo feedback`` and ``vnmisinfo claimreview`` read: the item's input
columns, ``vnm_score``, ``vnm_tier``, ``vnm_narrative_id``, ``vnm_model``,
then ``verdict``, ``narrative_id`` and ``note``.

The page comes from the ``templates/review.html.j2`` Jinja template with
autoescaping: every piece of input text is HTML-escaped, the items' data is
JSON in a ``<script type="application/json">`` block with ``<``, ``>`` and
``&`` escaped, so a post cannot close it, and CSS and script are inline: the
page fetches nothing.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from vnmisinfo.data.formats import atomic_write, name_stem
from vnmisinfo.data.review import REVIEW_COLUMNS, TIERS, VERDICTS, review_rank
from vnmisinfo.data.schema import _count, _timestamp, is_missing
from vnmisinfo.model.explain import highlight_spans
from vnmisinfo.text.normalize import remove_controls

__all__ = [
    "COPIES", "INPUT_KEY", "LARGE_PAGE", "highlight_html", "left_out", "parse_terms",
    "render_report", "review_rank", "write_report",
]

#: Key of an item's input columns, as the batch keeps them (see ``write_report``).
INPUT_KEY = "_input"
#: Key of the number of other rows of an item's text, the copies the batch folded into it.
COPIES = "_copies"

_TZ = timezone(timedelta(hours=7))
_TIER_VI = {"high": "cao", "medium": "trung bình", "low": "thấp"}
#: Output columns the reviewed file keeps, between the input's and the reviewer's.
_CSV_SCORED = ("vnm_score", "vnm_tier", "vnm_narrative_id", "vnm_model")
_URL_RE = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)
#: Items beyond which a page may be too big for a browser to open (5,000 items made 26 MB
#: and took about 17 s to render; 52,000 did not render in 5 minutes).
LARGE_PAGE = 5000

def parse_terms(value: Any) -> list[tuple[str, float]]:
    """Read ``vnm_top_terms`` back as ``(term, weight)`` pairs.

    Accepts the list form or the ``term:+weight; ...`` text of
    :func:`vnmisinfo.model.explain.format_terms`.

    Examples
    --------
    >>> parse_terms("virus corona:+0.421; bộ y tế:-0.100")
    [('virus corona', 0.421), ('bộ y tế', -0.1)]
    """
    if is_missing(value):
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


def left_out(items: Iterable[Any], summary: Any, top: int = 50) -> int:
    """How many ``high`` and ``medium`` rows of a batch a page of its ``top`` items leaves out.

    Rows per tier come from ``summary`` (from ``items`` when it counts fewer); a shown item
    stands for its row and the copies of its text (:data:`COPIES`).

    Examples
    --------
    >>> items = [{"vnm_score": 0.9, "vnm_tier": "high", COPIES: 2},
    ...          {"vnm_score": 0.6, "vnm_tier": "medium"}, {"vnm_score": 0.7, "vnm_tier": "low"}]
    >>> left_out(items, {"tiers": {"high": 5, "medium": 4, "low": 1}}, top=2), left_out(items, {})
    (5, 0)
    """
    rows = _ranked(items)
    hm = [1 + _copies(r) if _get(r, "vnm_tier") in ("high", "medium") else 0 for r in rows]
    tiers = _get(summary, "tiers", {}) or {}
    total = max(int(tiers.get("high", 0) or 0) + int(tiers.get("medium", 0) or 0), sum(hm))
    return max(total - sum(hm[:top] if top >= 0 else hm), 0)


def _ranked(items: Iterable[Any]) -> list[Any]:
    """The scored items in review order."""
    rows = [r for r in _items(items) if _number(_get(r, "vnm_score")) is not None]
    rows.sort(key=lambda r: review_rank(_get(r, "vnm_tier"), float(_get(r, "vnm_score")),
                                        _get(r, "vnm_narrative_id")), reverse=True)
    return rows


def _missing(value: Any) -> bool:
    return is_missing(value) or value == ""


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


_MARK_COLOURS = {"pos": "255,80,60", "neg": "60,110,255"}


def highlight_html(text: str, terms: Sequence[tuple[str, float]]) -> str:
    """``text`` as escaped HTML with the terms that drove its score highlighted.

    The same marks as the review page, with their colours inline, so the
    snippet renders anywhere (a notebook, an e-mail): red pushes towards
    misinformation, blue away from it; the stronger the term, the darker.

    Examples
    --------
    >>> html_ = highlight_html("Uống nước chanh <nóng>", [("chanh", 0.4)])
    >>> "<mark" in html_ and "&lt;nóng&gt;" in html_
    True
    """
    out = _highlight(text, terms)
    for cls, rgb in _MARK_COLOURS.items():
        out = out.replace(f'<mark class="{cls}" style="--a:',
                          f'<mark class="{cls}" style="background:rgba({rgb},var(--a));--a:')
    return out


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
    """The counts and posting time of an item as the model reads them (``1.234`` is 1,234,
    ``1,2K`` 1,200, a day-first time or Unix milliseconds a time); unreadable ones are left out.
    """
    out = []
    for key in ("likes", "comments", "shares"):
        v = _count(_get(item, key))
        if not math.isnan(v):
            out.append(f"{v:,.0f} {key}")
    ts = _timestamp(_get(item, "timestamp"))
    try:
        out.append(datetime.fromtimestamp(ts, _TZ).strftime("%Y-%m-%d %H:%M (UTC+7)"))
    except (ValueError, OverflowError, OSError):  # NaN, or beyond the years a date holds
        pass
    return out


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _shown(value: Any) -> str:
    """A cell as the page shows it: without the control characters (NUL, escapes) that scoring
    removes, separators as a space; the reviewed CSV keeps the cell as it was."""
    return remove_controls(_text(value))


#: The most of a matched sentence the page shows: a text with no full stop is one sentence.
SENTENCE_CHARS = 600


def _sentence(value: Any) -> str:
    """The matched sentence as shown: its first :data:`SENTENCE_CHARS` characters, then "…".

    >>> _sentence("a" * 700)[-3:], len(_sentence("a" * 700)), _sentence(None)
    ('aa…', 601, '')
    """
    shown = _shown(value)
    return shown[:SENTENCE_CHARS] + "…" if len(shown) > SENTENCE_CHARS else shown


def _json_value(value: Any) -> Any:
    """A JSON text cell (``vnm_sources``, ``vnm_entities``) as data; other values as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _sources(value: Any) -> list[dict[str, str]]:
    """``vnm_sources`` as ``publisher``, ``title``, ``date`` and an http(s) ``url`` or ''."""
    value = _json_value(value)
    if _missing(value):
        return []
    if isinstance(value, (str, Mapping)):
        value = [value]
    out = []
    for src in value if isinstance(value, (list, tuple)) else []:
        if not isinstance(src, Mapping):
            out.append({"publisher": "", "title": _text(src), "date": "", "url": ""})
            continue
        url = _text(src.get("url")).strip()
        out.append({"publisher": _text(src.get("publisher")), "title": _text(src.get("title")),
                    "date": _text(src.get("date")),
                    "url": url if _URL_RE.match(url) else ""})
    return out


def _entities(value: Any) -> list[str]:
    value = _json_value(value)
    if _missing(value):
        return []
    if isinstance(value, str):
        return [value]
    out = []
    for entity in value if isinstance(value, (list, tuple)) else []:
        if isinstance(entity, (list, tuple)) and len(entity) == 2:
            out.append(f"{entity[0]} ({entity[1]})")
        else:
            out.append(_text(entity))
    return out


def _input_row(item: Any) -> dict[str, Any]:
    """The item's input columns: those the batch kept, or every column but the ``vnm_`` ones."""
    kept = _get(item, INPUT_KEY)
    if isinstance(kept, Mapping):
        row = dict(kept)
    elif isinstance(item, Mapping):
        row = {str(k): v for k, v in item.items()
               if not str(k).startswith("vnm_")
               and k not in ("text_chars", INPUT_KEY, COPIES)}
    else:
        row = {}
    return {k: plain_cell(v) for k, v in row.items()}


def plain_cell(value: Any) -> Any:
    """A cell as JSON data for the page's script: text, a number, a bool or None."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    try:
        if bool(value != value):  # NaT, numpy's NaN
            return None
    except TypeError:  # pandas.NA
        return None
    except ValueError:  # an array
        pass
    item = getattr(value, "item", None)  # a numpy scalar
    if callable(item):
        try:
            return plain_cell(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _item_view(rank: int, item: Any, claims: Mapping[str, str]) -> dict[str, Any]:
    """What the template shows of one item; every string is escaped by the template."""
    from markupsafe import Markup

    score = float(_get(item, "vnm_score"))
    tier = _text(_get(item, "vnm_tier"))
    raw = _text(_get(item, "text"))
    text = _shown(raw)
    terms = parse_terms(_get(item, "vnm_top_terms"))
    full = _number(_get(item, "text_chars"))
    nid = _text(_get(item, "vnm_narrative_id"))
    candidate = "" if nid else _text(_get(item, "vnm_narrative_candidate"))
    claim = _text(_get(item, "vnm_narrative_claim")) or claims.get(nid or candidate, "")
    rebuttal = _get(item, "vnm_rebuttal")
    rebuttal_vi = _get(item, "vnm_rebuttal_vi")
    if isinstance(rebuttal, Mapping):
        rebuttal_vi = rebuttal_vi if not _missing(rebuttal_vi) else rebuttal.get("vi")
        rebuttal = rebuttal.get("en")
    return {
        "rank": rank, "score": score, "tier": tier,
        "tier_cls": tier if tier in TIERS else "",
        "reason": _text(_get(item, "vnm_tier_reason")),
        "id": _shown(_get(item, "id")), "meta": _meta_line(item),
        "title": _shown(_get(item, "title")),
        "text": Markup(_highlight(text, terms)),
        "cut": int(full) if full is not None and full > len(raw) else 0,
        "copies": _copies(item),
        "terms": terms,
        "context": [(t, w) for t, w in parse_terms(_get(item, "vnm_context")) if abs(w) >= 5e-4],
        "error": _text(_get(item, "vnm_error")),
        "narrative_id": nid, "candidate": candidate, "claim": claim,
        "similarity": _number(_get(item, "vnm_narrative_similarity")),
        "sentence": _sentence(_get(item, "vnm_narrative_sentence")),
        "rebuttal_vi": "" if _missing(rebuttal_vi) else _plain(rebuttal_vi),
        "rebuttal_en": "" if _missing(rebuttal) else _plain(rebuttal),
        "sources": _sources(_get(item, "vnm_sources")),
        "entities": _entities(_get(item, "vnm_entities")),
        "suggest": nid or candidate,
    }


def _copies(item: Any) -> int:
    """How many other rows of the batch hold the item's text (see :data:`COPIES`)."""
    n = _number(_get(item, COPIES))
    return int(n) if n is not None and n > 0 else 0


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


def _script_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` in it,
    so that no text can close the block."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@functools.lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("vnmisinfo.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("review.html.j2")


def _catalogue_claims() -> dict[str, str]:
    from vnmisinfo.narratives import load_catalogue

    return {n.id: n.claim for n in load_catalogue()}


def render_report(items: Iterable[Any], summary: Any, *, histogram: Sequence[int] | None = None,
                  thresholds: tuple[float, float] | None = None, top: int = 50,
                  source: str | None = None, generated: datetime | None = None,
                  narratives: Mapping[str, str] | None = None) -> str:
    """Render the review page as an HTML string; see :func:`write_report`.

    Examples
    --------
    >>> page = render_report([{"vnm_score": 0.9, "vnm_tier": "high", "vnm_tier_reason": "both",
    ...                        "text": "Tỏi <b>chữa</b> covid", "vnm_top_terms": "tỏi:+0.5"}],
    ...                       {"rows": 1, "tiers": {"high": 1}}, narratives={})
    >>> "<mark" in page and "&lt;b&gt;" in page and "http" not in page
    True
    >>> "tier reason: both" in page and 'id="items"' in page
    True
    """
    from markupsafe import Markup

    rows = _ranked(items)
    shown = rows[:top] if top >= 0 else rows
    if histogram is None:
        histogram = [0] * 20
        for r in rows:
            histogram[min(max(int(float(_get(r, "vnm_score")) * 20), 0), 19)] += 1
    claims = dict(_catalogue_claims() if narratives is None else narratives)
    views = [_item_view(rank, item, claims) for rank, item in enumerate(shown, 1)]
    inputs = [_input_row(item) for item in shown]
    columns: list[str] = []
    for row in inputs:
        columns += [c for c in row if c not in columns and c not in REVIEW_COLUMNS]
    data = {
        "columns": columns, "scored": list(_CSV_SCORED), "review": list(REVIEW_COLUMNS),
        "verdicts": list(VERDICTS),
        "name": name_stem(source) or "review",
        "items": [{"input": row, **{c: plain_cell(_get(item, c)) for c in _CSV_SCORED}}
                  for row, item in zip(inputs, shown, strict=True)],
    }
    # The key of the page's saved marks: the same items give the same key.
    digest = hashlib.sha256(_script_json([data["name"], data["items"]]).encode()).hexdigest()
    data["report"] = digest[:16]
    known = sorted({*claims, *(v["narrative_id"] for v in views if v["narrative_id"]),
                    *(v["candidate"] for v in views if v["candidate"])})
    n_rows = int(_get(summary, "rows", 0) or 0)
    tiers = _get(summary, "tiers", {}) or {}
    cards = [("rows", n_rows, "posts in the batch")]
    cards += [(t, int(tiers.get(t, 0)), f"tier {t} ({_TIER_VI[t]})") for t in TIERS]
    cards.append(("", int(_get(summary, "not_scored", 0) or 0), "not scored"))
    cards.append(("", int(_get(summary, "error_rows", 0) or 0), "rows noted in vnm_error"))
    seconds = _number(_get(summary, "seconds"))
    stamp = (generated or datetime.now(_TZ)).astimezone(_TZ).strftime("%Y-%m-%d %H:%M UTC+7")
    sub = [f"generated {stamp}"]
    if source:
        sub.insert(0, f"input {os.path.basename(source)}")
    if seconds is not None:
        sub.append(f"scored in {seconds:.1f} s")
    errors = _get(summary, "errors", {}) or {}
    return str(_template().render(
        sub=" · ".join(sub), cards=cards,
        errors=sorted(((str(k), int(v)) for k, v in errors.items()),
                      key=lambda kv: (-kv[1], kv[0])),
        bad_lines=int(_get(summary, "bad_lines", 0) or 0),
        histogram=Markup(_histogram_svg(list(histogram), thresholds)),
        items=views, tiers=TIERS, known=known, report=data["report"],
        left_out=left_out(rows, summary, top), large=LARGE_PAGE,
        data=Markup(_script_json(data)),
    ))


def write_report(path: str | os.PathLike[str], items: Iterable[Any], summary: Any, *,
                 histogram: Sequence[int] | None = None,
                 thresholds: tuple[float, float] | None = None, top: int = 50,
                 source: str | None = None, generated: datetime | None = None,
                 narratives: Mapping[str, str] | None = None) -> Path:
    """Write the self-contained HTML review page.

    Parameters
    ----------
    path : str or Path
        Target ``.html`` file; written atomically (a symlink is followed).
    items : iterable of mapping, or pandas.DataFrame
        Scored rows with ``vnm_score``, ``vnm_tier``, ``text`` and
        ``vnm_top_terms`` (list of pairs or ``term:+weight`` text), and
        optionally ``vnm_tier_reason``, ``vnm_context``, ``id``, ``title``,
        ``likes``, ``comments``, ``shares``, ``timestamp``, ``vnm_error``,
        ``vnm_narrative_id``, ``vnm_narrative_candidate``,
        ``vnm_narrative_similarity``, ``vnm_narrative_claim``,
        ``vnm_narrative_sentence``, ``vnm_rebuttal`` (English),
        ``vnm_rebuttal_vi``, ``vnm_sources`` (list or JSON text of
        ``{publisher, title, date, url}``), ``vnm_entities`` and
        ``vnm_model``.  The first ``top`` in review order are shown
        (:func:`review_rank`: by tier, known narratives first, then score).
        The reviewed CSV takes an item's input columns from its :data:`INPUT_KEY` mapping (what
        the batch keeps), else from all its keys but the ``vnm_`` ones.
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
    narratives : mapping of str to str, optional
        Narrative id to claim: the ids offered for ``narrative_id`` and the
        claims of possible narratives (default: the shipped catalogue).

    Returns
    -------
    Path
        The written file.
    """
    page = render_report(items, summary, histogram=histogram, thresholds=thresholds, top=top,
                         source=source, generated=generated, narratives=narratives)
    return atomic_write(path, page)
