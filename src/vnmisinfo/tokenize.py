"""Deprecated alias of :mod:`vnmisinfo.text.tokenize` (and of ``Tokenizer``, now in
:mod:`vnmisinfo.text.transformers`).

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.text.tokenize import *  # noqa: F403
from vnmisinfo.text.transformers import Tokenizer  # noqa: F401

warnings.warn(
    "vnmisinfo.tokenize moved to vnmisinfo.text.tokenize in vnmisinfo 0.2.0, and its Tokenizer "
    "to vnmisinfo.text.transformers; update the imports (see CHANGELOG.md). This alias will be "
    "removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
