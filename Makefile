# One source of truth for set-up, lint and tests: `make demo` and `make test`
# each create .venv and install what they need on a machine with only python3.
# Dependencies come from the hashed lock files, compiled from pyproject.toml by `make lock`:
# requirements.lock (what runs: demo, the container image) and requirements-dev.lock (that plus
# the test and lint tools, the same versions of what they share).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest release pyproject.toml allows;
# without it the existing pins are kept and only what pyproject.toml changed is re-resolved
LOCK_FLAGS ?=
COMPILE = $(abspath $(BIN))/uv pip compile pyproject.toml --universal --generate-hashes \
	--python-version 3.11 --custom-compile-command "make lock" --quiet

.PHONY: demo test quick lint typecheck unit bench clean lock lock-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

lock: $(VENV)/.installed-dev
	$(COMPILE) $(LOCK_FLAGS) -o $(LOCK)
	$(COMPILE) $(LOCK_FLAGS) --extra dev -c $(LOCK) -o $(DEV_LOCK)

# The lock files must be what `make lock` would write from pyproject.toml now, keeping their
# pins: compiled again in a scratch folder and compared, so a dependency added to or bounded in
# pyproject.toml without `make lock` fails here (a new upstream release alone does not).
lock-check: $(VENV)/.installed-dev
	@scratch=$$(mktemp -d) && cp pyproject.toml $(LOCK) $(DEV_LOCK) $$scratch/ \
	&& (cd $$scratch && $(COMPILE) -o $(LOCK) && $(COMPILE) --extra dev -c $(LOCK) -o $(DEV_LOCK)) \
	&& if diff -u $(LOCK) $$scratch/$(LOCK) && diff -u $(DEV_LOCK) $$scratch/$(DEV_LOCK); then \
		rm -rf $$scratch; \
	else \
		rm -rf $$scratch; \
		echo "$(LOCK) or $(DEV_LOCK) does not match pyproject.toml: run 'make lock' and commit both" >&2; \
		exit 1; \
	fi

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
	@if [ -z "$$NORTHSTAR_TEST_DATABASE_URL" ]; then \
		echo "The PostgreSQL tests were skipped; to include them, give them a server:" \
			"NORTHSTAR_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make test"; \
	fi

test: lock-check lint typecheck unit

# the tests without the multi-second ones (end-to-end runs, processes, long property tests);
# `make test` still runs everything
quick: $(VENV)/.installed-dev
	$(BIN)/pytest -m "not slow"

bench: $(VENV)/.installed-dev
	$(BIN)/pytest tests/benchmarks --benchmark-only -p no:randomly

clean:
	rm -rf $(VENV) northstar-demo .pytest_cache .mypy_cache .ruff_cache
