"""vnmisinfo: find candidate false or distorted narratives in Vietnamese text.

A score is a triage signal for a human reviewer, never a verdict.

``import vnmisinfo`` is cheap: it loads no model and imports no heavy module;
the names below are resolved on first use.

Examples
--------
>>> import vnmisinfo
>>> vnmisinfo.__all__[:4]
['Detector', 'ModelLoadError', 'NarrativeIndex', 'Normalizer']
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.3.0"

__all__ = [
    "Detector",
    "ModelLoadError",
    "NarrativeIndex",
    "Normalizer",
    "TierPolicy",
    "Triage",
    "load_model",
    "normalize_text",
    "save_model",
]

_LAZY = {
    "Detector": "vnmisinfo.model.detector",
    "ModelLoadError": "vnmisinfo.model.persist",
    "NarrativeIndex": "vnmisinfo.narratives.index",
    "Normalizer": "vnmisinfo.text.transformers",
    "TierPolicy": "vnmisinfo.triage",
    "Triage": "vnmisinfo.triage",
    "load_model": "vnmisinfo.triage",
    "normalize_text": "vnmisinfo.text.normalize",
    "save_model": "vnmisinfo.triage",
}

if TYPE_CHECKING:
    from vnmisinfo.model.detector import Detector
    from vnmisinfo.model.persist import ModelLoadError
    from vnmisinfo.narratives.index import NarrativeIndex
    from vnmisinfo.text.normalize import normalize_text
    from vnmisinfo.text.transformers import Normalizer
    from vnmisinfo.triage import TierPolicy, Triage, load_model, save_model


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vnmisinfo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
