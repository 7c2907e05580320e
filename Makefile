# Two commands do everything on a fresh machine: `make score` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.core-installed
DEV    := $(VENV)/.dev-installed
SAMPLE := corpora/sample/posts.csv

.PHONY: score test lint model install bench clean help

help:  ## List the targets.
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel

$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@ $(CORE)

install: $(CORE)  ## Create .venv and install the package.

score: $(CORE)  ## Score the bundled sample with the shipped default model.
	@mkdir -p out
	$(BIN)/vnmisinfo score $(SAMPLE) -o out/sample_scored.csv --report out/sample_report.html
	@$(BIN)/python -c "import csv; rows = list(csv.DictReader(open('out/sample_scored.csv', encoding='utf-8'))); rows.sort(key=lambda r: -float(r['score'] or 0)); print(f\"{'score':>6}  {'tier':<6}  text\"); [print(f\"{float(r['score']):6.3f}  {r['tier']:<6}  {r['text'][:70]}\") for r in rows[:12]]; print(f'... {len(rows)} rows in out/sample_scored.csv, report in out/sample_report.html')"

lint: $(DEV)  ## ruff and mypy.
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

test: $(DEV) lint  ## Lint, type-check and run the whole test suite (doctests included).
	$(BIN)/python -m pytest -q

model: $(CORE)  ## Rebuild the shipped default model from ../shared/corpora.
	$(BIN)/vnmisinfo train --preset default --data-dir ../shared/corpora -o models/default.skops --jobs 2

bench: $(DEV)  ## Run the benchmarks.
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_robustness.py

clean:  ## Remove the environment and outputs.
	rm -rf $(VENV) out build *.egg-info
