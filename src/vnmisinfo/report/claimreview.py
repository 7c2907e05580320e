"""schema.org ClaimReview drafts for items a human reviewer confirmed.

It reads the same reviewed file as ``vnmisinfo feedback``: a ``verdict``
column with ``misinformation``, ``reliable`` or ``unsure``
(:data:`vnmisinfo.data.review.VERDICTS`).  Only rows a reviewer marked
``misinformation`` are drafted; **a row without a reviewer's verdict is never
drafted**, whatever the model or the catalogue says.  The optional ``rating``
column says how the claim is false (:data:`RATINGS`; default: the catalogue's
``verdict`` of the row's ``narrative_id``, else ``false``).  A
draft is a starting point for publication: its ``url`` is a placeholder
(:data:`PLACEHOLDER_URL`) that must be replaced by the address of the
published fact-check.

Input columns: ``verdict``, ``rating``, ``narrative_id``, ``text``, ``url``
or ``appearance`` (addresses where the claim appeared, separated by spaces,
``;`` or commas), ``date`` (when it appeared, not after today nor after the
review's ``datePublished``), and optionally ``claim`` (the claim as reviewed;
else the catalogue claim, else ``title`` and ``text`` joined as a post is
scored, cut to :data:`CLAIM_CHARS` characters by :func:`short_claim`), ``author``
(who made the claim), ``author_type`` (one of :data:`AUTHOR_TYPES`; default
``Person``) and ``id``.  A file's headers are matched as its text column is:
``Verdict`` or ``Narrative ID`` will do.

A draft is written as one line of JSON (:func:`draft_line`) with ``<``, ``>``,
``&``, U+2028 and U+2029 escaped (``\\u003c``), so that a post's ``</script>``
cannot close the ``<script type="application/ld+json">`` block it is pasted
in, and with control characters escaped, so that printing it is safe.

Examples
--------
>>> draft = draft_claimreview({"verdict": "misinformation", "id": "7",
...     "text": "Uống nước chanh nóng diệt virus corona"}, org="Tòa soạn A", date="2024-05-01")
>>> draft["@type"], draft["reviewRating"]["alternateName"], draft["url"]
('ClaimReview', 'Sai', 'https://example.org/fact-check/TODO-7')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date as _date
from pathlib import Path
from typing import Any

from vnmisinfo.data.review import (
    check_date,
    is_after,
    is_future,
    parse_verdict,
    read_reviewed,
    with_review_columns,
)
from vnmisinfo.data.schema import is_missing, joined_text, resolve_columns
from vnmisinfo.report.page import _script_json
from vnmisinfo.text.normalize import remove_controls, show_controls

__all__ = [
    "AUTHOR_TYPES",
    "BEST_RATING",
    "CLAIM_CHARS",
    "PLACEHOLDER_URL",
    "RATINGS",
    "WORST_RATING",
    "ReviewError",
    "check_claimreview",
    "draft_claimreview",
    "draft_line",
    "drafts_from_csv",
    "drafts_from_rows",
    "short_claim",
    "write_drafts",
]

#: Rating scale: 1 (false) .. 5 (true); a misinformation row is drafted with one of these.
BEST_RATING = 5
WORST_RATING = 1
#: rating -> (ratingValue, alternateName in Vietnamese).
RATINGS: dict[str, tuple[int, str]] = {
    "false": (1, "Sai"),
    "fabricated": (1, "Bịa đặt"),
    "misleading": (2, "Gây hiểu lầm"),
    "missing_context": (3, "Thiếu bối cảnh"),
}
#: Placeholder address of the fact-check article: replace before publishing.
PLACEHOLDER_URL = "https://example.org/fact-check/TODO-{id}"
#: The longest ``claimReviewed`` taken from a post's text (no claim filled in), "…" included.
CLAIM_CHARS = 300
#: The schema.org types an ``author_type`` may give the claim's author.
AUTHOR_TYPES = ("Person", "Organization", "NewsMediaOrganization", "GovernmentOrganization")

# the columns of a reviewed file that a draft reads (besides the text and the title)
_COLUMNS = ("verdict", "rating", "narrative_id", "url", "appearance", "date", "claim", "author",
           "author_type", "id")

_URL_RE = re.compile(r"^https?://\S*[^\s,;]$", re.IGNORECASE)
# addresses in one cell: split at spaces and ';', and at a comma before a space, the end or
# the next address (a comma inside an address stays)
_URL_SPLIT_RE = re.compile(r"[\s;]+|,+(?=\s|$|https?://)", re.IGNORECASE)
_SLUG_RE = re.compile(r"[^A-Za-z0-9_.+\-]+")
# an id a spreadsheet turned into a number in scientific notation (4.40E+03): digits are lost
_SCIENTIFIC_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?E[+-]?\d+$", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?…]+(?=\s)")


class ReviewError(ValueError):
    """A reviewed row cannot be drafted; the message names the row and the fix."""


def _cell(row: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if not is_missing(value):
            text = str(value).strip()
            if text:
                return text
    return ""


def short_claim(text: str, limit: int = CLAIM_CHARS) -> str:
    r"""A post's text as a short claim: no control characters, spaces collapsed, and at most
    ``limit`` characters.

    A longer text is cut after its last sentence that fits, when the sentences that fit
    fill at least a third of ``limit``, else after its last word that fits, and "…"
    marks the cut.

    Examples
    --------
    >>> short_claim("Tỏi  chữa\x1b covid.\nChia sẻ ngay")
    'Tỏi chữa covid. Chia sẻ ngay'
    >>> short_claim("Uống nước chanh diệt virus. Bộ Y tế đã xác nhận điều này.", limit=40)
    'Uống nước chanh diệt virus. …'
    >>> short_claim("Uống nước chanh nóng diệt virus corona", limit=20)
    'Uống nước chanh…'
    """
    text = " ".join(remove_controls(text).split())
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text, 0, limit - 1)
            if m.end() <= limit - 2]
    if ends and ends[-1] >= limit // 3:
        return text[: ends[-1]] + " …"
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


def _given_claim(row: Mapping[str, Any],
                 narratives: Mapping[str, Mapping[str, Any]] | None) -> str:
    """The claim a reviewer wrote, else the catalogue claim of the row's narrative, else ''."""
    nid = _cell(row, "narrative_id")
    narrative = (narratives or {}).get(nid, {}) if nid else {}
    return remove_controls(_cell(row, "claim") or str(narrative.get("claim", ""))).strip()


