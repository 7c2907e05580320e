"""``--set PARAM=VALUE``: any Detector parameter over a preset's, for the benchmarks.

Imported by path (``benchmarks/`` is on ``sys.path`` when a benchmark runs), as ``perturb.py``
is; not part of the package.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_set_option(parser)
>>> args = parser.parse_args(["--set", "C=2.0", "--set", "channel_weights={'chars': 1.5}"])
>>> detector_settings(parser, args.set)
{'C': 2.0, 'channel_weights': {'chars': 1.5}}
"""

from __future__ import annotations

import argparse
import ast
from typing import Any


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--set PARAM=VALUE`` option to ``parser``."""
    parser.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                        help="any other Detector parameter, as a Python literal, e.g. "
                             "--set augment_lower=0.3 (repeatable)")


def detector_settings(parser: argparse.ArgumentParser, items: list[str]) -> dict[str, Any]:
    """The parameters of ``--set`` items; ``parser.error`` names an item that cannot be read."""
    settings: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            parser.error(f"--set {item!r}: write PARAM=VALUE, e.g. --set augment_lower=0.3")
        try:
            settings[name.strip()] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parser.error(f"--set {item}: the value must be a Python literal "
                         "(quote strings: --set class_weight=\"'balanced'\")")
    return settings
