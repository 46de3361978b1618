# Two commands matter: `make run` and `make test`. Both work on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
DATA_DIR ?= $(or $(DASHBOARD_DATA_DIR),data)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint demo bench system-deps clean-data help

help:
	@echo "make run    - serve the dashboard on http://localhost:$(PORT) (builds demo data if data/ is empty)"
	@echo "make test   - install everything the tests need (venv, chromium, the test OIDC provider), lint, run all tests"
	@echo "make demo   - rebuild the demo data in $(DATA_DIR)"
	@echo "make bench  - benchmark (SIZE=10M by default; BENCH_ARGS=--skip-sessions or --skip-browser to leave parts out)"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian packages the browser tests and server-side chart images need.
system-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium and fonts-noto-cjk"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk fontconfig >/dev/null; \
	fi

$(DATA_DIR)/manifest.json: | $(VENV)/.runtime
	$(PY) -m analytics demo --data-dir $(DATA_DIR)

demo: $(VENV)/.runtime
	$(PY) -m analytics demo --data-dir $(DATA_DIR) --force

# pages/serve/ (python -m pages.serve) is `streamlit run app.py` with the first visit's caches warmed at start; the rest of the
# server's settings (no developer toolbar, no usage statistics, headless) are in .streamlit/config.toml
run: $(VENV)/.runtime $(DATA_DIR)/manifest.json
	DASHBOARD_DATA_DIR=$(DATA_DIR) $(PY) -m pages.serve --server.port $(PORT)

lint: $(VENV)/.dev
	$(PY) -m ruff check .

# The OpenID Connect provider the oidc browser test signs in against (tests/oidc: panva's oidc-provider,
# pinned by its lockfile), under the machine's Node.js 20 and npm; node_modules/.package-lock.json is npm ci's own stamp
OIDC_DIR := tests/oidc
$(OIDC_DIR)/node_modules/.package-lock.json: $(OIDC_DIR)/package.json $(OIDC_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20 or later) is needed for the oidc browser test ($(OIDC_DIR))"; exit 1; }
	npm ci --prefix $(OIDC_DIR) --no-audit --no-fund --loglevel=error

test: $(VENV)/.dev system-deps $(OIDC_DIR)/node_modules/.package-lock.json lint
	$(PY) -m pytest $(PYTEST_ARGS)

SIZE ?= 10M
BENCH_ARGS ?=
bench: $(VENV)/.dev system-deps
	$(PY) -m analytics.tools.bench --size $(SIZE) $(BENCH_ARGS)

clean-data:
	rm -rf $(DATA_DIR)/manifest.json $(DATA_DIR)/extracts $(DATA_DIR)/state $(DATA_DIR)/.lock
