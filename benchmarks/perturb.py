"""Seeded text perturbations that imitate how posts evade or degrade a text filter.

Every function takes the raw text and a :class:`random.Random` and returns the
perturbed text; :func:`perturb` applies one by name with a per-text seed, so
a text is perturbed the same way whatever batch or order it comes in.

>>> perturb("no_diacritics", "Hà Nội mưa to")
'Ha Noi mua to'
>>> perturb("teencode", "Không được nói gì với người lạ")
'Ko dc nói j vs ng lạ'
>>> perturb("zero_width", "corona") == "corona", len(perturb("zero_width", "corona")) > 6
(False, True)
>>> perturb("fancy_letters", "virus corona")
'🅅🄸🅁🅄🅂 corona'
>>> perturb("blank_spaces", "Hà Nội mưa").split()
['Hà\u2800Nội\u3164mưa']
>>> perturb("nfd", "Hà Nội") == unicodedata.normalize("NFD", "Hà Nội")
True
>>> perturb("dotted_words", "Uống nước chanh nóng diệt được virus corona", seed=2)
'U.ống nước chanh nóng diệt đư.ợc virus corona'
>>> perturb("dot_spaced", "Uống nước chanh nóng diệt được virus corona", seed=1)
'Uống n. ư. ớ. c chanh nóng diệt đ. ư. ợ. c virus corona'
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable

from vnmisinfo.text.normalize import strip_diacritics

__all__ = ["PERTURBATIONS", "perturb", "perturb_many"]

_WORD_RE = re.compile(r"[^\W\d_]+")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff")
#: Characters drawn as a blank: Hangul fillers and the braille blank.
BLANKS = ("\u3164", "\uffa0", "\u2800")

#: Latin letter -> Cyrillic or Greek look-alike (the substitutions seen in evasive posts).
LOOKALIKES = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
    "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р",
    "C": "С", "T": "Т", "X": "Х", "N": "Ν", "Y": "Υ", "I": "І",
}  # fmt: skip

#: Fancy-letter styles of "fancy text" generators: a translation of a-z (lower-case styles,
#: whose missing letters stay Latin) or of A-Z (styles of capitals only).
FANCY_LOWER = {
    "small_capitals": "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ",
    "superscript": "ᵃᵇᶜᵈᵉᶠᵍʰᶦʲᵏˡᵐⁿᵒᵖqʳˢᵗᵘᵛʷˣʸᶻ",
    "parenthesized": "".join(map(chr, range(0x249C, 0x249C + 26))),
}
FANCY_UPPER = {
    "squared": "".join(map(chr, range(0x1F130, 0x1F130 + 26))),
    "negative_circled": "".join(map(chr, range(0x1F150, 0x1F150 + 26))),
    "negative_squared": "".join(map(chr, range(0x1F170, 0x1F170 + 26))),
}
_FANCY = [(False, str.maketrans("abcdefghijklmnopqrstuvwxyz", v)) for v in FANCY_LOWER.values()]
_FANCY += [(True, str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", v)) for v in FANCY_UPPER.values()]

#: Standard word -> chat abbreviation (the reverse of a teencode dictionary).
TEENCODE = {
    "không": "ko", "được": "dc", "gì": "j", "với": "vs", "người": "ng", "biết": "bt",
    "rồi": "r", "mọi người": "mn", "trước": "trc", "vậy": "v", "quá": "wá", "luôn": "lun",
    "nhiều": "nhìu", "yêu": "iu", "mình": "mk", "cũng": "cx", "làm": "lm", "trong": "trog",
    "bây giờ": "bjo", "thích": "thik", "muốn": "mún", "chưa": "chx", "đang": "đag",
}  # fmt: skip
_TEEN_RE = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, TEENCODE), key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)


def _map_words(text: str, rng: random.Random, rate: float, min_len: int,
               change: Callable[[str, random.Random], str]) -> str:
    def repl(m: re.Match[str]) -> str:
        word = m.group()
        if len(word) >= min_len and rng.random() < rate:
            return change(word, rng)
        return word

    return _WORD_RE.sub(repl, text)


def no_diacritics(text: str, rng: random.Random) -> str:
    """Drop every tone and vowel mark (how many people type on a phone)."""
    return strip_diacritics(text)


def zero_width(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Insert U+200B/U+200C/U+200D/U+FEFF at a random point inside ``rate`` of the words."""

    def salt(word: str, r: random.Random) -> str:
        k = r.randrange(1, len(word))
        return word[:k] + r.choice(ZERO_WIDTH) + word[k:]

    return _map_words(text, rng, rate, 2, salt)


def blank_spaces(text: str, rng: random.Random) -> str:
    """Write every space as a character drawn as a blank (a Hangul filler, the braille blank):
    the post looks the same, but a splitter on whitespace sees one long word."""
    return re.sub(" ", lambda m: rng.choice(BLANKS), text)


