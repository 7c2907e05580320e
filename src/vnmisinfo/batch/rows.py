"""Rows in, rows out: each row's text checked before scoring, its scores merged after.

Every input row gives exactly one output row, in input order: the input
columns, unchanged whatever their names, then :data:`OUTPUT_COLUMNS`, then
any further keys the model's results carry, as ``vnm_<key>`` (sorted).  Every
output column starts with :data:`PREFIX`, so that none can overwrite an input
column; an input that already has such columns (a scored file scored again)
is refused unless they are to be replaced.  A row that cannot be scored, or
whose score deserves a second look, says why in ``vnm_error``;
:class:`BatchSummary` counts rows per tier and per reason.

Examples
--------
>>> output_column("probability"), output_column("narrative_id"), output_column("lang")
('vnm_score', 'vnm_narrative_id', 'vnm_lang')
>>> check_scored(["id", "text", "vnm_score"], overwrite=True)
['vnm_score']
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vnmisinfo.batch.report_state import _ReportState
from vnmisinfo.batch.scoring import _join, _Result
from vnmisinfo.data.readers import JSONL_LOOKAHEAD, BadInputError, Item
from vnmisinfo.data.review import QUEUE_COLUMNS
from vnmisinfo.data.schema import META_COLUMNS, headline_only, is_missing, text_problem
from vnmisinfo.model.explain import format_terms
from vnmisinfo.text.normalize import MAX_CHARS

__all__ = ["OUTPUT_COLUMNS", "OUTPUT_TYPES", "PREFIX", "BatchSummary", "ReservedKeyError",
           "check_later_keys", "check_scored", "output_column"]

#: What every column the tool adds starts with.
PREFIX = "vnm_"
#: Columns added to every output row, in this order, after the input columns.
OUTPUT_COLUMNS = (
    "vnm_score", "vnm_label", "vnm_tier", "vnm_tier_reason", "vnm_top_terms", "vnm_context",
    "vnm_error", "vnm_narrative_id", "vnm_narrative_candidate", "vnm_narrative_similarity",
    "vnm_narrative_sentence", "vnm_narrative_claim", "vnm_rebuttal", "vnm_rebuttal_vi",
    "vnm_sources", "vnm_entities", "vnm_model",
)
#: Output columns that are numbers (in Parquet output); the others are text.
OUTPUT_TYPES: dict[str, type] = {"vnm_score": float, "vnm_label": int,
                                 "vnm_narrative_similarity": float}
#: Output columns set by the batch itself, whatever the results carry.
_OWN = frozenset({"vnm_score", "vnm_label", "vnm_tier", "vnm_top_terms", "vnm_error",
                  "vnm_model"})
_TIERS = ("high", "medium", "low")

_Chunk = list[Item]


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
        Rows per ``vnm_error`` reason (a row may count under several reasons).
    error_rows : int
        Rows with a non-empty ``vnm_error``.
    bad_lines : int
        Malformed lines skipped (only with ``skip_bad_lines``).
    unkept_keys : dict
        Keys of later JSONL rows that the first row did not have, with the rows that had
        them: CSV and Parquet output keep only the first row's columns.
    stopped : str or None
        Where the reading stopped before the end of the input (a compressed file
        damaged there, with ``skip_bad_lines``), and why; None when it read it all.
    seconds : float
        Wall-clock time of the run.
    resumed : int
        Rows written by an earlier run that this one resumed (counted in ``rows``, not in
        the rate).
    report_left_out : int
        ``high`` and ``medium`` rows that the review page, cut at its top items, leaves out
        (:func:`vnmisinfo.report.page.left_out`).

    Examples
    --------
    >>> print(BatchSummary(rows=3, tiers={"high": 1, "medium": 0, "low": 2}, seconds=2.0))
    3 rows in 2.0 s (2 rows/s): 1 high, 0 medium, 2 low, 0 not scored; 0 rows noted in vnm_error
    >>> str(BatchSummary(rows=300, seconds=2.0, resumed=200)).split(":")[0]
    '300 rows (200 of them before the resume) in 2.0 s (50 rows/s)'
    """

    rows: int = 0
    tiers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TIERS, 0))
    not_scored: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    error_rows: int = 0
    bad_lines: int = 0
    unkept_keys: dict[str, int] = field(default_factory=dict)
    stopped: str | None = None
    seconds: float = 0.0
    resumed: int = 0
    report_left_out: int = 0

    def __str__(self) -> str:
        t = self.tiers
        rate = (self.rows - self.resumed) / self.seconds if self.seconds > 0 else 0.0
        before = f" ({self.resumed} of them before the resume)" if self.resumed else ""
        line = (f"{self.rows} rows{before} in {self.seconds:.1f} s ({rate:.0f} rows/s): "
                f"{t.get('high', 0)} high, {t.get('medium', 0)} medium, {t.get('low', 0)} low, "
                f"{self.not_scored} not scored; {self.error_rows} rows noted in vnm_error")
        if self.errors:
            line += " (" + ", ".join(f"{n} {k}" for k, n in sorted(
                self.errors.items(), key=lambda kv: (-kv[1], kv[0]))) + ")"
        if self.bad_lines:
            line += f"; {self.bad_lines} bad lines skipped"
        if self.unkept_keys:
            keys = sorted(self.unkept_keys)
            line += (f"; {len(keys)} key(s) of later JSONL rows not kept, as the first row "
                     f"lacks them: {keys[:5]}{' ...' if len(keys) > 5 else ''} (write JSONL "
                     "output to keep every key)")
        if self.report_left_out:
            line += (f"; the review page leaves out {self.report_left_out} more high or medium "
                     "rows (raise --report-top, or review them with 'vnmisinfo queue')")
        if self.stopped:
            line += f"; {self.stopped}, and the rows before it are all scored"
        if self.errors.get("text is bytes"):
            line += (f". {self.errors['text is bytes']} rows hold their text as bytes, not "
                     "text: store the text column as UTF-8 text and score the file again, "
                     "e.g. in Python: df = pandas.read_parquet('in.parquet'); df['text'] = "
                     "df['text'].str.decode('utf-8'); df.to_parquet('fixed.parquet')")
        if self.rows and 2 * self.errors.get("invalid UTF-8 replaced", 0) >= self.rows:
            line += (". Most rows are not UTF-8 text, so their scores read damaged text: re-save "
                     "the file as UTF-8 (e.g. iconv -f CP1258 -t UTF-8) and score it again")
        return line

    def count_errors(self, note: str) -> None:
        """Count a row's ``vnm_error``: once as a row with errors, once under each reason."""
        self.error_rows += 1
        for reason in note.split("; "):
            key = reason.split(" from ")[0].split(" not a ")[0].rstrip(", ")
            self.errors[key] = self.errors.get(key, 0) + 1


