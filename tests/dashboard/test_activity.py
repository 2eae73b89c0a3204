"""PatientActivity follows every write to visits, use reports, links, taper plans and reviews."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.utils import timezone

from clinic.dashboard.models import PatientActivity
from clinic.guidance import services as guidance
from clinic.guidance.models import OPEN_TAPER_STATUSES, ReviewDate, TaperPlan, TaperStatus
from clinic.patients.models import Patient, UseReport, Visit
from clinic.selfreport.models import PatientLink
from clinic.selfreport.services import patient_link_issue
from tests.conftest import make_patient
from tests.patients.factories import make_use_report, make_visit

TRIGGERS = import_module("clinic.dashboard.migrations.0002_activity_triggers")


def activity(patient) -> PatientActivity | None:
    return PatientActivity.objects.filter(patient=patient).first()


def test_a_patient_with_no_history_has_no_activity_row(patient):
    assert activity(patient) is None


def test_the_latest_visit_and_its_follow_up_date_follow_inserts_updates_and_deletes(patient, alice):
    older = make_visit(patient, alice, days_ago=5, next_follow_up=timezone.localdate() + dt.timedelta(days=2))
    assert activity(patient).last_visit_at == older.occurred_at
    newer = make_visit(patient, alice, days_ago=1)
    row = activity(patient)
    assert (row.last_visit_at, row.follow_up_due) == (newer.occurred_at, None)
    Visit.objects.filter(pk=newer.pk).update(occurred_at=timezone.now() - dt.timedelta(days=9))  # corrected date
    row = activity(patient)
    assert (row.last_visit_at, row.follow_up_due) == (older.occurred_at, older.next_follow_up)
    Visit.objects.filter(pk=older.pk).delete()
    assert activity(patient).last_visit_at == Visit.objects.get(pk=newer.pk).occurred_at
    Visit.objects.all().delete()
    assert activity(patient).last_visit_at is None


def test_the_latest_use_report_follows_inserts_and_deletes(patient, alice):
    first = make_use_report(patient, alice, days_ago=3)
    second = make_use_report(patient, alice, days_ago=1, alcohol="daily")
    assert activity(patient).latest_use_report_id == second.pk
    UseReport.objects.filter(pk=second.pk).delete()
    assert activity(patient).latest_use_report_id == first.pk


def test_the_latest_patient_link_follows_new_links(patient, alice):
    first, _ = patient_link_issue(request=None, patient=patient, created_by=alice)
    assert activity(patient).latest_link_id == first.pk
    second, _ = patient_link_issue(request=None, patient=patient, created_by=alice)
    assert activity(patient).latest_link_id == second.pk
    PatientLink.objects.filter(pk=second.pk).update(created_at=first.created_at - dt.timedelta(hours=1))
    assert activity(patient).latest_link_id == first.pk


def test_the_review_due_is_the_earliest_review_not_held_of_an_open_plan(patient, alice):
    today = timezone.localdate()
    plan = guidance.taper_plan_create(request=None, actor=alice, patient=patient, start_date=today, goals="Goals.")
    early = guidance.review_date_add(request=None, actor=alice, plan=plan, date=today + dt.timedelta(days=7))
    guidance.review_date_add(request=None, actor=alice, plan=plan, date=today + dt.timedelta(days=14))
    assert activity(patient).review_due == early.date
    guidance.review_date_mark_done(request=None, actor=alice, review=early, early_reason="Held at an unplanned visit.")
    assert activity(patient).review_due == today + dt.timedelta(days=14)
    guidance.taper_plan_update(
        request=None, actor=alice, plan=plan, fields={"status": TaperStatus.STOPPED, "outcome_note": "No."}
    )
    assert activity(patient).review_due is None
    TaperPlan.objects.filter(pk=plan.pk).update(status=TaperStatus.PAUSED)
    assert activity(patient).review_due == today + dt.timedelta(days=14)
    ReviewDate.objects.filter(plan=plan).delete()
    assert activity(patient).review_due is None


def test_moving_a_record_to_another_patient_updates_both(clinic, patient, alice):
    other = make_patient(clinic, "R-2", name="Other", assigned_clinician=alice)
    visit = make_visit(patient, alice, days_ago=1)
    Visit.objects.filter(pk=visit.pk).update(patient=other)
    assert activity(patient).last_visit_at is None
    assert activity(other).last_visit_at == visit.occurred_at


def test_a_write_that_fails_leaves_no_trace_in_the_activity_row(patient, alice):
    from django.db import IntegrityError, transaction

    try:
        with transaction.atomic():
            make_visit(patient, alice, days_ago=1)
            raise IntegrityError("the visit's transaction is rolled back")
    except IntegrityError:
        pass
    assert activity(patient) is None


def test_the_triggers_know_the_same_open_taper_statuses_as_the_guidance_app():
    assert set(TRIGGERS.OPEN_PLAN) == {str(s) for s in OPEN_TAPER_STATUSES}


def _a_patient_with_every_kind_of_history(clinic, alice):
    patient = make_patient(clinic, "R-FLUSH", assigned_clinician=alice)
    make_visit(patient, alice, days_ago=2)
    make_use_report(patient, alice, days_ago=2)
    patient_link_issue(request=None, patient=patient, created_by=alice)
    plan = guidance.taper_plan_create(
        request=None, actor=alice, patient=patient, start_date=timezone.localdate(), goals="Goals."
    )
    guidance.review_date_add(request=None, actor=alice, plan=plan, date=timezone.localdate())
    return patient


def test_flush_empties_a_database_whose_patients_have_history(transactional_db, clinic, alice):
    """`manage.py flush`, as every browser test's teardown runs it, on whichever database runs."""
    from django.core.management import call_command

    _a_patient_with_every_kind_of_history(clinic, alice)
    assert PatientActivity.objects.count() == 1
    call_command("flush", interactive=False, verbosity=0)
    assert (PatientActivity.objects.count(), Visit.objects.count(), Patient.objects.count()) == (0, 0, 0)


def test_emptying_every_table_in_the_worst_order_leaves_no_row_behind(transactional_db, clinic, alice):
    """SQLite's flush deletes table by table in an order that changes between runs. The worst one:
    the activity rows first, then the histories (whose delete triggers fire), the patients last.
    A delete must never re-create an activity row, or the commit fails on its foreign key."""
    from django.db import connection, transaction

    _a_patient_with_every_kind_of_history(clinic, alice)
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    first, last = ["dashboard_patientactivity"], ["patients_patient", "accounts_clinic"]
    ordered = first + sorted(t for t in tables if t not in first + last) + last
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # append-only there: DELETE is refused, TRUNCATE is how flush empties it
            cursor.execute("TRUNCATE audit_auditevent")
            ordered.remove("audit_auditevent")
        for table in ordered:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 (Django's own table names)
    assert (PatientActivity.objects.count(), Patient.objects.count()) == (0, 0)


def test_every_watched_table_keeps_its_activity_triggers_after_all_migrations(db):
    """SQLite rebuilds a table for some schema changes and drops its triggers with it: a later
    migration on visits, use reports, links, plans or reviews must put them back."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dashboard_activity_%'"
            )
        else:
            cursor.execute(
                "SELECT event_object_table, trigger_name FROM information_schema.triggers"
                " WHERE trigger_name = 'dashboard_activity'"
            )
        found = sorted({(table, name) for table, name in cursor.fetchall()})
    per_table = 3 if connection.vendor == "sqlite" else 1  # SQLite: one each for insert, update, delete
    expected = {table for table, _columns, _patient in TRIGGERS.WATCHED}
    assert {table for table, _name in found} == expected
    assert len(found) == per_table * len(expected)
