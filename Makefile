# KCR hub — one Makefile. `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup jars browser demo test lint format pytest bench clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

jars: $(STAMP)  ## fetch the Kafka broker jars from Maven Central (once)
	$(BIN)/kcr broker install

browser:  ## Debian's Chromium for the dashboard's browser tests (Playwright drives it; no download)
	@command -v chromium >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "chromium is missing: install it (Debian: apt-get install chromium)"; exit 1; }; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

setup: $(STAMP) jars  ## virtual environment, dependencies and Kafka jars

demo: setup  ## run the hub on a local broker with a simulated national scenario
	$(BIN)/kcr demo $(DEMO_ARGS)

lint: $(STAMP)  ## ruff (lint + format check), mypy --strict, schema drift check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy hub connectors tests bench
	$(BIN)/python -m hub.contracts.avro_schema --check schemas/

format: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

pytest: setup browser  ## the whole test suite (starts its own Kafka broker when none answers)
	$(BIN)/pytest $(PYTEST_ARGS)

test: setup lint pytest  ## set-up, lint and the whole test suite, Kafka tests included

bench: setup  ## benchmarks with baselines in the same run; writes bench/results.json
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:  ## remove the virtual environment and local data
	rm -rf $(VENV) .kcr .mypy_cache .ruff_cache .pytest_cache
