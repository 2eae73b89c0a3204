"""The PostgreSQL role Steady serves as: everything it needs, but only SELECT and INSERT on audit rows.

Steady migrates as the owner of its tables and serves as a second role that owns nothing. Table
privileges then decide what the serving role may do, and on `audit_auditevent` it may read and
append, never UPDATE, DELETE or TRUNCATE: a stolen application connection cannot rewrite or
empty the trail. (A TRUNCATE trigger would also stop Django's test flush; privileges do not.)
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

AUDIT_TABLE = "audit_auditevent"
# The migrations table only changes when the owner migrates.
READ_ONLY_TABLES = ("django_migrations",)
REFUSED_ON_AUDIT = ("UPDATE", "DELETE", "TRUNCATE")


class RoleRefused(Exception):
    """The named role could not be restricted (it is a superuser, or owns the tables)."""


@dataclass(frozen=True)
class RoleGrants:
    role: str
    created: bool
    audit_privileges: dict[str, bool]  # privilege -> held, on the audit table


def _run(cursor, statement: sql.Composable) -> None:
    cursor.execute(statement.as_string(cursor.connection))


@transaction.atomic
def app_role_grant(*, role: str, password: str | None = None) -> RoleGrants:
    """Create (if missing, with `password`) and grant the serving role. Run as the tables' owner.

    Idempotent: run it after every `migrate`, so new tables are granted too (default privileges
    already cover tables the owner creates later, but the audit table's restriction is restated).
    """
    if connection.vendor != "postgresql":
        raise RoleRefused("Database roles need PostgreSQL; DATABASE_URL points elsewhere.")
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema(), current_database()")
        owner, schema_name, database = cursor.fetchone()
        schema = sql.Identifier(schema_name)
        if role == owner:
            raise RoleRefused(f"{role!r} is the role running this command; the serving role must be another one.")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        created = found is None
        if created:
            if not password:
                raise RoleRefused(f"Role {role!r} does not exist; give a password to create it.")
            _run(cursor, sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password)))
        elif found[0]:
            raise RoleRefused(f"Role {role!r} is a superuser, which no privilege can restrict.")
        elif password:
            _run(cursor, sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password)))
        cursor.execute(
            "SELECT pg_has_role(%s, tableowner, 'MEMBER') FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            [role, schema_name, AUDIT_TABLE],
        )
        owns = cursor.fetchone()
        if owns and owns[0]:
            raise RoleRefused(f"Role {role!r} owns the audit table (or is a member of its owner); use another role.")
        for statement in (
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, name),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, name),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(schema, name),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
                schema, name
            ),
        ):
            _run(cursor, statement)
        for table in READ_ONLY_TABLES:
            _run(
                cursor,
                sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {}.{} FROM {}").format(
                    schema, sql.Identifier(table), name
                ),
            )
        _run(
            cursor,
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {}.{} FROM {}").format(
                schema, sql.Identifier(AUDIT_TABLE), name
            ),
        )
        held = {}
        for privilege in ("SELECT", "INSERT", *REFUSED_ON_AUDIT):
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, f"{schema_name}.{AUDIT_TABLE}", privilege])
            held[privilege] = cursor.fetchone()[0]
    return RoleGrants(role=role, created=created, audit_privileges=held)


def database_url_for(*, role: str, password: str) -> str:
    """The DATABASE_URL of the current database, as `role`."""
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{quote(role, safe='')}:{quote(password, safe='')}@{host}{port}/{quote(db['NAME'], safe='')}"