def homoglyphs(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Replace ``rate`` of the Latin letters that have one by a Cyrillic/Greek look-alike.

    Accented letters are decomposed first, so ``ó`` can become Cyrillic ``о`` + U+0301.
    """
    out = []
    for ch in unicodedata.normalize("NFD", text):
        sub = LOOKALIKES.get(ch)
        out.append(sub if sub is not None and rng.random() < rate else ch)
    return unicodedata.normalize("NFC", "".join(out))


def fancy_letters(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Write ``rate`` of the words in fancy letters, in a style drawn for each word: small
    capitals (``ᴄᴏʀᴏɴᴀ``), superscript (``ᶜᵒʳᵒⁿᵃ``) or parenthesized letters, or squared,
    negative circled or negative squared capitals (``🅲🅾🆁🅾🅽🅰``, the word in capitals).

    Accented letters are decomposed first: ``ó`` becomes ``ᴏ`` + U+0301.
    """

    def dress(word: str, r: random.Random) -> str:
        capitals, table = r.choice(_FANCY)
        letters = unicodedata.normalize("NFD", word.upper() if capitals else word)
        return unicodedata.normalize("NFC", letters.translate(table))

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 1, dress)


def spaced_letters(text: str, rng: random.Random, rate: float = 0.2) -> str:
    """Space out (``c o r o n a``) or dot (``c.o.r.o.n.a``) ``rate`` of the words of 4+ letters."""

    def space(word: str, r: random.Random) -> str:
        return r.choice((" ", ".")).join(word)

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 4, space)


#: Emoji people put between letters.
LETTER_EMOJI = "🦠😷🔥❗⚠💉"


def emoji_letters(text: str, rng: random.Random, rate: float = 0.2) -> str:
    """Put one emoji between the letters of ``rate`` of the words of 4+ letters
    (``c🦠o🦠r🦠o🦠n🦠a``), a different emoji for each word.

    Examples
    --------
    >>> emoji_letters("virus corona", random.Random(0), rate=1.0)
    'v❗i❗r❗u❗s c⚠o⚠r⚠o⚠n⚠a'
    """

    def space(word: str, r: random.Random) -> str:
        return r.choice(LETTER_EMOJI).join(word)

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 4, space)


def decorated(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Strike through (U+0336) or underline (U+0332) ``rate`` of the words of 3+ letters, as
    text-style generators do: the mark follows every letter (``c̶o̶r̶o̶n̶a̶``).

    Examples
    --------
    >>> decorated("virus corona", random.Random(0), rate=1.0) == (
    ...     "".join(ch + "\\u0332" for ch in "virus") + " "
    ...     + "".join(ch + "\\u0332" for ch in "corona"))
    True
    """

    def decorate(word: str, r: random.Random) -> str:
        mark = r.choice(("\u0336", "\u0332"))
        return "".join(ch + mark for ch in word)

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 3, decorate)


#: Letters and the look-alikes that styled posts type for them (Cyrillic drawn as small
#: capitals, Greek, Armenian, Latin letters with hooks), as in VFND's styled articles.
STYLED = {"t": "т", "h": "н", "m": "м", "b": "в", "k": "ĸ", "i": "ι", "u": "υ", "s": "ѕ",
          "x": "х", "y": "у", "g": "ց", "đ": "ᵭ", "r": "ɾ", "a": "ɑ", "d": "ԁ", "p": "ρ"}


def styled(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Type look-alikes for letters, as styled posts do (``тнoạι``, ``cắм``, ``nցười``), in
    ``rate`` of the words of 2+ letters: each letter that has one, with probability one half.

    Examples
    --------
    >>> styled("bà mẹ ngất nhìn thảm cảnh", random.Random(3), rate=1.0)
    'bà mẹ nցấт nнìn tнảm cảnh'
    """

    def style(word: str, r: random.Random) -> str:
        return "".join(STYLED[ch] if ch in STYLED and r.random() < 0.5 else ch for ch in word)

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 2, style)


def nfd(text: str, rng: random.Random) -> str:
    """Decompose every accented letter (NFD): a base letter and its combining marks, as some
    keyboards and copied texts write Vietnamese."""
    return unicodedata.normalize("NFD", text)


def dotted_words(text: str, rng: random.Random, rate: float = 0.2) -> str:
    """Insert a dot at a random point inside ``rate`` of the words (``nư.ớc``, ``vi.rus``)."""

    def dot(word: str, r: random.Random) -> str:
        k = r.randrange(1, len(word))
        return word[:k] + "." + word[k:]

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 2, dot)


def dot_spaced(text: str, rng: random.Random, rate: float = 0.2) -> str:
    """Spell out ``rate`` of the words of 3+ letters with a dot and a space (``v. a. c``)."""

    def spell(word: str, r: random.Random) -> str:
        return ". ".join(word)

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 3, spell)


