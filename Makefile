# vcc: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench install lint format migrate demo worker backup restore clean

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

# Front-end libraries (the network map's Cytoscape.js) from npm, served from our static files.
# Without npm everything else runs; only the map has nothing to draw with.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: install Node.js and npm for the network map."; \
	fi

install: $(VENV)/.installed node_modules/.installed

var:
	mkdir -p var/broker/queue var/broker/processed var/broker/control var/mail

migrate: install var
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Web server, plus a Celery worker with beat in the background (stopped with the server).
run: demo
	@echo ""
	@echo "  vcc is starting at http://$(HOST):$(PORT)/"
	@echo "  Demo sign-ins (password: demo-pass-2026):"
	@echo "    coordinator  coordinator@demo.vcc"
	@echo "    partner      partner@demo.vcc"
	@echo "    group lead   lead@demo.vcc"
	@echo "    observer     observer@demo.vcc  (the food chain, read-only)"
	@echo "    admin        admin@demo.vcc  (the Django admin)"
	@echo "  Mail the app sends is written to var/mail/."
	@echo ""
	@export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(VENV)/bin/celery -A vcc worker -B --loglevel=warning --concurrency=1 \
		--schedule=var/celerybeat-schedule & \
	worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null; exit 0' INT TERM; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT); \
	kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null; exit 0

worker: install var
	$(VENV)/bin/celery -A vcc worker -B --loglevel=info --concurrency=1

# A backup of the whole database in var/backups/ (pg_dump -Fc, or SQLite's backup API), and
# its restore: `make restore FILE=var/backups/vcc-....dump` asks first; YES=1 does not.
backup: install var
	$(PY) manage.py backup

restore: install var
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/vcc-YYYYMMDD-HHMMSS.dump [YES=1]"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(YES),--yes)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint var
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks on PostgreSQL (DATABASE_URL, or a throwaway cluster bench/ starts): JSON lines.
bench: install var
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var staticfiles .pytest_cache
