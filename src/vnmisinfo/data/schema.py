"""The input schema: what a user hands in, turned into one canonical frame.

:func:`as_frame` accepts a sequence of strings, a sequence of mappings or a
pandas DataFrame with ReINTEL or VFND column names; :data:`TEXT_ALIASES` and
:func:`resolve_columns` are the one place where column names are recognised,
and :func:`joined_text` the one title+text join.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd

from vnmisinfo.data.names import _ALIASES, FRAME_COLUMNS, META_COLUMNS, TEXT_ALIASES

__all__ = [
    "FRAME_COLUMNS",
    "META_COLUMNS",
    "TEXT_ALIASES",
    "as_frame",
    "column_key",
    "find_columns",
    "frame_columns",
    "headline_only",
    "is_blank",
    "is_missing",
    "joined_text",
    "resolve_columns",
    "text_problem",
]

def is_missing(value: Any) -> bool:
    """Whether a cell is missing: None, NaN, or pandas' ``NA`` and ``NaT``.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, "", 0)]
    [True, True, True, True, False, False]
    """
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def frame_columns(columns: list[Any], text_column: str | None = None) -> dict[str, Any]:
    """Role to column of a DataFrame's ``columns`` (:func:`resolve_columns`), with its text
    column; a missing one is named with the fix a Python caller has.

    Examples
    --------
    >>> frame_columns(["bai_viet", "likes"], "bai_viet")
    {'likes': 'likes', 'text': 'bai_viet'}
    >>> try:
    ...     frame_columns(["x"])
    ... except ValueError as exc:
    ...     print(str(exc)[:60])
    no text column among ['x']; rename it, e.g. df.rename(column
    """
    cols = resolve_columns(list(columns))
    if text_column is not None:
        if text_column not in columns:
            raise ValueError(f"text column {text_column!r} not found; columns are {columns}.")
        cols["text"] = text_column
    if "text" not in cols:
        raise ValueError(f"no text column among {columns}; rename it, e.g. "
                         "df.rename(columns={'bai_viet': 'text'}) ('text' or 'post_message'), "
                         "or pass text_column=NAME.")
    return cols


def is_blank(value: Any) -> bool:
    """Whether a cell holds nothing: missing (:func:`is_missing`) or only whitespace.

    Examples
    --------
    >>> [is_blank(v) for v in (None, float("nan"), "", "  ", "scam-001", 0)]
    [True, True, True, True, False, False]
    """
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def headline_only(text: Any, title: Any) -> bool:
    """Whether a row is a headline without its body: no text, a title.

    Training reads such an article by its title, and so do ``score`` and ``match``.

    Examples
    --------
    >>> headline_only(None, "Tin nóng"), headline_only(" ", "Tin nóng"), headline_only("", " ")
    (True, True, False)
    """
    return is_blank(text) and isinstance(title, str) and bool(title.strip())


def text_problem(value: Any) -> str | None:
    """Why a text cell cannot be scored, or None when it can: the batch's ``vnm_error``.

    Examples
    --------
    >>> text_problem(None), text_problem(42), text_problem("  "), text_problem("Tin")
    ('missing text', 'text is int, not a string', 'empty text', None)
    """
    if is_missing(value):
        return "missing text"
    if not isinstance(value, str):
        return f"text is {type(value).__name__}, not a string"
    if not value.strip():
        return "empty text"
    return None


def _type_error(where: str, value: object) -> TypeError:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return TypeError(
            f"{where} is {type(value).__name__}; expected str. Decode it first, "
            "e.g. x.decode('utf-8', errors='replace')."
        )
    return TypeError(
        f"{where} is {type(value).__name__}; expected str. "
        "Convert it to text (str(x)) or drop it; missing texts may be None and are scored as ''."
    )


def _repair_surrogates(text: str) -> str:
    """Join UTF-16 surrogate pairs into their character; lone surrogates become U+FFFD.

    Lone surrogates cannot be encoded as UTF-8, so pandas' string columns (and
    many writers) reject them; :func:`~vnmisinfo.text.normalize.normalize_text`
    later drops the U+FFFD.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _text_value(value: object, where: str) -> str:
    if isinstance(value, str):
        return _repair_surrogates(value)
    if is_missing(value):
        return ""
    raise _type_error(where, value)


def _number(value: object) -> float:
    """Coerce a count or timestamp; anything unusable becomes NaN (marked missing)."""
    if is_missing(value) or isinstance(value, bool):
        return math.nan
    try:  # an integer too big for a float (a JSON number of 400 digits) is unusable too
        out = (float(value) if isinstance(value, numbers.Real)
               else float(str(value).strip().replace(",", "")))
    except (ValueError, OverflowError):
        return math.nan
    return out if math.isfinite(out) and out >= 0 else math.nan


