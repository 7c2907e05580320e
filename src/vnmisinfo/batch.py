"""Batch scoring: stream CSV, JSONL or Parquet files through a detector.

:func:`score_file` reads its input in chunks, scores each chunk (in several
worker processes when asked), and writes every input row, in input order,
with the input columns plus ``score``, ``label``, ``tier``, ``top_terms``
and ``error``, and any further keys the detector's results carry (the
narrative match, for example).  Memory stays flat in the input size: at most
a few chunks are held at once.

Bad rows never stop a batch, and no row is lost
-----------------------------------------------
Every input row gives exactly one output row.  A row that cannot be scored,
or whose score deserves a second look, says why in ``error`` (reasons are
joined with ``"; "``):

=============================  ==========================  ==================
input                          ``error``                   score
=============================  ==========================  ==================
missing text (no key, null)    ``missing text``            empty (not scored)
empty or blank text            ``empty text``              empty (not scored)
non-string text (JSON number)  ``text is int, not a        empty (not scored)
                               string``
longer than ``MAX_CHARS``      ``truncated from N chars``  first ``MAX_CHARS``
                                                           characters scored
invalid UTF-8 bytes            ``invalid UTF-8 replaced``  scored, bad bytes
                                                           read as U+FFFD
control characters             ``control characters        scored on the
                               removed``                   cleaned text
another language               ``not Vietnamese``          scored (unreliable)
=============================  ==========================  ==================

A *malformed file* is different: a missing text column, broken CSV quoting,
a row with the wrong number of fields or a JSONL line that is not a JSON
object stops the run with :class:`BadInputError` naming the line, unless
``skip_bad_lines`` is set, in which case the line is reported and skipped.

Crash safety
------------
Output goes to ``<output>.partial`` beside the target and is moved into place
with :func:`os.replace` at the end.  After each chunk is flushed and synced,
a checkpoint ``<output>.ckpt`` records the rows done and the byte size of the
partial file; ``resume=True`` truncates the partial file to that size and
skips that many input rows, so an interrupted run finishes with no row
missing or repeated.
"""

from __future__ import annotations

import collections
import copy
import csv
import heapq
import io
import json
import math
import os
import re
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from .explain import format_terms
from .normalize import MAX_CHARS, TruncationWarning, strip_diacritics

__all__ = [
    "BadInputError",
    "BatchSummary",
    "FORMATS",
    "OUTPUT_COLUMNS",
    "looks_vietnamese",
    "score_file",
    "score_frame",
]

#: File formats read and written.
FORMATS = ("csv", "jsonl", "parquet")
#: Columns added to every output row.
OUTPUT_COLUMNS = ("score", "label", "tier", "top_terms", "error")
#: Optional result keys passed through as columns, in this order, when the detector returns them.
EXTRA_KEYS = ("narrative_id", "narrative_similarity", "narrative_sentence", "narrative_claim",
              "rebuttal", "entities")
_BASIC_KEYS = frozenset({"probability", "label", "tier", "top_terms"})
_TIERS = ("high", "medium", "low")
_ID_NAMES = ("id", "post_id", "_id", "uid", "url")
_HIST_BINS = 20
#: Characters of a text kept for the review report.
_REPORT_CHARS = 4000
_PARQUET_HINT = 'Parquet needs pyarrow: pip install "vnmisinfo[parquet]"'


