"""Whole-table readers for labelled corpora: CSV, TSV, JSONL and Parquet, with line numbers.

Each reader keeps, in ``frame.attrs["lines"]``, the line on which each record
starts, so that errors and warnings can name it.
"""

from __future__ import annotations

import contextlib
import csv
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from vnmisinfo.data.formats import (
    DAMAGED,
    JSON_ARRAY,
    allow_long_csv_fields,
    compression_of,
    extension_format,
    format_of,
    iter_jsonl,
    open_input,
    readable_part_command,
    require_pyarrow,
    separator_hint,
)
from vnmisinfo.data.readers import SURROGATE_RE, replace_surrogates

__all__ = [
    "CorpusError", "EmptyTextWarning", "check_file", "read_any_table", "read_csv", "read_table",
    "read_texts", "table_format", "text_rows",
]


class CorpusError(ValueError):
    """A corpus file is malformed; the message names the file, the place and the fix."""


class EmptyTextWarning(UserWarning):
    """Some documents of a corpus file have no text; the message lists their lines."""



def check_file(path: Path) -> None:
    if path.is_dir():
        raise CorpusError(f"{path}: a folder, not a file; name a file in it.")
    if not path.is_file():
        raise CorpusError(f"{path}: file not found; check the path.")
    if path.stat().st_size == 0:
        raise CorpusError(f"{path}: the file is empty; it needs a header row and data.")


