"""Safe model loading: skops only, trusted types only, checksums, versions."""

from __future__ import annotations

import json
import os
import pickle
import re
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from vnmisinfo.model.persist import (
    FORMAT_VERSION,
    ModelLoadError,
    default_model_path,
    file_sha256,
)
from vnmisinfo.triage import Triage, load_model, save_model


class _Payload:
    """Pickling this object runs ``touch MARKER`` on load."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_with_reduce_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.skops"
    evil.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelLoadError, match="not a skops model file.*pickle"):
        load_model(evil)
    assert not marker.exists()


def test_skops_file_naming_an_untrusted_type_is_refused(tmp_path, fitted_detector):
    import skops.io as sio

    marker = tmp_path / "pwned"
    path = tmp_path / "evil.skops"
    sio.dump({"detector": fitted_detector, "metadata": "{}", "x": _Payload(marker)}, path)
    with pytest.raises(ModelLoadError, match="outside the trusted list"):
        load_model(path)
    assert not marker.exists()


def test_skops_file_whose_schema_is_edited_to_run_os_system_is_refused(tmp_path, fitted_detector):
    good = save_model(Triage(fitted_detector), tmp_path / "good.skops")
    bad = tmp_path / "edited.skops"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                schema = json.loads(data)
                schema["content"]["metadata"] = {
                    "__class__": "system", "__module__": "os", "__loader__": "TypeNode",
                }
                data = json.dumps(schema).encode()
            zout.writestr(item, data)
    with pytest.raises(ModelLoadError):
        load_model(bad)


def test_tampered_file_fails_its_checksum(tmp_path, fitted_detector):
    path = save_model(Triage(fitted_detector), tmp_path / "m.skops")
    with open(path, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelLoadError, match="SHA-256"):
        load_model(path)


def test_tampered_file_is_refused_with_both_causes_named(tmp_path, fitted_detector):
    path = save_model(Triage(fitted_detector), tmp_path / "m.skops")
    with open(path, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelLoadError) as caught:
        load_model(path)
    message = " ".join(str(caught.value).split())
    assert "does not match its SHA-256 in m.skops.sha256" in message
    assert "m.skops.sha256 was left from the model it replaced" in message
    assert "delete m.skops.sha256 if you trust the file" in message
    assert "corrupt or was modified: reinstall vnmisinfo or retrain" in message


def test_a_rolled_back_model_names_its_own_sha256_and_loads_with_it(tmp_path, fitted_detector):
    from vnmisinfo.evaluation.card import keep_previous

    path = save_model(Triage(fitted_detector), tmp_path / "team.skops")
    previous = keep_previous(path)  # what train does before it saves the new model
    save_model(Triage(fitted_detector).set_thresholds(0.3, 0.9), path)
    path.write_bytes(previous.read_bytes())  # the roll-back, the model file alone
    with pytest.raises(ModelLoadError) as caught:
        load_model(path)
    message = " ".join(str(caught.value).split())
    assert ("its content matches team.previous.skops.sha256, so team.skops.sha256 was left "
            "from another model: copy team.previous.skops.sha256 over team.skops.sha256"
            ) in message
    path.with_name("team.skops.sha256").write_bytes(
        previous.with_name("team.previous.skops.sha256").read_bytes())
    assert load_model(path).thresholds == Triage(fitted_detector).thresholds


def test_newer_format_gives_a_clear_message(tmp_path, fitted_detector):
    path = save_model(Triage(fitted_detector), tmp_path / "new.skops",
                      metadata={"format_version": FORMAT_VERSION + 1, "vnmisinfo": "9.0"})
    with pytest.raises(ModelLoadError, match="Upgrade vnmisinfo"):
        load_model(path)


def test_missing_file_names_the_fix(tmp_path):
    with pytest.raises(ModelLoadError, match="not found.*vnmisinfo train"):
        load_model(tmp_path / "nope.skops")


@pytest.mark.parametrize(("given", "message"), [
    ("", "the model path is empty"),
    (".", r"model path '\.' is a folder; pass the path of a \.skops file in it"),
], ids=["empty", "folder"])
def test_empty_and_folder_model_paths_say_so(given, message):
    with pytest.raises(ModelLoadError, match=message):
        load_model(given)


def test_a_model_path_under_the_home_folder_is_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ModelLoadError, match=f"{re.escape(str(tmp_path))}/x.skops' not found"):
        load_model("~/x.skops")


@pytest.mark.parametrize("metadata", ["not json", "[1]"], ids=["not-json", "not-an-object"])
def test_unreadable_metadata_is_a_model_load_error(tmp_path, metadata):
    import skops.io as sio

    path = tmp_path / "odd.skops"
    path.write_bytes(sio.dumps({"model": load_model().detector, "metadata": metadata}))
    with pytest.raises(ModelLoadError, match="unreadable metadata.*save_model"):
        load_model(path)


def test_shipped_model_matches_its_stored_sha256():
    path = default_model_path()
    stored = path.with_name(path.name + ".sha256").read_text().split()[0]
    assert stored == file_sha256(path)


def test_default_model_is_cached_and_lazy():
    import subprocess
    import sys

    code = ("import sys, vnmisinfo; assert 'sklearn' not in sys.modules; "
            "m = vnmisinfo.load_model(); n = vnmisinfo.load_model(); "
            # read once: the fitted arrays are the same objects
            "assert m is not n and m.detector.classes_ is n.detector.classes_; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_a_model_file_written_again_is_read_again(tmp_path, fitted_detector, tiny_corpus):
    from vnmisinfo.model.detector import Detector

    path = tmp_path / "m.skops"
    save_model(Triage(fitted_detector), path)
    first = load_model(path)
    # read once while the file is unchanged: the fitted arrays are the same objects
    assert load_model(path).detector.classes_ is first.detector.classes_
    texts, y = tiny_corpus
    other = Detector(channels=("syllables",), min_df=1, cv=3).fit(texts, y)
    save_model(Triage(other), path)
    again = load_model(path)
    assert again.detector.classes_ is not first.detector.classes_
    assert again.detector.channels == ("syllables",)


def test_shipped_model_keeps_the_scikit_learn_contract():
    """The shipped detector has every parameter: get_params, clone and a second save work."""
    from sklearn.base import clone

    detector = load_model().detector
    params = detector.get_params()
    assert set(params) == set(type(detector)().get_params())
    assert clone(detector).get_params() == params


def test_a_model_written_before_a_parameter_existed_takes_its_default(fitted_detector, tmp_path):
    from vnmisinfo.model.detector import Detector

    texts = ["Uống nước chanh nóng diệt virus", "Hà Nội hôm nay trời nắng"]
    state = dict(fitted_detector.__getstate__())  # a copy: the fixture is shared
    state.pop("own_scale")  # as a file written before the parameter was added
    older = Detector.__new__(Detector)
    older.__setstate__(state)
    assert older.get_params()["own_scale"] == 1.0
    assert (older.predict_proba(texts) == fitted_detector.predict_proba(texts)).all()
    path = save_model(Triage(older), tmp_path / "older.skops")  # saving again works
    assert load_model(path).detector.get_params()["own_scale"] == 1.0


_NEW_PROCESS = """
import json, sys
from vnmisinfo.model import persist
from vnmisinfo.triage import load_model
out = {{}}
for name in ("default", "fast"):
    model = load_model(persist.shipped_model_path(name))
    out[name] = [r["probability"] for r in model.score({texts!r})]
