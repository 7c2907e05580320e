"""Tone marks put back into Vietnamese typed without them.

Many people type Vietnamese on a phone without tone or vowel marks: ``uong nuoc chanh``
for ``uống nước chanh``.  Read as it is, such a post shares few features with the marked
text a model learned from.  :class:`MarkRestorer` reads it back with a syllable bigram
model: each word typed without marks may be any marked word that loses its marks to it
(``nuoc``: ``nước``, ``nuốc``...), and the most likely sequence is chosen by the Viterbi
algorithm over counts of words and word pairs in marked text.

The shipped tables (``data/marks.tsv.gz``) count the words of ReINTEL's unlabeled posts,
those that copy a labelled post left out, and of VFND's articles;
``benchmarks/build_marks.py`` builds them again.  On the 3,970 labelled ReINTEL posts with
their marks taken off, 92.8% of words come back as they were written.

Only a text that is typed without marks (under 2% of its letters marked, as the
detector's accent-free route reads it) and may be Vietnamese
(:func:`~vnmisinfo.text.accents.looks_vietnamese` not False) is changed: a text with
marks, or in English, is returned as it is.  Words never seen in the tables are kept.
The letter case of each word is kept.

Examples
--------
>>> restore_unaccented(["Bo Y te khuyen cao nguoi dan rua tay thuong xuyen", "Hà Nội mưa"])
['Bộ Y tế khuyến cáo người dân rửa tay thường xuyên', 'Hà Nội mưa']
>>> restore_unaccented(["The ministry says the rumour is false"])
['The ministry says the rumour is false']
"""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from vnmisinfo.text.accents import (
    ACCENTED_SHARE,
    is_accented,
    looks_vietnamese,
    strip_diacritics,
)

__all__ = ["MARKS_FILE", "MarkRestorer", "count_words", "restore_unaccented", "shipped_restorer",
           "write_tables"]

#: The shipped tables, inside the package.
MARKS_FILE = "data/marks.tsv.gz"

_WORD_RE = re.compile(r"\w+")
_START = "<s>"
_NONE: dict[str, float] = {}


class MarkRestorer:
    """A syllable bigram model that puts tone marks back into unmarked text.

    Parameters
    ----------
    unigrams : mapping of str to int
        How often each lower-cased word occurs in marked text.
    bigrams : mapping of (str, str) to int
        How often each pair of words follows one another (``"<s>"`` starts a text).
    max_candidates : int, default=8
        The most frequent marked readings of an unmarked word that are considered.
    weight : float, default=0.6
        Weight of the pair's count against the word's own (interpolated smoothing).
    min_share : float, default=0.01
        Readings rarer than this share of their unmarked word's count are not considered
        (typos, mostly); it halves the work for 0.2% of the words read back right.

    Examples
    --------
    >>> r = MarkRestorer.from_texts(["trời mưa to", "mưa to quá", "mua rau", "đi mua rau"])
    >>> r.restore("Troi mua to, di mua rau")
    'Trời mưa to, đi mua rau'
    """

    def __init__(self, unigrams: Mapping[str, int], bigrams: Mapping[tuple[str, str], int], *,
                 max_candidates: int = 8, weight: float = 0.6, min_share: float = 0.01) -> None:
        if not 0 < weight < 1:
            raise ValueError(f"weight must be between 0 and 1, got {weight}.")
        total = sum(unigrams.values()) or 1
        readings: dict[str, list[tuple[int, str]]] = {}
        for word, count in unigrams.items():
            readings.setdefault(strip_diacritics(word), []).append((count, word))
        self._readings = {}
        for key, v in readings.items():
            v.sort(reverse=True)
            least = min_share * sum(c for c, _ in v)
            self._readings[key] = [w for c, w in v[:max_candidates] if c >= least]
        self._word = {w: math.log((1 - weight) * c / total) for w, c in unigrams.items()}
        context: Counter[str] = Counter()
        for (a, _), count in bigrams.items():
            context[a] += count
        self._into: dict[str, dict[str, float]] = {}  # second word -> first word -> log p
        for (a, b), c in bigrams.items():
            if b in unigrams:
                self._into.setdefault(b, {})[a] = math.log(
                    weight * c / context[a] + (1 - weight) * unigrams[b] / total)

    @classmethod
    def from_texts(cls, texts: Iterable[str], **kwargs: float) -> MarkRestorer:
        """A restorer of the words and word pairs of marked ``texts`` (:func:`count_words`)."""
        return cls(*count_words(texts), **kwargs)  # type: ignore[arg-type]

    def _best(self, keys: list[str]) -> list[str]:
        """The most likely marked reading of each unmarked lower-case word (Viterbi)."""
        words, scores, steps = [_START], [0.0], []
        for key in keys:
            options = self._readings.get(key) or ([key] if key in self._word else None)
            if options is None:  # never seen: kept, and the best path so far goes on
                j = max(range(len(scores)), key=scores.__getitem__)
                steps.append(([key], [j]))
                words, scores = [key], [scores[j]]
                continue
            new_scores, back = [], []
            for option in options:
                alone, into = self._word[option], self._into.get(option, _NONE)
                best, arg = -math.inf, 0
                for j, prev in enumerate(words):
                    score = scores[j] + into.get(prev, alone)
                    if score > best:
                        best, arg = score, j
                new_scores.append(best)
                back.append(arg)
            steps.append((options, back))
            words, scores = options, new_scores
        j = max(range(len(scores)), key=scores.__getitem__)
        out = []
        for options, back in reversed(steps):
            out.append(options[j])
            j = back[j]
        return out[::-1]

    def restore(self, text: str) -> str:
        """``text`` with the most likely marks on each word, its case and the rest kept."""
        found = _WORD_RE.findall(text)
        if not found:
            return text
        readings = iter(self._best([w.lower() for w in found]))

        def put(match: re.Match[str]) -> str:
            word, reading = match.group(0), next(readings)
            if len(reading) != len(word):
                return word
            if word.islower():
                return reading
            return "".join(r.upper() if w.isupper() else r for w, r in zip(word, reading,
                                                                             strict=True))

        return _WORD_RE.sub(put, text)

    @classmethod
    def read(cls, lines: Iterable[str]) -> MarkRestorer:
        """A restorer from the lines :func:`write_tables` wrote."""
        unigrams: dict[str, int] = {}
        bigrams: dict[tuple[str, str], int] = {}
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "1":
                unigrams[parts[1]] = int(parts[2])
            elif parts[0] == "2":
                bigrams[(parts[1], parts[2])] = int(parts[3])
        return cls(unigrams, bigrams)