class BadInputError(ValueError):
    """A malformed input file (missing column, broken quoting, bad JSON line).

    The message names the line; ``line`` holds its number (1-based) when known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class BatchSummary:
    """What a batch run did.

    Attributes
    ----------
    rows : int
        Output rows written (one per input row).
    tiers : dict
        Rows per review tier.
    not_scored : int
        Rows without a score (missing, empty or non-string text).
    errors : dict
        Rows per ``error`` reason (a row may count under several reasons).
    error_rows : int
        Rows with a non-empty ``error``.
    bad_lines : int
        Malformed lines skipped (only with ``skip_bad_lines``).
    seconds : float
        Wall-clock time of the run.

    Examples
    --------
    >>> print(BatchSummary(rows=3, tiers={"high": 1, "medium": 0, "low": 2}, seconds=2.0))
    3 rows in 2.0 s (2 rows/s): 1 high, 0 medium, 2 low, 0 not scored; 0 rows with errors
    """

    rows: int = 0
    tiers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TIERS, 0))
    not_scored: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    error_rows: int = 0
    bad_lines: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        t = self.tiers
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        line = (f"{self.rows} rows in {self.seconds:.1f} s ({rate:.0f} rows/s): "
                f"{t.get('high', 0)} high, {t.get('medium', 0)} medium, {t.get('low', 0)} low, "
                f"{self.not_scored} not scored; {self.error_rows} rows with errors")
        if self.errors:
            line += " (" + ", ".join(f"{n} {k}" for k, n in sorted(
                self.errors.items(), key=lambda kv: (-kv[1], kv[0]))) + ")"
        if self.bad_lines:
            line += f"; {self.bad_lines} bad lines skipped"
        return line


# ---------------------------------------------------------------------------
# Language heuristic
# ---------------------------------------------------------------------------

_VI_MARKED = frozenset(
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnptiyou])?"
)


def looks_vietnamese(text: str, *, min_words: int = 5) -> bool | None:
    """Cheap guess whether a text is written in Vietnamese.

    Among the words (letter runs) of the first 2,000 characters, the text is
    Vietnamese when at least 20% carry a Vietnamese diacritic letter
    (``ă â đ ê ô ơ ư`` or a tone mark), or at least 80% are well-formed
    Vietnamese syllables (onset + vowels + coda), which catches text typed
    without tone marks.  English, French or Chinese text fails both tests.

    Parameters
    ----------
    text : str
        Raw or normalized text.
    min_words : int, default=5
        Shorter texts are not judged.

    Returns
    -------
    bool or None
        None when the text has fewer than ``min_words`` words.

    Examples
    --------
    >>> looks_vietnamese("Bộ Y tế khuyến cáo người dân rửa tay thường xuyên")
    True
    >>> looks_vietnamese("khong biet gi luon nha moi nguoi oi")
    True
    >>> looks_vietnamese("The ministry of health says the rumour is false")
    False
    >>> looks_vietnamese("Tin giả") is None
    True
    """
    words = _WORD_RE.findall(unicodedata.normalize("NFC", text[:2000]).lower())
    words = [w for w in words if w not in ("url", "email", "phone")]
    if len(words) < min_words:
        return None
    marked = sum(1 for w in words if not _VI_MARKED.isdisjoint(w))
    if marked >= 0.2 * len(words):
        return True
    plain = [strip_diacritics(w) for w in words]
    syllables = sum(1 for w in plain if _SYLLABLE_RE.fullmatch(w))
    return syllables >= 0.8 * len(words)


# ---------------------------------------------------------------------------
# Formats and readers
# ---------------------------------------------------------------------------

def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(_PARQUET_HINT, name=exc.name) from exc
    return pyarrow


def _format(path: str | None, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
        return fmt
    if path in (None, "-"):
        return "csv"
    name = str(path).lower()
    for suffix in (".gz", ".bz2", ".xz", ".zst"):
        if name.endswith(suffix):
            raise ValueError(f"{path!r} is compressed; decompress it first, or pipe it: "
                             f"zcat {path} | vnmisinfo score - --format csv")
    suffix = Path(name).suffix
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ValueError(f"cannot tell the format of {path!r} from its extension (expected .csv, "
                     ".jsonl or .parquet); pass --format csv, jsonl or parquet.")


_SURROGATE_RE = re.compile("[\ud800-\udfff]+")
_BadLineHandler = Callable[[int, str], None]


class _Reader:
    """Iterates ``(row, note)`` over an input; ``columns`` is known after the header."""

    columns: list[str]
    schema: Any = None

    def __iter__(self) -> Iterator[tuple[dict[str, Any], str | None]]:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""


class _CsvReader(_Reader):
    def __init__(self, source: str, on_bad: _BadLineHandler, delimiter: str = ",") -> None:
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        if source == "-":
            self._fh: IO[str] = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig",
                                                 errors="surrogateescape", newline="")
            self._own = False
        else:
            self._fh = open(source, encoding="utf-8-sig", errors="surrogateescape", newline="")
            self._own = True
        self._on_bad = on_bad
        self._reader = csv.reader(self._fh, strict=True, delimiter=delimiter)
        try:
            header = next(self._reader)
        except StopIteration:
            raise BadInputError("the input is empty: expected a CSV header row "
                                "(column names, one of them the text).", line=1) from None
        except csv.Error as exc:
            raise BadInputError(f"line 1: unreadable CSV header ({exc}).", line=1) from None
        self.columns = [_SURROGATE_RE.sub("\ufffd", h) for h in header]
        self._last = self._reader.line_num

    def __iter__(self) -> Iterator[tuple[dict[str, Any], str | None]]:
        columns, n = self.columns, len(self.columns)
        reader = self._reader
        while True:
            start = self._last + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._last = reader.line_num
                reason = ("unterminated quoted field (the quote runs to the end of the file)"
                          if "unexpected end of data" in str(exc) else f"broken quoting: {exc}")
                self._on_bad(start, reason)
                continue
            self._last = reader.line_num
            if len(row) != n:
                if not row:
                    if n != 1:
                        continue  # blank line
                    row = [""]
                else:
                    self._on_bad(start, f"expected {n} fields, found {len(row)}")
                    continue
            note = None
            if _SURROGATE_RE.search("".join(row)):
                row = [_SURROGATE_RE.sub("\ufffd", v) for v in row]
                note = "invalid UTF-8 replaced"
            yield dict(zip(columns, row, strict=True)), note

    def close(self) -> None:
        if self._own:
            self._fh.close()


class _JsonlReader(_Reader):
    def __init__(self, source: str, on_bad: _BadLineHandler) -> None:
        self._fh: IO[bytes] = sys.stdin.buffer if source == "-" else open(source, "rb")
        self._own = source != "-"
        self._on_bad = on_bad
        self._lines = enumerate(self._fh, 1)
        self._first: tuple[dict[str, Any], str | None] | None = None
        for lineno, raw in self._lines:
            item = self._parse(lineno, raw)
            if item is not None:
                self._first = item
                break
        self.columns = list(self._first[0]) if self._first else []
        self._first_line = 1

    def _parse(self, lineno: int, raw: bytes) -> tuple[dict[str, Any], str | None] | None:
        if not raw.strip():
            return None
        note = None
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("utf-8", "replace")
            note = "invalid UTF-8 replaced"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            self._on_bad(lineno, f"invalid JSON ({exc.msg} at column {exc.colno})")
            return None
        if not isinstance(obj, dict):
            self._on_bad(lineno, f"expected a JSON object, found {type(obj).__name__}")
            return None
        for k, v in obj.items():
            if isinstance(v, str) and _SURROGATE_RE.search(v):
                obj[k] = _SURROGATE_RE.sub("\ufffd", v)
                note = "invalid UTF-8 replaced"
        return obj, note

    def __iter__(self) -> Iterator[tuple[dict[str, Any], str | None]]:
        if self._first is not None:
            yield self._first
            self._first = None
        for lineno, raw in self._lines:
            item = self._parse(lineno, raw)
            if item is not None:
                yield item

    def close(self) -> None:
        if self._own:
            self._fh.close()


class _ParquetReader(_Reader):
    def __init__(self, source: str, batch_size: int) -> None:
        pa = _pyarrow()
        self._pa = pa
        src: Any = io.BytesIO(sys.stdin.buffer.read()) if source == "-" else source
        self._file = pa.parquet.ParquetFile(src)
        self.schema = self._file.schema_arrow
        self.columns = list(self.schema.names)
        self._batch_size = batch_size

    def __iter__(self) -> Iterator[tuple[dict[str, Any], str | None]]:
        for batch in self._file.iter_batches(batch_size=self._batch_size):
            for row in batch.to_pylist():
                yield row, None

    def close(self) -> None:
        self._file.close()


def _open_reader(source: str, fmt: str, on_bad: _BadLineHandler, chunksize: int) -> _Reader:
    if source != "-" and not Path(source).is_file():
        raise FileNotFoundError(f"input file {source!r} not found.")
    if fmt == "csv":
        delimiter = "\t" if str(source).lower().endswith(".tsv") else ","
        return _CsvReader(source, on_bad, delimiter)
    if fmt == "jsonl":
        return _JsonlReader(source, on_bad)
    return _ParquetReader(source, chunksize)


# ---------------------------------------------------------------------------
# Column mapping and row checks
# ---------------------------------------------------------------------------

def _column_map(columns: list[str], text_column: str | None,
                overrides: Mapping[str, str] | None) -> dict[str, str]:
    from .features import FRAME_COLUMNS, resolve_columns

    found = resolve_columns(columns)
    for canonical, name in {**(overrides or {}), **({"text": text_column} if text_column else {})
                            }.items():
        if canonical not in FRAME_COLUMNS:
            raise ValueError(f"unknown column role {canonical!r}; expected one of "
                             f"{', '.join(FRAME_COLUMNS)}.")
        if name not in columns:
            raise BadInputError(f"line 1: {canonical} column {name!r} not found; the columns are "
                                f"{columns}.", line=1)
        found[canonical] = name
    if "text" not in found:
        raise BadInputError(
            f"line 1: no text column among {columns}; name it 'text' or 'post_message', or "
            "pass --text-column NAME.", line=1)
    return found


def _id_column(columns: list[str], id_column: str | None) -> str | None:
    if id_column is not None:
        if id_column not in columns:
            raise BadInputError(f"line 1: id column {id_column!r} not found; the columns are "
                                f"{columns}.", line=1)
        return id_column
    lower = {c.lower(): c for c in columns}
    return next((lower[n] for n in _ID_NAMES if n in lower), None)


def _text_problem(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing text"
    if not isinstance(value, str):
        return f"text is {type(value).__name__}, not a string"
    if not value.strip():
        return "empty text"
    return None


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


# ---------------------------------------------------------------------------
# Scoring one chunk (runs in a worker process, or in-process)
# ---------------------------------------------------------------------------

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DETECTOR: Any = None

#: One scored row: (probability, label, tier, top_terms, note, extras).
_Result = tuple[float, int, str, list, str | None, dict]


def _init_worker(model: Any, match: bool = True) -> None:
    """Load the model once per worker process."""
    global _DETECTOR
    warnings.simplefilter("ignore", TruncationWarning)
    if model is None or isinstance(model, (str, os.PathLike)):
        from .persist import load_model

        _DETECTOR = load_model(os.fspath(model) if model is not None else None)
    else:
        _DETECTOR = model
    if not match and getattr(_DETECTOR, "narratives", None) is not None:
        _DETECTOR = copy.copy(_DETECTOR)  # never change the caller's (or the cached) model
        _DETECTOR.narratives = None


def _dedup(frame: pd.DataFrame) -> tuple[list[int], list[int]]:
    """Index of each row's distinct value, and the first row of each distinct value."""
    first: dict[tuple, int] = {}
    index: list[int] = []
    pick: list[int] = []
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        key = tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
        j = first.get(key)
        if j is None:
            j = first[key] = len(pick)
            pick.append(i)
        index.append(j)
    return index, pick


