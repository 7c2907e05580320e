"""Import helpers: the one import-or-raise for optional extras, and lazy package names.

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

from collections.abc import Callable, Mapping
from importlib import import_module
from types import ModuleType
from typing import Any

__all__ = ["import_or_raise", "lazy_names"]


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


def lazy_names(package: str, names: Mapping[str, str], namespace: dict[str, Any]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` that import each name on first use.

    Parameters
    ----------
    package : str
        The package's name, for the error message.
    names : mapping of str to str
        Each public name and the module that defines it.
    namespace : dict
        The package's ``globals()``: a name, once imported, is kept there.

    Examples
    --------
    >>> space = {}
    >>> getattr_, dir_ = lazy_names("pkg", {"dumps": "json"}, space)
    >>> getattr_("dumps")({"a": 1}), "dumps" in space, dir_()
    ('{"a": 1}', True, ['dumps'])
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(import_module(names[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        # the public names and the submodules imported so far, not the module's own helpers
        kept = {n for n, v in namespace.items()
                if n.startswith("__") or n in names
                or (isinstance(v, ModuleType) and not n.startswith("_"))}
        return sorted((kept | set(names)) - {"__getattr__", "__dir__"})

    return __getattr__, __dir__
