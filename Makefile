# PeerMatch: `make run` serves the API on the embedded default; `make test` runs everything.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
# pytest processes: most tests wait on servers and subprocesses, so three share two cores well.
TEST_WORKERS ?= 3

.PHONY: run test install system-deps lint typecheck unit compose-config screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(STAMP)

system-deps:
	@scripts/install-system-deps.sh

run: install
	@mkdir -p var
	$(BIN)/alembic upgrade head
	$(BIN)/peermatch seed-demo
	exec $(BIN)/peermatch run --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy services workers

unit: install system-deps
	$(BIN)/pytest -n $(TEST_WORKERS)

# No Docker engine runs here, but docker-compose (1.29, Debian's) validates the file, so a
# broken docker-compose.yml fails CI.
compose-config: system-deps
	SECRET_KEY=x docker-compose -f docker-compose.yml config --quiet

test: lint typecheck compose-config unit

# Each main page at 1280 px and 390 px wide, as the demo's people see it: var/screenshots/.
screenshots: install system-deps
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
