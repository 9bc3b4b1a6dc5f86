# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test setup check-python lint bench outdated

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "Sadlist needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1)); install one (e.g. apt install python3.11, or pyenv) and run: make PYTHON=python3.11 run"; exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalogue
	$(BIN)/python manage.py make_covers

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The pins in requirements*.txt that have a newer release (of any line) on the index.
outdated: $(VENV)/.installed-dev
	@sed -nE 's/^([A-Za-z0-9_.-]+)(\[[^]]*\])?==.*/\1/p' requirements.txt requirements-dev.txt \
	  | tr 'A-Z_' 'a-z-' > $(VENV)/.pinned
	@$(BIN)/pip list --outdated --disable-pip-version-check \
	  | awk 'NR == FNR { pinned[$$1]; next } FNR <= 2 || (tolower($$1) in pinned)' $(VENV)/.pinned -

# Load every page with wrk against gunicorn on SQLite and PostgreSQL (see bench/README.md).
# Extra flags: make bench BENCH_ARGS="--db sqlite --duration 5"
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)
