"""Activity triggers that leave out visits and use reports marked entered in error.

A visit or use report in error (clinic.patients.corrections) must not be anyone's latest: the
refreshing statement now reads only counted rows, and marking an entry in error (an update of
`entered_in_error_at`) refreshes the patient's row. Otherwise 0003's triggers, unchanged.
"""

from importlib import import_module

from django.db import migrations

T2 = import_module("clinic.dashboard.migrations.0002_activity_triggers")
T3 = import_module("clinic.dashboard.migrations.0003_activity_survives_flush")

OPEN_PLAN = T2.OPEN_PLAN


def refresh_sql(pid: str) -> str:
    """0002's statement, reading only visits and use reports not entered in error."""
    open_plan = ", ".join(f"'{status}'" for status in OPEN_PLAN)
    latest_visit = (
        f"FROM patients_visit v WHERE v.patient_id = {pid} AND v.entered_in_error_at IS NULL "
        "ORDER BY v.occurred_at DESC, v.id DESC LIMIT 1"
    )
    return f"""
    UPDATE dashboard_patientactivity SET
        last_visit_at = (SELECT v.occurred_at {latest_visit}),
        follow_up_due = (SELECT v.next_follow_up {latest_visit}),
        latest_use_report_id = (
            SELECT u.id FROM patients_usereport u WHERE u.patient_id = {pid} AND u.entered_in_error_at IS NULL
            ORDER BY u.recorded_at DESC, u.id DESC LIMIT 1),
        latest_link_id = (
            SELECT l.id FROM selfreport_patientlink l WHERE l.patient_id = {pid}
            ORDER BY l.created_at DESC, l.id DESC LIMIT 1),
        review_due = (
            SELECT MIN(r.date) FROM guidance_reviewdate r JOIN guidance_taperplan t ON t.id = r.plan_id
            WHERE t.patient_id = {pid} AND NOT r.done AND t.status IN ({open_plan}))
    WHERE patient_id = {pid}"""  # nosec B608: constants of this module; pid is an SQL expression chosen here


WATCHED = [
    ("patients_visit", "occurred_at, next_follow_up, patient_id, entered_in_error_at", "{row}.patient_id"),
    ("patients_usereport", "recorded_at, patient_id, entered_in_error_at", "{row}.patient_id"),
    *T2.WATCHED[2:],
]


def _postgres_function(refresh) -> str:
    return f"""
CREATE OR REPLACE FUNCTION dashboard_activity_refresh(pid bigint, make_row boolean) RETURNS void AS $$
BEGIN
    IF pid IS NULL THEN
        RETURN;
    END IF;
    IF make_row AND EXISTS (SELECT 1 FROM patients_patient WHERE id = pid) THEN
        INSERT INTO dashboard_patientactivity (patient_id) VALUES (pid) ON CONFLICT (patient_id) DO NOTHING;
    END IF;
    PERFORM 1 FROM dashboard_patientactivity WHERE patient_id = pid FOR UPDATE;
    {refresh("pid")};
END;
$$ LANGUAGE plpgsql;
"""  # nosec B608


def _sqlite_triggers(refresh, table: str, columns: str, patient: str) -> list[str]:
    def again(row: str) -> str:
        return f"{refresh(patient.format(row=row))};"

    def make_and_again(row: str) -> str:
        pid = patient.format(row=row)
        make = f"INSERT OR IGNORE INTO dashboard_patientactivity (patient_id) SELECT p.id FROM patients_patient p WHERE p.id = {pid};"  # nosec B608
        return make + again(row)

    return [
        f"CREATE TRIGGER dashboard_activity_{table}_insert AFTER INSERT ON {table} BEGIN {make_and_again('NEW')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_delete AFTER DELETE ON {table} BEGIN {again('OLD')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {again('OLD')} {make_and_again('NEW')} END",
    ]


def _install(schema_editor, refresh, watched) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_postgres_function(refresh), params=None)
        for table, columns, _patient in watched:
            # The function stays 0003's; only the columns an update fires on change.
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_activity ON {table}", params=None)
            schema_editor.execute(
                f"CREATE TRIGGER dashboard_activity AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION dashboard_activity_{table}()",
                params=None,
            )
    else:
        T3._drop_sqlite_triggers(schema_editor)
        for entry in watched:
            for statement in _sqlite_triggers(refresh, *entry):
                schema_editor.execute(statement, params=None)
    schema_editor.execute(refresh("dashboard_patientactivity.patient_id"), params=None)


def forwards(apps, schema_editor) -> None:
    _install(schema_editor, refresh_sql, WATCHED)


def backwards(apps, schema_editor) -> None:
    _install(schema_editor, T2.refresh_sql, T2.WATCHED)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0003_activity_survives_flush"),
        ("patients", "0005_entered_in_error_and_corrections"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
