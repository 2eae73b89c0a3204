"""Activity triggers that never make a row for a patient who no longer exists.

0002's delete triggers re-inserted a PatientActivity row for the patient of a deleted visit,
use report, link, plan or review. When the patient itself was already gone (Django's `flush`
on SQLite deletes table by table; `TransactionTestCase` teardown and `manage.py flush` use it),
that row pointed at nothing and the flush failed with "FOREIGN KEY constraint failed". The
triggers now insert only for a patient that still exists, on both databases; the statements
are otherwise 0002's.
"""

from importlib import import_module

from django.db import migrations

T = import_module("clinic.dashboard.migrations.0002_activity_triggers")

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dashboard_activity_refresh(pid bigint) RETURNS void AS $$
BEGIN
    IF pid IS NULL OR NOT EXISTS (SELECT 1 FROM patients_patient WHERE id = pid) THEN
        RETURN;
    END IF;
    INSERT INTO dashboard_patientactivity (patient_id) VALUES (pid) ON CONFLICT (patient_id) DO NOTHING;
    PERFORM 1 FROM dashboard_patientactivity WHERE patient_id = pid FOR UPDATE;
    {T.refresh_sql("pid")};
END;
$$ LANGUAGE plpgsql;
"""  # nosec B608: names and statuses are constants of 0002


def _sqlite_triggers(table: str, columns: str, patient: str) -> list[str]:
    def body(row: str) -> str:
        pid = patient.format(row=row)
        return (
            "INSERT OR IGNORE INTO dashboard_patientactivity (patient_id) "
            f"SELECT p.id FROM patients_patient p WHERE p.id = {pid};"
            f"{T.refresh_sql(pid)};"
        )  # nosec B608: names are constants of 0002

    return [
        f"CREATE TRIGGER dashboard_activity_{table}_insert AFTER INSERT ON {table} BEGIN {body('NEW')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_delete AFTER DELETE ON {table} BEGIN {body('OLD')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {body('OLD')} {body('NEW')} END",
    ]


def _drop_sqlite_triggers(schema_editor) -> None:
    for table, _columns, _patient in T.WATCHED:
        for suffix in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_activity_{table}_{suffix}", params=None)


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
    elif vendor == "sqlite":
        _drop_sqlite_triggers(schema_editor)
        for watched in T.WATCHED:
            for statement in _sqlite_triggers(*watched):
                schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(T.POSTGRES_FUNCTION, params=None)
    elif vendor == "sqlite":
        _drop_sqlite_triggers(schema_editor)
        for watched in T.WATCHED:
            for statement in T._sqlite_triggers(*watched):
                schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_activity_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
