# medreg — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_DIR ?= /tmp/medreg-test-pg-$(shell id -u)
PG_PORT ?= 55432
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help install messages demo test test-postgres test-sqlite lint check-migrations browser-deps bench clean

help: ## List every target
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/activate ## Create the virtualenv and install pinned dependencies
	$(BIN)/pip install -q -c requirements.lock -e ".[dev]"
	$(MAKE) -s messages

messages: ## Compile the console translations (.po -> .mo)
	$(BIN)/python -m medreg.tools.compile_messages

demo: install ## Run the platform on embedded SQLite with demo data at http://127.0.0.1:8000
	DJANGO_SETTINGS_MODULE=medreg.settings.demo $(BIN)/medreg migrate --no-input -v 0
	DJANGO_SETTINGS_MODULE=medreg.settings.demo $(BIN)/medreg demo load
	DJANGO_SETTINGS_MODULE=medreg.settings.demo $(BIN)/medreg demo_trace load
	DJANGO_SETTINGS_MODULE=medreg.settings.demo $(BIN)/medreg demo_vigilance load
	@DJANGO_SETTINGS_MODULE=medreg.settings.demo $(BIN)/medreg demo logins
	DJANGO_SETTINGS_MODULE=medreg.settings.demo $(BIN)/medreg runserver 127.0.0.1:8000 --noreload

browser-deps: ## Install Debian's chromium for the browser tests (when missing and running as root)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || { echo "install Debian's chromium package"; exit 1; }

lint: install ## ruff, import-linter layers, mypy on domain code
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

check-migrations: install ## Fail when models and migrations disagree
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=medreg.settings.test $(BIN)/medreg makemigrations --check --dry-run

test: install browser-deps lint check-migrations ## Run every test on PostgreSQL and on SQLite
	@scripts/run-tests.sh "$(PG_DIR)" "$(PG_PORT)"

bench: install ## Run the benchmarks (docs/benchmarks.md)
	@for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b; done

clean: ## Remove the virtualenv, the embedded database and caches
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
