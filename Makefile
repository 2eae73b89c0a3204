# Steady: `make run` for the demo, `make test` for the suite. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# XStatic-Bootstrap's sdist still imports pkg_resources while building; keep its build on a
# setuptools that has it.
PIP := PIP_CONSTRAINT=constraints-build.txt $(BIN)/pip
DEV_ENV := DEBUG=1

.PHONY: run test serve check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev
	$(DEV_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.dev
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/bandit -q -r clinic -ll  # static analysis: no medium or high findings

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
