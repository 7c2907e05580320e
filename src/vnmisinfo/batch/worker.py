"""The start of a batch process: the model loaded once, before any row; no pyarrow unneeded.

A worker of ``vnmisinfo score --workers N`` receives records and returns scores; it
never reads or writes a file.  pandas imports pyarrow whenever it is installed (the
``parquet`` extra, and Dask's), which costs each process about 70 MB for nothing, so a
worker that starts before pandas tells Python that pyarrow is absent: pandas then
keeps its strings as Python objects, as it does in an install without pyarrow, and the
scores and the files written are the same.  The main process keeps pyarrow when it
reads or writes Parquet (:func:`skip_pyarrow`).

A worker process is started with the ``spawn`` method: it runs the main script again
(as ``__mp_main__``) before it can score, so a script that scores at its top level,
without ``if __name__ == "__main__":``, would score again in every worker.
:func:`refuse_while_starting` stops such a call in the worker, and
:func:`start_failure` tells the main process why its workers stopped.

This module imports nothing heavy: it must run before pandas does.

Examples
--------
>>> from vnmisinfo.batch.worker import _without_pyarrow
>>> _without_pyarrow({})
{'pyarrow': None}
>>> _without_pyarrow({"pandas": object()}).get("pyarrow", "untouched")
'untouched'
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import MutableMapping
from typing import Any

__all__ = ["exit_with_parent", "refuse_while_starting", "skip_pyarrow", "start",
           "start_failure"]

#: The fix for a script that scores at its top level, for the errors that name it.
GUARD = ('put the call under `if __name__ == "__main__":` (each worker process runs the '
         "main script again as it starts), or pass workers=1")


def _without_pyarrow(modules: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Mark pyarrow absent in ``modules`` unless pandas (or pyarrow) is already imported."""
    if "pandas" not in modules and "pyarrow" not in modules:
        modules["pyarrow"] = None  # ``import pyarrow`` now raises ImportError
    return modules


def skip_pyarrow(*formats: str | None) -> bool:
    """Keep pyarrow out of this process when none of ``formats`` is Parquet.

    For a process that reads and writes only CSV or JSONL: the command line's
    ``vnmisinfo score`` calls it before pandas is imported, so that one process
    scoring with ``--workers 1`` does not carry pyarrow.  It does nothing once
    pandas is imported.

    Returns
    -------
    bool
        Whether pyarrow is now kept out.
    """
    if "parquet" in formats:
        return False
    _without_pyarrow(sys.modules)
    return "pyarrow" in sys.modules and sys.modules["pyarrow"] is None


def start(model: Any, match: bool = True) -> None:
    """Load the model of this worker process, which ends with its parent (:func:`exit_with_parent`).

    See :func:`~vnmisinfo.batch.scoring._init_worker`.

    Parameters
    ----------
    model : str, path, fitted model or None
        What :func:`vnmisinfo.load_model` loads (None: the shipped model).
    match : bool, default=True
        Keep the model's narrative index.
    """
    exit_with_parent()
    _without_pyarrow(sys.modules)
    from vnmisinfo.batch.scoring import _init_worker

    _init_worker(model, match)


def exit_with_parent() -> None:
    """End this worker process when the process that started it ends, even by ``kill -9``.

    Otherwise a worker whose main process was killed (by the kernel for lack of memory,
    say) would live on, holding its model's memory.  On Linux the kernel sends the
    worker ``SIGTERM`` (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread waits for the
    parent to end.  Nothing is done in a process that no multiprocessing parent started.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if not _parent_death_signal():
        threading.Thread(target=_end_after, args=(parent,), name="vnmisinfo-parent-watch",
                         daemon=True).start()
    if not parent.is_alive():  # it ended before the signal was asked for
        os._exit(1)


def _parent_death_signal() -> bool:
    """Ask Linux to send this process ``SIGTERM`` when its parent ends; whether it took."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(1, signal.SIGTERM, 0, 0, 0) == 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _end_after(parent: Any) -> None:
    """Wait for ``parent`` (a multiprocessing parent process) to end, then end this one."""
    parent.join()
    os._exit(1)


def refuse_while_starting(what: str = "score_file") -> None:
    """Refuse to score while this process is a worker that is still starting.

    A worker runs the main script again before it can score; a call made then
    comes from that script's top level, and would score the whole input again
    (and write over the output) in every worker.

    Raises
    ------
    RuntimeError
        Naming the fix: the ``if __name__ == "__main__":`` guard.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(f"{what} was called while a worker process was starting, from the "
                           f"top level of the main script: {GUARD}.")


def _reruns_main() -> bool:
    """Whether a new worker process runs this program's main script again, as a script run
    by path (or ``python -m pkg.module``) is; an interactive session's is not."""
    from multiprocessing import spawn

    data = spawn.get_preparation_data("vnmisinfo-worker")
    name = data.get("init_main_from_name")
    return "init_main_from_path" in data or (
        name is not None and name != "__main__" and not name.endswith(".__main__"))


def _started() -> None:
    """Nothing: a process that runs it has started as a worker would."""


def start_failure(context: Any) -> str | None:
    """Why worker processes of ``context`` stop while starting, or None if they start.

    Starts one process that does nothing: it stops with an error only if running
    the main script again fails (a script that scores at its top level, say).
    No process is started when the main script is not run again.

    Parameters
    ----------
    context : multiprocessing context
        The start method of the workers (``spawn``).

    Returns
    -------
    str or None
        The error, naming the script and the fix.
    """
    if not _reruns_main():
        return None
    probe = context.Process(target=_started, name="vnmisinfo-start-check", daemon=True)
    probe.start()
    probe.join()
    if probe.exitcode == 0:
        return None
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) or getattr(main, "__name__", "__main__")
    return (f"the worker processes stop while starting (exit code {probe.exitcode}; the "
            f"error is printed above): each runs the main script {script} again, and it "
            f"scores (or fails) at its top level. Fix: {GUARD}.")
