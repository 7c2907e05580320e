"""The reviewers' vocabulary: one verdict scale and one date rule for every reviewed file.

A reviewed file (from ``vnmisinfo queue``, the review page or by hand) has a
``verdict`` column with one of :data:`VERDICTS`, case-insensitive; a blank
verdict means "not reviewed yet".  ``vnmisinfo feedback`` stores every verdict;
``vnmisinfo claimreview`` drafts only ``misinformation`` rows; ``vnmisinfo compare`` and
``vnmisinfo calibrate`` read the ``misinformation`` and ``reliable`` verdicts as labels
(:func:`reviewed_labels`, :func:`labelled_paths`).

Examples
--------
>>> parse_verdict(" Misinformation "), parse_verdict(""), parse_verdict(None)
('misinformation', None, None)
>>> parse_verdict("false")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: verdict 'false' is not one of misinformation, reliable, unsure (or blank ...)
>>> check_date("2024-02-29"), check_date("2024-13-45"), check_date("2023-02-29")
(True, False, False)
>>> is_future("2099"), is_future("2024-02")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from vnmisinfo.data.schema import find_columns, is_blank, is_missing
from vnmisinfo.data.spreadsheet import unguard_frame
from vnmisinfo.data.tables import read_any_table, table_format

__all__ = ["QUEUE_COLUMNS", "REVIEW_COLUMNS", "TIERS", "VERDICTS", "check_date", "is_after",
           "is_future", "labelled_paths", "parse_verdict", "read_reviewed", "review_rank",
           "reviewed_labels", "with_review_columns"]

#: What a reviewer may decide about an item.
VERDICTS = ("misinformation", "reliable", "unsure")
#: The columns a reviewer fills in.
REVIEW_COLUMNS = ("verdict", "narrative_id", "note")
#: Columns the review queue adds after the input's own, before the reviewer columns.
QUEUE_COLUMNS = ("vnm_queue_reason", "vnm_cluster_size")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
#: The review tiers, most urgent first.
TIERS = ("high", "medium", "low")
_TIER_RANK = {tier: len(TIERS) - 1 - i for i, tier in enumerate(TIERS)}


def review_rank(tier: Any, score: float, narrative: Any = None) -> tuple[int, float]:
    """Where an item comes in review order (the page, the queue): compare descending, the
    largest first.

    The tier counts first (``high``, ``medium``, ``low``, then anything else), then
    a known narrative (``narrative``: ``vnm_narrative_id``; one lifted to ``medium``
    by its match has a low score by definition), then the score.

    Examples
    --------
    >>> items = [("low", 0.7, None), ("medium", 0.3, "scam-001"), ("medium", 0.6, None)]
    >>> sorted(items, key=lambda i: review_rank(*i), reverse=True)[0]
    ('medium', 0.3, 'scam-001')
    """
    return 2 * _TIER_RANK.get(tier, -1) + int(not is_blank(narrative)), score


def parse_verdict(value: Any) -> str | None:
    """The verdict of a cell, lower-cased; None when blank.

    Raises
    ------
    ValueError
        If the cell holds anything other than a verdict of :data:`VERDICTS`.
    """
    if is_missing(value):
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    if text not in VERDICTS:
        raise ValueError(f"verdict {str(value).strip()!r} is not one of {', '.join(VERDICTS)} "
                         "(or blank for not reviewed)")
    return text


def check_date(value: str, *, partial: bool = True) -> bool:
    """Whether ``value`` is a real calendar date: YYYY-MM-DD, or YYYY / YYYY-MM when ``partial``."""
    m = _DATE_RE.match(value.strip()) if isinstance(value, str) else None
    if not m:
        return False
    year, month, day = m.groups()
    if day is None and not partial:
        return False
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def is_future(value: str) -> bool:
    """Whether a date :func:`check_date` accepts starts after today (``2099``, ``2099-01``)."""
    return is_after(value, date.today())


def is_after(value: str, day: date) -> bool:
    """Whether a date :func:`check_date` accepts starts after ``day``: ``2024-06`` is after
    2024-05-31, not after 2024-06-01.

    Examples
    --------
    >>> is_after("2024-06", date(2024, 5, 31)), is_after("2024-06", date(2024, 6, 1))
    (True, False)
    """
    m = _DATE_RE.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, first = m.groups()
    return date(int(year), int(month or 1), int(first or 1)) > day


def read_reviewed(path: str | Path, *, what: str = "a reviewed file with a verdict column"
                  ) -> pd.DataFrame:
    """Read a reviewed file (CSV, TSV, JSONL or Parquet) as every reviewed-file reader does.

    A CSV or TSV cell written with a ``'`` first, so that a spreadsheet shows it
    as text rather than running it as a formula (the queue and the review page
    write ``'=...``, ``'+...``; :mod:`vnmisinfo.data.spreadsheet`), is read
    without that ``'``: texts are stored and hashed as they were scored.

    Raises
    ------
    ValueError
        As :func:`~vnmisinfo.data.tables.read_any_table`: a plain-text file
        (naming ``what`` was expected), an unknown extension, or a missing,
        empty or malformed file.
    """
    frame = read_any_table(path, what=what)
    if table_format(Path(path), None) in ("csv", "tsv"):
        frame = unguard_frame(frame)
    return frame


def with_review_columns(frame: pd.DataFrame, names: Sequence[str] = REVIEW_COLUMNS, *,
                        source: str = "the reviewed file") -> pd.DataFrame:
    """``frame`` with the columns that stand for ``names`` named as those.

    A spreadsheet's headers are matched as the text column is
    (:func:`~vnmisinfo.data.schema.find_columns`): ``Verdict``, ``note `` and
    ``Narrative ID`` become ``verdict``, ``note`` and ``narrative_id``.  The
    frame's ``attrs`` (its lines) are kept.

    Raises
    ------
    ValueError
        If two columns, neither spelled as the name, read as one name (``Note`` and
        ``NOTE``); the message names both.

    Examples
    --------
    >>> f = pd.DataFrame({"Post_Message": ["Tin"], "Verdict ": ["reliable"], "Narrative ID": [""]})
    >>> list(with_review_columns(f).columns)
    ['Post_Message', 'verdict', 'narrative_id']
    """
    found = find_columns(list(frame.columns), names, source=source)
    renamed = {column: name for name, column in found.items() if column != name}
    if not renamed:
        return frame
    out = frame.rename(columns=renamed)
    out.attrs = dict(frame.attrs)
    return out


_VERDICT_LABELS = {"misinformation": 1, "reliable": 0}


def reviewed_labels(frame: pd.DataFrame, *, source: str = "reviewed file") -> pd.DataFrame:
    """A reviewed frame as a labelled one: ``verdict`` mapped to ``label``, other rows dropped.

    ``misinformation`` becomes 1 and ``reliable`` 0; ``unsure`` and blank
    verdicts are dropped.  ``vnm_*`` columns and the other review columns are
    dropped too.

    Raises
    ------
    ValueError
        If a verdict is not one of :data:`vnmisinfo.data.review.VERDICTS`
        (the message names the row).

    Examples
    --------
    >>> f = pd.DataFrame({"text": ["tỏi chữa covid", "hà nội mưa", "?", "x"],
    ...                   "verdict": ["Misinformation", "reliable", "unsure", ""],
    ...                   "vnm_score": [0.9, 0.1, 0.5, 0.5]})
    >>> reviewed_labels(f).to_dict("list")
    {'text': ['tỏi chữa covid', 'hà nội mưa'], 'label': [1, 0]}
    """
    frame = with_review_columns(frame, source=source)
    lines = frame.attrs.get("lines") or list(range(2, len(frame) + 2))
    verdicts = []
    for line, value in zip(lines, frame["verdict"], strict=True):
        try:
            verdicts.append(parse_verdict(value))
        except ValueError as exc:
            raise ValueError(f"{source}, line {line}: {exc}.") from None
    labels = pd.Series([_VERDICT_LABELS.get(v) if v else None for v in verdicts],
                       index=frame.index, dtype=object)
    keep = labels.notna().to_numpy()
    drop = [c for c in frame.columns
            if c.startswith("vnm_") or c in REVIEW_COLUMNS or c == "label"]
    out = frame.loc[keep].drop(columns=drop).reset_index(drop=True)
    out["label"] = labels[keep].astype(int).to_numpy()
    return out


def labelled_paths(paths: Sequence[str | Path], folder: Path) -> tuple[list[Path], list[dict]]:
    """Paths predict_files can read: labelled files as they are, reviewed files as labelled CSVs.

    A reviewed file (a ``verdict`` column, with any verdict filled in when it also has
    ``label``) is written to ``folder`` with :func:`reviewed_labels`; the second list says
    what was read from each file.

    Raises
    ------
    ValueError
        If a file has neither column, or no ``misinformation`` or ``reliable`` verdict.
    """
    ready, described = [], []
    for i, given in enumerate(paths):
        path = Path(given)
        raw = with_review_columns(read_reviewed(
            path, what="a file with a 'label' (0/1) or a 'verdict' column"), source=str(path))
        reviewed = "verdict" in raw.columns and (
            "label" not in raw.columns
            or raw["verdict"].map(lambda v: parse_verdict(v) is not None).any())
        if reviewed:
            labelled = reviewed_labels(raw, source=str(path))
            dropped = int(len(raw) - len(labelled))
            if labelled.empty:
                raise ValueError(f"{path}: no row has the verdict 'misinformation' or "
                                 f"'reliable' ({dropped} unsure or blank); review some first.")
            target = folder / str(i) / f"{path.stem}.csv"
            target.parent.mkdir(parents=True)
            labelled.to_csv(target, index=False)
            ready.append(target)
            described.append({"file": str(path), "labels": "verdict", "rows": int(len(raw)),
                              "unsure_or_blank_dropped": dropped})
        elif "label" in raw.columns:
            ready.append(path)
            described.append({"file": str(path), "labels": "label", "rows": int(len(raw))})
        else:
            raise ValueError(f"{path}: no 'label' (0/1) and no 'verdict' column; found "
                             f"{list(raw.columns)}. Pass reviewer-labelled files.")
    return ready, described
