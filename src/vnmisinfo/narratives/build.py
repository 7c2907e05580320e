"""Building, saving and loading narrative indexes, and the cached default index.

The shipped index (``models/narratives.skops``) is built by
:func:`build_default_index` from the catalogue and ReINTEL (background term
statistics and negatives for the learned match decision), saved with
:func:`save_index` and loaded, once per process, by :func:`default_index`.

Examples
--------
>>> index = default_index()
>>> index is default_index(), index.verifier_ is not None
(True, True)
"""

from __future__ import annotations

import threading
import warnings
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from vnmisinfo.data.corpora import EmptyTextWarning, default_data_dir, load_reintel, load_table
from vnmisinfo.data.formats import iter_jsonl
from vnmisinfo.model.persist import ModelLoadError, jsonable, load_trusted, save_trusted
from vnmisinfo.narratives.catalogue import default_catalogue_path, load_catalogue
from vnmisinfo.narratives.index import NarrativeIndex
from vnmisinfo.text.normalize import normalize_text

__all__ = ["STANCES", "build_default_index", "default_index", "load_index", "near_miss_texts",
           "save_index", "train_rewordings"]

_SHIPPED_NAME = "narratives.skops"
#: ``max_false_rate`` of the shipped index: half the 2% goal for reliable posts never seen,
#: on which the rate of matches runs above its out-of-fold estimate.
_MAX_FALSE_RATE = 0.01


def save_index(index: NarrativeIndex, path: str | Path, *,
               metadata: dict[str, Any] | None = None) -> Path:
    """Save a fitted index with skops (no pickle), atomically, with a ``.sha256`` beside it.

    Parameters
    ----------
    index : NarrativeIndex
        A fitted index.
    path : str or Path
        Target file, conventionally ending in ``.skops``.
    metadata : dict, optional
        Extra JSON-able metadata; the index's parameters, size and threshold
        are recorded anyway.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``index`` is not fitted.

    Examples
    --------
    >>> import tempfile
    >>> path = save_index(default_index(), Path(tempfile.mkdtemp()) / "n.skops")
    >>> path.with_name("n.skops.sha256").is_file()
    True
    """
    index._check_fitted()
    meta: dict[str, Any] = {
        "kind": "NarrativeIndex",
        "params": {k: jsonable(v) for k, v in index.get_params().items()},
        "narratives": len(index.narratives_),
        "n_background": int(index.n_background_),
        "threshold": float(index.threshold_),
        "learned_decision": index.verifier_ is not None,
    }
    meta.update(metadata or {})
    return save_trusted(index, path, metadata=meta)


def load_index(path: str | Path, *, verify: bool = True) -> NarrativeIndex:
    """Load an index saved by :func:`save_index`, trusting only ``persist.TRUSTED_TYPES``.

    Parameters
    ----------
    path : str or Path
        A ``.skops`` file.
    verify : bool, default=True
        Check the file against the ``.sha256`` beside it, when there is one.

    Returns
    -------
    NarrativeIndex

    Raises
    ------
    vnmisinfo.model.persist.ModelLoadError
        If the file is missing, not a skops file, names other types, fails its
        checksum, or holds something other than a NarrativeIndex.

    Examples
    --------
    >>> import tempfile
    >>> path = save_index(default_index(), Path(tempfile.mkdtemp()) / "n.skops")
    >>> load_index(path).threshold_ == default_index().threshold_
    True
    """
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"narrative index {str(path)!r} not found; build one with "
                             "save_index(NarrativeIndex.from_catalogue(), path).")
    if not zipfile.is_zipfile(path):
        raise ModelLoadError(f"{str(path)!r} is not a readable skops file (pickle files are "
                             "never loaded, since they can run code).")
    index = load_trusted(path, verify=verify)["model"]
    if not isinstance(index, NarrativeIndex):
        raise ModelLoadError(f"{str(path)!r} holds a {type(index).__name__}, not a NarrativeIndex.")
    return index


def _reintel_texts(path: Path, *, label: int | None = None) -> list[str]:
    """Distinct non-empty ``post_message`` texts of a ReINTEL CSV (optionally one label)."""
    if not path.is_file():
        raise FileNotFoundError(f"ReINTEL file {str(path)!r} not found; pass data_dir, the "
                                "folder that holds reintel/ (e.g. ../shared/corpora).")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyTextWarning)
        if label is None:  # unlabeled.csv has no label column
            frame = load_table(path, text_column="post_message", label_column=None)
        else:
            frame = load_reintel(path)
    texts = frame["text"] if label is None else frame.loc[frame["label"] == label, "text"]
    return [t for t in dict.fromkeys(texts.astype(str)) if t.strip()]


