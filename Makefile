# Citizen Coin. `make demo` serves the demo town; `make test` runs the whole suite.
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
VENV_PY := .venv/bin/python

.PHONY: demo test test-browser lint bench load migrate clean help
.DEFAULT_GOAL := help

help:
	@echo "make demo   install, migrate, load the demo town, serve http://127.0.0.1:8000"
	@echo "make test   the whole test suite (embedded PostgreSQL unless DATABASE_URL is set)"
	@echo "make lint   ruff, mypy and import-linter"
	@echo "make bench  benchmarks on a scratch database; prints ratios, writes bench/results.json"
	@echo "make load   a Saturday morning (locust, 2 minutes) on 2 web processes and 2 workers; p95s, verify_ledger"

# uv is bootstrapped with pip into .tools/ when the machine has none.
$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

demo: .venv/.synced
	$(VENV_PY) manage.py demo

migrate: .venv/.synced
	$(VENV_PY) manage.py migrate

test: .venv/.synced
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

# BENCH=P1,P3 (row ids or benchmark names) runs only what measures them.
bench: .venv/.synced
	BENCH="$(BENCH)" $(VENV_PY) -m bench

# Headless locust against two web processes and two workers on a scratch database: at
# most five minutes; fails on any failed request or a ledger that does not verify.
load: .venv/.synced
	$(VENV_PY) -m load

test-browser: .venv/.synced
	$(VENV_PY) -m pytest -m browser $(PYTEST_ARGS)

lint: .venv/.synced
	$(VENV_PY) -m ruff check .
	$(VENV_PY) -m ruff format --check .
	$(VENV_PY) -m mypy .
	.venv/bin/lint-imports

clean:
	rm -rf .venv .tools staticfiles
