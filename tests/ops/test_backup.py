"""A backup restores: pg_dump of a seeded database, pg_restore into an empty one, same rows."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from clinic.assessments.instruments import COWS, SOWS_GOSSOP
from clinic.assessments.services import assessment_submit
from clinic.ops.postgres import connect, database_settings
from tests.conftest import make_patient

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are pg_dump: PostgreSQL only")

TABLE_CHECKSUMS = """
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\\n'' ORDER BY t::text), '''')) FROM %I.%I t',
              table_name, table_schema, table_name)
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name
"""


def table_checksums(database: dict) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row's text in a fixed order)} for every table in the database."""
    with connect(database) as db:
        queries = [row[0] for row in db.execute(TABLE_CHECKSUMS).fetchall()]
        sums = {}
        for query in queries:
            table, rows, digest = db.execute(query).fetchone()
            sums[table] = (rows, digest)
        sequences = dict(db.execute("SELECT sequencename, last_value FROM pg_sequences").fetchall())
    return sums | {f"sequence {name}": (value, "") for name, value in sequences.items()}


@pytest.fixture
def empty_database(transactional_db):
    source = database_settings()
    target = source | {"NAME": f"{source['NAME']}_restored"}
    with connect(source | {"NAME": "postgres"}) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{target["NAME"]}"')
    yield target
    with connect(source | {"NAME": "postgres"}) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


def target_url(database: dict) -> str:
    return f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"


@pytest.fixture
def seeded(transactional_db):
    call_command("load_demo", stdout=StringIO())
    from clinic.accounts.models import Clinic, User
    from clinic.assessments.models import Assessment

    demo_assessments = Assessment.objects.count()

    clinic = Clinic.objects.get(name="Riverside Recovery Clinic")
    alice = User.objects.get(username="alice")
    now = timezone.now()
    for number in range(3):
        patient = make_patient(clinic, record_number=f"R-{number:04d}", assigned_clinician=alice)
        for hours, instrument in [(48, COWS), (24, SOWS_GOSSOP), (2, COWS)]:
            assessment_submit(
                request=None,
                patient=patient,
                instrument_code=instrument.code,
                answers={item.key: item.legal_values[-1 if hours == 48 else 0] for item in instrument.items},
                taken_at=now - dt.timedelta(hours=hours),
                completed_by=instrument.completed_by,
                entered_by=alice,
                submission_id=uuid.uuid4(),
            )
    return demo_assessments + 9


@postgresql_only
def test_a_backup_restored_into_an_empty_database_has_every_row_of_every_table(seeded, empty_database, tmp_path):
    out = StringIO()
    call_command("backup", output_dir=tmp_path, stdout=out)
    dump = Path(out.getvalue().split()[0])
    assert re.fullmatch(r"steady-\d{8}T\d{6}Z\.dump", dump.name)
    assert dump.stat().st_size > 0 and list(tmp_path.iterdir()) == [dump]

    call_command("restore", str(dump), target_url=target_url(empty_database), stdout=StringIO())

    source = table_checksums(database_settings())
    restored = table_checksums(empty_database)
    assert source["assessments_assessment"][0] == seeded and source["audit_auditevent"][0] >= 9
    assert restored == source


@postgresql_only
def test_restore_refuses_a_database_that_is_not_empty(seeded, tmp_path):
    out = StringIO()
    call_command("backup", output_dir=tmp_path, stdout=out)
    before = table_checksums(database_settings())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", out.getvalue().split()[0], stdout=StringIO())
    assert table_checksums(database_settings()) == before


@postgresql_only
def test_the_restored_audit_trail_is_still_append_only(seeded, empty_database, tmp_path):
    out = StringIO()
    call_command("backup", output_dir=tmp_path, stdout=out)
    call_command("restore", out.getvalue().split()[0], target_url=target_url(empty_database), stdout=StringIO())
    with connect(empty_database) as db, pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM audit_auditevent")


def test_backups_refuse_a_database_that_is_not_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL"):
        database_settings(f"sqlite:///{settings.BASE_DIR / 'db.sqlite3'}")
