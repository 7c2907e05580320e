"""Deprecated alias of :mod:`vnmisinfo.evaluation.metrics`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.evaluation.metrics import *  # noqa: F403

warnings.warn(
    "vnmisinfo.metrics moved to vnmisinfo.evaluation.metrics in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
