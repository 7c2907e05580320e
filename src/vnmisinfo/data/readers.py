"""Streaming readers for CSV, JSONL and Parquet inputs, one row at a time.

A reader yields ``(row, note)`` pairs: the row as a mapping of column name to
value, and ``"invalid UTF-8 replaced"`` when bytes that are not UTF-8 (or lone
UTF-16 surrogates) were replaced by U+FFFD, else None.  Malformed lines
(broken CSV quoting, a wrong number of fields, a JSONL line that is not a JSON
object or names a key twice) go to an ``on_bad(line, reason)`` callback, which
raises :class:`BadInputError` or records the line and lets the reader go on.  A
compressed file cut short or damaged calls ``on_bad(line, reason, ends=True)``
where it breaks: the rest of the file cannot be read, so a reader whose callback
returns stops there, and says where in ``cut``.

Examples
--------
>>> stream_format("posts.ndjson"), stream_format("posts.tsv"), stream_format("-")
('jsonl', 'csv', 'csv')
>>> column_map(["id", "post_message", "num_like_post"], None, None)
{'text': 'post_message', 'likes': 'num_like_post'}
>>> id_column_of(["post_id", "text"], None)
'post_id'
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from vnmisinfo.data.arrow_rows import batch_rows
from vnmisinfo.data.formats import (
    COMPRESSIONS,
    DAMAGED,
    JSON_ARRAY,
    allow_long_csv_fields,
    compression_of,
    extension_format,
    format_of,
    is_stream,
    iter_jsonl,
    open_input,
    readable_part_command,
    require_pyarrow,
    separator_hint,
)
from vnmisinfo.data.json_lines import load_line, object_problem
from vnmisinfo.data.schema import FRAME_COLUMNS, resolve_columns

__all__ = [
    "REPLACED_NOTE",
    "STREAM_FORMATS",
    "SURROGATE_RE",
    "BadInputError",
    "check_encoding",
    "check_header",
    "column_map",
    "id_column_of",
    "replace_surrogates",
    "stream_format",
]

#: File formats read and written in streams.
STREAM_FORMATS = ("csv", "jsonl", "parquet")
#: JSONL objects read ahead to find the columns (their keys together).
JSONL_LOOKAHEAD = 1000
#: Column names taken as the row id when no id column is named.
ID_NAMES = ("id", "post_id", "_id", "uid", "url")
#: Compressed files: those read (:data:`~vnmisinfo.data.formats.COMPRESSIONS`), and zstd.
_COMPRESSED = (*COMPRESSIONS, ".zst")
#: The note of a row whose bytes were not UTF-8 (each run of them is read as U+FFFD).
REPLACED_NOTE = "invalid UTF-8 replaced"
#: A JSON string with half of a surrogate pair ("\ud83d", a cut emoji): valid UTF-8 around it.
_BROKEN_ESCAPE = "broken \\u escape replaced"
# Lone surrogates: bytes that are not UTF-8 (read with "surrogateescape"), or "\ud800" escapes.
SURROGATE_RE = re.compile("[\ud800-\udfff]+")

#: One input row and its note.
Item = tuple[dict[str, Any], str | None]
#: ``on_bad(line, reason, ends=False)``: raises, or records the line and returns.
_BadLineHandler = Callable[..., None]


class BadInputError(ValueError):
    """A malformed input file (missing column, broken quoting, bad JSON line).

    The message names the line; ``line`` holds its number (1-based) when known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def stream_format(path: str | None, fmt: str | None = None, *, option: str = "--format",
                  reading: bool = False) -> str:
    """The format of a streamed file: ``fmt`` when given, else its extension.

    Standard input and output (``None`` or ``-``), and a named pipe or a
    device without an extension, default to CSV; ``.tsv`` files are CSV (read
    with a tab delimiter).  A file to read (``reading``) may be compressed
    (``posts.csv.gz``, ``.bz2``, ``.xz``: CSV or JSONL); an output may not.

    Parameters
    ----------
    path : str or None
        File path, ``-`` or None.
    fmt : {"csv", "jsonl", "parquet"}, optional
        The format, when the caller names it.
    option : str, default="--format"
        The command-line option that names it, for the message.

    Returns
    -------
    str
        One of :data:`STREAM_FORMATS`.

    Raises
    ------
    ValueError
        If ``fmt`` is unknown, the file is compressed in a way that is not read
        (an output, Parquet, ``.zst``), or its extension names none of the formats.

    Examples
    --------
    >>> stream_format("posts.jsonl.gz", reading=True), stream_format("posts.tsv.xz", reading=True)
    ('jsonl', 'csv')
    >>> stream_format("out.csv.gz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'out.csv.gz': output is written uncompressed; write it to standard output ...
    """
    if path not in (None, "-") and str(path).lower().endswith(_COMPRESSED):
        if not reading:
            raise ValueError(f"{path!r}: output is written uncompressed; write it to standard "
                             f"output and compress that: ... -o - | gzip > {path}")
        if compression_of(path) is None or extension_format(path, compressed=True) == "parquet":
            raise ValueError(f"{path!r} is compressed in a way that is not read here (.gz, .bz2 "
                             f"and .xz CSV or JSONL files are); decompress it first, or pipe "
                             f"it: zstdcat {path} | vnmisinfo score - --format csv")
    if fmt:
        return format_of(path, fmt, allowed=STREAM_FORMATS)
    if path in (None, "-"):
        return "csv"
    # A named pipe or a device (/dev/stdin, <(zcat ...)) says its format by its extension at most.
    found = format_of(path, allowed=(*STREAM_FORMATS, "tsv"), compressed=reading,
                      default="csv" if is_stream(path) else None, option=option)
    return "csv" if found == "tsv" else found