def near_miss_texts(path: str | Path | None = None, *, split: str = "train") -> list[str]:
    """Texts of one split of the near-miss set (``corpora/narratives/eval_nearmiss.jsonl``).

    Near misses are texts on a catalogue topic that do not assert its claim: true
    statements, warnings, debunks and news reports (``kind``).  The ``train`` split
    may be used to fit and tune; the ``test`` split is for evaluation only.

    Parameters
    ----------
    path : str or Path, optional
        A JSON Lines file with ``text`` and ``split`` fields; default: the one
        beside the shipped catalogue.
    split : {"train", "test"}, default="train"

    Returns
    -------
    list of str

    Examples
    --------
    >>> len(near_miss_texts()) > len(near_miss_texts(split="test")) > 100
    True
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}.")
    file = Path(path) if path is not None else default_catalogue_path().with_name(
        "eval_nearmiss.jsonl")
    if not file.is_file():
        raise FileNotFoundError(f"near-miss file {str(file)!r} not found; pass the path of a "
                                "JSON Lines file with text and split fields.")
    texts = []
    with open(file, encoding="utf-8") as fh:
        for number, row, error in iter_jsonl(fh):
            if error is not None or not isinstance(row, dict) or "split" not in row:
                raise ValueError(f"{file}, line {number}: expected a JSON object with text "
                                 f"and split; {error or 'got ' + repr(row)[:80]}.")
            if row["split"] == split:
                texts.append(str(row["text"]))
    return texts


#: The stance of a rewording toward its narrative's claim (``stance``; a row without one
#: asserts it): only texts that assert a claim are positives of the match decision; texts
#: that only report that it circulates, or refute it, are near misses.
STANCES = ("asserts", "reports", "refutes", "other")


def train_rewordings(path: str | Path | None = None, *,
                     stance: str = "asserts") -> list[tuple[str, str]]:
    """``(text, narrative_id)`` pairs of the training rewordings (``train_reworded.jsonl``).

    Texts written apart from the catalogue and from the evaluation files, in the ways
    posts and articles carry a claim (with and without diacritics, teencode, longer
    posts among other content), each with its ``stance`` toward the claim, judged from
    the text alone (:data:`STANCES`): those that assert it are positives of the learned
    match decision; those that only report that it circulates or refute it are near
    misses (:func:`build_default_index`).

    Parameters
    ----------
    path : str or Path, optional
        A JSON Lines file with ``text``, ``narrative_id`` and optional ``stance``
        fields; default: the one beside the shipped catalogue.
    stance : {"asserts", "reports", "refutes", "other"}, default="asserts"
        Which rows to return; a row without ``stance`` asserts its claim.

    Returns
    -------
    list of (str, str)

    Examples
    --------
    >>> pairs = train_rewordings()
    >>> len(pairs) >= 360, pairs[0][1]
    (True, 'health-001')
    >>> len(train_rewordings(stance="reports")) > 0
    True
    """
    if stance not in STANCES:
        raise ValueError(f"stance must be one of {', '.join(STANCES)}; got {stance!r}.")
    file = Path(path) if path is not None else default_catalogue_path().with_name(
        "train_reworded.jsonl")
    if not file.is_file():
        raise FileNotFoundError(f"rewordings file {str(file)!r} not found; pass the path of a "
                                "JSON Lines file with text and narrative_id fields.")
    pairs = []
    with open(file, encoding="utf-8") as fh:
        for number, row, error in iter_jsonl(fh):
            if (error is not None or not isinstance(row, dict)
                    or not isinstance(row.get("text"), str)
                    or not isinstance(row.get("narrative_id"), str)
                    or row.get("stance", "asserts") not in STANCES):
                raise ValueError(f"{file}, line {number}: expected a JSON object with text, "
                                 f"narrative_id and an optional stance ({', '.join(STANCES)}); "
                                 f"{error or 'got ' + repr(row)[:80]}.")
            if row.get("stance", "asserts") == stance:
                pairs.append((row["text"], row["narrative_id"]))
    return pairs


def build_default_index(data_dir: str | Path | None = None, *,
                        near_misses: str | Path | None = None,
                        rewordings: str | Path | None = None,
                        catalogue: Any = None,
                        **params: Any) -> NarrativeIndex:
    """Build the shipped index: background IDF and a learned match decision from ReINTEL.

    Reads, from ``data_dir/reintel`` (default: ``VNMISINFO_CORPORA`` or
    ``../shared/corpora``), ``unlabeled.csv`` (background statistics and
    negatives) and the ``warmup.csv`` posts labelled reliable (negatives).
    Any text that also occurs in ``train.csv`` is left out, so that
    ``train.csv`` stays an independent evaluation set.  The ``train`` split of
    the near-miss set (:func:`near_miss_texts`) and the training rewordings that
    only report or refute their claim give the hard negatives, and the training
    rewordings that assert it (:func:`train_rewordings`) positives besides the
    catalogue's own variants.  The threshold is chosen out of fold on those
    rewordings, the near-miss ``train`` split and the ``warmup.csv`` reliable
    posts
    (:func:`~vnmisinfo.narratives.fitting.pick_threshold`); the held-out
    ``eval_reworded.jsonl`` and the near-miss ``test`` split are never read.
    Only term weights and the fitted decision are kept, never the texts.
    Deterministic: the same data give the same index.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder holding ``reintel/``.
    near_misses : str or Path, optional
        The near-miss file (default: the shipped ``eval_nearmiss.jsonl``).
    rewordings : str or Path, optional
        The training rewordings (default: the shipped ``train_reworded.jsonl``).
    catalogue : path, list of paths or list of Narrative, optional
        The narratives to index (default: the shipped catalogue); a team adds
        its own file here (:func:`~vnmisinfo.narratives.team.build_team_index`).
    **params
        :class:`NarrativeIndex` parameters.  ``max_false_rate`` is 0.01 here
        (the class default is 0.02): the share of reliable posts that match
        runs above its out-of-fold estimate on posts the index never saw, and
        the goal for those is 2%.  ``max_hard_rate`` 0.05 and ``min_recall``
        0.95 by default.

    Returns
    -------
    NarrativeIndex
        Fitted with ``background`` and ``negatives``; save it with
        :func:`save_index`.

    Raises
    ------
    FileNotFoundError
        If one of the three ReINTEL files is missing.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    reintel = root / "reintel"

    def key(text: str) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return normalize_text(text).lower()

    held_out = {key(t) for t in _reintel_texts(reintel / "train.csv")}
    background = [t for t in _reintel_texts(reintel / "unlabeled.csv") if key(t) not in held_out]
    reliable = [t for t in _reintel_texts(reintel / "warmup.csv", label=0)
                if key(t) not in held_out]
    seen = {key(t) for t in background}
    negatives = background + [t for t in reliable if key(t) not in seen]
    narratives = (catalogue if isinstance(catalogue, list) and catalogue
                  and not isinstance(catalogue[0], (str, Path)) else load_catalogue(catalogue))
    params.setdefault("max_false_rate", _MAX_FALSE_RATE)
    hard = near_miss_texts(near_misses) + [t for stance in ("reports", "refutes")
                                           for t, _ in train_rewordings(rewordings, stance=stance)]
    return NarrativeIndex(**params).fit(narratives, background=background,
                                        negatives=negatives, hard_negatives=hard,
                                        positives=train_rewordings(rewordings),
                                        rate_negatives=reliable)


_default_lock = threading.Lock()
_default: dict[str, NarrativeIndex] = {}


def default_index() -> NarrativeIndex:
    """The index of the shipped catalogue, built (or loaded) on first call and cached.

    ``models/narratives.skops`` is loaded (and checked against its SHA-256)
    when the package ships one; otherwise the index is built from the shipped
    catalogue (about a second).

    Examples
    --------
    >>> default_index().match_one("Uong nuoc chanh nong tri khoi covid", k=1)[0].narrative_id
    'health-001'
    """
    with _default_lock:
        if "index" not in _default:
            shipped = Path(str(resources.files("vnmisinfo.models").joinpath(_SHIPPED_NAME)))
            _default["index"] = (load_index(shipped) if shipped.is_file()
                                 else NarrativeIndex().fit(load_catalogue()))
        return _default["index"]
