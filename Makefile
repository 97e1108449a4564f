# The doorways: `make run` (site with demo content), `make test` (the whole suite), `make bench`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast test-postgres lint bench system-packages install prod prod-stop test-prod

$(VENV)/.installed: requirements/base.txt requirements/test.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements/test.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

system-packages:
	scripts/install-system-packages.sh

test: install system-packages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run --settings=masthead.settings_test > /dev/null
	$(VENV)/bin/pytest -n 2 --durations=25

# The inner loop: no browser, no subprocesses, no epubcheck or real voice, none of the tests measured slow
# (tests/slow_tests.txt); the migrated test database kept from the last run (tests/migrated_database.py).
test-fast: install
	$(VENV)/bin/pytest -n 2 -m "not slow" --reuse-db

test-postgres: install system-packages
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(VENV)/bin/pytest -n 2 --durations=25

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: install system-packages
	bench/web.sh

# The production profile on this machine (docs/deploy.md): PostgreSQL, Redis, RQ workers per queue,
# moto's S3, gunicorn and nginx in front. `make prod-stop` ends it.
prod: install system-packages
	VENV=$(VENV) scripts/prod/start.sh

prod-stop:
	VENV=$(VENV) scripts/prod/stop.sh

# The profile under test (scripts/prod/test.sh says what it covers); CI runs it after the suite.
test-prod: install system-packages
	VENV=$(VENV) scripts/prod/test.sh
