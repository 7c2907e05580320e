"""Saving and loading model files safely, with skops: the one trusted loader.

A model file can never run code on load: files are read only with
:func:`skops.io.load` and the explicit :data:`TRUSTED_TYPES` list, never with
pickle.  A file naming any other type is refused before anything in it is
built.  The shipped default model is also checked against the SHA-256 stored
in the package, so a tampered or truncated copy is refused.

Each file holds a dict ``{"model": object, "metadata": str}``: a whole
:class:`vnmisinfo.triage.Triage` for model files, a fitted
:class:`vnmisinfo.narratives.NarrativeIndex` for index files.  The metadata
(JSON) records versions, training-data hashes, cross-validated metrics,
thresholds and the date.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import importlib.abc
import importlib.machinery
import json
import platform
import sys
import types
import warnings
import zipfile
from collections import UserList
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from importlib import metadata as importlib_metadata
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "SHIPPED_HINT",
    "TRUSTED_TYPES",
    "ModelLoadError",
    "default_model_path",
    "file_sha256",
    "load_trusted",
    "read_metadata",
    "save_trusted",
    "shipped_model_path",
]

#: Version of the on-disk layout; a newer file than this is refused with a clear message.
#: 2: ``{"model": Triage | NarrativeIndex, ...}``; 1 (0.1.x): ``{"detector": ...}``.
FORMAT_VERSION = 2

#: The only non-default types a model file may contain.
TRUSTED_TYPES = [
    "vnmisinfo.triage.Triage",
    "vnmisinfo.triage.TierPolicy",
    "vnmisinfo.model.detector.Detector",
    "vnmisinfo.model.features.CompactTfidfVectorizer",
    "vnmisinfo.model.hashing.HashedTfidf",
    "vnmisinfo.model.vocabulary.HashedCounts",
    "vnmisinfo.model.features.MetadataFeatures",
    "vnmisinfo.model.features.NBScaler",
    "vnmisinfo.model.linear.OwnWordsClassifier",
    "vnmisinfo.narratives.index.NarrativeIndex",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.pipeline.Pipeline",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.linear_model._stochastic_gradient.SGDClassifier",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.preprocessing._data.Normalizer",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.int32",
    "numpy.uint64",
    "numpy.uint8",
    "numpy.dtype",
    "numpy.ndarray",
    "builtins.slice",
    "builtins.tuple",
    "builtins.list",
    "builtins.dict",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.NoneType",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csr.csr_array",
    "scipy.sparse._dia.dia_matrix",
]

#: The models shipped inside the package, by name.
SHIPPED = {"default": "default.skops", "fast": "fast.skops"}


#: Set while :func:`load_trusted` reads a file: skops's default list of estimators is then empty.
_READING: contextvars.ContextVar[bool] = contextvars.ContextVar("_READING", default=False)


#: How a load error points to the shipped model, for the commands that take ``--model``.
SHIPPED_HINT = ", or leave out --model (None in Python) for the shipped default model"


class ModelLoadError(ValueError):
    """A model file could not be loaded safely; the message says why and what to do."""


class _Estimators(UserList):  # type: ignore[type-arg]
    """skops's default trust list of scikit-learn estimators, built when first read.

    skops builds that list when first imported, by importing every module of
    scikit-learn: about 0.4 s and 20 MB of a process, before any model is read.
    vnmisinfo imports skops with the list left empty and puts this in its place.
    While :func:`load_trusted` reads a file it reads as empty, so a model file is
    trusted by :data:`TRUSTED_TYPES` alone and nothing is built.  Anywhere else (a
    user's own ``skops.io.load``) it is built on first use, as skops would build it.

    Examples
    --------
    >>> names = _Estimators(lambda: ["sklearn.svm._classes.SVC"])
    >>> with _reading():
    ...     list(names), names + ["x"]
    ([], ['x'])
    >>> names + ["x"]
    ['sklearn.svm._classes.SVC', 'x']
    """

    def __init__(self, build: Callable[[], list[str]]) -> None:
        self._build: Callable[[], list[str]] | None = build
        self._names: list[str] = []

    @property  # type: ignore[override]
    def data(self) -> list[str]:
        if _READING.get():
            return []
        if self._build is not None:
            self._names, self._build = self._build(), None
        return self._names

    @data.setter
    def data(self, names: list[str]) -> None:
        self._names, self._build = list(names), None

    def __add__(self, other: Any) -> list[str]:  # type: ignore[override]
        return self.data + list(other)

    def __radd__(self, other: Any) -> list[str]:  # type: ignore[override]
        return list(other) + self.data


def _estimator_names() -> list[str]:
    """What skops trusts by default: every estimator scikit-learn lists, by full name."""
    from sklearn.utils import all_estimators
    from skops.io._utils import get_type_name

    names = (get_type_name(cls) for _, cls in all_estimators())
    return [name for name in names if name.startswith("sklearn.")]


def _no_estimators(*args: Any, **kwargs: Any) -> list[tuple[str, type]]:
    return []


class _WhichModule:
    """skops's ``whichmodule`` (the first module of ``sys.modules`` holding an object under
    its name), with a plain module's attributes read from its ``__dict__``.

    skops, when first imported, names the NumPy and SciPy ufuncs it trusts by default; for
    each one without a ``__module__`` it asks every loaded module with
    ``getattr``, which builds and drops an ``AttributeError`` in nearly every module: about
    half of the time it takes to import skops, in every process.
    A plain module (no ``__getattr__`` of its own) holds its attributes in its
    ``__dict__``, so a dict lookup gives the same answer; any other module is asked with
    ``getattr``, as skops asks, in its turn.  A dotted name takes skops's own search.

    Examples
    --------
    >>> import numpy as np
    >>> which = _WhichModule(lambda obj, name: "__main__")
    >>> which(np.ndarray, "ndarray"), which(object(), "no_module_holds_this")
    ('numpy', '__main__')
    """

    def __init__(self, search: Callable[[Any, str], str]) -> None:
        self.search = search

    def __call__(self, obj: Any, name: str) -> str:
        module_name = getattr(obj, "__module__", None)
        if module_name is not None:
            return str(module_name)
        if "." in name:
            return self.search(obj, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for module_name, module in sys.modules.copy().items():
                if module_name in ("__main__", "__mp_main__") or module is None:
                    continue
                own = getattr(module, "__dict__", None)
                if type(module) is types.ModuleType and own is not None and (
                        "__getattr__" not in own):
                    found = own.get(name)
                else:
                    try:
                        found = getattr(module, name, None)
                    except (AttributeError, ImportError):
                        continue
                if found is obj:
                    return str(module_name)
        return "__main__"


class _WhichModuleHook(importlib.abc.MetaPathFinder):
    """Loads ``skops.io._utils`` with :class:`_WhichModule` as its ``whichmodule``."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "skops.io._utils":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            if callable(getattr(module, "whichmodule", None)):
                module.whichmodule = _WhichModule(module.whichmodule)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _skops() -> Any:
    """``skops.io``, imported with its default list of estimators built only when used."""
    if "skops.io" not in sys.modules:
        import sklearn.utils

        discover = sklearn.utils.all_estimators
        sklearn.utils.all_estimators = _no_estimators  # what skops calls when imported
        finder = _WhichModuleHook()
        sys.meta_path.insert(0, finder)
        try:
            import skops.io._general as general
            import skops.io._trusted_types as defaults
        finally:
            sklearn.utils.all_estimators = discover
            sys.meta_path.remove(finder)
            utils = sys.modules.get("skops.io._utils")
            if isinstance(getattr(utils, "whichmodule", None), _WhichModule):
                utils.whichmodule = utils.whichmodule.search  # type: ignore[union-attr]
        names = getattr(defaults, "SKLEARN_ESTIMATOR_TYPE_NAMES", None)
        if isinstance(names, list) and getattr(general, "SKLEARN_ESTIMATOR_TYPE_NAMES",
                                               None) is names:
            defaults.SKLEARN_ESTIMATOR_TYPE_NAMES = general.SKLEARN_ESTIMATOR_TYPE_NAMES = (
                _Estimators(_estimator_names))
        elif isinstance(names, list):  # another layout of skops: build the list as it would
            names.extend(_estimator_names())
    import skops.io as sio

    return sio


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """Within: skops's default list of estimators is empty (:class:`_Estimators`)."""
    token = _READING.set(True)
    try:
        yield
    finally:
        _READING.reset(token)


