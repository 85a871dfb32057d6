# Loopwork: `make run` serves the seeded demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench install browser-deps migrate seed worker clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	@mkdir -p var/mail var/celery/queue var/celery/processed var/celery/control var/cache
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v 0

seed: migrate
	$(MANAGE) seed_demo

# The Celery worker (with beat) runs beside the web server on the filesystem broker,
# so scheduled jobs work with no broker server; it stops when the server stops.
run: seed
	@echo ""
	@echo "  Loopwork is starting at http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password loopwork-demo): worker@example.com, company@example.com, admin@example.com"
	@echo "  Sent emails (verification links) are written to var/mail/"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A config worker -Q celery,payouts,search --beat --loglevel=warning --concurrency=1 \
		--schedule=var/celery/beat-schedule & \
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A config worker -Q celery,payouts,search --beat --loglevel=info --concurrency=1 --schedule=var/celery/beat-schedule

browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Uses PostgreSQL when DATABASE_URL points at it (as .ci/run does); SQLite otherwise.
# Two pytest processes (pytest-xdist), a test file each at a time: about 60% of one's time.
test: install browser-deps
	@mkdir -p var/test-artifacts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf var/cache var/celery var/static var/test-artifacts
