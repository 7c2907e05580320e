"""vnmisinfo: find candidate false or distorted narratives in Vietnamese text.

A score is a triage signal for a human reviewer, never a verdict.

``import vnmisinfo`` is cheap: it loads no model and imports no heavy module;
the names below are resolved on first use.

Examples
--------
>>> import vnmisinfo
>>> sorted(vnmisinfo.__all__)[:3]
['Detector', 'ModelLoadError', 'NarrativeIndex']
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Detector",
    "ModelLoadError",
    "NarrativeIndex",
    "load_model",
    "normalize_text",
    "save_model",
]

_LAZY = {
    "Detector": "vnmisinfo.detector",
    "ModelLoadError": "vnmisinfo.persist",
    "NarrativeIndex": "vnmisinfo.narratives",
    "load_model": "vnmisinfo.persist",
    "normalize_text": "vnmisinfo.normalize",
    "save_model": "vnmisinfo.persist",
}

if TYPE_CHECKING:
    from .detector import Detector
    from .narratives import NarrativeIndex
    from .normalize import normalize_text
    from .persist import ModelLoadError, load_model, save_model


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vnmisinfo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
