"""File formats: the one extension-to-format rule, JSONL lines with their numbers, atomic writes.

Named pipes and character devices (``/dev/stdout``, ``/dev/null``) are
*streams*: they are written straight through, never replaced by a file.

Examples
--------
>>> format_of("posts.JSONL")
'jsonl'
>>> [(n, v) for n, v, _ in iter_jsonl(['{"a": 1}', '', 'oops'])]
[(1, {'a': 1}), (3, None)]
>>> is_stream("-"), is_stream("/dev/null"), is_stream("posts.csv")
(True, True, False)
>>> same_file("posts.csv", "./posts.csv")
True
"""

from __future__ import annotations

import csv
import gzip
import importlib
import io
import json
import lzma
import os
import stat
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from vnmisinfo._compat import import_or_raise

__all__ = ["COMPRESSIONS", "DAMAGED", "EXTENSIONS", "FORMATS", "JSON_ARRAY",
           "TrailingDataWarning", "allow_long_csv_fields", "atomic_write", "check_folder",
           "check_named_format", "check_suffix", "compression_of", "extension_format",
           "format_of", "is_stream", "iter_jsonl", "name_stem", "open_input",
           "readable_part_command", "refuse_input_as_output", "require_pyarrow", "same_file",
           "separator_hint"]

#: File extension -> format name.
EXTENSIONS = {
    ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".parquet": "parquet", ".pq": "parquet", ".txt": "lines", ".text": "lines",
}
#: Every format name.
FORMATS = ("csv", "tsv", "jsonl", "parquet", "lines")
#: Compressed input, by extension: the standard-library module that reads it on the fly.
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}
#: Spreadsheet extensions: such a file is saved as CSV first (the message says how).
_SPREADSHEETS = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")
#: What is wrong with a file holding one JSON array (on one line or indented over many).
JSON_ARRAY = ("a JSON array of objects, not JSON Lines (one object per line); convert it "
              "first, e.g. jq -c '.[]' posts.json > posts.jsonl")
#: What reading a cut or damaged compressed file raises (gzip, bz2, lzma).
DAMAGED = (EOFError, OSError, lzma.LZMAError)


def compression_of(path: str | os.PathLike[str] | None) -> str | None:
    """The module that reads ``path``'s compression (``gzip``, ``bz2``, ``lzma``); None if plain.

    Examples
    --------
    >>> compression_of("posts.csv.gz"), compression_of("posts.jsonl.XZ"), compression_of("-")
    ('gzip', 'lzma', None)
    """
    if path is None or path == "-":
        return None
    return COMPRESSIONS.get(Path(str(path)).suffix.lower())


class TrailingDataWarning(UserWarning):
    """Bytes after the end of a gzip file's compressed data were ignored (as ``zcat`` does)."""


class _Decompressed(io.RawIOBase):
    """A decompressing file read as raw bytes, one decompressed piece at a time.

    Bytes after the last gzip member that are not gzip data (padding or junk that a
    tool appended) end the data with a :class:`TrailingDataWarning`, as ``zcat`` ends
    it; any other damage raises, after every complete piece before it was returned.
    """

    def __init__(self, inner: Any, path: str | os.PathLike[str]) -> None:
        self._inner, self._path, self._started, self._ended = inner, path, False, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._ended:
            return 0
        try:
            data = self._inner.read1(len(buffer))
        except gzip.BadGzipFile as exc:
            if not self._started or not str(exc).startswith("Not a gzipped file"):
                raise
            warnings.warn(f"{self._path}: the bytes after the end of the gzip data are not "
                          "gzip data and were ignored, as zcat ignores them.",
                          TrailingDataWarning, stacklevel=2)
            self._ended = True
            return 0
        buffer[:len(data)] = data
        self._started = True
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def readable_part_command(path: str | os.PathLike[str]) -> str:
    """The shell command that writes what is readable of a compressed file to a plain one.

    The tool warns where the file breaks and keeps the lines before it (the last one
    may be cut in two).

    Examples
    --------
    >>> readable_part_command("dump/posts.csv.gz"), readable_part_command("a.jsonl.xz")
    ('zcat dump/posts.csv.gz > dump/posts.csv', 'xzcat a.jsonl.xz > a.jsonl')
    """
    tool = {"gzip": "zcat", "bz2": "bzcat", "lzma": "xzcat"}[str(compression_of(path))]
    name = str(path)
    return f"{tool} {name} > {name[:-len(Path(name).suffix)]}"


