# CleftMission. `make demo` sets up everything and serves the demo; `make test` runs the checks.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE := cleftmission.settings

.PHONY: demo test install messages serve lint typecheck check-migrations pytest bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed messages
	DEBUG=true $(PY) manage.py collectstatic --noinput -v 0

messages: $(VENV)/.installed
	cd cleftmission && DEBUG=true ../$(PY) ../manage.py compilemessages --ignore=.venv -v 0

demo: install
	DEBUG=true $(PY) manage.py migrate --noinput -v 0
	DEBUG=true $(PY) manage.py load_demo
	@echo ""
	@echo "CleftMission is at http://127.0.0.1:8000  (Ctrl-C stops it)"
	@echo "Log in as admin, coordinator, clinician, registrar, viewer or volunteer; the password is: demo"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	DEBUG=true $(VENV)/bin/mypy

check-migrations: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

# The tests run on SQLite, then on PostgreSQL too when DATABASE_URL is set
# (for example postgres://postgres@127.0.0.1:5432/postgres).
pytest: install
	DEBUG=true DATABASE_URL= $(VENV)/bin/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== the tests again, on $$DATABASE_URL"; \
		DEBUG=true $(VENV)/bin/pytest; \
	fi

test: lint typecheck check-migrations pytest

bench: install
	DEBUG=true $(PY) bench/scale.py

clean:
	rm -rf $(VENV) node_modules staticfiles .mypy_cache .ruff_cache .pytest_cache
