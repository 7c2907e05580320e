"""Named entities from name lists: one compiled regular expression, no tagger.

A :class:`Gazetteer` finds the places, organisations and people it knows by
name (``data/gazetteer.tsv``: provinces and cities, countries, ministries and
state bodies, international bodies, news outlets, companies), plus people
introduced by a title ("ông", "bà", "bác sĩ", "PGS.TS" ... followed by two to
four capitalised syllables).  It is the fast path for batch scoring; the CRF
tagger of :func:`vnmisinfo.text.entities.entities` stays available when
unknown names matter more than speed.

Matching
--------
* Forms with diacritics match **case-sensitively** on the NFC text: names are
  proper nouns, so "Hòa Bình" (the province) matches and "hòa bình" (peace)
  does not.  The old tone-mark placement ("Thanh Hoá", "Thuỷ điện") matches too.
* Accent-free forms of names of two or more words ("Bo Y te", "ha noi") match
  **case-insensitively**, because text typed without tone marks is often typed
  without capitals too.  A few whose lowercase form is an everyday phrase
  ("tuoi tre", "dien bien", "hoa binh") need a capital.
* One-word accent-free forms ("My", "Duc") match only as written, capitalised.
* Every match is reported under its canonical name ("TP.HCM", "Sài Gòn" and
  "tp hcm" are all ``"TP. Hồ Chí Minh"``; "Hoa Kỳ" is ``"Mỹ"``).
* The longest name wins ("Bộ Giáo dục và Đào tạo", not "Bộ Giáo dục"), and a
  name never starts or ends inside a word.
* Short one-word names that are also given names or pronouns ("Anh", "Nga",
  "Đức", "Mỹ") are dropped when they follow another capitalised word ("Nguyễn
  Đức Anh") or a kinship term ("chị Nga"), and "Anh" at the start of a sentence.

Examples
--------
>>> gaz = Gazetteer.default()
>>> gaz.entities("Bộ Y tế và WHO cảnh báo người dân TP.HCM, Hà Nội.")
[('Bộ Y tế', 'ORG'), ('WHO', 'ORG'), ('TP. Hồ Chí Minh', 'LOC'), ('Hà Nội', 'LOC')]
>>> gaz.entities("bo y te canh bao nguoi dan ha noi")
[('Bộ Y tế', 'ORG'), ('Hà Nội', 'LOC')]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

from vnmisinfo.text.entities import ENTITY_TYPES
from vnmisinfo.text.normalize import strip_diacritics
from vnmisinfo.text.regexes import trie_pattern

__all__ = ["Gazetteer"]

_VI_LOWER = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
_UPPER = "A-Z" + _VI_LOWER.upper() + "ÄÖÜÇÑ"
_SPACE = r"[ \t\xa0]+"

# Old tone-mark placement (underthesea's text_normalize writes the new one).
_OLD_TONES = {
    new: old
    for pair in ("óa oá", "òa oà", "ỏa oả", "õa oã", "ọa oạ", "óe oé", "òe oè", "ỏe oẻ",
                 "õe oẽ", "ọe oẹ", "úy uý", "ùy uỳ", "ủy uỷ", "ũy uỹ", "ụy uỵ")
    for new, old in [pair.split()]
}
_OLD_TONE_RE = re.compile("|".join(_OLD_TONES))

# Titles that introduce a person's name.  "Bà Rịa" is a province, not a lady.
_TITLES = (
    r"[Pp][Gg][Ss]\.?[ \t]*[Tt][Ss]\.?|[Gg][Ss]\.?[ \t]*[Tt][Ss]\.?|PGS\.?|GS\.?|TS\.?|ThS\.?"
    r"|BS\.?|[Bb]ác[ \t]+sĩ|[Bb]ac[ \t]+si|[Gg]iáo[ \t]+sư|[Gg]iao[ \t]+su|[Tt]iến[ \t]+sĩ"
    r"|[Tt]ien[ \t]+si|[Tt]hạc[ \t]+sĩ|[Ll]uật[ \t]+sư|[Ll]uat[ \t]+su|[Nn]hà[ \t]+báo"
    r"|[Tt][ỷỉy][ \t]+phú|[Tt]y[ \t]+phu|[Ôô]ng|[Oo]ng|[Bb][àa](?![ \t]+R[ịi]a)|[Aa]nh"
    r"|[Cc]hị|[Cc]hi"
)
_PERSON = rf"(?:{_TITLES}){_SPACE}(?P<per>[{_UPPER}]\w*(?:{_SPACE}[{_UPPER}]\w*){{1,3}})"

# Accent-free lowercase forms that are everyday phrases: a capital is required.
_LOWERCASE_AMBIGUOUS = frozenset({
    "hoa binh", "thai binh", "cao bang", "hai duong", "dien bien", "bien hoa", "cu chi",
    "con dao", "nha trang", "thanh nien", "tuoi tre", "dan tri", "nhan dan", "lao dong",
    "tien phong", "long an", "an giang", "gia lai", "quang nam", "nguoi lao dong", "viet a",
})
# Preceding words that make a short name a person's given name ("chị Nga").
_KINSHIP = frozenset({
    "ông", "ong", "bà", "ba", "anh", "chị", "chi", "em", "cô", "co", "chú", "chu", "bác", "bac",
    "cậu", "cau", "dì", "di", "cụ", "cu", "bé", "be", "cháu", "chau", "thầy", "thay", "bạn",
    "ban", "con", "mẹ", "bố",
})
# Common family names: a short name right after one is a given name ("Nguyễn Đức Anh").
_SURNAMES = frozenset({
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ",
    "hồ", "ngô", "dương", "lý", "nguyen", "tran", "le", "pham", "hoang", "huynh", "vu", "vo",
    "dang", "bui", "do", "ho", "ngo", "duong", "ly",
})
_DOTLESS = str.maketrans({"ı": "i", "\u0307": None})  # casefold('İ') == 'i\u0307'
_PREV_WORD_RE = re.compile(r"(\w+)[ \t\xa0]+$")
_SENTENCE_END = ".!?…:;\n"


def _key(name: str) -> str:
    return " ".join(name.split())


def _folded(name: str) -> str:
    return _key(strip_diacritics(name)).casefold()


def _guarded(surface: str) -> bool:
    """A short one-word name that can also be a given name or a pronoun."""
    return len(surface) <= 5 and surface[:1].isupper() and surface[1:].islower()


def _variants(name: str) -> set[str]:
    """``name`` in NFC, with its dash spellings and old tone-mark placement."""
    name = _key(unicodedata.normalize("NFC", name))
    out = {name}
    if " - " in name:
        out |= {name.replace(" - ", "-"), name.replace(" - ", " – "), name.replace(" - ", "–")}
    out |= {_OLD_TONE_RE.sub(lambda m: _OLD_TONES[m.group()], v) for v in out}
    return out


class Gazetteer:
    """Find known names (and titled persons) in text with one compiled regex.

    Parameters
    ----------
    names : mapping of str to str
        Canonical name to type, one of ``"PER"``, ``"LOC"``, ``"ORG"``.
    aliases : mapping of str to str, optional
        Variant spelling or synonym to canonical name (a key of ``names``).

    Raises
    ------
    ValueError
        If a type is not one of ``PER``, ``LOC``, ``ORG``, a name is empty, or
        an alias points to a name not in ``names``.

    Examples
    --------
    >>> gaz = Gazetteer({"Hà Nội": "LOC"}, aliases={"Hanoi": "Hà Nội"})
    >>> gaz.entities("Hanoi hay Ha Noi đều là Hà Nội")
    [('Hà Nội', 'LOC')]
    """

    def __init__(self, names: Mapping[str, str], *,
                 aliases: Mapping[str, str] | None = None) -> None:
        canonical: dict[str, str] = {}
        for name, kind in names.items():
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"Gazetteer names must be non-empty str; got {name!r}.")
            if kind not in ENTITY_TYPES:
                raise ValueError(
                    f"Entity type of {name!r} must be one of {', '.join(ENTITY_TYPES)}; "
                    f"got {kind!r}. Drop names of other kinds before building a Gazetteer.")
            canonical[_key(unicodedata.normalize("NFC", name))] = kind
        links = {_key(unicodedata.normalize("NFC", n)): n for n in canonical}
        for alias, target in (aliases or {}).items():
            target = _key(unicodedata.normalize("NFC", target))
            if target not in canonical:
                raise ValueError(
                    f"Alias {alias!r} points to {target!r}, which is not among the names; "
                    "add it to names first.")
            links.setdefault(_key(unicodedata.normalize("NFC", alias)), target)
        self.names: dict[str, str] = canonical
        self.aliases: dict[str, str] = {a: c for a, c in links.items() if a != c}

        exact: dict[str, str] = {}  # surface as written -> canonical
        folded: dict[str, str] = {}  # accent-free casefolded surface -> canonical
        for surface, target in links.items():
            for form in _variants(surface):
                exact.setdefault(form, target)
                if " " in form:  # a name of several words in capitals: 'BỘ Y TẾ', 'HÀ NỘI'
                    exact.setdefault(form.upper(), target)
                plain = strip_diacritics(form)
                if " " in plain or (plain.isascii() and len(plain) >= 6 and not plain.isupper()):
                    folded.setdefault(plain.casefold(), target)
                elif plain != form:
                    exact.setdefault(plain, target)
        self._exact = exact
        self._folded = folded
        exact_re, folded_re = trie_pattern(exact, space=_SPACE), trie_pattern(folded, space=_SPACE)
        self._regex = re.compile(rf"(?<!\w)(?:{_PERSON}|{exact_re}|(?i:{folded_re}))(?!\w)")

    @classmethod
    def default(cls) -> Gazetteer:
        """The gazetteer of ``data/gazetteer.tsv``, built once and cached.

        Examples
        --------
        >>> Gazetteer.default() is Gazetteer.default()
        True
        """
        return _default()

    @classmethod
    def from_tsv(cls, text: str) -> Gazetteer:
        """Build from ``name<TAB>type[<TAB>canonical]`` lines (``#`` starts a comment).

        Raises
        ------
        ValueError
            If a line does not have two or three tab-separated fields.

        Examples
        --------
        >>> Gazetteer.from_tsv("Huế\\tLOC\\nThừa Thiên Huế\\tLOC\\tHuế\\n").aliases
        {'Thừa Thiên Huế': 'Huế'}
        """
        names: dict[str, str] = {}
        aliases: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\r").split("\t")
            if len(fields) not in (2, 3):
                raise ValueError(
                    f"Gazetteer line {number} must be name<TAB>type[<TAB>canonical]; "
                    f"got {line!r}.")
            if len(fields) == 3:
                aliases[fields[0]] = fields[2]
            else:
                names[fields[0]] = fields[1]
        return cls(names, aliases=aliases)

    def with_names(self, extra: Mapping[str, str]) -> Gazetteer:
        """A new gazetteer with ``extra`` names (name to type) added.

        Names already known, as a canonical name or a variant, keep their
        canonical form and type.

        Examples
        --------
        >>> gaz = Gazetteer.default().with_names({"Hang Én": "LOC"})
        >>> gaz.entities("Hang Én ở Quảng Bình")
        [('Hang Én', 'LOC'), ('Quảng Bình', 'LOC')]
        """
        names = dict(self.names)
        for name, kind in extra.items():
            key = _key(unicodedata.normalize("NFC", name)) if isinstance(name, str) else name
            if key not in names and key not in self.aliases:
                names[key] = kind
        return type(self)(names, aliases=self.aliases)

    def entities(self, text: str) -> list[tuple[str, str]]:
        """Known names and titled persons in ``text``.

        Parameters
        ----------
        text : str
            Any text.

        Returns
        -------
        list of (str, str)
            Each distinct ``(canonical name, type)`` once, in order of first
            appearance.

        Raises
        ------
        TypeError
            If ``text`` is not a str.

        Examples
        --------
        >>> Gazetteer.default().entities("PGS.TS Nguyễn Văn Hùng: Bộ GD&ĐT chưa ban hành")
        [('Nguyễn Văn Hùng', 'PER'), ('Bộ Giáo dục và Đào tạo', 'ORG')]
        """
        if not isinstance(text, str):
            raise TypeError(f"Gazetteer.entities expects a str; got {type(text).__name__}.")
        text = unicodedata.normalize("NFC", text)
        out: dict[tuple[str, str], None] = {}
        for match in self._regex.finditer(text):
            found = self._resolve(text, match)
            if found is not None:
                out[found] = None
        return list(out)

    def entities_many(self, texts: Iterable[str]) -> list[list[tuple[str, str]]]:
        """:meth:`entities` of each text.

        Raises
        ------
        TypeError
            If ``texts`` is a str (one text) rather than an iterable of them.

        Examples
        --------
        >>> Gazetteer.default().entities_many(["Viettel ở Hà Nội", "không có gì"])
        [[('Viettel', 'ORG'), ('Hà Nội', 'LOC')], []]
        """
        if isinstance(texts, str):
            raise TypeError("Iterable over texts expected, str received; wrap it in a list.")
        return [self.entities(text) for text in texts]

    def _resolve(self, text: str, match: re.Match[str]) -> tuple[str, str] | None:
        person = match.group("per")
        if person is not None:
            key = _key(person)
            target = self._exact.get(key) or self._folded.get(_folded(key))
            return (target, self.names[target]) if target else (key, "PER")
        surface = _key(match.group())
        target = self._exact.get(surface)
        if target is None:
            folded = surface.casefold()
            if folded in _LOWERCASE_AMBIGUOUS and surface.islower():
                return None
            # the pattern is case-blind: 'ı' and 'İ' match 'i', casefold() keeps them apart
            target = self._folded.get(folded) or self._folded.get(folded.translate(_DOTLESS))
            if target is None:
                return None
        elif _guarded(surface) and not self._short_name_ok(text, match.start(), surface):
            return None
        return target, self.names[target]

    @staticmethod
    def _short_name_ok(text: str, start: int, surface: str) -> bool:
        before = text[max(0, start - 40):start]
        prev = _PREV_WORD_RE.search(before)
        if prev is None:
            sentence_start = not before.strip() or before.rstrip()[-1] in _SENTENCE_END
            return not (sentence_start and surface == "Anh")
        word = prev.group(1)
        if word.casefold() in _KINSHIP or word.casefold() in _SURNAMES:
            return False
        ahead = before[:prev.start()].rstrip()
        prev_starts_sentence = (not ahead and start - len(before) == 0) or (
            bool(ahead) and ahead[-1] in _SENTENCE_END)
        return not (word[:1].isupper() and not prev_starts_sentence)


@cache
def _default() -> Gazetteer:
    text = resources.files("vnmisinfo").joinpath("data/gazetteer.tsv").read_text(encoding="utf-8")
    return Gazetteer.from_tsv(text)
