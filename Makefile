# Oversight: `make run` serves the app with demo data; `make test` runs every check.
# With DATABASE_URL and REDIS_URL set, both use PostgreSQL and Redis instead of SQLite and
# the filesystem broker.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)
GOVUK := node_modules/govuk-frontend/dist/govuk
VENDOR := static/vendor

.PHONY: run test lint bench install assets demo migrate clean browser

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# GOV.UK Frontend and htmx, copied from npm. GDS Transport is only for GOV.UK services:
# this service falls back to Arial, as the Design System says a non-GOV.UK service should.
$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/govuk $(VENDOR)/htmx
	sed -e 's/GDS Transport,//g' -e 's/@font-face{[^}]*}//g' $(GOVUK)/govuk-frontend.min.css > $(VENDOR)/govuk/govuk-frontend.min.css
	cp $(GOVUK)/govuk-frontend.min.js $(VENDOR)/govuk/
	cp -r $(GOVUK)/assets $(VENDOR)/govuk/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	touch $@

assets: $(VENDOR)/.copied

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py demo_load

run: install assets demo
	$(PY) -m config.devrun

# Chromium for the browser tests (Debian's; Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@command -v pdftotext >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install assets lint
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: install assets
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var/oversight.sqlite3 var/celery var/media var/demo staticfiles