# ---------------------------------------------------------------------------
# Rows in, rows out
# ---------------------------------------------------------------------------

def output_column(key: str) -> str:
    """The output column of a result key: ``vnm_score`` for ``probability``, else ``vnm_<key>``."""
    return PREFIX + ("score" if key == "probability" else key)


def check_scored(columns: Iterable[Any], overwrite: bool) -> list[str]:
    """The input's columns that vnmisinfo writes; refused unless ``overwrite`` replaces them.

    Those are :data:`OUTPUT_COLUMNS` and the review queue's.  Any other column that
    starts with :data:`PREFIX` is only named like them: replacing it would lose it, so
    it is refused, with or without ``overwrite``.

    Raises
    ------
    ValueError
        If there are columns of vnmisinfo's and ``overwrite`` is False, or other columns
        that start with :data:`PREFIX`; the message names them and the way on.

    Examples
    --------
    >>> check_scored(["id", "vnm_note"], overwrite=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the input's columns ['vnm_note'] start with 'vnm_', which names ...
    """
    found = [str(c) for c in columns if str(c).startswith(PREFIX)]
    ours = [c for c in found if c in OUTPUT_COLUMNS or c in QUEUE_COLUMNS]
    foreign = [c for c in found if c not in ours]
    if foreign:
        raise ValueError(
            f"the input's columns {foreign} start with {PREFIX!r}, which names the columns "
            "vnmisinfo adds, but vnmisinfo does not write them, so they cannot be replaced "
            "(--overwrite-scores would lose them). Rename them in the input so that none "
            f"starts with {PREFIX!r}.")
    if ours and not overwrite:
        # a scored file has these two at least
        before = " (it was scored before)" if {"vnm_score", "vnm_tier"} <= set(ours) else ""
        raise ValueError(
            f"the input already has vnmisinfo output columns {ours}{before}; pass "
            "--overwrite-scores (overwrite_scores=True) to replace them, or rename them so "
            f"that no column starts with {PREFIX!r}.")
    return ours


