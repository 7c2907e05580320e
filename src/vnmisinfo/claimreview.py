"""Deprecated alias of :mod:`vnmisinfo.report.claimreview`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.report.claimreview import *  # noqa: F403

warnings.warn(
    "vnmisinfo.claimreview moved to vnmisinfo.report.claimreview in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
