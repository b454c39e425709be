# Zone Portfolio — two commands for a new user: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# System libraries WeasyPrint (PDF briefs) needs; installed with apt when missing and root.
WEASYPRINT_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 fonts-dejavu-core

.PHONY: run test quick lint format bench system-libs browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed-app $@

system-libs:
	@missing=""; for lib in $(WEASYPRINT_LIBS); do dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing system libraries:$$missing"; apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
		else echo "Please install these system libraries (Debian/Ubuntu names):$$missing"; exit 1; fi; \
	fi

# Debian's Chromium for the Playwright browser tests (never a downloaded browser).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing chromium for the browser tests"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else echo "Please install Debian's chromium package (apt-get install chromium) for the browser tests."; exit 1; fi; \
	fi

run: system-libs $(VENV)/.installed-app
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: system-libs browser $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings_test
	@# Two processes (a module each) and, beside them, alone, the fault, multi-node and fuzzing suites.
	$(BIN)/python -m tests.run

# The daily inner loop: lint and every test but the browser, fault and worker suites (a minute or two).
quick: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -n 2 --dist loadfile --ignore=tests/faults --ignore=tests/multinode -m "not browser and not worker"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (never part of `make test`): a PostgreSQL database per data set size beside
# BENCH_DATABASE_URL's name (<name>_small, <name>_national, ...), created, migrated and filled on
# first use. BENCH="latency sql_ratio" runs only those; BENCH_SIZES, BENCH_SAMPLES, BENCH_ONLY,
# BENCH_HUGE=1: see README, Benchmarks. `python -m bench.readme` copies the latest table into README.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/zone_portfolio_bench
bench: system-libs $(VENV)/.installed-app
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) db.sqlite3 media private staticfiles .pytest_cache
