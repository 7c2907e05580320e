"""Execute the notebooks in place, top to bottom in a fresh kernel, to refresh their outputs.

Run from the project root (``make notebooks``) or from anywhere::

    python notebooks/run.py [NAME.ipynb ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
TIMEOUT = 300  # seconds per cell


def execute(path: Path) -> nbformat.NotebookNode:
    """Run ``path`` from the notebooks folder in a ``python3`` kernel and return it with outputs."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=TIMEOUT,
                   resources={"metadata": {"path": str(HERE)}}).execute()
    return nb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", metavar="NAME.ipynb",
                        help="notebooks of this folder to run (default: all of them)")
    names = parser.parse_args(argv).notebooks
    paths = [HERE / Path(a).name for a in names] or sorted(HERE.glob("[0-9]*.ipynb"))
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook in {HERE}: {', '.join(missing)}")
    for path in paths:
        start = time.perf_counter()
        nb = execute(path)
        nbformat.write(nb, path)
        print(f"{path.name}: {time.perf_counter() - start:.0f} s, "
              f"{path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
