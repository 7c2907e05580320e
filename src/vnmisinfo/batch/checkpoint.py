"""Checkpoint and resume of a batch run.

Output goes to ``<output>.partial`` beside the target (beside the file it
points to, when the output is a symlink: the link stays, the file it points
to is replaced).  A stream (standard output, a named pipe, a character
device) is written straight through, with no partial file and no
checkpoint.  After each chunk is
flushed and synced, the checkpoint ``<output>.ckpt`` (JSON, replaced
atomically) records the rows done, the byte size of the partial file, the
output columns, the summary so far and the report state, with the identity
of the input (path, size, modification time) and the options that shape the
output.  Resuming truncates the partial file to that size and skips that many
input rows; a checkpoint written for another input or other options is
refused.

Examples
--------
>>> files = OutputFiles.of("out/scored.csv")
>>> files.partial.name, files.checkpoint.name, files.bad_lines.name
('scored.csv.partial', 'scored.csv.ckpt', 'scored.csv.bad-lines')
>>> OutputFiles.of("-") is None, OutputFiles.of("/dev/null") is None
(True, True)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from vnmisinfo.data.formats import atomic_write, is_stream

__all__ = ["OutputFiles", "input_identity", "open_partial", "read_checkpoint",
           "write_checkpoint"]

#: Version of the checkpoint layout (2: ``vnm_`` output columns).
CHECKPOINT_VERSION = 2


def _fsync(fh: IO[bytes]) -> int:
    """Flush and sync ``fh`` to disk; return the file's size in bytes."""
    fh.flush()
    os.fsync(fh.fileno())
    return os.fstat(fh.fileno()).st_size


@dataclass(frozen=True)
class OutputFiles:
    """The output file and the files kept beside it while a run goes on."""

    #: The file written: the output path with symlinks resolved.
    target: Path

    @classmethod
    def of(cls, output: str | None) -> OutputFiles | None:
        """The files of ``output``; None for a stream (``-``, a named pipe, a device)."""
        if is_stream(output):
            return None
        return cls(Path(os.path.realpath(str(output))))

    def _beside(self, suffix: str) -> Path:
        return self.target.with_name(self.target.name + suffix)

    @property
    def partial(self) -> Path:
        """Where rows are written until the run finishes."""
        return self._beside(".partial")

    @property
    def checkpoint(self) -> Path:
        """The checkpoint of the run."""
        return self._beside(".ckpt")

    @property
    def bad_lines(self) -> Path:
        """The malformed lines skipped."""
        return self._beside(".bad-lines")

    def discard(self) -> None:
        """Remove the partial output and the checkpoint: nothing is left to resume from."""
        for leftover in (self.partial, self.checkpoint):
            if leftover.exists():
                leftover.unlink()


def input_identity(source: str) -> dict[str, Any]:
    """What identifies an input file: its resolved path, size and modification time."""
    st = os.stat(source)
    return {"input": str(Path(source).resolve()), "size": st.st_size,
            "mtime_ns": st.st_mtime_ns}


def read_checkpoint(files: OutputFiles, source: str,
                    options: dict[str, Any]) -> dict[str, Any] | None:
    """The checkpoint to resume from, or None when there is none.

    Parameters
    ----------
    files : OutputFiles
        The output's files.
    source : str
        The input path.
    options : dict
        The options that shape the output; they must equal the checkpoint's.

    Raises
    ------
    ValueError
        If the partial output is gone, or the checkpoint was written by
        another version, for another input or with other options.
    """
    path = files.checkpoint
    if not path.is_file():
        return None
    ckpt: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if ckpt.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"checkpoint {str(path)!r} has layout version {ckpt.get('version')!r}, "
                         f"this vnmisinfo writes version {CHECKPOINT_VERSION}; run without "
                         "--resume to start again.")
    if not files.partial.is_file():
        raise ValueError(f"checkpoint {str(path)!r} exists but the partial output "
                         f"{str(files.partial)!r} is gone; delete the checkpoint and start again.")
    expected = {**input_identity(source), "options": options}
    got = {k: ckpt.get(k) for k in expected}
    if got != expected:
        was = {**{k: v for k, v in got.items() if k != "options"}, **(got["options"] or {})}
        now = {**{k: v for k, v in expected.items() if k != "options"}, **options}
        differ = "; ".join(_changed(k, was.get(k), now.get(k))
                           for k in sorted(set(was) | set(now)) if was.get(k) != now.get(k))
        raise ValueError(
            f"checkpoint {str(path)!r} was written for another input or other options "
            f"({differ}); resume with the options of the first run, or run without "
            "--resume to start again.")
    return ckpt


