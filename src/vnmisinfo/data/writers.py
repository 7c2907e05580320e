"""Streaming writers for CSV, JSONL and Parquet outputs, a list of rows at a time.

Each writer writes rows (mappings) to a binary file handle, with the columns
fixed when it is opened; :func:`open_writer` picks one by format.  Lists,
tuples and dicts become JSON text in CSV cells and Parquet string columns;
NaN and infinities become ``null`` in JSONL.  Binary cells (a Parquet ``binary``
column) are written to CSV and JSONL as base64 text, which gives back their
bytes exactly; Parquet output keeps them binary.

Examples
--------
>>> import io
>>> buf = io.BytesIO()
>>> w = open_writer("csv", buf, ["id", "terms"])
>>> w.write([{"id": 1, "terms": ["a", "b"]}, {"id": 2}])
>>> w.finish()
>>> buf.getvalue().decode()
'id,terms\\n1,"[""a"", ""b""]"\\n2,\\n'
>>> csv_cell(b"\\xff\\x00 bytes")
'/wAgYnl0ZXM='
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from collections.abc import Mapping
from typing import IO, Any, Literal

from vnmisinfo.data.arrow_rows import stored_values
from vnmisinfo.data.formats import require_pyarrow

__all__ = ["csv_cell", "csv_quoting", "csv_text", "open_writer"]


_BINARY = (bytes, bytearray, memoryview)


def _text_of(value: Any) -> str:
    """What ``json.dumps`` writes for a value it has no JSON for: bytes as base64, else str."""
    return base64.b64encode(value).decode("ascii") if isinstance(value, _BINARY) else str(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_text_of)


def csv_cell(value: Any) -> Any:
    """A CSV cell: lists, tuples and dicts as JSON text, bytes as base64, anything else as
    it is."""
    if isinstance(value, (list, dict, tuple)):
        return _json_text(value)
    if isinstance(value, _BINARY):
        return _text_of(value)
    return value


def csv_text(value: Any) -> str:
    """The text of a cell in CSV output: empty for None, else :func:`csv_cell` as the csv
    module writes it.

    Examples
    --------
    >>> [csv_text(v) for v in (None, 9007199254740993, float("nan"), True, [1, 2])]
    ['', '9007199254740993', 'nan', 'True', '[1, 2]']
    """
    cell = _csv_field(value)
    return cell if isinstance(cell, str) else str(cell)


def _csv_field(value: Any) -> Any:
    """What the CSV writer hands the csv module for a cell."""
    return "" if value is None else csv_cell(value)


def _has_carriage_return(cells: Any) -> bool:
    return any(isinstance(v, str) and "\r" in v for v in cells)


def csv_quoting(frame: Any) -> Literal[0, 1]:
    r"""How to quote ``frame`` as CSV with ``\n`` line ends: every field when a text holds a
    carriage return, else as few as needed.

    The csv module (and pandas' ``to_csv``) quotes a field that holds the line end
    it writes, ``\n``, but not a lone ``\r``, which every reader takes for a line end:
    the row would be cut in two.

    Examples
    --------
    >>> import csv, pandas as pd
    >>> csv_quoting(pd.DataFrame({"t": ["a\rb"]})) == csv.QUOTE_ALL
    True
    >>> csv_quoting(pd.DataFrame({"t": ["a\nb"], "n": [1]})) == csv.QUOTE_MINIMAL
    True
    """
    texts = frame.select_dtypes(exclude="number")
    found = any(_has_carriage_return(texts[c].tolist()) for c in texts.columns)
    return 1 if found else 0  # csv.QUOTE_ALL, csv.QUOTE_MINIMAL


def _json_value(value: Any) -> Any:
    """A JSON value: NaN and infinities become None (``null``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value  # bytes: json.dumps reads them through _text_of (base64)


class _Writer:
    def __init__(self, fh: IO[bytes], columns: list[str], write_header: bool) -> None:
        self.fh = fh
        self.columns = columns

    def write(self, rows: list[dict[str, Any]]) -> None:  # pragma: no cover
        raise NotImplementedError

    def finish(self) -> None:
        """Flush buffered data (footers, for Parquet)."""


class _CsvWriter(_Writer):
    def __init__(self, fh: IO[bytes], columns: list[str], write_header: bool,
                 delimiter: str = ",") -> None:
        super().__init__(fh, columns, write_header)
        self._text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="",
                                      write_through=True)
        self._csv = csv.writer(self._text, lineterminator="\n", delimiter=delimiter)
        # a row with a lone carriage return is written with every field quoted (csv_quoting)
        self._quoted = csv.writer(self._text, lineterminator="\n", delimiter=delimiter,
                                  quoting=csv.QUOTE_ALL)
        if write_header:
            self._csv.writerow(columns)
            self._text.flush()

    def write(self, rows: list[dict[str, Any]]) -> None:
        cols = self.columns
        cells = [[_csv_field(r.get(c)) for c in cols] for r in rows]
        lone_cr = [_has_carriage_return(row) for row in cells]
        if any(lone_cr):
            for row, quote in zip(cells, lone_cr, strict=True):
                (self._quoted if quote else self._csv).writerow(row)
        else:
            self._csv.writerows(cells)
        self._text.flush()

    def finish(self) -> None:
        self._text.flush()
        self._text.detach()


class _JsonlWriter(_Writer):
    def write(self, rows: list[dict[str, Any]]) -> None:
        lines = []
        for r in rows:
            obj = {k: _json_value(v) for k, v in r.items()}
            lines.append(_json_text(obj))
        data = ("\n".join(lines) + "\n") if lines else ""
        self.fh.write(data.encode("utf-8", "replace"))


class _ParquetWriter(_Writer):
    def __init__(self, fh: IO[bytes], columns: list[str], write_header: bool,
                 schema: Any = None, types: Mapping[str, type] | None = None) -> None:
        super().__init__(fh, columns, write_header)
        pa = require_pyarrow()
        self._pa = pa
        input_types = {f.name: f.type for f in schema} if schema is not None else {}
        arrow = {float: pa.float64(), int: pa.int64(), bool: pa.bool_(), str: pa.string()}
        self._cast = {c: t for c, t in (types or {}).items() if c not in input_types}
        typed = {c: arrow[t] for c, t in self._cast.items()}
        self._passthrough = set(input_types)
        fields = [pa.field(c, input_types.get(c, typed.get(c, pa.string()))) for c in columns]
        self.schema = pa.schema(fields)
        self._writer = pa.parquet.ParquetWriter(pa.PythonFile(fh, mode="w"), self.schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        cols = {f.name: f.type for f in self.schema}
        data: dict[str, list[Any]] = {}
        for c, typ in cols.items():
            values = [r.get(c) for r in rows]
            cast = self._cast.get(c)
            if cast is not None and cast is not str:
                values = [None if v is None else cast(v) for v in values]
            elif c not in self._passthrough and typ == self._pa.string():
                values = [None if v is None else v if isinstance(v, str) else
                          _json_text(v) for v in values]
            data[c] = values
        try:
            table = self._pa.table(data, schema=self.schema)
        except (TypeError, ValueError):  # a date beyond Python's, read as text: write it back
            data = {c: stored_values(v) if c in self._passthrough else v
                    for c, v in data.items()}
            table = self._pa.table(data, schema=self.schema)
        self._writer.write_table(table)

    def finish(self) -> None:
        self._writer.close()


_WRITERS: dict[str, type[_Writer]] = {"csv": _CsvWriter, "jsonl": _JsonlWriter,
                                      "parquet": _ParquetWriter}


def open_writer(fmt: str, fh: IO[bytes], columns: list[str], write_header: bool = True,
                schema: Any = None, types: Mapping[str, type] | None = None, *,
                delimiter: str = ",") -> _Writer:
    """A writer of rows in ``fmt`` to ``fh``.

    Parameters
    ----------
    fmt : {"csv", "jsonl", "parquet"}
        Output format.
    fh : binary file
        Where to write; the writer does not close it.
    columns : list of str
        Output columns, in order (CSV and Parquet; JSONL writes each row's keys).
    write_header : bool, default=True
        Write the CSV header row (False when appending to a CSV file that has one).
        A Parquet file always gets its schema.
    schema : pyarrow.Schema, optional
        The input's Parquet schema: its columns keep their types.
    types : mapping, optional
        Column name to ``float``, ``int``, ``bool`` or ``str``: the Parquet type
        of columns not in ``schema`` (the others are text).
    delimiter : str, default=","
        The CSV field separator (a tab for a ``.tsv`` file).

    Returns
    -------
    writer
        With ``write(rows)``, ``finish()`` (call it once, at the end) and ``columns``.

    Raises
    ------
    ModuleNotFoundError
        If Parquet is asked for and pyarrow is missing.
    """
    if fmt == "parquet":
        return _ParquetWriter(fh, columns, True, schema, types)
    if fmt == "csv":
        return _CsvWriter(fh, columns, write_header, delimiter)
    return _WRITERS[fmt](fh, columns, write_header)
