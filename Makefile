# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $(STAMP)

run: $(STAMP)  ## serve the web interface, API and scheduler on ketnap.db with demo data (prints a demo sign-in)
	$(BIN)/ketnap serve --demo

demo: $(STAMP)  ## the command-line demo: create ketnap.db, load the demo organisation, print what is due
	$(BIN)/ketnap demo

# The suite mostly waits on processes, servers, databases and Chromium: two pytest-xdist workers, each with its own
# PostgreSQL database (tests/conftest.py) and temporary files. --dist loadscope keeps a module's tests on one worker,
# in order, so a module-scoped fixture (a server, Chromium, a built data set) starts once, as in a serial run.
TEST_WORKERS ?= 2

test: $(STAMP)  ## the whole test suite (PostgreSQL tests need KETNAP_TEST_DATABASE_URL)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy states storage notifications workflow

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) ketnap.db ketnap.db-wal ketnap.db-shm