def _glue_runs(text: str, rng: random.Random, rate: float,
               glue: Callable[[list[str]], str]) -> str:
    """Glue a run of two to four words (letters only) with ``glue``, at ``rate`` of the word
    positions."""
    words = unicodedata.normalize("NFC", text).split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        n = rng.randint(2, 4)
        run = words[i:i + n]
        if len(run) > 1 and rng.random() < rate and all(w.isalpha() for w in run):
            out.append(glue(run))
            i += len(run)
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def hashtags(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Glue a run of two to four words into a hashtag, each word capitalized
    (``#UốngNướcChanh``), at ``rate`` of the word positions.

    Examples
    --------
    >>> hashtags("uống nước chanh nóng mỗi sáng", random.Random(0), rate=1.0)
    '#UốngNướcChanh #NóngMỗiSáng'
    """
    return _glue_runs(text, rng, rate, lambda run: "#" + "".join(w[:1].upper() + w[1:]
                                                                  for w in run))


def lower_hashtags(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Glue a run of two to four words into a hashtag in lower case (``#uốngnướcchanh``),
    at ``rate`` of the word positions.

    Examples
    --------
    >>> lower_hashtags("Uống nước chanh nóng mỗi sáng", random.Random(0), rate=1.0)
    '#uốngnướcchanh #nóngmỗisáng'
    """
    return _glue_runs(text, rng, rate, lambda run: "#" + "".join(run).lower())


def underscores(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Join a run of two to four words with underscores (``Uống_nước_chanh``), at ``rate`` of
    the word positions, as in a hashtag written without its ``#``.

    Examples
    --------
    >>> underscores("uống nước chanh nóng mỗi sáng", random.Random(0), rate=1.0)
    'uống_nước_chanh nóng_mỗi_sáng'
    """
    return _glue_runs(text, rng, rate, "_".join)


def teencode(text: str, rng: random.Random) -> str:
    """Write common words as chat abbreviations (``không`` -> ``ko``, ``được`` -> ``dc``)."""

    def repl(m: re.Match[str]) -> str:
        word = m.group()
        short = TEENCODE[word.lower()]
        return short.capitalize() if word[0].isupper() else short

    return _TEEN_RE.sub(repl, unicodedata.normalize("NFC", text))


#: Letters and the digit (or ``@``) typed for each in leetspeak.
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def leetspeak(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Type digits for letters (``c0r0na``, ``v4cc1n``) in ``rate`` of the words of 3+ letters.

    Each unaccented ``a e i o s t`` of a chosen word becomes ``4 3 1 0 5 7`` with
    probability one half, and at least one does.

    Examples
    --------
    >>> leetspeak("uống nước chanh diệt virus corona", random.Random(1), rate=1.0)
    'uống nước ch4nh d1ệ7 v1ru5 c0r0na'
    """

    def leet(word: str, r: random.Random) -> str:
        spots = [k for k, ch in enumerate(word) if ch.lower() in LEET]
        if not spots:
            return word
        keep = r.choice(spots)
        chars = list(word)
        for k in spots:
            if k == keep or r.random() < 0.5:
                chars[k] = LEET[word[k].lower()]
        return "".join(chars)

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 3, leet)


def lower_no_punct(text: str, rng: random.Random) -> str:
    """Lower-case the text and replace every punctuation mark by a space."""
    kept = (" " if unicodedata.category(ch).startswith("P") else ch for ch in text.lower())
    return " ".join("".join(kept).split())


def typos(text: str, rng: random.Random, rate: float = 0.1) -> str:
    """Swap two adjacent letters, delete one or double one in ``rate`` of the words (3+ letters)."""

    def typo(word: str, r: random.Random) -> str:
        k = r.randrange(len(word) - 1)
        kind = r.randrange(3)
        if kind == 0:
            return word[:k] + word[k + 1] + word[k] + word[k + 2:]
        if kind == 1:
            return word[:k] + word[k + 1:]
        return word[:k] + word[k] + word[k:]

    return _map_words(unicodedata.normalize("NFC", text), rng, rate, 3, typo)


#: Perturbations by name, in the order the benchmark reports them.
PERTURBATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "no_diacritics": no_diacritics,
    "zero_width": zero_width,
    "blank_spaces": blank_spaces,
    "homoglyphs": homoglyphs,
    "fancy_letters": fancy_letters,
    "spaced_letters": spaced_letters,
    "emoji_letters": emoji_letters,
    "decorated": decorated,
    "styled": styled,
    "nfd": nfd,
    "dotted_words": dotted_words,
    "dot_spaced": dot_spaced,
    "hashtags": hashtags,
    "lower_hashtags": lower_hashtags,
    "underscores": underscores,
    "teencode": teencode,
    "leetspeak": leetspeak,
    "lower_no_punct": lower_no_punct,
    "typos": typos,
}


def perturb(name: str, text: str, *, seed: int = 0) -> str:
    """Apply perturbation ``name`` with a seed derived from ``seed`` and the text itself."""
    if name not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {name!r}; choose one of {list(PERTURBATIONS)}.")
    rng = random.Random(seed * 1_000_003 + zlib.crc32(text.encode("utf-8", "surrogatepass")))
    return PERTURBATIONS[name](text, rng)


def perturb_many(name: str, texts: Iterable[str], *, seed: int = 0) -> list[str]:
    """Apply :func:`perturb` to each text."""
    return [perturb(name, t, seed=seed) for t in texts]
