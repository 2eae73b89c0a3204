# Steady: `make run` for the demo, `make test` for the suite. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pip is pinned so that a new pip release cannot change how a new machine installs Steady, and
# --only-binary refuses any package that would have to be built: every pin must ship a wheel.
PIP_VERSION := 26.3
PIP := $(BIN)/pip install --quiet --disable-pip-version-check --only-binary=:all:
DEV_ENV := DEBUG=1
PORT ?= 8000

.PHONY: run test serve backup restore check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# `make run PORT=8101` serves on 8101, and the patient links it makes point there too.
RUN_ENV = $(DEV_ENV) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"
run: $(VENV)/.runtime
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite on every core (pytest-xdist); PYTEST_ARGS adds to it, e.g. PYTEST_ARGS="-m 'not slow'".
test: $(VENV)/.dev
	$(DEV_ENV) $(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

check: $(VENV)/.dev
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache  # the layers (.importlinter, README "Layout"): no import points up
	$(BIN)/bandit -q -r clinic -ll  # static analysis: no medium or high findings

# Production mode on this machine: DEBUG off, gunicorn (gunicorn.conf.py), WhiteNoise, PostgreSQL.
# Plain http on 127.0.0.1, so no HTTPS redirect; behind a TLS proxy leave SECURE_SSL_REDIRECT alone.
# Without SECRET_KEY a random one is made once into .secret_key (git-ignored), so sign-ins survive
# restarts; without AUDIT_HMAC_KEY likewise into .audit_hmac_key (keep it: it verifies the audit trail).
# SITE_URL (required with DEBUG off) is this machine's own address unless you set the public one.
PROD_ENV = DEBUG=0 \
	SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" \
	AUDIT_HMAC_KEY="$${AUDIT_HMAC_KEY:-$$(cat .audit_hmac_key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	SITE_URL="$${SITE_URL:-http://127.0.0.1:8000}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"

NEED_KEY := $(if $(SECRET_KEY),,.secret_key) $(if $(AUDIT_HMAC_KEY),,.audit_hmac_key)
.secret_key: | $(BIN)/python
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
.audit_hmac_key: | $(BIN)/python
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))' > $@
.app_db_password: | $(BIN)/python
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))' > $@

# Two database roles (README "Database roles"): MIGRATE_DATABASE_URL, the tables' owner, migrates
# and grants; DATABASE_URL is the role Steady serves as, which may only SELECT and INSERT audit
# rows. Given DATABASE_URL alone (an owner, as on this machine), Steady migrates as it and serves
# as the role $(APP_ROLE), created with a random password kept in .app_db_password.
APP_ROLE ?= steady_app
NEED_APP_PASSWORD := $(if $(MIGRATE_DATABASE_URL),,.app_db_password)
serve: $(VENV)/.runtime $(NEED_KEY) $(NEED_APP_PASSWORD)
	@owner="$${MIGRATE_DATABASE_URL:-$$DATABASE_URL}"; \
	case "$$owner" in postgres://*|postgresql://*) ;; \
	  *) echo "make serve needs DATABASE_URL pointing at PostgreSQL, for example" >&2; \
	     echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/steady make serve" >&2; exit 2;; esac; \
	set -e; \
	echo "migrating as the owner"; \
	DATABASE_URL="$$owner" $(PROD_ENV) $(BIN)/python manage.py migrate --noinput; \
	if [ -n "$$MIGRATE_DATABASE_URL" ]; then \
	  role="$$($(BIN)/python -c 'import os, dj_database_url; print(dj_database_url.parse(os.environ["DATABASE_URL"])["USER"])')"; \
	  DATABASE_URL="$$owner" $(PROD_ENV) $(BIN)/python manage.py grant_app_role "$$role"; \
	  app="$$DATABASE_URL"; \
	else \
	  app="$$(DATABASE_URL="$$owner" $(PROD_ENV) $(BIN)/python manage.py grant_app_role $(APP_ROLE) \
	    --password-file .app_db_password --print-url)"; \
	fi; \
	$(PROD_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0; \
	echo "serving as the role that may only read and append audit rows"; \
	DATABASE_URL="$$app" $(PROD_ENV) exec $(BIN)/python -m gunicorn -c gunicorn.conf.py clinic.wsgi

# pg_dump of DATABASE_URL into backups/; restore one into an EMPTY database:
#   DATABASE_URL=postgres://.../steady_restored make restore FILE=backups/steady-....dump
backup: $(VENV)/.runtime $(NEED_KEY)
	$(PROD_ENV) $(BIN)/python manage.py backup

restore: $(VENV)/.runtime $(NEED_KEY)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/steady-<timestamp>.dump" >&2; exit 2; }
	$(PROD_ENV) $(BIN)/python manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