def _claim_author(row: Mapping[str, Any], where: str) -> dict[str, str] | None:
    """``itemReviewed.author``: the row's ``author``, typed by ``author_type``."""
    author = remove_controls(_cell(row, "author")).strip()
    if not author:
        return None
    given = _cell(row, "author_type") or "Person"
    kind = next((t for t in AUTHOR_TYPES if t.lower() == given.lower()), None)
    if kind is None:
        raise ReviewError(f"{where}: author_type {given!r} is not one of "
                          f"{', '.join(AUTHOR_TYPES)}; fix it, or leave it blank for Person.")
    return {"@type": kind, "name": author}


def _claim_date(row: Mapping[str, Any], published: str, where: str) -> str:
    """``itemReviewed.datePublished``: the row's ``date``, checked; '' when blank."""
    seen = _cell(row, "date")
    if not seen:
        return ""
    if not check_date(seen):
        raise ReviewError(f"{where}: date {seen!r} is not a real date (YYYY, YYYY-MM or "
                          "YYYY-MM-DD).")
    if is_future(seen):
        raise ReviewError(f"{where}: date {seen!r} is after today; give the day the claim "
                          "appeared, or leave it blank.")
    if is_after(seen, _date.fromisoformat(published)):
        raise ReviewError(f"{where}: date {seen!r} (when the claim appeared) is after the "
                          f"review's datePublished {published}; fix the date, or give --date "
                          "the day the fact-check is published.")
    return seen


def _check_org(org: Any) -> None:
    if org is not None and not isinstance(org, str):
        raise TypeError(f"org must be a str, the name of the fact-checking organisation that "
                        f"authors the ClaimReview; got {type(org).__name__}: org=\"Tòa soạn A\".")
    if not org or not org.strip():
        raise ReviewError("the organisation name (--org) is required for the ClaimReview author.")


