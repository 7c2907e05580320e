"""Training-time augmentation: copies of training documents as people also type them.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from vnmisinfo.model.features import Preprocessor
>>> frame = Preprocessor(segment=False).transform(["Hà Nội, mưa to!"])
>>> out = augment(frame, np.array([1]), np.array([0]), np.ones(1),
...               {"lower": 1.0}, 0, Preprocessor(segment=False).transform)
>>> out[0]["text"].tolist(), out[1].tolist()
(['Hà Nội, mưa to!', 'hà nội  mưa to '], [1, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from vnmisinfo.text.accents import strip_diacritics
from vnmisinfo.text.tokenize import lower_without_punctuation

__all__ = ["AUGMENTATIONS", "augment"]

#: How each augmentation retypes a text.
AUGMENTATIONS: dict[str, Callable[[str], str]] = {
    "no_diacritics": strip_diacritics,
    "lower": lower_without_punctuation,
}


def augment(frame: pd.DataFrame, y: np.ndarray, groups: np.ndarray, weights: np.ndarray,
            shares: Mapping[str, float], seed: int,
            preprocess: Callable[[pd.DataFrame], pd.DataFrame]) -> tuple[Any, ...]:
    """Add, for each augmentation, a retyped copy of a random ``share`` of the documents.

    A copy keeps its original's label, group (so it never sits on the other
    side of a fold) and weight.  Returns ``(frame, y, groups, weights)``.
    """
    rng = np.random.default_rng(seed)
    frames, ys, gs, ws = [frame], [y], [groups], [weights]
    for name, share in shares.items():
        if share <= 0:
            continue
        retype = AUGMENTATIONS[name]
        pick = np.flatnonzero(rng.random(len(frame)) < share)
        extra = frame.iloc[pick].drop(columns=["norm", "words", "syll", "plain"]).copy()
        extra["text"] = [retype(t) for t in extra["text"]]
        extra["title"] = [retype(t) for t in extra["title"]]
        frames.append(preprocess(extra))
        ys.append(y[pick])
        gs.append(groups[pick])
        ws.append(weights[pick])
    if len(frames) == 1:
        return frame, y, groups, weights
    return (pd.concat(frames, ignore_index=True), np.concatenate(ys), np.concatenate(gs),
            np.concatenate(ws))