class ReservedKeyError(BadInputError):
    """A JSONL key that starts with :data:`PREFIX`, first seen after the objects that set
    the columns: resuming would stop there again, so the run keeps no rows."""


def check_later_keys(row: dict[str, Any], known: set[str], line: int | None) -> None:
    """Refuse a later JSONL row's keys that start with :data:`PREFIX` (not among ``known``).

    Raises
    ------
    ReservedKeyError
        Naming the line, the keys, and the two ways on.

    Examples
    --------
    >>> check_later_keys({"text": "a", "vnm_score": 0.3}, {"text"}, 1101)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vnmisinfo.batch.rows.ReservedKeyError: line 1101: the key 'vnm_score' starts with 'vnm_'...
    """
    found = [k for k in row if k not in known and str(k).startswith(PREFIX)]
    if found:
        keys = (f"the key {found[0]!r} starts" if len(found) == 1
                else f"the keys {found} start")
        raise ReservedKeyError(
            f"line {line}: {keys} with {PREFIX!r}, which names the columns vnmisinfo adds, "
            f"and the first {JSONL_LOOKAHEAD:,} objects, which set the columns, lack it. "
            f"Rename it in the input so that it does not start with {PREFIX!r}, or run "
            "the command again from the first row (without --resume) with "
            "--overwrite-scores, which drops such keys from every row.", line=line)


def _terms_text(value: Any) -> Any:
    """``(term, weight)`` pairs as ``term:+weight; ...`` text; None and text as they are."""
    return value if value is None or isinstance(value, str) else format_terms(value)