try:
    persist.load_trusted({other!r}, verify=False)
except persist.ModelLoadError as exc:
    out["other"] = str(exc)
import sklearn.utils, sklearn.utils.discovery
out["restored"] = sklearn.utils.all_estimators is sklearn.utils.discovery.all_estimators
unused = ("sklearn.gaussian_process", "sklearn.neural_network")
out["modules"] = [m for m in unused if m in sys.modules]
import skops.io as sio
out["user"] = type(sio.load({other!r})["model"]).__name__  # skops's defaults, built now
import skops.io._trusted_types as defaults
out["defaults"] = list(defaults.SKLEARN_ESTIMATOR_TYPE_NAMES)
print(json.dumps(out))
"""


def test_model_files_are_read_without_skops_default_list_which_stays_for_the_user(tmp_path):
    """skops's list of every estimator is never built to read a model file: same scores,
    a scikit-learn type outside vnmisinfo's list refused; skops itself keeps it."""
    import subprocess
    import sys

    import skops.io as sio
    from sklearn.preprocessing import StandardScaler

    from vnmisinfo.model.persist import shipped_model_path

    texts = ["Uống nước chanh nóng diệt virus corona", "Hà Nội mưa to cuối tuần"]
    other = tmp_path / "scaler.skops"  # a scikit-learn type that skops trusts by default
    sio.dump({"model": StandardScaler().fit([[0.0], [1.0]]), "metadata": "{}"}, other)
    code = _NEW_PROCESS.format(texts=texts, other=str(other))

    def run(code: str):
        return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                         text=True, check=True).stdout)

    out = run(code)
    skops_own = run("import json, skops.io._trusted_types as defaults; "
                    "print(json.dumps(defaults.SKLEARN_ESTIMATOR_TYPE_NAMES))")
    for name in ("default", "fast"):
        here = [r["probability"] for r in load_model(shipped_model_path(name)).score(texts)]
        assert out[name] == pytest.approx(here, abs=1e-12)
    assert "outside the trusted list" in out["other"] and "StandardScaler" in out["other"]
    assert out["restored"] and out["modules"] == []  # not all of scikit-learn imported
    assert out["user"] == "StandardScaler"  # skops's own load trusts its defaults, as ever
    assert out["defaults"] == skops_own and len(skops_own) > 100  # the list skops builds


