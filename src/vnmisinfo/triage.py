"""Triage: the detector, the narrative index and the tier policy, composed.

A :class:`Triage` is what a model file holds and what
:func:`vnmisinfo.load_model` returns.  Its :meth:`Triage.score` gives each
document a calibrated probability, a review tier, the terms that drove the
score and, where one matches, the known false narrative with its rebuttal and
sources.  A tier is a triage signal for a human reviewer, never a verdict.

The detector (:class:`vnmisinfo.model.detector.Detector`) stays a plain
scikit-learn classifier; everything that is not classification lives here.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import numpy as np

from vnmisinfo.data.schema import joined_text
from vnmisinfo.model.params import check_count
from vnmisinfo.model.persist import (
    ModelLoadError,
    default_model_path,
    file_sha256,
    jsonable,
    load_trusted,
    save_trusted,
)

__all__ = ["CANDIDATE_SIMILARITY", "ENTITY_READERS", "TIERS", "TierPolicy", "Triage", "load_model",
           "save_model"]

#: Review tiers, most urgent first.
TIERS = ("high", "medium", "low")
#: How flagged items get their named entities.
ENTITY_READERS = ("gazetteer", "ner", "none")
_ENTITY_CHARS = 600  # entities of a flagged text without a matched narrative: its opening
#: Similarity from which the first-ranked narrative of a text without a confident match is shown
#: as ``narrative_candidate``: 99% of the 937 training rewordings are at least this similar
#: to their own narrative (0.283, rounded down to 0.05), while most ordinary posts are not.
CANDIDATE_SIMILARITY = 0.25
_cache: dict[str, Triage] = {}
_lock = threading.Lock()


class TierPolicy:
    """How the classifier's probability and a catalogue match become a review tier.

    The classifier alone gives ``high`` from ``high``, ``medium`` from
    ``medium``, else ``low``.  A confident match to a known false narrative
    (one that :class:`~vnmisinfo.narratives.NarrativeIndex` marks ``matched``)
    lifts the item to at least ``medium``, and to ``high`` when the classifier
    agrees (its probability reaches ``medium``): a known false narrative is
    the strongest lead a reviewer has, and must never sink out of view.

    Each tier comes with its reason: ``"classifier"``, ``"known narrative"``
    or ``"both"``.

    Parameters
    ----------
    medium, high : float, default=0.5, 0.8
        Probability cut-offs of the ``medium`` and ``high`` tiers.
    lift_matches : bool, default=True
        Whether a confident catalogue match lifts the tier.

    Examples
    --------
    >>> policy = TierPolicy(medium=0.5, high=0.8)
    >>> policy.tiers([0.95, 0.6, 0.1])
    ['high', 'medium', 'low']
    >>> policy.assign([0.1, 0.6, 0.1, 0.9], [True, True, False, False])
    (['medium', 'high', 'low', 'high'], ['known narrative', 'both', 'classifier', 'classifier'])
    """

    def __init__(self, medium: float = 0.5, high: float = 0.8, *,
                 lift_matches: bool = True) -> None:
        if not 0.0 <= medium <= high <= 1.0:
            raise ValueError(
                f"thresholds must satisfy 0 <= medium <= high <= 1; got medium={medium!r}, "
                f"high={high!r}."
            )
        self.medium = float(medium)
        self.high = float(high)
        self.lift_matches = bool(lift_matches)

    def tiers(self, probabilities: Any) -> list[str]:
        """The classifier's tier of each probability, without catalogue matches."""
        p = np.asarray(probabilities, dtype=float)
        return np.where(p >= self.high, "high", np.where(p >= self.medium, "medium", "low")
                        ).tolist()

    def assign(self, probabilities: Any, matched: Any) -> tuple[list[str], list[str]]:
        """Tiers and their reasons, from probabilities and confident catalogue matches."""
        p = np.asarray(probabilities, dtype=float)
        hit = np.asarray(matched, dtype=bool) & self.lift_matches
        agrees = p >= self.medium
        tiers = np.where(p >= self.high, "high", np.where(agrees, "medium", "low"))
        tiers = np.where(hit, np.where(agrees, "high", "medium"), tiers)
        reasons = np.where(hit, np.where(agrees, "both", "known narrative"), "classifier")
        return tiers.tolist(), reasons.tolist()

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain data, for the model card and metadata."""
        return {"medium": self.medium, "high": self.high, "lift_matches": self.lift_matches}

    def __repr__(self) -> str:
        return (f"TierPolicy(medium={self.medium!r}, high={self.high!r}, "
                f"lift_matches={self.lift_matches!r})")


class Triage:
    """A detector, a narrative index and a tier policy, composed for review.

    Parameters
    ----------
    detector : Detector
        A fitted :class:`vnmisinfo.model.detector.Detector`.
    narratives : NarrativeIndex or None, default=None
        A fitted :class:`vnmisinfo.narratives.NarrativeIndex`; without one,
        results carry no narrative fields.
    policy : TierPolicy or None, default=None
        The tier policy; by default the detector's ``medium_threshold`` and
        ``high_threshold``.
    metadata : dict or None, default=None
        What the model file records: versions, training data, metrics.
    entities : {"gazetteer", "ner", "none"}, default="gazetteer"
        How flagged items get their named entities: a gazetteer of places,
        bodies, outlets and the catalogue's names (one regex pass; see
        ``docs/entities.md`` for what it trades), underthesea's NER (about
        10 ms a sentence), or none.
    training_hashes : ndarray of uint64 or None, default=None
        Hashes of the normalized training texts and of their words
        (:func:`vnmisinfo.data.hygiene.key_hashes`), so that evaluation can
        tell held-out rows from training rows, and copies of training rows with
        other punctuation from new ones; the texts are not kept.
    candidate_similarity : float, default=0.25
        A text without a confident match shows its first-ranked narrative as
        ``narrative_candidate`` only from this similarity
        (:data:`CANDIDATE_SIMILARITY`), and only when its match score is at
        least :data:`~vnmisinfo.narratives.decision.RANK_FLOOR` (the decision
        does not rule it out): a weather report should not be offered a false
        narrative to file it under.

    Examples
    --------
    >>> from vnmisinfo.model.detector import Detector
    >>> texts = ["Uống nước chanh nóng diệt virus corona", "Tỏi sống chữa khỏi covid",
    ...          "Hà Nội nắng nhẹ cuối tuần", "Đà Nẵng mưa rào buổi chiều"] * 2
    >>> det = Detector(channels=("syllables",), min_df=1, cv=2).fit(texts, [1, 1, 0, 0] * 2)
    >>> result = Triage(det).score(["nước chanh nóng diệt virus"])[0]
    >>> result["label"], result["tier"] in {"high", "medium", "low"}
    (1, True)
    >>> Triage(det).score([])
    []
    """

    def __init__(self, detector: Any, narratives: Any = None, policy: TierPolicy | None = None,
                 metadata: dict[str, Any] | None = None, training_hashes: Any = None,
                 entities: str = "gazetteer",
                 candidate_similarity: float = CANDIDATE_SIMILARITY) -> None:
        if isinstance(detector, type) or not all(
                hasattr(detector, name) for name in ("preprocess", "explain", "medium_threshold",
                                                     "high_threshold")):
            got = (f"the class {detector.__name__}" if isinstance(detector, type)
                   else type(detector).__name__)
            raise TypeError(
                f"Triage needs a fitted Detector as its detector; got {got}. Fit one first, "
                "Triage(Detector(...).fit(X, y)), or load a saved model: vnmisinfo.load_model().")
        if entities not in ENTITY_READERS:
            raise ValueError(f"entities must be one of {ENTITY_READERS}, got {entities!r}.")
        if (isinstance(candidate_similarity, bool)
                or not isinstance(candidate_similarity, (int, float))
                or not 0.0 <= candidate_similarity <= 1.0):
            raise ValueError("candidate_similarity must be a number in [0, 1]; got "
                             f"{candidate_similarity!r}.")
        self.candidate_similarity = float(candidate_similarity)
        self.entities = entities
        self.detector = detector
        self.narratives = narratives
        self.policy = policy if policy is not None else TierPolicy(
            float(detector.medium_threshold), float(detector.high_threshold))
        self.metadata_: dict[str, Any] = dict(metadata or {})
        self.training_hashes = (np.asarray(training_hashes, dtype=np.uint64)
                                if training_hashes is not None else None)

    @property
    def thresholds(self) -> tuple[float, float]:
        """``(medium, high)`` of the tier policy."""
        return self.policy.medium, self.policy.high

    @property
    def model_id(self) -> str:
        """Which model scored a row: file name, vnmisinfo version and SHA-256 of the file,
        and the narrative index or catalogue it matched against when it is not the model's own.

        Examples
        --------
        >>> load_model().model_id.startswith("default.skops vnmisinfo-")
        True
        """
        meta = self.metadata_
        digest = meta.get("sha256")
        parts = [str(meta.get("path", "unsaved")), f"vnmisinfo-{meta.get('vnmisinfo', '?')}"]
        if digest:
            parts.append(f"sha256:{digest}")
        if meta.get("narratives_file"):  # another catalogue (score --narratives)
            parts.append(f"+ narratives {meta['narratives_file']}")
        return " ".join(parts)

    def set_thresholds(self, medium: float, high: float) -> Triage:
        """Set the tier thresholds of the policy and the detector's label cut-off.

        The detector is copied first (its fitted parts are shared), so that another
        model holding the same detector, such as a later :func:`load_model`, keeps its own.
        """
        self.policy = TierPolicy(medium, high, lift_matches=self.policy.lift_matches)
        self.detector = copy.copy(self.detector)
        self.detector.set_params(medium_threshold=medium, high_threshold=high)
        return self

    def preprocess(self, X: Any) -> Any:
        """The detector's normalized, tokenized frame of ``X`` (see ``Detector.preprocess``)."""
        return self.detector.preprocess(X)

    def tier(self, probabilities: Any) -> list[str]:
        """Map probabilities to the classifier's review tiers (no catalogue matches)."""
        return self.policy.tiers(probabilities)

    def score(self, docs: Any, explain: int = 5) -> list[dict[str, Any]]:
        """Score documents for review, each with its reasons.

        Parameters
        ----------
        docs : sequence of str or mapping, or DataFrame
            Documents (see :func:`vnmisinfo.data.schema.as_frame`).
        explain : int, default=5
            How many terms to report per document.

        Returns
        -------
        list of dict
            One dict per document with ``probability`` (calibrated, from the
            classifier), ``tier`` and ``tier_reason`` (``classifier``,
            ``known narrative`` or ``both``, see :class:`TierPolicy`),
            ``label`` (1 when the tier is ``medium`` or ``high``),
            ``top_terms`` (``(term, contribution)`` text n-grams) and
            ``context`` (``(field, contribution)`` of the post metadata).
            With a narrative index, also ``narrative_id`` (only for a
            confident match, the kind that lifts the tier; else None),
            ``narrative_candidate`` (the first-ranked narrative, see
            :meth:`NarrativeIndex.match`, when it is not a confident match and
            its similarity reaches ``candidate_similarity``;
            else None), ``narrative_similarity``,
            ``narrative_sentence`` (the evidence), ``narrative_claim``,
            ``rebuttal`` (English summary), ``rebuttal_vi``, ``sources`` and,
            for flagged documents, ``entities`` as ``(name, PER|LOC|ORG)``: those
            named in the claim, read in the matched sentence, or in the first 600
            characters of a text that matched no narrative.
            A document whose text normalizes to nothing (empty, spaces,
            invisible characters) is not scored: ``probability`` is NaN,
            ``tier`` None and ``tier_reason`` ``"empty text"``, as a batch
            leaves such a row unscored; nor is one of marks or emoji alone
            (``"!!!"``), with ``tier_reason`` ``"no words"``.  A text in another
            language gets a score that means nothing, and no note here:
            :func:`vnmisinfo.text.accents.looks_vietnamese` tells (``score_frame``
            and ``vnmisinfo score`` note such rows ``not Vietnamese``).

        Raises
        ------
        TypeError
            If ``explain`` is a sequence: labels, as scikit-learn's
            ``score(X, y)`` takes; the accuracy on labelled documents is
            ``model.detector.score(X, y)``.
        ValueError
            If ``explain`` is not a whole number, 0 or more.
        """
        if hasattr(explain, "__len__") and not isinstance(explain, str):
            raise TypeError(
                f"Triage.score scores texts (score(docs, explain=5)), and its second argument "
                f"is the number of terms shown per text; got {type(explain).__name__} of length "
                f"{len(explain)}. For the accuracy on labelled data (scikit-learn's score(X, y)) "
                "use model.detector.score(X, y).")
        explain = check_count("explain", explain)
        frame = self.detector.preprocess(docs)
        if not len(frame):
            return []
        from vnmisinfo.text.normalize import not_scored_reason

        reasons = [not_scored_reason(norm) for norm in frame["norm"]]
        keep = [i for i, reason in enumerate(reasons) if reason is None]
        if len(keep) == len(frame):
            return self._score_frame(frame, explain)
        # Texts that normalize to nothing, or to no words, are not scored, as in a batch.
        out = [self._not_scored(reason or "") for reason in reasons]
        if keep:
            scored = self._score_frame(frame.iloc[keep].reset_index(drop=True), explain)
            for i, result in zip(keep, scored, strict=True):
                out[i] = result
        return out

    def _not_scored(self, reason: str) -> dict[str, Any]:
        """The result for a text that is not scored (``reason``): no probability, no tier."""
        result: dict[str, Any] = {"probability": float("nan"), "label": 0, "top_terms": [],
                                  "context": [], "tier": None, "tier_reason": reason}
        if self.narratives is not None:
            result.update(narrative_id=None, narrative_candidate=None, narrative_similarity=0.0,
                          narrative_sentence=None, narrative_claim=None, rebuttal=None,
                          rebuttal_vi=None, sources=[])
        result["entities"] = []
        return result

    def _score_frame(self, frame: Any, explain: int) -> list[dict[str, Any]]:
        """:meth:`score` of a preprocessed frame whose texts are not empty."""
        results = self.detector.explain(frame, k=explain)
        proba = [r["probability"] for r in results]
        best: list[Any] = [None] * len(results)
        texts = [joined_text(t, ti) for t, ti in zip(frame["text"], frame["title"], strict=True)]
        if self.narratives is not None:
            best = [m[0] if m else None for m in self.narratives.match(texts, k=1)]
        tiers, reasons = self.policy.assign(proba, [m is not None and m.matched for m in best])
        for result, tier, reason in zip(results, tiers, reasons, strict=True):
            result["tier"], result["tier_reason"] = tier, reason
            result["label"] = int(tier != "low")
        if self.narratives is not None:
            self._add_narratives(texts, results, best)
        else:  # entities of flagged items still, read in the opening: they need no index
            for result in results:
                result["entities"] = []
            self._add_entities(results, {i: texts[i][:_ENTITY_CHARS]
                                         for i, r in enumerate(results) if r["label"] == 1})
        return results

    def _add_narratives(self, texts: list[str], results: list[dict[str, Any]],
                        best: list[Any]) -> None:
        """Attach the matched narrative (or the nearest candidate) and entities of flagged items."""
        from vnmisinfo.narratives.decision import RANK_FLOOR  # loaded with the index

        focus: dict[int, str] = {}
        # a model saved before the parameter shows candidates from the same similarity
        floor = getattr(self, "candidate_similarity", CANDIDATE_SIMILARITY)
        for i, (text, result, top) in enumerate(zip(texts, results, best, strict=True)):
            hit = top if top is not None and top.matched else None
            result["narrative_id"] = hit.narrative_id if hit else None
            # the nearest narrative, unless too far or ruled out by the match decision
            result["narrative_candidate"] = (top.narrative_id if top is not None and not hit
                                             and top.similarity > 0 and top.similarity >= floor
                                             and top.score >= RANK_FLOOR else None)
            result["narrative_similarity"] = round(top.similarity, 4) if top is not None else 0.0
            result["narrative_sentence"] = hit.sentence if hit else None
            result["narrative_claim"] = hit.claim if hit else None
            result["rebuttal"] = hit.rebuttal_en if hit else None
            result["rebuttal_vi"] = hit.rebuttal_vi if hit else None
            result["sources"] = hit.sources if hit else []
            result["entities"] = []
            if result["label"] == 1:
                # The evidence sentence, or the opening of the text.
                focus[i] = hit.sentence if hit else text[:_ENTITY_CHARS]
        self._add_entities(results, focus)

    def _add_entities(self, results: list[dict[str, Any]], focus: dict[int, str]) -> None:
        """``entities`` of the results at the keys of ``focus``, read in its texts."""
        for i, found in zip(focus, self._entities(list(focus.values())), strict=True):
            results[i]["entities"] = found

    def _entities(self, texts: list[str]) -> list[list[tuple[str, str]]]:
        reader = getattr(self, "entities", "gazetteer")
        if not texts or reader == "none":
            return [[] for _ in texts]
        if reader == "ner":
            from vnmisinfo.text.entities import entities

            return [entities(t) if t else [] for t in texts]
        from vnmisinfo.text.gazetteer import Gazetteer

        return Gazetteer.default().entities_many(texts)

    def __repr__(self) -> str:
        index = "NarrativeIndex" if self.narratives is not None else "None"
        return f"Triage(detector=Detector(...), narratives={index}, policy={self.policy!r})"


