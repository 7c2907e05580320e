"""Collection rules for the whole tree: the deprecated aliases are tested, not doctested."""

ALIASES = ("tokenize", "features", "detector", "explain", "persist", "corpora", "hygiene",
           "metrics", "calibrate", "evaluate", "train", "claimreview")

# Importing an alias warns on purpose; tests/test_deprecations.py checks each one.
collect_ignore = [f"src/vnmisinfo/{name}.py" for name in ALIASES]
