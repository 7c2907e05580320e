"""The notebooks run top to bottom in a real Jupyter kernel, and are stored with clean outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("[0-9]*.ipynb"))
NAMES = ["01_quickstart", "02_train_and_evaluate", "03_error_analysis", "04_review_loop"]
#: Output text that would leak a machine's layout or a user name.
PRIVATE = ("/work/", "/root/", "/home/", "/Users/")
MAX_BYTES = 1_000_000


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _outputs(path: Path) -> list[dict]:
    return [o for c in _cells(path) if c["cell_type"] == "code" for o in c.get("outputs", [])]


def test_the_four_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == NAMES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_notebook_is_executed_in_order(path):
    counts = [c.get("execution_count") for c in _cells(path) if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: re-run `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_outputs_are_small_clean_and_visual(path):
    outputs = _outputs(path)
    assert outputs, f"{path.name} is stored without outputs"
    assert not [o for o in outputs if o["output_type"] == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert kinds & {"image/png", "text/html"}, f"{path.name} shows no figure or HTML"
    assert path.stat().st_size < MAX_BYTES
    text = json.dumps(outputs)
    leaked = [p for p in PRIVATE if p in text]
    assert not leaked, f"{path.name}: absolute paths in outputs: {leaked}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_a_kernel(path):
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(FOLDER)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
