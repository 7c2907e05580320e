"""Deprecated alias of :mod:`vnmisinfo.evaluation.thresholds`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.evaluation.thresholds import *  # noqa: F403

warnings.warn(
    "vnmisinfo.calibrate moved to vnmisinfo.evaluation.thresholds in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
