# Capacita — `make help` lists the targets.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed ## Create .venv and install Capacita with its test tools

browser: ## Install Debian's Chromium for the browser tests (as root, when missing)
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	    else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

demo: install ## Install, migrate, load the demo and serve it on http://HOST:PORT (default 127.0.0.1:8000)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	LMS_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py load_demo
	LMS_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver --insecure $(HOST):$(PORT)

test: install browser ## Install and run the whole test suite on the embedded defaults
	$(VENV)/bin/pytest -n auto

test-lrs: install ## Run the LRS's tests in a Django site that installs only the lrs app
	$(VENV)/bin/pytest -n auto --create-db --ds=tests.lrs.settings_standalone tests/lrs

lint: install ## ruff, mypy, import-linter layer contract, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

worker: install ## Run a Celery worker (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A lms worker --loglevel=INFO

beat: install ## Run Celery beat (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A lms beat --loglevel=INFO

ci: ## What CI runs: .ci/run
	bash .ci/run

.PHONY: help install browser demo test lint worker beat ci