def draft_claimreview(row: Mapping[str, Any], *, org: str, date: str | None = None,
                      narratives: Mapping[str, Mapping[str, Any]] | None = None,
                      where: str = "row") -> dict[str, Any]:
    """One ClaimReview JSON-LD draft from one row a reviewer marked ``misinformation``.

    Parameters
    ----------
    row : mapping
        A reviewed row (see the module docstring for columns).
    org : str
        Name of the fact-checking organisation (``author``).
    date : str, optional
        ``datePublished`` (YYYY-MM-DD); today when omitted.
    narratives : mapping, optional
        Catalogue entries by id, to take the ``claim`` from ``narrative_id``.
    where : str
        How error messages name the row (e.g. ``"reviewed.csv line 4"``).

    Raises
    ------
    ReviewError
        If the row's verdict is not ``misinformation``, its rating, a date or its
        ``author_type`` is invalid, the claim's ``date`` is after ``date``, or its
        narrative id is unknown.
    """
    try:
        verdict = parse_verdict(row.get("verdict"))
    except ValueError as exc:
        raise ReviewError(f"{where}: {exc}.") from None
    if verdict != "misinformation":
        raise ReviewError(f"{where}: verdict is {verdict or 'blank'}; only rows a reviewer "
                          "marked 'misinformation' are drafted.")
    _check_org(org)
    published = date or _date.today().isoformat()
    if not check_date(published, partial=False):
        raise ReviewError(f"date {published!r} is not a real date in YYYY-MM-DD form.")
    if is_future(published):
        raise ReviewError(f"date {published!r} is after today; give the day the fact-check "
                          "is published, or leave it out for today.")
    nid = _cell(row, "narrative_id")
    if nid:
        if narratives is None or nid not in narratives:
            raise ReviewError(f"{where}: narrative_id {nid!r} is not in the catalogue; if it is "
                              "a narrative of your team's catalogue (the file given to 'score "
                              "--narratives'), pass that file with --catalogue FILE; else fix "
                              "the id or leave it blank.")
    # no rating given: the catalogue's verdict of the row's narrative (an old photo shown as
    # new is "missing_context", not "false"), else false
    known = str((narratives or {}).get(nid, {}).get("verdict", "")).lower() if nid else ""
    rating = _cell(row, "rating").lower() or (known if known in RATINGS else "false")
    if rating not in RATINGS:
        raise ReviewError(f"{where}: rating {rating!r} is not one of {', '.join(RATINGS)}.")
    text, title = _cell(row, "text"), _cell(row, "title")
    claim = (_given_claim(row, narratives)
             or short_claim(joined_text(text, title) if text else title))
    if not claim:
        raise ReviewError(f"{where}: no claim to review; fill the claim, title or text column.")
    value, name = RATINGS[rating]
    ident = _SLUG_RE.sub("-", _cell(row, "id") or nid or where).strip("-") or "draft"
    item: dict[str, Any] = {"@type": "Claim"}
    appearances = [u for u in _URL_SPLIT_RE.split(_cell(row, "url", "appearance")) if u]
    bad = [u for u in appearances if not _URL_RE.match(u)]
    if bad:
        raise ReviewError(f"{where}: appearance {bad[0]!r} is not an http(s) address.")
    if appearances:
        item["appearance"] = [{"@type": "CreativeWork", "url": u} for u in appearances]
    seen = _claim_date(row, published, where)
    if seen:
        item["datePublished"] = seen
    author = _claim_author(row, where)
    if author:
        item["author"] = author
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": PLACEHOLDER_URL.format(id=ident),
        "claimReviewed": claim,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": name,
        },
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": org.strip()},
        "datePublished": published,
        "inLanguage": "vi",
    }