Counts = tuple[dict[str, int], dict[tuple[str, str], int]]


def count_words(texts: Iterable[str]) -> Counts:
    """How often each lower-cased word, and each pair of words, occurs in ``texts``.

    Examples
    --------
    >>> words, pairs = count_words(["Trời mưa", "mưa to"])
    >>> words["mưa"], pairs[("<s>", "trời")], pairs[("trời", "mưa")]
    (2, 1, 1)
    """
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for text in texts:
        words = [w.lower() for w in _WORD_RE.findall(text or "")]
        unigrams.update(words)
        bigrams.update(zip([_START, *words[:-1]], words, strict=True))
    return dict(unigrams), dict(bigrams)


def write_tables(path: str | Path, counts: Counts) -> Path:
    """Save :func:`count_words`' counts as gzipped TSV lines ``1 word count`` and
    ``2 first second count``, sorted (the same counts give the same file)."""
    path = Path(path)
    unigrams, bigrams = counts
    lines = [f"1\t{w}\t{c}\n" for w, c in sorted(unigrams.items())]
    lines += [f"2\t{a}\t{b}\t{c}\n" for (a, b), c in sorted(bigrams.items())]
    path.write_bytes(gzip.compress("".join(lines).encode("utf-8"), compresslevel=9, mtime=0))
    return path


@lru_cache(maxsize=1)
def shipped_restorer() -> MarkRestorer:
    """The restorer of the shipped tables (:data:`MARKS_FILE`), read once."""
    data = resources.files("vnmisinfo").joinpath(MARKS_FILE).read_bytes()
    return MarkRestorer.read(gzip.decompress(data).decode("utf-8").splitlines())


def restore_unaccented(texts: Iterable[str], *, share: float = ACCENTED_SHARE) -> list[str]:
    """Each text typed without marks, with its marks put back; every other text as it is.

    Parameters
    ----------
    texts : iterable of str
        Texts, normalized or not; a text in decomposed form (NFD) is judged, and read back,
        composed.
    share : float, default=ACCENTED_SHARE
        A text whose share of marked letters is under this is read as typed without marks.

    Returns
    -------
    list of str
        The texts, those typed without marks that may be Vietnamese read back by
        :func:`shipped_restorer`.
    """
    out = []
    for text in texts:
        composed = unicodedata.normalize("NFC", text) if text else text
        if (composed and not is_accented(composed, share=share)
                and looks_vietnamese(composed) is not False):
            text = shipped_restorer().restore(composed)
        out.append(text)
    return out
