"""Deprecated alias of :mod:`vnmisinfo.evaluation.evaluate`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.evaluation.evaluate import *  # noqa: F403

warnings.warn(
    "vnmisinfo.evaluate moved to vnmisinfo.evaluation.evaluate in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
