"""Text normalization: :func:`normalize_text` and :class:`Normalizer`.

This name stays put; the implementation lives in :mod:`vnmisinfo.text.normalize`.

Examples
--------
>>> from vnmisinfo.normalize import normalize_text
>>> normalize_text("Hoà bình")
'Hòa bình'
"""

from vnmisinfo.text.normalize import *  # noqa: F403
from vnmisinfo.text.normalize import __all__ as _names
from vnmisinfo.text.transformers import Normalizer  # noqa: F401

__all__ = [*_names, "Normalizer"]
