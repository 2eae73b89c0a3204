"""Steady serves as a role that may only read and append audit rows (PostgreSQL)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from clinic.audit.models import Action, AuditEvent
from clinic.audit.services import audit_record

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")

# Roles belong to the whole server; the test's transaction rolls this one back.
ROLE = "steady_accounts_test_app"


@pytest.fixture
def app_role(db, tmp_path) -> str:
    password_file = tmp_path / "password"
    password_file.write_text("not-a-real-password\n")
    out = StringIO()
    call_command("grant_app_role", ROLE, "--password-file", str(password_file), stdout=out)
    assert f"Created role {ROLE}" in out.getvalue()
    return ROLE


def _as_role(role: str, statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(statement, params)


@pytest.fixture
def row(alice) -> AuditEvent:
    return audit_record(request=None, action=Action.VIEW, actor=alice, detail="patient page")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET detail = 'rewritten'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ],
)
def test_the_app_role_may_not_change_or_remove_audit_rows(app_role, row, statement):
    with pytest.raises(DatabaseError, match="permission denied"):
        _as_role(app_role, statement)
    assert AuditEvent.objects.filter(pk=row.pk, detail="patient page").exists()


def test_the_app_role_may_read_and_append_audit_rows_and_change_other_tables(app_role, row, alice):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        audit_record(request=None, action=Action.VIEW, actor=alice, detail="as the app role")
        assert AuditEvent.objects.count() == 2
        alice.first_name = "Alicia"
        alice.save(update_fields=["first_name"])
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_session")


def test_the_app_role_may_not_record_migrations(app_role):
    with pytest.raises(DatabaseError, match="permission denied"):
        _as_role(app_role, "DELETE FROM django_migrations")


def test_granting_is_idempotent_and_prints_the_url_to_serve_with(app_role, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text("another password")
    out = StringIO()
    call_command("grant_app_role", app_role, "--password-file", str(password_file), "--print-url", stdout=out)
    url = out.getvalue().strip()
    assert url.startswith(f"postgres://{app_role}:another%20password@") and url.endswith(
        connection.settings_dict["NAME"]
    )


def test_a_superuser_or_the_owner_is_refused_as_the_app_role(db):
    with pytest.raises(CommandError, match="the role running this command"):
        call_command("grant_app_role", connection.settings_dict["USER"] or "postgres", stdout=StringIO())
