# Anju: the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
INDEX := --index-url https://pypi.org/simple
SCALE ?= city
SEED ?= 1
export ANJU_HOME ?= $(CURDIR)/.anju

.PHONY: demo test setup system-deps clean

## demo: install, generate the sample city, run the pipeline, serve Dagster and Superset.
demo: setup
	@if [ -z "$$(ls -A $(ANJU_HOME)/landing 2>/dev/null)" ]; then \
		.venv/bin/anju generate --scale $(SCALE) --seed $(SEED); fi
	.venv/bin/anju run
	.venv/bin/anju serve

## test: install what the tests need (Chromium and CJK fonts included) and run them all.
test: setup system-deps
	.venv/bin/python -m pytest -q --durations=30

setup: .venv/.locked .venv-superset/.locked

.tools/bin/uv:
	$(PYTHON) -m venv .tools && .tools/bin/pip install -q uv==$(UV_VERSION)

.venv/.locked: requirements/pipeline.lock pyproject.toml | $(UV)
	$(UV) venv -q --allow-existing --python $(PYTHON) .venv
	$(UV) pip sync -q --compile-bytecode $(INDEX) --python .venv/bin/python requirements/pipeline.lock
	$(UV) pip install -q --compile-bytecode $(INDEX) --python .venv/bin/python --no-deps -e .
	touch $@

.venv-superset/.locked: requirements/superset.lock | $(UV)
	$(UV) venv -q --allow-existing --python $(PYTHON) .venv-superset
	$(UV) pip sync -q --compile-bytecode $(INDEX) --python .venv-superset/bin/python requirements/superset.lock
	touch $@

## Debian packages: Chromium for the browser tests, Noto CJK so Chinese renders.
system-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; fi

clean:
	rm -rf .venv .venv-superset .tools dbt_project/target
