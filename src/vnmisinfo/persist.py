"""Deprecated alias of :mod:`vnmisinfo.model.persist`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.model.persist import *  # noqa: F403
from vnmisinfo.triage import *  # noqa: F403

warnings.warn(
    "vnmisinfo.persist moved to vnmisinfo.model.persist in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
