"""Deprecated alias of :mod:`vnmisinfo.model.detector`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.model.detector import *  # noqa: F403

warnings.warn(
    "vnmisinfo.detector moved to vnmisinfo.model.detector in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
