"""Models written by an earlier version: parameters added since take their defaults.

A model file keeps the parameters its estimator had when it was saved.  A
parameter added to the estimator later is missing from it, and scikit-learn's
``get_params`` (and so ``clone``, ``set_params``, saving the model again)
would fail on the attribute.  :class:`NewParamsTakeDefaults` gives such an
estimator the parameter's default when it is loaded: the behaviour the model
had, since a new parameter's default keeps the old behaviour.

Examples
--------
>>> from sklearn.base import BaseEstimator
>>> class Model(NewParamsTakeDefaults, BaseEstimator):
...     def __init__(self, a=1, b=2):
...         self.a, self.b = a, b
>>> old = Model.__new__(Model)
>>> old.__setstate__({"a": 5})  # written before ``b`` existed
>>> old.get_params()
{'a': 5, 'b': 2}
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["NewParamsTakeDefaults"]


class NewParamsTakeDefaults:
    """Mixin for scikit-learn estimators (put it before ``BaseEstimator``): parameters
    missing from a loaded state take their defaults."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        defaults = {name: p.default for name, p in
                    inspect.signature(type(self).__init__).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        # then scikit-learn's own __setstate__ (its version check) with the completed state
        super().__setstate__({**defaults, **state})  # type: ignore[misc]
