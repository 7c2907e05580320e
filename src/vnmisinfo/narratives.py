"""Matching text against a catalogue of known false or distorted narratives.

The catalogue (``corpora/narratives/catalogue.jsonl``, installed as the package
resource ``vnmisinfo.catalogue``) holds claims that documented facts refute,
each with reworded variants, a verdict, a rebuttal and its sources.  Users
extend it with their own JSON Lines files in the same format.

:class:`NarrativeIndex` finds, for each input text, the catalogue narratives it
repeats.  Each text is split into sentences (and windows of two sentences);
every piece is normalized with :func:`~vnmisinfo.normalize.normalize_text`
(teencode expanded, tone marks unified) and compared, by TF-IDF cosine over
words and character n-grams, with the claim and every variant of every
narrative.  A second, accent-free view (:func:`~vnmisinfo.normalize.strip_diacritics`)
lets text typed without diacritics match; text that has no diacritics is
compared on the accent-free view only.  A narrative's similarity is the best
score over its claim and variants and over the text's pieces, and the best
piece is returned as evidence.

A match is a lead for a human reviewer, never a verdict: a post that matches may
quote a claim to debunk it, or be satire.

Examples
--------
>>> index = default_index()
>>> best = index.match_one("Uong nuoc chanh nong tri khoi covid")[0]
>>> best.narrative_id, best.matched
('health-001', True)
"""

from __future__ import annotations

import json
import math
import re
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer

from .normalize import normalize_text, strip_diacritics

__all__ = [
    "CATEGORIES",
    "VERDICTS",
    "CatalogueError",
    "CatalogueWarning",
    "Match",
    "Narrative",
    "NarrativeIndex",
    "build_default_index",
    "catalogue_problems",
    "choose_threshold",
    "default_catalogue_path",
    "default_index",
    "entities",
    "load_catalogue",
    "load_index",
    "save_index",
    "split_sentences",
    "validate_catalogue",
]

#: The catalogue's categories; other categories are accepted with a warning.
CATEGORIES = (
    "health",
    "fake_announcement",
    "fake_quote",
    "disaster_hoax",
    "finance_rumour",
    "scam",
    "fabricated_statistics",
    "miscaptioned_media",
    "history_culture",
)
#: Allowed values of ``verdict``.
VERDICTS = ("false", "misleading", "missing_context", "fabricated")

#: Default similarity threshold: calibrated on the catalogue's own variants
#: (each left out of the index in turn) against ReINTEL ``warmup.csv`` posts
#: labelled reliable, at a 2% false-match target; see ``benchmarks/bench_matching.py``.
DEFAULT_THRESHOLD = 0.372

_REQUIRED = ("id", "claim", "variants", "category", "verdict", "rebuttal", "sources",
             "first_seen", "entities", "tags")
_OPTIONAL: tuple[str, ...] = ()
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_MAX_SENTENCES = 300
_MIN_WORDS = 3


class CatalogueError(ValueError):
    """A catalogue has invalid entries; ``problems`` lists one message per defect."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        head = f"the narrative catalogue has {len(self.problems)} problem(s):"
        super().__init__("\n".join([head, *("  - " + p for p in self.problems)]))


class CatalogueWarning(UserWarning):
    """A catalogue entry is valid but unusual (for example a user-defined category)."""


@dataclass(frozen=True)
class Narrative:
    """One catalogue entry.

    Examples
    --------
    >>> n = load_catalogue()[0]
    >>> n.id, n.category, len(n.variants) >= 3
    ('health-001', 'health', True)
    """

    id: str
    claim: str
    variants: tuple[str, ...]
    category: str
    verdict: str
    rebuttal_vi: str
    rebuttal_en: str
    sources: tuple[dict[str, Any], ...]
    first_seen: str
    entities: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, entry: dict[str, Any]) -> Narrative:
        """Build from a (validated) catalogue entry."""
        return cls(
            id=entry["id"],
            claim=entry["claim"],
            variants=tuple(entry["variants"]),
            category=entry["category"],
            verdict=entry["verdict"],
            rebuttal_vi=entry["rebuttal"]["vi"],
            rebuttal_en=entry["rebuttal"]["en"],
            sources=tuple(dict(s) for s in entry["sources"]),
            first_seen=entry["first_seen"],
            entities=tuple(entry.get("entities", ())),
            tags=tuple(entry.get("tags", ())),
        )

    def to_dict(self) -> dict[str, Any]:
        """The entry in catalogue (JSON) form."""
        return {
            "id": self.id,
            "claim": self.claim,
            "variants": list(self.variants),
            "category": self.category,
            "verdict": self.verdict,
            "rebuttal": {"vi": self.rebuttal_vi, "en": self.rebuttal_en},
            "sources": [dict(s) for s in self.sources],
            "first_seen": self.first_seen,
            "entities": list(self.entities),
            "tags": list(self.tags),
        }


@dataclass
class Match:
    """One candidate narrative for one text.

    ``matched`` is the match score (the similarity, or the match probability of an
    index fitted with negatives, such as the shipped one) reaching the index's
    ``threshold_``; ``sentence`` is the sentence
    (or pair of sentences) of the input that matched best.
    """

    narrative_id: str
    similarity: float
    matched: bool
    sentence: str
    claim: str
    category: str
    verdict: str
    rebuttal_vi: str
    rebuttal_en: str
    sources: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-able)."""
        return asdict(self)


# ---------------------------------------------------------------------------
# Catalogue loading and validation
# ---------------------------------------------------------------------------


def default_catalogue_path() -> Path:
    """Path of the catalogue shipped with the package."""
    try:
        return Path(str(resources.files("vnmisinfo.catalogue").joinpath("catalogue.jsonl")))
    except ModuleNotFoundError:
        # a source checkout installed in editable mode maps the resource package only when
        # corpora/narratives has an __init__.py; fall back to the repository layout
        return Path(__file__).resolve().parents[2] / "corpora" / "narratives" / "catalogue.jsonl"


