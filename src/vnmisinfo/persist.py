"""Deprecated alias of :mod:`vnmisinfo.model.persist` (and of ``Triage``, ``load_model`` and
``save_model``, now in :mod:`vnmisinfo.triage`).

Kept for two releases; removed in 0.4.
"""

import warnings

from vnmisinfo.model.persist import *  # noqa: F403
from vnmisinfo.triage import *  # noqa: F403

warnings.warn(
    "vnmisinfo.persist moved to vnmisinfo.model.persist in vnmisinfo 0.2.0, and Triage, "
    "TierPolicy, load_model and save_model to vnmisinfo.triage (or import them from vnmisinfo); "
    "update the imports (see CHANGELOG.md). This alias will be removed in 0.4.",
    DeprecationWarning,
    stacklevel=2,
)
