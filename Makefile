# Comity: `make run` for a local site on embedded defaults, `make test` for the full suite
# on the real engines. Everything is installed from the package registries.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
MANAGE := $(VENV)/bin/python manage.py
PYTEST := $(VENV)/bin/pytest
HOST ?= 127.0.0.1
PORT ?= 8000

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# uv trusts the system's CA bundle (some networks re-sign TLS).
export UV_SYSTEM_CERTS := 1

.PHONY: help install python-deps assets run worker test test-real test-embedded services-up services-down lint

help:
	@echo "make run    set up, migrate, load demo content and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up, start PostgreSQL/Redis/Elasticsearch, run every test, then the embedded pass"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

python-deps: $(UV)
	$(UV) sync --frozen --python $(PYTHON)

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

assets: node_modules/.package-lock.json
	scripts/build_assets.sh

install: python-deps assets

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) search_index --rebuild
	@echo "Comity is starting on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off

# The task worker, for when DATABASE_URL is set (the embedded default runs tasks inline).
worker: install
	$(MANAGE) db_worker

services-up:
	scripts/services.sh up

services-down:
	scripts/services.sh down

test: install services-up test-real test-embedded

# Every test against PostgreSQL, Redis, Elasticsearch and Chromium.
test-real:
	eval "$$(scripts/services.sh env)"; \
	COMITY_TEST_ENGINES=real $(PYTEST) $(PYTEST_ARGS)

# The smoke and contract tests again, on SQLite, local memory and the in-memory layer.
test-embedded:
	env -u DATABASE_URL -u REDIS_URL -u ELASTICSEARCH_URL COMITY_TEST_ENGINES=embedded \
	  $(PYTEST) -m "smoke or contract" $(PYTEST_ARGS)
