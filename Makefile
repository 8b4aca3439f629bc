# Caregivers College. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
# Test processes running side by side (pytest-xdist); each has its own database and Redis db.
TEST_WORKERS ?= auto
export FLASK_APP := wsgi.py

.PHONY: run test test-browser install system-pdf system-browser translations extract browser-deps migrate demo worker bench bench-pages bench-dashboards bench-certificates load-test lint clean

# Installs the Debian packages whose check fails (as root, or through sudo); on another system
# it names what to install. Each item is check=package; a check is a shared library or cmd:name.
define ensure_debian_packages
	@missing=""; \
	for item in $(1); do \
	  check=$${item%%=*}; package=$${item#*=}; \
	  case $$check in \
	    cmd:*) command -v $${check#cmd:} >/dev/null ;; \
	    *) /sbin/ldconfig -p 2>/dev/null | grep -q "$$check" ;; \
	  esac || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  command -v apt-get >/dev/null || { echo "Please install these system packages:$$missing" >&2; exit 1; }; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  echo "Installing the Debian packages$$missing"; \
	  $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
endef

## system-pdf: Pango and HarfBuzz, which WeasyPrint draws PDFs with (Debian packages, when missing)
system-pdf:
	$(call ensure_debian_packages,libpango-1.0.so.0=libpango-1.0-0 libpangoft2-1.0.so.0=libpangoft2-1.0-0 libharfbuzz-subset.so.0=libharfbuzz-subset0)

## system-browser: Chromium and npm for the browser tests (Debian packages, when missing)
system-browser:
	$(call ensure_debian_packages,cmd:$(CHROMIUM)=chromium cmd:npm=npm)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Caregivers College needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1))." \
	         "Run: make PYTHON=python3.12 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## install: the virtual environment with the pinned dependencies
install: system-pdf $(STAMP)

## translations: compile the .po catalogues into .mo files (never committed)
translations: $(STAMP)
	$(BIN)/pybabel compile -d college/translations --statistics

## extract: collect the interface strings into the catalogues; then fill every empty msgstr
extract: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
	  -w 100 -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d college/translations \
	  --ignore-obsolete -w 100
	@echo "Now fill the empty (and fuzzy) msgstr entries in college/translations/nl/LC_MESSAGES/messages.po"

## browser-deps: Debian's chromium and npm (installed when missing), axe-core from the npm registry
browser-deps: system-browser node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## migrate: bring the database (DATABASE_URL, default instance/college.sqlite) up to date
migrate: install translations
	$(BIN)/flask db upgrade

## demo: load the demo into an empty database, and print the demo logins
demo: migrate
	$(BIN)/flask college demo --if-empty

## run: migrate, load the demo on first run, start a certificate worker and the web server
run: demo
	@echo ""
	@echo "Caregivers College runs at http://$(HOST):$(PORT)  (stop with Ctrl+C)"
	@echo "Mails it sends: http://$(HOST):$(PORT)/dev/mailbox"
	@echo ""
	@# Background jobs of a non-interactive shell ignore Ctrl+C: the trap stops the worker.
	$(BIN)/flask college worker & WORKER=$$!; \
	  trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT)

## test: install and run the whole suite, browser tests included (on DATABASE_URL / REDIS_URL when set)
test: install translations browser-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## test-browser: only the tests that drive Chromium (axe-core checks, journeys)
test-browser: install translations browser-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m browser $(PYTEST_ARGS)

## worker: a certificate (and mail) worker on the configured Redis
worker: migrate
	$(BIN)/flask college worker

## load-test: 50 users for 2 minutes against gunicorn, PostgreSQL (LOAD_DATABASE_URL) and a worker; not in `make test`
load-test: install translations
	$(BIN)/python bench/load.py $(LOAD_ARGS)

## lint: ruff (with its security rules) and bandit, as CI runs them
lint: install
	$(BIN)/ruff check college tests bench
	$(BIN)/bandit -q -c pyproject.toml -r college

## bench-dashboards: the dashboards on a large generated organiser and at 10x its history, SQLite and PostgreSQL
bench-dashboards: migrate
	$(BIN)/python bench/dashboards.py --history 1,10

## bench-certificates: certificates per second through the queue, one and two workers
bench-certificates: migrate
	$(BIN)/python bench/certificates.py -n 40

## bench-pages: the pages people wait for, each interleaved with a trivial route, on gunicorn
bench-pages: install translations
	$(BIN)/python bench/pages.py $(BENCH_PAGES_ARGS)

## bench: every benchmark, each printing its table, then one table of every figure against its aim
bench: install translations migrate
	mkdir -p build && rm -f build/bench-summary.jsonl
	BENCH_SUMMARY=build/bench-summary.jsonl $(MAKE) --no-print-directory bench-pages bench-dashboards bench-certificates
	$(BIN)/python bench/summary.py build/bench-summary.jsonl

## clean: remove the virtual environment and the local data (database, Redis file, dev key)
clean:
	rm -rf $(VENV) instance .pytest_cache node_modules build test-artifacts
