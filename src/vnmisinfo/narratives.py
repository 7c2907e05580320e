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
from sklearn.base import BaseEstimator
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

    ``matched`` is ``similarity >= threshold``; ``sentence`` is the sentence
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
        Similarity (0..1) from which a candidate counts as ``matched``.
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

    Attributes
    ----------
    narratives_ : list of dict
        The catalogue entries, as plain dicts.
    threshold_ : float
        The threshold in use.

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
    ) -> None:
        self.threshold = threshold
        self.accent_weight = accent_weight
        self.char_weight = char_weight
        self.char_ngram_range = char_ngram_range
        self.pooling = pooling
        self.entity_boost = entity_boost

    @classmethod
    def from_catalogue(cls, paths: Any = None, **params: Any) -> NarrativeIndex:
        """Load (and validate) catalogue file(s) and fit an index on them.

        ``paths`` is as for :func:`load_catalogue`; pass
        ``[default_catalogue_path(), "mine.jsonl"]`` to extend the shipped one.
        """
        return cls(**params).fit(load_catalogue(paths))

    # -- fitting -------------------------------------------------------------

    def _check_params(self) -> None:
        for name in ("threshold", "accent_weight", "char_weight"):
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

    def fit(self, narratives: Iterable[Narrative | dict[str, Any]],
            y: Any = None) -> NarrativeIndex:
        """Build the index from narratives (or catalogue dicts, which are validated).

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
        self.vectorizers_ = self._vectorizers()
        self.idf_ = []
        counts = []
        for vec, texts in zip(self.vectorizers_, (acc, acc, free, free), strict=True):
            c = sp.csr_matrix(vec.fit_transform(texts))
            df = np.bincount(c.indices, minlength=c.shape[1])
            self.idf_.append(np.log((1 + c.shape[0]) / (1 + df)) + 1.0)
            counts.append(c)
        owner_arr = np.asarray(owner, dtype=np.int64)
        if self.pooling == "centroid":
            pool = sp.csr_matrix((np.ones(len(owner)), (owner_arr, np.arange(len(owner)))),
                                 shape=(len(items), len(owner)))
            counts = [sp.csr_matrix(pool @ c) for c in counts]
            owner_arr = np.arange(len(items), dtype=np.int64)
        self.docs_acc_, self.docs_free_ = self._weigh(counts)
        self.doc_owner_ = owner_arr
        self.narratives_ = [n.to_dict() for n in items]
        self.entity_keys_ = [[k for k in (_entity_key(e) for e in n.entities) if k] for n in items]
        self.threshold_ = float(self.threshold)
        return self

    def _weigh(self, counts: list[sp.csr_matrix]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Counts -> (accented, accent-free) vectors; their dot product is a weighted cosine."""
        cw = float(self.char_weight)
        blocks = []
        for c, idf, w in zip(counts, self.idf_, (1 - cw, cw, 1 - cw, cw), strict=True):
            c = sp.csr_matrix(c, dtype=np.float64, copy=True)
            np.log1p(c.data, out=c.data)
            blocks.append(_l2(c @ sp.diags(idf)) * math.sqrt(w))
        return (sp.hstack(blocks[:2], format="csr"), sp.hstack(blocks[2:], format="csr"))

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "narratives_")

    def _check_fitted(self) -> None:
        if not hasattr(self, "narratives_"):
            raise NotFittedError("This NarrativeIndex is not fitted yet; call "
                                 "fit(load_catalogue()) or use default_index().")

    # -- scoring -------------------------------------------------------------

    def _segment_scores(self, texts: Any) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
        """Scores of every piece of every text: (pieces x narratives), piece texts, offsets."""
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
            return np.zeros((0, n_narr)), piece_texts, offsets
        piece_of = np.asarray(rows, dtype=np.int64)
        agg = sp.csr_matrix((np.ones(len(cols)), (piece_of, np.asarray(cols))),
                            shape=(n_pieces, len(sentences)))
        acc, free = (list(v) for v in zip(*(_views(s) for s in sentences), strict=True))
        counts = [sp.csr_matrix(agg @ vec.transform(v))
                  for vec, v in zip(self.vectorizers_, (acc, acc, free, free), strict=True)]
        x_acc, x_free = self._weigh(counts)
        s_free = (x_free @ self.docs_free_.T).toarray()
        s_acc = (x_acc @ self.docs_acc_.T).toarray()
        words = np.array([[len(_WORD_RE.findall(a)), _marked_words(a)] for a in acc], dtype=float)
        words = agg @ words
        marked = words[:, 1] >= 0.2 * np.maximum(words[:, 0], 1)
        a = float(self.accent_weight)
        doc_scores = np.where(marked[:, None], a * s_acc + (1 - a) * s_free, s_free)
        # claim and variants of one narrative are contiguous columns: reduce by narrative
        starts = np.flatnonzero(np.r_[True, np.diff(self.doc_owner_) != 0])
        scores = np.maximum.reduceat(doc_scores, starts, axis=1)
        return np.clip(scores, 0.0, 1.0), piece_texts, offsets

    def similarities(self, texts: Iterable[str]) -> np.ndarray:
        """Similarity of each text to each narrative, shape ``(n_texts, n_narratives)``.

        Entity boosts are not included.

        Examples
        --------
        >>> sims = default_index().similarities(["Nuoc chanh nong diet virus corona"])
        >>> sims.shape[0], float(sims.max()) > 0.5
        (1, True)
        """
        scores, pieces, offsets = self._segment_scores(texts)
        out = np.zeros((len(pieces), len(self.narratives_)))
        for i in range(len(pieces)):
            lo, hi = offsets[i], offsets[i + 1]
            if hi > lo:
                out[i] = scores[lo:hi].max(axis=0)
        return out

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
            ``matched`` is true when the similarity reaches ``threshold_``.

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
        scores, pieces, offsets = self._segment_scores(texts)
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
            else:
                block = scores[lo:hi]
                best = block.max(axis=0)
                where = block.argmax(axis=0)
            top = np.argsort(-best, kind="stable")[: max(k, 3) if boost else k]
            cand = [(float(best[j]), int(j), segs[where[j]] if segs else "") for j in top]
            if boost:
                cand = [(min(1.0, s + boost * self._entity_overlap(j, sent, ner_cache)), j, sent)
                        for s, j, sent in cand]
                cand.sort(key=lambda c: (-c[0], c[1]))
            results.append([self._make_match(j, s, sent) for s, j, sent in cand[:k]])
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

    def _make_match(self, j: int, similarity: float, sentence: str) -> Match:
        n = self.narratives_[j]
        similarity = round(float(similarity), 6)
        return Match(
            narrative_id=n["id"],
            similarity=similarity,
            matched=bool(similarity >= self.threshold_),
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


def choose_threshold(positive: Sequence[float], negative: Sequence[float], *,
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
