"""Triggers that keep dashboard_patientactivity up to date, on PostgreSQL and on SQLite.

Every insert, update or delete of a visit, use report, patient link, taper plan or review date
recomputes the row of the patient it belongs to, in the same transaction as the write: the
dashboard stays live without reading every patient's histories, whichever code wrote the row.

On PostgreSQL the row is locked before it is recomputed, and the recomputing statement starts
after the lock is held, so it sees whatever a concurrent transaction committed meanwhile (as
assessment_submit does for its summary row): the last writer has always seen both writes.

"Latest" orders like the patient list does: newest time first, then the highest id. OPEN_PLAN
must stay equal to clinic.guidance.models.OPEN_TAPER_STATUSES (a test checks it).
"""
from django.db import migrations

OPEN_PLAN = ("planned", "active", "paused")


def refresh_sql(pid: str) -> str:
    """Recompute one patient's row; `pid` is an SQL expression for the patient id."""
    open_plan = ", ".join(f"'{status}'" for status in OPEN_PLAN)
    latest_visit = f"FROM patients_visit v WHERE v.patient_id = {pid} ORDER BY v.occurred_at DESC, v.id DESC LIMIT 1"
    # Every name and status here is a constant of this module; `pid` is an SQL expression chosen
    # in this file, never input.
    return f"""
    UPDATE dashboard_patientactivity SET
        last_visit_at = (SELECT v.occurred_at {latest_visit}),
        follow_up_due = (SELECT v.next_follow_up {latest_visit}),
        latest_use_report_id = (
            SELECT u.id FROM patients_usereport u WHERE u.patient_id = {pid}
            ORDER BY u.recorded_at DESC, u.id DESC LIMIT 1),
        latest_link_id = (
            SELECT l.id FROM selfreport_patientlink l WHERE l.patient_id = {pid}
            ORDER BY l.created_at DESC, l.id DESC LIMIT 1),
        review_due = (
            SELECT MIN(r.date) FROM guidance_reviewdate r JOIN guidance_taperplan t ON t.id = r.plan_id
            WHERE t.patient_id = {pid} AND NOT r.done AND t.status IN ({open_plan}))
    WHERE patient_id = {pid}"""  # nosec B608


# (table, columns whose change can change the patient's row, how to find the patient from a row)
WATCHED = [
    ("patients_visit", "occurred_at, next_follow_up, patient_id", "{row}.patient_id"),
    ("patients_usereport", "recorded_at, patient_id", "{row}.patient_id"),
    ("selfreport_patientlink", "created_at, patient_id", "{row}.patient_id"),
    ("guidance_taperplan", "status, patient_id", "{row}.patient_id"),
    ("guidance_reviewdate", "date, done, plan_id", "(SELECT t.patient_id FROM guidance_taperplan t WHERE t.id = {row}.plan_id)"),
]

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dashboard_activity_refresh(pid bigint) RETURNS void AS $$
BEGIN
    IF pid IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO dashboard_patientactivity (patient_id) VALUES (pid) ON CONFLICT (patient_id) DO NOTHING;
    PERFORM 1 FROM dashboard_patientactivity WHERE patient_id = pid FOR UPDATE;
    {refresh_sql("pid")};
END;
$$ LANGUAGE plpgsql;
"""  # nosec B608: names and statuses are constants of this module


def _postgres_trigger(table: str, columns: str, patient: str) -> str:
    new, old = patient.format(row="NEW"), patient.format(row="OLD")
    return f"""
CREATE OR REPLACE FUNCTION dashboard_activity_{table}() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM dashboard_activity_refresh({old});
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND ({new}) IS DISTINCT FROM ({old})) THEN
        PERFORM dashboard_activity_refresh({new});
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER dashboard_activity AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table}
    FOR EACH ROW EXECUTE FUNCTION dashboard_activity_{table}();
"""


def _sqlite_triggers(table: str, columns: str, patient: str) -> list[str]:
    def body(row: str) -> str:
        pid = patient.format(row=row)
        return (
            f"INSERT OR IGNORE INTO dashboard_patientactivity (patient_id) SELECT {pid} WHERE {pid} IS NOT NULL;"
            f"{refresh_sql(pid)};"
        )

    return [
        f"CREATE TRIGGER dashboard_activity_{table}_insert AFTER INSERT ON {table} BEGIN {body('NEW')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_delete AFTER DELETE ON {table} BEGIN {body('OLD')} END",
        f"CREATE TRIGGER dashboard_activity_{table}_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {body('OLD')} {body('NEW')} END",
    ]


def _backfill_sql() -> list[str]:
    sources = " UNION ".join(
        f"SELECT {patient.format(row='x')} AS pid FROM {table} x" for table, _columns, patient in WATCHED  # nosec B608
    )
    insert = f"INSERT INTO dashboard_patientactivity (patient_id) SELECT DISTINCT s.pid FROM ({sources}) s WHERE s.pid IS NOT NULL"  # nosec B608
    return [insert, refresh_sql("dashboard_patientactivity.patient_id")]


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for watched in WATCHED:
            schema_editor.execute(_postgres_trigger(*watched), params=None)
    elif vendor == "sqlite":
        for watched in WATCHED:
            for statement in _sqlite_triggers(*watched):
                schema_editor.execute(statement, params=None)
    else:
        raise RuntimeError(f"dashboard activity triggers are written for PostgreSQL and SQLite, not {vendor}")
    # Rows for what is already recorded.
    for statement in _backfill_sql():
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table, _columns, _patient in WATCHED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_activity ON {table}", params=None)
            schema_editor.execute(f"DROP FUNCTION IF EXISTS dashboard_activity_{table}()", params=None)
        else:
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_activity_{table}_{suffix}", params=None)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS dashboard_activity_refresh(bigint)", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("patients", "0002_record_number_case_insensitive"),
        ("selfreport", "0001_initial"),
        ("guidance", "0001_initial"),
    ]
    operations = [migrations.RunPython(create, drop)]
