# One source of truth for set-up, lint and tests: `make demo` and `make test`
# each create .venv and install what they need on a machine with only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test quick lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/northstar demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy rules connectors bot

unit: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint typecheck unit

# the tests without the multi-second ones (end-to-end runs, processes, long property tests);
# `make test` still runs everything
quick: $(VENV)/.installed-dev
	$(BIN)/pytest -m "not slow"

bench: $(VENV)/.installed-dev
	$(BIN)/pytest tests/benchmarks --benchmark-only -p no:randomly

clean:
	rm -rf $(VENV) northstar-demo .pytest_cache .mypy_cache .ruff_cache
