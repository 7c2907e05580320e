"""Known false narratives: the catalogue, the vector index and the match decision."""

from vnmisinfo.narratives.build import (
    build_default_index,
    default_index,
    load_index,
    near_miss_texts,
    save_index,
    train_rewordings,
)
from vnmisinfo.narratives.catalogue import (
    CATEGORIES,
    VERDICTS,
    CatalogueError,
    CatalogueWarning,
    Match,
    Narrative,
    catalogue_problems,
    default_catalogue_path,
    load_catalogue,
    validate_catalogue,
)
from vnmisinfo.narratives.fitting import choose_threshold, pick_threshold
from vnmisinfo.narratives.index import NarrativeIndex
from vnmisinfo.narratives.team import (
    add_narratives,
    build_team_index,
    entries_from_reviewed,
    new_entry,
    team_index,
)

__all__ = [
    "CATEGORIES",
    "VERDICTS",
    "CatalogueError",
    "CatalogueWarning",
    "Match",
    "Narrative",
    "NarrativeIndex",
    "add_narratives",
    "build_default_index",
    "build_team_index",
    "catalogue_problems",
    "choose_threshold",
    "default_catalogue_path",
    "default_index",
    "entries_from_reviewed",
    "load_catalogue",
    "load_index",
    "near_miss_texts",
    "new_entry",
    "pick_threshold",
    "save_index",
    "team_index",
    "train_rewordings",
    "validate_catalogue",
]
