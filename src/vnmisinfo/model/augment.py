"""Training-time augmentation: copies of training documents as people also type them.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from vnmisinfo.model.features import Preprocessor
>>> frame = Preprocessor(segment=False).transform(["Hà Nội, mưa to!"])
>>> out, (y,) = augment(frame, [np.array([1])], {"lower": 1.0}, 0,
...                      Preprocessor(segment=False).transform)
>>> out["text"].tolist(), y.tolist()
(['Hà Nội, mưa to!', 'hà nội  mưa to '], [1, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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


def augment(frame: pd.DataFrame, arrays: Sequence[np.ndarray], shares: Mapping[str, float],
            seed: int, preprocess: Callable[[pd.DataFrame], pd.DataFrame]
            ) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """Add, for each augmentation, a retyped copy of a random ``share`` of the documents.

    ``arrays`` hold one value per document (labels, groups, weights, ...): a
    copy keeps its original's values, so it keeps its label, never sits on the
    other side of a fold from it, and weighs what it does.  Returns the frame
    and the arrays, extended.
    """
    rng = np.random.default_rng(seed)
    frames, columns = [frame], [[a] for a in arrays]
    for name, share in shares.items():
        if share <= 0:
            continue
        retype = AUGMENTATIONS[name]
        pick = np.flatnonzero(rng.random(len(frame)) < share)
        extra = frame.iloc[pick].drop(columns=["norm", "words", "syll", "plain"]).copy()
        extra["text"] = [retype(t) for t in extra["text"]]
        extra["title"] = [retype(t) for t in extra["title"]]
        frames.append(preprocess(extra))
        for parts, a in zip(columns, arrays, strict=True):
            parts.append(a[pick])
    if len(frames) == 1:
        return frame, list(arrays)
    return pd.concat(frames, ignore_index=True), [np.concatenate(parts) for parts in columns]
