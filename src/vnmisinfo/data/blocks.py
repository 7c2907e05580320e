"""Cut a CSV or Parquet file into blocks of rows, and read one block.

A CSV file can be read in parallel only if each reader starts on the first
byte of a row.  A quoted field may span lines (posts often do), so a block
cannot start at just any line break: :func:`csv_blocks` reads the file once
with the :mod:`csv` module and notes where every ``rows``-th row begins, and
:func:`read_csv_block` reads the rows between two such offsets.  No reader
ever holds more than its own block.  A Parquet file is cut along its row
groups, and a row group larger than a block into slices of it
(:func:`parquet_blocks`, :func:`read_parquet_block`): a reader then holds one
row group at most, never the whole file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from vnmisinfo.data.formats import allow_long_csv_fields
from vnmisinfo.data.readers import REPLACED_NOTE, SURROGATE_RE, replace_surrogates

__all__ = ["READ_NOTE", "CsvBlocks", "csv_blocks", "parquet_blocks", "read_csv_block",
           "read_parquet_block"]

#: The column of a block's row notes, asked for with ``notes=True``: what reading the row
#: changed (None, or e.g. ``invalid UTF-8 replaced``), as the file readers note it.  No file
#: can have a column of that name.
READ_NOTE = "\x00read note"


@dataclass(frozen=True)
class CsvBlocks:
    """A CSV file's header, its data rows and the byte ranges of its blocks.

    Attributes
    ----------
    header : list of str
        Column names, from the first row.
    rows : int
        Data rows (blank lines not counted).
    ranges : list of tuple of int
        ``(start, end)`` byte offsets of each block; each starts on a row.
    """

    header: list[str]
    rows: int
    ranges: list[tuple[int, int]]


def csv_blocks(path: str, rows: int, delimiter: str = ",") -> CsvBlocks:
    """Read ``path`` once and cut it into blocks of ``rows`` data rows.

    Parameters
    ----------
    path : str
        A UTF-8 CSV file with a header row (a byte-order mark is allowed).
    rows : int
        Data rows per block; the last block holds the rest.
    delimiter : str, default=","
        The field separator.

    Returns
    -------
    CsvBlocks

    Raises
    ------
    vnmisinfo.data.readers.BadInputError
        The file is empty, its quoting is broken, a row has more or fewer fields
        than the header, or the header repeats a name.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "posts.csv")
    >>> with open(path, "w", encoding="utf-8") as fh:
    ...     _ = fh.write('id,text\\n1,"two\\nlines"\\n2,b\\n3,c\\n')
    >>> blocks = csv_blocks(path, rows=2)
    >>> blocks.header, blocks.rows, len(blocks.ranges)
    (['id', 'text'], 3, 2)
    >>> read_csv_block(path, blocks.ranges[0], blocks.header)["text"].tolist()
    ['two\\nlines', 'b']
    """
    from vnmisinfo.data.readers import BadInputError, check_header

    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}.")
    allow_long_csv_fields()
    at = 0  # bytes handed to the reader so far: the end of the row it last returned

    def lines(fh: io.BufferedReader) -> Iterator[str]:
        nonlocal at
        for number, raw in enumerate(fh):
            at += len(raw)
            line = raw.decode("utf-8", errors="replace")
            yield line.removeprefix("\ufeff") if number == 0 else line

    count = blank = 0
    starts: list[int] = []
    with open(path, "rb") as fh:
        reader = csv.reader(lines(fh), delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
            width = len(header or ())
            begin = at  # the reader asks for a line only when a row needs it
            line = reader.line_num + 1  # where the next row starts
            for row in reader:
                if not row:
                    blank += 1
                elif len(row) != width:
                    raise BadInputError(
                        f"{path}: line {line}: expected {width} fields, found {len(row)}; fix "
                        "the file, or score it without --engine dask and with "
                        "--skip-bad-lines.", line=line)
                else:
                    if count % rows == 0:
                        starts.append(begin)
                    count += 1
                    begin = at
                line = reader.line_num + 1
        except csv.Error as exc:
            raise BadInputError(f"{path}: line {reader.line_num}: broken CSV quoting ({exc}); "
                                "fix the file, or score it without --engine dask and with "
                                "--skip-bad-lines.", line=reader.line_num) from None
    if header is None:
        raise BadInputError(f"{path} is empty: expected a CSV header row (column names, one "
                            "of them the text).", line=1)
    check_header(header, f"{path}: ")
    starts = starts or [at]
    return CsvBlocks(header, count, list(zip(starts, [*starts[1:], at], strict=True)))


def read_csv_block(path: str, span: tuple[int, int], header: list[str],
                   delimiter: str = ",", *, notes: bool = False) -> pd.DataFrame:
    """The rows of ``path`` from byte ``span[0]`` to ``span[1]``, every cell as text.

    Parameters
    ----------
    path : str
        The CSV file.
    span : tuple of int
        A block's byte range, from :func:`csv_blocks`.
    header : list of str
        The file's column names.
    delimiter : str, default=","
        The field separator.
    notes : bool, default=False
        Add the column :data:`READ_NOTE`: ``invalid UTF-8 replaced`` for a row whose
        bytes were not UTF-8, else None.

    Returns
    -------
    pandas.DataFrame
        One column per name of ``header``, as Python strings; empty cells are ``""``.
        Bytes that are not UTF-8 read as U+FFFD, a run of them as one, as the file
        readers read them.
    """
    start, end = span
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    if not data.strip():
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in header})
        return frame.assign(**{READ_NOTE: pd.Series(dtype=object)}) if notes else frame
    frame = pd.read_csv(io.BytesIO(data), header=None, names=header, dtype=object,
                        keep_default_na=False, sep=delimiter, encoding="utf-8",
                        encoding_errors="surrogateescape", index_col=False)
    bad = pd.Series(False, index=frame.index)
    try:
        data.decode("utf-8")  # one pass in C; only a block that is not UTF-8 is searched
    except UnicodeDecodeError:
        for name in frame.columns:
            broken = frame[name].str.contains(SURROGATE_RE)
            if broken.any():
                frame.loc[broken, name] = frame.loc[broken, name].map(replace_surrogates)
                bad |= broken
    if notes:
        frame[READ_NOTE] = pd.Series([REPLACED_NOTE if b else None for b in bad.tolist()],
                                     index=frame.index, dtype=object)
    return frame


def parquet_blocks(path: str, rows: int) -> list[tuple[int, int, int]]:
    """``(row group, first row, end row)`` of each block of ``rows`` rows of a Parquet file.

    Blocks never cross a row group; a row group of more than ``rows`` rows is
    cut into slices, and a file without rows gives one empty block.

    Parameters
    ----------
    path : str
        A Parquet file.
    rows : int
        Rows per block at most.

    Returns
    -------
    list of tuple of int

    Examples
    --------
    >>> import tempfile, os, pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "posts.parquet")
    >>> pd.DataFrame({"text": list("abcde")}).to_parquet(path, row_group_size=3)
    >>> parquet_blocks(path, rows=2)
    [(0, 0, 2), (0, 2, 3), (1, 0, 2)]
    """
    from vnmisinfo.data.formats import require_pyarrow

    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}.")
    meta = require_pyarrow().parquet.read_metadata(path)
    blocks = [(group, lo, min(lo + rows, size))
              for group in range(meta.num_row_groups)
              for size in [meta.row_group(group).num_rows]
              for lo in range(0, size, rows)]
    return blocks or [(0, 0, 0)]


def read_parquet_block(path: str, block: tuple[int, int, int], columns: list[str],
                       values: dict[str, Any] | None = None, *,
                       notes: bool = False) -> pd.DataFrame:
    """The ``columns`` of one block of :func:`parquet_blocks`, with a fresh index.

    Parameters
    ----------
    path : str
        The Parquet file.
    block : tuple of int
        ``(row group, first row, end row)``.
    columns : list of str
        The columns to read.
    values : dict, optional
        Columns that the file does not hold, and their one value in every row (the
        ``key=value`` folders of a partitioned dataset); they come after ``columns``.
    notes : bool, default=False
        Add the column :data:`READ_NOTE`, last: the cells a row holds beyond Python's
        dates (``created outside years 1-9999``), as the file readers note them, else None.

    Returns
    -------
    pandas.DataFrame
        One column of Python values per name of ``columns``, as the local engine
        reads them (:func:`~vnmisinfo.data.arrow_rows.batch_columns`): an integer
        column with nulls keeps its exact integers (not floats), a null is None.

    Examples
    --------
    >>> import tempfile, os, pyarrow as pa, pyarrow.parquet as pq
    >>> path = os.path.join(tempfile.mkdtemp(), "posts.parquet")
    >>> pq.write_table(pa.table({"id": pa.array([None, 2**53 + 1], pa.int64())}), path)
    >>> read_parquet_block(path, (0, 0, 2), ["id"])["id"].tolist()
    [None, 9007199254740993]
    """
    from vnmisinfo.data.arrow_rows import batch_columns
    from vnmisinfo.data.formats import require_pyarrow

    group, lo, hi = block
    parquet = require_pyarrow().parquet.ParquetFile(path)
    if parquet.metadata.num_row_groups == 0:
        table = parquet.schema_arrow.empty_table().select(columns)
    else:
        table = parquet.read_row_group(group, columns=columns).slice(lo, hi - lo)
    cells, row_notes = batch_columns(table)
    cells.update({name: [value] * table.num_rows for name, value in (values or {}).items()})
    if notes:
        cells[READ_NOTE] = row_notes
    return pd.DataFrame({name: pd.Series(cells[name], dtype=object)
                         for name in [*columns, *(values or {}), *([READ_NOTE] * notes)]})