def default_model_path() -> Path:
    """Path of the default model shipped inside the package."""
    return shipped_model_path("default")


def shipped_model_path(name: str) -> Path:
    """Path of a model shipped inside the package: ``"default"`` or ``"fast"``.

    ``fast`` is the ``fast`` preset (no character n-grams), trained on the same
    corpora: the fastest configuration, for ``vnmisinfo score --fast``.

    Examples
    --------
    >>> shipped_model_path("fast").name
    'fast.skops'
    >>> shipped_model_path("tiny")
    Traceback (most recent call last):
    ...
    ValueError: no shipped model named 'tiny'; the shipped models are 'default' and 'fast'.
    """
    if name not in SHIPPED:
        raise ValueError(f"no shipped model named {name!r}; the shipped models are "
                         + " and ".join(repr(n) for n in SHIPPED) + ".")
    return Path(str(resources.files("vnmisinfo.models").joinpath(SHIPPED[name])))


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def save_trusted(obj: Any, path: str | Path, *, metadata: dict[str, Any] | None = None) -> Path:
    """Save ``obj`` with its metadata, atomically, and write a ``.sha256`` beside it.

    Parameters
    ----------
    obj : object
        A fitted :class:`~vnmisinfo.triage.Triage` or
        :class:`~vnmisinfo.narratives.NarrativeIndex`; only the types of
        :data:`TRUSTED_TYPES` may appear in it.
    path : str or Path
        Target file, conventionally ending in ``.skops``.
    metadata : dict, optional
        JSON-able metadata; versions, the format and the date are added.

    Returns
    -------
    Path
        The written file.
    """
    from vnmisinfo.data.formats import atomic_write

    sio = _skops()

    path = Path(path)
    meta = {
        "format_version": FORMAT_VERSION,
        "vnmisinfo": _version("vnmisinfo"),
        "scikit-learn": _version("scikit-learn"),
        "underthesea": _version("underthesea"),
        "skops": _version("skops"),
        "python": platform.python_version(),
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
    }
    meta.update(metadata or {})
    json.dumps(meta)  # fail early on anything that is not plain data
    # The fastest deflate: a file 3 % larger than at level 6, written in half the time (a
    # retrain saves its model while the team waits).
    blob = sio.dumps({"model": obj, "metadata": json.dumps(meta, ensure_ascii=False)},
                     compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    atomic_write(path, blob)
    atomic_write(_sidecar(path), f"{file_sha256(path)}  {path.name}\n")
    return path


def jsonable(value: Any) -> Any:
    """A parameter value as plain JSON data (tuples become lists, objects their type name)."""
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return type(value).__name__


def _sidecar(path: Path) -> Path:
    """The ``.sha256`` file beside a model file."""
    return path.with_name(path.name + ".sha256")


def _expected_digest(path: Path) -> str | None:
    side = _sidecar(path)
    if side.is_file():
        return (side.read_text().split() or [""])[0]
    return None


def _checksum_error(path: Path, expected: str, actual: str) -> ModelLoadError:
    """Why a model file does not match its ``.sha256``, and what to do.

    A ``.sha256`` left from another model is the usual cause: a model copied back
    (``NAME.previous.skops`` over ``NAME.skops``) without its own ``.sha256``.  When
    another ``.sha256`` in the folder holds the file's digest, the message names it.
    """
    side = _sidecar(path)
    matching = []
    for other in sorted(path.parent.glob("*.sha256")):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if other != side and _expected_digest(other.with_suffix("")) == actual:
                matching.append(other.name)
    if matching:
        cause = (f"its content matches {matching[0]}, so {side.name} was left from another "
                 f"model: copy {matching[0]} over {side.name} (a model is always copied "
                 "with its .sha256)")
    else:
        cause = (f"if you copied this file from another model (such as a roll-back of "
                 f"{path.stem}.previous{path.suffix}), {side.name} was left from the model it "
                 f"replaced: copy the .sha256 of the file you copied over {side.name}, or "
                 f"delete {side.name} if you trust the file. Otherwise it is corrupt or was "
                 "modified: reinstall vnmisinfo or retrain the model")
    return ModelLoadError(
        f"model file {str(path)!r} does not match its SHA-256 in {side.name} "
        f"({expected[:12]}...; the file's is {actual[:12]}...) and was not loaded; {cause}.")


def load_trusted(path: str | Path, *, verify: bool = True) -> dict[str, Any]:
    """Load a skops file with :data:`TRUSTED_TYPES` only: ``{"model": ..., "metadata": dict}``.

    Raises
    ------
    ModelLoadError
        If the file is missing, not a skops file, names untrusted types, fails
        its checksum or was made by an incompatible version.
    """
    if not str(path).strip():
        raise ModelLoadError("the model path is empty; pass the path of a .skops file made by "
                             f"'vnmisinfo train'{SHIPPED_HINT}.")
    path = Path(path).expanduser()
    sio = _skops()
    from skops.io.exceptions import UntrustedTypesFoundException

    if path.is_dir():
        raise ModelLoadError(f"model path {str(path)!r} is a folder; pass the path of a .skops "
                             "file in it (such as default.skops).")
    if not path.is_file():
        raise ModelLoadError(
            f"model file {str(path)!r} not found; pass the path of a .skops file "
            f"made by 'vnmisinfo train'{SHIPPED_HINT}."
        )
    if verify:
        expected = _expected_digest(path)
        if expected is not None and expected != (actual := file_sha256(path)):
            raise _checksum_error(path, expected, actual)
    if not zipfile.is_zipfile(path):
        raise ModelLoadError(
            f"{str(path)!r} is not a skops model file (pickle files are never loaded, since "
            "they can run code). Re-save the model with vnmisinfo.save_model."
        )
    # One pass: skops audits every type of the file against the trusted list before it
    # builds any object, and refuses the file when one is not on it.  The types are
    # listed separately only to say why a file was refused.
    try:
        with _reading():
            payload = sio.load(path, trusted=TRUSTED_TYPES)
    except UntrustedTypesFoundException as exc:
        refused = sorted(set(_listed_types(sio, path)) - set(TRUSTED_TYPES))
        raise ModelLoadError(
            f"model file {str(path)!r} names types outside the trusted list and was not "
            f"loaded: {refused or exc}. Only load models from sources you trust, made by "
            "vnmisinfo."
        ) from exc
    except Exception as exc:
        _listed_types(sio, path)  # a file skops cannot read at all says so first
        raise ModelLoadError(
            f"model file {str(path)!r} could not be loaded ({type(exc).__name__}: {exc}). "
            "It may come from an incompatible version: retrain it with 'vnmisinfo train'."
        ) from exc
    if not isinstance(payload, dict) or not {"model", "detector"} & set(payload):
        raise ModelLoadError(f"{str(path)!r} holds no vnmisinfo model.")
    if "model" not in payload:
        payload["model"] = payload.pop("detector")
    meta = _metadata(payload.get("metadata"), path)
    made = meta.get("format_version", 0)
    if not isinstance(made, int) or made > FORMAT_VERSION:
        raise ModelLoadError(
            f"model file {str(path)!r} uses format {made}, made by vnmisinfo "
            f"{meta.get('vnmisinfo', '?')}; this vnmisinfo reads format {FORMAT_VERSION} and "
            "older. Upgrade vnmisinfo (pip install -U vnmisinfo) or retrain the model."
        )
    payload["metadata"] = meta
    return payload


def _listed_types(sio: Any, path: Path) -> list[str]:
    """The non-default types a skops file names; :class:`ModelLoadError` if it is unreadable."""
    try:
        with _reading():
            return list(sio.get_untrusted_types(file=path))
    except Exception as exc:
        raise ModelLoadError(f"{str(path)!r} is not a readable skops file: {exc}") from exc


def read_metadata(path: str | Path | None = None) -> dict[str, Any]:
    """Return the metadata stored with a model (the default model when ``path`` is None)."""
    target = Path(path) if path is not None else default_model_path()
    return dict(load_trusted(target, verify=path is None)["metadata"])


def _metadata(raw: Any, path: Path) -> dict[str, Any]:
    """The metadata of a loaded payload: a JSON object, or a :class:`ModelLoadError`."""
    try:
        meta = json.loads(raw or "{}")
    except (TypeError, ValueError) as exc:
        meta = exc
    if not isinstance(meta, dict):
        raise ModelLoadError(
            f"model file {str(path)!r} has unreadable metadata (not a JSON object); it was not "
            "written by vnmisinfo.save_model. Re-save the model with vnmisinfo.save_model.")
    return meta
