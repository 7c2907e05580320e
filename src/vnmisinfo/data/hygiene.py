"""Corpus hygiene: duplicates, near-duplicates and leakage-safe splits.

Public corpora repeat themselves: ReINTEL holds reposts and contest templates,
and every VFND outlet carries a single label.  A split that puts a copy of a
post on both sides, or an outlet's boilerplate on both sides, measures
memory, not skill.  This module

* deduplicates on normalized text and reports the groups whose copies
  disagree on the label (:func:`deduplicate`);
* groups near-duplicates: TF-IDF character 4-grams, cosine similarity
  ``>= threshold`` (0.9), connected components (:func:`near_duplicate_groups`);
* builds grouped, stratified folds and train/test splits in which no group
  crosses a split, grouping by text or also by outlet (:func:`make_groups`,
  :func:`grouped_folds`, :func:`grouped_train_test_split`);
* summarises a corpus (:func:`corpus_stats`) for ``vnmisinfo corpus-stats``.

Texts are compared after :func:`vnmisinfo.text.normalize.normalize_text`, lower
case and collapsed white space, title first when there is one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.model_selection import StratifiedGroupKFold

from vnmisinfo.data.names import GROUP_BY
from vnmisinfo.data.schema import joined_text
from vnmisinfo.text.normalize import normalize_text

__all__ = [
    "GROUP_BY",
    "NEAR_COPY_CHARS",
    "DedupReport",
    "corpus_stats",
    "deduplicate",
    "drop_empty",
    "grouped_folds",
    "grouped_train_test_split",
    "key_hashes",
    "make_groups",
    "name_conflicts",
    "near_duplicate_groups",
    "near_duplicate_vectorizer",
    "text_groups",
    "seen_in",
    "text_hashes",
    "text_keys",
    "word_keys",
]

_WORD_RE = re.compile(r"\w+")


def text_keys(frame: pd.DataFrame) -> list[str]:
    """Comparison keys: normalized title + text, lower case, collapsed white space.

    Examples
    --------
    >>> text_keys(pd.DataFrame({"text": ["Tin  GIẢ", "tin giả"], "title": ["", ""]}))
    ['tin giả', 'tin giả']
    """
    titles = frame["title"] if "title" in frame.columns else [""] * len(frame)
    return [" ".join(normalize_text(joined_text(str(text), title if isinstance(title, str)
                                                else "")).lower().split())
            for text, title in zip(frame["text"], titles, strict=True)]


def word_keys(keys: Sequence[str]) -> list[str]:
    """The words of comparison keys (:func:`text_keys`): punctuation, emoji and line breaks
    dropped, so that two copies of a post that differ only there read the same.

    Examples
    --------
    >>> word_keys(["tóm gọn. ngày 6.5, công an", "tóm gọn ngày 6 5 công an 😡"])
    ['tóm gọn ngày 6 5 công an', 'tóm gọn ngày 6 5 công an']
    """
    return [" ".join(_WORD_RE.findall(k)) for k in keys]


def text_groups(norm_texts: Sequence[str]) -> np.ndarray:
    """Group ids from normalized text, so that duplicates share a fold.

    Examples
    --------
    >>> g = text_groups(["Tin  giả", "tin giả", "khác"])
    >>> bool(g[0] == g[1]), bool(g[0] == g[2])
    (True, False)
    """
    return _hash_ids([" ".join(t.lower().split()) for t in norm_texts])


def text_hashes(keys: Sequence[str]) -> np.ndarray:
    """64-bit hashes of comparison keys (see :func:`text_keys`); a model keeps these, not texts.

    Examples
    --------
    >>> h = text_hashes(["tin giả", "tin giả", "khác"])
    >>> h.dtype.name, bool(h[0] == h[1]), bool(h[0] == h[2])
    ('uint64', True, False)
    """
    return np.fromiter((int.from_bytes(hashlib.blake2b(k.encode("utf-8", "replace"),
                                                        digest_size=8).digest(), "little")
                        for k in keys), dtype=np.uint64, count=len(keys))


def key_hashes(keys: Sequence[str]) -> np.ndarray:
    """The hashes a model keeps of its training texts: of each comparison key (see
    :func:`text_keys`) and of its words (:func:`word_keys`), sorted and unique, so that
    :func:`seen_in` also knows a copy with other punctuation, emoji or line breaks.

    Examples
    --------
    >>> key_hashes(["tin giả.", "tin giả"]).size  # 'tin giả.', and 'tin giả' twice
    2
    """
    keys = list(keys)
    return np.unique(np.concatenate([text_hashes(keys), text_hashes(word_keys(keys))]))


def seen_in(keys: Sequence[str], hashes: Any) -> np.ndarray:
    """Which comparison keys (see :func:`text_keys`) are among ``hashes`` (a model's
    ``training_hashes``; None: none are), as they are or by their words (:func:`key_hashes`):
    a boolean mask.

    Examples
    --------
    >>> seen_in(["tin giả", "khác", "tin... giả!"], key_hashes(["tin giả"])).tolist()
    [True, False, True]
    """
    if hashes is None:
        return np.zeros(len(keys), dtype=bool)
    keys = list(keys)
    known = np.asarray(hashes, dtype=np.uint64)
    return (np.isin(text_hashes(keys), known)
            | np.isin(text_hashes(word_keys(keys)), known))


def _hash_ids(keys: Sequence[str]) -> np.ndarray:
    digests = [hashlib.blake2b(k.encode("utf-8", "replace"), digest_size=8).hexdigest()
               for k in keys]
    _, ids = np.unique(np.asarray(digests, dtype=object), return_inverse=True)
    return np.asarray(ids, dtype=int)


def _union(*labelings: Any) -> np.ndarray:
    """Connected components of rows linked by sharing any label of any labeling."""
    n = len(labelings[0])
    blocks = []
    for labels in labelings:
        _, codes = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
        blocks.append(sp.csr_matrix((np.ones(n), (np.arange(n), codes))))
    incidence = sp.hstack(blocks).tocsr()
    _, comp = connected_components(incidence @ incidence.T, directed=False)
    return _renumber(comp)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Group ids numbered by first appearance, so results are stable."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return np.asarray(order[inverse], dtype=int)


#: MiB of pairwise similarities computed at once when near-duplicates are linked: a few
#: times quicker and leaner than scikit-learn's default of 1,024, for the same links
#: (``python benchmarks/bench_queue.py`` measures both).
_WORKING_MEMORY = 64
#: The characters of a text that near-copies are judged by (the rest rarely tells copies apart).
NEAR_COPY_CHARS = 4000


def near_duplicate_vectorizer() -> Any:
    """The unfitted TF-IDF of character 4-grams (within word boundaries) by which
    :func:`near_duplicate_groups` compares texts; its vectors have unit length, so a dot
    product is their cosine.

    >>> near_duplicate_vectorizer().ngram_range
    (4, 4)
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), lowercase=False,
                           sublinear_tf=True)


