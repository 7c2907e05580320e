"""Deprecated alias of :mod:`vnmisinfo.data.corpora`.

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.data.corpora import *  # noqa: F403

warnings.warn(
    "vnmisinfo.corpora moved to vnmisinfo.data.corpora in vnmisinfo 0.2.0; "
    "update the import (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
