"""Activity triggers that only create a row when a record is written, never when one is deleted.

0002's delete triggers recomputed the patient's PatientActivity row and created it when it was
missing. Django's `flush` on SQLite (and so every browser test's teardown, and `manage.py
flush`) deletes table by table in an order that varies from run to run: when the activity table
was emptied before the visits and the visits before the patients, deleting a visit re-created
the row of a patient about to be deleted, and the flush failed with "FOREIGN KEY constraint
failed". A delete, or the old side of an update, now only updates a row that exists; an insert,
or the new side of an update, creates the row, and only for a patient that exists. The same on
PostgreSQL and SQLite; the refreshing statement is 0002's.
"""

from importlib import import_module

from django.db import migrations

T = import_module("clinic.dashboard.migrations.0002_activity_triggers")

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dashboard_activity_refresh(pid bigint, make_row boolean) RETURNS void AS $$
BEGIN
    IF pid IS NULL THEN
        RETURN;
    END IF;
    IF make_row AND EXISTS (SELECT 1 FROM patients_patient WHERE id = pid) THEN
        INSERT INTO dashboard_patientactivity (patient_id) VALUES (pid) ON CONFLICT (patient_id) DO NOTHING;
    END IF;
    PERFORM 1 FROM dashboard_patientactivity WHERE patient_id = pid FOR UPDATE;
    {T.refresh_sql("pid")};
END;
$$ LANGUAGE plpgsql;
"""  # nosec B608: names and statuses are constants of 0002


def _postgres_trigger_function(table: str, patient: str) -> str:
    new, old = patient.format(row="NEW"), patient.format(row="OLD")
    return f"""
CREATE OR REPLACE FUNCTION dashboard_activity_{table}() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM dashboard_activity_refresh({old}, false);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND ({new}) IS DISTINCT FROM ({old})) THEN
        PERFORM dashboard_activity_refresh({new}, true);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_triggers(table: str, columns: str, patient: str) -> list[str]:
    def refresh(row: str) -> str:
        return f"{T.refresh_sql(patient.format(row=row))};"

    def make_and_refresh(row: str) -> str:
        pid = patient.format(row=row)  # an SQL expression chosen in 0002, never input
        make = f"INSERT OR IGNORE INTO dashboard_patientactivity (patient_id) SELECT p.id FROM patients_patient p WHERE p.id = {pid};"  # nosec B608
        return make + refresh(row)

    return [
        f"CREATE TRIGGER dashboard_activity_{table}_insert AFTER INSERT ON {table} BEGIN {make_and_refresh('NEW')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_delete AFTER DELETE ON {table} BEGIN {refresh('OLD')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {refresh('OLD')} {make_and_refresh('NEW')} END",
    ]


def _drop_sqlite_triggers(schema_editor) -> None:
    for table, _columns, _patient in T.WATCHED:
        for suffix in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_activity_{table}_{suffix}", params=None)


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table, _columns, patient in T.WATCHED:
            schema_editor.execute(_postgres_trigger_function(table, patient), params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS dashboard_activity_refresh(bigint)", params=None)
    elif vendor == "sqlite":
        _drop_sqlite_triggers(schema_editor)
        for watched in T.WATCHED:
            for statement in _sqlite_triggers(*watched):
                schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor) -> None:
    # 0002's triggers again (the rows are current: no backfill).
    T.drop(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS dashboard_activity_refresh(bigint, boolean)", params=None)
        schema_editor.execute(T.POSTGRES_FUNCTION, params=None)
        for watched in T.WATCHED:
            schema_editor.execute(T._postgres_trigger(*watched), params=None)
    else:
        for watched in T.WATCHED:
            for statement in T._sqlite_triggers(*watched):
                schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_activity_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
