"""The reviewers' vocabulary: one verdict scale and one date rule for every reviewed file.

A reviewed file (from ``vnmisinfo queue``, the review page or by hand) has a
``verdict`` column with one of :data:`VERDICTS`, case-insensitive; a blank
verdict means "not reviewed yet".  ``vnmisinfo feedback`` stores every verdict;
``vnmisinfo claimreview`` drafts only ``misinformation`` rows.

Examples
--------
>>> parse_verdict(" Misinformation "), parse_verdict(""), parse_verdict(None)
('misinformation', None, None)
>>> parse_verdict("false")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: verdict 'false' is not one of misinformation, reliable, unsure (or blank ...)
>>> check_date("2024-02-29"), check_date("2024-13-45")
(True, False)
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

__all__ = ["REVIEW_COLUMNS", "VERDICTS", "check_date", "parse_verdict"]

#: What a reviewer may decide about an item.
VERDICTS = ("misinformation", "reliable", "unsure")
#: The columns a reviewer fills in.
REVIEW_COLUMNS = ("verdict", "narrative_id", "note")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_verdict(value: Any) -> str | None:
    """The verdict of a cell, lower-cased; None when blank.

    Raises
    ------
    ValueError
        If the cell holds anything other than a verdict of :data:`VERDICTS`.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
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
