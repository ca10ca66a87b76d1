# Fanshelf: two commands do all set-up on a fresh machine with Python 3.11+ and make.
#   make demo   installs Fanshelf in .venv, imports the demo collection into .fanshelf-demo and serves it
#               on http://127.0.0.1:8000 (Ctrl-C stops it)
#   make test   installs the test tools and runs ruff, mypy and the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck install dev bench taxonomy clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

DEMO_DATA ?= .fanshelf-demo

demo: install
	$(BIN)/fanshelf --data $(DEMO_DATA) import src/fanshelf/examples
	$(BIN)/fanshelf --data $(DEMO_DATA) serve

lint: dev
	$(BIN)/ruff check src tests scripts bench

typecheck: dev
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

bench: install
	$(BIN)/python bench/parse.py

taxonomy: install
	$(BIN)/python scripts/build_taxonomy.py ../shared/data

clean:
	rm -rf $(VENV) $(DEMO_DATA) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
