# Dialogue Archive: `make run` to try it, `make test` to check it. See README.md.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
PORT   ?= 5000
export FLASK_APP = wsgi.py

.PHONY: run test test-fast lint fmt system-deps db-upgrade clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Runtime packages only: what `make run` and production need.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

# Test tools on top.
$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Debian packages the archive calls: ffmpeg for previews, chromium for the browser tests.
system-deps:
	@missing=""; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing with apt-get"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

db-upgrade: $(VENV)/.runtime
	$(BIN)/flask db upgrade

## run: set everything up, start a worker and serve http://127.0.0.1:$(PORT) with the embedded defaults
run: $(VENV)/.runtime db-upgrade
	$(BIN)/flask users ensure-admin
	@$(BIN)/flask worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## test: the whole suite, embedded and scaled configurations
test: $(VENV)/.dev system-deps
	$(BIN)/pytest

## test-fast: the edit-test loop: embedded configuration only, no browser (ARGS="tests/search -x" narrows it)
test-fast: $(VENV)/.dev
	DA_TEST_PROFILES=embedded $(BIN)/pytest -m "not browser" $(ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check archive tests bench wsgi.py

fmt: $(VENV)/.dev
	$(BIN)/ruff format archive tests bench wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache
