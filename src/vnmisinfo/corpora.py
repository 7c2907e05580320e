"""Corpus loaders: labelled data into one canonical frame.

Every loader returns a :class:`pandas.DataFrame` with the columns of
:data:`RECORD_COLUMNS`: ``id``, ``text``, ``title``, ``likes``, ``comments``,
``shares``, ``timestamp``, ``label`` (1 = false or distorted claim, 0 =
reliable), ``source`` (the file and corpus) and ``domain`` (the outlet, when
known).  Poster identities such as ReINTEL's ``user_name`` are never read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .features import as_frame

__all__ = [
    "RECORD_COLUMNS",
    "CorpusError",
    "default_data_dir",
    "load_reintel",
    "load_training_set",
    "load_vfnd",
]

RECORD_COLUMNS = (
    "id", "text", "title", "likes", "comments", "shares", "timestamp", "label", "source", "domain",
)

#: Explicit label maps; anything else is an error.
LABEL_MAP = {
    "1": 1, "0": 0, "1.0": 1, "0.0": 0,
    "fake": 1, "real": 0, "misleading": 1, "unreliable": 1, "reliable": 0,
    "true": 0, "false": 1,
}


class CorpusError(ValueError):
    """A corpus file is malformed; the message names the file, the place and the fix."""


def default_data_dir() -> Path:
    """Where the public corpora are looked for: ``$VNMISINFO_CORPORA`` or ``../shared/corpora``."""
    return Path(os.environ.get("VNMISINFO_CORPORA", "../shared/corpora"))


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise CorpusError(f"{path}: file not found. Point --data-dir (or VNMISINFO_CORPORA) "
                          "at the folder holding the corpus.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise CorpusError(f"{path}: the file is empty; it needs a header row and data.") from None
    except pd.errors.ParserError as exc:
        raise CorpusError(f"{path}: broken CSV ({exc}). Check the quoting near that line.") from None
    if frame.empty:
        raise CorpusError(f"{path}: the file has a header but no rows.")
    return frame


def _require(frame: pd.DataFrame, path: Path, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CorpusError(
            f"{path}: missing column(s) {missing}; found {list(frame.columns)}. "
            "Rename the columns or use the generic loader with --text-column/--label-column."
        )


def map_labels(values: Iterable[object], path: Path, *, header_lines: int = 1) -> np.ndarray:
    """Map raw labels to 0/1 through :data:`LABEL_MAP`, naming the first bad line.

    Examples
    --------
    >>> map_labels(["fake", "real", "1"], Path("x.csv")).tolist()
    [1, 0, 1]
    """
    out = []
    for i, value in enumerate(values):
        key = str(value).strip().lower()
        if key not in LABEL_MAP:
            raise CorpusError(
                f"{path}, line {i + 1 + header_lines}: unknown label {value!r}; expected one of "
                f"{sorted(LABEL_MAP)}. Fix the label or map it first."
            )
        out.append(LABEL_MAP[key])
    return np.asarray(out, dtype=int)


def _finish(frame: pd.DataFrame, labels: np.ndarray, source: str, ids: Iterable[str],
            domains: Iterable[str] | None = None) -> pd.DataFrame:
    canon = as_frame(frame)
    canon.insert(0, "id", list(ids))
    canon["label"] = labels
    canon["source"] = source
    canon["domain"] = list(domains) if domains is not None else ""
    return canon[list(RECORD_COLUMNS)]


def load_reintel(path: str | Path) -> pd.DataFrame:
    """Load a ReINTEL CSV (``train.csv`` or ``warmup.csv``).

    Empty posts are kept with ``text == ''``; :func:`load_training_set` drops them.
    """
    path = Path(path)
    raw = _read_csv(path)
    _require(raw, path, ["post_message", "label"])
    cols = [c for c in ("post_message", "num_like_post", "num_comment_post", "num_share_post",
                        "timestamp_post") if c in raw.columns]
    labels = map_labels(raw["label"], path)
    ids = [f"reintel:{path.stem}:{v}" for v in raw.get("id", pd.Series(range(len(raw))))]
    return _finish(raw[cols], labels, f"reintel/{path.name}", ids)


def load_vfnd(path: str | Path) -> pd.DataFrame:
    """Load either VFND file: the 223-article CSV or the JSON-derived 274-item CSV.

    ``misleading`` counts as 1.  The outlet goes to ``domain`` (never a feature).
    """
    path = Path(path)
    raw = _read_csv(path)
    _require(raw, path, ["text", "label"])
    keep = raw[[c for c in ("text", "title") if c in raw.columns]]
    labels = map_labels(raw["label"], path)
    dom_col = "source_domain" if "source_domain" in raw.columns else "domain"
    domains = raw[dom_col].tolist() if dom_col in raw.columns else None
    ids = [f"vfnd:{path.stem}:{v}" for v in raw.get("id", pd.Series(range(len(raw))))]
    return _finish(keep, labels, f"vfnd/{path.name}", ids, domains)


def load_training_set(data_dir: str | Path | None = None, *, include_vfnd: bool = True,
                      reintel_only: bool = False) -> pd.DataFrame:
    """The default training set: ReINTEL train + warm-up, plus VFND, deduplicated.

    Empty texts are dropped.  Duplicates (same normalized text) keep their
    first row; groups whose copies disagree on the label are dropped whole.
    """
    from .detector import text_groups
    from .normalize import normalize_text

    root = Path(data_dir) if data_dir is not None else default_data_dir()
    parts = [load_reintel(root / "reintel" / "train.csv"),
             load_reintel(root / "reintel" / "warmup.csv")]
    if include_vfnd and not reintel_only:
        parts += [load_vfnd(root / "vfnd" / "vfnd_articles_223.csv"),
                  load_vfnd(root / "vfnd" / "vfnd_json_274.csv")]
    frame = pd.concat(parts, ignore_index=True)
    joined = [f"{ti}. {t}" if ti else t for t, ti in zip(frame["text"], frame["title"],
                                                           strict=True)]
    norm = [normalize_text(t) for t in joined]
    frame = frame[[bool(n.strip()) for n in norm]].reset_index(drop=True)
    norm = [n for n in norm if n.strip()]
    frame["group"] = text_groups(norm)
    conflicted = frame.groupby("group")["label"].nunique()
    bad = set(conflicted[conflicted > 1].index)
    frame = frame[~frame["group"].isin(bad)].drop_duplicates("group").reset_index(drop=True)
    return frame
