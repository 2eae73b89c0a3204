"""Invented patients for `make run`, with visits, use reports, naloxone and pregnancy answers that
exercise every safety rule of the patients app (clinic/patients/safety_rules.py).

Keyed on record number: a patient that already exists is left exactly as it is, so loading
twice changes nothing. Times are relative to now, so the demo always looks recent.

Record numbers other apps may build on: R-1001 … R-1011 at Riverside, H-2001 at Hillcrest.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clinic.patients.models import NaloxoneRecord, Patient, PregnancyAnswer, UseReport, Visit

NONE = "none"


def _ago(now: dt.datetime, days: float = 0, hours: float = 0) -> dt.datetime:
    return (now - dt.timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)


def _use(**values) -> dict:
    base = {
        "route": "oral",
        "alcohol": NONE,
        "benzodiazepines": NONE,
        "other_opioids": NONE,
        "gabapentinoids": NONE,
        "other_sedatives": NONE,
        "stimulants": NONE,
        "cannabis": NONE,
    }
    base.update(values)
    return base


def _patients(cast) -> list[dict]:
    alice, erin, dave = cast.alice, cast.erin, cast.dave
    return [
        {
            # Depressant co-use (alcohol) with a concentrated tablet; the pattern changes between reports.
            "clinic": cast.clinic,
            "record_number": "R-1001",
            "name": "Marcus Bell",
            "date_of_birth": dt.date(1986, 3, 14),
            "phone": "555-0142",
            "assigned_clinician": alice,
            "status": "tapering",
            "visits": [
                dict(
                    days=21,
                    kind="intake",
                    clinician=alice,
                    pulse=96,
                    bp_systolic=138,
                    bp_diastolic=88,
                    respiratory_rate=16,
                    oxygen_saturation=97,
                    temperature_c=Decimal("36.9"),
                    notes="Started 7-OH tablets for back pain after a warehouse injury. Drinks most evenings.",
                    plan="Talk through alcohol and 7-OH together. Agreed to keep a use diary.",
                    follow_up_in=7,
                ),
                dict(
                    days=7,
                    kind="follow_up",
                    clinician=alice,
                    pulse=84,
                    bp_systolic=130,
                    bp_diastolic=84,
                    notes="Diary kept. Cut down to four tablets a day on his own; drinking at weekends only.",
                    plan="Continue diary. Discuss referral options for pain next visit.",
                    follow_up_in=14,
                ),
            ],
            "reports": [
                _use(
                    days=21,
                    last_use_hours=5,
                    product_form="tablet",
                    product_name="7-Tab Max",
                    strength_mg_per_unit=Decimal("15"),
                    units_per_day=Decimal("6"),
                    uses_per_day=Decimal("6"),
                    hours_between_uses=Decimal("3"),
                    months_of_use=14,
                    alcohol="daily",
                    reasons=["pain", "energy"],
                    previous_attempts_to_stop="Stopped for two days last spring; restarted because of sweats and pain.",
                    past_withdrawal="Sweats, restlessness and diarrhoea within a day of stopping.",
                    current_medications="Ibuprofen as needed.",
                ),
                _use(
                    days=7,
                    last_use_hours=3,
                    product_form="tablet",
                    product_name="7-Tab Max",
                    strength_mg_per_unit=Decimal("15"),
                    units_per_day=Decimal("4"),
                    uses_per_day=Decimal("4"),
                    hours_between_uses=Decimal("4"),
                    months_of_use=14,
                    alcohol="weekly",
                    reasons=["pain", "energy"],
                    previous_attempts_to_stop="Stopped for two days last spring; restarted because of sweats and pain.",
                    past_withdrawal="Sweats, restlessness and diarrhoea within a day of stopping.",
                    current_medications="Ibuprofen as needed.",
                ),
            ],
        },
        {
            # Benzodiazepines, strength unknown, a concentrated shot. Prefers Spanish.
            "clinic": cast.clinic,
            "record_number": "R-1002",
            "name": "Lucía Fernández",
            "date_of_birth": dt.date(1979, 11, 2),
            "preferred_language": "es",
            "assigned_clinician": alice,
            "status": "active",
            "visits": [
                dict(
                    days=10,
                    kind="intake",
                    clinician=alice,
                    pulse=102,
                    respiratory_rate=14,
                    oxygen_saturation=96,
                    notes="Buys 7-OH shots at a gas station; unsure what is in them. Takes alprazolam to sleep.",
                    plan="Naloxone offered and accepted. Talk about not combining with alprazolam.",
                    follow_up_in=7,
                ),
                dict(
                    days=3,
                    kind="telehealth",
                    clinician=alice,
                    notes="Video call. Sleeping badly. Still using shots twice a day.",
                    plan="Check in by phone in a week.",
                    follow_up_in=7,
                ),
            ],
            "reports": [
                _use(
                    days=10,
                    last_use_hours=9,
                    product_form="shot_drink",
                    product_name="gas-station shot",
                    strength_unknown=True,
                    units_per_day=Decimal("2"),
                    uses_per_day=Decimal("2"),
                    hours_between_uses=Decimal("8"),
                    months_of_use=6,
                    benzodiazepines="most_days",
                    reasons=["mood", "opioid_withdrawal"],
                    current_medications="Alprazolam (not prescribed to her).",
                ),
            ],
        },
        {
            # Past overdose; moved from leaf to a concentrated extract; fentanyl exposure in the past.
            "clinic": cast.clinic,
            "record_number": "R-1003",
            "name": "Dana Whitfield",
            "date_of_birth": dt.date(1992, 6, 27),
            "email": "dana.w@example.org",
            "assigned_clinician": erin,
            "status": "active",
            "visits": [
                dict(
                    days=40,
                    kind="intake",
                    clinician=erin,
                    pulse=78,
                    bp_systolic=118,
                    bp_diastolic=76,
                    respiratory_rate=15,
                    oxygen_saturation=98,
                    notes="Uses kratom leaf powder to stay off fentanyl. Overdosed on fentanyl two years ago.",
                    plan="Naloxone kit given. Discussed buprenorphine referral; she wants to think about it.",
                    follow_up_in=14,
                ),
                dict(
                    days=2,
                    kind="urgent",
                    clinician=erin,
                    pulse=110,
                    respiratory_rate=12,
                    oxygen_saturation=94,
                    notes="Switched to a 7-OH extract powder last month; using far more than before.",
                    plan="Agreed referral for buprenorphine assessment. Naloxone refreshed.",
                    follow_up_in=3,
                ),
            ],
            "reports": [
                _use(
                    days=40,
                    last_use_hours=6,
                    product_form="leaf",
                    product_name="Red Bali powder",
                    strength_unknown=True,
                    units_per_day=Decimal("3"),
                    uses_per_day=Decimal("3"),
                    hours_between_uses=Decimal("5"),
                    months_of_use=20,
                    other_opioids="occasional",
                    reasons=["opioid_withdrawal"],
                    past_overdose=True,
                    overdose_history="Fentanyl overdose two years ago, revived with naloxone by a friend.",
                    previous_attempts_to_stop="Several attempts at home; longest three weeks.",
                ),
                _use(
                    days=2,
                    last_use_hours=14,
                    product_form="extract",
                    product_name="OH-Pure extract",
                    strength_mg_per_unit=Decimal("25"),
                    units_per_day=Decimal("4"),
                    uses_per_day=Decimal("4"),
                    hours_between_uses=Decimal("4"),
                    months_of_use=21,
                    other_opioids="occasional",
                    reasons=["opioid_withdrawal", "mood"],
                    past_overdose=True,
                    last_overdose_months=24,
                    overdose_history="Fentanyl overdose two years ago, revived with naloxone by a friend.",
                    previous_attempts_to_stop="Several attempts at home; longest three weeks.",
                ),
            ],
        },
        {
            # Kratom leaf, no depressants: only "strength unknown" applies.
            "clinic": cast.clinic,
            "record_number": "R-1004",
            "name": "Tom Okonkwo",
            "date_of_birth": dt.date(1965, 1, 9),
            "assigned_clinician": erin,
            "status": "active",
            "visits": [
                dict(
                    days=30,
                    kind="intake",
                    clinician=erin,
                    pulse=72,
                    bp_systolic=142,
                    bp_diastolic=90,
                    temperature_c=Decimal("36.6"),
                    notes="Brews kratom leaf tea each morning for energy on long shifts.",
                    plan="Check blood pressure again at follow-up.",
                    follow_up_in=30,
                ),
            ],
            "reports": [
                _use(
                    days=30,
                    last_use_hours=20,
                    product_form="leaf",
                    product_name="loose leaf",
                    strength_unknown=True,
                    units_per_day=Decimal("2"),
                    uses_per_day=Decimal("2"),
                    hours_between_uses=Decimal("10"),
                    months_of_use=48,
                    reasons=["energy"],
                    cannabis="occasional",
                ),
            ],
        },
        {
            # Gabapentinoid co-use with gummies; a CYP3A4 inhibitor among the medications.
            "clinic": cast.clinic,
            "record_number": "R-1005",
            "name": "Priya Raman",
            "date_of_birth": dt.date(1990, 8, 19),
            "phone": "555-0178",
            "assigned_clinician": alice,
            "status": "active",
            "visits": [
                dict(
                    days=14,
                    kind="intake",
                    clinician=alice,
                    pulse=80,
                    bp_systolic=112,
                    bp_diastolic=70,
                    respiratory_rate=14,
                    oxygen_saturation=99,
                    notes="Takes 7-OH gummies in the evening for mood. Prescribed pregabalin for nerve pain.",
                    plan="Share the harm-reduction page about combining depressants.",
                    follow_up_in=14,
                ),
                dict(
                    days=1,
                    kind="phone",
                    clinician=alice,
                    notes="Started clarithromycin for a chest infection.",
                    plan="Noted the new medication beside her use pattern.",
                    follow_up_in=13,
                ),
            ],
            "reports": [
                _use(
                    days=14,
                    last_use_hours=16,
                    product_form="gummy",
                    product_name="Chill 7 gummies",
                    strength_mg_per_unit=Decimal("10"),
                    units_per_day=Decimal("2"),
                    uses_per_day=Decimal("1"),
                    months_of_use=8,
                    gabapentinoids="daily",
                    reasons=["mood"],
                    current_medications="Pregabalin for nerve pain.",
                ),
                _use(
                    days=1,
                    last_use_hours=18,
                    product_form="gummy",
                    product_name="Chill 7 gummies",
                    strength_mg_per_unit=Decimal("10"),
                    units_per_day=Decimal("2"),
                    uses_per_day=Decimal("1"),
                    months_of_use=8,
                    gabapentinoids="daily",
                    reasons=["mood"],
                    current_medications="Pregabalin for nerve pain. Clarithromycin (a CYP3A4 inhibitor) since yesterday.",
                ),
            ],
        },
        {
            # Stimulants and cannabis are not depressants: only "concentrated product" applies. Referred.
            "clinic": cast.clinic,
            "record_number": "R-1006",
            "name": "Jamal Carter",
            "date_of_birth": dt.date(1998, 4, 5),
            "assigned_clinician": erin,
            "status": "referred",
            "visits": [
                dict(
                    days=60,
                    kind="intake",
                    clinician=erin,
                    pulse=88,
                    bp_systolic=124,
                    bp_diastolic=80,
                    notes="Vapes 7-OH through the day while working night shifts.",
                    plan="Referred to the outpatient programme closer to home.",
                    follow_up_in=None,
                ),
            ],
            "reports": [
                _use(
                    days=60,
                    last_use_hours=2,
                    product_form="vape",
                    product_name="Cloud 7 cartridge",
                    strength_mg_per_unit=Decimal("50"),
                    units_per_day=Decimal("1"),
                    uses_per_day=Decimal("12"),
                    hours_between_uses=Decimal("1"),
                    route="inhaled",
                    months_of_use=5,
                    stimulants="weekly",
                    cannabis="daily",
                    reasons=["energy", "recreation"],
                ),
            ],
        },
        {
            # Just referred: no visit and no use report yet, so no flags.
            "clinic": cast.clinic,
            "record_number": "R-1007",
            "name": "Keisha Morgan",
            "date_of_birth": dt.date(2001, 12, 30),
            "phone": "555-0199",
            "assigned_clinician": alice,
            "status": "active",
            "visits": [],
            "reports": [],
        },
        {
            # The danger the review found silent: very slow breathing, low SpO2, drifting off, with daily alcohol.
            "clinic": cast.clinic,
            "record_number": "R-1008",
            "name": "Victor Hale",
            "date_of_birth": dt.date(1979, 1, 30),
            "assigned_clinician": alice,
            "status": "active",
            "visits": [
                dict(
                    days=0.2,
                    kind="urgent",
                    clinician=alice,
                    pulse=52,
                    respiratory_rate=8,
                    oxygen_saturation=88,
                    sedation="3",
                    notes="Very drowsy, pinpoint pupils. Took extra tablets last night after drinking.",
                    plan="Assessed in clinic; called 911; partner with him.",
                    follow_up_in=1,
                ),
            ],
            "reports": [
                _use(
                    days=0.2,
                    last_use_hours=10,
                    product_form="tablet",
                    strength_unknown=True,
                    units_per_day=Decimal("5"),
                    alcohol="daily",
                    reasons=["mood"],
                ),
            ],
        },
        {
            # Breathing at the discuss level; an overdose five months ago; naloxone given this week.
            "clinic": cast.clinic,
            "record_number": "R-1009",
            "name": "Nora Quinn",
            "date_of_birth": dt.date(1992, 8, 2),
            "assigned_clinician": erin,
            "status": "active",
            "visits": [
                dict(
                    days=1,
                    kind="follow_up",
                    clinician=erin,
                    pulse=64,
                    respiratory_rate=11,
                    oxygen_saturation=93,
                    sedation="2",
                    notes="Slightly drowsy, easily roused. Says she slept badly.",
                    plan="Check again at the next visit; talked about not using alone.",
                    follow_up_in=3,
                ),
            ],
            "reports": [
                _use(
                    days=1,
                    last_use_hours=14,
                    product_form="leaf",
                    strength_mg_per_unit=Decimal("0.5"),
                    units_per_day=Decimal("3"),
                    past_overdose=True,
                    last_overdose_months=5,
                    overdose_history="Overdosed on pills from a friend five months ago; revived in the emergency room.",
                ),
            ],
            "naloxone": [dict(days=3, event="given", notes="Kit and how to use it.")],
        },
        {
            # Pregnant, with weekly fentanyl exposure: the pregnancy and fentanyl cards.
            "clinic": cast.clinic,
            "record_number": "R-1010",
            "name": "Ines Park",
            "date_of_birth": dt.date(1997, 11, 9),
            "assigned_clinician": alice,
            "status": "active",
            "visits": [
                dict(days=2, kind="intake", clinician=alice, pulse=88, notes="Intake.", plan="", follow_up_in=7)
            ],
            "reports": [
                _use(
                    days=2,
                    last_use_hours=20,
                    product_form="gummy",
                    strength_mg_per_unit=Decimal("12"),
                    units_per_day=Decimal("2"),
                    other_opioids="weekly",
                ),
            ],
            "pregnancy": dict(days=2, status="pregnant"),
        },
        {
            # Discharged after a taper: lost tolerance.
            "clinic": cast.clinic,
            "record_number": "R-1011",
            "name": "Owen Price",
            "date_of_birth": dt.date(1983, 5, 21),
            "assigned_clinician": erin,
            "status": "discharged",
            "visits": [
                dict(days=10, kind="follow_up", clinician=erin, notes="Finished the taper.", plan="", follow_up_in=0)
            ],
            "reports": [
                _use(
                    days=10,
                    last_use_hours=200,
                    product_form="leaf",
                    strength_mg_per_unit=Decimal("0.5"),
                    units_per_day=Decimal("1"),
                    other_sedatives="occasional",
                ),
            ],
        },
        {
            # At Hillcrest: Riverside staff must never see her.
            "clinic": cast.other_clinic,
            "record_number": "H-2001",
            "name": "Rosa Delgado",
            "date_of_birth": dt.date(1983, 5, 21),
            "preferred_language": "es",
            "assigned_clinician": dave,
            "status": "active",
            "visits": [
                dict(
                    days=5,
                    kind="intake",
                    clinician=dave,
                    pulse=90,
                    notes="Uses 7-OH tablets after work.",
                    plan="Follow up in two weeks.",
                    follow_up_in=14,
                ),
            ],
            "reports": [
                _use(
                    days=5,
                    last_use_hours=12,
                    product_form="tablet",
                    product_name="7-Tab",
                    strength_mg_per_unit=Decimal("10"),
                    units_per_day=Decimal("3"),
                    months_of_use=4,
                    alcohol="occasional",
                    reasons=["pain"],
                ),
            ],
        },
    ]


def load(cast) -> list[Patient]:
    now = timezone.now()
    patients = []
    corrected = False
    for spec in _patients(cast):
        spec = dict(spec)
        visits, reports = spec.pop("visits"), spec.pop("reports")
        naloxone, pregnancy = spec.pop("naloxone", []), spec.pop("pregnancy", None)
        clinic, record_number = spec.pop("clinic"), spec.pop("record_number")
        patient, created = Patient.objects.get_or_create(clinic=clinic, record_number=record_number, defaults=spec)
        patients.append(patient)
        if not created:
            continue
        for values in visits:
            values = dict(values)
            days, follow_up_in = values.pop("days"), values.pop("follow_up_in")
            occurred_at = _ago(now, days=days, hours=2)
            Visit.objects.create(
                patient=patient,
                occurred_at=occurred_at,
                next_follow_up=timezone.localdate(occurred_at) + dt.timedelta(days=follow_up_in)
                if follow_up_in
                else None,
                **values,
            )
        for values in reports:
            values = dict(values)
            recorded_at = _ago(now, days=values.pop("days"), hours=2)
            months = values.pop("last_overdose_months", None)
            if months is not None:
                day = timezone.localdate(now) - dt.timedelta(days=round(months * 30.5))
                values["last_overdose_on"] = day.replace(day=1)
            UseReport.objects.create(
                patient=patient,
                recorded_by=patient.assigned_clinician,
                recorded_at=recorded_at,
                last_use_at=recorded_at - dt.timedelta(hours=values.pop("last_use_hours")),
                **values,
            )
        for values in naloxone:
            NaloxoneRecord.objects.create(
                patient=patient,
                recorded_by=patient.assigned_clinician,
                on=timezone.localdate(now) - dt.timedelta(days=values["days"]),
                event=values["event"],
                notes=values.get("notes", ""),
            )
        if pregnancy:
            PregnancyAnswer.objects.create(
                patient=patient,
                recorded_by=patient.assigned_clinician,
                asked_on=timezone.localdate(now) - dt.timedelta(days=pregnancy["days"]),
                status=pregnancy["status"],
            )
        if not corrected and patient.visits.exists():
            _corrections(patient)
            corrected = True
    return patients


def _corrections(patient: Patient) -> None:
    """One amended visit and one visit entered in error, so the timeline shows both marks."""
    from clinic.patients.corrections import record_amend, record_mark_in_error

    clinician = patient.assigned_clinician
    visit = patient.visits.order_by("occurred_at", "pk").first()
    record_amend(
        request=None,
        actor=clinician,
        record=visit,
        fields={"notes": (visit.notes + " A family member came along and drove them in.").strip()},
        reason="Added who came along; left out when the visit was first written up.",
    )
    duplicate = Visit.objects.create(
        patient=patient, clinician=clinician, occurred_at=visit.occurred_at + dt.timedelta(minutes=5), kind=visit.kind
    )
    record_mark_in_error(
        request=None, actor=clinician, record=duplicate, reason="Saved twice by a double click; the first one stands."
    )
