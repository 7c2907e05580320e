"""Vietnamese syllables: what one looks like, and where a run of them written together splits.

A Vietnamese word is written one syllable at a time, and a syllable has a narrow shape: an
optional initial consonant (``ngh``, ``tr``, ``b``, ...), a vowel cluster, and an optional
final consonant (``ng``, ``nh``, ``ch``, ``c``, ``m``, ``n``, ``p``, ``t``) that only some
clusters take.  :data:`SYLLABLE_RE` is that shape, for text without tone marks.

:func:`split_glued` cuts a run of letters written without spaces (``uongnuocchanhnong``,
a hashtag typed in lower case) into syllables of that shape which are syllables of
underthesea's word list (``Viet74K``, shipped with underthesea; with their marks when the
run has them, so ``nướcuống`` is not ``nướ cuống``): of the ways to cut it, the one with
the fewest pieces; among those, the one with the most neighbouring pairs that make a word
of that list, so that ``chungtanhatdinh`` reads ``chung ta nhat dinh``, not ``chung tanh
at dinh``; among those, the one whose pieces appear most often in the list
(``hanoi`` is ``ha noi``, not ``han oi``; ``anhem`` is ``anh em``).
A run without marks of three pieces or more needs one such pair, or a borrowed word:
``beatthachha`` is not ``be at thach ha``.  A few words
Vietnamese posts borrow (``corona``, ``virus``, ``vaccine``, ...) count as one syllable.

Examples
--------
>>> split_glued("uongnuocchanhnong")
['uong', 'nuoc', 'chanh', 'nong']
>>> split_glued("tiêmvắcxin")
['tiêm', 'vắc', 'xin']
>>> split_glued("viruscorona")
['virus', 'corona']
>>> split_glued("chúcmừngngườianhem")
['chúc', 'mừng', 'người', 'anh', 'em']
>>> split_glued("beatthachha") is None  # English, then a name: no word of the list
True
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
import re
import unicodedata
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import numpy as np

from vnmisinfo.text.accents import strip_diacritics

__all__ = ["MAX_LETTERS", "SYLLABLE_RE", "split_glued"]

#: One Vietnamese syllable typed without tone marks: an initial, then a vowel cluster that
#: ends in a glide, or one that may take a final consonant (a lone ``y`` takes none).
SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:ieu|yeu|oai|oay|oeo|uai|uay|uoi|uou|uyu|uya|ai|ao|au|ay|eo|eu|ia|iu|oi|ui|uu"
    r"|(?:uye|ie|oa|oe|oo|ue|uo|uy|ye|ua|[aeiou])(?:ch|ng|nh|[cmnpt])?|y)"
)
#: Borrowed words read as one unit in a glued run (``viruscorona``).
BORROWED = frozenset(
    "covid corona virus vaccine vaccin sars facebook zalo tiktok youtube video "
    "clip online live livestream fanpage".split())
_LONGEST = max(7, *map(len, BORROWED))
#: Runs longer than this are not cut (a hashtag is a few words; the cut's work grows with it).
MAX_LETTERS = 80


class _Pairs:
    """A set of ``'a b'`` strings kept as their sorted hashes (1 MB instead of 15)."""

    def __init__(self, hashes: list[int]) -> None:
        self._hashes = np.unique(np.array(hashes, dtype=np.int64))

    def __contains__(self, pair: str) -> bool:
        key = hash(pair)
        i = int(np.searchsorted(self._hashes, key))
        return i < len(self._hashes) and int(self._hashes[i]) == key

    def __len__(self) -> int:
        return len(self._hashes)


class _Lexicon(NamedTuple):
    marked: frozenset[str]  # syllables as written, lower case: 'nước'
    plain: frozenset[str]  # the same without marks: 'nuoc'
    pairs: _Pairs  # 'a b': neighbours in a common word, with and without marks
    common: dict[str, float]  # log(1 + how often it appears in the list), without marks


@functools.lru_cache(maxsize=1)
def _lexicon() -> _Lexicon | None:
    """Syllables and neighbouring pairs of underthesea's word list (None if it cannot be
    read: :data:`SYLLABLE_RE` alone then says what a syllable is)."""
    spec = importlib.util.find_spec("underthesea")  # found, not imported (0.4 s)
    try:
        root = Path(next(iter(spec.submodule_search_locations or ())))  # type: ignore[union-attr]
        path = root / "corpus" / "data" / "Viet74K.txt"
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    except (AttributeError, StopIteration, OSError):
        return None
    # Marks dropped once for the whole text, not word by word; its lines are read one at a
    # time (no list of them), and pairs are kept as hashes: memory stays small.
    lower = text.lower()
    plain = strip_diacritics(lower)
    hashes: list[int] = []
    counts: Counter[str] = Counter()
    marked: set[str] = set()
    for line, low, bare in zip(io.StringIO(text), io.StringIO(lower), io.StringIO(plain),
                               strict=True):
        words, bare_words = low.split(), bare.split()
        counts.update(bare_words)
        marked.update(words)
        if line == low and len(words) > 1:  # not names: 'Tân Ninh' would pair by chance
            for run in (words, bare_words):
                hashes.extend(hash(f"{a} {b}") for a, b in pairwise(run))
    marked = {w for w in marked if w.isalpha()}
    common = {w: math.log1p(c) for w, c in counts.items()}
    return _Lexicon(frozenset(marked), frozenset(map(strip_diacritics, marked)), _Pairs(hashes),
                    common)


def _is_unit(piece: str, plain: str, lexicon: _Lexicon | None) -> bool:
    if plain in BORROWED:
        return True
    if SYLLABLE_RE.fullmatch(plain) is None:
        return False
    if lexicon is None:
        return True
    return piece in lexicon.marked if piece != plain else plain in lexicon.plain


def split_glued(word: str) -> list[str] | None:
    """Cut ``word``, letters written without spaces, into syllables (see the module docstring).

    Parameters
    ----------
    word : str
        A run of letters, composed (NFC), of at most :data:`MAX_LETTERS`.

    Returns
    -------
    list of str or None
        The pieces of ``word`` as written (two or more), or None when it is not a run of
        Vietnamese syllables: a letter outside Vietnamese's alphabet, a piece that is no
        syllable, or, for a word without tone marks cut in three pieces or more, neither a
        neighbouring pair that makes a word of the list nor a borrowed word.
    """
    lower = word.lower()
    plain = strip_diacritics(lower)
    n = len(plain)
    if n != len(word) or not 4 <= n <= MAX_LETTERS or not (plain.isascii() and plain.isalpha()):
        return None
    plain_run = lower == plain  # typed without marks: pairs are read without them too
    lexicon = _lexicon()
    pairs: _Pairs | frozenset[str] = lexicon.pairs if lexicon is not None else frozenset()
    common = lexicon.common if lexicon is not None else {}
    # best[end][start]: (-pieces, pairs in the list and borrowed words, how usual the
    # pieces are, cuts) of word[:end] whose last piece is word[start:end]; filled in order
    # of end.
    best: list[dict[int, tuple[int, int, float, tuple[int, ...]]]] = [{} for _ in range(n + 1)]
    best[0][0] = (0, 0, 0.0, ())
    for end in range(n):
        for start, (pieces, hits, usual, cuts) in best[end].items():
            before = (plain if plain_run else lower)[start:end]
            for stop in range(end + 1, min(n, end + _LONGEST) + 1):
                piece = plain[end:stop]
                if not _is_unit(lower[end:stop], piece, lexicon):
                    continue
                after = piece if plain_run else lower[end:stop]
                known = f"{before} {after}" in pairs or piece in BORROWED
                score = (pieces - 1, hits + known, usual + common.get(piece, 0.0), cuts + (end,))
                if end not in best[stop] or score > best[stop][end]:
                    best[stop][end] = score
    done = list(best[n].values())
    if not done:
        return None
    pieces, hits, _, cuts = max(done)
    if pieces > -2 or (word.isascii() and pieces < -2 and hits == 0):
        return None
    bounds = [*cuts[1:], n]
    return [word[a:b] for a, b in zip(cuts, bounds, strict=True)]