def near_duplicate_groups(keys: Sequence[str], *, threshold: float = 0.9,
                          max_chars: int = NEAR_COPY_CHARS) -> np.ndarray:
    """Group ids joining exact and near-duplicate texts.

    Two texts are linked when their TF-IDF character 4-gram vectors (within
    word boundaries, the first ``max_chars`` characters) have cosine
    similarity ``>= threshold``; groups are the connected components, so
    links are transitive.  Identical keys always share a group.

    Parameters
    ----------
    keys : sequence of str
        Comparison keys, as :func:`text_keys` makes them.
    threshold : float, default=0.9
        Cosine similarity from which two texts are near-duplicates; 1.0
        groups exact copies only.
    max_chars : int, default=4000
        Only the start of long articles is compared, for speed.

    Examples
    --------
    >>> near_duplicate_groups([
    ...     "uống nước chanh nóng mỗi sáng diệt được virus corona, chia sẻ ngay",
    ...     "uống nước chanh nóng mỗi sáng diệt được virus corona, hãy chia sẻ ngay",
    ...     "hà nội nắng nhẹ cuối tuần"]).tolist()
    [0, 0, 1]
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}.")
    exact = _hash_ids(keys)
    if threshold >= 1.0 or len(keys) < 2:
        return _renumber(exact)
    from sklearn import config_context
    from sklearn.neighbors import radius_neighbors_graph

    clipped = [k[:max_chars] if k.strip() else f"\x00empty{i}" for i, k in enumerate(keys)]
    vectors = near_duplicate_vectorizer().fit_transform(clipped)
    with config_context(working_memory=_WORKING_MEMORY):
        graph = radius_neighbors_graph(vectors, radius=1.0 - threshold + 1e-9, metric="cosine",
                                       mode="connectivity", include_self=False)
    _, near = connected_components(graph, directed=False)
    return _union(exact, near)


def make_groups(frame: pd.DataFrame, *, by: str = "text", threshold: float = 0.9,
                keys: Sequence[str] | None = None) -> np.ndarray:
    """Group ids for leakage-safe splits.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame (``text``, ``title``; ``domain`` for ``by="domain"``).
    by : {"exact", "text", "domain"}, default="text"
        ``exact``: identical normalized text; ``text``: exact plus
        near-duplicates (see :func:`near_duplicate_groups`); ``domain``: as
        ``text``, and every document of one outlet in one group (against
        outlet leakage in VFND).  Documents without a domain are grouped by
        text only.
    threshold : float, default=0.9
        Near-duplicate cosine threshold.
    keys : sequence of str, optional
        Precomputed :func:`text_keys`.

    Examples
    --------
    >>> f = pd.DataFrame({"text": ["Tin một", "Tin hai", "Tin ba"], "title": "",
    ...                   "domain": ["a.vn", "a.vn", ""]})
    >>> make_groups(f, by="domain").tolist()
    [0, 0, 1]
    """
    if by not in GROUP_BY:
        raise ValueError(f"group by must be one of {GROUP_BY}, got {by!r}.")
    keys = text_keys(frame) if keys is None else keys
    if by == "exact":
        return _renumber(_hash_ids(keys))
    groups = near_duplicate_groups(keys, threshold=threshold)
    if by == "domain":
        if "domain" not in frame.columns:
            raise ValueError("group by 'domain' needs a 'domain' column; this corpus has none. "
                             "Use by='text'.")
        domains = [f"d:{d}" if isinstance(d, str) and d.strip() else f"g:{g}"
                   for d, g in zip(frame["domain"], groups, strict=True)]
        groups = _union(groups, domains)
    return groups


@dataclass
class DedupReport:
    """What :func:`deduplicate` found and did.

    Attributes
    ----------
    rows_in, rows_out : int
        Rows before and after.
    duplicate_groups : int
        Groups of two or more identical normalized texts.
    duplicates_removed : int
        Extra copies dropped from groups that were kept (their first copy stays).
    conflicting_groups : list of list of str
        Ids of each duplicate group whose copies disagree on the label.
    conflicting_removed : int
        Rows dropped because their group was conflicting (``conflicts="drop"``).
    """

    rows_in: int = 0
    rows_out: int = 0
    duplicate_groups: int = 0
    duplicates_removed: int = 0
    conflicting_groups: list[list[str]] = field(default_factory=list)
    conflicting_removed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON reports."""
        return {
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "duplicate_groups": self.duplicate_groups,
            "duplicates_removed": self.duplicates_removed,
            "conflicting_groups": self.conflicting_groups,
            "conflicting_removed": self.conflicting_removed,
        }

    def __str__(self) -> str:
        return (f"{self.rows_in} rows -> {self.rows_out}: {self.duplicate_groups} duplicate "
                f"groups ({self.duplicates_removed} copies removed), "
                f"{len(self.conflicting_groups)} with conflicting labels "
                f"({self.conflicting_removed} rows removed)")