def replace_surrogates(value: str) -> str:
    """``value`` with each run of lone surrogates (bytes that were not UTF-8) as U+FFFD."""
    return SURROGATE_RE.sub("\ufffd", value)


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------

def _cut_reason(exc: BaseException) -> str:
    """What a compressed input cut short or damaged at a line says, after ``line N: ``."""
    return (f"the compressed input is cut short or damaged here ({exc}), so the rest of the "
            "file cannot be read")


def _cut_header(source: str, line: int, reason: str) -> BadInputError:
    """A compressed input damaged before its first row: nothing can be scored."""
    return BadInputError(f"line {line}: {reason}; no row before it can be read. Compress the "
                         f"whole file again, or look at what is readable: "
                         f"{readable_part_command(source)}", line=line)


def _lines(fh: IO[bytes]) -> Iterator[bytes | BaseException]:
    """The lines of ``fh``; a read error of a compressed file ends them, as the last item."""
    try:
        yield from fh
    except DAMAGED as exc:
        yield exc


def check_header(columns: list[str], where: str = "", what: str = "the CSV header",
                 line: int | None = 1) -> None:
    """Refuse a CSV header that names a column twice: one of the two would be lost.

    ``where`` (a file's name and ``": "``) starts the message; ``what`` says what
    names the columns, on ``line`` (a Parquet file's schema, on none).

    Examples
    --------
    >>> check_header(["id", "text", "id"])
    Traceback (most recent call last):
    ...
    vnmisinfo.data.readers.BadInputError: line 1: the CSV header names the columns ['id'] more than once; rename them so that every column can be kept.
    """  # noqa: E501
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    if doubled:
        at = f"line {line}: " if line is not None else ""
        raise BadInputError(f"{where}{at}{what} names the columns {doubled} more than once; "
                            "rename them so that every column can be kept.", line=line)


class _Reader:
    """Iterates ``(row, note)`` over an input; ``columns`` is known after the header."""

    _on_bad: _BadLineHandler

    columns: list[str]
    schema: Any = None
    #: Where a damaged compressed input stopped the reading: ``(line, reason)``.
    cut: tuple[int, str] | None = None
    #: The line of the row last yielded, where the format says it (JSONL).
    line: int | None = None
    #: Whether the input holds no line at all (a JSONL file with no object: no rows, and no
    #: columns to look for a text column in).
    empty: bool = False

    def __iter__(self) -> Iterator[Item]:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""

    def _stop(self, line: int, reason: str) -> None:
        """A damaged compressed input at ``line``: raise, or (when skipping) stop there."""
        self._on_bad(line, reason, ends=True)
        self.cut = (line, reason)