def _read_entries(source: Any) -> tuple[list[tuple[str, Any]], list[str]]:
    """``[(where, entry)]`` and JSON syntax problems from paths or entry dicts."""
    if source is None:
        source = [default_catalogue_path()]
    elif isinstance(source, (str, Path)):
        source = [source]
    elif isinstance(source, dict):
        source = [source]
    items: list[tuple[str, Any]] = []
    problems: list[str] = []
    position = 0
    for item in source:
        if isinstance(item, (str, Path)):
            path = Path(item)
            if not path.is_file():
                raise FileNotFoundError(
                    f"catalogue file {str(path)!r} not found; pass the path of a JSON Lines "
                    "file with one narrative per line."
                )
            with open(path, encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    where = f"{path.name} line {lineno}"
                    try:
                        items.append((where, json.loads(line)))
                    except json.JSONDecodeError as exc:
                        problems.append(f"{where}: not valid JSON ({exc.msg} at column "
                                        f"{exc.colno}); write one JSON object per line.")
        else:
            position += 1
            items.append((f"entry {position}", item))
    return items, problems


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_date(value: Any, *, day: bool = True) -> bool:
    if not isinstance(value, str):
        return False
    m = _DATE_RE.match(value)
    if not m or (m.group(3) and not day):
        return False
    month, dd = m.group(2), m.group(3)
    if month and not 1 <= int(month) <= 12:
        return False
    return not (dd and not 1 <= int(dd) <= 31)


def _entry_problems(where: str, entry: Any) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warns: list[str] = []
    if not isinstance(entry, dict):
        return [f"{where}: expected a JSON object, got {type(entry).__name__}."], []
    eid = entry.get("id")
    label = f"{where} (id {eid!r})" if isinstance(eid, str) else where

    def bad(field_name: str, expected: str) -> None:
        got = entry.get(field_name, None)
        shown = repr(got) if len(repr(got)) < 60 else repr(got)[:57] + "..."
        errors.append(f"{label}: field '{field_name}' {expected}; got {shown}.")

    for name in _REQUIRED:
        if name not in entry:
            errors.append(f"{label}: missing required field '{name}'.")
    for name in sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL)):
        warns.append(f"{label}: unknown field '{name}' is ignored.")
    if "id" in entry and not (isinstance(eid, str) and _ID_RE.match(eid)):
        bad("id", "must be a non-empty string of letters, digits, '-', '_' or '.'")
    if "claim" in entry and not _is_str(entry["claim"]):
        bad("claim", "must be a non-empty string")
    if "variants" in entry:
        variants = entry["variants"]
        if not isinstance(variants, list) or not all(_is_str(v) for v in variants):
            bad("variants", "must be a list of non-empty strings")
        elif len(variants) < 3:
            bad("variants", f"needs at least 3 reworded forms (has {len(variants)}): one with "
                "diacritics, one without, one in social-media style")
    if "category" in entry:
        if not _is_str(entry["category"]):
            bad("category", "must be a non-empty string")
        elif entry["category"] not in CATEGORIES:
            warns.append(f"{label}: category {entry['category']!r} is user-defined (known "
                         f"categories: {', '.join(CATEGORIES)}).")
    if "verdict" in entry and entry["verdict"] not in VERDICTS:
        bad("verdict", f"must be one of {', '.join(VERDICTS)}")
    if "rebuttal" in entry:
        reb = entry["rebuttal"]
        if not isinstance(reb, dict) or not (_is_str(reb.get("vi")) and _is_str(reb.get("en"))):
            bad("rebuttal", 'must be an object {"vi": non-empty str, "en": non-empty str}')
    if "sources" in entry:
        sources = entry["sources"]
        if not isinstance(sources, list) or not sources:
            bad("sources", "must be a non-empty list of source objects")
        else:
            for i, src in enumerate(sources):
                tag = f"{label}: sources[{i}]"
                if not isinstance(src, dict):
                    errors.append(f"{tag} must be an object, got {type(src).__name__}.")
                    continue
                for key in ("publisher", "title"):
                    if not _is_str(src.get(key)):
                        errors.append(f"{tag}: '{key}' must be a non-empty string; "
                                      f"got {src.get(key)!r}.")
                if not _check_date(src.get("date")):
                    errors.append(f"{tag}: 'date' must be YYYY, YYYY-MM or YYYY-MM-DD; "
                                  f"got {src.get('date')!r}.")
                if not isinstance(src.get("exact"), bool):
                    errors.append(f"{tag}: 'exact' must be true or false (true only when "
                                  f"title and date name one exact document); "
                                  f"got {src.get('exact')!r}.")
                if "url" in src and not (isinstance(src["url"], str) and _URL_RE.match(src["url"])):
                    errors.append(f"{tag}: 'url' must be an http:// or https:// address; "
                                  f"got {src['url']!r}. Leave it out when unknown.")
    if "first_seen" in entry and not _check_date(entry["first_seen"]):
        bad("first_seen", "must be a date YYYY, YYYY-MM or YYYY-MM-DD")
    for name in ("entities", "tags"):
        if name in entry:
            value = entry[name]
            if not isinstance(value, list) or not all(_is_str(v) for v in value):
                bad(name, "must be a list of non-empty strings (may be empty)")
    return errors, warns


def catalogue_problems(source: Any = None) -> tuple[list[str], list[str]]:
    """Errors and warnings for a catalogue, one message per defect.

    Parameters
    ----------
    source : path, list of paths, list of entry dicts, or None
        JSON Lines file(s) or entries; None checks the shipped catalogue.
        Several files are checked together (ids must be unique across them).

    Returns
    -------
    errors, warnings : list of str
        Each message names the entry (file, line and id), the field and what
        is expected.

    Examples
    --------
    >>> errors, _ = catalogue_problems([{"id": "x-1", "claim": "Tin đồn"}])
    >>> errors[0]
    "entry 1 (id 'x-1'): missing required field 'variants'."
    """
    items, errors = _read_entries(source)
    warns: list[str] = []
    seen: dict[str, str] = {}
    for where, entry in items:
        e, w = _entry_problems(where, entry)
        errors += e
        warns += w
        eid = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(eid, str):
            if eid in seen:
                errors.append(f"{where} (id {eid!r}): duplicate id, already used at {seen[eid]}; "
                              "give each entry a unique id (e.g. a 'local-' prefix).")
            else:
                seen[eid] = where
    if not items and not errors:
        errors.append("the catalogue holds no entries.")
    return errors, warns


