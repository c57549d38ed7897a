# The two commands of the quick start: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint clean chromium

# The virtual environment, with the project and its development tools, rebuilt when pyproject.toml changes
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Development server on SQLite under instance/: migrate, load the demo data once, print the logins, serve
run: $(VENV)/.installed
	$(BIN)/tracker db upgrade
	$(BIN)/tracker seed-demo
	@echo "Mở http://$(HOST):$(PORT) trong trình duyệt."
	TRACKER_COOKIE_SECURE=$${TRACKER_COOKIE_SECURE:-false} $(BIN)/tracker run --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download): installed when missing
# and we may (root with apt-get), else the browser tests skip with the reason (and fail under CI=true)
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium is not installed: the browser tests will be skipped"

# The whole suite on SQLite, and on PostgreSQL too when TRACKER_TEST_DATABASE_URL is set (.ci/run sets it)
test: $(VENV)/.installed chromium
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