def test_an_unfitted_model_is_not_saved(tmp_path):
    from sklearn.exceptions import NotFittedError

    from vnmisinfo.model.detector import Detector

    with pytest.raises(NotFittedError, match=r"Detector is not fitted.*fit it first: "
                                             r"save_model\(Triage\(Detector\(...\)\.fit"):
        save_model(Triage(Detector()), tmp_path / "unfitted.skops")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["default", "fast"])
def test_shipped_models_know_every_training_text_as_the_normalizer_reads_it_now(name):
    """evaluate, calibrate and compare leave out the rows a model was trained on by the hashes
    of their normalized text; a change of the normalizer must keep the shipped models' hashes
    in step (re-save them with the new hashes), or those rows would count as unseen."""
    from vnmisinfo.data.corpora import default_data_dir
    from vnmisinfo.data.hygiene import key_hashes, seen_in, text_keys
    from vnmisinfo.evaluation.train import load_training_set, with_nonclaims

    root = default_data_dir()
    if not (root / "reintel" / "train.csv").exists():
        pytest.skip(f"the public corpora are not at {root}")
    data = load_training_set(root)
    data["key"] = text_keys(data)
    data = with_nonclaims(data)
    model = load_model(default_model_path().with_name(f"{name}.skops"))
    missing = np.setdiff1d(key_hashes(data["key"].tolist()), model.training_hashes)
    assert missing.size == 0, f"{missing.size} training texts or words unknown to {name}.skops"
    # a copy of a training post with other punctuation is a training row too
    copies = [k.replace(".", " . ").replace(",", " , ") + " !" for k in data["key"][:50]]
    assert seen_in(copies, model.training_hashes).all()


def test_which_module_names_every_ufunc_as_skops_own_search_does():
    """The dict lookup answers skops's ``whichmodule`` as its own search does, for each
    object skops names at import (NumPy and SciPy ufuncs, which have no ``__module__``)."""
    import numpy as np
    import scipy.special
    from skops.io._utils import _getattribute

    from vnmisinfo.model.persist import _WhichModule

    def search(obj, name):  # skops's own search, for any skops layout
        if getattr(obj, "__module__", None) is not None:
            return obj.__module__
        for module_name, module in sys.modules.copy().items():
            if module_name in ("__main__", "__mp_main__") or module is None:
                continue
            try:
                if _getattribute(module, name)[0] is obj:
                    return module_name
            except (AttributeError, ImportError):
                continue
        return "__main__"

    which = _WhichModule(search)
    objects = [getattr(m, a) for m in (np, scipy.special) for a in dir(m)
               if isinstance(getattr(m, a), np.ufunc)]
    assert sum(getattr(o, "__module__", None) is None for o in objects) > 200  # searched for
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        mine = [which(o, o.__name__) for o in objects]
        own = [search(o, o.__name__) for o in objects]
    assert mine == own
    assert which(np.ndarray, "ndarray") == "numpy"  # an object with __module__: read as is
    assert which(object(), "no_such_name_anywhere") == "__main__"  # not found: skops's answer


def test_skops_names_the_same_ufuncs_when_vnmisinfo_imports_it():
    """Importing skops through vnmisinfo (with the dict lookup) trusts the same ufuncs by default
    as a plain import of skops, and leaves skops its own ``whichmodule``."""
    import subprocess

    names = ("import json, skops.io._trusted_types as d, skops.io._utils as u; "
             "print(json.dumps([d.SCIPY_UFUNC_TYPE_NAMES, d.NUMPY_UFUNC_TYPE_NAMES, "
             "type(u.whichmodule).__name__]))")

    def run(code: str):
        return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                         text=True, check=True).stdout)

    own = run(names)
    ours = run("import vnmisinfo; vnmisinfo.load_model(); " + names)
    assert ours == own and len(own[0]) + len(own[1]) > 200 and own[2] == "function"
