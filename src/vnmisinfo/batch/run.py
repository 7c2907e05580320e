"""Batch scoring: stream CSV, JSONL or Parquet files through a detector.

:func:`score_file` reads its input in chunks, scores each chunk (in several
worker processes when asked), and writes every input row, in input order:
all the input columns, unchanged whatever their names, then the output
columns :data:`OUTPUT_COLUMNS` (``vnm_score``, ``vnm_label``, ``vnm_tier``,
``vnm_top_terms``, ``vnm_error``, the narrative match, ``vnm_model``, ...),
then ``vnm_<key>`` for any further key the model's results carry.  Every
output column starts with :data:`PREFIX`; an input that already has such
columns is refused unless ``overwrite_scores`` replaces them.  Memory stays
flat in the input size: at most a few chunks are held at once.

Bad rows never stop a batch, and no row is lost
-----------------------------------------------
Every input row gives exactly one output row.  A row that cannot be scored,
or whose score deserves a second look, says why in ``vnm_error`` (reasons are
joined with ``"; "``):

=============================  ==========================  ==================
input                          ``vnm_error``               ``vnm_score``
=============================  ==========================  ==================
missing text (no key, null)    ``missing text``            empty (not scored)
empty or blank text            ``empty text``              empty (not scored)
no text, but a title           ``empty text: the title     the title scored
                               alone scored``
non-string text (JSON number)  ``text is int, not a        empty (not scored)
                               string``
longer than ``MAX_CHARS``      ``truncated from N chars``  first ``MAX_CHARS``
                                                           characters scored
invalid UTF-8 bytes            ``invalid UTF-8 replaced``  scored, bad bytes
                                                           read as U+FFFD
control characters             ``control characters        scored on the
                               removed``                   cleaned text
another language               ``not Vietnamese``          scored (unreliable)
a count or time given but not  ``likes not used`` (or      scored without it
usable (``unknown``)           ``comments``, ``shares``,
                               ``timestamp``)
=============================  ==========================  ==================

A *malformed file* is different: a missing text column, broken CSV quoting,
a row with the wrong number of fields or a JSONL line that is not a JSON
object (or names a key twice) stops the run with :class:`BadInputError` naming
the line, unless ``skip_bad_lines`` is set, in which case the line is reported
and skipped.  A compressed input cut short or damaged cannot be read past the
damage: with ``skip_bad_lines`` the run scores the rows before it and stops
there, saying where (:attr:`BatchSummary.stopped`).  A run stopped so keeps the
rows it has written, as an interrupted or failed one does: ``resume=True`` with
``skip_bad_lines=True`` goes on from there.

Crash safety
------------
An output that is the input (the same file once symlinks are resolved, or
the same inode) is refused before anything is read.  Output goes to
``<output>.partial`` beside the target and is moved into place with
:func:`os.replace` at the end; a symlink is followed, so the file it points
to is replaced and the link stays.  After each chunk is flushed and synced,
a checkpoint ``<output>.ckpt`` records the rows done and the byte size of the
partial file; ``resume=True`` truncates the partial file to that size and
skips that many input rows, so an interrupted run (or one stopped by an error: a
worker killed for lack of memory, a full disk) finishes with no row missing or
repeated.  Standard output, a named pipe or a character device (``/dev/null``)
is written straight through, and cannot be resumed.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import BrokenExecutor
from dataclasses import asdict
from typing import IO, Any

from vnmisinfo.batch.bad_lines import BadLines, kept_rows_error
from vnmisinfo.batch.checkpoint import (
    OutputFiles,
    _fsync,
    open_partial,
    read_checkpoint,
    write_checkpoint,
)
from vnmisinfo.batch.frame import score_frame
from vnmisinfo.batch.options import _Options
from vnmisinfo.batch.report_state import _ReportState
from vnmisinfo.batch.rows import (
    OUTPUT_COLUMNS,
    OUTPUT_TYPES,
    PREFIX,
    BatchSummary,
    ReservedKeyError,
    _Chunk,
    _Run,
    check_later_keys,
    check_scored,
)
from vnmisinfo.batch.scoring import (
    _init_worker,
    _model_id,
    _Result,
    _score_payload,
    _score_records,
    _thresholds,
)
from vnmisinfo.batch.worker import refuse_while_starting, start, start_failure
from vnmisinfo.data.formats import extension_format, is_stream
from vnmisinfo.data.readers import (
    STREAM_FORMATS,
    BadInputError,
    Item,
    _open_reader,
    _Reader,
    column_map,
    id_column_of,
)
from vnmisinfo.data.writers import _Writer, open_writer
from vnmisinfo.text.accents import looks_vietnamese

__all__ = [
    "BadInputError",
    "BatchSummary",
    "FORMATS",
    "OUTPUT_COLUMNS",
    "PREFIX",
    "looks_vietnamese",
    "score_file",
    "score_frame",
]

#: File formats read and written.
FORMATS = STREAM_FORMATS


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

def _chunks(rows: Iterable[Item], size: int) -> Iterator[_Chunk]:
    chunk: _Chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def score_file(input: str, output: str | None = None, *, model: Any = None,
               text_column: str | None = None, explain: int = 5, fmt: str | None = None,
               output_format: str | None = None, id_column: str | None = None,
               columns: Mapping[str, str] | None = None, chunksize: int = 1000,
               workers: int | None = None, resume: bool = False,
               skip_bad_lines: bool = False, report: str | None = None, report_top: int = 50,
               progress: bool = False, log: IO[str] | None = None,
               match: bool = True, overwrite_scores: bool = False) -> BatchSummary:
    """Score a CSV, JSONL or Parquet file and write the input columns plus the scores.

    Every input column is written unchanged, in its order, whatever its name;
    the output columns come after it, each starting with ``vnm_``
    (:data:`OUTPUT_COLUMNS`).

    Parameters
    ----------
    input : str
        Input path, or ``-`` for standard input (read as ``fmt``, CSV by
        default).
    output : str, optional
        Output path; ``-`` or None for standard output.  It must not be the
        input.  A symlink is followed (the file it points to is replaced); a
        named pipe or a character device is written straight through.
    model : model or str, optional
        A model as returned by :func:`vnmisinfo.load_model`, or a model file;
        defaults to the shipped model.
        Worker processes load a file once each.
    text_column : str, optional
        Text column when not a known name (``text``, ``post_message``, ...).
    explain : int, default=5
        Terms per row in ``vnm_top_terms``.
    fmt : {"csv", "jsonl", "parquet"}, optional
        Format of the input (and of the output when it has no extension);
        by default taken from the extension.
    output_format : {"csv", "jsonl", "parquet"}, optional
        Output format when it differs from ``fmt`` and the extension does not say.
    id_column : str, optional
        Id column shown in the report (default: ``id``, ``post_id``, ... when present).
    columns : mapping, optional
        Extra column roles, e.g. ``{"likes": "n_likes", "title": "headline"}``.
    chunksize : int, default=1000
        Rows read, scored and written at a time.
    workers : int, optional
        Worker processes (default: all cores).  Inputs that fit in one chunk
        are scored in-process.
    resume : bool, default=False
        Continue an interrupted run from ``<output>.ckpt``; needs an input
        file and a regular output file.
    skip_bad_lines : bool, default=False
        Report and skip malformed lines instead of stopping; they are listed
        in ``<output>.bad-lines``.
    report : str, optional
        Write the HTML review page here.
    report_top : int, default=50
        Rows shown in the report, by tier, known narratives first, then score.
    progress : bool, default=False
        Show a progress bar on standard error.
    log : file, optional
        Where skipped lines are reported (default: standard error).
    match : bool, default=True
        Match each text against the narrative catalogue when the model carries
        a narrative index; False skips it (faster).
    overwrite_scores : bool, default=False
        Replace the input's ``vnm_`` columns (a scored file scored again)
        instead of refusing it; the other columns are kept as they are.

    Returns
    -------
    BatchSummary
        Counts and timing of the run.

    Raises
    ------
    BadInputError
        If the input is malformed and ``skip_bad_lines`` is not set.
    ValueError
        If the output is the input, the input already has ``vnm_`` columns
        and ``overwrite_scores`` is not set, or ``resume`` is asked for a
        stream.
    ModuleNotFoundError
        If Parquet is asked for and pyarrow is missing.
    ChildProcessError
        If a worker process stops abruptly (killed for lack of memory, say), or
        the workers stop while starting: each runs the main script again, so a
        script calls ``score_file`` under ``if __name__ == "__main__":`` (see
        the example).

    Examples
    --------
    A typical call, with the shipped model, four worker processes and a
    review page (not run here).  Each worker process runs the main script
    again as it starts, so a script calls ``score_file`` under the
    ``if __name__ == "__main__":`` guard::

        from vnmisinfo.batch import score_file

        if __name__ == "__main__":
            summary = score_file("posts.csv", "scored.csv", workers=4, report="review.html")
            print(summary)  # rows, rows per tier, errors and time on one line
    """
    return _FileRun(_Options(
        input, output, model=model, text_column=text_column, explain=explain, fmt=fmt,
        output_format=output_format, id_column=id_column, columns=columns, chunksize=chunksize,
        workers=workers, resume=resume, skip_bad_lines=skip_bad_lines, report=report,
        report_top=report_top, progress=progress, log=log, match=match,
        overwrite_scores=overwrite_scores)).run()


class _FileRun:
    """One :func:`score_file` call: its reader, writer, worker pool and checkpoints."""

    def __init__(self, opts: _Options) -> None:
        refuse_while_starting()  # a worker running an unguarded script again
        self.started = time.perf_counter()
        self.opts = opts
        self.log = opts.log if opts.log is not None else sys.stderr
        self.in_fmt, self.out_fmt, self.workers = opts.check()
        self.files = OutputFiles.of(opts.output)
        self.options = opts.fingerprint(self.in_fmt, self.out_fmt)
        # A checkpoint needs an input that can be read again and an output that can be cut back.
        self.checkpointing = (self.files is not None and self.out_fmt != "parquet"
                              and not is_stream(opts.input))
        self.ckpt = (read_checkpoint(self.files, opts.input, self.options)
                     if opts.resume and self.files is not None else None)
        self.skipping: int = self.ckpt["rows_done"] if self.ckpt else 0
        self.read_rows = 0
        self.bad = BadLines(skip=opts.skip_bad_lines, log=self.log,
                            where=self.files.bad_lines if self.files else None,
                            count=self.ckpt["summary"]["bad_lines"] if self.ckpt else 0,
                            replaying=lambda: self.read_rows < self.skipping)
        self.writer: _Writer | None = None
        self.thresholds: tuple[float, float] | None = None
        self.pool: Any = None
        self.context: Any = None  # the worker processes' start method
        self.resumable = False  # stopped before its end, with checkpointed rows to resume from

    # -- opening -------------------------------------------------------------------------
    def _open_input(self) -> _Reader:
        opts = self.opts
        reader = _open_reader(opts.input, self.in_fmt, self.bad, opts.chunksize)
        try:
            self.replaced = check_scored(reader.columns, opts.overwrite_scores)
            # a JSONL file with no object (a day without posts) has no rows to score
            cmap = ({"text": opts.text_column or "text"} if reader.empty else
                    column_map(reader.columns, opts.text_column, opts.columns))
            id_col = id_column_of(reader.columns, opts.id_column)
        except BaseException:
            reader.close()
            raise
        ckpt = self.ckpt
        self.summary = (BatchSummary(**{**ckpt["summary"], "seconds": 0.0,
                                        "resumed": ckpt["rows_done"]})
                        if ckpt is not None else BatchSummary())
        self.report = (_ReportState(opts.report_top, ckpt.get("report") if ckpt else None)
                       if opts.report else None)
        self.rows = _Run(explain=opts.explain, cmap=cmap, id_col=id_col, report=self.report,
                         summary=self.summary, overwrite=opts.overwrite_scores)
        if ckpt is not None:
            self.rows.extra_columns = list(ckpt["extra_columns"])
        return reader

    def _open_output(self) -> None:
        out = self.opts.output
        self.own_sink = self.files is not None or out not in (None, "-")
        if self.files is not None:
            self.sink = open_partial(self.files, self.ckpt)
        elif out in (None, "-"):
            self.sink = sys.stdout.buffer
        else:  # a named pipe or a device: written straight through
            self.sink = open(str(out), "wb")
        self.bad_fh = (open(self.files.bad_lines, "a", encoding="utf-8")
                       if self.files is not None and self.opts.skip_bad_lines else None)
        self.bar = None
        if self.opts.progress:
            import shutil

            from tqdm import tqdm

            self.bar = tqdm(total=None, initial=self.skipping, unit=" rows", file=sys.stderr,
                            mininterval=0.5, ncols=shutil.get_terminal_size().columns,
                            desc="scoring")

    # -- the run -------------------------------------------------------------------------
    def run(self) -> BatchSummary:
        """Score the input into the output; write the report; return the summary."""
        self.reader = self._open_input()
        try:
            self._open_output()
        except BaseException:
            self.reader.close()
            raise
        finished = False
        try:
            self._score_all()
            self._finish()
            finished = True
        except BaseException as exc:
            # the rows written so far stay for --resume, whatever stopped the run
            self.resumable = (self.checkpointing and self.files is not None
                              and self.files.checkpoint.exists())
            if isinstance(exc, BrokenExecutor):  # a worker process died
                why = start_failure(self.context)  # while starting, or later
                if why is not None:
                    raise ChildProcessError(why) from exc
                raise ChildProcessError(
                    "a worker process stopped abruptly (killed, perhaps for lack of memory: try "
                    "fewer --workers or a smaller --chunk-size)") from exc
            if isinstance(exc, ReservedKeyError):  # resuming would stop there again
                self.resumable = False
            if not self.resumable or not isinstance(exc, BadInputError):
                raise
            assert self.files is not None
            raise kept_rows_error(exc, self.summary.rows, self.files.partial) from None
        finally:
            self._close(finished)
        if self.files is not None and self.files.checkpoint.exists():
            self.files.checkpoint.unlink()
        self.summary.seconds = time.perf_counter() - self.started
        if self.opts.report:
            from vnmisinfo.report import write_report
            from vnmisinfo.report.page import left_out

            state = self.report
            self.summary.report_left_out = left_out(state.items() if state else [],
                                                    self.summary, self.opts.report_top)
            try:
                write_report(self.opts.report, state.items() if state else [], self.summary,
                             histogram=state.hist if state else None,
                             thresholds=self.thresholds, top=self.opts.report_top,
                             source=str(self.opts.input))
            except OSError as exc:  # the rows are written: say so
                out = self.opts.output
                where = "standard output" if out in (None, "-") else out
                raise type(exc)(f"{exc} The scored rows are written to {where}; only the "
                                "report is missing.") from exc
        return self.summary

    def _rows(self) -> Iterator[Item]:
        """The input rows, past those a resumed run has done.

        A JSONL row may bring keys that the first objects lack: one that starts with
        :data:`PREFIX` is refused here, naming its line, unless such keys are dropped.
        """
        reader = self.reader
        known = (set(reader.columns) if self.in_fmt == "jsonl"
                 and not self.opts.overwrite_scores else None)
        for item in reader:
            self.read_rows += 1
            if known is not None and not known.issuperset(item[0]):
                check_later_keys(item[0], known, reader.line)
            if self.read_rows <= self.skipping:
                continue
            yield item

    def _score_all(self) -> None:
        """Score every chunk: in worker processes when there are two chunks or more."""
        chunks = _chunks(self._rows(), self.opts.chunksize)
        first = next(chunks, None)
        second = next(chunks, None) if first is not None else None
        every = itertools.chain([c for c in (first, second) if c is not None], chunks)
        if self.workers > 1 and second is not None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.context = multiprocessing.get_context("spawn")
            model = self.opts.model
            if not (model is None or isinstance(model, (str, os.PathLike))):
                # A model object reaches a worker through a pipe that the worker reads once it
                # has started; one that stops before would leave this process waiting for good.
                why = start_failure(self.context)
                if why is not None:
                    raise ChildProcessError(why)
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=self.context,
                initializer=start, initargs=(model, self.opts.match))
            self._score_in_pool(every)
        else:
            model = _init_worker(self.opts.model, self.opts.match)
            self.thresholds = _thresholds(model)
            self.rows.model_id = _model_id(model)
            for chunk in every:
                notes, todo, records = self.rows.prepare(chunk)
                results = _score_records(model, records, self.opts.explain) if records else []
                self._handle(chunk, notes, todo, results)
        if self.writer is None:  # empty input: still write the header
            self.rows.extra_columns = self.rows.extra_columns or []
            self._handle([], [], [], [])

    def _score_in_pool(self, chunks: Iterable[_Chunk]) -> None:
        """Keep up to two chunks per worker in flight; write results in input order."""
        pending: collections.deque = collections.deque()
        for chunk in chunks:
            notes, todo, records = self.rows.prepare(chunk)
            future = self.pool.submit(_score_payload, (records, self.opts.explain))
            pending.append((chunk, notes, todo, future))
            while len(pending) >= 2 * self.workers:
                self._collect(*pending.popleft())
        while pending:
            self._collect(*pending.popleft())

    def _collect(self, chunk: _Chunk, notes: list[str | None], todo: list[int],
                 future: Any) -> None:
        results, self.thresholds, self.rows.model_id = future.result()
        self._handle(chunk, notes, todo, results)

    def _handle(self, chunk: _Chunk, notes: list[str | None], todo: list[int],
                results: list[_Result | str]) -> None:
        """Merge a scored chunk, write it, and checkpoint."""
        added = self.rows.merge(chunk, notes, todo, results)
        keep = self.rows.passthrough
        rows = [{**keep(row), **new} for (row, _), new in zip(chunk, added, strict=True)]
        writer = self.writer if self.writer is not None else self._open_writer()
        if self.in_fmt == "jsonl" and self.out_fmt != "jsonl":  # columns fixed by the first row
            known, unkept = set(writer.columns), self.summary.unkept_keys
            for key in (k for row in rows for k in row.keys() - known):
                unkept[key] = unkept.get(key, 0) + 1
        writer.write(rows)
        if self.bar is not None:
            self.bar.update(len(chunk))
        self.bad.write(self.bad_fh)
        if self.checkpointing:
            assert self.files is not None
            self.summary.bad_lines = self.bad.count
            write_checkpoint(self.files, self.sink, self.opts.input, self.options, {
                "rows_done": self.summary.rows, "columns": writer.columns,
                "extra_columns": self.rows.extra_columns, "summary": asdict(self.summary),
                "report": self.report.state() if self.report else None})

    def _open_writer(self) -> _Writer:
        """The writer, once the first chunk has fixed the extra columns.

        The input columns come first, in their order (less the replaced
        ``vnm_`` ones), then the output columns.
        """
        replaced = set(self.replaced)
        out_cols = ([c for c in self.reader.columns if c not in replaced]
                    + list(OUTPUT_COLUMNS) + list(self.rows.extra_columns or []))
        if self.ckpt is not None:
            out_cols = list(self.ckpt["columns"])
        schema = self.reader.schema
        for name in replaced if schema is not None else ():
            schema = schema.remove(schema.get_field_index(name))
        tsv = extension_format(self.opts.output) == "tsv"  # read with tabs, so written so
        self.writer = open_writer(self.out_fmt, self.sink, out_cols, self.ckpt is None,
                                  schema, OUTPUT_TYPES, delimiter="\t" if tsv else ",")
        return self.writer

    # -- closing -------------------------------------------------------------------------
    def _finish(self) -> None:
        """Finish the output and move it into place."""
        assert self.writer is not None
        self.writer.finish()
        self.bad.write(self.bad_fh)
        self.summary.bad_lines = self.bad.count
        self.summary.stopped = self.bad.stopped
        if self.files is not None:
            _fsync(self.sink)
            self.sink.close()
            os.replace(self.files.partial, self.files.target)
        elif self.own_sink:
            self.sink.close()
        else:
            self.sink.flush()

    def _close(self, finished: bool) -> None:
        """Release everything; a run that stopped before its end (an error, Ctrl-C) keeps the
        rows it has checkpointed, for ``resume``, and otherwise leaves nothing behind: a
        Parquet output, which cannot be resumed, is removed."""
        if self.pool is not None:
            self.pool.shutdown(wait=finished, cancel_futures=True)
        if self.bar is not None:
            self.bar.close()
        self.reader.close()
        if self.bad_fh is not None:
            self.bad_fh.close()
        if not finished and self.writer is not None:
            # the writer lets go of the sink before it closes (a Parquet writer left open
            # would write its footer to a closed file when collected); the stop's own error
            # is the one to report, not one that closing a broken output may raise
            with contextlib.suppress(Exception):
                self.writer.finish()
        if self.own_sink and not self.sink.closed:
            self.sink.close()
        if not finished and not self.resumable and self.files is not None:
            self.files.discard()