def drafts_from_rows(rows: Iterable[Mapping[str, Any]], *, org: str, date: str | None = None,
                     narratives: Mapping[str, Mapping[str, Any]] | None = None,
                     skip_invalid: bool = False, first_line: int = 2, source: str = "row",
                     lines: Sequence[int] | None = None
                     ) -> tuple[list[dict[str, Any]], list[str]]:
    """Drafts for the rows marked ``misinformation``; other verdicts and blanks are skipped.

    Messages name a row by its line: ``lines[i]`` when given (the line each
    record starts on, as the table readers keep it), else ``i + first_line``.

    Parameters
    ----------
    rows : iterable of mapping
        Reviewed rows, one dict each (``frame.to_dict("records")`` for a DataFrame).
    org : str
        Name of the fact-checking organisation (``author``).

    Returns
    -------
    drafts : list of dict
    skipped : list of str
        One message per misinformation row that was skipped (only with ``skip_invalid``).

    Raises
    ------
    TypeError
        If ``rows`` is not an iterable of mappings (a DataFrame is not), or ``org``
        is not a str.
    ReviewError
        On an unknown verdict, or on the first misinformation row that cannot be
        drafted, unless ``skip_invalid``.

    Examples
    --------
    >>> drafts, _ = drafts_from_rows([{"verdict": "", "text": "a"},
    ...                               {"verdict": "reliable", "text": "b"},
    ...                               {"verdict": "Misinformation", "rating": "misleading",
    ...                                "text": "c"}], org="Tòa soạn A", date="2024-05-01")
    >>> [(d["claimReviewed"], d["reviewRating"]["alternateName"]) for d in drafts]
    [('c', 'Gây hiểu lầm')]
    """
    _check_org(org)
    if isinstance(rows, (str, bytes, Mapping)) or hasattr(rows, "columns"):
        fix = ("pass its rows: drafts_from_rows(frame.to_dict('records'), org=...)"
               if hasattr(rows, "columns") else "pass a list of them: [row]")
        raise TypeError(f"rows must be an iterable of mappings, one per reviewed row; got "
                        f"{type(rows).__name__}: {fix}.")
    drafts: list[dict[str, Any]] = []
    skipped: list[str] = []
    numbers: list[str] = []  # where an id reads as a spreadsheet's scientific notation
    from_post: list[str] = []  # where claimReviewed is the post's text: no claim written
    for i, row in enumerate(rows):
        where = f"{source} line {lines[i] if lines else i + first_line}"
        if not isinstance(row, Mapping):
            raise TypeError(f"{where}: each row must be a mapping of column to value (a dict); "
                            f"got {type(row).__name__}.")
        try:
            if parse_verdict(row.get("verdict")) != "misinformation":
                continue
        except ValueError as exc:
            if not skip_invalid:
                raise ReviewError(f"{where}: {exc}.") from None
            skipped.append(f"{where}: {exc}.")
            continue
        try:
            drafts.append(draft_claimreview(row, org=org, date=date, narratives=narratives,
                                            where=where))
        except ReviewError as exc:
            if not skip_invalid:
                raise
            skipped.append(str(exc))
            continue
        if _SCIENTIFIC_RE.match(_cell(row, "id")):
            numbers.append(f"{where} ({_cell(row, 'id')})")
        if not _given_claim(row, narratives):
            from_post.append(where.rpartition(" ")[2])
    if from_post:
        warnings.warn(f"{len(from_post)} draft(s) have no claim written, so their claimReviewed "
                      f"is the post's text, cut to at most {CLAIM_CHARS} characters (line(s) "
                      f"{', '.join(from_post[:10])}{' ...' if len(from_post) > 10 else ''}): "
                      "write the claim, a short sentence, in a claim column (or give the row a "
                      "narrative_id) before publishing.", stacklevel=2)
    if numbers:
        warnings.warn(f"{len(numbers)} id(s) look like numbers a spreadsheet rewrote in "
                      f"scientific notation, which loses digits: {', '.join(numbers[:5])}"
                      f"{' ...' if len(numbers) > 5 else ''}; their placeholder url keeps the "
                      "id as written. Check those rows against the queue file, and keep ids as "
                      "text in the spreadsheet.", stacklevel=2)
    return drafts, skipped


def drafts_from_csv(path: str | Path, *, org: str, date: str | None = None,
                    narratives: Mapping[str, Mapping[str, Any]] | None = None,
                    skip_invalid: bool = False, text_column: str | None = None
                    ) -> tuple[list[dict[str, Any]], list[str], int]:
    """Read a reviewed CSV (or JSONL or Parquet, by extension); returns (drafts, skipped
    messages, rows read).

    ``text_column`` names the post's text when it is not a known name (as for
    ``vnmisinfo queue`` and ``vnmisinfo feedback``).

    Raises
    ------
    ReviewError
        If the file has no ``verdict`` column, ``text_column`` is not one of its
        columns, or (without ``skip_invalid``) a row cannot be drafted.
    """
    path = Path(path)
    # as feedback reads them: missing, empty, folder and non-UTF-8 files are named with the fix,
    # and a cell written as '=... (kept from running in a spreadsheet) is read without its '
    frame = read_reviewed(path)
    try:  # Verdict, Narrative ID, note : named as the draft reads them
        frame = with_review_columns(frame, _COLUMNS, source=path.name)
    except ValueError as exc:
        raise ReviewError(str(exc)) from None
    fields = [str(c) for c in frame.columns]
    rows = [{k: "" if is_missing(v) else str(v) for k, v in zip(fields, values, strict=True)}
            for values in frame.itertuples(index=False, name=None)]
    if "verdict" not in fields:
        raise ReviewError(f"{path.name} has no 'verdict' column (columns: {fields}); a "
                          "reviewer marks each item misinformation, reliable or unsure.")
    found = resolve_columns(fields)
    if text_column is not None:
        if text_column not in fields:
            raise ReviewError(f"{path.name}: text column {text_column!r} not found; the "
                              f"columns are {fields}.")
        found["text"] = text_column
        for row in rows:
            row["text"] = row[text_column]
    for role in ("text", "title"):  # post_message, content, headline...
        column = found.get(role)
        if column not in (None, role) and role not in fields:
            for row in rows:
                row[role] = row[column]
    drafts, skipped = drafts_from_rows(rows, org=org, date=date, narratives=narratives,
                                       skip_invalid=skip_invalid, source=path.name,
                                       lines=frame.attrs.get("lines"))
    return drafts, skipped, len(rows)


