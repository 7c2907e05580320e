"""Moved modules keep a thin alias for one release, which warns and still works."""

from __future__ import annotations

import importlib
import sys

import pytest

MOVED = {
    "tokenize": ("vnmisinfo.text.tokenize", "segment"),
    "features": ("vnmisinfo.model.features", "Preprocessor"),
    "detector": ("vnmisinfo.model.detector", "Detector"),
    "explain": ("vnmisinfo.model.explain", "top_contributions"),
    "persist": ("vnmisinfo.model.persist", "TRUSTED_TYPES"),
    "corpora": ("vnmisinfo.data.corpora", "load_reintel"),
    "hygiene": ("vnmisinfo.data.hygiene", "deduplicate"),
    "metrics": ("vnmisinfo.evaluation.metrics", "summary"),
    "calibrate": ("vnmisinfo.evaluation.thresholds", "choose_thresholds"),
    "evaluate": ("vnmisinfo.evaluation.evaluate", "cross_val_scores"),
    "train": ("vnmisinfo.evaluation.train", "train_preset"),
    "claimreview": ("vnmisinfo.report.claimreview", "draft_claimreview"),
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_import_warns_and_gives_the_same_object(old):
    new, name = MOVED[old]
    sys.modules.pop(f"vnmisinfo.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"vnmisinfo.{old} moved to {new}"):
        module = importlib.import_module(f"vnmisinfo.{old}")
    assert getattr(module, name) is getattr(importlib.import_module(new), name)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_the_warning_names_a_module_for_every_name_the_alias_gives(old):
    """vnmisinfo.tokenize said to use vnmisinfo.text.tokenize, which has no Tokenizer."""
    import re
    import types
    import warnings

    sys.modules.pop(f"vnmisinfo.{old}", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alias = importlib.import_module(f"vnmisinfo.{old}")
    (message,) = {str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)}
    named = [importlib.import_module(m) for m in
             set(re.findall(r"vnmisinfo(?:\.\w+)+", message)) - {f"vnmisinfo.{old}"}]
    given = [n for n, v in vars(alias).items()
             if not n.startswith("_") and n != "warnings" and not isinstance(v, types.ModuleType)]
    assert given
    unnamed = [n for n in given if not any(hasattr(module, n) for module in named)]
    assert not unnamed, f"vnmisinfo.{old} gives {unnamed}, in none of the modules its warning names"


def test_old_persist_alias_still_loads_models():
    sys.modules.pop("vnmisinfo.persist", None)
    with pytest.warns(DeprecationWarning):
        persist = importlib.import_module("vnmisinfo.persist")
    import vnmisinfo

    assert persist.load_model is vnmisinfo.load_model


def test_names_that_stay_put():
    import vnmisinfo
    from vnmisinfo.normalize import normalize_text

    assert normalize_text("Hoà bình") == "Hòa bình"
    assert {"load_model", "Detector", "Normalizer", "Triage"} <= set(vnmisinfo.__all__)
    from pathlib import Path

    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert vnmisinfo.__version__ == project["project"]["version"]


def test_dir_offers_the_public_names_not_the_package_helpers():
    import vnmisinfo

    shown = {n for n in dir(vnmisinfo) if not n.startswith("__")}
    assert set(vnmisinfo.__all__) <= shown
    assert not shown & {"TYPE_CHECKING", "annotations", "lazy_names", "_compat"}