def open_input(path: str | os.PathLike[str], mode: str = "rt", **kwargs: Any) -> Any:
    """Open a file for reading, a ``.gz``, ``.bz2`` or ``.xz`` one decompressed as it is read.

    ``mode`` and ``kwargs`` are those of :func:`open` (``"rt"`` or ``"rb"``, ``encoding``,
    ``errors``, ``newline``).  A compressed file cut short or damaged raises one of
    :data:`DAMAGED` where it breaks, after the complete lines before it (a line cut in
    two is never returned); bytes after the end of a gzip file's data that are not
    gzip data are ignored with a :class:`TrailingDataWarning`.
    """
    kind = compression_of(path)
    if kind is None:
        return open(path, mode, **kwargs)
    inner = importlib.import_module(kind).open(path, "rb")
    stream = io.BufferedReader(_Decompressed(inner, path), buffer_size=1 << 16)
    return stream if "b" in mode else io.TextIOWrapper(stream, **kwargs)


def _uncompressed(path: str | os.PathLike[str]) -> Path:
    """``path``'s name without a compression's extension (``posts.csv.gz`` -> ``posts.csv``)."""
    name = Path(Path(str(path)).name)
    return Path(name.stem) if name.suffix.lower() in COMPRESSIONS else name


def _suffix(path: str | os.PathLike[str], compressed: bool) -> str:
    """``path``'s extension; with ``compressed``, the one under a compression's (``.csv.gz``)."""
    return (_uncompressed(path) if compressed else Path(str(path))).suffix.lower()


def format_of(path: str | os.PathLike[str] | None, fmt: str | None = None, *,
              allowed: Iterable[str] = FORMATS, default: str | None = None,
              option: str = "--format", compressed: bool = False) -> str:
    """The format of ``path``: ``fmt`` when given, else its extension.

    ``option`` is the command-line option that names the format, for the message (empty
    for a command that has none).  With
    ``compressed`` (a file to read), the extension under a compression's counts:
    ``posts.csv.gz`` is CSV.

    Raises
    ------
    ValueError
        If ``fmt`` is unknown, or the extension names no format in ``allowed``
        and there is no ``default``; the message lists the choices.
    """
    allowed = tuple(allowed)
    if fmt:
        if fmt not in allowed:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(allowed)}.")
        return fmt
    suffix = _suffix(path, compressed) if path not in (None, "-") else ""
    found = EXTENSIONS.get(suffix)
    if found in allowed:
        return found  # type: ignore[return-value]
    if default is not None:
        return default
    known = sorted(e for e, f in EXTENSIONS.items() if f in allowed)
    if suffix in _SPREADSHEETS and "csv" in allowed:
        raise ValueError(f"{path}: a spreadsheet; vnmisinfo reads and writes CSV, JSONL and "
                         "Parquet. Save a spreadsheet as CSV (Excel: Save As > CSV UTF-8; "
                         "LibreOffice: Save As > Text CSV, UTF-8) and pass that, or name the "
                         "output .csv.")
    raise ValueError(f"{path}: cannot tell the format from the extension {suffix!r}; use one of "
                     f"{', '.join(known)}" + (f", or name the format ({option})." if option
                                               else "."))


def name_stem(path: str | os.PathLike[str] | None) -> str:
    """A file's name without its extension and compression; "" for ``-`` or None.

    >>> name_stem("in/posts.csv.gz"), name_stem("in.jsonl"), name_stem("-"), name_stem(None)
    ('posts', 'in', '', '')
    """
    return "" if path is None or str(path) in ("", "-") else _uncompressed(path).stem


def extension_format(path: str | os.PathLike[str] | None, *,
                     compressed: bool = False) -> str | None:
    """The format that ``path``'s extension names; None for ``-``, None or no known extension.

    With ``compressed`` (a file to read), the extension under a compression's counts.

    Examples
    --------
    >>> extension_format("posts.NDJSON"), extension_format("-"), extension_format("posts.gz")
    ('jsonl', None, None)
    >>> extension_format("posts.csv.gz"), extension_format("posts.csv.gz", compressed=True)
    (None, 'csv')
    """
    if path is None or path == "-":
        return None
    return EXTENSIONS.get(_suffix(path, compressed))


