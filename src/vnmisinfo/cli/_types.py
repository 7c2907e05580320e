"""Argument types shared by the subcommands."""

from __future__ import annotations

import argparse


def jobs(value: str) -> int:
    """A joblib-style count of parallel jobs: 1, 2, ... or -1 for every core, -2 for all
    but one.

    >>> jobs("2"), jobs("-1")
    (2, -1)
    >>> jobs("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected 1 or more jobs, or -1 for every core; got 0
    """
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n == 0:
        raise argparse.ArgumentTypeError(
            "expected 1 or more jobs, or -1 for every core; got 0")
    return n