def validate_catalogue(source: Any = None) -> list[str]:
    """Check a catalogue; raise on errors, return the warnings.

    Parameters
    ----------
    source : path, list of paths, list of entry dicts, or None
        As for :func:`catalogue_problems`.

    Returns
    -------
    list of str
        Warnings (for example user-defined categories), each also emitted as
        a :class:`CatalogueWarning`.

    Raises
    ------
    CatalogueError
        Listing every invalid entry: which entry, which field, what is expected.

    Examples
    --------
    >>> validate_catalogue()
    []
    >>> validate_catalogue([{"id": "a", "claim": "x", "variants": ["1", "2"]}])
    Traceback (most recent call last):
    ...
    vnmisinfo.narratives.CatalogueError: the narrative catalogue has 8 problem(s):
    ...
    """
    errors, warns = catalogue_problems(source)
    if errors:
        raise CatalogueError(errors)
    for w in warns:
        warnings.warn(w, CatalogueWarning, stacklevel=2)
    return warns


def load_catalogue(path: Any = None) -> list[Narrative]:
    """Load and validate a catalogue.

    Parameters
    ----------
    path : path, list of paths or entry dicts, or None
        None loads the shipped catalogue.  To extend it with your own file,
        pass both: ``load_catalogue([default_catalogue_path(), "mine.jsonl"])``.

    Returns
    -------
    list of Narrative

    Raises
    ------
    CatalogueError
        If any entry is invalid (the message lists each problem).

    Examples
    --------
    >>> len(load_catalogue()) >= 60
    True
    """
    validate_catalogue(path)
    items, _ = _read_entries(path)
    return [Narrative.from_dict(entry) for _, entry in items]


# ---------------------------------------------------------------------------
# Text views
# ---------------------------------------------------------------------------