def _score_records(detector: Any, records: list[dict[str, Any]],
                   explain: int) -> list[_Result | str]:
    """Score canonical records; deduplicate on normalized text and metadata.

    Returns, per record, a result tuple, or the reason string when nothing
    was left to score.
    """
    from .features import as_frame

    notes: list[str | None] = []
    for rec in records:
        text = rec["text"]
        control = "control characters removed" if _CONTROL_RE.search(text) else None
        lang = "not Vietnamese" if looks_vietnamese(text) is False else None
        notes.append(_join(control, lang))
    frame = as_frame(records)
    meta_cols = ["likes", "comments", "shares", "timestamp"]
    # Two passes: exact duplicates skip normalization, then texts that normalize alike
    # (with the same metadata) are scored once.
    raw_index, pick = _dedup(frame[["text", "title", *meta_cols]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        pre = detector.preprocess(frame.iloc[pick].reset_index(drop=True))
    norm_index, pick2 = _dedup(pre[["norm", *meta_cols]])
    unique = pre.iloc[pick2].reset_index(drop=True)
    scoreable = [i for i, t in enumerate(unique["norm"]) if t.strip()]
    results: list[dict[str, Any] | None] = [None] * len(unique)
    if scoreable:
        scored = detector.score(unique.iloc[scoreable].reset_index(drop=True), explain=explain)
        for i, r in zip(scoreable, scored, strict=True):
            results[i] = r
    out: list[_Result | str] = []
    for i, note in enumerate(notes):
        r = results[norm_index[raw_index[i]]]
        if r is None:
            out.append("empty text")
            continue
        extras = {k: v for k, v in r.items() if k not in _BASIC_KEYS}
        out.append((float(r["probability"]), int(r["label"]), str(r["tier"]),
                    list(r["top_terms"]), note, extras))
    return out


def _thresholds(detector: Any) -> tuple[float, float] | None:
    try:
        return float(detector.medium_threshold), float(detector.high_threshold)
    except (AttributeError, TypeError, ValueError):
        return None


def _score_payload(payload: tuple[list[dict[str, Any]], int]
                   ) -> tuple[list[_Result | str], tuple[float, float] | None]:
    records, explain = payload
    results = _score_records(_DETECTOR, records, explain) if records else []
    return results, _thresholds(_DETECTOR)


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


class _Writer:
    def __init__(self, fh: IO[bytes], columns: list[str], write_header: bool) -> None:
        self.fh = fh
        self.columns = columns

    def write(self, rows: list[dict[str, Any]]) -> None:  # pragma: no cover
        raise NotImplementedError

    def finish(self) -> None:
        """Flush buffered data (footers, for Parquet)."""


class _CsvWriter(_Writer):
    def __init__(self, fh: IO[bytes], columns: list[str], write_header: bool) -> None:
        super().__init__(fh, columns, write_header)
        self._text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="",
                                      write_through=True)
        self._csv = csv.writer(self._text, lineterminator="\n")
        if write_header:
            self._csv.writerow(columns)
            self._text.flush()

    def write(self, rows: list[dict[str, Any]]) -> None:
        cols = self.columns
        self._csv.writerows([[_cell(r.get(c)) if r.get(c) is not None else "" for c in cols]
                             for r in rows])
        self._text.flush()

    def finish(self) -> None:
        self._text.flush()
        self._text.detach()


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class _JsonlWriter(_Writer):
    def write(self, rows: list[dict[str, Any]]) -> None:
        lines = []
        for r in rows:
            obj = {k: _json_value(v) for k, v in r.items()}
            lines.append(json.dumps(obj, ensure_ascii=False, default=str))
        data = ("\n".join(lines) + "\n") if lines else ""
        self.fh.write(data.encode("utf-8", "replace"))


class _ParquetWriter(_Writer):
    def __init__(self, fh: IO[bytes], columns: list[str], write_header: bool,
                 schema: Any = None) -> None:
        super().__init__(fh, columns, write_header)
        pa = _pyarrow()
        self._pa = pa
        input_types = {f.name: f.type for f in schema} if schema is not None else {}
        typed = {"score": pa.float64(), "label": pa.int64(), "narrative_similarity":
                 pa.float64()}
        self._passthrough = set(input_types)
        fields = [pa.field(c, input_types.get(c, typed.get(c, pa.string()))) for c in columns]
        self.schema = pa.schema(fields)
        self._writer = pa.parquet.ParquetWriter(pa.PythonFile(fh, mode="w"), self.schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        cols = {f.name: f.type for f in self.schema}
        data: dict[str, list[Any]] = {}
        for c, typ in cols.items():
            values = [r.get(c) for r in rows]
            if c not in self._passthrough and typ == self._pa.string():
                values = [None if v is None else v if isinstance(v, str) else
                          json.dumps(v, ensure_ascii=False, default=str) for v in values]
            elif c == "narrative_similarity":
                values = [None if v is None else float(v) for v in values]
            data[c] = values
        self._writer.write_table(self._pa.table(data, schema=self.schema))

    def finish(self) -> None:
        self._writer.close()


_WRITERS: dict[str, type[_Writer]] = {"csv": _CsvWriter, "jsonl": _JsonlWriter,
                                      "parquet": _ParquetWriter}


# ---------------------------------------------------------------------------
# Report state (bounded while streaming)
# ---------------------------------------------------------------------------

class _ReportState:
    """Histogram of scores and a bounded heap of the top-N rows."""

    def __init__(self, top: int, state: dict[str, Any] | None = None) -> None:
        self.top = top
        self.hist = [0] * _HIST_BINS
        self._heap: list[tuple[float, int, dict[str, Any]]] = []
        if state:
            self.hist = list(state["hist"])
            self._heap = [(float(s), int(n), item) for s, n, item in state["heap"]]
            heapq.heapify(self._heap)

    def add(self, seq: int, row: dict[str, Any], text: str, id_value: Any,
            meta: dict[str, Any], terms: list, extras: dict[str, Any]) -> None:
        score = row["score"]
        self.hist[min(int(score * _HIST_BINS), _HIST_BINS - 1)] += 1
        if self.top <= 0:
            return
        if len(self._heap) >= self.top and score <= self._heap[0][0]:
            return
        item = {"score": score, "tier": row["tier"], "id": id_value, "error": row.get("error"),
                "text": text[:_REPORT_CHARS], "text_chars": len(text),
                "top_terms": [[t, w] for t, w in terms],
                **{k: v for k, v in meta.items() if v is not None}, **extras}
        entry = (score, -seq, item)
        if len(self._heap) < self.top:
            heapq.heappush(self._heap, entry)
        else:
            heapq.heapreplace(self._heap, entry)

    def items(self) -> list[dict[str, Any]]:
        return [item for _, _, item in sorted(self._heap, key=lambda e: (-e[0], -e[1]))]

    def state(self) -> dict[str, Any]:
        return {"hist": self.hist, "heap": [[s, n, item] for s, n, item in self._heap]}


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

def _fsync(fh: IO[bytes]) -> int:
    fh.flush()
    os.fsync(fh.fileno())
    return os.fstat(fh.fileno()).st_size


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _input_identity(source: str) -> dict[str, Any]:
    st = os.stat(source)
    return {"input": str(Path(source).resolve()), "size": st.st_size,
            "mtime_ns": st.st_mtime_ns}


def _chunks(rows: Iterable[tuple[dict[str, Any], str | None]],
            size: int) -> Iterator[list[tuple[dict[str, Any], str | None]]]:
    chunk: list[tuple[dict[str, Any], str | None]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class _Run:
    """State of one :func:`score_file` call."""

    def __init__(self, *, explain: int, cmap: dict[str, str], id_col: str | None,
                 report: _ReportState | None, summary: BatchSummary) -> None:
        self.explain = explain
        self.cmap = cmap
        self.id_col = id_col
        self.report = report
        self.summary = summary
        self.extra_keys: list[str] | None = None
        self.seq = summary.rows

    def prepare(self, chunk: list[tuple[dict[str, Any], str | None]]
                ) -> tuple[list[str | None], list[int], list[dict[str, Any]]]:
        """Check each row's text; return notes, the indices to score and their records."""
        cmap = self.cmap
        text_col = cmap["text"]
        title_col = cmap.get("title")
        metas = [(c, cmap[c]) for c in ("likes", "comments", "shares", "timestamp") if c in cmap]
        notes: list[str | None] = []
        todo: list[int] = []
        records: list[dict[str, Any]] = []
        for i, (row, note) in enumerate(chunk):
            value = row.get(text_col)
            problem = _text_problem(value)
            if problem is not None or not isinstance(value, str):
                notes.append(_join(note, problem))
                continue
            if len(value) > MAX_CHARS:
                note = _join(note, f"truncated from {len(value)} chars")
                value = value[:MAX_CHARS]
            title = row.get(title_col) if title_col else None
            if title is not None and not isinstance(title, str):
                title = "" if isinstance(title, float) and math.isnan(title) else str(title)
            rec: dict[str, Any] = {"text": value, "title": title or ""}
            for c, src in metas:
                rec[c] = row.get(src)
            notes.append(note)
            todo.append(i)
            records.append(rec)
        return notes, todo, records

    def merge(self, chunk: list[tuple[dict[str, Any], str | None]], notes: list[str | None],
              todo: list[int], results: list[_Result | str]) -> list[dict[str, Any]]:
        """Attach the scores to the rows and update the summary and report."""
        by_row: dict[int, _Result | str] = dict(zip(todo, results, strict=True))
        if self.extra_keys is None:
            seen: set[str] = set()
            for r in results:
                if not isinstance(r, str):
                    seen.update(r[5])
            self.extra_keys = ([k for k in EXTRA_KEYS if k in seen]
                               + sorted(seen - set(EXTRA_KEYS)))
        summary = self.summary
        out = []
        for i, (row, _) in enumerate(chunk):
            res = by_row.get(i)
            note = notes[i]
            extras: dict[str, Any] = {}
            if res is None or isinstance(res, str):
                note = _join(note, res) if isinstance(res, str) else note
                score = label = tier = None
                terms: list = []
                summary.not_scored += 1
            else:
                score, label, tier, terms, extra_note, extras = res
                score = round(score, 6)
                note = _join(note, extra_note)
                summary.tiers[tier] = summary.tiers.get(tier, 0) + 1
            new = dict(row)
            new.update(score=score, label=label, tier=tier, top_terms=format_terms(terms),
                       error=note)
            for k in self.extra_keys:
                new[k] = extras.get(k)
            for k, v in extras.items():
                new.setdefault(k, v)
            if note:
                summary.error_rows += 1
                for reason in note.split("; "):
                    key = reason.split(" from ")[0].split(" not a ")[0]
                    summary.errors[key] = summary.errors.get(key, 0) + 1
            if self.report is not None and score is not None:
                text = str(row.get(self.cmap["text"]))
                meta = {c: row.get(src) for c, src in self.cmap.items() if c not in ("text",)}
                self.report.add(self.seq, new, text, row.get(self.id_col) if self.id_col
                                else self.seq + 1, meta, terms, extras)
            self.seq += 1
            out.append(new)
        summary.rows += len(chunk)
        return out


def score_frame(detector: Any, frame: pd.DataFrame, *, text_column: str | None = None,
                explain: int = 5) -> pd.DataFrame:
    """Score one in-memory frame; bad rows get ``error`` instead of stopping the batch.

    Parameters
    ----------
    detector : Detector
        A fitted detector.
    frame : pandas.DataFrame
        Rows with a text column (``text``, ``post_message``, ... or ``text_column``).
    text_column : str, optional
        Text column when not a known name.
    explain : int
        Terms per row in ``top_terms``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``score``, ``label``, ``tier``, ``top_terms``,
        ``error`` and any extra result keys added.
    """
    cmap = _column_map([str(c) for c in frame.columns], text_column, None)
    run = _Run(explain=explain, cmap=cmap, id_col=None, report=None, summary=BatchSummary())
    chunk: list[tuple[dict[str, Any], str | None]] = [
        ({str(k): v for k, v in row.items()}, None) for row in frame.to_dict(orient="records")]
    notes, todo, records = run.prepare(chunk)
    results = _score_records(detector, records, explain) if records else []
    return pd.DataFrame(run.merge(chunk, notes, todo, results), index=frame.index)


def score_file(input: str, output: str | None = None, *, model: Any = None,
               text_column: str | None = None, explain: int = 5, fmt: str | None = None,
               output_format: str | None = None, id_column: str | None = None,
               columns: Mapping[str, str] | None = None, chunksize: int = 2000,
               workers: int | None = None, resume: bool = False,
               skip_bad_lines: bool = False, report: str | None = None, report_top: int = 50,
               progress: bool = False, log: IO[str] | None = None,
               match: bool = True) -> BatchSummary:
    """Score a CSV, JSONL or Parquet file and write the input columns plus the scores.

    Parameters
    ----------
    input : str
        Input path, or ``-`` for standard input.
    output : str, optional
        Output path; ``-`` or None for standard output.
    model : Detector or str, optional
        A fitted detector or a model file; defaults to the shipped model.
        Worker processes load a file once each.
    text_column : str, optional
        Text column when not a known name (``text``, ``post_message``, ...).
    explain : int, default=5
        Terms per row in ``top_terms``.
    fmt : {"csv", "jsonl", "parquet"}, optional
        Format of the input (and of the output when it has no extension);
        by default taken from the extension.
    output_format : {"csv", "jsonl", "parquet"}, optional
        Output format when it differs from ``fmt`` and the extension does not say.
    id_column : str, optional
        Id column shown in the report (default: ``id``, ``post_id``, ... when present).
    columns : mapping, optional
        Extra column roles, e.g. ``{"likes": "n_likes", "title": "headline"}``.
    chunksize : int, default=2000
        Rows read, scored and written at a time.
    workers : int, optional
        Worker processes (default: all cores).  Inputs that fit in one chunk
        are scored in-process.
    resume : bool, default=False
        Continue an interrupted run from ``<output>.ckpt``.
    skip_bad_lines : bool, default=False
        Report and skip malformed lines instead of stopping; they are listed
        in ``<output>.bad-lines``.
    report : str, optional
        Write the HTML review page here.
    report_top : int, default=50
        Highest-scoring rows shown in the report.
    progress : bool, default=False
        Show a progress bar on standard error.
    log : file, optional
        Where skipped lines are reported (default: standard error).
    match : bool, default=True
        Match each text against the narrative catalogue when the model carries
        a narrative index; False skips it (faster).

    Returns
    -------
    BatchSummary
        Counts and timing of the run.

    Raises
    ------
    BadInputError
        If the input is malformed and ``skip_bad_lines`` is not set.
    ModuleNotFoundError
        If Parquet is asked for and pyarrow is missing.

    Examples
    --------
    A typical call, with the shipped model, four worker processes and a
    review page (not run here)::

        summary = score_file("posts.csv", "scored.csv", workers=4, report="review.html")
        print(summary)  # rows, rows per tier, errors and time on one line
    """
    started = time.perf_counter()
    log = log if log is not None else sys.stderr
    if chunksize < 1:
        raise ValueError(f"chunksize must be at least 1, got {chunksize}.")
    if explain < 0:
        raise ValueError(f"explain must be 0 or more, got {explain}.")
    workers = _default_workers() if workers is None else int(workers)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}.")
    to_stdout = output in (None, "-")
    in_fmt = _format(input, fmt)
    out_fmt = _format(output, output_format or (fmt if to_stdout else None)) \
        if output_format or not to_stdout else (fmt or in_fmt)
    if out_fmt == "parquet" or in_fmt == "parquet":
        _pyarrow()
    if resume and (to_stdout or input == "-"):
        raise ValueError("--resume needs an input file and an output file (not standard "
                         "input or output): the checkpoint refers to both.")
    if resume and out_fmt == "parquet":
        raise ValueError("--resume works with CSV or JSONL output; a Parquet file cannot be "
                         "appended after a crash. Write CSV or JSONL, then convert.")

    target = None if to_stdout else Path(str(output))
    partial = target.with_name(target.name + ".partial") if target else None
    ckpt_path = target.with_name(target.name + ".ckpt") if target else None
    bad_path = target.with_name(target.name + ".bad-lines") if target else None

    ckpt: dict[str, Any] | None = None
    if resume and ckpt_path is not None and ckpt_path.is_file():
        ckpt = json.loads(ckpt_path.read_text(encoding="utf-8"))
        if partial is None or not partial.is_file():
            raise ValueError(f"checkpoint {str(ckpt_path)!r} exists but the partial output "
                             f"{str(partial)!r} is gone; delete the checkpoint and start again.")
    options = {"explain": explain, "text_column": text_column, "id_column": id_column,
               "columns": dict(columns or {}), "out_fmt": out_fmt, "in_fmt": in_fmt,
               "report_top": report_top if report else None}
    if ckpt is not None:
        expected = {**_input_identity(input), "options": options}
        got = {k: ckpt.get(k) for k in expected}
        if got != expected:
            raise ValueError(
                f"checkpoint {str(ckpt_path)!r} was written for another input or other options "
                f"({got} != {expected}); run without --resume to start again.")

    skipping = ckpt["rows_done"] if ckpt else 0
    bad_lines: list[str] = []
    bad_count = [ckpt["summary"]["bad_lines"] if ckpt else 0]
    read_rows = [0]

    def on_bad(line: int, reason: str) -> None:
        message = f"line {line}: {reason}"
        if not skip_bad_lines:
            raise BadInputError(message + " (pass --skip-bad-lines to log and skip such lines)",
                                line=line)
        if read_rows[0] < skipping:
            return  # already logged by the interrupted run
        bad_count[0] += 1
        bad_lines.append(message)
        if bad_count[0] <= 20:
            print(f"vnmisinfo score: skipped {message}", file=log)
        elif bad_count[0] == 21:
            print("vnmisinfo score: more lines skipped; see the summary"
                  + (f" and {bad_path}" if bad_path else ""), file=log)

    reader = _open_reader(input, in_fmt, on_bad, chunksize)
    try:
        cmap = _column_map(reader.columns, text_column, columns)
        id_col = _id_column(reader.columns, id_column)
    except BaseException:
        reader.close()
        raise

    summary = BatchSummary()
    if ckpt is not None:
        summary = BatchSummary(**{**ckpt["summary"], "seconds": 0.0})
    report_state = _ReportState(report_top, ckpt.get("report") if ckpt else None) \
        if report else None
    run = _Run(explain=explain, cmap=cmap, id_col=id_col, report=report_state, summary=summary)
    if ckpt is not None:
        run.extra_keys = list(ckpt["extra_keys"])

    sink: IO[bytes]
    if to_stdout:
        sink = sys.stdout.buffer
    else:
        assert partial is not None
        if ckpt is not None:
            sink = open(partial, "r+b")
            sink.truncate(int(ckpt["bytes"]))
            sink.seek(0, os.SEEK_END)
        else:
            for stale in (ckpt_path, bad_path):
                if stale is not None and stale.exists():
                    stale.unlink()
            sink = open(partial, "wb")
    bad_fh = open(bad_path, "a", encoding="utf-8") if (bad_path and skip_bad_lines) else None

    def rows_iter() -> Iterator[tuple[dict[str, Any], str | None]]:
        for item in reader:
            read_rows[0] += 1
            if read_rows[0] <= skipping:
                continue
            yield item

    bar = None
    if progress:
        import shutil

        from tqdm import tqdm

        bar = tqdm(total=None, initial=skipping, unit=" rows", file=sys.stderr,
                   mininterval=0.5, ncols=shutil.get_terminal_size().columns, desc="scoring")

    writer: _Writer | None = None
    thresholds: tuple[float, float] | None = None
    pool = None
    local_model: Any = None
    finished = False
    try:
        chunks = _chunks(rows_iter(), chunksize)
        first = next(chunks, None)
        second = next(chunks, None) if first is not None else None
        parallel = workers > 1 and second is not None

        def all_chunks() -> Iterator[list[tuple[dict[str, Any], str | None]]]:
            if first is not None:
                yield first
            if second is not None:
                yield second
            yield from chunks

        if parallel:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pool = ProcessPoolExecutor(max_workers=workers,
                                       mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init_worker, initargs=(model, match))
        else:
            _init_worker(model, match)
            local_model = _DETECTOR
            thresholds = _thresholds(local_model)

        def handle(chunk: list, notes: list, todo: list, results: list) -> None:
            nonlocal writer
            rows = run.merge(chunk, notes, todo, results)
            if writer is None:
                out_cols = (list(reader.columns)
                            + [c for c in OUTPUT_COLUMNS if c not in reader.columns]
                            + [k for k in (run.extra_keys or []) if k not in reader.columns
                               and k not in OUTPUT_COLUMNS])
                if ckpt is not None:
                    out_cols = list(ckpt["columns"])
                if out_fmt == "parquet":
                    writer = _ParquetWriter(sink, out_cols, True, reader.schema)
                else:
                    writer = _WRITERS[out_fmt](sink, out_cols, ckpt is None)
            writer.write(rows)
            if bar is not None:
                bar.update(len(chunk))
            if bad_fh is not None and bad_lines:
                bad_fh.write("".join(b + "\n" for b in bad_lines))
                bad_fh.flush()
                bad_lines.clear()
            if target is not None and out_fmt != "parquet":
                size = _fsync(sink)
                summary.bad_lines = bad_count[0]
                _write_json_atomic(ckpt_path, {  # type: ignore[arg-type]
                    "version": 1, **_input_identity(input), "options": options,
                    "rows_done": summary.rows, "bytes": size, "columns": writer.columns,
                    "extra_keys": run.extra_keys, "summary": asdict(summary),
                    "report": report_state.state() if report_state else None})

        pending: collections.deque = collections.deque()
        for chunk in all_chunks():
            notes, todo, records = run.prepare(chunk)
            if pool is None:
                results = _score_records(local_model, records, explain) if records else []
                handle(chunk, notes, todo, results)
                continue
            pending.append((chunk, notes, todo, pool.submit(_score_payload, (records, explain))))
            while len(pending) >= 2 * workers:
                c, n, t, fut = pending.popleft()
                results, thresholds = fut.result()
                handle(c, n, t, results)
        while pending:
            c, n, t, fut = pending.popleft()
            results, thresholds = fut.result()
            handle(c, n, t, results)
        if writer is None:  # empty input: still write the header
            run.extra_keys = run.extra_keys or []
            handle([], [], [], [])
        assert writer is not None
        writer.finish()
        summary.bad_lines = bad_count[0]
        if target is not None:
            _fsync(sink)
            sink.close()
            os.replace(partial, target)  # type: ignore[arg-type]
        else:
            sink.flush()
        finished = True
    finally:
        if pool is not None:
            pool.shutdown(wait=finished, cancel_futures=True)
        if bar is not None:
            bar.close()
        reader.close()
        if bad_fh is not None:
            bad_fh.close()
        if target is not None and not sink.closed:
            sink.close()
        exc = sys.exc_info()[1]
        if not finished and not isinstance(exc, KeyboardInterrupt) and partial is not None:
            # A failed run (bad input, bad options) leaves nothing to resume from.
            for leftover in (partial, ckpt_path):
                if leftover is not None and leftover.exists():
                    leftover.unlink()
    if finished and ckpt_path is not None and ckpt_path.exists():
        ckpt_path.unlink()
    summary.seconds = time.perf_counter() - started
    if report:
        from .report import write_report

        write_report(report, report_state.items() if report_state else [], summary,
                     histogram=report_state.hist if report_state else None,
                     thresholds=thresholds, top=report_top, source=str(input))
    return summary


def _score_partition(frame: pd.DataFrame, model: Any, text_column: str | None, explain: int,
                     match: bool) -> pd.DataFrame:
    from .persist import load_model

    detector = load_model(model) if model is None or isinstance(model, (str, Path)) else model
    if not match and getattr(detector, "narratives", None) is not None:
        detector = copy.copy(detector)
        detector.narratives = None
    return score_frame(detector, frame, text_column=text_column, explain=explain)


def score_dask(ddf: Any, *, model: Any = None, text_column: str | None = None,
               explain: int = 5, match: bool = True) -> Any:
    """Score a Dask DataFrame partition by partition, to scale out past one machine.

    Each worker loads the model once (pass a path, or None for the shipped model, so that
    only the path travels with the tasks) and scores its partitions with
    :func:`score_frame`; bad rows get ``error`` as in :func:`score_file`.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Rows with a text column (``text``, ``post_message``, ... or ``text_column``).
    model : str, Path, Detector or None
        Model file, a fitted detector, or None for the shipped model.
    text_column : str, optional
        Text column when not a known name.
    explain : int
        Terms per row in ``top_terms``.
    match : bool
        Match texts against the narrative catalogue when the model carries one.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; ``.compute()`` or ``.to_parquet(...)`` runs it.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> ddf = dd.from_pandas(pd.DataFrame({"text": ["Tỏi chữa khỏi covid", "Hà Nội mưa"]}),
    ...                      npartitions=2)
    >>> out = score_dask(ddf, match=False).compute()
    >>> list(out.columns[:5]), len(out)
    (['text', 'score', 'label', 'tier', 'top_terms'], 2)
    """
    try:
        import dask.dataframe  # noqa: F401
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "scoring a Dask DataFrame needs dask: pip install \"vnmisinfo[dask]\"") from None
    sample = ddf._meta_nonempty.head(1)
    meta = _score_partition(sample, model, text_column, explain, match).iloc[:0]
    return ddf.map_partitions(_score_partition, model, text_column, explain, match, meta=meta)