def save_model(model: Triage, path: str | Path, *,
               metadata: dict[str, Any] | None = None) -> Path:
    """Save a whole :class:`Triage` (detector, narrative index, tier policy) to one file.

    A ``.sha256`` is written beside it.  ``metadata`` adds to what the model
    already records (its ``metadata_``); versions, thresholds and the
    detector's parameters are added.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`Triage`.
    sklearn.exceptions.NotFittedError
        If its detector is not fitted.

    Examples
    --------
    >>> from vnmisinfo.model.detector import Detector
    >>> save_model(Triage(Detector()), "unfitted.skops")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sklearn.exceptions.NotFittedError: the Triage's Detector is not fitted, so there is nothing ...
    """
    if not isinstance(model, Triage):
        raise TypeError(
            f"save_model expects a Triage, got {type(model).__name__}; wrap a fitted detector "
            "first: Triage(detector, narratives=index)."
        )
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model.detector, "model_", msg=(
        "the Triage's Detector is not fitted, so there is nothing to save; fit it first: "
        "save_model(Triage(Detector(...).fit(X, y)), path)."))
    meta = {k: v for k, v in model.metadata_.items()
            if k not in {"format_version", "vnmisinfo", "scikit-learn", "underthesea", "skops",
                         "python", "created", "sha256", "path"}}
    meta.update(metadata or {})
    meta["thresholds"] = model.policy.to_dict()
    meta["params"] = {k: jsonable(v) for k, v in model.detector.get_params().items()}
    stored = model.metadata_
    model.metadata_ = {}
    try:
        return save_trusted(model, path, metadata=meta)
    finally:
        model.metadata_ = stored


