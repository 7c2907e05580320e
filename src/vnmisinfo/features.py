"""Deprecated alias of :mod:`vnmisinfo.model.features` (and of the input schema, now in
:mod:`vnmisinfo.data.schema`).

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.data.schema import *  # noqa: F403
from vnmisinfo.model.features import *  # noqa: F403

warnings.warn(
    "vnmisinfo.features moved to vnmisinfo.model.features in vnmisinfo 0.2.0, and the input "
    "schema it gave (as_frame, is_missing, resolve_columns, ...) to vnmisinfo.data.schema; update "
    "the imports (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