class _CsvReader(_Reader):
    def __init__(self, source: str, on_bad: _BadLineHandler, delimiter: str = ",") -> None:
        allow_long_csv_fields()
        if source == "-":
            self._fh: IO[str] = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig",
                                                 errors="surrogateescape", newline="")
            self._own = False
        else:
            self._fh = open_input(source, "rt", encoding="utf-8-sig", errors="surrogateescape",
                                  newline="")
            self._own = True
        self._on_bad = on_bad
        self._compressed = compression_of(source) is not None
        self._reader = csv.reader(self._fh, strict=True, delimiter=delimiter)
        try:
            header = next(self._reader)
        except StopIteration:
            raise BadInputError("the input is empty: expected a CSV header row "
                                "(column names, one of them the text).", line=1) from None
        except DAMAGED as exc:
            if not self._compressed:
                raise
            raise _cut_header(source, 1, _cut_reason(exc)) from None
        except csv.Error as exc:
            raise BadInputError(f"line 1: unreadable CSV header ({exc}).", line=1) from None
        self.columns = [replace_surrogates(h) for h in header]
        check_header(self.columns)
        self._last = self._reader.line_num

    def _next_row(self) -> list[str] | None:
        """The next well-formed row (blank lines skipped); None at the end of the file."""
        n, reader = len(self.columns), self._reader
        while True:
            start = self._last + 1
            try:
                row = next(reader)
            except StopIteration:
                return None
            except DAMAGED as exc:
                if not self._compressed:
                    raise
                self._stop(start, _cut_reason(exc))
                return None
            except csv.Error as exc:
                self._last = reader.line_num
                reason = ("unterminated quoted field (the quote runs to the end of the file)"
                          if "unexpected end of data" in str(exc) else f"broken quoting: {exc}")
                self._on_bad(start, reason)
                continue
            self._last = reader.line_num
            if len(row) == n:
                return row
            if row:
                self._on_bad(start, f"expected {n} fields, found {len(row)}")
            elif n == 1:
                return [""]
            # else a blank line

    def __iter__(self) -> Iterator[Item]:
        columns = self.columns
        while (row := self._next_row()) is not None:
            note = None
            if SURROGATE_RE.search("".join(row)):
                row = [replace_surrogates(v) for v in row]
                note = REPLACED_NOTE
            yield dict(zip(columns, row, strict=True)), note

    def close(self) -> None:
        if self._own:
            self._fh.close()


class _JsonlReader(_Reader):
    def __init__(self, source: str, on_bad: _BadLineHandler) -> None:
        self._fh: IO[bytes] = sys.stdin.buffer if source == "-" else open_input(source, "rb")
        self._own = source != "-"
        self._compressed = compression_of(source) is not None
        self._on_bad = on_bad
        self._replaced = False  # whether the line being parsed had bytes that are not UTF-8
        self._line = ""  # the line being parsed
        self._lines_read = 0  # lines with anything on them, read or refused
        self._items = self._objects()
        # Objects may differ in keys: the columns are those of the first objects together.
        self._head = list(itertools.islice(self._items, JSONL_LOOKAHEAD))
        self.columns = list(dict.fromkeys(k for _, (obj, _) in self._head for k in obj))
        if not self._head and self.cut is not None:
            self.close()
            raise _cut_header(source, *self.cut)
        self.empty = not self._head and not self._lines_read

    def _decoded(self) -> Iterator[str]:
        lines = _lines(self._fh) if self._compressed else self._fh
        for number, raw in enumerate(lines, start=1):
            if isinstance(raw, BaseException):
                self._stop(number, _cut_reason(raw))
                return
            try:
                line = raw.decode("utf-8")
                self._replaced = False
            except UnicodeDecodeError:
                line = raw.decode("utf-8", "replace")
                self._replaced = True
            self._line = line
            yield line

    def _objects(self) -> Iterator[tuple[int, Item]]:
        # iter_jsonl reads one line per value, so ``_replaced`` is that of the line yielded.
        first = True
        for lineno, obj, error in iter_jsonl(self._decoded(), invalid="invalid JSON",
                                             loads=load_line):
            self._lines_read += 1
            # a JSON array on one line, or written over many (indented): its first line is "["
            opens = first and error is not None and self._line.lstrip("\ufeff \t").startswith("[")
            first = False
            if opens or (isinstance(obj, list) and obj
                         and all(isinstance(o, dict) for o in obj[:10])):
                raise BadInputError(f"line {lineno}: {JSON_ARRAY}", line=lineno)
            if error is None and type(obj) is not dict:  # not one row: say why
                error = object_problem(obj)
            if error is not None:
                self._on_bad(lineno, error)
                continue
            note = REPLACED_NOTE if self._replaced else None
            for k, v in obj.items():
                if isinstance(v, str) and SURROGATE_RE.search(v):
                    obj[k] = replace_surrogates(v)
                    note = note or _BROKEN_ESCAPE
            yield lineno, (obj, note)

    def __iter__(self) -> Iterator[Item]:
        head, self._head = self._head, []
        for line, item in itertools.chain(head, self._items):
            self.line = line
            yield item

    def close(self) -> None:
        if self._own:
            self._fh.close()


class _ParquetReader(_Reader):
    def __init__(self, source: str, batch_size: int) -> None:
        pa = require_pyarrow()
        # Parquet is read by seeking: a stream (stdin, a named pipe) is buffered in memory.
        if source == "-":
            src: Any = io.BytesIO(sys.stdin.buffer.read())
        else:
            src = source if Path(source).is_file() else io.BytesIO(Path(source).read_bytes())
        self._file = pa.parquet.ParquetFile(src)
        self.schema = self._file.schema_arrow
        self.columns = list(self.schema.names)
        try:
            check_header(self.columns, what="the Parquet file's schema", line=None)
        except BadInputError as exc:
            self._file.close()
            name = source if source != "-" else "in.parquet"
            raise BadInputError(f"{exc} With pyarrow: pq.write_table(pq.read_table({name!r})"
                                f".rename_columns({self.columns!r}), 'fixed.parquet'), the "
                                "names changed.") from None
        self._batch_size = batch_size

    def __iter__(self) -> Iterator[Item]:
        for batch in self._file.iter_batches(batch_size=self._batch_size):
            yield from batch_rows(batch)

    def close(self) -> None:
        self._file.close()


