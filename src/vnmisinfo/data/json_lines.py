"""One JSONL line read as one row: an object, with each key named once.

``json.loads`` reads ``{"text": "a", "text": "b"}`` as ``{"text": "b"}``,
dropping the first value without a word.  :func:`load_line` reads a line as
``json.loads`` does, but gives :class:`DuplicateKey` for an object (at any
depth) that names a key twice.  It costs no more than ``json.loads``: the
decoder builds each object's pairs in C, a flat object becomes its dict in one
call, and the line goes straight to the decoder's scanner; only a line with
nested objects or arrays is walked in Python.

Examples
--------
>>> load_line('{"id": 1, "user": {"name": "An"}, "tags": ["a"]}')
{'id': 1, 'user': {'name': 'An'}, 'tags': ['a']}
>>> load_line('{"id": 1, "text": "Tin", "text": "News"}')
DuplicateKey('text')
>>> object_problem(load_line('null'))
'expected a JSON object, found null'
>>> object_problem(load_line('{"id": 1, "user": {"id": 2, "id": 3}}'))
"the key 'id' appears twice in one object, and JSON keeps only the last value; rename or \
remove one"
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DuplicateKey", "load_line", "object_problem"]

#: JSON's names of the values a JSONL line may hold instead of an object.
_JSON_TYPES = {"NoneType": "null", "bool": "true or false", "int": "a number",
               "float": "a number", "str": "a string", "list": "an array"}
#: The scanner of a decoder that reads objects as tuples of ``(key, value)`` pairs (JSON has
#: no tuples of its own): one value from a position, without ``json.loads``'s Python calls.
#: (``scan_once`` is set by ``JSONDecoder.__init__``; typeshed does not list it.)
_SCAN = json.JSONDecoder(object_pairs_hook=tuple).scan_once  # type: ignore[attr-defined]
_CONTAINERS = frozenset({tuple, list})
#: What JSON calls whitespace, allowed after the value.
_BLANKS = " \t\n\r"


class DuplicateKey:
    """What :func:`load_line` gives for a line with an object that names ``key`` twice."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"DuplicateKey({self.key!r})"


class _Doubled(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _objects(value: Any) -> Any:
    """``value`` with each tuple of pairs made a dict; raise :class:`_Doubled` at a key
    named twice in one object."""
    if type(value) is tuple:
        seen: set[str] = set()
        for key, _ in value:
            if key in seen:
                raise _Doubled(key)
            seen.add(key)
        return {k: _objects(v) if type(v) in _CONTAINERS else v for k, v in value}
    if type(value) is list:
        return [_objects(v) if type(v) in _CONTAINERS else v for v in value]
    return value


def _loads(line: str) -> Any:
    """``json.loads`` with objects as tuples of pairs, its checks and errors included."""
    return json.loads(line, object_pairs_hook=tuple)


def load_line(line: str) -> Any:
    """The JSON value of ``line``, as ``json.loads`` gives it, or :class:`DuplicateKey`.

    Raises
    ------
    ValueError
        As ``json.loads`` does (:class:`json.JSONDecodeError` for text that is not
        JSON).
    """
    try:
        value, end = _SCAN(line, 0)
    except Exception:  # no value at the first character: json.loads says what is wrong,
        value = _loads(line)  # or reads the value after leading blanks
    else:
        if end != len(line) and line[end:].strip(_BLANKS):
            value = _loads(line)  # raises "Extra data"
    if type(value) is tuple:
        row = dict(value)
        if len(row) == len(value) and _CONTAINERS.isdisjoint(map(type, row.values())):
            return row  # a flat object, each key once: the common case, all in C
    try:
        return _objects(value)
    except _Doubled as doubled:
        return DuplicateKey(doubled.key)


def object_problem(value: Any) -> str | None:
    """Why a JSONL line, read by :func:`load_line` as ``value``, is not one row: not an
    object, or an object that names a key twice; None when it is one."""
    if type(value) is dict:
        return None
    if isinstance(value, DuplicateKey):
        return (f"the key {value.key!r} appears twice in one object, and JSON keeps only the "
                "last value; rename or remove one")
    kind = type(value).__name__
    return f"expected a JSON object, found {_JSON_TYPES.get(kind, kind)}"
