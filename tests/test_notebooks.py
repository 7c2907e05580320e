"""The notebooks run top to bottom against the installed package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_code_cells_run(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [("".join(c["source"])) for c in cells if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    namespace: dict[str, object] = {}
    for source in code:
        exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - our own notebook
    if path.stem == "quickstart":
        results = namespace["results"]
        assert len(results) == 3 and all(r["tier"] in {"high", "medium", "low"} for r in results)
        assert namespace["frame"]["probability"].between(0, 1).all()