def load_model(path: str | Path | None = None) -> Triage:
    """Load a :class:`Triage`; the shipped default model when ``path`` is None.

    The model is loaded on first use and cached for the process, so ``import
    vnmisinfo`` stays cheap; a file written again since is read again.  Files
    are read with skops and the explicit trusted-type list only; a ``.sha256``
    beside the file is verified first.

    Raises
    ------
    ModelLoadError
        If the file is missing, not a skops file, names untrusted types, fails
        its checksum, was made by an incompatible version or holds no model.

    Examples
    --------
    >>> model = load_model()
    >>> model.score(["Uống nước nóng diệt được virus corona"])[0]["tier"]
    'high'
    """
    if path is None:
        path = default_model_path()
    key = str(path)
    if str(path).strip():  # a file rewritten since (a retrained model) is read again
        path = Path(path).expanduser()
        resolved = path.resolve()
        stat = resolved.stat() if resolved.is_file() else None
        key = f"{resolved}:{stat.st_mtime_ns}:{stat.st_size}" if stat else str(resolved)
    with _lock:
        if key not in _cache:
            payload = load_trusted(path, verify=True)
            target = Path(path)
            model = payload["model"]
            if not isinstance(model, Triage):
                raise ModelLoadError(
                    f"{str(target)!r} holds a {type(model).__name__}, not a vnmisinfo model; "
                    "model files are written by 'vnmisinfo train' or vnmisinfo.save_model."
                )
            model.metadata_ = payload["metadata"]
            model.metadata_["sha256"] = file_sha256(target)
            model.metadata_["path"] = target.name
            _cache[key] = model
        # a copy: changing one caller's settings or metadata leaves the next caller's alone
        found: Triage = _settings_copy(_cache[key], {})
        return found


