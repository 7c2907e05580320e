"""Deprecated alias of :mod:`vnmisinfo.text.tokenize`.

Kept for one release; removed in 0.3.
"""

import warnings

from vnmisinfo.text.tokenize import *  # noqa: F403

warnings.warn(
    "vnmisinfo.tokenize moved to vnmisinfo.text.tokenize in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
