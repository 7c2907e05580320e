"""The feedback store: an append-only folder of reviewers' verdicts.

A store is a folder holding ``STORE.json`` (what the folder is, and the
format version) and ``feedback.jsonl``, one JSON object per verdict:

``text``
    The reviewed text (title + text as scored); empty when redacted.
``verdict``
    ``misinformation``, ``reliable`` or ``unsure`` (:data:`~vnmisinfo.data.review.VERDICTS`).
``narrative_id``, ``note``, ``reviewer``
    As the reviewer wrote them; may be empty.
``time``
    When the verdict was stored, UTC, ISO 8601.
``model``
    The model that scored the item (its ``vnm_model``); may be empty.
``text_hash``
    16 hex digits of :func:`vnmisinfo.data.hygiene.text_hashes` of the
    normalized text, the one hash a model file keeps instead of texts.
``id``
    The item's id in the reviewed file, when it had an id column.

Every change writes the whole new file to a temporary file in the folder,
flushes it to disk and renames it over the old one: a crash leaves the old
store or the new one, never half of one.  The newest verdict for a text wins
when reading.

Examples
--------
>>> import tempfile
>>> store = FeedbackStore(tempfile.mkdtemp() + "/store")
>>> store.add([{"text": "Uống nước chanh nóng diệt virus corona", "verdict": "Misinformation"},
...            {"text": "Hà Nội nắng nhẹ cuối tuần", "verdict": "reliable"},
...            {"text": "Chưa rõ nguồn tin", "verdict": ""}], reviewer="lan")
... # doctest: +NORMALIZE_WHITESPACE
AddResult(added=2, skipped_blank=1, duplicates=0, overruled=0, earlier=(), contradicts=(),
          near_opposite=())
>>> store.frame()[["text", "label"]].to_dict("records")[0]
{'text': 'Uống nước chanh nóng diệt virus corona', 'label': 1}
>>> store.add([{"text": "Hà Nội nắng nhẹ cuối tuần", "verdict": "reliable"}],
...           reviewer="lan")  # doctest: +NORMALIZE_WHITESPACE
AddResult(added=0, skipped_blank=0, duplicates=1, overruled=0, earlier=(), contradicts=(),
          near_opposite=())
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from vnmisinfo.data.formats import atomic_write
from vnmisinfo.data.hygiene import text_hashes, text_keys
from vnmisinfo.data.readers import ID_NAMES
from vnmisinfo.data.review import REVIEW_COLUMNS, VERDICTS, parse_verdict
from vnmisinfo.data.schema import find_columns, is_missing, joined_text, resolve_columns
from vnmisinfo.review.checks import (
    HASH,
    FeedbackError,
    entry_problem,
    fresh_entries,
    opposite_verdicts,
    refuse_garbled,
    verdicts_of,
)

__all__ = ["ENTRIES_FILE", "FORMAT_VERSION", "MARKER_FILE", "AddResult", "FeedbackError",
           "FeedbackStore", "hash_texts", "hex_hashes", "review_columns", "reviewed_texts"]

#: The file that marks a folder as a feedback store.
MARKER_FILE = "STORE.json"
#: The append-only file of verdicts, one JSON object per line.
ENTRIES_FILE = "feedback.jsonl"
#: Version of the store format this code reads and writes.
FORMAT_VERSION = 1
_KIND = "vnmisinfo feedback store"
_ENTRY_KEYS = ("text", "verdict", "narrative_id", "note", "reviewer", "time", "model",
               "text_hash")


@dataclass(frozen=True)
class AddResult:
    """What :meth:`FeedbackStore.add` did.

    Attributes
    ----------
    added : int
        Verdicts appended to the store.
    skipped_blank : int
        Rows with a blank verdict (not reviewed yet).
    duplicates : int
        Rows whose verdict the store already holds as that reviewer's newest
        verdict for the same text.
    overruled : int
        Rows of a text that the same file gives again further down: the file's last
        verdict for a text is the one kept (its earlier rows count here, not as added).
    earlier : tuple of str
        Where the rows are (``line N``, or ``row N`` without file lines) that say what the
        same reviewer said of their text before a later, different verdict: skipped, as an
        older file fed again, unless ``restore_earlier`` was set (then they are added).
    contradicts : tuple of str
        Where the added rows are that say the opposite of a stored verdict on a text with
        the same words (another copy of the post), with that text's hash
        (:func:`~vnmisinfo.review.checks.opposite_verdicts`).
    near_opposite : tuple of str
        Where the added rows are that say the opposite of a stored verdict on a near-copy
        with other words, with its hash and cosine: a false claim and its true version may
        differ by one word, so check that they differ in the claim
        (:func:`~vnmisinfo.review.checks.opposite_verdicts`).
    """

    added: int
    skipped_blank: int
    duplicates: int
    overruled: int = 0
    earlier: tuple[str, ...] = ()
    contradicts: tuple[str, ...] = ()
    near_opposite: tuple[str, ...] = ()


def _cell(value: Any) -> str:
    if is_missing(value):
        return ""
    return str(value)


def hash_texts(texts: Sequence[str], titles: Sequence[str] | None = None) -> list[str]:
    """The text hash of each title + text, as 16 hex digits.

    The same normalization as duplicate detection (:func:`~vnmisinfo.data.hygiene.text_keys`),
    so that copies differing in case, spacing or Unicode form share a hash.

    Examples
    --------
    >>> a, b, c = hash_texts(["Tin  GIẢ", "tin giả", "tin thật"])
    >>> a == b, a == c, len(a)
    (True, False, 16)
    >>> hash_texts("tin giả")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: hash_texts takes a list of texts, not one str (it would hash each character); ...
    """
    for name, value in (("texts", texts), ("titles", titles)):
        if isinstance(value, (str, bytes)):
            raise TypeError(f"hash_texts takes a list of {name}, not one {type(value).__name__} "
                            f"(it would hash each character); wrap it in a list: "
                            f"hash_texts([{name[:-1]}]).")
    frame = pd.DataFrame({"text": [_cell(t) for t in texts],
                          "title": [_cell(t) for t in titles] if titles is not None
                          else [""] * len(texts)})
    return hex_hashes(text_keys(frame))


def hex_hashes(keys: Sequence[str]) -> list[str]:
    """:func:`~vnmisinfo.data.hygiene.text_hashes` of comparison keys, as 16 hex digits.

    Examples
    --------
    >>> hex_hashes(["tin giả"]) == hash_texts(["Tin  GIẢ"])
    True
    """
    return [f"{int(h):016x}" for h in text_hashes(keys)]


def reviewed_texts(frame: pd.DataFrame, text_column: str | None = None) -> tuple[
        list[str], list[str], str, str | None]:
    """Raw texts, titles, the text column and the title column of a reviewed or scored table.

    Raises
    ------
    FeedbackError
        If ``text_column`` is missing, or no known text column is present;
        the message lists the columns found.

    Examples
    --------
    >>> reviewed_texts(pd.DataFrame({"post_message": ["Tin"], "headline": ["Tựa"]}))
    (['Tin'], ['Tựa'], 'post_message', 'headline')
    """
    found = resolve_columns([str(c) for c in frame.columns])
    if text_column is not None:
        if text_column not in frame.columns:
            raise FeedbackError(f"text column {text_column!r} not found; the columns are "
                                f"{list(frame.columns)}.")
        found["text"] = text_column
    if "text" not in found:
        raise FeedbackError(f"no text column among {list(frame.columns)}; name it 'text', "
                            "'post_message', 'content', 'message' or 'body', or pass "
                            "--text-column NAME.")
    title = found.get("title")
    texts = [_cell(v) for v in frame[found["text"]].tolist()]
    titles = [_cell(v) for v in frame[title].tolist()] if title else [""] * len(frame)
    return texts, titles, found["text"], title


class FeedbackStore:
    """Reviewers' verdicts, kept in a folder (see the module notes for the format).

    Parameters
    ----------
    path : str or path-like
        The store's folder.  It is created on the first :meth:`add`; a
        folder that exists, is not empty and holds no ``STORE.json`` is
        refused, so that a store never mixes with other files.

    Raises
    ------
    FeedbackError
        If ``path`` is a file, a non-empty folder that is not a store, or a
        store of a newer format.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._check()

    def __repr__(self) -> str:
        return f"FeedbackStore({str(self.path)!r})"

    @property
    def entries_path(self) -> Path:
        """The verdicts file, ``feedback.jsonl``."""
        return self.path / ENTRIES_FILE

    def _check(self) -> None:
        p = self.path
        if p.exists() and not p.is_dir():
            raise FeedbackError(f"{p} is a file, not a feedback store folder; pass a folder "
                                "(it is created when missing).")
        marker = p / MARKER_FILE
        if not marker.is_file():
            if p.is_dir() and any(c.name != ".lock" for c in p.iterdir()):
                raise FeedbackError(f"{p} is not a vnmisinfo feedback store (no {MARKER_FILE}) "
                                    "and is not empty; pass an empty or new folder, or an "
                                    "existing store.")
            return
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FeedbackError(f"{marker}: unreadable store marker ({exc}).") from None
        if not isinstance(info, dict) or info.get("kind") != _KIND:
            raise FeedbackError(f"{marker} does not mark a vnmisinfo feedback store.")
        version = info.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise FeedbackError(f"{marker}: store format {version!r} is newer than this "
                                f"vnmisinfo reads ({FORMAT_VERSION}); upgrade vnmisinfo.")

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the store, so that two writers never lose a verdict."""
        self.path.mkdir(parents=True, exist_ok=True)
        if os.name != "posix":  # pragma: no cover - no advisory locks to take
            yield
            return
        import fcntl

        with open(self.path / ".lock", "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _mark(self) -> None:
        if not (self.path / MARKER_FILE).is_file():
            info = {"kind": _KIND, "format_version": FORMAT_VERSION, "entries": ENTRIES_FILE}
            atomic_write(self.path / MARKER_FILE, json.dumps(info, indent=2) + "\n")

    def _numbered_lines(self) -> list[tuple[int, str]]:
        """The non-blank lines of ``feedback.jsonl`` with their line numbers in the file."""
        try:
            # utf-8-sig: a store saved by a text editor may start with a byte-order mark
            with open(self.entries_path, encoding="utf-8-sig") as fh:
                # "\n" alone ends an entry: splitlines() also splits on U+2028, U+2029 and
                # U+0085, which json.dumps leaves in a text as they are
                return [(number, line) for number, line in enumerate(fh.read().split("\n"), 1)
                        if line.strip()]
        except FileNotFoundError:
            return []

    def _read_lines(self) -> list[str]:
        return [line for _, line in self._numbered_lines()]

    def _write_lines(self, lines: Sequence[str]) -> None:
        self._mark()
        atomic_write(self.entries_path, "".join(line + "\n" for line in lines))

    def all_entries(self) -> list[dict[str, Any]]:
        """Every stored verdict, oldest first (also those a newer verdict replaced).

        Each entry's ``verdict`` is read as :func:`~vnmisinfo.data.review.parse_verdict`
        reads a cell (any case, spaces around it ignored) and given lower-cased.

        Raises
        ------
        FeedbackError
            If a line of ``feedback.jsonl`` is not a JSON object, or an entry has no
            ``text_hash`` of 16 hex digits or no verdict of
            :data:`~vnmisinfo.data.review.VERDICTS`; the message names each line, the
            field and the fix.
        """
        out = []
        problems = []
        for number, line in self._numbered_lines():
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise FeedbackError(f"{self.entries_path}, line {number}: not JSON ({exc}).") \
                    from None
            problem = entry_problem(item)
            if problem:
                problems.append(f"line {number}: {problem}")
                continue
            item["verdict"] = parse_verdict(item["verdict"])
            out.append(item)
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise FeedbackError(
                f"{self.entries_path}: {len(problems)} line(s) are not feedback entries; "
                f"{'; '.join(problems[:5])}{more}. Fix or delete these lines in the file "
                "(one JSON object per line; the store format is in docs/review.md).")
        return out

    def entries(self) -> list[dict[str, Any]]:
        """The newest verdict for each text hash, in the order they were stored."""
        newest: dict[str, dict[str, Any]] = {}
        for item in self.all_entries():
            newest.pop(item["text_hash"], None)
            newest[item["text_hash"]] = item
        return list(newest.values())

    def hashes(self) -> set[str]:
        """Text hashes of every reviewed text, whatever its verdict."""
        return {item["text_hash"] for item in self.all_entries()}

    def frame(self, include_unsure: bool = False) -> pd.DataFrame:
        """Newest verdicts as training data: ``text``, ``label``, ``time``, ``text_hash`` and
        ``model`` (the ``vnm_model`` of the model that scored the row, or empty).

        ``label`` is 1 for misinformation and 0 for reliable; with
        ``include_unsure``, unsure verdicts come with a missing label (``<NA>``).
        """
        rows = [item for item in self.entries()
                if include_unsure or item["verdict"] != "unsure"]
        label = {"misinformation": 1, "reliable": 0, "unsure": None}
        frame = pd.DataFrame({
            "text": [item.get("text", "") for item in rows],
            "label": pd.array([label[item["verdict"]] for item in rows], dtype="Int64"),
            "time": [item.get("time", "") for item in rows],
            "text_hash": [item["text_hash"] for item in rows],
            "model": [str(item.get("model", "") or "") for item in rows],
        })
        if not include_unsure:
            frame["label"] = frame["label"].astype(int)
        return frame

    def add(self, rows: pd.DataFrame | Iterable[Mapping[str, Any]], *, reviewer: str = "",
            redact: bool = False, text_column: str | None = None,
            source: str = "", restore_earlier: bool = False) -> AddResult:
        """Validate reviewed rows and append their verdicts to the store.

        Parameters
        ----------
        rows : DataFrame or iterable of mapping
            Reviewed items: a text column (see
            :data:`~vnmisinfo.data.names.TEXT_ALIASES`), optional title, and the
            reviewer columns :data:`~vnmisinfo.data.review.REVIEW_COLUMNS`, found
            whatever their case, spaces and underscores (:func:`review_columns`);
            ``vnm_model`` and an id column (``id``, ``post_id``, ...) are kept
            when present.  A frame's ``attrs["lines"]`` (as the table readers
            set it) names file lines in errors.
        reviewer : str, default=""
            Who reviewed the rows (spaces around it are dropped).
        redact : bool, default=False
            Store no text and no note for ``unsure`` verdicts (a note can quote the
            text); the hash and verdict stay.
        text_column : str, optional
            The text column when it is not a known name.
        source : str, default=""
            The file name, for error messages.
        restore_earlier : bool, default=False
            Store a row that says what the same reviewer said of the text before a
            later, different verdict (:attr:`AddResult.earlier`).  Without it, such
            a row is skipped: feeding an older reviewed file again does not undo a
            correction.

        Returns
        -------
        AddResult

        Raises
        ------
        FeedbackError
            If a verdict is not one of :data:`~vnmisinfo.data.review.VERDICTS`
            (naming each bad row), a reviewed text is garbled by a wrong text
            encoding (UTF-8 read as Windows-1252 or 1258, as a spreadsheet does
            with a CSV without a byte-order mark), or the text or verdict column
            is missing; nothing is written then.
        """
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(list(rows))
        reviewer = str(reviewer).strip()
        where = f"{source}, " if source else ""
        columns = review_columns(frame.columns, where)
        if "verdict" not in columns:
            raise FeedbackError(f"{where}no 'verdict' column among {list(frame.columns)}; a "
                                f"reviewer marks each item {', '.join(VERDICTS)} or leaves it "
                                "blank.")
        texts, titles, _, _ = reviewed_texts(frame, text_column)
        lines = list(frame.attrs.get("lines") or [])
        label = "line" if len(lines) == len(frame) else "row"
        places = [f"{label} {n}" for n in (lines if label == "line"
                                           else range(1, len(frame) + 1))]
        verdicts = verdicts_of(frame[columns["verdict"]].tolist(), places, where)
        refuse_garbled(texts, titles, verdicts, places, where)
        id_col = next((c for n in ID_NAMES for c in frame.columns if str(c).lower() == n), None)
        found = {**columns, "vnm_model": "vnm_model"}
        extra = {c: [_cell(v) for v in frame[found[c]].tolist()]
                 if c in found and found[c] in frame.columns else [""] * len(frame)
                 for c in (*REVIEW_COLUMNS[1:], "vnm_model")}
        hashes = hash_texts(texts, titles)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        new: list[tuple[str, dict[str, Any]]] = []
        for i, verdict in enumerate(verdicts):
            if verdict is None:
                continue
            keep_text = not (redact and verdict == "unsure")
            entry = {"text": joined_text(texts[i], titles[i]) if keep_text else "",
                     "verdict": verdict, "narrative_id": extra["narrative_id"][i].strip(),
                     "note": extra["note"][i] if keep_text else "", "reviewer": reviewer,
                     "time": now,
                     "model": extra["vnm_model"][i], "text_hash": hashes[i]}
            if id_col is not None:
                entry["id"] = _cell(frame[id_col].iloc[i])
            new.append((places[i], entry))
        blank = len(verdicts) - len(new)
        last = {entry["text_hash"]: i for i, (_, entry) in enumerate(new)}
        overruled = len(new) - len(last)  # the file's last verdict for a text is its word
        new = [item for i, item in enumerate(new) if last[item[1]["text_hash"]] == i]
        with self._lock():
            self._check()
            stored = self.all_entries()
            fresh, earlier = fresh_entries(stored, new, restore_earlier)
            kept = {id(f) for f in fresh}
            added = [(p, e) for p, e in new if id(e) in kept]
            opposite, near = opposite_verdicts(stored, added)
            if fresh:
                self._write_lines([*self._read_lines(),
                                   *(json.dumps(e, ensure_ascii=False) for e in fresh)])
        skipped = 0 if restore_earlier else len(earlier)
        return AddResult(added=len(fresh), skipped_blank=blank,
                         duplicates=len(new) - len(fresh) - skipped, overruled=overruled,
                         earlier=tuple(earlier), contradicts=tuple(opposite),
                         near_opposite=tuple(near))

    def prune(self, before: date | str) -> int:
        """Delete verdicts stored before a day (UTC); returns how many were deleted.

        Raises
        ------
        FeedbackError
            If ``before`` is not a ``YYYY-MM-DD`` date, or is after today (UTC):
            such a date would delete every verdict.
        """
        if isinstance(before, str):
            try:
                before = date.fromisoformat(before.strip())
            except ValueError:
                raise FeedbackError(f"prune date must be YYYY-MM-DD, got {before!r}.") from None
        today = datetime.now(timezone.utc).date()
        if before > today:
            raise FeedbackError(
                f"prune date {before} is in the future (today is {today}, UTC): it would delete "
                "every verdict. Give a past date; to empty the store, delete its folder.")
        cut = before.isoformat()
        return self._drop(lambda item: str(item.get("time", ""))[:10] < cut)

    def forget(self, text_hashes: Iterable[str]) -> int:
        """Delete every verdict on the given texts; returns how many were deleted.

        Parameters
        ----------
        text_hashes : iterable of str
            Text hashes (16 hex digits), not texts: :func:`hash_texts` gives
            them, ``store.forget(hash_texts([text]))``.

        Raises
        ------
        TypeError
            If ``text_hashes`` is a single string.
        FeedbackError
            If a value is not a text hash; nothing is deleted then.
        """
        if isinstance(text_hashes, (str, bytes)):
            raise TypeError(
                f"forget takes a list of text hashes, not one {type(text_hashes).__name__}; "
                "get them with hash_texts: store.forget(hash_texts([text])).")
        gone = set(text_hashes)
        bad = sorted((v for v in gone if not isinstance(v, str) or not HASH.fullmatch(v)),
                     key=repr)
        if bad:
            raise FeedbackError(
                "forget takes text hashes (16 hex digits, as hash_texts gives them); "
                f"got {bad[0]!r}{f' and {len(bad) - 1} more' if len(bad) > 1 else ''}. For "
                "texts, get their hashes first: store.forget(hash_texts(texts)).")
        return self._drop(lambda item: item["text_hash"] in gone)

    def _drop(self, doomed: Callable[[dict[str, Any]], bool]) -> int:
        with self._lock():
            self._check()
            lines = self._read_lines()
            kept = [line for line, item in zip(lines, self.all_entries(), strict=True)
                    if not doomed(item)]
            if len(kept) != len(lines):
                self._write_lines(kept)
        return len(lines) - len(kept)

    def __len__(self) -> int:
        return len(self._read_lines())


def review_columns(columns: Iterable[Any], where: str = "") -> dict[str, Any]:
    """The column of each reviewer column (``verdict``, ``narrative_id``, ``note``) present.

    Names match as the text column's does (:func:`~vnmisinfo.data.schema.find_columns`):
    whatever their case, spaces and underscores (``Verdict``, ``Narrative ID``, ``note ``).

    Raises
    ------
    FeedbackError
        If two columns read as the same reviewer column (``note`` and ``Note``): one of
        them would be lost.

    Examples
    --------
    >>> review_columns(["id", "Verdict ", "Narrative ID", "note"])
    {'verdict': 'Verdict ', 'narrative_id': 'Narrative ID', 'note': 'note'}
    """
    try:
        return find_columns(list(columns), REVIEW_COLUMNS, source="the file")
    except ValueError as exc:
        raise FeedbackError(f"{where}{exc}") from None