#: A checkpoint's keys by the command-line option that sets them (a flag that is on when
#: the value is False is marked with "not").
_FLAGS = {"match": "not --no-match", "overwrite_scores": "--overwrite-scores",
          "explain": "--explain", "text_column": "--text-column", "id_column": "--id-column",
          "columns": "--column", "report_top": "--report-top", "model": "--model",
          "out_fmt": "the output format", "in_fmt": "the input format",
          "input": "the input file", "size": "the input's size",
          "mtime_ns": "the input's modification time"}


def _changed(key: str, was: Any, now: Any) -> str:
    """What changed since the checkpoint, in command-line terms.

    Examples
    --------
    >>> _changed("match", True, False)
    '--no-match: not given then, given now'
    >>> _changed("explain", 5, 0)
    '--explain: 5 then, 0 now'
    >>> _changed("mtime_ns", 1_700_000_000_000_000_000, 1_700_000_090_500_000_000)
    "the input's modification time: 2023-11-14 22:13:20 UTC then, 2023-11-14 22:14:50 UTC now"
    """
    flag = _FLAGS.get(key, key)
    if key == "mtime_ns" and isinstance(was, int) and isinstance(now, int):
        spec = "seconds" if was // 10**9 != now // 10**9 else "microseconds"
        was, now = (datetime.fromtimestamp(t / 1e9, timezone.utc).isoformat(" ", spec)
                    .replace("+00:00", " UTC") for t in (was, now))
        return f"{flag}: {was} then, {now} now"
    if isinstance(was, bool) and isinstance(now, bool):
        negated = flag.startswith("not ")
        flag = flag.removeprefix("not ")
        given = [("given" if v != negated else "not given") for v in (was, now)]
        return f"{flag}: {given[0]} then, {given[1]} now"
    return f"{flag}: {was!r} then, {now!r} now"


def open_partial(files: OutputFiles, ckpt: dict[str, Any] | None) -> IO[bytes]:
    """Open the partial output: cut back to the checkpoint's size, or new and empty.

    A new run first removes the checkpoint and the bad-lines file of an
    earlier one.

    Raises
    ------
    OSError
        If the partial output cannot be opened; the message names the output.
    """
    try:
        if ckpt is not None:
            sink = open(files.partial, "r+b")
            sink.truncate(int(ckpt["bytes"]))
            sink.seek(0, os.SEEK_END)
            return sink
        for stale in (files.checkpoint, files.bad_lines):
            if stale.exists():
                stale.unlink()
        return open(files.partial, "wb")
    except OSError as exc:  # named after the output, not the partial file beside it
        raise type(exc)(f"cannot write the output {files.target} ({exc.strerror or exc}); "
                        "name an output in a folder you can write.") from exc


def write_checkpoint(files: OutputFiles, sink: IO[bytes], source: str, options: dict[str, Any],
                     state: dict[str, Any]) -> None:
    """Sync ``sink`` to disk, then record ``state`` with its byte size, atomically.

    Parameters
    ----------
    files : OutputFiles
        The output's files.
    sink : binary file
        The partial output, open for writing.
    source : str
        The input path.
    options : dict
        The options that shape the output.
    state : dict
        ``rows_done``, ``columns``, ``extra_columns``, ``summary`` and ``report``.
    """
    size = _fsync(sink)
    data = {"version": CHECKPOINT_VERSION, **input_identity(source), "options": options,
            "rows_done": state["rows_done"], "bytes": size, "columns": state["columns"],
            "extra_columns": state["extra_columns"], "summary": state["summary"],
            "report": state["report"]}
    atomic_write(files.checkpoint, json.dumps(data, ensure_ascii=False, default=str))
