"""Checks of what reviewers give and what a feedback store holds.

Examples
--------
>>> garbled("Má»™t Tháº¡c sÄ© ngÆ°á»\u009di Viá»‡t"), garbled("ĐÃ “XÁC NHẬN” «thịt cá»")
('Má»™t Tháº', None)
>>> entry_problem({"text": "Tin", "verdict": "fake", "text_hash": "0123456789abcdef"})
"verdict 'fake' is not one of misinformation, reliable, unsure (any case)"
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from vnmisinfo.data.hygiene import (
    NEAR_COPY_CHARS,
    near_duplicate_vectorizer,
    text_keys,
    word_keys,
)
from vnmisinfo.data.review import VERDICTS, parse_verdict
from vnmisinfo.data.schema import joined_text

__all__ = ["FeedbackError", "contradictions", "entry_problem", "fresh_entries", "garbled",
           "near_contradictions", "opposite_verdicts", "refuse_garbled", "said", "verdicts_of"]

class FeedbackError(ValueError):
    """Reviewed rows or a store folder cannot be used; the message says where and how to fix it."""


#: What a text hash looks like (:func:`~vnmisinfo.review.store.hash_texts`).
HASH = re.compile(r"[0-9a-f]{16}")

#: Bytes 0x80-0xBF (a UTF-8 continuation byte) as Windows-1252 and 1258 show them.
_TRAIL = ("\u0080-\u00bf\ufffd\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
          "\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161"
          "\u203a\u0153\u017e\u0178")
#: After Ã or Ă (letters of Vietnamese, and the byte 0xC3 as 1252 and 1258 show it),
#: only the trail bytes of Vietnamese letters that cannot follow a real word: no quotes,
#: dashes, bullets, ellipsis or no-break space.
_TRAIL_C3 = ("\u0081\u008d\u009d\u00a1\u00a2\u00a3\u00a8\u00a9\u00aa\u00ac\u00ad\u00b2"
             "\u00b3\u00b4\u00b5\u00b9\u00ba\u00bd\ufffd\u20ac\u201a\u0192\u02c6\u2030"
             "\u0160\u0152\u2122\u0161")
#: UTF-8 text read as Windows-1252 or 1258: 'Má»™t' for 'Một', 'Ä‘' for 'đ', 'Æ°' for 'ư'.
_GARBLED = re.compile(f"[ÄÅÆ][{_TRAIL}]|[ÃĂ][{_TRAIL_C3}]|á[¸¹º»][{_TRAIL}]|â€[{_TRAIL}]")


def garbled(text: str) -> str | None:
    """A bit of ``text`` around UTF-8 read as Windows-1252 or 1258 ('Má»™t'), or None."""
    hit = _GARBLED.search(text)
    return text[max(0, hit.start() - 6): hit.end() + 6] if hit else None


def entry_problem(item: Any) -> str | None:
    """What makes a parsed line of ``feedback.jsonl`` not a feedback entry, or None."""
    if not isinstance(item, dict):
        return (f"a {type(item).__name__}, not a JSON object; a feedback entry is one object "
                "per line")
    digest = item.get("text_hash")
    if not isinstance(digest, str) or not HASH.fullmatch(digest):
        found = "no text_hash" if digest is None else f"text_hash {digest!r} is not 16 hex digits"
        return (f"{found}; compute it from the text with vnmisinfo.review.hash_texts: "
                "hash_texts([text])[0]")
    if "verdict" not in item:
        return f"no verdict; add \"verdict\" with one of {', '.join(VERDICTS)}"
    try:
        known = parse_verdict(item["verdict"]) is not None
    except ValueError:
        known = False
    if not known:
        return f"verdict {item['verdict']!r} is not one of {', '.join(VERDICTS)} (any case)"
    return None


def fresh_entries(stored: Sequence[Mapping[str, Any]],
                  new: Sequence[tuple[str, dict[str, Any]]],
                  restore_earlier: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """The new entries to store, and where those are that go back to an earlier verdict.

    An entry equal to the reviewer's newest one for its text is not stored again; one equal
    to an older one, that a later entry replaced, is stored only with ``restore_earlier``.
    """
    history_of: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for e in stored:
        key = (e["text_hash"], str(e.get("reviewer", "") or "").strip())
        history_of.setdefault(key, []).append(said(e))
    fresh, earlier = [], []
    for place, entry in new:
        history = history_of.setdefault((entry["text_hash"], entry["reviewer"]), [])
        now = said(entry)
        if history and history[-1] == now:
            continue
        if now in history:
            earlier.append(place)
            if not restore_earlier:
                continue
        history.append(now)
        fresh.append(entry)
    return fresh, earlier


def opposite_verdicts(stored: Sequence[Mapping[str, Any]],
                      new: Sequence[tuple[str, Mapping[str, Any]]], *,
                      threshold: float = 0.9) -> tuple[list[str], list[str]]:
    """Where the new entries are that say the opposite of the newest stored verdict on
    another text: ``(copies, near_copies)``, each a list of ``"PLACE (text_hash H...)"``.

    * A copy has the same words (:func:`~vnmisinfo.data.hygiene.word_keys`: other
      punctuation, emoji or line breaks); retraining keeps only the newest of the two.
    * A near-copy has other words, at a cosine ``>= threshold`` of the vectors by which
      :func:`~vnmisinfo.data.hygiene.near_duplicate_groups` (and the queue's clusters)
      compare texts, given with its cosine.  A false claim and its true version can differ
      by one word or figure, so both verdicts may be right: a reviewer should check that the
      two texts differ in the claim.  Retraining keeps both, as public rows (weight 1:
      ``vnmisinfo.evaluation.train.contested_near_copies``).

    The stored texts are read once, for both.
    """
    binary = {"misinformation", "reliable"}
    checked = [(place, e) for place, e in new if e.get("verdict") in binary
               and str(e.get("text", "")).strip()]
    newest = {e["text_hash"]: e for e in stored if e.get("verdict") in binary
              and str(e.get("text", "")).strip()}  # the newest verdict of each stored text
    if not checked or not newest:  # nothing to compare: the stored texts are not read
        return [], []
    entries = list(newest.values())
    old_keys = text_keys(_texts(entries))
    new_keys = text_keys(_texts([e for _, e in checked]))
    old_words, new_words = word_keys(old_keys), word_keys(new_keys)
    vectors = near_duplicate_vectorizer().fit_transform(
        [k[:NEAR_COPY_CHARS] for k in old_keys + new_keys])
    cosine = (vectors[len(old_keys):] @ vectors[:len(old_keys)].T).tocsr()
    by_words: dict[str, list[int]] = {}
    for j, w in enumerate(old_words):
        by_words.setdefault(w, []).append(j)
    copies, near = [], []
    for i, (place, e) in enumerate(checked):
        def opposite(j: int, e: Mapping[str, Any] = e) -> bool:
            return bool(entries[j]["verdict"] != e["verdict"]
                        and entries[j]["text_hash"] != e["text_hash"])

        same = [j for j in by_words.get(new_words[i], []) if opposite(j)]
        if same:
            copies.append(f"{place} (text_hash {entries[same[0]]['text_hash']})")
        row = cosine.getrow(i)
        close = sorted((-v, int(j)) for j, v in zip(row.indices, row.data, strict=True)
                       if v >= threshold and old_words[j] != new_words[i] and opposite(j))
        if close:
            near.append(f"{place} (text_hash {entries[close[0][1]]['text_hash']}, "
                        f"cosine {-close[0][0]:.2f})")
    return copies, near


def contradictions(stored: Sequence[Mapping[str, Any]],
                   new: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """The copies of :func:`opposite_verdicts`: new entries that say the opposite of a stored
    verdict on a text with the same words, with that text's hash.

    Examples
    --------
    >>> old = [{"text": "Tin A. Ngày 6", "verdict": "reliable", "text_hash": "a" * 16}]
    >>> contradictions(old, [("line 2", {"text": "Tin A\\nngày 6 😡", "verdict":
    ...                                  "misinformation", "text_hash": "b" * 16})])
    ['line 2 (text_hash aaaaaaaaaaaaaaaa)']
    """
    return opposite_verdicts(stored, new)[0]


def near_contradictions(stored: Sequence[Mapping[str, Any]],
                        new: Sequence[tuple[str, Mapping[str, Any]]], *,
                        threshold: float = 0.9) -> list[str]:
    """The near-copies of :func:`opposite_verdicts`: new entries that say the opposite of a
    stored verdict on a text with other words at a cosine ``>= threshold``.

    Examples
    --------
    >>> old = [{"text": "Bộ Y tế: tiêm vắc xin COVID-19 làm thay đổi ADN của người tiêm",
    ...         "verdict": "misinformation", "text_hash": "a" * 16}]
    >>> new = [("line 2", {"text": "Bộ Y tế: tiêm vắc xin COVID-19 không làm thay đổi ADN "
    ...                    "của người tiêm", "verdict": "reliable", "text_hash": "b" * 16})]
    >>> near_contradictions(old, new)
    ['line 2 (text_hash aaaaaaaaaaaaaaaa, cosine 0.91)']
    """
    return opposite_verdicts(stored, new, threshold=threshold)[1]


def _texts(entries: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame({"text": [str(e.get("text", "")) for e in entries], "title": ""})


def said(entry: Mapping[str, Any]) -> tuple[str, str, str]:
    """What a reviewer said of a text: verdict, narrative and note."""
    return (str(entry.get("verdict", "")), str(entry.get("narrative_id", "") or ""),
            str(entry.get("note", "") or ""))


def verdicts_of(values: Sequence[Any], places: Sequence[str], where: str) -> list[str | None]:
    """The verdict of each cell (None when blank); refuses the file on any unknown one."""
    verdicts: list[str | None] = []
    bad: list[str] = []
    for place, value in zip(places, values, strict=True):
        try:
            verdicts.append(parse_verdict(value))
        except ValueError as exc:
            verdicts.append(None)
            bad.append(f"{place}: {exc}")
    if bad:
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise FeedbackError(f"{where}{len(bad)} row(s) with an unknown verdict; nothing was "
                            f"stored. {'; '.join(bad[:5])}{more}. Allowed: "
                            f"{', '.join(VERDICTS)} (any case), or blank.")
    return verdicts


def refuse_garbled(texts: Sequence[str], titles: Sequence[str],
                   verdicts: Sequence[str | None], places: Sequence[str], where: str) -> None:
    """Refuse reviewed rows whose text is UTF-8 that was read in a Windows code page."""
    bad = []
    for place, text, title, verdict in zip(places, texts, titles, verdicts, strict=True):
        shown = garbled(joined_text(text, title)) if verdict is not None else None
        if shown:
            bad.append(f"{place} ({shown!r})")
    if bad:
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise FeedbackError(
            f"{where}{len(bad)} reviewed row(s) hold garbled text, UTF-8 read as Windows-1252 "
            f"or 1258: {', '.join(bad[:5])}{more}; nothing was stored. A spreadsheet opened the "
            "CSV in the wrong encoding and saved the garbled text back. Fill the verdicts in "
            "again in the original file, opened as UTF-8 (Excel: Data > From Text/CSV, File "
            "origin 65001: Unicode (UTF-8)), and save it as 'CSV UTF-8'.")
