"""Talking to PostgreSQL's own tools (pg_dump, pg_restore) for the database Django uses."""

from __future__ import annotations

import os
import shutil

import dj_database_url
import psycopg
from django.conf import settings
from django.core.management.base import CommandError

POSTGRESQL = "django.db.backends.postgresql"


def database_settings(url: str | None = None) -> dict:
    """Django's default database, or the one a postgres:// URL names."""
    database = dj_database_url.parse(url) if url else settings.DATABASES["default"]
    if database["ENGINE"] != POSTGRESQL:
        raise CommandError(
            "Backups need PostgreSQL: set DATABASE_URL=postgres://user:password@host:5432/name. "
            "(A SQLite development database is a single file; copy it instead.)"
        )
    return database


def libpq_env(database: dict) -> dict[str, str]:
    """Environment for pg_dump/pg_restore. The password travels here, never on a command line."""
    env = dict(os.environ)
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        value = database.get(key)
        if value:
            env[variable] = str(value)
    sslmode = database.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def connect(database: dict) -> psycopg.Connection:
    params = {"dbname": database["NAME"], "autocommit": True}
    for param, key in [("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")]:
        if database.get(key):
            params[param] = database[key]
    sslmode = database.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        params["sslmode"] = sslmode
    return psycopg.connect(**params)


def user_relation_count(database: dict) -> int:
    """Tables, views and sequences outside PostgreSQL's own schemas: 0 for an empty database."""
    with connect(database) as connection:
        row = connection.execute(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'
            """
        ).fetchone()
    return int(row[0])


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} was not found on PATH; install the PostgreSQL client tools.")
    return path