#: The largest count read as one: more likes, comments or shares than any post has had
#: (there are fewer than ten billion people).  A larger value is a data error (an id or a
#: time in a count's column, an overflow) and is read as missing, so it cannot drive a score.
MAX_COUNT = 1e10


#: A count as platforms print it: a number, then thousands (``K``, ``N``, ``nghìn``, ``ngàn``)
#: or millions (``M``, ``Tr``, ``triệu``); a comma or a dot in the number is a decimal mark.
_ABBREVIATED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(k|n|nghìn|ngàn|m|tr|triệu)\.?", re.IGNORECASE)
_SCALE = {"k": 1e3, "n": 1e3, "nghìn": 1e3, "ngàn": 1e3, "m": 1e6, "tr": 1e6, "triệu": 1e6}
#: Digits grouped by thousands with one mark, a dot (Vietnamese) or a comma: ``1.234.567``.
_GROUPED = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*")


def _count(value: object) -> float:
    """A like, comment or share count; NaN (missing) when unusable or beyond :data:`MAX_COUNT`.

    Counts written as platforms show them are read too: ``1,2K`` and ``2,5 N`` (thousands),
    ``1 Tr`` (millions), ``1.234`` (digits grouped by dots, as Vietnamese writes them).

    Examples
    --------
    >>> _count("1,234"), _count("1.234"), _count("1,2K"), _count("2,5 nghìn"), _count("1.5 Tr")
    (1234.0, 1234.0, 1200.0, 2500.0, 1500000.0)
    >>> _count(-5), _count(1e308), _count(float("inf")), _count("unknown"), _count("12.5")
    (nan, nan, nan, nan, 12.5)
    >>> _count(10**400), _count("9" * 400 + "K")  # more than a float holds
    (nan, nan)
    """
    if isinstance(value, str):
        text = value.strip()
        if grouped := _GROUPED.fullmatch(text):
            value = text.replace(grouped[1], "")
        elif found := _ABBREVIATED.fullmatch(text):
            scaled = float(found[1].replace(",", ".")) * _SCALE[found[2].lower()]
            value = round(scaled) if math.isfinite(scaled) else scaled
    number = _number(value)
    return number if number <= MAX_COUNT else math.nan


_VIETNAM = timezone(timedelta(hours=7))


