# Mutua's two commands. `make run` serves a demo community; `make test` runs the whole suite.
# Both create .venv on first use, so a fresh machine with Python 3.11+ needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test typecheck pytest audit lock clean

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Mutua needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

# requirements.lock pins every dependency to the version CI tested and `make audit` checked.
$(VENV)/.installed-run: $(VENV)/.python-ok pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.python-ok pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e ".[test]"
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	MUTUA_DEBUG=1 $(BIN)/mutua migrate --noinput -v 0
	MUTUA_DEBUG=1 $(BIN)/mutua demo
	@echo "Serving Mutua on http://$(HOST):$(PORT)/ with a background worker (Ctrl-C stops both)."
	@MUTUA_DEBUG=1 $(BIN)/mutua worker --no-reload --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  MUTUA_DEBUG=1 $(BIN)/mutua runserver --noreload $(HOST):$(PORT)

typecheck: $(VENV)/.installed-test
	MUTUA_DEBUG=1 $(BIN)/mypy

# The suite runs on every core (pytest-xdist), each test file whole on one worker.
PYTEST_PARALLEL ?= -n auto --dist loadfile

pytest: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_PARALLEL)

test: $(VENV)/.installed-test
	$(BIN)/ruff check src
	MUTUA_DEBUG=1 $(BIN)/mypy
	$(BIN)/pytest $(PYTEST_PARALLEL)

# Known vulnerabilities in the locked dependencies, from PyPI's advisory data (needs pypi.org's JSON API).
audit: $(VENV)/.installed-test
	$(BIN)/pip-audit --requirement requirements.lock --no-deps --disable-pip --strict --progress-spinner off

# Re-resolve the dependencies in a scratch environment and pin what it installed.
lock: $(VENV)/.python-ok
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet -e ".[test]"
	{ sed -n '1,2p' requirements.lock; var/lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf var/lock-venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