def check_encoding(source: str, fmt: str) -> None:
    """Refuse a CSV, TSV or JSONL file in UTF-16, or a compressed one that cannot be read.

    Only the first bytes are read; a stream, a Parquet file or a missing file
    is not checked here.

    Raises
    ------
    BadInputError
        Naming the file and how to re-save it.
    """
    if fmt not in ("csv", "tsv", "jsonl") or not Path(source).is_file():
        return
    with open_input(source, "rb") as fh:
        try:
            start = fh.read(2)
        except DAMAGED as exc:
            raise BadInputError(f"input {source!r} is not a readable {Path(source).suffix} "
                                f"file ({exc}); check how it was compressed, or decompress "
                                "it first.") from None
    if start in (b"\xff\xfe", b"\xfe\xff"):
        raise BadInputError(f"input {source!r} is UTF-16 text; re-save it as UTF-8, e.g. iconv "
                            f"-f UTF-16 -t UTF-8 {source} > utf8.{fmt}", line=1)


def _open_reader(source: str, fmt: str, on_bad: _BadLineHandler, chunksize: int) -> _Reader:
    """Open ``source`` (a path or ``-``) for reading in ``fmt``; the header is read here.

    A named pipe or a device is read as a stream, like ``-``.
    """
    if source != "-":
        if not Path(source).exists():
            raise FileNotFoundError(f"input file {source!r} not found.")
        if Path(source).is_dir():
            raise IsADirectoryError(f"input {source!r} is a folder; expected a CSV, JSONL or "
                                    "Parquet file, or - for standard input.")
        check_encoding(source, fmt)
    if fmt == "csv":
        delimiter = "\t" if extension_format(source, compressed=True) == "tsv" else ","
        return _CsvReader(source, on_bad, delimiter)
    if fmt == "jsonl":
        return _JsonlReader(source, on_bad)
    return _ParquetReader(source, chunksize)


# ---------------------------------------------------------------------------
# Column roles
# ---------------------------------------------------------------------------

def column_map(columns: list[str], text_column: str | None,
               overrides: Mapping[str, str] | None) -> dict[str, str]:
    """Map column roles (``text``, ``title``, ``likes``, ...) to the input's columns.

    Parameters
    ----------
    columns : list of str
        The input's columns.
    text_column : str, optional
        The text column, when not a known name.
    overrides : mapping, optional
        Further roles, e.g. ``{"likes": "n_likes"}``.

    Returns
    -------
    dict
        Role to column name; always has ``text``.

    Raises
    ------
    ValueError
        If a role in ``overrides`` is unknown.
    BadInputError
        If a named column is missing, or no text column is found.
    """
    found = resolve_columns(columns)
    named = {**(overrides or {}), **({"text": text_column} if text_column else {})}
    for canonical, name in named.items():
        if canonical not in FRAME_COLUMNS:
            raise ValueError(f"unknown column role {canonical!r}; expected one of "
                             f"{', '.join(FRAME_COLUMNS)}.")
        if name not in columns:
            raise BadInputError(f"line 1: {canonical} column {name!r} not found; the columns are "
                                f"{columns}.", line=1)
        found[canonical] = name
    if not columns:
        raise BadInputError("the input is empty: no row with any column; expected a header "
                            "row (CSV) or one JSON object per line (JSONL).", line=1)
    if "text" not in found:
        hint = separator_hint(columns)
        hint = f"; {hint}" if hint else ""
        raise BadInputError(
            f"line 1: no text column among {columns} (a CSV file's header, or the keys of the "
            f"first {JSONL_LOOKAHEAD:,} objects of a JSONL file){hint}; name it 'text' or "
            "'post_message', or pass --text-column NAME.", line=1)
    return found


def id_column_of(columns: list[str], id_column: str | None) -> str | None:
    """The id column: ``id_column`` when given, else the first of :data:`ID_NAMES` present.

    Raises
    ------
    BadInputError
        If ``id_column`` is not among ``columns``.
    """
    if id_column is not None:
        if id_column not in columns:
            raise BadInputError(f"line 1: id column {id_column!r} not found; the columns are "
                                f"{columns}.", line=1)
        return id_column
    lower = {c.lower(): c for c in columns}
    return next((lower[n] for n in ID_NAMES if n in lower), None)
