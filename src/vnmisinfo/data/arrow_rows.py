"""Arrow record batches (Parquet input) as rows of Python values, every cell kept.

Python's dates stop at the years 1 and 9999, and Arrow's go far beyond: a time
stored in seconds that was meant in milliseconds (``1_700_000_000_000``) is in
the year 55840.  :func:`batch_rows` reads such a cell as :class:`OutOfRange`:
its ISO 8601 text (written as it is to CSV and JSONL output) carrying the
stored integer (written back to Parquet output by :func:`stored_values`), and
notes it on its row, naming the column.  A whole batch is read at once as
before; only a column that holds such a cell is read cell by cell.

pyarrow is imported by the caller; this module only needs numpy.

Examples
--------
>>> cell = OutOfRange("55840-11-08 22:13:20", 1_700_000_000_000)
>>> cell, cell.raw
('55840-11-08 22:13:20', 1700000000000)
>>> stored_values([{"t": [cell]}, "text"])
[{'t': [1700000000000]}, 'text']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["OutOfRange", "batch_columns", "batch_rows", "stored_values"]


class OutOfRange(str):
    """A date or time that Python cannot hold: its ISO 8601 text, and the stored integer.

    ``raw`` is the value as Arrow stores it (seconds, milliseconds ... since 1970
    for a timestamp, days for a date), so that Parquet output keeps it exactly.
    """

    raw: int

    def __new__(cls, text: str, raw: int) -> OutOfRange:
        self = super().__new__(cls, text)
        self.raw = raw
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled for worker processes as it is
        return (OutOfRange, (str(self), self.raw))


def _temporal_text(scalar: Any) -> tuple[str, str]:
    """The ISO text of a date, time or duration beyond Python's range, and what to call it."""
    import pyarrow as pa

    typ, value = scalar.type, scalar.value
    if pa.types.is_date(typ):  # date32 counts days, date64 milliseconds
        day = np.datetime64(value, "D" if pa.types.is_date32(typ) else "ms")
        return str(day.astype("datetime64[D]")), "outside years 1-9999"
    if pa.types.is_duration(typ):
        return str(np.timedelta64(value, typ.unit)), "out of Python's range"
    unit = typ.unit
    text = str(np.datetime64(value, unit)).replace("T", " ")
    return text + ("+00:00" if typ.tz else ""), "outside years 1-9999"


def _cell(scalar: Any, found: list[str]) -> Any:
    """``scalar`` as a Python value; a part beyond Python's dates as :class:`OutOfRange`.

    ``found`` gets what was out of range, for the row's note.
    """
    try:
        return scalar.as_py()
    except OverflowError:
        pass
    import pyarrow as pa

    typ = scalar.type
    if pa.types.is_struct(typ):
        return {name: _cell(scalar[name], found) for name in scalar.keys()}
    if pa.types.is_map(typ):
        return [(_cell(pair["key"], found), _cell(pair["value"], found))
                for pair in scalar.values]
    if pa.types.is_nested(typ):  # the lists
        return [_cell(item, found) for item in scalar.values]
    if not pa.types.is_temporal(typ):
        return scalar.as_py()  # pragma: no cover - only dates, times and durations overflow
    text, why = _temporal_text(scalar)
    found.append(why)
    return OutOfRange(text, int(scalar.value))


def _column_cells(name: str, column: Any, notes: list[str | None]) -> list[Any]:
    """The cells of one column, read one at a time; a row with one out of range is noted."""
    values = []
    for i, scalar in enumerate(column):
        found: list[str] = []
        values.append(_cell(scalar, found))
        if found:
            note = f"{name} {found[0]}"
            notes[i] = note if notes[i] is None else f"{notes[i]}; {note}"
    return values


def batch_rows(batch: Any) -> list[tuple[dict[str, Any], str | None]]:
    """The rows of a record batch, each with its note (None, or the columns out of range).

    Examples
    --------
    >>> import pyarrow as pa
    >>> when = pa.array([1_700_000_000, 1_700_000_000_000], pa.timestamp("s"))
    >>> rows = batch_rows(pa.record_batch({"id": [1, 2], "created": when}))
    >>> rows[1]
    ({'id': 2, 'created': '55840-11-08 22:13:20'}, 'created outside years 1-9999')
    >>> rows[0][0]["created"].year, rows[0][1]
    (2023, None)
    """
    try:
        return [(row, None) for row in batch.to_pylist()]
    except OverflowError:
        pass
    columns, notes = batch_columns(batch)
    names = list(columns)
    return [(dict(zip(names, cells, strict=True)), note)
            for cells, note in zip(zip(*columns.values(), strict=True), notes, strict=True)]


def batch_columns(batch: Any) -> tuple[dict[str, list[Any]], list[str | None]]:
    """The cells of a record batch (or table) column by column, as :func:`batch_rows` reads
    them, and each row's note (None, or the columns out of range).

    Examples
    --------
    >>> import pyarrow as pa
    >>> ids = pa.array([None, 9007199254740993], pa.int64())
    >>> batch_columns(pa.table({"id": ids, "flag": pa.array([True, None])}))
    ({'id': [None, 9007199254740993], 'flag': [True, None]}, [None, None])
    """
    notes: list[str | None] = [None] * batch.num_rows
    columns = {}
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        try:
            columns[name] = column.to_pylist()
        except OverflowError:
            columns[name] = _column_cells(name, column, notes)
    return columns, notes


def stored_values(values: Iterable[Any]) -> list[Any]:
    """``values`` with each :class:`OutOfRange` (in lists and dicts too) as its stored integer.

    Arrow takes that integer for a date or time column, so Parquet output keeps the
    input's value exactly.
    """
    return [_stored(v) for v in values]


def _stored(value: Any) -> Any:
    if isinstance(value, OutOfRange):
        return value.raw
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_stored(v) for v in value)
    return value
