"""Malformed lines of a batch's input: stop naming the line, or log the line and go on.

Without ``skip_bad_lines`` a malformed line (broken quoting, a wrong number of
fields, a JSONL line that is not one object) stops the run with
:class:`~vnmisinfo.data.readers.BadInputError` naming the line.  With it, the
line is reported (the first 20 on the log, every one in ``<output>.bad-lines``)
and the run goes on.  A compressed input cut short or damaged is different: the
rest of the file cannot be read, so with ``skip_bad_lines`` the run stops
reading there, scores the rows before it and says where it stopped.

Examples
--------
>>> import io
>>> lines = BadLines(skip=True, log=io.StringIO(), where=None)
>>> lines(3, "expected 2 fields, found 3")
>>> lines.count, lines.pending
(1, ['line 3: expected 2 fields, found 3'])
>>> BadLines(skip=False, log=io.StringIO(), where=None)(3, "broken quoting")
Traceback (most recent call last):
...
vnmisinfo.data.readers.BadInputError: line 3: broken quoting (pass --skip-bad-lines to log and \
skip such lines)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from vnmisinfo.data.readers import BadInputError

__all__ = ["BadLines", "kept_rows_error"]

#: What the error of a malformed line adds when the run has no rows to keep.
_SKIP_HINT = " (pass --skip-bad-lines to log and skip such lines)"
#: What the error of a damaged compressed input adds when the run has no rows to keep.
_CUT_HINT = (" (pass --skip-bad-lines to score the rows before it and stop there, or compress "
             "the whole file again)")
#: Lines reported on the log; the others only in the bad-lines file.
_SHOWN = 20


class BadLines:
    """The ``on_bad(line, reason, ends=False)`` callback of a run's reader.

    Parameters
    ----------
    skip : bool
        Log and skip malformed lines instead of stopping.
    log : file
        Where skipped lines are reported.
    where : Path, optional
        The bad-lines file, named when more lines are skipped than are shown.
    count : int, default=0
        Lines skipped before (by the run that a resumed one continues).
    replaying : callable, optional
        True while a resumed run reads again the rows it wrote before: a line
        skipped then was logged then.
    """

    def __init__(self, *, skip: bool, log: IO[str], where: Path | None, count: int = 0,
                 replaying: Callable[[], bool] | None = None) -> None:
        self.skip, self.log, self.where = skip, log, where
        self.count = count
        self._replaying = replaying or (lambda: False)
        #: Lines skipped since the bad-lines file was last written.
        self.pending: list[str] = []
        #: Where a damaged compressed input stopped the reading, for the summary.
        self.stopped: str | None = None

    def __call__(self, line: int, reason: str, ends: bool = False) -> None:
        message = f"line {line}: {reason}"
        if not self.skip:
            raise BadInputError(message + (_CUT_HINT if ends else _SKIP_HINT), line=line)
        if ends:  # the rest of the file cannot be read: the run ends with the rows before it
            self.stopped = f"stopped reading at {message}"
            self.pending.append(message)
            print(f"vnmisinfo score: {self.stopped}; the rows before it are scored, and the "
                  "run ends there", file=self.log)
            return
        if self._replaying():
            return  # already logged by the interrupted run
        self.count += 1
        self.pending.append(message)
        if self.count <= _SHOWN:
            print(f"vnmisinfo score: skipped {message}", file=self.log)
        elif self.count == _SHOWN + 1:
            print("vnmisinfo score: more lines skipped; see the summary"
                  + (f" and {self.where}" if self.where else ""), file=self.log)

    def write(self, fh: IO[str] | None) -> None:
        """Append the lines skipped since the last call to the bad-lines file ``fh``."""
        if fh is not None and self.pending:
            fh.write("".join(b + "\n" for b in self.pending))
            fh.flush()
            self.pending.clear()


def kept_rows_error(exc: BadInputError, rows: int, partial: Path) -> BadInputError:
    """The error of a malformed line after ``rows`` rows were kept in ``partial``.

    It says how to go on from there with ``--resume --skip-bad-lines``, and what
    that does: skip such lines, or, where a compressed input is damaged, score the
    rows before it and stop.

    Examples
    --------
    >>> print(kept_rows_error(BadInputError("line 9: broken quoting" + _SKIP_HINT), 1500,
    ...                       Path("out.csv.partial")))  # doctest: +NORMALIZE_WHITESPACE
    line 9: broken quoting. The 1,500 rows scored before it are kept in out.csv.partial: run
    the same command with --resume --skip-bad-lines to go on from there, skipping and logging
    such lines (a corrected input starts again from its first row).
    """
    text = str(exc)
    cut = text.endswith(_CUT_HINT)
    base = text.removesuffix(_CUT_HINT).removesuffix(_SKIP_HINT).rstrip(". ")
    then = ("score the rows before it and stop there, saying where it stopped (a file "
            "compressed again starts from its first row)" if cut else
            "go on from there, skipping and logging such lines (a corrected input starts "
            "again from its first row)")
    return BadInputError(f"{base}. The {rows:,} rows scored before it are kept in {partial}: "
                         f"run the same command with --resume --skip-bad-lines to {then}.",
                         line=exc.line)
