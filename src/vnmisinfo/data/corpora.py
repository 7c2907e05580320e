"""Corpus loaders: labelled data into one canonical frame.

Every loader returns a :class:`pandas.DataFrame` with the columns of
:data:`RECORD_COLUMNS`: ``id``, ``text``, ``title``, ``likes``, ``comments``,
``shares``, ``timestamp``, ``label`` (1 = false or distorted claim, 0 =
reliable, ``<NA>`` when unlabelled), ``source`` (the file and corpus) and
``domain`` (the outlet, when known).  Poster identities such as ReINTEL's
``user_name`` are never read.

Loaders validate what they read.  A missing file or column, an empty file,
broken CSV quoting, a bad JSON line or an unknown label raises
:class:`CorpusError` naming the file, the line and the fix.  Empty texts are
kept, reported with an :class:`EmptyTextWarning` and listed in
``frame.attrs["empty_texts"]`` (their ids) and ``frame.attrs["empty_lines"]``
(their line numbers), so that callers decide what to do with them.

=================  ==========================================================
loader             reads
=================  ==========================================================
:func:`load_reintel`  ReINTEL CSV (``post_message``, ``label``, counts)
:func:`load_vfnd`     either VFND CSV (``text``, ``label``, ``domain`` or
                      ``source_domain``)
:func:`load_table`    any CSV, TSV, JSONL or Parquet, naming the columns
:func:`load_lines`    plain text, one document per line
:func:`load_any`      any of the above, chosen by extension and columns
=================  ==========================================================
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vnmisinfo.data.formats import open_input
from vnmisinfo.data.readers import id_column_of
from vnmisinfo.data.schema import (
    TEXT_ALIASES,
    as_frame,
    is_missing,
    resolve_columns,
)
from vnmisinfo.data.tables import (
    CorpusError,
    EmptyTextWarning,
    _readable,
    check_file,
    read_csv,
    read_table,
    table_format,
)

__all__ = [
    "LABEL_MAP",
    "RECORD_COLUMNS",
    "CorpusError",
    "EmptyTextWarning",
    "default_data_dir",
    "load_any",
    "load_lines",
    "load_reintel",
    "load_table",
    "load_training_set",
    "load_vfnd",
    "map_labels",
]

RECORD_COLUMNS = (
    "id", "text", "title", "likes", "comments", "shares", "timestamp", "label", "source", "domain",
)

#: Explicit label maps; anything else is an error.
LABEL_MAP = {
    "1": 1, "0": 0, "1.0": 1, "0.0": 0,
    "fake": 1, "real": 0, "misleading": 1, "unreliable": 1, "reliable": 0, "misinformation": 1,
}

#: Labels read either way: a rating "false" is misinformation, a flag ``True`` may be too.
AMBIGUOUS_LABELS = ("true", "false")


def _bad_label(value: Any, key: str) -> str:
    """What is wrong with a label that :data:`LABEL_MAP` does not hold."""
    if key in AMBIGUOUS_LABELS:
        return (f"label {value!r} is ambiguous (a rating 'false' means misinformation, a "
                "column 'is_fake = True' means it too), so true/false labels are not read; "
                "write 1/0, fake/real or misinformation/reliable")
    if not key:
        return "an empty label; expected one of " + str(sorted(LABEL_MAP))
    return f"unknown label {value!r}; expected one of {sorted(LABEL_MAP)}"

#: File extensions each format is recognised by.


def default_data_dir() -> Path:
    """Where the public corpora are looked for: ``$VNMISINFO_CORPORA`` or ``../shared/corpora``."""
    return Path(os.environ.get("VNMISINFO_CORPORA", "../shared/corpora"))


def _lines_of(raw: pd.DataFrame) -> list[int]:
    lines = raw.attrs.get("lines")
    if lines is None or len(lines) != len(raw):
        return list(range(2, len(raw) + 2))
    return list(lines)


def _require(frame: pd.DataFrame, path: Path, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CorpusError(
            f"{path}: missing column(s) {missing}; found {list(frame.columns)}. "
            "Rename the columns or use the generic loader with --text-column/--label-column."
        )


# -- labels and records ---------------------------------------------------------------------
def map_labels(values: Iterable[object], path: str | Path | None = None, *,
               header_lines: int = 1, lines: Sequence[int] | None = None) -> np.ndarray:
    """Map raw labels to 0/1 through :data:`LABEL_MAP`, naming the first bad one.

    Parameters
    ----------
    values : iterable
        Raw labels (``fake``/``real``/``misleading``, ``0``/``1``, ...): a
        file's label column, or labels in memory.
    path : str or Path, optional
        The file the labels come from, for the error message, which then names
        the line; without it, the message names the position.
    header_lines : int, default=1
        Lines before the first record, when ``lines`` is not given.
    lines : sequence of int, optional
        The line of each record (CSV texts can span several lines).

    Raises
    ------
    CorpusError
        On a label that :data:`LABEL_MAP` does not hold.

    Examples
    --------
    >>> map_labels(["fake", "real", "1"], Path("x.csv")).tolist()
    [1, 0, 1]
    >>> map_labels(["1", "0", "misinformation"]).tolist()
    [1, 0, 1]
    >>> map_labels(["1", "maybe"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vnmisinfo.data.tables.CorpusError: label at position 1: unknown label 'maybe'; ...
    """
    out = []
    for i, value in enumerate(values):
        key = str(value).strip().lower()
        if key not in LABEL_MAP:
            if path is None:
                where = f"label at position {i}"
            else:
                where = f"{path}, line {lines[i] if lines is not None else i + 1 + header_lines}"
            raise CorpusError(f"{where}: {_bad_label(value, key)}. "
                              "Fix the label, or map it to one of these first.")
        out.append(LABEL_MAP[key])
    return np.asarray(out, dtype=int)


def _report_empty(canon: pd.DataFrame, path: Path, lines: Sequence[int]) -> None:
    empty = [i for i, (t, ti) in enumerate(zip(canon["text"], canon["title"], strict=True))
             if not str(t).strip() and not str(ti).strip()]
    canon.attrs["empty_texts"] = [canon["id"].iloc[i] for i in empty]
    canon.attrs["empty_lines"] = [int(lines[i]) for i in empty]
    if empty:
        shown = ", ".join(str(lines[i]) for i in empty[:10])
        more = f" and {len(empty) - 10} more" if len(empty) > 10 else ""
        warnings.warn(
            f"{path}: {len(empty)} document(s) with empty text, at line(s) {shown}{more}. "
            "They are kept with text ''; drop them (hygiene.drop_empty) or fill them in.",
            EmptyTextWarning, stacklevel=4,
        )


def _finish(frame: pd.DataFrame, labels: Any, source: str, ids: Iterable[Any],
            domains: Iterable[str] | None = None, *, path: Path | None = None,
            lines: Sequence[int] | None = None) -> pd.DataFrame:
    canon = as_frame(frame.reset_index(drop=True))
    canon.insert(0, "id", [str(i) for i in ids])
    canon["label"] = labels
    canon["source"] = source
    canon["domain"] = [str(d) for d in domains] if domains is not None else ""
    canon = canon[list(RECORD_COLUMNS)]
    if path is not None:
        _report_empty(canon, path, lines if lines is not None else range(2, len(canon) + 2))
    return canon


def _ids(raw: pd.DataFrame, prefix: str, column: str | None = None) -> list[str]:
    """``prefix:id`` of each row, from ``column`` or the first id column ``vnmisinfo score``
    knows (``id``, ``post_id``, ...).

    Without an id column, rows are numbered (``prefix:0``, ...); a row whose id is blank
    gets ``prefix:#N`` (its row number), which no real id of the column can be mistaken for.
    """
    if column is None:
        column = id_column_of([str(c) for c in raw.columns], None)
    if column is not None and column in raw.columns:
        return [f"{prefix}:#{i}" if is_missing(v) or not str(v).strip() else f"{prefix}:{v}"
                for i, v in enumerate(raw[column])]
    return [f"{prefix}:{i}" for i in range(len(raw))]


# -- loaders --------------------------------------------------------------------------------
def load_reintel(path: str | Path) -> pd.DataFrame:
    """Load a ReINTEL CSV (``train.csv`` or ``warmup.csv``).

    Empty posts are kept with ``text == ''`` and reported with an
    :class:`EmptyTextWarning`; :func:`load_training_set` drops them.

    Raises
    ------
    CorpusError
        If the file is missing, empty or broken, lacks ``post_message`` or
        ``label``, or holds an unknown label.
    """
    path = Path(path)
    raw = read_csv(path)
    _require(raw, path, ["post_message", "label"])
    lines = _lines_of(raw)
    cols = [c for c in ("post_message", "num_like_post", "num_comment_post", "num_share_post",
                        "timestamp_post") if c in raw.columns]
    labels = map_labels(raw["label"], path, lines=lines)
    return _finish(raw[cols], labels, f"reintel/{path.name}", _ids(raw, f"reintel:{path.stem}"),
                   path=path, lines=lines)


def load_vfnd(path: str | Path) -> pd.DataFrame:
    """Load either VFND file: the 223-article CSV or the JSON-derived 274-item CSV.

    ``misleading`` counts as 1.  The outlet goes to ``domain`` (never a feature).

    Raises
    ------
    CorpusError
        If the file is missing, empty or broken, lacks ``text`` or ``label``,
        or holds an unknown label.
    """
    path = Path(path)
    raw = read_csv(path)
    _require(raw, path, ["text", "label"])
    lines = _lines_of(raw)
    keep = raw[[c for c in ("text", "title") if c in raw.columns]]
    labels = map_labels(raw["label"], path, lines=lines)
    dom_col = "source_domain" if "source_domain" in raw.columns else "domain"
    domains = raw[dom_col].tolist() if dom_col in raw.columns else None
    return _finish(keep, labels, f"vfnd/{path.name}", _ids(raw, f"vfnd:{path.stem}"), domains,
                   path=path, lines=lines)


def load_table(
    path: str | Path,
    *,
    text_column: str | None = None,
    label_column: str | None = "label",
    id_column: str | None = None,
    title_column: str | None = None,
    domain_column: str | None = None,
    fmt: str | None = None,
) -> pd.DataFrame:
    """Load any CSV, TSV, JSONL or Parquet file of documents.

    Parameters
    ----------
    path : str or Path
        The file; the format comes from the extension unless ``fmt`` is given.
    text_column : str, optional
        The text column; by default the first of ``text``, ``post_message``,
        ``content``, ``message``, ``body``.
    label_column : str or None, default="label"
        The label column, mapped through :data:`LABEL_MAP`; None loads the
        file unlabelled (``label`` is ``<NA>``).
    id_column, title_column, domain_column : str, optional
        Optional columns for ids, titles and outlets.  An id column named as
        ``vnmisinfo score`` knows it (``id``, ``post_id``, ...), ``title`` and
        ``domain``/``source_domain`` are picked up when present; rows without
        an id are numbered.  Ids are ``<file stem>:<id>``.
    fmt : {"csv", "tsv", "jsonl", "parquet"}, optional
        Overrides the extension.

    Returns
    -------
    pandas.DataFrame
        The canonical frame (:data:`RECORD_COLUMNS`).  Metadata columns with
        known names (``likes``, ``num_like_post``, ...) are kept.

    Raises
    ------
    CorpusError
        Missing file or column, empty file, broken quoting or JSON, unknown label.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_text("noi_dung,nhan\\nTỏi chữa khỏi covid,fake\\nHà Nội mưa,real\\n",
    ...                  encoding="utf-8")
    >>> f = load_table(p, text_column="noi_dung", label_column="nhan")
    >>> f["label"].tolist(), f["text"].tolist()[1]
    ([1, 0], 'Hà Nội mưa')
    """
    path = Path(path)
    raw = read_table(path, table_format(path, fmt))
    raw.columns = [str(c) for c in raw.columns]
    if text_column is None:
        found = resolve_columns(list(raw.columns)).get("text")
        if found is None:
            raise CorpusError(
                f"{path}: no text column; found {list(raw.columns)}, expected one of "
                f"{list(TEXT_ALIASES)}. Name it with --text-column (text_column= in Python)."
            )
        text_column = found
    wanted = [text_column] + [c for c in (label_column, id_column, title_column, domain_column)
                              if c is not None]
    missing = [c for c in wanted if c not in raw.columns]
    if missing:
        flag = {text_column: "--text-column", label_column: "--label-column",
                id_column: "--id-column", title_column: "--title-column",
                domain_column: "--domain-column"}
        raise CorpusError(
            f"{path}: missing column(s) {missing}; found {list(raw.columns)}. Name the right "
            f"column with {', '.join(flag[c] for c in missing if c in flag)}"
            + (" (from Python, label_column=None loads it unlabelled)." if label_column in missing
               else ".")
        )
    lines = _lines_of(raw)
    texts = raw[text_column].map(lambda v: "" if v is None or (isinstance(v, float)
                                                                and np.isnan(v)) else str(v))
    body = pd.DataFrame({"text": texts})
    title_column = title_column or ("title" if "title" in raw.columns else None)
    if title_column is not None:
        body["title"] = raw[title_column].fillna("").astype(str)
    for name in ("likes", "num_like_post", "comments", "num_comment_post", "shares",
                 "num_share_post", "timestamp", "timestamp_post"):
        if name in raw.columns and name not in body.columns:
            body[name] = raw[name]
    if label_column is not None:
        labels: Any = map_labels(raw[label_column], path, lines=lines)
    else:
        labels = pd.array([pd.NA] * len(raw), dtype="Int64")
    if domain_column is None:
        domain_column = next((c for c in ("domain", "source_domain") if c in raw.columns), None)
    domains = raw[domain_column].fillna("").tolist() if domain_column is not None else None
    return _finish(body, labels, path.name, _ids(raw, path.stem, id_column), domains,
                   path=path, lines=lines)


def load_lines(path: str | Path, *, label: int | str | None = None) -> pd.DataFrame:
    """Load a plain-text file with one document per line.

    Parameters
    ----------
    path : str or Path
        UTF-8 text file.
    label : int or str, optional
        A label for every line (``1``, ``"fake"``, ...); unlabelled (``<NA>``)
        when None.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tin.txt"
    >>> _ = p.write_text("Tỏi chữa khỏi covid\\nUống nước chanh diệt virus\\n", encoding="utf-8")
    >>> f = load_lines(p, label="fake")
    >>> f["label"].tolist(), f["id"].tolist()
    ([1, 1], ['tin:1', 'tin:2'])
    """
    path = Path(path)
    check_file(path)
    with _readable(path), open_input(path, "rt", encoding="utf-8-sig") as fh:
        text = fh.read()
    rows = text.splitlines()
    while rows and not rows[-1].strip():
        rows.pop()
    if not rows:
        raise CorpusError(f"{path}: the file holds only blank lines; put one document per line.")
    lines = list(range(1, len(rows) + 1))
    if label is None:
        labels: Any = pd.array([pd.NA] * len(rows), dtype="Int64")
    else:
        key = str(label).strip().lower()
        if key not in LABEL_MAP:
            raise CorpusError(f"{path}: {_bad_label(label, key)} (the label of all lines).")
        labels = np.full(len(rows), LABEL_MAP[key], dtype=int)
    return _finish(pd.DataFrame({"text": rows}), labels, path.name,
                   [f"{path.stem}:{n}" for n in lines], path=path, lines=lines)


def _peek_columns(path: Path, fmt: str) -> list[str]:
    if fmt in ("csv", "tsv"):
        with _readable(path), open_input(path, "rt", encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(io.StringIO(fh.readline()),
                                     delimiter="\t" if fmt == "tsv" else ","), [])
        return [h.strip() for h in header]
    return []


def load_any(
    path: str | Path,
    *,
    text_column: str | None = None,
    label_column: str | None = "label",
    id_column: str | None = None,
    label: int | str | None = None,
) -> pd.DataFrame:
    """Load a corpus file with the right loader, chosen by extension and columns.

    ``.txt`` files go to :func:`load_lines` (with the constant ``label``); a
    CSV with ReINTEL's ``post_message`` to :func:`load_reintel`; a CSV with
    ``text``, ``label`` and ``domain``/``source_domain`` to :func:`load_vfnd`;
    everything else to :func:`load_table`.  Naming a column sends the file
    to :func:`load_table`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "posts.jsonl"
    >>> _ = p.write_text('{"text": "Tỏi chữa covid", "label": 1}\\n', encoding="utf-8")
    >>> load_any(p)["label"].tolist()
    [1]
    """
    path = Path(path)
    fmt = table_format(path, None)
    if fmt == "lines":
        return load_lines(path, label=label)
    named = text_column is not None or id_column is not None or label_column != "label"
    if not named:
        check_file(path)
        columns = set(_peek_columns(path, fmt))
        if {"post_message", "label"} <= columns:
            return load_reintel(path)
        if {"text", "label"} <= columns and columns & {"domain", "source_domain"}:
            return load_vfnd(path)
    return load_table(path, text_column=text_column, label_column=label_column,
                      id_column=id_column)


def load_training_set(data_dir: str | Path | None = None, *, include_vfnd: bool = True,
                      reintel_only: bool = False) -> pd.DataFrame:
    """The default training set: ReINTEL train + warm-up, plus VFND, deduplicated.

    Texts without a word (empty, or only punctuation and emoji) are dropped.  Copies (the
    same words once normalized, whatever the punctuation, emoji or line breaks:
    :func:`~vnmisinfo.data.hygiene.word_keys`) keep their first row; groups whose copies
    disagree on the label are dropped whole.  Most VFND articles are in both files, the
    title joined to the text by a full stop in one and by a line break in the other: they
    count once.  The ``key`` column holds each row's comparison key
    (:func:`~vnmisinfo.data.hygiene.text_keys`: normalized once, for the caller too).
    """
    from vnmisinfo.data.hygiene import text_groups, text_keys, word_keys

    root = Path(data_dir) if data_dir is not None else default_data_dir()
    with warnings.catch_warnings():
        # Empty texts are dropped below, on purpose.
        warnings.simplefilter("ignore", EmptyTextWarning)
        try:
            parts = [load_reintel(root / "reintel" / "train.csv"),
                     load_reintel(root / "reintel" / "warmup.csv")]
            if include_vfnd and not reintel_only:
                parts += [load_vfnd(root / "vfnd" / "vfnd_articles_223.csv"),
                          load_vfnd(root / "vfnd" / "vfnd_json_274.csv")]
        except CorpusError as exc:
            raise CorpusError(f"{exc} Point --data-dir (or VNMISINFO_CORPORA) at the folder "
                              "that holds reintel/ and vfnd/.") from None
    frame = pd.concat(parts, ignore_index=True)
    frame["key"] = text_keys(frame)
    words = word_keys(frame["key"].tolist())
    frame = frame[[bool(w) for w in words]].reset_index(drop=True)
    frame["group"] = text_groups([w for w in words if w])
    conflicted = frame.groupby("group")["label"].nunique()
    bad = set(conflicted[conflicted > 1].index)
    frame = frame[~frame["group"].isin(bad)].drop_duplicates("group").reset_index(drop=True)
    return frame