def check_named_format(path: str | os.PathLike[str] | None, fmt: str | None,
                       option: str) -> None:
    """Refuse a format option that contradicts the extension of the file it would write.

    A file is written in the format its name says; ``out.csv`` with
    ``--output-format jsonl`` would hold JSON lines under a CSV name, which
    every later reader would take for CSV.

    A ``.txt`` name (plain lines, a format read, never written) takes the format named.

    Raises
    ------
    ValueError
        If ``fmt`` is given and ``path``'s extension names another format
        (``.tsv`` counts as CSV).

    Examples
    --------
    >>> check_named_format("out.jsonl", "jsonl", "--output-format")
    >>> check_named_format("out.txt", "jsonl", "--output-format")
    >>> check_named_format("out.csv", "jsonl", "--output-format")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: out.csv: its name says CSV but --output-format says jsonl; name the file ...
    """
    found = extension_format(path)
    found = "csv" if found == "tsv" else found
    if fmt and found and found != fmt and found != "lines":
        stem = Path(str(path)).with_suffix(f".{fmt}")
        raise ValueError(f"{path}: its name says {found.upper()} but {option} says {fmt}; "
                         f"name the file {stem}, or drop {option}.")


def iter_jsonl(lines: Iterable[str | bytes], *, invalid: str = "not valid JSON",
               loads: Callable[[str], Any] = json.loads
               ) -> Iterator[tuple[int, Any, str | None]]:
    """Parse JSON lines: ``(line number, value, error)``; blank lines are skipped.

    A line that is not valid JSON gives ``(n, None, "not valid JSON (...)")``,
    so that the caller decides whether it is fatal; ``invalid`` words the
    start of that error.  Lines are read one at a time, as they are needed,
    each with ``loads``.

    Examples
    --------
    >>> for number, value, error in iter_jsonl(['{"text": "a"}', '', '{"text": "b', '{"a": 1,}']):
    ...     print(number, value, error)
    1 {'text': 'a'} None
    3 None not valid JSON (Unterminated string starting at column 10)
    4 None not valid JSON (Expecting property name enclosed in double quotes at column 9)
    >>> next(iter_jsonl(['{"likes": ' + "9" * 5000 + '}']))
    (1, None, 'not valid JSON (an integer of more than 4,300 digits)')
    """
    for number, raw in enumerate(lines, start=1):
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        try:
            value = loads(line)
        except json.JSONDecodeError as exc:
            where = "column" if exc.msg.endswith(" at") else "at column"  # "...starting at"
            yield number, None, f"{invalid} ({exc.msg} {where} {exc.colno})"
        except ValueError:  # Python reads integers of at most 4,300 digits
            yield number, None, (f"{invalid} (an integer of more than "
                                 f"{sys.get_int_max_str_digits():,} digits)")
        except RecursionError:
            yield number, None, f"{invalid} (arrays or objects nested too deeply)"
        else:
            yield number, value, None


def _is_pipe_or_device(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (symlinks followed) is a named pipe or a character device."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def is_stream(path: str | os.PathLike[str] | None) -> bool:
    """Whether ``path`` is read or written as a stream, not as a regular file.

    True for standard input or output (``None`` or ``-``), and for a path that
    is (or links to) a named pipe or a character device such as ``/dev/stdout``
    or ``/dev/null``.  A stream is written straight through: it cannot be
    replaced by a temporary file and a rename, nor resumed.
    """
    if path is None or str(path) == "-":
        return True
    return _is_pipe_or_device(path)


def check_folder(path: str | os.PathLike[str] | None, role: str) -> None:
    """Refuse an output file whose folder is missing or cannot be written here.

    ``role`` names the file in the message (``output``, ``report``); a stream
    (``None``, ``-``, a named pipe or a device) is not checked.

    Raises
    ------
    ValueError
        Naming the folder and the fix.

    Examples
    --------
    >>> check_folder("-", "output")
    >>> check_folder("/no/such/folder/scored.csv", "output")
    Traceback (most recent call last):
    ...
    ValueError: the folder of the output '/no/such/folder/scored.csv' does not exist: create it \
(mkdir -p /no/such/folder) or name another output.
    """
    if path is None or is_stream(path):
        return
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"the folder of the {role} {str(path)!r} does not exist: create it "
                         f"(mkdir -p {folder}) or name another {role}.")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"the folder of the {role} {str(path)!r} cannot be written here "
                         f"({folder}); name another {role} in a folder you can write.")


