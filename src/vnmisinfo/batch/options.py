"""The options of a :func:`~vnmisinfo.batch.run.score_file` call, checked before any I/O.

Besides the numbers, the paths are checked before anything is read: an
output (or report) that is the input is refused, and so is ``resume`` on a
stream.  The output format comes from ``output_format``, else from the
output's extension; standard output, a named pipe or a device without one
gets the input's format.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from vnmisinfo.data.formats import (
    check_folder,
    check_named_format,
    extension_format,
    format_of,
    is_stream,
    require_pyarrow,
    same_file,
)
from vnmisinfo.data.readers import STREAM_FORMATS, stream_format

__all__ = ["with_narratives"]


def with_narratives(model: Any, narratives: Any) -> Any:
    """A shallow copy of ``model`` that matches against another narrative index.

    Parameters
    ----------
    model : model, str or None
        A model as :func:`vnmisinfo.load_model` returns, a model file, or
        None for the shipped model; it is never changed.
    narratives : NarrativeIndex, str or Path
        A fitted index, a ``.skops`` index (``vnmisinfo narratives build``),
        or a ``.jsonl`` team catalogue, fitted on the fly with the shipped
        catalogue (:func:`vnmisinfo.narratives.team_index`).

    Returns
    -------
    model
        The copy, whose ``narratives`` is the given index.

    Examples
    --------
    >>> from vnmisinfo.narratives import default_catalogue_path
    >>> m = with_narratives(None, default_catalogue_path())
    >>> m.narratives.verifier_ is None
    True
    """
    import copy

    from vnmisinfo.batch.scoring import _load
    from vnmisinfo.narratives import team_index

    index = team_index(narratives)
    swapped = copy.copy(_load(model))
    swapped.narratives = index
    meta = dict(getattr(swapped, "metadata_", None) or {})
    if isinstance(narratives, (str, os.PathLike)):  # vnm_model names the catalogue too
        from vnmisinfo.model.persist import file_sha256

        path = os.fspath(narratives)
        meta["narratives_file"] = f"{os.path.basename(path)} sha256:{file_sha256(path)}"
    else:
        meta["narratives_file"] = "an index given in Python"
    swapped.metadata_ = meta
    return swapped


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _model_key(model: Any) -> str:
    """What identifies the model of a run, so that a resumed run is scored by the same one.

    A model file (the shipped one for None) by its SHA-256; a model object by its
    ``model_id`` and its narrative index (catalogue size and threshold).
    """
    from vnmisinfo.model.persist import default_model_path, file_sha256

    if model is None:
        model = default_model_path()
    if isinstance(model, (str, os.PathLike)):
        return f"sha256:{file_sha256(os.fspath(model))}" if os.path.isfile(model) else str(model)
    index = getattr(model, "narratives", None)
    catalogue = (f"{len(getattr(index, 'narratives_', []))} narratives, threshold "
                 f"{getattr(index, 'threshold_', None)}" if index is not None else "no index")
    return f"{getattr(model, 'model_id', '') or type(model).__name__} ({catalogue})"


@dataclass(frozen=True)
class _Options:
    """The arguments of :func:`score_file`."""

    input: str
    output: str | None = None
    model: Any = None
    text_column: str | None = None
    explain: int = 5
    fmt: str | None = None
    output_format: str | None = None
    id_column: str | None = None
    columns: Mapping[str, str] | None = None
    chunksize: int = 1000
    workers: int | None = None
    resume: bool = False
    skip_bad_lines: bool = False
    report: str | None = None
    report_top: int = 50
    progress: bool = False
    log: IO[str] | None = None
    match: bool = True
    overwrite_scores: bool = False

    def check(self) -> tuple[str, str, int]:
        """Validate the options, before anything is read or written.

        Returns the input and output formats and the workers.
        """
        if self.chunksize < 1:
            raise ValueError(f"chunksize must be at least 1, got {self.chunksize}.")
        if self.explain < 0:
            raise ValueError(f"explain must be 0 or more, got {self.explain}.")
        workers = _default_workers() if self.workers is None else int(self.workers)
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}.")
        if self.input not in (None, "-") and os.path.isdir(str(self.input)):
            raise IsADirectoryError(
                f"input {str(self.input)!r} is a folder; name a file in it, or read a folder "
                "of CSV or Parquet part files with --engine dask.")
        if self.input not in (None, "-") and not os.path.exists(str(self.input)) \
                and any(c in str(self.input) for c in "*?["):
            raise FileNotFoundError(
                f"input file {str(self.input)!r} not found: a glob is read with --engine dask "
                "(its files in order, into a folder of part files); without it, name one file.")
        self._check_paths()
        out_stream = is_stream(self.output)
        # an input file's extension wins over --format, which then names standard output's
        named = extension_format(self.input, compressed=True) in (*STREAM_FORMATS, "tsv")
        in_fmt = stream_format(self.input, None if named else self.fmt, reading=True)
        check_named_format(self.output, self.output_format, "--output-format")
        if self.output_format or not out_stream:
            out_fmt = stream_format(self.output, self.output_format, option="--output-format")
        else:  # a stream says its format by its extension at most
            out_fmt = format_of(self.output, allowed=STREAM_FORMATS, default=self.fmt or in_fmt)
        if out_fmt == "parquet" or in_fmt == "parquet":
            require_pyarrow()
        if self.resume and (out_stream or is_stream(self.input)):
            raise ValueError(
                "--resume needs an input file and a regular output file (not standard input or "
                "output, a named pipe or a device): the checkpoint refers to both, and a stream "
                f"cannot be read or cut back again (input {self.input!r}, output "
                f"{self.output if self.output is not None else '-'!r}).")
        if self.resume and out_fmt == "parquet":
            raise ValueError("--resume works with CSV or JSONL output; a Parquet file cannot be "
                             "appended after a crash. Write CSV or JSONL, then convert.")
        return in_fmt, out_fmt, workers

    def _check_paths(self) -> None:
        """Refuse an output (or report) that is the input, or that is not a file one can write.

        Raises
        ------
        ValueError
            If the output or the report is the input file (symlinks followed,
            or the same inode), the report is the output, the output is a
            folder, a block device or a socket, or the folder of either is
            missing or cannot be written.
        """
        out = self.output
        check_folder(out, "output")
        if out is not None and not is_stream(out) and os.path.exists(out):
            if not os.path.isfile(out):
                raise ValueError(f"output {out!r} is not a regular file, a named pipe or a "
                                 "character device; name a file to write.")
        report = self.report
        if report is not None and not is_stream(report) and (
                os.path.isdir(report) or str(report).endswith(("/", os.sep))):
            raise ValueError(f"the report {report!r} is a folder; name an .html file in it, "
                             f"e.g. {os.path.join(str(report), 'review.html')}.")
        check_folder(report, "report")
        if (self.report is not None and out is not None and not is_stream(out)
                and same_file(out, self.report)):
            raise ValueError(f"the report {self.report!r} is the output {out!r}; name another "
                             "report file.")
        if self.input == "-" or is_stream(self.input):
            return
        for role, path in (("output", out), ("report", self.report)):
            if path is not None and not is_stream(path) and same_file(self.input, path):
                raise ValueError(
                    f"the {role} {path!r} is the input file {self.input!r} (the same file on "
                    "disk); writing it would destroy the input. Name another "
                    f"{role} file.")

    def fingerprint(self, in_fmt: str, out_fmt: str) -> dict[str, Any]:
        """The options that shape the output: a checkpoint holds only for the same ones."""
        return {"explain": self.explain, "text_column": self.text_column,
                "id_column": self.id_column, "columns": dict(self.columns or {}),
                "out_fmt": out_fmt, "in_fmt": in_fmt,
                "report_top": self.report_top if self.report else None,
                "overwrite_scores": self.overwrite_scores, "match": self.match,
                "model": _model_key(self.model)}
