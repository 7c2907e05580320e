"""Deprecated alias of :mod:`vnmisinfo.model.detector`.

Kept for one release; removed in 0.3.
"""

import warnings

from vnmisinfo.model.detector import *  # noqa: F403

warnings.warn(
    "vnmisinfo.detector moved to vnmisinfo.model.detector in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.3.",
    DeprecationWarning,
    stacklevel=2,
)
