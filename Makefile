# Each target creates .venv and installs requirements.txt on first use, so a
# fresh clone needs only Python 3.11 and make. Every target has a
# `python -m kit ...`, `python -m datagen ...` or `python -m benchmarks`
# equivalent, shown beside it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

LAB_ARGS ?=
# Two workers, one test module each, so session fixtures stay on one worker.
PYTEST_ARGS ?= -n 2 --dist loadfile
DATAGEN_ARGS ?=
NOTEBOOKS ?=
BENCH_ARGS ?=

.PHONY: install lab test test-e2e check data solutions lint bench

install: $(INSTALLED)

$(INSTALLED): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(INSTALLED)

# python -m kit lab
lab: install
	$(PY) -m kit lab $(LAB_ARGS)

# python -m pytest
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# python -m pytest tests/e2e
# The notebooks in JupyterLab, driven through /usr/bin/chromium. The tests
# are skipped when it is missing.
test-e2e: install
	$(PY) -m pytest tests/e2e

# python -m kit check [NOTEBOOK ...]
check: install
	$(PY) -m kit check $(NOTEBOOKS)

# python -m datagen
data: install
	$(PY) -m datagen $(DATAGEN_ARGS)

# python -m kit build-solutions
solutions: install
	$(PY) -m kit build-solutions

# python -m benchmarks; writes benchmarks/RESULTS.md. Not part of `make test`.
bench: install
	$(PY) -m benchmarks $(BENCH_ARGS)

# python -m ruff check . && python -m ruff format --check .
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
