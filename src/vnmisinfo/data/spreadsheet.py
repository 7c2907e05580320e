"""Cells a spreadsheet would run as formulas, made plain text for the files reviewers open.

Excel, LibreOffice and Google Sheets run a CSV cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab or a carriage return) as a formula:
``=HYPERLINK(...)`` shows a link, ``+cmd|' /C calc'!A0`` asks to start a
program.  The queue and the review page's reviewed CSV hold post texts, titles
and ids written by the public, so such a cell is written with a ``'`` first
(:func:`guard_formula`), which the spreadsheet shows as text.  A plain number
(``-5``, ``+84``, ``1.5``, ``2e3``) is no formula and stays as it is.  A cell
that already starts with ``'`` before a formula character gets one more, so that
every value comes back exactly.

The readers of reviewed CSV and TSV files remove that one ``'`` again
(:func:`unguard_formula`, :func:`unguard_frame`), so that texts are stored and
hashed as they were scored.  The review page's script applies the same rule.

Examples
--------
>>> [guard_formula(v) for v in ["=1+1", "+84 912 345 678", "-5", "@SUM(A1)", "'=x", "tin"]]
["'=1+1", "'+84 912 345 678", '-5', "'@SUM(A1)", "''=x", 'tin']
>>> all(unguard_formula(guard_formula(v)) == v for v in ["=1+1", "'=x", "''-a", "'tin", "-5"])
True
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["guard_formula", "guard_frame", "is_formula", "unguard_formula", "unguard_frame"]

# the first characters a spreadsheet reads as the start of a formula (OWASP "CSV injection")
_FORMULA_RE = re.compile(r"[=+\-@\t\r]")
# a plain number, which a spreadsheet reads as a number, not a formula; ASCII digits only
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula, under any ``'`` it starts with.

    Examples
    --------
    >>> is_formula("=HYPERLINK(1)"), is_formula("''-2+3"), is_formula("-2.5"), is_formula(" =1")
    (True, True, False, False)
    """
    bare = text.lstrip("'")
    return bool(_FORMULA_RE.match(bare)) and not _NUMBER_RE.fullmatch(bare)


def guard_formula(value: Any) -> Any:
    """``value`` with a ``'`` first when it is a text a spreadsheet would run as a formula.

    Anything that is not a str (numbers, None) is returned as it is.
    """
    return "'" + value if isinstance(value, str) and is_formula(value) else value


def unguard_formula(value: Any) -> Any:
    """``value`` without the ``'`` that :func:`guard_formula` put first; else as it is."""
    if isinstance(value, str) and value.startswith("'") and is_formula(value):
        return value[1:]
    return value


def _each_cell(frame: pd.DataFrame, change: Any) -> pd.DataFrame:
    """``frame`` with ``change`` applied to every cell and column name; the dtypes are kept
    (a column of whole numbers with a gap stays whole numbers)."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
            continue
        values = column.tolist()
        changed = [change(v) for v in values]
        if any(a is not b for a, b in zip(values, changed, strict=True)):
            out.isetitem(i, pd.Series(changed, index=out.index, dtype=column.dtype).array)
    out.columns = [change(c) for c in frame.columns]
    out.attrs = dict(frame.attrs)
    return out


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`guard_formula` applied to its texts and column names.

    Examples
    --------
    >>> guard_frame(pd.DataFrame({"id": ["+cmd", "a1"], "likes": [-5, 3]})).to_dict("list")
    {'id': ["'+cmd", 'a1'], 'likes': [-5, 3]}
    """
    return _each_cell(frame, guard_formula)


def unguard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`unguard_formula` applied to its texts and column names.

    Examples
    --------
    >>> unguard_frame(pd.DataFrame({"'=c": ["'+cmd", "'tin"]})).to_dict("list")
    {'=c': ['+cmd', "'tin"]}
    """
    return _each_cell(frame, unguard_formula)