def check_claimreview(doc: Mapping[str, Any]) -> list[str]:
    """Structural problems of a ClaimReview draft (empty when it is well formed).

    Examples
    --------
    >>> check_claimreview({"@type": "ClaimReview"})[0]
    "missing '@context'"
    """
    problems: list[str] = []
    for key in ("@context", "@type", "url", "claimReviewed", "reviewRating", "itemReviewed",
                "author", "datePublished", "inLanguage"):
        if key not in doc:
            problems.append(f"missing {key!r}")
    if problems:
        return problems
    if doc["@context"] != "https://schema.org" or doc["@type"] != "ClaimReview":
        problems.append("@context must be https://schema.org and @type ClaimReview")
    if not isinstance(doc["claimReviewed"], str) or not doc["claimReviewed"].strip():
        problems.append("claimReviewed must be a non-empty string")
    rating = doc["reviewRating"]
    if not isinstance(rating, dict) or rating.get("@type") != "Rating":
        problems.append("reviewRating must be a Rating")
    else:
        nums = [rating.get(k) for k in ("worstRating", "ratingValue", "bestRating")]
        ints = [n for n in nums if isinstance(n, int)]
        if len(ints) != 3 or not ints[0] <= ints[1] <= ints[2]:
            problems.append(f"rating must satisfy worstRating <= ratingValue <= bestRating: {nums}")
        if not isinstance(rating.get("alternateName"), str):
            problems.append("reviewRating.alternateName must be a string")
    item = doc["itemReviewed"]
    if not isinstance(item, dict) or item.get("@type") != "Claim":
        problems.append("itemReviewed must be a Claim")
    else:
        for app in item.get("appearance", []):
            if app.get("@type") != "CreativeWork" or not _URL_RE.match(str(app.get("url", ""))):
                problems.append(f"bad appearance {app!r}")
        claimant = item.get("author")
        if claimant is not None and (not isinstance(claimant, dict)
                                     or claimant.get("@type") not in AUTHOR_TYPES):
            problems.append(f"itemReviewed.author must be one of {', '.join(AUTHOR_TYPES)}")
    author = doc["author"]
    if (not isinstance(author, dict) or author.get("@type") != "Organization"
            or not author.get("name")):
        problems.append("author must be an Organization with a name")
    if not check_date(str(doc["datePublished"]), partial=False):
        problems.append("datePublished must be YYYY-MM-DD")
    elif isinstance(item, dict) and check_date(str(item.get("datePublished", ""))) and \
            is_after(str(item["datePublished"]), _date.fromisoformat(doc["datePublished"])):
        problems.append("itemReviewed.datePublished must not be after datePublished")
    return problems


def draft_line(draft: Mapping[str, Any]) -> str:
    r"""A draft as one line of JSON, safe inside ``<script type="application/ld+json">`` and
    on a terminal.

    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\u003c`` and so on (as
    the review page writes its data), so that a post's ``</script>`` cannot close
    the block, and control characters as ``\u001b`` and so on; it reads back as
    the same value.

    Examples
    --------
    >>> draft_line({"claimReviewed": "a</script>\x1b"})
    '{"claimReviewed":"a\\u003c/script\\u003e\\u001b"}'
    """
    return show_controls(_script_json(draft), for_json=True)


def write_drafts(drafts: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write drafts as JSON Lines (UTF-8, one JSON-LD object per line, :func:`draft_line`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for d in drafts:
            fh.write(draft_line(d) + "\n")
    return path