def _json_text(value: Any) -> Any:
    """A list or dict as JSON text; None and text as they are."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


_FORMAT = {"vnm_context": _terms_text, "vnm_sources": _json_text}


def _scored_columns(result: _Result, note: str | None, model_id: str) -> dict[str, Any]:
    """The output columns of a scored row, known ones in :data:`OUTPUT_COLUMNS` order first."""
    probability, label, tier, terms, _, extras = result
    out: dict[str, Any] = dict.fromkeys(OUTPUT_COLUMNS)
    for key, value in extras.items():
        column = output_column(key)
        if column not in _OWN:  # a result key such as "score" never hides the batch's own
            out[column] = _FORMAT.get(column, _identity)(value)
    out.update(vnm_score=round(probability, 6), vnm_label=label, vnm_tier=tier,
               vnm_top_terms=format_terms(terms), vnm_error=note, vnm_model=model_id)
    return out


def _identity(value: Any) -> Any:
    return value


class _Run:
    """Rows of one run: checked before scoring, then merged with their scores."""

    def __init__(self, *, explain: int, cmap: dict[str, str], id_col: str | None,
                 report: _ReportState | None, summary: BatchSummary,
                 overwrite: bool = False) -> None:
        self.explain = explain
        self.cmap = cmap
        self.id_col = id_col
        self.report = report
        self.summary = summary
        self.overwrite = overwrite
        #: Columns of result keys beyond :data:`OUTPUT_COLUMNS`, fixed by the first chunk.
        self.extra_columns: list[str] | None = None
        #: What :attr:`Triage.model_id` says of the model, for ``vnm_model``.
        self.model_id = ""
        self.seq = summary.rows

    def passthrough(self, row: dict[str, Any]) -> dict[str, Any]:
        """The input columns of ``row`` kept in the output: all of them, or all but the
        :data:`PREFIX` ones when they are replaced.

        A JSONL row may bring keys that the first row did not have; they are checked here.
        """
        if any(k.startswith(PREFIX) for k in row):
            if not self.overwrite:  # replaced, later keys are dropped (ReservedKeyError says so)
                check_scored(row, False)
            return {k: v for k, v in row.items() if not k.startswith(PREFIX)}
        return row

    def prepare(self, chunk: _Chunk) -> tuple[list[str | None], list[int], list[dict[str, Any]]]:
        """Check each row's text; return notes, the indices to score and their records."""
        cmap = self.cmap
        text_col = cmap["text"]
        title_col = cmap.get("title")
        metas = [(c, cmap[c]) for c in META_COLUMNS if c in cmap]
        notes: list[str | None] = []
        todo: list[int] = []
        records: list[dict[str, Any]] = []
        for i, (row, note) in enumerate(chunk):
            value = row.get(text_col)
            problem = text_problem(value)
            title = row.get(title_col) if title_col else None
            if title is not None and not isinstance(title, str):
                title = "" if is_missing(title) else str(title)
            if headline_only(value, title):  # a document, as in training: its title is scored
                note = _join(note, f"{problem}: the title alone scored")
                value, problem = "", None
            if problem is not None or not isinstance(value, str):
                notes.append(_join(note, problem))
                continue
            if len(value) > MAX_CHARS:
                note = _join(note, f"truncated from {len(value)} chars")
                value = value[:MAX_CHARS]
            rec: dict[str, Any] = {"text": value, "title": title or ""}
            for c, src in metas:
                rec[c] = row.get(src)
            notes.append(note)
            todo.append(i)
            records.append(rec)
        return notes, todo, records

    def _set_extra_columns(self, results: list[_Result | str]) -> list[str]:
        """Fix the columns of unknown result keys on the first chunk, sorted."""
        if self.extra_columns is None:
            seen = {output_column(k) for r in results if not isinstance(r, str) for k in r[5]}
            self.extra_columns = sorted(seen - set(OUTPUT_COLUMNS))
        return self.extra_columns

    def merge(self, chunk: _Chunk, notes: list[str | None], todo: list[int],
              results: list[_Result | str]) -> list[dict[str, Any]]:
        """The output columns of each row of ``chunk``; the summary and report are updated.

        Returns one dict per row with :data:`OUTPUT_COLUMNS` and the extra
        columns; the caller puts the input columns before them.
        """
        by_row: dict[int, _Result | str] = dict(zip(todo, results, strict=True))
        extra_columns = self._set_extra_columns(results)
        summary = self.summary
        out = []
        for i, (row, _) in enumerate(chunk):
            res = by_row.get(i)
            note = notes[i]
            terms: list = []
            if res is None or isinstance(res, str):
                note = _join(note, res) if isinstance(res, str) else note
                added: dict[str, Any] = dict.fromkeys(OUTPUT_COLUMNS)
                added.update(vnm_top_terms="", vnm_error=note)
                summary.not_scored += 1
            else:
                note = _join(note, res[4])
                terms = res[3]
                added = _scored_columns(res, note, self.model_id)
                summary.tiers[res[2]] = summary.tiers.get(res[2], 0) + 1
            for column in extra_columns:
                added.setdefault(column, None)
            if note:
                summary.count_errors(note)
            if self.report is not None and added["vnm_score"] is not None:
                self._report(row, added, terms)
            self.seq += 1
            out.append(added)
        summary.rows += len(chunk)
        return out

    def _report(self, row: dict[str, Any], added: dict[str, Any], terms: list) -> None:
        assert self.report is not None
        text = str(row.get(self.cmap["text"]))
        meta = {c: row.get(src) for c, src in self.cmap.items() if c != "text"}
        id_value = row.get(self.id_col) if self.id_col else self.seq + 1
        self.report.add(self.seq, added, text, id_value, meta, terms, row=row)
