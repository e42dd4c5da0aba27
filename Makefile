# Dialogue Archive: `make run` to try it, `make test` to check it. See README.md.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
PORT   ?= 5000
export FLASK_APP = wsgi.py

.PHONY: run test test-fast lint fmt lock lock-upgrade system-deps db-upgrade clean messages translations

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Runtime packages only: what `make run` and production need, at the versions (and hashes) locked.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --no-deps -r requirements.lock
	touch $@

# Test tools on top.
$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install -q --no-deps -r requirements-dev.lock
	touch $@

# The lock files: requirements*.txt say what the archive needs (floors), the .lock files what is
# installed, pinned with hashes for Python 3.11. `make lock` after editing a requirements file
# (pins that still fit are kept); `make lock-upgrade` moves every pin to the newest release.
# The locks pin every package, so they install with --no-deps; requirements-overrides.txt
# replaces a dependency's own cap where it is wrong for us (each override says why).
LOCK = $(BIN)/uv pip compile --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock" \
       --override requirements-overrides.txt
lock: | $(BIN)/python
	$(BIN)/pip install -q "uv>=0.5"
	$(LOCK) $(LOCK_FLAGS) requirements.txt -o requirements.lock
	$(LOCK) $(LOCK_FLAGS) requirements-dev.txt -c requirements.lock -o requirements-dev.lock

lock-upgrade:
	$(MAKE) lock LOCK_FLAGS=--upgrade

# Debian packages the archive calls: ffmpeg for previews, chromium for the browser tests, and a
# one-node Ceph cluster with its RADOS Gateway, the S3 server of the scaled tests (started by them),
# nginx in front of gunicorn as deploy/ sets it up, and pg_dump/pg_restore for `flask backup` on PostgreSQL.
system-deps:
	@missing=""; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v ceph-mon >/dev/null || missing="$$missing ceph-mon"; \
	command -v ceph-osd >/dev/null || missing="$$missing ceph-osd"; \
	command -v radosgw >/dev/null || missing="$$missing radosgw"; \
	command -v ceph >/dev/null || missing="$$missing ceph-common"; \
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing with apt-get"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# The interface's message catalogs (archive/translations): `make messages` after changing any
# user-visible text extracts it and adds it, untranslated, to each language's messages.po;
# `make translations` compiles the .mo files the app reads (run and test do it themselves).
messages: $(VENV)/.runtime
	$(BIN)/python -m archive.i18n.catalogs update
	$(BIN)/python -m archive.i18n.catalogs check || true

translations: $(VENV)/.runtime
	$(BIN)/python -m archive.i18n.catalogs compile

db-upgrade: $(VENV)/.runtime
	$(BIN)/flask db upgrade

## run: set everything up, start a worker and serve http://127.0.0.1:$(PORT) with the embedded defaults
run: $(VENV)/.runtime translations db-upgrade
	$(BIN)/flask users ensure-admin
	@$(BIN)/flask worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Test processes (pytest-xdist): one per core, at most four (each runs its own Ceph cluster and
# Chromium, with a database and Redis database of its own); TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(4, len(os.sched_getaffinity(0))))')

## test: the whole suite, embedded and scaled configurations
test: $(VENV)/.dev system-deps translations
	$(BIN)/pytest -n $(TEST_WORKERS)

## test-fast: the edit-test loop: embedded configuration only, no browser (ARGS="tests/search -x" narrows it)
test-fast: $(VENV)/.dev translations
	DA_TEST_PROFILES=embedded $(BIN)/pytest -n $(TEST_WORKERS) -m "not browser" $(ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check archive tests bench wsgi.py

fmt: $(VENV)/.dev
	$(BIN)/ruff format archive tests bench wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache
