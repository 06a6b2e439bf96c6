# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test check bench screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "retrocoach needs Python 3.11 or newer: make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The desktop app (the simulated treadmill and strap are one click away in it).
run: $(STAMP)
	$(BIN)/retrocoach

# A short simulated session in the console, 30 times faster than real time.
demo: $(STAMP)
	$(BIN)/retrocoach run --workout first-steps --treadmill sim --hrm sim --speedup 30

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/fuzz_protocol.py
	$(BIN)/python benchmarks/gui.py
	$(BIN)/python benchmarks/cue_timing.py
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/gym.py

# The README's screenshots, from the real widgets (offscreen).
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots/make_screenshots.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
