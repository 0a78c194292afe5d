# The README's two commands: `make demo` runs the reference scenario live,
# `make test` sets up and runs lint, type check and the test suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: the demo needs podlab's runtime dependencies only; lint, type check and tests
# need the test extras as well (pytest, ruff, mypy, the kubernetes client, ...).
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Bytecode for every module, as installing a wheel writes it: an editable install has none,
# and built-in images run with PYTHONDONTWRITEBYTECODE (their root is read-only), so without
# it every pod compiled the stub's or agnhost's ~80 modules at each start (a third more CPU
# per start; with thirty pods starting, 1 s probe timeouts in the tests).
$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/python -m compileall -q src/podlab
	touch $(RUNTIME)

# The test extras include the runtime dependencies, so this stamp serves the demo too.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q src/podlab
	touch $(STAMP) $(RUNTIME)

demo: $(RUNTIME)
	$(BIN)/podlab up -f examples/seed/wiremock-liveness.yaml

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Tests marked `serial` run alone, after the parallel run: they load the whole machine on
# purpose (a 400-container pod starved timing-sensitive tests beside it) or need it quiet (the
# probe catalogue's thirty pods with 1 s probe timeouts).
# Three workers on two cores: most e2e time is waiting on probe periods, not CPU (at -n 2 the
# suite kept 1.1 cores busy on average).
WORKERS ?= 3
pytest: $(STAMP)
	$(BIN)/pytest -n $(WORKERS) --dist loadfile -m "not serial"
	$(BIN)/pytest -m serial

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/node_bench.py
	$(BIN)/python bench/stub_bench.py

clean:
	rm -rf $(VENV) build src/*.egg-info
