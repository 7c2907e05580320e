"""Deprecated alias of :mod:`vnmisinfo.model.explain`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.model.explain import *  # noqa: F403

warnings.warn(
    "vnmisinfo.explain moved to vnmisinfo.model.explain in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