def _settings_copy(obj: Any, memo: dict[int, Any]) -> Any:
    """A copy of ``obj`` whose estimators, policies and containers are new objects, while
    fitted arrays and other values are shared (read-only in use): ``set_params`` or an
    attribute set on one copy, at any depth, leaves the others as they were.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> a = {"clf": LogisticRegression(), "weights": np.zeros(3)}
    >>> b = _settings_copy(a, {})
    >>> _ = b["clf"].set_params(C=5.0)
    >>> a["clf"].C, b["weights"] is a["weights"]
    (1.0, True)
    """
    if id(obj) in memo:
        return memo[id(obj)]
    if isinstance(obj, (list, tuple, dict)):
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        if not any(isinstance(v, (list, tuple, dict)) or _owned(v) for _, v in items):
            out = copy.copy(obj)  # plain values: a shallow copy is a new container
        elif isinstance(obj, dict):
            out = {k: _settings_copy(v, memo) for k, v in obj.items()}
        else:
            out = type(obj)(_settings_copy(v, memo) for v in obj) if type(obj) in (list, tuple) \
                else copy.copy(obj)
        memo[id(obj)] = out
        return out
    if not _owned(obj):
        return obj
    out = object.__new__(type(obj))  # not copy.copy: some __getstate__ do real work
    out.__dict__.update(obj.__dict__)
    memo[id(obj)] = out
    for name, value in vars(out).items():
        if isinstance(value, (list, tuple, dict)) or _owned(value):
            setattr(out, name, _settings_copy(value, memo))
    return out


def _owned(value: Any) -> bool:
    """Whether ``value`` is an object of vnmisinfo or scikit-learn with settings of its own."""
    module = type(value).__module__ or ""
    return hasattr(value, "__dict__") and module.split(".")[0] in ("vnmisinfo", "sklearn")
