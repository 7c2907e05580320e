"""The catalogue of known false or distorted narratives: schema, reading and validation.

The catalogue (``corpora/narratives/catalogue.jsonl``, installed as the package
resource ``vnmisinfo.catalogue``) holds claims that documented facts refute,
each with reworded variants, a verdict, a rebuttal and its sources.  Users
extend it with their own JSON Lines files in the same format.

Examples
--------
>>> n = load_catalogue()[0]
>>> n.id, n.verdict in VERDICTS
('health-001', True)
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from vnmisinfo.data.formats import iter_jsonl
from vnmisinfo.data.review import check_date, is_future

__all__ = [
    "CATEGORIES",
    "VERDICTS",
    "CatalogueError",
    "CatalogueWarning",
    "Match",
    "Narrative",
    "catalogue_problems",
    "default_catalogue_path",
    "load_catalogue",
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

_REQUIRED = ("id", "claim", "variants", "category", "verdict", "rebuttal", "sources",
             "first_seen", "entities", "tags")
_OPTIONAL: tuple[str, ...] = ()
_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


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

    ``score`` is the match score (the similarity, or the match probability of an
    index fitted with negatives, such as the shipped one); ``matched`` is it
    reaching the index's ``threshold_``; ``sentence`` is the sentence (or pair
    of sentences) of the input that matched best.
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
    score: float = 0.0

    @classmethod
    def from_entry(cls, entry: dict[str, Any], similarity: float, matched: bool, sentence: str,
                   score: float) -> Match:
        """A match of a catalogue entry (a dict as :meth:`Narrative.to_dict` gives)."""
        return cls(narrative_id=entry["id"], similarity=similarity, matched=matched,
                   sentence=sentence, claim=entry["claim"], category=entry["category"],
                   verdict=entry["verdict"], rebuttal_vi=entry["rebuttal"]["vi"],
                   rebuttal_en=entry["rebuttal"]["en"],
                   sources=[dict(s) for s in entry["sources"]], score=score)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-able)."""
        return asdict(self)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def default_catalogue_path() -> Path:
    """Path of the catalogue shipped with the package.

    Examples
    --------
    >>> default_catalogue_path().name
    'catalogue.jsonl'
    """
    try:
        return Path(str(resources.files("vnmisinfo.catalogue").joinpath("catalogue.jsonl")))
    except ModuleNotFoundError:
        # a source checkout installed in editable mode maps the resource package only when
        # corpora/narratives has an __init__.py; fall back to the repository layout
        return Path(__file__).resolve().parents[3] / "corpora" / "narratives" / "catalogue.jsonl"


def _read_file(path: Path) -> tuple[list[tuple[str, Any]], list[str]]:
    """``[(where, entry)]`` and JSON syntax problems of one JSON Lines file."""
    if not path.is_file():
        raise FileNotFoundError(
            f"catalogue file {str(path)!r} not found; pass the path of a JSON Lines "
            "file with one narrative per line."
        )
    items: list[tuple[str, Any]] = []
    problems: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, value, error in iter_jsonl(fh):
            where = f"{path.name} line {lineno}"
            if error is None:
                items.append((where, value))
            else:
                problems.append(f"{where}: {error}; write one JSON object per line.")
    return items, problems


def _read_entries(source: Any) -> tuple[list[tuple[str, Any]], list[str]]:
    """``[(where, entry)]`` and JSON syntax problems from paths or entry dicts."""
    if source is None:
        source = [default_catalogue_path()]
    elif isinstance(source, (str, Path, dict)):
        source = [source]
    items: list[tuple[str, Any]] = []
    problems: list[str] = []
    position = 0
    for item in source:
        if isinstance(item, (str, Path)):
            found, bad = _read_file(Path(item))
            items += found
            problems += bad
        else:
            position += 1
            items.append((f"entry {position}", item))
    return items, problems


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _date_problem(value: Any) -> str | None:
    """What is wrong with a catalogue date (YYYY, YYYY-MM or YYYY-MM-DD), or None."""
    if not isinstance(value, str) or value != value.strip() or not check_date(value):
        return "must be a real date YYYY, YYYY-MM or YYYY-MM-DD"
    if is_future(value):
        return f"must not be in the future (today is {datetime.date.today()})"
    return None


def _source_problems(tag: str, src: Any) -> list[str]:
    """Problems of one entry of ``sources``; ``tag`` names it."""
    if not isinstance(src, dict):
        return [f"{tag} must be an object, got {type(src).__name__}."]
    errors = []
    for key in ("publisher", "title"):
        if not _is_str(src.get(key)):
            errors.append(f"{tag}: '{key}' must be a non-empty string; got {src.get(key)!r}.")
    # A linked page may show no date; a described source must say when it was published.
    if not ("url" in src and "date" not in src) and (problem := _date_problem(src.get("date"))):
        errors.append(f"{tag}: 'date' {problem}; got {src.get('date')!r}. It may be left out "
                      "only for a source with a url.")
    if not isinstance(src.get("exact"), bool):
        errors.append(f"{tag}: 'exact' must be true or false (true only when "
                      f"title and date name one exact document); "
                      f"got {src.get('exact')!r}.")
    if "url" in src and not (isinstance(src["url"], str) and _URL_RE.match(src["url"])):
        errors.append(f"{tag}: 'url' must be an http:// or https:// address; "
                      f"got {src['url']!r}. Leave it out when unknown.")
    return errors


def _field_problems(label: str, entry: dict[str, Any], bad: Callable[[str, str], None],
                    errors: list[str], warns: list[str]) -> None:
    """Check every known field of ``entry``; ``bad(field, expected)`` records an error."""
    eid = entry.get("id")
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
                errors += _source_problems(f"{label}: sources[{i}]", src)
    if "first_seen" in entry and (problem := _date_problem(entry["first_seen"])):
        bad("first_seen", problem)
    for name in ("entities", "tags"):
        if name in entry:
            value = entry[name]
            if not isinstance(value, list) or not all(_is_str(v) for v in value):
                bad(name, "must be a list of non-empty strings (may be empty)")


def _entry_problems(where: str, entry: Any) -> tuple[list[str], list[str]]:
    """Errors and warnings of one entry; ``where`` names its file and line or position."""
    if not isinstance(entry, dict):
        return [f"{where}: expected a JSON object, got {type(entry).__name__}."], []
    errors: list[str] = []
    warns: list[str] = []
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
    _field_problems(label, entry, bad, errors, warns)
    warns += _unclean_text(label, entry)
    return errors, warns


def _unclean_text(label: str, entry: dict[str, Any]) -> list[str]:
    """Warnings for text fields that are not composed (NFC) or hold invisible characters:
    they reach reviewers (``vnm_narrative_claim``) and ClaimReview drafts as written.

    >>> _unclean_text("x", {"claim": "Nu\u031bo\u031b\u0301c chanh\u200b"})
    ["x: field 'claim' is not composed (NFC) and holds invisible characters (U+200B); \
write it as composed text without them."]
    """
    out = []
    for name, value in entry.items():
        texts = value if isinstance(value, list) else (
            list(value.values()) if isinstance(value, dict) else [value])
        for text in texts:
            if not isinstance(text, str):
                continue
            hidden = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"})
            faults = (["is not composed (NFC)"] if unicodedata.normalize("NFC", text) != text
                      else []) + ([f"holds invisible characters ({', '.join(hidden)})"]
                                  if hidden else [])
            if faults:
                out.append(f"{label}: field {name!r} {' and '.join(faults)}; write it as "
                           "composed text without them.")
                break
    return out


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
    vnmisinfo.narratives.catalogue.CatalogueError: the narrative catalogue has 8 problem(s):
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


def _as_narratives(narratives: Iterable[Narrative | dict[str, Any]]) -> list[Narrative]:
    """Narratives from narratives or catalogue dicts (dicts are validated); ids must be unique."""
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
    return items