def deduplicate(frame: pd.DataFrame, *, conflicts: str = "drop",
                keys: Sequence[str] | None = None) -> tuple[pd.DataFrame, DedupReport]:
    """Drop repeated texts (same normalized text), keeping the first copy.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame with ``id``, ``text``, ``title`` and ``label``.
    conflicts : {"drop", "keep"}, default="drop"
        What to do with a duplicate group whose copies disagree on the label:
        drop all of it (no one knows the right label) or keep its first copy.
    keys : sequence of str, optional
        Precomputed :func:`text_keys`.

    Returns
    -------
    frame : DataFrame
        Deduplicated, index reset; ``attrs["keys"]`` holds the kept keys.
    report : DedupReport
        Counts and the ids of the conflicting groups.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["a", "b", "c", "d", "e"], "title": "",
    ...                   "text": ["Tỏi chữa covid", "tỏi  chữa covid", "Mưa to", "mưa to", "Nắng"],
    ...                   "label": [1, 1, 0, 1, 0]})
    >>> out, report = deduplicate(f)
    >>> out["id"].tolist(), report.conflicting_groups
    (['a', 'e'], [['c', 'd']])
    """
    if conflicts not in ("drop", "keep"):
        raise ValueError(f"conflicts must be 'drop' or 'keep', got {conflicts!r}.")
    keys = list(text_keys(frame) if keys is None else keys)
    report = DedupReport(rows_in=len(frame))
    if not len(frame):
        return frame.copy(), report
    groups = _hash_ids(keys)
    sizes = np.bincount(groups)
    report.duplicate_groups = int((sizes > 1).sum())
    keep = np.zeros(len(frame), dtype=bool)
    _, first = np.unique(groups, return_index=True)
    keep[first] = True
    if "label" in frame.columns:
        labels = frame["label"].astype(str).to_numpy()
        ids = frame["id"].astype(str).to_numpy() if "id" in frame.columns else \
            np.arange(len(frame)).astype(str)
        for g in np.flatnonzero(sizes > 1):
            rows = np.flatnonzero(groups == g)
            if len(set(labels[rows])) > 1:
                report.conflicting_groups.append(ids[rows].tolist())
                if conflicts == "drop":
                    keep[rows] = False
                    report.conflicting_removed += len(rows)
    report.duplicates_removed = int(len(frame) - keep.sum() - report.conflicting_removed)
    out = frame[keep].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    out.attrs["keys"] = [k for k, kept in zip(keys, keep, strict=True) if kept]
    report.rows_out = len(out)
    return out, report