def allow_long_csv_fields() -> None:
    """Lift the csv module's field limit (131,072 characters) to the largest it takes.

    Texts that ``vnmisinfo score`` keeps whole can be longer; every reader of CSV files
    with the csv module calls this first.
    """
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def separator_hint(header: Sequence[Any], sep: str = ",") -> str:
    """Why a header reads as one column: the separator the file seems to use, and the fix.

    Excel separates the fields of its CSV with Windows' list separator, which
    is ``;`` where the decimal mark is a comma (in Vietnam, for one).

    Parameters
    ----------
    header : sequence
        The header's fields, as split by ``sep``.
    sep : str
        The separator the file is read with: ``,`` for CSV, a tab for TSV.

    Returns
    -------
    str
        The hint, or ``""`` when the header does not look separated by another character.

    Examples
    --------
    >>> separator_hint(["id;text;verdict"])[:62]
    "the file looks separated by ';', and CSV input is separated by"
    >>> separator_hint(["id,text"], sep="\t")
    "the file looks separated by ',', and a .tsv file by tabs: name it .csv"
    >>> separator_hint(["id", "text"])
    ''
    """
    if len(header) != 1:
        return ""
    found = next((c for c in ",;\t|" if c != sep and c in str(header[0])), None)
    if found is None:
        return ""
    kind = "CSV input is separated by commas" if sep == "," else "a .tsv file by tabs"
    fix = {",": "name it .csv", "\t": "name it .tsv"}.get(found, (
        "save it again as CSV with commas between the fields (Excel writes Windows' list "
        "separator there: set it to ',' in the region settings first)"))
    name = "tabs" if found == "\t" else repr(found)
    return f"the file looks separated by {name}, and {kind}: {fix}"


def check_suffix(path: str | os.PathLike[str] | None, suffixes: tuple[str, ...],
                 what: str) -> None:
    """Refuse an output named with an extension other than ``suffixes`` (none is fine).

    Examples
    --------
    >>> check_suffix("team.skops", (".skops",), "a skops model file")
    >>> check_suffix("team.pkl", (".skops",), "a skops model file")
    Traceback (most recent call last):
    ...
    ValueError: team.pkl: the output is a skops model file; name it .skops, not '.pkl'.
    """
    suffix = Path(str(path)).suffix.lower() if path not in (None, "-") else ""
    if suffix and suffix not in suffixes:
        raise ValueError(f"{path}: the output is {what}; name it {suffixes[0]}, not {suffix!r}.")


def refuse_input_as_output(output: str | os.PathLike[str] | None, inputs: Any,
                           what: str = "the output") -> None:
    """Stop before anything is read when ``output`` names one of the ``inputs``.

    ``None`` and ``-`` (standard output) never clash; a path that does not exist
    yet cannot be an input.

    Raises
    ------
    ValueError
        Naming the file and the fix.

    Examples
    --------
    >>> import tempfile
    >>> reviewed = os.path.join(tempfile.mkdtemp(), "reviewed.csv")
    >>> _ = open(reviewed, "w").write("text,verdict")
    >>> refuse_input_as_output(reviewed + ".json", [reviewed])
    >>> refuse_input_as_output(reviewed, [reviewed])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the output .../reviewed.csv is an input (...); writing there would destroy it...
    """
    if output is None or str(output) == "-" or not os.path.lexists(output):
        return
    for source in [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs or []):
        if source is not None and str(source) != "-" and os.path.exists(source) \
                and same_file(source, output):
            raise ValueError(f"{what} {output} is an input ({source}); writing there would "
                             "destroy it. Write to another file.")


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether paths ``a`` and ``b`` name one file.

    They do when they resolve to the same path (symlinks followed, see
    :func:`os.path.realpath`), or when both exist and share a device and inode
    (hard links, bind mounts).
    """
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _file_mode(target: Path) -> int:
    """The mode a new file gets (the umask applied), or the mode of the file it replaces."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | os.PathLike[str], data: str | bytes, *,
                 encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A crash leaves either the old file or the new one, never half of one.
    A symlink is followed: the file it points to is replaced and the link
    stays.  A named pipe or a character device is written straight through.

    Raises
    ------
    OSError
        If the file cannot be written; the message names ``path``, not the
        temporary file beside it.
    """
    payload = data.encode(encoding) if isinstance(data, str) else data
    if _is_pipe_or_device(path):
        with open(path, "wb") as fh:
            fh.write(payload)
        return Path(path)
    target = Path(os.path.realpath(path))
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.chmod(tmp, _file_mode(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # named after the file asked for, not its temporary file
            raise type(exc)(f"cannot write {path} ({exc.strerror or exc}); check that its "
                            "folder can be written and has room, or name another file.") from exc
        raise
    return Path(path)


def require_pyarrow() -> ModuleType:
    """Import pyarrow with its Parquet module, or raise naming the extra to install.

    Returns
    -------
    module
        ``pyarrow``; ``pyarrow.parquet`` is loaded too.

    Raises
    ------
    ModuleNotFoundError
        If pyarrow is missing; the message says ``pip install "vnmisinfo[parquet]"``.
    """
    module = import_or_raise("pyarrow", "parquet", purpose="Parquet files")
    import_or_raise("pyarrow.parquet", "parquet", purpose="Parquet files")
    return module
