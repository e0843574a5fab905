# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The dev server's host as an address names it (an IPv6 address in brackets). Links in
# emails and feeds point at the dev server unless SITE_URL is set already.
URL_HOST := $(if $(findstring :,$(HOST)),[$(HOST)],$(HOST))
SITE_URL ?= http://$(URL_HOST):$(PORT)
# The dev server and load_demo need DEBUG on; production never uses this Makefile.
DEV_ENV := DEBUG=true SITE_URL=$(SITE_URL)

.PHONY: run test install lint format migrate demo db-stop clean chromium bench screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes.
$(VENV)/.installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input

# The emails the demo's action points cause stay in memory rather than fill the
# terminal: load_demo prints one line. The server below prints emails as usual.
demo: migrate
	$(DEV_ENV) EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend $(BIN)/python manage.py load_demo

run: demo
	@echo
	@echo "Notesite is at $(SITE_URL)/ - demo logins (password: $${NOTESITE_DEMO_PASSWORD:-notesite-demo}):"
	@echo "  alice (staff)   bob (attendee)   carol (manager)"
	@echo
	$(DEV_ENV) $(BIN)/python manage.py runserver $(URL_HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Install a Debian package for a command that is missing: $(call apt_install,COMMAND,PACKAGE,WHY)
define apt_install
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's $(2) $(3)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else echo "$(1) not found: install the $(2) package $(3)." >&2; fi; }
endef

# Browser tests drive Debian's Chromium (Playwright may not download browsers); without
# it they are skipped locally and fail in CI.
chromium:
	$(call apt_install,chromium,chromium,for the browser tests)

test: lint chromium
	$(BIN)/python -m pytest

# Load benchmark (docs/benchmarks.md), not part of `make test`: seeds a scale-100
# database once (a few minutes, reused after), then drives gunicorn with wrk (Debian's
# package, installed if missing) for about eight minutes and rewrites docs/benchmarks.md.
bench: install
	$(call apt_install,wrk,wrk,for the benchmark)
	@command -v wrk >/dev/null 2>&1
	$(BIN)/python bench/run.py

# The README's pictures: each person's main page at 1280x800 and 390x844, taken by the
# browser test with the demo data. Rerun after changing a page and commit the PNGs.
screenshots: install chromium
	NOTESITE_SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_screenshots.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

db-stop: install
	@$(BIN)/python -c "import os; from pathlib import Path; from notesite import embedded_db; \
	print('Stopped the embedded PostgreSQL.' if embedded_db.stop(Path(os.environ.get('NOTESITE_PGDATA', '.pgdata')).resolve()) \
	else 'The embedded PostgreSQL is not running.')"

clean: db-stop
	rm -rf $(VENV) .pgdata staticfiles
