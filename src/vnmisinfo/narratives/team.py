"""A team's own narratives: new entries, appended to a team file, and the index built with them.

Reviewers who find a false narrative the shipped catalogue lacks record it in
a *team catalogue*: a JSON Lines file in the shipped format, kept apart from
the shipped one (which is never written).  :func:`new_entry` builds an entry
from a few fields, :func:`add_narratives` checks it and appends it,
:func:`entries_from_reviewed` turns the new findings of a reviewed file into
entries, and :func:`build_team_index` / :func:`team_index` give the index of
the shipped catalogue plus the team's.

Examples
--------
>>> entry = new_entry(id="local-001", claim="Uống nước dừa pha muối chữa khỏi sốt xuất huyết.",
...                   rebuttal_vi="Không có bằng chứng nào cho thấy điều này.",
...                   source_url="https://example.org/kiem-chung", category="health")
>>> entry["variants"][1]
'Uong nuoc dua pha muoi chua khoi sot xuat huyet.'
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vnmisinfo.data.formats import atomic_write
from vnmisinfo.data.names import TEXT_ALIASES
from vnmisinfo.narratives.catalogue import (
    VERDICTS,
    CatalogueError,
    _entry_problems,
    catalogue_problems,
    default_catalogue_path,
    load_catalogue,
)
from vnmisinfo.narratives.index import NarrativeIndex
from vnmisinfo.text.normalize import strip_diacritics

__all__ = ["add_narratives", "build_team_index", "entries_from_reviewed", "known_ids",
           "new_entry", "team_index"]

#: Columns a reviewed row needs to become a catalogue entry (besides its text).
REVIEWED_REQUIRED = ("narrative_id", "claim", "rebuttal_vi", "source_url", "category")


def _clean(values: Iterable[Any]) -> list[str]:
    """Non-empty stripped strings, duplicates dropped, order kept."""
    return list(dict.fromkeys(s for s in (str(v).strip() for v in values) if s))


def complete_variants(claim: str, variants: Sequence[str] = ()) -> list[str]:
    """The variants, completed to three with the claim and the claim without diacritics.

    The schema asks for at least three reworded forms (one with diacritics,
    one without, one in social-media style).  What the reviewer wrote comes
    first; the claim and its accent-free form fill the gap.

    Examples
    --------
    >>> complete_variants("Ăn tỏi phòng được covid", ["an toi la het covid nha ae"])
    ['an toi la het covid nha ae', 'Ăn tỏi phòng được covid', 'An toi phong duoc covid']
    """
    given = _clean(variants)
    if len(given) >= 3 or not claim.strip():
        return given
    return _clean([*given, claim, strip_diacritics(claim.strip())])[:max(3, len(given))]


def new_entry(*, id: str, claim: str, rebuttal_vi: str, source_url: str, category: str,
              rebuttal_en: str | None = None, variants: Sequence[str] = (),
              verdict: str = "false", source_publisher: str | None = None,
              source_title: str | None = None, source_date: str | None = None,
              entities: Sequence[str] = (), tags: Sequence[str] = (),
              first_seen: str | None = None) -> dict[str, Any]:
    """A catalogue entry (a dict in the shipped format) from a reviewer's fields.

    Not validated here: :func:`add_narratives` checks it.  Defaults:
    ``variants`` completed by :func:`complete_variants`; ``rebuttal_en``
    the Vietnamese rebuttal; the source's publisher the URL's host and its
    title the URL, with ``exact`` true only when a title is given;
    ``first_seen`` today's month.
    """
    claim = str(claim).strip()
    source: dict[str, Any] = {
        "publisher": (source_publisher or urlparse(source_url).hostname or "").strip(),
        "title": (source_title or source_url).strip(),
        "exact": bool(source_title),
        "url": source_url.strip(),
    }
    if source_date:
        source["date"] = source_date.strip()
    return {
        "id": str(id).strip(),
        "claim": claim,
        "variants": complete_variants(claim, variants),
        "category": str(category).strip(),
        "verdict": verdict,
        "rebuttal": {"vi": rebuttal_vi.strip(), "en": (rebuttal_en or rebuttal_vi).strip()},
        "sources": [source],
        "first_seen": first_seen or datetime.date.today().strftime("%Y-%m"),
        "entities": _clean(entities),
        "tags": _clean(tags),
    }


def _refuse_shipped(path: Path) -> None:
    shipped = default_catalogue_path()
    if os.path.realpath(path) == os.path.realpath(shipped) or (
            path.exists() and shipped.exists() and os.path.samefile(path, shipped)):
        raise ValueError(f"{str(path)!r} is the shipped catalogue, which is never written; "
                         "keep your narratives in a team file of your own (e.g. team.jsonl).")


def known_ids(catalogue: str | Path | None = None) -> set[str]:
    """Ids of the shipped catalogue and of the team file ``catalogue`` (when it exists)."""
    paths: list[Any] = [default_catalogue_path()]
    if catalogue is not None and Path(catalogue).is_file() and Path(catalogue).stat().st_size:
        paths.append(Path(catalogue))
    return {n.id for n in load_catalogue(paths)}


def add_narratives(catalogue: str | Path, entries: Sequence[dict[str, Any]], *,
                   where: Sequence[str] | None = None) -> list[str]:
    """Check new entries and append them to a team catalogue, atomically.

    Parameters
    ----------
    catalogue : str or Path
        The team file (created when missing); never the shipped catalogue.
    entries : sequence of dict
        New entries, e.g. from :func:`new_entry`.
    where : sequence of str, optional
        How to name each entry in messages (default ``new entry N``).

    Returns
    -------
    list of str
        Warnings (for example a user-defined category).

    Raises
    ------
    CatalogueError
        If the team file is invalid, or an entry has a bad field or an id the
        shipped or team catalogue already holds; nothing is written then.
    ValueError
        If ``catalogue`` is the shipped catalogue.

    Examples
    --------
    >>> import tempfile
    >>> team = Path(tempfile.mkdtemp()) / "team.jsonl"
    >>> add_narratives(team, [new_entry(id="health-001", claim="Tin đồn", rebuttal_vi="Sai.",
    ...     source_url="https://example.org", category="health", variants=["tin dồn"])])
    Traceback (most recent call last):
    ...
    vnmisinfo.narratives.catalogue.CatalogueError: the narrative catalogue has 1 problem(s):
      - new entry 1 (id 'health-001'): field 'id' is already used in the shipped or team ...
    """
    path = Path(catalogue)
    _refuse_shipped(path)
    if path.is_file() and path.stat().st_size:
        errors, _ = catalogue_problems(path)
        if errors:
            raise CatalogueError([f"fix the team catalogue first: {e}" for e in errors])
    taken = known_ids(path)
    names = list(where) if where is not None else [f"new entry {i}"
                                                   for i in range(1, len(entries) + 1)]
    errors, warns = [], []
    for name, entry in zip(names, entries, strict=True):
        e, w = _entry_problems(name, entry)
        eid = entry.get("id")
        if isinstance(eid, str) and eid in taken:
            e.append(f"{name} (id {eid!r}): field 'id' is already used in the shipped or team "
                     "catalogue; choose another id (e.g. a 'local-' prefix).")
        if isinstance(eid, str):
            taken.add(eid)
        errors += e
        warns += w
    if errors:
        raise CatalogueError(errors)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
    atomic_write(path, old + lines)
    return warns


def _cell(row: Mapping[Any, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None or value != value else str(value).strip()  # NaN != NaN


def entries_from_reviewed(path: str | Path, catalogue: str | Path, *,
                          text_column: str | None = None
                          ) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """New narratives recorded in a reviewed file, as catalogue entries.

    A row is a new finding when its ``narrative_id`` is neither empty nor in
    the shipped or team catalogue.  It needs the columns ``claim``,
    ``rebuttal_vi``, ``source_url`` and ``category``; ``rebuttal_en``,
    ``source_publisher``, ``source_title``, ``source_date`` and ``variant``
    are optional.  The row's text (``variant``, else ``text_column``, else
    ``text``, ``post_message``, ...) becomes a variant.  A ``verdict`` that is
    a catalogue verdict is kept; otherwise the entry's verdict is ``false``.

    Returns
    -------
    entries : list of dict
    where : list of str
        ``FILE line N`` of each entry (CSV lines count the header).
    problems : list of str
        Rows that lack a needed column, naming the line and the column.
    """
    from vnmisinfo.data.review import read_reviewed

    path = Path(path)
    frame = read_reviewed(path, what="a reviewed file with narrative_id, claim and "
                                     "rebuttal_vi columns")
    offset = 2 if path.suffix.lower() in (".csv", ".tsv") else 1
    columns = [text_column] if text_column else ["variant", *TEXT_ALIASES]
    taken = known_ids(catalogue)
    entries, where, problems = [], [], []
    for i, row in enumerate(frame.to_dict("records")):
        nid = _cell(row, "narrative_id")
        if not nid or nid in taken:
            continue
        name = f"{path.name} line {i + offset}"
        missing = [c for c in REVIEWED_REQUIRED if not _cell(row, c)]
        if missing:
            problems.append(f"{name} (id {nid!r}): missing column(s) {', '.join(missing)}; a new "
                            f"narrative needs {', '.join(REVIEWED_REQUIRED)}.")
            continue
        verdict = _cell(row, "verdict").lower()
        entries.append(new_entry(
            id=nid, claim=_cell(row, "claim"), rebuttal_vi=_cell(row, "rebuttal_vi"),
            rebuttal_en=_cell(row, "rebuttal_en") or None, source_url=_cell(row, "source_url"),
            source_publisher=_cell(row, "source_publisher") or None,
            source_title=_cell(row, "source_title") or None,
            source_date=_cell(row, "source_date") or None, category=_cell(row, "category"),
            variants=[_cell(row, c) for c in columns if _cell(row, c)][:1],
            verdict=verdict if verdict in VERDICTS else "false"))
        where.append(name)
        taken.add(nid)
    return entries, where, problems


def build_team_index(catalogue: str | Path, *, data_dir: str | Path | None = None,
                     **params: Any) -> tuple[NarrativeIndex, str | None]:
    """The index of the shipped catalogue plus a team file, with a learned decision if possible.

    With the ReINTEL files (``data_dir/reintel``, default ``VNMISINFO_CORPORA``
    or ``../shared/corpora``) the match decision is learned as for the shipped
    index (:func:`~vnmisinfo.narratives.build_default_index`: the same
    negatives, near misses and training rewordings).  Without them the index
    is fitted on the catalogues alone, with a similarity threshold, and the
    note says so.

    Returns
    -------
    index : NarrativeIndex
    note : str or None
        Why the learned decision was left out, or None.
    """
    from vnmisinfo.narratives.build import build_default_index

    narratives = load_catalogue([default_catalogue_path(), Path(catalogue)])
    try:
        return build_default_index(data_dir, catalogue=narratives, **params), None
    except FileNotFoundError as exc:
        return NarrativeIndex(**params).fit(narratives), (
            f"{exc} Fitted on the catalogues alone, with a similarity threshold and no "
            "learned match decision.")


def team_index(narratives: str | Path | NarrativeIndex) -> NarrativeIndex:
    """An index from a ``.skops`` file, or built from the shipped catalogue plus a ``.jsonl``.

    A ``.jsonl`` team file is fitted with
    :meth:`NarrativeIndex.from_catalogue` on the shipped catalogue and it
    (a similarity threshold; build a ``.skops`` with ``vnmisinfo narratives
    build`` for the learned decision).

    Examples
    --------
    >>> team_index(default_catalogue_path()).threshold_ > 0
    True
    """
    if isinstance(narratives, NarrativeIndex):
        return narratives
    path = Path(narratives)
    if path.suffix.lower() == ".skops":
        from vnmisinfo.narratives.build import load_index

        return load_index(path)
    if os.path.realpath(path) == os.path.realpath(default_catalogue_path()):
        return NarrativeIndex.from_catalogue([path])
    return NarrativeIndex.from_catalogue([default_catalogue_path(), path])