def name_conflicts(frame: pd.DataFrame, groups: Sequence[Sequence[str]], *,
                   limit: int = 3) -> str:
    """The conflicting groups of :func:`deduplicate`, for a message: each text, cut, and its ids.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["a", "b", "c"], "text": ["Tỏi chữa covid", "tỏi chữa covid",
    ...                   "Mưa to ở Hà Nội suốt cả tuần, nhiều tuyến phố ngập sâu"]})
    >>> name_conflicts(f, [["a", "b"], ["c", "c"]])
    "'Tỏi chữa covid' (ids a, b); 'Mưa to ở Hà Nội suốt cả tuần, nhiều tuy…' (ids c)"
    """
    ids = frame["id"].astype(str) if "id" in frame.columns else map(str, range(len(frame)))
    texts = {i: " ".join(t.split()) for i, t in zip(ids, frame["text"].astype(str), strict=True)}
    cut = {i: t if len(t) <= 40 else t[:39] + "…" for i, t in texts.items()}
    shown = "; ".join(f"{cut.get(group[0], '')!r} (ids {', '.join(dict.fromkeys(group))})"
                      for group in groups[:limit])
    return shown + (f" and {len(groups) - limit} more" if len(groups) > limit else "")


def drop_empty(frame: pd.DataFrame, *,
               keys: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Drop documents whose normalized text and title are empty; return their ids.

    Examples
    --------
    >>> f = pd.DataFrame({"id": ["a", "b"], "text": ["Tin", "  "], "title": ""})
    >>> out, dropped = drop_empty(f)
    >>> len(out), dropped
    (1, ['b'])
    """
    keys = list(text_keys(frame) if keys is None else keys)
    empty = np.array([not k.strip(" .") for k in keys], dtype=bool)
    ids = frame["id"].astype(str).to_numpy() if "id" in frame.columns else \
        np.arange(len(frame)).astype(str)
    out = frame[~empty].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    out.attrs["keys"] = [k for k, e in zip(keys, empty, strict=True) if not e]
    return out, ids[empty].tolist()


def grouped_folds(y: Any, groups: Any, *, n_splits: int = 5,
                  random_state: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified K folds in which no group is split between train and test.

    Examples
    --------
    >>> folds = grouped_folds([0, 1] * 6, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], n_splits=3)
    >>> [len(test) for _, test in folds]
    [4, 4, 4]
    """
    y = np.asarray(y, dtype=int)
    groups = np.asarray(groups)
    n_groups = len(np.unique(groups))
    if n_splits < 2:
        raise ValueError(f"n_splits must be at least 2, got {n_splits}.")
    if n_groups < n_splits:
        raise ValueError(f"cannot make {n_splits} grouped folds from {n_groups} groups; use "
                         "fewer folds or more data.")
    for cls in (0, 1):
        k = len(np.unique(groups[y == cls]))
        if k < n_splits:
            raise ValueError(f"class {cls} spans only {k} group(s), fewer than the {n_splits} "
                             "folds; use fewer folds or more labelled data.")
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    return [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(y, y, groups=groups)]


def grouped_train_test_split(y: Any, groups: Any, *, test_size: float = 0.2,
                             random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of a stratified train/test split that keeps every group on one side.

    The test part is one fold of ``round(1 / test_size)`` grouped folds.

    Examples
    --------
    >>> tr, te = grouped_train_test_split([0, 1] * 10, list(range(10)) * 2, test_size=0.2)
    >>> len(te), set(np.arange(10)[tr % 10]).isdisjoint(te % 10)
    (4, True)
    """
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}.")
    n_splits = max(2, int(round(1.0 / test_size)))
    return grouped_folds(y, groups, n_splits=n_splits, random_state=random_state)[0]


def _quantiles(values: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    if not arr.size:
        return {}
    qs = {"min": 0.0, "p10": 0.1, "p50": 0.5, "p90": 0.9, "p99": 0.99, "max": 1.0}
    return {k: float(np.quantile(arr, q)) for k, q in qs.items()}


def corpus_stats(frame: pd.DataFrame, *, threshold: float = 0.9) -> dict[str, Any]:
    """Sizes, label balance, duplicates, empty texts, lengths and domains of a corpus.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame (:data:`vnmisinfo.data.corpora.RECORD_COLUMNS`).
    threshold : float, default=0.9
        Near-duplicate cosine threshold.

    Returns
    -------
    dict
        ``rows``, ``by_source`` (rows and positives per file), ``labels``
        (counts, with ``unlabelled``), ``empty`` (ids), ``exact`` and
        ``near`` duplicate counts (groups, rows in them, extra copies),
        ``conflicting`` (exact groups and near groups with both labels, their
        ids), ``length_chars`` and ``length_syllables`` quantiles, and
        ``domains`` (rows, positives and labelled rows per outlet) when present.

    Examples
    --------
    >>> f = pd.DataFrame({"id": list("abc"), "text": ["Tỏi chữa covid", "tỏi chữa covid", ""],
    ...                   "title": "", "label": [1, 1, 0], "source": "x", "domain": ""})
    >>> s = corpus_stats(f)
    >>> s["exact"]["extra_copies"], s["empty"]
    (1, ['c'])
    """
    keys = text_keys(frame)
    nonempty = np.array([bool(k.strip(" .")) for k in keys])
    ids = frame["id"].astype(str).to_numpy()
    labels = frame["label"]
    labelled = labels.notna().to_numpy()
    lab = np.where(labelled, pd.to_numeric(labels, errors="coerce").fillna(-1), -1).astype(int)
    stats: dict[str, Any] = {"rows": int(len(frame))}
    by_source = {}
    for source, part in frame.groupby("source", sort=False):
        plab = pd.to_numeric(part["label"], errors="coerce")
        by_source[str(source)] = {"rows": int(len(part)), "positives": int((plab == 1).sum())}
    stats["by_source"] = by_source
    stats["labels"] = {"1": int((lab == 1).sum()), "0": int((lab == 0).sum()),
                       "unlabelled": int((~labelled).sum())}
    stats["empty"] = ids[~nonempty].tolist()
    kept_keys = [k for k, ok in zip(keys, nonempty, strict=True) if ok]
    kept = np.flatnonzero(nonempty)

    def summarise(groups: np.ndarray) -> tuple[dict[str, int], list[list[str]]]:
        sizes = np.bincount(groups) if len(groups) else np.zeros(0, dtype=int)
        multi = np.flatnonzero(sizes > 1)
        conflicts = []
        for g in multi:
            rows = kept[groups == g]
            if len({int(v) for v in lab[rows] if v >= 0}) > 1:
                conflicts.append(ids[rows].tolist())
        return ({"groups": int(len(multi)), "rows": int(sizes[multi].sum()),
                 "extra_copies": int((sizes[multi] - 1).sum())}, conflicts)

    exact, exact_conf = summarise(_hash_ids(kept_keys) if kept_keys else np.zeros(0, int))
    near, near_conf = summarise(near_duplicate_groups(kept_keys, threshold=threshold)
                                if kept_keys else np.zeros(0, int))
    near["threshold"] = threshold  # type: ignore[assignment]
    stats["exact"] = exact
    stats["near"] = near
    stats["conflicting"] = {"exact": exact_conf, "near": near_conf}
    stats["length_chars"] = _quantiles([len(str(t)) + len(str(ti)) for t, ti in  # title + text
                                        zip(frame["text"], frame["title"], strict=True)])
    stats["length_syllables"] = _quantiles([len(_WORD_RE.findall(k)) for k in keys])
    domains = frame["domain"].astype(str) if "domain" in frame.columns else pd.Series([], dtype=str)
    if (domains.str.strip() != "").any():
        table = {}
        for dom, part in frame[domains.str.strip() != ""].groupby("domain"):
            plab = pd.to_numeric(part["label"], errors="coerce")
            table[str(dom)] = {"rows": int(len(part)), "positives": int((plab == 1).sum()),
                               "labelled": int(plab.isin([0, 1]).sum())}
        stats["domains"] = dict(sorted(table.items(), key=lambda kv: -kv[1]["rows"]))
        single = sum(1 for v in table.values()  # of the outlets with labels, one label each
                     if v["labelled"] and v["positives"] in (0, v["labelled"]))
        stats["single_label_domains"] = int(single)
    return stats