_WORD_RE = re.compile(r"\w+")
_MARKED_RE = re.compile(r"[^\x00-\x7f]")


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences (lines first, then underthesea's ``sent_tokenize``).

    Examples
    --------
    >>> split_sentences("Trời mưa to. Ở nhà nhé!\\nMai đi học.")
    ['Trời mưa to.', 'Ở nhà nhé!', 'Mai đi học.']
    """
    from underthesea import sent_tokenize

    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.extend(s.strip() for s in sent_tokenize(line) if s.strip())
    return out


def _marked_words(norm_lower: str) -> int:
    """Number of words with a letter outside ASCII (diacritics)."""
    return sum(1 for w in _WORD_RE.findall(norm_lower) if _MARKED_RE.search(w))


def _views(text: str) -> tuple[str, str]:
    """(normalized lower-case text, accent-free copy)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = normalize_text(text).lower()
    return norm, strip_diacritics(norm)


def _pieces(text: str) -> tuple[list[str], list[tuple[int, ...]]]:
    """Sentences of a text and the pieces scored: sentences, pairs, short whole texts."""
    sentences = split_sentences(text)[:_MAX_SENTENCES]
    if len(sentences) <= 1:
        return ([text.strip()], [(0,)]) if text.strip() else ([], [])
    pieces: list[tuple[int, ...]] = [
        (i,) for i, s in enumerate(sentences) if len(_WORD_RE.findall(s)) >= _MIN_WORDS
    ]
    pieces += [(i, i + 1) for i in range(len(sentences) - 1)]
    if len(sentences) == 3:
        pieces.append((0, 1, 2))
    return sentences, pieces


def _entity_key(name: str) -> str:
    return " ".join(_WORD_RE.findall(strip_diacritics(name).lower()))


# ---------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------


class NarrativeIndex(BaseEstimator):
    """Find catalogue narratives repeated in texts.

    Parameters
    ----------
    threshold : float, default=DEFAULT_THRESHOLD
        Similarity (0..1) from which a candidate counts as ``matched`` when
        the index is fitted without ``negatives``.  With ``negatives`` the
        threshold is derived in :meth:`fit` and applies to the match
        probability instead (see ``threshold_``).
    accent_weight : float, default=0.5
        Weight of the view with diacritics when a text has them; the
        accent-free view gets the rest.  Text without diacritics uses the
        accent-free view only.
    char_weight : float, default=0.5
        Weight of character n-grams against words inside each view.
    char_ngram_range : tuple, default=(2, 5)
        Character n-gram sizes (``char_wb``).
    pooling : {"max", "centroid"}, default="max"
        How a narrative's claim and variants are combined: the best single
        document, or the mean of their vectors.
    entity_boost : float, default=0.0
        Added to the similarity of a candidate whose best sentence names an
        entity (underthesea ``ner``: PER, LOC, ORG) listed for the narrative.
        ``ner`` is slow, so it runs only on the top candidates' sentences, and
        only when this is positive.
    max_false_rate : float, default=0.02
        With ``negatives`` in :meth:`fit`: the share of negatives allowed to
        match when the probability threshold is chosen.

    Attributes
    ----------
    narratives_ : list of dict
        The catalogue entries, as plain dicts.
    threshold_ : float
        The threshold in use: on the similarity, or on the match probability
        when ``verifier_`` is set.
    verifier_ : LogisticRegression or None
        The match decision learned from held-out catalogue variants against
        ``negatives`` (None when fitted without negatives).
    n_background_ : int
        Number of background sentences whose document frequencies entered the
        IDF weights (the texts themselves are not stored).

    Examples
    --------
    >>> index = NarrativeIndex().fit(load_catalogue())
    >>> m = index.match_one("ae ơi ăn tỏi sống mỗi ngày là ko bao giờ bị lây covid đâu nha", k=1)[0]
    >>> m.narrative_id, m.matched
    ('health-002', True)
    >>> index.match_one("Hôm nay Hà Nội nắng đẹp, nhiệt độ 30 độ", k=1)[0].matched
    False
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        accent_weight: float = 0.5,
        char_weight: float = 0.5,
        char_ngram_range: tuple[int, int] = (2, 5),
        pooling: str = "max",
        entity_boost: float = 0.0,
        max_false_rate: float = 0.02,
    ) -> None:
        self.threshold = threshold
        self.accent_weight = accent_weight
        self.char_weight = char_weight
        self.char_ngram_range = char_ngram_range
        self.pooling = pooling
        self.entity_boost = entity_boost
        self.max_false_rate = max_false_rate

    @classmethod
    def from_catalogue(cls, paths: Any = None, **params: Any) -> NarrativeIndex:
        """Load (and validate) catalogue file(s) and fit an index on them.

        ``paths`` is as for :func:`load_catalogue`; pass
        ``[default_catalogue_path(), "mine.jsonl"]`` to extend the shipped one.
        """
        return cls(**params).fit(load_catalogue(paths))

    # -- fitting -------------------------------------------------------------

    def _check_params(self) -> None:
        for name in ("threshold", "accent_weight", "char_weight", "max_false_rate"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name} must be a number in [0, 1]; got {value!r}.")
        if self.pooling not in ("max", "centroid"):
            raise ValueError(f"pooling must be 'max' or 'centroid'; got {self.pooling!r}.")
        if not isinstance(self.entity_boost, (int, float)) or not 0 <= self.entity_boost <= 1:
            raise ValueError(f"entity_boost must be a number in [0, 1]; got {self.entity_boost!r}.")
        lo, hi = self.char_ngram_range
        if not 1 <= lo <= hi:
            raise ValueError(f"char_ngram_range must be (lo, hi) with 1 <= lo <= hi; "
                             f"got {self.char_ngram_range!r}.")

    def _vectorizers(self) -> list[TfidfVectorizer]:
        # raw counts (no idf, no norm): the counts of sentence pairs are sums of sentence
        # counts, so every sentence is analysed once; idf and norms are applied in _weigh
        word = {"analyzer": "word", "token_pattern": r"(?u)\b\w+\b", "ngram_range": (1, 2)}
        char = {"analyzer": "char_wb", "ngram_range": tuple(self.char_ngram_range)}
        return [TfidfVectorizer(lowercase=False, use_idf=False, norm=None, dtype=np.float64, **kw)
                for kw in (word, char, word, char)]

    def fit(self, narratives: Iterable[Narrative | dict[str, Any]], y: Any = None, *,
            background: Iterable[str] | None = None,
            negatives: Iterable[str] | None = None) -> NarrativeIndex:
        """Build the index from narratives (or catalogue dicts, which are validated).

        Parameters
        ----------
        narratives : iterable of Narrative or dict
            The catalogue.
        y : ignored
        background : iterable of str, optional
            General Vietnamese text (posts, articles).  Its sentences' document
            frequencies enter the IDF weights, so that words common in everyday
            text weigh less; only the weights of catalogue terms are kept.
        negatives : iterable of str, optional
            Texts that repeat no catalogue narrative.  When given, a logistic
            regression learns the match decision from the best similarity, its
            margin over the runner-up, its z-score over all narratives, the
            IDF mass of the words it shares with the narrative:
            positives are the catalogue's claims and variants, each scored with
            itself left out; negatives are these texts.  ``threshold_`` is then
            the probability at which, out of fold (folds grouped by narrative),
            at most ``max_false_rate`` of the negatives match.

        Raises
        ------
        CatalogueError
            If ``narratives`` holds plain dicts that fail validation, or ids repeat.
        """
        self._check_params()
        given = list(narratives)
        if not given:
            raise ValueError("fit expected at least one narrative; got an empty catalogue.")
        if any(not isinstance(n, Narrative) for n in given):
            dicts = [n.to_dict() if isinstance(n, Narrative) else n for n in given]
            validate_catalogue(dicts)
            given = [Narrative.from_dict(d) for d in dicts]
        items = [n for n in given if isinstance(n, Narrative)]
        ids = [n.id for n in items]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise CatalogueError([f"duplicate narrative id(s) {dup}; ids must be unique."])
        docs: list[str] = []
        owner: list[int] = []
        for i, n in enumerate(items):
            for doc in (n.claim, *n.variants):
                docs.append(doc)
                owner.append(i)
        acc, free = (list(v) for v in zip(*(_views(d) for d in docs), strict=True))
        bg_acc: list[str] = []
        bg_free: list[str] = []
        if background is not None:
            if isinstance(background, str):
                raise TypeError("background: iterable over raw text documents expected, string "
                                "object received; wrap it in a list.")
            for text in background:
                for sentence in split_sentences(text if isinstance(text, str) else ""):
                    a, f = _views(sentence)
                    bg_acc.append(a)
                    bg_free.append(f)
        self.vectorizers_ = self._vectorizers()
        self.idf_ = []
        self.n_background_ = len(bg_acc)
        counts = []
        views = ((acc, bg_acc), (acc, bg_acc), (free, bg_free), (free, bg_free))
        for vec, (texts, bg) in zip(self.vectorizers_, views, strict=True):
            c = sp.csr_matrix(vec.fit_transform(texts))
            df = np.bincount(c.indices, minlength=c.shape[1]).astype(np.float64)
            n_docs = c.shape[0] + len(bg)
            if bg:
                b = sp.csr_matrix(vec.transform(bg))
                df += np.bincount(b.indices, minlength=c.shape[1])
            self.idf_.append(np.log((1 + n_docs) / (1 + df)) + 1.0)
            counts.append(c)
        # accent-free word unigrams of each narrative, weighted by idf: the "shared keywords"
        # feature of the match decision
        unigram = np.zeros(counts[2].shape[1])
        for term, col in self.vectorizers_[2].vocabulary_.items():
            unigram[col] = 0.0 if " " in term else 1.0
        owner_arr = np.asarray(owner, dtype=np.int64)
        by_narr = sp.csr_matrix((np.ones(len(owner)), (owner_arr, np.arange(len(owner)))),
                                shape=(len(items), len(owner)))
        present = sp.csr_matrix((by_narr @ counts[2]) > 0, dtype=np.float64)
        self.keywords_ = sp.csr_matrix(present @ sp.diags(unigram * self.idf_[2]))
        if self.pooling == "centroid":
            counts = [sp.csr_matrix(by_narr @ c) for c in counts]
            owner_arr = np.arange(len(items), dtype=np.int64)
        self.docs_acc_, self.docs_free_ = self._weigh(counts)
        self.doc_owner_ = owner_arr
        self.narratives_ = [n.to_dict() for n in items]
        self.entity_keys_ = [[k for k in (_entity_key(e) for e in n.entities) if k] for n in items]
        self.threshold_ = float(self.threshold)
        self.verifier_: Any = None
        self.feature_mean_ = np.zeros(len(FEATURES))
        self.feature_scale_ = np.ones(len(FEATURES))
        if negatives is not None:
            self._fit_verifier(docs, owner, negatives)
        return self

    def _fit_verifier(self, docs: list[str], owner: list[int], negatives: Iterable[str]) -> None:
        """Learn the match decision and its threshold (see :meth:`fit`)."""
        from sklearn.linear_model import LogisticRegression

        if isinstance(negatives, str):
            raise TypeError("negatives: iterable over raw text documents expected, string "
                            "object received; wrap it in a list.")
        if self.pooling != "max":
            raise ValueError("negatives (a learned match decision) need pooling='max'; "
                             f"got pooling={self.pooling!r}.")
        neg_texts = ["" if not isinstance(t, str) else t for t in negatives]
        if len(neg_texts) < 50:
            raise ValueError(f"negatives must hold at least 50 texts to set a threshold; "
                             f"got {len(neg_texts)}.")
        # positives: every claim and variant, scored with its own document left out
        pos_sims, pos_kw, pos_words = self._held_out_scores(docs, owner)
        gold = np.asarray(owner)
        pos = [_top_features(pos_sims[d], pos_kw[d], np.full(pos_sims.shape[1], pos_words[d]))
               for d in range(len(docs))]
        pos_feats = np.vstack([f for f, _ in pos])
        keep = np.array([top for _, top in pos]) == gold
        scores, kw, words, _, offsets = self._segment_scores(neg_texts)
        neg_feats = np.vstack([_top_features(*_best_piece(scores, kw, words, offsets, i))[0]
                               if offsets[i + 1] > offsets[i] else np.zeros(len(FEATURES))
                               for i in range(len(neg_texts))])
        x_pos, x_neg = pos_feats[keep], neg_feats
        self.feature_mean_ = x_neg.mean(axis=0)
        self.feature_scale_ = x_neg.std(axis=0) + 1e-9
        x = (np.vstack([x_pos, x_neg]) - self.feature_mean_) / self.feature_scale_
        y = np.r_[np.ones(len(x_pos)), np.zeros(len(x_neg))]

        def model() -> LogisticRegression:
            return LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced")

        rng = np.random.default_rng(0)
        fold_of_narr = rng.permutation(len(self.narratives_)) % 5
        pos_fold = fold_of_narr[gold[keep]]
        neg_fold = rng.permutation(len(x_neg)) % 5
        folds = np.r_[pos_fold, neg_fold]
        oof = np.zeros(len(y))
        for f in range(5):
            m = model().fit(x[folds != f], y[folds != f])
            oof[folds == f] = m.predict_proba(x[folds == f])[:, 1]
        pos_oof = np.zeros(len(docs))
        pos_oof[keep] = oof[: len(x_pos)]
        self.verifier_ = model().fit(x, y)
        self.threshold_ = choose_threshold(pos_oof, oof[len(x_pos):],
                                           max_false_rate=float(self.max_false_rate))

    def _weigh(self, counts: list[sp.csr_matrix]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Counts -> (accented, accent-free) vectors; their dot product is a weighted cosine."""
        cw = float(self.char_weight)
        blocks = []
        for c, idf, w in zip(counts, self.idf_, (1 - cw, cw, 1 - cw, cw), strict=True):
            c = sp.csr_matrix(c, dtype=np.float64, copy=True)
            np.log1p(c.data, out=c.data)
            blocks.append(_l2(c @ sp.diags(idf)) * math.sqrt(w))
        return (sp.hstack(blocks[:2], format="csr"), sp.hstack(blocks[2:], format="csr"))

    def __getstate__(self) -> dict[str, Any]:
        # a vocabulary is stored as one newline-joined string: skops writes a dict entry by
        # entry, which made the file 15 MB and slow to load
        state = dict(super().__getstate__())
        if "vectorizers_" in state:
            state["vectorizers_"] = [clone(v) for v in self.vectorizers_]
            state["vocabularies_"] = ["\n".join(sorted(v.vocabulary_, key=v.vocabulary_.get))
                                      for v in self.vectorizers_]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vocabularies = state.pop("vocabularies_", None)
        super().__setstate__(state)
        if vocabularies is not None:
            fitted = []
            for vec, terms in zip(self.vectorizers_, vocabularies, strict=True):
                vocab = {t: i for i, t in enumerate(terms.split("\n"))} if terms else {"": 0}
                fitted.append(clone(vec).set_params(vocabulary=vocab).fit([""]))
            self.vectorizers_ = fitted

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "narratives_")

    def _check_fitted(self) -> None:
        if not hasattr(self, "narratives_"):
            raise NotFittedError("This NarrativeIndex is not fitted yet; call "
                                 "fit(load_catalogue()) or use default_index().")

    # -- scoring -------------------------------------------------------------

    def _vectors(self, sentences: list[str], agg: sp.csr_matrix) -> tuple[Any, Any, Any, Any]:
        """(accented, accent-free) vectors of pieces, accent-free word presence, word counts."""
        acc, free = (list(v) for v in zip(*(_views(s) for s in sentences), strict=True))
        counts = [sp.csr_matrix(agg @ vec.transform(v))
                  for vec, v in zip(self.vectorizers_, (acc, acc, free, free), strict=True)]
        x_acc, x_free = self._weigh(counts)
        words = np.array([[len(_WORD_RE.findall(a)), _marked_words(a)] for a in acc], dtype=float)
        return x_acc, x_free, sp.csr_matrix(counts[2] > 0, dtype=np.float64), agg @ words

    def _combine(self, s_acc: np.ndarray, s_free: np.ndarray, words: np.ndarray) -> np.ndarray:
        marked = words[:, 1] >= 0.2 * np.maximum(words[:, 0], 1)
        a = float(self.accent_weight)
        return np.where(marked[:, None], a * s_acc + (1 - a) * s_free, s_free)

    def _held_out_scores(self, docs: list[str],
                         owner: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Catalogue documents as queries, each against the index without itself.

        Returns narrative scores and shared-keyword mass (docs x narratives) and
        word counts; a document's own narrative is represented by its other
        documents only.
        """
        agg = sp.identity(len(docs), format="csr")
        x_acc, x_free, present, words = self._vectors(docs, agg)
        doc_scores = self._combine((x_acc @ self.docs_acc_.T).toarray(),
                                   (x_free @ self.docs_free_.T).toarray(), words)
        doc_scores[np.arange(len(docs)), np.arange(len(docs))] = -1.0
        starts = np.flatnonzero(np.r_[True, np.diff(self.doc_owner_) != 0])
        scores = np.clip(np.maximum.reduceat(doc_scores, starts, axis=1), 0.0, 1.0)
        kw = (present @ self.keywords_.T).toarray()
        owner_arr = np.asarray(owner)
        by_narr = sp.csr_matrix((np.ones(len(owner)), (owner_arr, np.arange(len(owner)))),
                                shape=(len(self.narratives_), len(owner)))
        shared_elsewhere = sp.csr_matrix((by_narr @ present) >= 2, dtype=np.float64)
        weight = np.asarray(self.keywords_.max(axis=0).todense()).ravel()
        own = np.asarray(present.multiply(shared_elsewhere[owner_arr]).multiply(weight[None, :])
                         .sum(axis=1)).ravel()
        kw[np.arange(len(docs)), owner_arr] = own
        return scores, kw, words[:, 0]

    def _reduce(self, x_acc: Any, x_free: Any, words: np.ndarray) -> np.ndarray:
        doc_scores = self._combine((x_acc @ self.docs_acc_.T).toarray(),
                                   (x_free @ self.docs_free_.T).toarray(), words)
        # claim and variants of one narrative are contiguous columns: reduce by narrative
        starts = np.flatnonzero(np.r_[True, np.diff(self.doc_owner_) != 0])
        return np.clip(np.maximum.reduceat(doc_scores, starts, axis=1), 0.0, 1.0)

    def _segment_scores(self, texts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                    list[list[str]], np.ndarray]:
        """Scores of every piece of every text (pieces x narratives), with features."""
        self._check_fitted()
        if isinstance(texts, str):
            raise TypeError("Iterable over raw text documents expected, string object received; "
                            "use match_one(text) or wrap it in a list.")
        sentences: list[str] = []
        rows: list[int] = []
        cols: list[int] = []
        piece_texts: list[list[str]] = []
        n_rows = 0
        for t in texts:
            if t is None or (isinstance(t, float) and math.isnan(t)):
                t = ""
            if not isinstance(t, str):
                raise TypeError(f"each text must be a str; got {type(t).__name__}.")
            sents, pieces = _pieces(t)
            base = len(sentences)
            sentences += sents
            texts_here: list[str] = []
            for piece in pieces:
                row = n_rows + len(texts_here)
                for j in piece:
                    rows.append(row)
                    cols.append(base + j)
                texts_here.append(" ".join(sents[j] for j in piece))
            piece_texts.append(texts_here)
            n_rows += len(texts_here)
        offsets = np.zeros(len(piece_texts) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(p) for p in piece_texts])
        n_narr = len(self.narratives_)
        n_pieces = int(offsets[-1])
        if not n_pieces:
            empty = np.zeros((0, n_narr))
            return empty, empty, np.zeros(0), piece_texts, offsets
        agg = sp.csr_matrix((np.ones(len(cols)), (np.asarray(rows), np.asarray(cols))),
                            shape=(n_pieces, len(sentences)))
        x_acc, x_free, present, words = self._vectors(sentences, agg)
        present = sp.csr_matrix(present > 0, dtype=np.float64)
        keyword = (present @ self.keywords_.T).toarray()
        return self._reduce(x_acc, x_free, words), keyword, words[:, 0], piece_texts, offsets

    def similarities(self, texts: Iterable[str]) -> np.ndarray:
        """Similarity of each text to each narrative, shape ``(n_texts, n_narratives)``.

        Entity boosts are not included.

        Examples
        --------
        >>> sims = default_index().similarities(["Nuoc chanh nong diet virus corona"])
        >>> sims.shape[0], float(sims.max()) > 0.5
        (1, True)
        """
        scores, _, _, pieces, offsets = self._segment_scores(texts)
        out = np.zeros((len(pieces), len(self.narratives_)))
        for i in range(len(pieces)):
            lo, hi = offsets[i], offsets[i + 1]
            if hi > lo:
                out[i] = scores[lo:hi].max(axis=0)
        return out

    def match_scores(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Similarity and match score of each text to each narrative.

        Returns
        -------
        similarity, score : ndarray of shape (n_texts, n_narratives)
            ``score`` is what ``threshold_`` applies to: the match probability
            when the index has a ``verifier_``, else the similarity itself.

        Examples
        --------
        >>> sim, score = default_index().match_scores(["Nuoc chanh nong diet virus corona"])
        >>> bool(score[0].max() >= default_index().threshold_)
        True
        """
        scores, kw, words, pieces, offsets = self._segment_scores(texts)
        n_narr = len(self.narratives_)
        sim = np.zeros((len(pieces), n_narr))
        out = np.zeros((len(pieces), n_narr))
        for i in range(len(pieces)):
            if offsets[i + 1] > offsets[i]:
                best, best_kw, best_words = _best_piece(scores, kw, words, offsets, i)
                sim[i] = best
                out[i] = self._decide(best, best_kw, best_words)
        return sim, out

    def _decide(self, best: np.ndarray, kw: np.ndarray, words: np.ndarray) -> np.ndarray:
        """Match score of every narrative for one text (similarity or probability)."""
        if self.verifier_ is None:
            return best
        x = (_all_features(best, kw, words) - self.feature_mean_) / self.feature_scale_
        return np.asarray(self.verifier_.predict_proba(x)[:, 1])

    def match(self, texts: Iterable[str], k: int = 3) -> list[list[Match]]:
        """Top-``k`` candidate narratives for each text, best first.

        Parameters
        ----------
        texts : iterable of str
            Posts or articles; long texts are split into sentences.
        k : int, default=3
            Candidates per text (always ``min(k, n_narratives)``; an empty
            text gets similarity 0 everywhere).

        Returns
        -------
        list of list of Match
            Ranked by similarity.  ``matched`` is true when the match score
            (the similarity, or the match probability of an index fitted with
            negatives) reaches ``threshold_``.

        Examples
        --------
        >>> results = default_index().match(
        ...     ["Uống nước chanh nóng mỗi sáng là diệt sạch virus corona",
        ...      "Chúc mừng năm mới"], k=1)
        >>> [(m[0].narrative_id, m[0].matched) for m in results][0]
        ('health-001', True)
        >>> results[1][0].matched
        False
        """
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer; got {k!r}.")
        scores, kw, words, pieces, offsets = self._segment_scores(texts)
        n_narr = len(self.narratives_)
        k = min(int(k), n_narr)
        boost = float(self.entity_boost)
        ner_cache: dict[str, set[str]] = {}
        results: list[list[Match]] = []
        for i, segs in enumerate(pieces):
            lo, hi = offsets[i], offsets[i + 1]
            if hi == lo:
                best = np.zeros(n_narr)
                where = np.zeros(n_narr, dtype=np.int64)
                decision = np.zeros(n_narr)
            else:
                block = scores[lo:hi]
                where = block.argmax(axis=0)
                best, best_kw, best_words = _best_piece(scores, kw, words, offsets, i)
                decision = self._decide(best, best_kw, best_words)
            top = np.argsort(-best, kind="stable")[: max(k, 3) if boost else k]
            cand = [(float(best[j]), int(j), segs[where[j]] if segs else "") for j in top]
            if boost:
                cand = [(min(1.0, s + boost * self._entity_overlap(j, sent, ner_cache)), j, sent)
                        for s, j, sent in cand]
                cand.sort(key=lambda c: (-c[0], c[1]))
            results.append([self._make_match(j, s, sent, decision[j] if self.verifier_ is not None
                                             else s)
                            for s, j, sent in cand[:k]])
        return results

    def match_one(self, text: str, k: int = 3) -> list[Match]:
        """Top-``k`` candidates for one text (see :meth:`match`).

        Examples
        --------
        >>> default_index().match_one("Tin đồn sóng 5G phát tán virus corona", k=1)[0].narrative_id
        'health-004'
        """
        if not isinstance(text, str):
            raise TypeError(f"match_one expects one str; got {type(text).__name__}. "
                            "Use match(texts) for several.")
        return self.match([text], k=k)[0]

    def _entity_overlap(self, j: int, sentence: str, cache: dict[str, set[str]]) -> float:
        keys = self.entity_keys_[j]
        if not keys or not sentence:
            return 0.0
        if sentence not in cache:
            cache[sentence] = {_entity_key(name) for name, _ in entities(sentence)}
        found = cache[sentence]
        hit = any(k == f or (len(f) > 2 and (f in k or k in f)) for k in keys for f in found)
        return 1.0 if hit else 0.0

    def _make_match(self, j: int, similarity: float, sentence: str, decision: float) -> Match:
        n = self.narratives_[j]
        similarity = round(float(similarity), 6)
        if self.verifier_ is None:
            decision = similarity
        return Match(
            narrative_id=n["id"],
            similarity=similarity,
            matched=bool(decision >= self.threshold_),
            sentence=sentence,
            claim=n["claim"],
            category=n["category"],
            verdict=n["verdict"],
            rebuttal_vi=n["rebuttal"]["vi"],
            rebuttal_en=n["rebuttal"]["en"],
            sources=[dict(s) for s in n["sources"]],
        )

    def narrative(self, narrative_id: str) -> dict[str, Any]:
        """The catalogue entry with this id (a copy)."""
        self._check_fitted()
        for n in self.narratives_:
            if n["id"] == narrative_id:
                return json.loads(json.dumps(n))
        raise KeyError(f"no narrative with id {narrative_id!r} in this index.")


#: Inputs of the learned match decision, in order.
FEATURES = ("similarity", "margin", "zscore", "keywords")


def _best_piece(scores: np.ndarray, kw: np.ndarray, words: np.ndarray, offsets: np.ndarray,
                i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For text ``i``: best score per narrative and the features of that best piece."""
    lo, hi = offsets[i], offsets[i + 1]
    block = scores[lo:hi]
    where = block.argmax(axis=0)
    cols = np.arange(block.shape[1])
    return block[where, cols], kw[lo:hi][where, cols], words[lo:hi][where]


def _all_features(best: np.ndarray, kw: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Decision features of every narrative for one text, shape ``(n_narratives, 4)``.

    The length of the evidence is deliberately left out: catalogue variants are short
    and background posts long, so a length feature learns that short means "match".
    """
    order = np.argsort(-best, kind="stable")
    first = best[order[0]]
    second = best[order[1]] if best.size > 1 else 0.0
    others = np.where(np.arange(best.size) == order[0], second, first)
    z = (best - best.mean()) / (best.std() + 1e-9)
    return np.column_stack([best, best - others, z, np.log1p(kw)])


def _top_features(best: np.ndarray, kw: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, int]:
    """Decision features of the top narrative for one text, and its column."""
    j = int(np.argmax(best))
    return _all_features(best, kw, words)[j], j


def _l2(matrix: Any) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


# ---------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------

_ENTITY_TYPES = ("PER", "LOC", "ORG")


def entities(text: str) -> list[tuple[str, str]]:
    """Named people, places and organisations in a text (underthesea ``ner``).

    ``B-``/``I-`` tagged words are merged into spans; each distinct
    ``(name, type)`` is returned once, in order of appearance.

    Examples
    --------
    >>> ("Hà Nội", "LOC") in entities("Người dân Hà Nội đi tiêm vắc xin.")
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"entities expects a str; got {type(text).__name__}.")
    from underthesea import ner

    out: list[tuple[str, str]] = []
    for sentence in split_sentences(normalize_text(text, placeholders=False)):
        current: list[str] = []
        kind = ""
        for token in [*ner(sentence), ("", "", "", "O")]:
            word, tag = token[0], token[-1]
            if tag.startswith("I-") and current and tag[2:] == kind:
                current.append(word)
                continue
            if current and kind in _ENTITY_TYPES:
                span = (" ".join(current), kind)
                if span not in out:
                    out.append(span)
            current, kind = ([word], tag[2:]) if tag[:2] in ("B-", "I-") else ([], "")
    return out


# ---------------------------------------------------------------------------
# Threshold choice, persistence, default index
# ---------------------------------------------------------------------------


def choose_threshold(positive: Sequence[float] | np.ndarray,
                     negative: Sequence[float] | np.ndarray, *,
                     max_false_rate: float = 0.02) -> float:
    """Lowest threshold whose false-match rate on ``negative`` stays within the target.

    The threshold is placed halfway between the highest negative score that
    must stay below it and the next score above, so that it does not sit on a
    calibration point.  ``positive`` scores only bound it: it never exceeds the
    median positive score.

    Examples
    --------
    >>> choose_threshold([0.8, 0.9], [0.1, 0.2, 0.3], max_false_rate=0.0)
    0.55
    """
    neg = np.sort(np.asarray(negative, dtype=float))[::-1]
    pos = np.asarray(positive, dtype=float)
    if neg.size == 0:
        raise ValueError("choose_threshold needs negative (unrelated) scores; got none.")
    allowed = int(math.floor(max_false_rate * neg.size))
    floor = neg[allowed] if allowed < neg.size else 0.0
    above = np.concatenate([neg[neg > floor], pos[pos > floor]])
    nxt = float(above.min()) if above.size else min(1.0, floor + 0.05)
    value = (float(floor) + nxt) / 2
    if pos.size:
        value = min(value, float(np.median(pos)))
    return round(value, 4)


def save_index(index: NarrativeIndex, path: str | Path) -> Path:
    """Save a fitted index with skops (no pickle); returns the path."""
    import skops.io as sio

    index._check_fitted()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(index, path)
    return path


def load_index(path: str | Path) -> NarrativeIndex:
    """Load an index saved by :func:`save_index`, trusting only ``persist.TRUSTED_TYPES``.

    Raises
    ------
    vnmisinfo.persist.ModelLoadError
        If the file is missing, not a skops file, or names other types.
    """
    import skops.io as sio

    from .persist import TRUSTED_TYPES, ModelLoadError

    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"narrative index {str(path)!r} not found; build one with "
                             "save_index(NarrativeIndex.from_catalogue(), path).")
    try:
        untrusted = set(sio.get_untrusted_types(file=path))
    except Exception as exc:
        raise ModelLoadError(f"{str(path)!r} is not a readable skops file: {exc}") from exc
    refused = sorted(untrusted - set(TRUSTED_TYPES))
    if refused:
        raise ModelLoadError(f"narrative index {str(path)!r} names untrusted types {refused} "
                             "and was not loaded.")
    index = sio.load(path, trusted=TRUSTED_TYPES)
    if not isinstance(index, NarrativeIndex):
        raise ModelLoadError(f"{str(path)!r} holds a {type(index).__name__}, not a NarrativeIndex.")
    return index


def _reintel_texts(path: Path, *, label: str | None = None) -> list[str]:
    """Distinct non-empty ``post_message`` texts of a ReINTEL CSV (optionally one label)."""
    import pandas as pd

    if not path.is_file():
        raise FileNotFoundError(f"ReINTEL file {str(path)!r} not found; pass data_dir, the "
                                "folder that holds reintel/ (e.g. ../shared/corpora).")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "post_message" not in frame.columns or (label is not None and "label" not in frame):
        raise ValueError(f"{str(path)!r} lacks the ReINTEL columns post_message/label.")
    texts = frame["post_message"] if label is None else \
        frame.loc[frame["label"] == label, "post_message"]
    return [t for t in dict.fromkeys(texts.astype(str)) if t.strip()]


def build_default_index(data_dir: str | Path | None = None, **params: Any) -> NarrativeIndex:
    """Build the shipped index: background IDF and a learned match decision from ReINTEL.

    Reads, from ``data_dir/reintel`` (default: ``VNMISINFO_CORPORA`` or
    ``../shared/corpora``), ``unlabeled.csv`` (background statistics and
    negatives) and the ``warmup.csv`` posts labelled reliable (negatives).
    Any text that also occurs in ``train.csv`` is left out, so that
    ``train.csv`` stays an independent evaluation set.  Only term weights and
    the fitted decision are kept, never the texts.  Deterministic: the same
    data give the same index.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder holding ``reintel/``.
    **params
        :class:`NarrativeIndex` parameters.

    Returns
    -------
    NarrativeIndex
        Fitted with ``background`` and ``negatives``; save it with
        :func:`save_index`.
    """
    from .corpora import default_data_dir

    root = Path(data_dir) if data_dir is not None else default_data_dir()
    reintel = root / "reintel"

    def key(text: str) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return normalize_text(text).lower()

    held_out = {key(t) for t in _reintel_texts(reintel / "train.csv")}
    background = [t for t in _reintel_texts(reintel / "unlabeled.csv") if key(t) not in held_out]
    reliable = [t for t in _reintel_texts(reintel / "warmup.csv", label="0")
                if key(t) not in held_out]
    seen = {key(t) for t in background}
    negatives = background + [t for t in reliable if key(t) not in seen]
    return NarrativeIndex(**params).fit(load_catalogue(), background=background,
                                        negatives=negatives)


_default_lock = threading.Lock()
_default: dict[str, NarrativeIndex] = {}


def default_index() -> NarrativeIndex:
    """The index of the shipped catalogue, built (or loaded) on first call and cached.

    ``models/narratives.skops`` is loaded when the package ships one;
    otherwise the index is built from the shipped catalogue (about a second).
    """
    with _default_lock:
        if "index" not in _default:
            shipped = Path(str(resources.files("vnmisinfo.models").joinpath("narratives.skops")))
            _default["index"] = (load_index(shipped) if shipped.is_file()
                                 else NarrativeIndex().fit(load_catalogue()))
        return _default["index"]
