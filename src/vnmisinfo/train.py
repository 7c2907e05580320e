"""Deprecated alias of :mod:`vnmisinfo.evaluation.train`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.evaluation.train import *  # noqa: F403

warnings.warn(
    "vnmisinfo.train moved to vnmisinfo.evaluation.train in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
