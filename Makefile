# Two commands do everything on a fresh machine: `make score` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORE   := $(VENV)/.core-installed
DEV    := $(VENV)/.dev-installed
SAMPLE := corpora/sample/posts.csv

.PHONY: score test lint model marks install bench notebooks clean help

help:  ## List the targets.
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel

# An editable install leaves the package's modules uncompiled, and with PYTHONDONTWRITEBYTECODE
# set every new process compiles them again (about 0.15 s of each start-up): compile them once,
# as installing a wheel does.
$(CORE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m compileall -q src
	touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev,notebooks]"
	$(BIN)/python -m compileall -q src
	touch $@ $(CORE)

install: $(CORE)  ## Create .venv and install the package.

score: $(CORE)  ## Score the bundled sample with the shipped default model.
	@mkdir -p out
	$(BIN)/vnmisinfo score $(SAMPLE) -o out/sample_scored.csv --report out/sample_report.html
	@$(BIN)/python -c "import csv; rank = {'high': 0, 'medium': 1, 'low': 2}; rows = [r for r in csv.DictReader(open('out/sample_scored.csv', encoding='utf-8')) if r['vnm_score']]; rows.sort(key=lambda r: (rank.get(r['vnm_tier'], 3), -float(r['vnm_score']))); print(f\"{'vnm_score':>9}  {'vnm_tier':<8}  text\"); [print(f\"{float(r['vnm_score']):9.3f}  {r['vnm_tier']:<8}  {r['text'][:70]}\") for r in rows[:12]]; print(f'... {len(rows)} scored rows in out/sample_scored.csv, report in out/sample_report.html')"

lint: $(DEV)  ## ruff and mypy.
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/mypy src

test: $(DEV) lint  ## Lint, type-check and run the whole test suite (doctests included).
	$(BIN)/python -m pytest -q

model: $(CORE)  ## Rebuild the shipped models (default, and fast for score --fast) from ../shared/corpora.
	$(BIN)/vnmisinfo train --preset default --data-dir ../shared/corpora -o models/default.skops --jobs 2
	$(BIN)/vnmisinfo train --preset fast --data-dir ../shared/corpora -o models/fast.skops --jobs 2

marks: $(CORE)  ## Rebuild the tables that put tone marks back (src/vnmisinfo/data/marks.tsv.gz) from ../shared/corpora.
	$(BIN)/python benchmarks/build_marks.py --data-dir ../shared/corpora --check

bench: $(DEV)  ## Run the benchmarks.
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_robustness.py
	$(BIN)/python benchmarks/bench_tiers.py
	$(BIN)/python benchmarks/bench_nonclaims.py
	$(BIN)/python benchmarks/bench_context.py --folds 3

notebooks: $(DEV)  ## Re-execute the notebooks in place to refresh their stored outputs.
	$(BIN)/python notebooks/run.py

clean:  ## Remove the environment and outputs.
	rm -rf $(VENV) out build *.egg-info
