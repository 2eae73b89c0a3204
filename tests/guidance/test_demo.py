from __future__ import annotations

import datetime as dt

from clinic.accounts import demo as accounts_demo
from clinic.guidance import demo
from clinic.guidance.models import Provider, Referral, ReferralStatus, TaperPlan, TaperStatus
from clinic.patients.models import Patient, PatientStatus


def test_the_demo_adds_riverside_providers_only_once_and_copes_without_patients(db):
    cast = accounts_demo.load()
    demo.load(cast)
    demo.load(cast)
    assert Provider.objects.filter(clinic=cast.clinic).count() == len(demo.PROVIDERS)
    assert not Provider.objects.filter(clinic=cast.other_clinic).exists()
    assert not TaperPlan.objects.exists() and not Referral.objects.exists()


def test_with_demo_patients_it_adds_one_taper_plan_and_one_referral_in_progress(db):
    cast = accounts_demo.load()
    for number in (1, 2):
        Patient.objects.create(
            clinic=cast.clinic,
            record_number=f"D-{number}",
            name=f"Demo {number}",
            date_of_birth=dt.date(1990, 1, number),
        )
    demo.load(cast)
    demo.load(cast)
    plan = TaperPlan.objects.get()
    referral = Referral.objects.get()
    assert plan.status == TaperStatus.ACTIVE and plan.steps.count() == 2 and plan.review_dates.count() == 2
    assert referral.status == ReferralStatus.APPOINTMENT and referral.events.count() == 4
    assert referral.patient.status == PatientStatus.REFERRED