#: A day-first time as Vietnamese pages write it, the time of day before or after the date:
#: ``05/03/2024 10:30``, ``10:30 05/03/2024``, ``5-3-2024 10:30:15``.
_DAY_FIRST = re.compile(r"(?:(\d{1,2}):(\d{2})(?::(\d{2}))?,?\s+)?(\d{1,2})[/.-](\d{1,2})[/.-]"
                        r"(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
#: An ISO 8601 date without a time of day.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _timestamp(value: object) -> float:
    """Unix seconds of a posting time; NaN when missing, unreadable or without a time of day.

    A number (seconds, or milliseconds from 1e11 up), a datetime, an ISO 8601 string, or a
    day-first date with its time as Vietnamese pages write it (``05/03/2024 10:30``,
    ``10:30 05/03/2024``; month first when the day cannot be first); a time without a zone
    is Vietnam's (UTC+7).  A date alone
    (``2024-03-05``, ``05/03/2024``, a :class:`datetime.date`) says nothing of the posting
    hour, which is what the model reads, so it is NaN, not midnight.

    Examples
    --------
    >>> _timestamp(1577836800), _timestamp(1577836800000), _timestamp("2020-01-01T07:00:00")
    (1577836800.0, 1577836800.0, 1577836800.0)
    >>> _timestamp(pd.Timestamp("2020-01-01 00:00", tz="UTC")), _timestamp("hôm qua")
    (1577836800.0, nan)
    >>> _timestamp("01/01/2020 07:00"), _timestamp("07:00 1-1-2020"), _timestamp("31/02/2020 07:00")
    (1577836800.0, 1577836800.0, nan)
    >>> _timestamp("25/12/2024 10:30") == _timestamp("12/25/2024 10:30")
    True
    >>> _timestamp("2020-01-01"), _timestamp("01/01/2020"), _timestamp(pd.NaT)
    (nan, nan, nan)
    """
    if is_missing(value):
        return math.nan
    if isinstance(value, datetime):
        when = value if value.tzinfo is not None else value.replace(tzinfo=_VIETNAM)
        return when.timestamp()
    number = _number(value)
    if not math.isnan(number):
        return number / 1000 if number >= 1e11 else number
    if not isinstance(value, str) or not value.strip() or _ISO_DATE.fullmatch(value.strip()):
        return math.nan
    text = value.strip()
    found = _DAY_FIRST.fullmatch(text)
    try:
        if found is None:
            return _timestamp(datetime.fromisoformat(text))
        hour, minute, second = found.group(1, 2, 3) if found[1] else found.group(7, 8, 9)
        if hour is None:
            return math.nan
        day, month = int(found[4]), int(found[5])
        if month > 12:  # month first (12/25/2024), as some exports write it
            day, month = month, day
        return _timestamp(datetime(int(found[6]), month, day, int(hour), int(minute),
                                   int(second or 0)))
    except ValueError:
        return math.nan


def resolve_columns(columns: Sequence[str]) -> dict[str, str]:
    """Map canonical names (``text``, ``likes``, ...) to the matching columns present.

    Examples
    --------
    >>> resolve_columns(["post_message", "num_share_post", "user_name"])
    {'text': 'post_message', 'shares': 'num_share_post'}
    >>> resolve_columns(["Tiêu đề", "Nội dung", "Lượt thích", "Ngày đăng"])
    {'text': 'Nội dung', 'title': 'Tiêu đề', 'likes': 'Lượt thích', 'timestamp': 'Ngày đăng'}

    A column named exactly as the role comes before one that differs in case or spaces:

    >>> resolve_columns(["Text", "text "]), resolve_columns(["Text", "text"])
    ({'text': 'Text'}, {'text': 'text'})
    """
    return dict(_resolved(tuple(columns)))  # a copy: callers may add to it


@functools.lru_cache(maxsize=256)
def _resolved(columns: tuple[Any, ...]) -> dict[str, Any]:
    """:func:`resolve_columns`, once per set of names (the records of a batch share theirs)."""
    present: dict[str, list[Any]] = {}
    for c in columns:
        present.setdefault(column_key(c), []).append(c)
    found = {}
    for canonical, names in _ALIASES.items():
        for name in names:
            if column_key(name) in present:
                same = present[column_key(name)]  # a column named exactly comes first
                found[canonical] = next((c for c in same if str(c) == name), same[0])
                break
    return found


def column_key(name: Any) -> str:
    """How a column's name is matched: case and surrounding spaces aside, accents however
    they are encoded, and a run of spaces or underscores inside read as one underscore.

    Examples
    --------
    >>> column_key(" Narrative ID "), column_key("NOTE"), column_key("Nội  dung")
    ('narrative_id', 'note', 'nội_dung')
    """
    return _SEPARATORS.sub("_", unicodedata.normalize("NFC", str(name)).strip().lower())


_SEPARATORS = re.compile(r"[\s_]+")


def find_columns(columns: Sequence[Any], names: Sequence[str], *, source: str = "the file"
                 ) -> dict[str, Any]:
    """The column of ``columns`` that each of ``names`` stands for, matched by
    :func:`column_key` as the text column is: ``Verdict``, ``note `` and ``Narrative ID``
    are ``verdict``, ``note`` and ``narrative_id``.

    Returns
    -------
    dict
        Each name found to its column, as spelled in ``columns``.

    Raises
    ------
    ValueError
        If two columns, neither spelled as the name, read as the same name (``Note``
        and ``NOTE``), naming both, as one of them would be lost.  A column spelled
        exactly as the name is that name's (a queue's ``note`` beside its input's own
        ``Note``).

    Examples
    --------
    >>> find_columns(["Post_Message", "Verdict ", "Narrative ID"], ["verdict", "narrative_id",
    ...                                                              "note"])
    {'verdict': 'Verdict ', 'narrative_id': 'Narrative ID'}
    """
    wanted = {column_key(name): name for name in names}
    found: dict[str, Any] = {name: name for name in names if name in columns}  # exact first
    for column in columns:
        name = wanted.get(column_key(column))
        if name is None or found.get(name) == name:
            continue
        if name in found:
            raise ValueError(f"{source} has two columns that read as {name!r}: "
                             f"{found[name]!r} and {column!r}; keep one, or rename the other.")
        found[name] = column
    return {name: found[name] for name in names if name in found}


def as_frame(docs: Any, *, text_column: str | None = None) -> pd.DataFrame:
    """Turn documents into the canonical frame.

    Parameters
    ----------
    docs : sequence of str, sequence of mapping, or pandas.DataFrame
        Mappings and frames may carry ``text`` (required), ``title``,
        ``likes``, ``comments``, ``shares`` and ``timestamp`` (Unix seconds or
        milliseconds, a datetime, an ISO 8601 time or a day-first one such as
        ``05/03/2024 10:30``; without a zone, Vietnam's; a date alone is missing);
        the ReINTEL (``post_message``, ``num_like_post``, ...) and VFND
        (``text``, ``title``) names are recognised.  ``None`` or NaN texts are
        scored as empty text.
    text_column : str, optional
        Name of the text column or key when it is not one of the known names.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FRAME_COLUMNS`; counts and timestamps are floats, NaN
        when missing or not numeric, and a count also when negative or above
        :data:`MAX_COUNT`.

    Raises
    ------
    TypeError
        If ``docs`` is a single string, bytes or mapping, or an item is neither
        text, ``None`` nor a mapping (``bytes`` items must be decoded first);
        the message names the item's index.
    ValueError
        If no text column can be found.

    Notes
    -----
    Input policy: ``None`` and NaN texts become ``''``; lone UTF-16
    surrogates (``'\\ud800'``) become U+FFFD, which normalization drops, and a
    valid surrogate pair becomes its character.  Control characters,
    non-characters and texts of any length are kept here and handled by
    :func:`~vnmisinfo.text.normalize.normalize_text`, which removes the former and
    cuts texts longer than :data:`~vnmisinfo.text.normalize.MAX_CHARS` characters
    with a :class:`~vnmisinfo.text.normalize.TruncationWarning`.

    Examples
    --------
    >>> f = as_frame([{"post_message": "Tin giả", "num_like_post": "12"}])
    >>> f.loc[0, "text"], float(f.loc[0, "likes"])
    ('Tin giả', 12.0)
    """
    if isinstance(docs, str):
        raise TypeError(
            "Iterable over raw text documents expected, string object received. "
            "Wrap a single text in a list: [text]."
        )
    if isinstance(docs, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"Iterable over raw text documents expected, {type(docs).__name__} object received. "
            "Decode it first and wrap it in a list: [data.decode('utf-8')]."
        )
    if isinstance(docs, Mapping):
        raise TypeError(
            "Iterable over documents expected, a single mapping received. "
            "Wrap one document in a list: [{'text': ...}]."
        )
    # a frame's or a series' rows are named by their index labels in errors, not positions
    labels = list(docs.index) if isinstance(docs, (pd.Series, pd.DataFrame)) else None
    if isinstance(docs, pd.Series):
        docs = docs.tolist()
    if isinstance(docs, pd.DataFrame):
        cols = frame_columns(list(docs.columns), text_column)
        records: list[Any] = [
            {k: row[i] for k, i in zip(cols, range(len(cols)), strict=True)}
            for row in docs[list(cols.values())].itertuples(index=False, name=None)
        ]
    else:
        try:
            records = list(docs)
        except TypeError:
            raise TypeError(
                f"documents must be a sequence of str or mappings, or a DataFrame; "
                f"got {type(docs).__name__}."
            ) from None
    out: dict[str, list[Any]] = {c: [] for c in FRAME_COLUMNS}
    for i, item in enumerate(records):
        doc = f"document {i}" if labels is None else f"the document at index {labels[i]!r}"
        if isinstance(item, Mapping):
            keys = resolve_columns(list(item.keys()))
            if text_column is not None and text_column in item:
                keys["text"] = text_column
            if "text" not in keys:
                raise ValueError(
                    f"{doc} has no text key among {sorted(item)}; use the key 'text' "
                    "('post_message' also works)."
                )
            out["text"].append(_text_value(item[keys["text"]], f"{doc}: text"))
            title = item.get(keys["title"]) if "title" in keys else None
            out["title"].append(_text_value(title, f"{doc}: title"))
            for c in META_COLUMNS:
                read = _timestamp if c == "timestamp" else _count
                out[c].append(read(item[keys[c]]) if c in keys else math.nan)
        else:
            out["text"].append(_text_value(item, doc))
            out["title"].append("")
            for c in META_COLUMNS:
                out[c].append(math.nan)
    frame = pd.DataFrame(out, columns=list(FRAME_COLUMNS))
    for c in META_COLUMNS:
        frame[c] = frame[c].astype(float)
    return frame


def joined_text(text: str, title: str) -> str:
    """The text a document is scored on: its title, a full stop, then its body.

    Examples
    --------
    >>> joined_text("Nội dung", "Tiêu đề")
    'Tiêu đề. Nội dung'
    """
    if title and title.strip():
        return f"{title.strip()}. {text}"
    return text