def _records(path: Path, sep: str) -> Iterator[tuple[int, list[str] | None]]:
    """Each record of a CSV with the line it starts on (texts may span lines); None for a
    blank line, one that holds nothing or only spaces and tabs outside quotes, as pandas
    skips it."""
    blank = " \t".replace(sep, "")
    last = [""]  # the line the reader took last

    def lines(fh: IO[str]) -> Iterator[str]:
        for line in fh:
            last[0] = line
            yield line

    with open_input(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(lines(fh), delimiter=sep)
        start = 1
        for record in reader:
            empty = reader.line_num == start and not last[0].rstrip("\r\n").strip(blank)
            yield start, None if empty else record
            start = reader.line_num + 1


def _record_lines(path: Path, sep: str = ",") -> list[int]:
    """The line on which each data record of a CSV starts; blank lines are not records."""
    starts = [start for start, record in _records(path, sep) if record is not None]
    return starts[1:]


def _header(path: Path, sep: str) -> list[str]:
    """The first record of a CSV that is not a blank line."""
    return next((record for _, record in _records(path, sep) if record is not None), [])


def _locate_csv_problem(path: Path, sep: str) -> str:
    """Name the line where a CSV stops parsing: wrong field count or an unclosed quote."""
    with open_input(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep, strict=True)
        start = 1
        width = None
        try:
            for row in reader:
                if width is None and row:  # the header, after any blank lines
                    width = len(row)
                elif row and len(row) != width:
                    return (f"line {start}: expected {width} fields as in the header, "
                            f"found {len(row)}")
                start = reader.line_num + 1
        except csv.Error as exc:
            return f"line {start}: {exc} (a quote opened here is never closed)"
    return "an unknown place"


@contextlib.contextmanager
def _readable(path: Path) -> Iterator[None]:
    """Within: a cut or damaged compressed file, or one that is not UTF-8 text (UTF-16, a
    legacy code page), is a :class:`CorpusError` naming it and the fix."""
    try:
        yield
    except DAMAGED as exc:
        if not compression_of(path):
            raise
        raise CorpusError(f"{path}: the compressed file is cut short or damaged ({exc}); "
                          "compress it again, or decompress what is readable and use that "
                          f"(its last line may be cut in two): {readable_part_command(path)}"
                          ) from None
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text ({exc}). Re-save the file as UTF-8.") from None


def read_csv(path: Path, sep: str = ",") -> pd.DataFrame:
    check_file(path)
    with _readable(path):
        return _read_csv(path, sep)


def _read_csv(path: Path, sep: str) -> pd.DataFrame:
    allow_long_csv_fields()  # the line map reads with the csv module
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep,
                            encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise CorpusError(f"{path}: the file is empty; it needs a header row and data.") from None
    except pd.errors.ParserError as exc:
        _check_separator(path, _header(path, sep), sep)
        where = _locate_csv_problem(path, sep)
        raise CorpusError(
            f"{path}, {where}. Broken CSV ({str(exc).strip()}). Quote fields that hold commas, "
            'line breaks or quotes, and double any quote inside a field ("").'
        ) from None
    _check_separator(path, list(frame.columns), sep)
    if frame.empty:
        raise CorpusError(f"{path}: the file has a header but no rows; add data rows.")
    lines = _record_lines(path, sep)
    if len(lines) == len(frame):  # else messages name rows by their place in the frame
        frame.attrs["lines"] = lines
    return frame


def _check_separator(path: Path, header: list[Any], sep: str) -> None:
    """Refuse a file whose one-column header looks separated by another character."""
    hint = separator_hint(header, sep)
    if hint:
        raise CorpusError(f"{path}: the header reads as one column, {str(header[0])[:80]!r}; "
                          f"{hint}.")


def _read_jsonl(path: Path) -> pd.DataFrame:
    check_file(path)
    with _readable(path):
        return _read_jsonl_lines(path)


def _read_jsonl_lines(path: Path) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    broken: list[int] = []
    with open_input(path, "rt", encoding="utf-8-sig") as fh:
        for number, item, error in iter_jsonl(fh):
            # one JSON array of objects, on one line or indented over many (its line 1 is "[")
            objects = isinstance(item, list) and all(isinstance(o, dict) for o in item[:10])
            if not records and (item and objects or error is not None and _opens_array(path)):
                raise CorpusError(f"{path}, line {number}: {JSON_ARRAY}.")
            if error is not None:
                raise CorpusError(f"{path}, line {number}: {error}. Each line must be one JSON "
                                  "object; check quotes and escapes there.")
            if not isinstance(item, dict):
                raise CorpusError(f"{path}, line {number}: expected a JSON object "
                                  f"({{\"text\": ...}}), got {type(item).__name__}.")
            if any(isinstance(v, str) and SURROGATE_RE.search(v) for v in item.values()):
                item = {k: replace_surrogates(v) if isinstance(v, str) else v
                        for k, v in item.items()}
                broken.append(number)
            records.append(item)
            lines.append(number)
    if not records:
        raise CorpusError(f"{path}: the file holds no JSON records; add one object per line.")
    if broken:  # as score reads them: the text is kept, the broken escape shown as U+FFFD
        more = f" and {len(broken) - 5} more" if len(broken) > 5 else ""
        warnings.warn(f"{path}: a broken \\u escape (half of a surrogate pair) replaced by "
                      f"U+FFFD on line(s) {', '.join(map(str, broken[:5]))}{more}.",
                      stacklevel=3)
    frame = _as_given(pd.DataFrame.from_records(records), records)
    frame.attrs["lines"] = lines
    return frame


def _as_given(frame: pd.DataFrame, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Keep whole numbers as the JSON gave them in a column that pandas made float.

    A column of whole numbers with a gap (a missing key, a null) or beside
    decimals becomes float64, which rounds ids above 2**53 and writes ``7``
    as ``7.0``; such a column keeps the values read, and None for a gap.
    """
    for column in frame.columns[frame.dtypes == "float64"]:
        values = [record.get(column) for record in records]
        if any(type(v) is int for v in values):
            frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def _opens_array(path: Path) -> bool:
    """Whether the first line of ``path`` with anything on it starts a JSON array."""
    with open_input(path, "rt", encoding="utf-8-sig", errors="replace") as fh:
        return next((line.lstrip() for line in fh if line.strip()), "").startswith("[")


def _read_parquet(path: Path) -> pd.DataFrame:
    check_file(path)
    pa = require_pyarrow()
    try:
        # integers with nulls stay integers (None for a null), not floats that round ids
        frame = pa.parquet.read_table(path).to_pandas(integer_object_nulls=True)
    except Exception as exc:
        raise CorpusError(f"{path}: not a readable Parquet file ({exc}).") from None
    if frame.empty:
        raise CorpusError(f"{path}: the Parquet file has no rows.")
    # Parquet has no lines: report row numbers from 1.
    frame.attrs["lines"] = list(range(1, len(frame) + 1))
    return frame


def table_format(path: Path, fmt: str | None) -> str:
    """The format of a corpus file (see :func:`vnmisinfo.data.formats.format_of`); a ``.gz``,
    ``.bz2`` or ``.xz`` one is read by the extension under it (``posts.csv.gz``).

    A folder is named as such (:func:`check_file`), not by its extension.
    """
    if path.is_dir():
        check_file(path)
    try:
        # the commands that read tables have no --format: the extension says it
        found = format_of(path, fmt, compressed=True, option="")
    except ValueError as exc:
        if fmt:
            raise
        raise CorpusError(str(exc)) from None
    if found == "parquet" and compression_of(path):
        raise CorpusError(f"{path}: a Parquet file compresses itself; decompress this one "
                          "first.")
    return found


def read_table(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return read_csv(path)
    if fmt == "tsv":
        return read_csv(path, sep="\t")
    if fmt == "jsonl":
        return _read_jsonl(path)
    if fmt == "parquet":
        return _read_parquet(path)
    raise CorpusError(f"{path}: {fmt!r} files are read with load_lines, not as a table.")


def read_texts(source: str, text_column: str | None = None) -> list[Any]:
    """Texts from a command-line argument: a .txt/.csv/.tsv/.jsonl/.parquet file, ``-`` for
    standard input (one text per line), else the text.

    A ``.txt`` file holds one text per line; a table's text column is
    ``text_column``, else the first known name (:data:`TEXT_ALIASES`), and its
    cells come as read: None or NaN where a row has no text, a number as a
    number, so that the caller can say why such a row is not a text.  A row with no text
    but a title (a headline without its body) gives its title, as ``score`` scores it.

    Examples
    --------
    >>> read_texts("Uống nước chanh nóng diệt virus")
    ['Uống nước chanh nóng diệt virus']
    >>> len(read_texts("Trời đẹp. " * 1000)[0])  # longer than any file name
    10000
    """
    from vnmisinfo.data.names import TEXT_ALIASES
    from vnmisinfo.data.schema import headline_only, resolve_columns

    if source == "-":  # standard input: one text per line
        return [line.rstrip("\n") for line in sys.stdin if line.strip()]
    if not source.strip():
        raise ValueError("nothing to match: the text is empty; pass a text in quotes, a file "
                         "of texts, or - for standard input.")
    path = Path(source)
    try:
        folder = path.is_dir()
    except (OSError, ValueError):  # no path at all: a long text ("File name too long"), a NUL
        folder = False
    if folder:
        raise IsADirectoryError(f"{source!r} is a folder; pass a file of texts, or the text "
                                "itself in quotes.")
    known = extension_format(path, compressed=True) is not None and len(source) < 260
    if not known or not path.is_file():
        # a name of a file that is not there; a sentence that ends in one is a text
        if known and not any(c.isspace() for c in source):
            raise FileNotFoundError(f"input file {source!r} not found; pass an existing file, "
                                    "or the text itself in quotes.")
        return [source]
    fmt = table_format(path, None)
    if fmt == "lines":
        try:
            with _readable(path), open_input(path, "rt", encoding="utf-8-sig") as fh:
                return [line.rstrip("\n") for line in fh if line.strip()]
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start}). "
                              "Re-save the file as UTF-8.") from None
    frame = read_table(path, fmt)
    names = resolve_columns(list(frame.columns))
    column = text_column or names.get("text")
    if column is None or column not in frame.columns:
        raise ValueError(f"{source!r} has no text column {text_column or TEXT_ALIASES!r}; "
                         f"its columns are {list(frame.columns)}. Use --text-column NAME.")
    texts = list(frame[column].tolist())
    title = names.get("title")
    if title in frame.columns and title != column:  # a headline without its body: its title
        texts = [ti if headline_only(t, ti) else t
                 for t, ti in zip(texts, frame[title].tolist(), strict=True)]
    return texts


def read_any_table(path: str | Path, *, what: str = "a table of posts with a text column"
                   ) -> pd.DataFrame:
    """Read a CSV, TSV, JSONL or Parquet file whole, with string column names.

    Raises
    ------
    ValueError
        For a plain-text file (it has no columns), naming ``what`` was expected;
        :class:`CorpusError` for an unknown extension or a missing, empty or
        malformed file.
    """
    path = Path(path)
    fmt = table_format(path, None)
    if fmt == "lines":
        raise ValueError(f"{path}: expected {what} (.csv, .tsv, .jsonl or .parquet), got a "
                         "plain-text file; convert it to CSV first.")
    frame = read_table(path, fmt)
    frame.columns = [str(c) for c in frame.columns]
    frame.attrs["source"] = str(path)
    return frame


def text_rows(frame: pd.DataFrame, column: str, name: str = "input") -> tuple[np.ndarray, int]:
    """Which rows of ``frame`` hold a text in ``column``, as ``vnmisinfo score`` reads them.

    A missing or empty text, and a cell that is not a string (a number, a
    list), is no text (:func:`~vnmisinfo.data.schema.text_problem`); rows of
    the latter kind are named in a warning, by the file
    (``frame.attrs["source"]``, else ``name``) and line, as score leaves them
    unscored and says why.

    Returns
    -------
    keep : ndarray of bool
        Whether each row holds a text.
    not_text : int
        Rows left out because their cell is not a string.

    Examples
    --------
    >>> keep, not_text = text_rows(pd.DataFrame({"text": ["Tin", " ", None]}), "text")
    >>> keep.tolist(), not_text
    ([True, False, False], 0)
    """
    from vnmisinfo.data.schema import text_problem

    problems = [text_problem(v) for v in frame[column]]
    odd = [i for i, p in enumerate(problems) if p is not None and p.startswith("text is")]
    if odd:
        lines = frame.attrs.get("lines") or range(1, len(frame) + 1)
        more = f"; and {len(odd) - 5} more" if len(odd) > 5 else ""
        warnings.warn(f"{frame.attrs.get('source', name)}: {len(odd)} row(s) left out, as score "
                      "leaves them unscored: " + "; ".join(
                          f"line {lines[i]}: {problems[i]}" for i in odd[:5]) + more,
                      stacklevel=3)
    return np.array([p is None for p in problems], dtype=bool), len(odd)
