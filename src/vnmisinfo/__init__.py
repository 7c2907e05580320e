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

from typing import TYPE_CHECKING

from vnmisinfo._compat import lazy_names

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


__getattr__, __dir__ = lazy_names("vnmisinfo", _LAZY, globals())
