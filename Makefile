# tfquote — the two commands are `make run` and `make test`; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

REDIS_PORT ?= 6380
DATA_DIR ?= var/data
export DATA_DIR
# Local runs are unauthenticated unless you say otherwise (the banner says so loudly).
AUTH_ENABLED ?= false
export AUTH_ENABLED
# Flower's HTTP API on localhost without a password, for local runs only; compose
# protects Flower with FLOWER_BASIC_AUTH instead.
FLOWER_UNAUTHENTICATED_API ?= true
export FLOWER_UNAUTHENTICATED_API

.PHONY: help install run test test-unit lint format typecheck bench bench-quick clean

help:
	@echo "make run    - start redis (when REDIS_URL is unset), engine, worker, gateway, flower"
	@echo "make test   - install and run the whole test suite (starts its own redis-server)"
	@echo "make lint   - ruff + mypy"
	@echo "make bench  - benchmarks against their bare baselines"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the dependency declarations change.
$(STAMP): $(BIN)/python setup.cfg pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p $(DATA_DIR)
	@if [ -z "$$REDIS_URL" ]; then \
	  export REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0 REDIS_PORT=$(REDIS_PORT); \
	  echo "REDIS_URL is unset: starting an embedded redis-server on port $(REDIS_PORT)"; \
	  $(BIN)/python -m tfquote.banner; \
	  exec $(BIN)/python -m tfquote.supervisor -f Procfile; \
	else \
	  $(BIN)/python -m tfquote.banner; \
	  exec $(BIN)/python -m tfquote.supervisor -f Procfile engine worker beat gateway flower; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest

test-unit: $(STAMP)
	$(BIN)/python -m pytest -m unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy gateway workers engine tfquote bench celery_config.py wsgi.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache .mypy_cache .ruff_cache
