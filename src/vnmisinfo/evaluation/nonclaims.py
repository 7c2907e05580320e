"""Hand-written posts that teach the detector what is, and is not, a factual claim.

The public corpora teach a style as much as a content: in ReINTEL, a question,
a personal tone or the informal register (``em``, ``ạ``, ``ơi``) comes with
unreliable posts far more often than with reliable ones, so a model fitted on
them alone scores a parent asking a doctor about a fever, or a film review,
like a rumour.  ``train_nonclaims.jsonl``, beside the shipped catalogue, holds
posts written for the project in that same register, with and without
diacritics and in teencode:

* label 0: opinions and reviews, opinions on public policy (criticism,
  support, demands; no invented fact), questions that relay no claim, and
  everyday personal posts, among them invitations, notices and greetings in
  the register of calls to share ("Mọi người ơi...", "nhé"), which ReINTEL's
  rumours share;
* label 1: questions and hedged posts that relay a specific false claim, and
  informal posts that assert one.

They join the training data of :func:`vnmisinfo.evaluation.train.train_preset`
with the weight of any public document, and every training fold of its
cross-validation (never a test fold).  ``eval_nonclaims.jsonl``, written
apart from them by another writer, is held out:
``benchmarks/bench_nonclaims.py`` measures it, and ``eval_everyday.jsonl``
(everyday posts, held out from the everyday posts of the training file).

Examples
--------
>>> frame = load_nonclaims()
>>> sorted(set(frame["source"])), len(frame) >= 250, sorted(set(frame["label"]))
(['nonclaims'], True, [0, 1])
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from vnmisinfo.data.corpora import load_table
from vnmisinfo.data.hygiene import text_keys
from vnmisinfo.narratives import default_catalogue_path

__all__ = ["SOURCE", "load_nonclaims", "nonclaims_path", "with_nonclaims"]

#: The ``source`` of these rows in a training frame.
SOURCE = "nonclaims"


def nonclaims_path() -> Path:
    """``train_nonclaims.jsonl``, beside the shipped catalogue.

    >>> nonclaims_path().name
    'train_nonclaims.jsonl'
    """
    return default_catalogue_path().with_name("train_nonclaims.jsonl")


def load_nonclaims(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-written training posts (``text``, ``label``), as training records.

    Parameters
    ----------
    path : str or Path, optional
        A JSON Lines file with ``text`` and ``label``; default:
        ``train_nonclaims.jsonl`` beside the shipped catalogue.
    """
    frame = load_table(Path(path) if path is not None else nonclaims_path())
    frame["source"] = SOURCE
    return frame


def with_nonclaims(data: pd.DataFrame, path: str | Path | None = None) -> pd.DataFrame:
    """``data`` (with ``group`` and ``key``) and the hand-written posts it does not hold yet.

    A post whose normalized text is already in ``data`` is left out; the others
    get groups of their own.
    """
    extra = load_nonclaims(path)
    extra["key"] = text_keys(extra)
    extra = extra[~extra["key"].isin(set(data["key"]))].reset_index(drop=True)
    start = int(pd.to_numeric(data["group"]).max()) + 1 if len(data) else 0
    extra["group"] = np.arange(start, start + len(extra))
    return pd.concat([data, extra], ignore_index=True)
