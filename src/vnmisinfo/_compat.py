"""The one import-or-raise helper for optional extras.

Examples
--------
>>> import_or_raise("json", "core").__name__
'json'
>>> import_or_raise("no_such_module_xyz", "plots")
Traceback (most recent call last):
...
ModuleNotFoundError: no_such_module_xyz is needed here: pip install "vnmisinfo[plots]"
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

__all__ = ["import_or_raise"]


def import_or_raise(module: str, extra: str, *, purpose: str = "") -> ModuleType:
    """Import ``module``, or raise :class:`ModuleNotFoundError` naming the extra to install.

    Parameters
    ----------
    module : str
        Dotted module name, for example ``"pyarrow.parquet"``.
    extra : str
        The vnmisinfo extra that installs it (``plots``, ``parquet``, ``dask``, ...).
    purpose : str, optional
        What needs it, for the message ("Parquet files", "evaluation plots").
    """
    try:
        return import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        what = purpose or f"{top} is needed here"
        what = f"{purpose} need {top}" if purpose else what
        raise ModuleNotFoundError(f'{what}: pip install "vnmisinfo[{extra}]"',
                                  name=exc.name) from None
