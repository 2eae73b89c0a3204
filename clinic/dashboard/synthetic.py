"""A synthetic clinic for benchmarks, built with bulk inserts (`manage.py seed_synthetic`).

Every person is obviously invented ("Synthetic Patient 00042", record SYN-00042). The story of
each patient is drawn from a seeded random generator: registration in the last two years, an
intake visit and follow-ups, one or two use reports, assessments spread over their time in care
(COWS rising to a withdrawal peak and settling, sometimes relapsing), and for some a patient
link, a taper plan or a referral. Each PatientAssessmentSummary row is computed from the
patient's generated assessments exactly as assessment_submit's summary_refresh computes it.

Nothing here proposes or records a dose: taper steps are dates and words, as clinicians write them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from clinic.accounts.models import Clinic, Role, User
from clinic.assessments.instruments import COWS, CRAVING_ITEM_KEY, SOWS, SOWS_GOSSOP, Instrument, band_rank
from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.audit.models import Action
from clinic.audit.services import audit_record
from clinic.dashboard.models import PatientActivity
from clinic.guidance.models import (
    Provider,
    ProviderKind,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ReviewDate,
    TaperPlan,
    TaperStatus,
    TaperStep,
)
from clinic.patients.models import Patient, PatientStatus, UseReport, Visit, VisitKind
from clinic.selfreport.models import DEFAULT_VALID_HOURS, PatientLink

CLINIC_NAME = "Synthetic Clinic"
SUPERVISOR = "synth-supervisor"
HISTORY_DAYS = 730  # patients registered over the last two years
PATIENTS_PER_BATCH = 500


class SyntheticClinicExists(Exception):
    """The synthetic clinic already has patients; pass reset=True to replace them."""


def clinician_username(n: int) -> str:
    return f"synth-clinician-{n}"


def record_number(n: int) -> str:
    return f"SYN-{n:05d}"


# --- Legal answers for any total, computed once per instrument ---------------------------------


def _answer_tables(instrument: Instrument, variants: int, rng: random.Random) -> list[dict[int, dict[str, int]]]:
    """For each variant, {total: answers adding up to it}, items visited in a shuffled order so
    patients do not all show the same item pattern."""
    tables = []
    for _ in range(variants):
        order = list(instrument.items)
        rng.shuffle(order)
        reachable: dict[int, dict[str, int]] = {0: {}}
        for item in order:
            step: dict[int, dict[str, int]] = {}
            for total, chosen in reachable.items():
                for value in item.legal_values:
                    step.setdefault(total + value, {**chosen, item.key: value})
            reachable = step
        # Store answers in declaration order, as assessment_submit stores them.
        tables.append({t: {i.key: a[i.key] for i in instrument.items} for t, a in reachable.items()})
    return tables


def _nearest(table: dict[int, dict[str, int]], total: int) -> int:
    while total not in table:  # a few totals cannot be reached on COWS (its values skip)
        total -= 1
    return total


# --- One patient's story ------------------------------------------------------------------------


@dataclass
class Story:
    patient: Patient
    registered: dt.datetime
    care_ends: dt.datetime  # last contact: visits and assessments stop here
    visits: list[Visit] = field(default_factory=list)
    reports: list[UseReport] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)


@dataclass
class Seeder:
    patients: int
    assessments_per_patient: int
    clinicians: int
    password: str
    seed: int = 7
    now: dt.datetime = field(default_factory=timezone.now)
    out: object = None  # a writer with .write(str), for progress lines

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.tables = {
            code: _answer_tables(instrument, 4, self.rng)
            for code, instrument in (("COWS", COWS), ("SOWS", SOWS), ("SOWS_GOSSOP", SOWS_GOSSOP))
        }
        self.counts: dict[str, int] = {}

    def say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line)

    # --- staff and clinic ---

    def staff(self, reset: bool) -> tuple[Clinic, User, list[User]]:
        clinic, _ = Clinic.objects.get_or_create(name=CLINIC_NAME)
        if Patient.objects.filter(clinic=clinic).exists():
            if not reset:
                raise SyntheticClinicExists(CLINIC_NAME)
            remove_patients(clinic)
        # One slow hash, shared: every synthetic account has the same printed password.
        hashed = make_password(self.password)
        supervisor = self._account(clinic, SUPERVISOR, Role.SUPERVISOR, "Synthetic", "Supervisor", hashed)
        clinicians = [
            self._account(clinic, clinician_username(n), Role.CLINICIAN, "Synthetic", f"Clinician {n}", hashed)
            for n in range(1, self.clinicians + 1)
        ]
        return clinic, supervisor, clinicians

    @staticmethod
    def _account(clinic: Clinic, username: str, role: str, first: str, last: str, hashed: str) -> User:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "clinic": clinic,
                "role": role,
                "first_name": first,
                "last_name": last,
                "password": hashed,
                "is_active": True,
            },
        )
        return user

    def providers(self, clinic: Clinic) -> list[Provider]:
        made = []
        for kind in (ProviderKind.BUPRENORPHINE, ProviderKind.OTP, ProviderKind.COUNSELLING, ProviderKind.PEER_SUPPORT):
            provider, _ = Provider.objects.get_or_create(
                clinic=clinic, name=f"Synthetic {ProviderKind(kind).label}", defaults={"kind": kind}
            )
            made.append(provider)
        return made

    # --- the whole clinic ---

    def run(self, *, reset: bool = False) -> dict[str, int]:
        with transaction.atomic():
            clinic, supervisor, clinicians = self.staff(reset)
            providers = self.providers(clinic)
        for first in range(0, self.patients, PATIENTS_PER_BATCH):
            numbers = range(first + 1, min(first + PATIENTS_PER_BATCH, self.patients) + 1)
            with transaction.atomic():
                self.batch(clinic, clinicians, providers, numbers)
            self.say(f"  {numbers[-1]} of {self.patients} patients")
        with transaction.atomic():
            audit_record(
                request=None,
                action=Action.CREATE,
                actor=supervisor,
                clinic=clinic,
                detail=f"synthetic clinic seeded: {self.patients} patients",
            )
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                # Fresh statistics for the planner, and a visibility map for index-only scans.
                for model in (Patient, Visit, UseReport, Assessment, PatientAssessmentSummary, PatientActivity):
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        return self.counts

    def _add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def batch(self, clinic: Clinic, clinicians: list[User], providers: list[Provider], numbers: range) -> None:
        rng = self.rng
        stories = [self._patient(clinic, clinicians, n) for n in numbers]
        created = Patient.objects.bulk_create([s.patient for s in stories])
        for story, patient in zip(stories, created, strict=False):
            story.patient = patient
            patient.created_at = story.registered
        # created_at is set on insert; put each registration back where the story has it.
        Patient.objects.bulk_update(created, ["created_at"], batch_size=PATIENTS_PER_BATCH)
        self._add("patients", len(created))

        for story in stories:
            self._visits(story, clinicians)
            self._reports(story)
            self._assessments(story)
        self._add("visits", len(Visit.objects.bulk_create([v for s in stories for v in s.visits], batch_size=2000)))
        self._add(
            "use reports", len(UseReport.objects.bulk_create([r for s in stories for r in s.reports], batch_size=2000))
        )
        every = [a for s in stories for a in s.assessments]
        self._add("assessments", len(Assessment.objects.bulk_create(every, batch_size=5000)))
        self._add(
            "summaries",
            len(
                PatientAssessmentSummary.objects.bulk_create(
                    [summary_of(s.patient, s.assessments) for s in stories if s.assessments], batch_size=2000
                )
            ),
        )
        self._links(stories, rng)
        self._tapers(stories, rng)
        self._referrals(stories, providers, rng)

    def _patient(self, clinic: Clinic, clinicians: list[User], n: int) -> Story:
        rng, now = self.rng, self.now
        # Registrations spread evenly over the clinic's history.
        age_days = HISTORY_DAYS * rng.random()
        registered = now - dt.timedelta(days=age_days, seconds=rng.randrange(86400))
        stay = dt.timedelta(days=rng.uniform(14, 120))
        if age_days > 120:
            status = rng.choices(PatientStatus.values, weights=[15, 10, 10, 65])[0]
        else:
            status = rng.choices(PatientStatus.values, weights=[55, 20, 15, 10])[0]
        if status == PatientStatus.DISCHARGED:
            care_ends = min(registered + stay, now - dt.timedelta(days=1))
        elif rng.random() < 0.2:
            care_ends = max(
                registered + dt.timedelta(days=1), now - dt.timedelta(days=rng.uniform(8, 40))
            )  # gone quiet
        else:
            care_ends = now - dt.timedelta(hours=rng.uniform(1, 96))
        care_ends = max(care_ends, registered + dt.timedelta(hours=2))
        patient = Patient(
            clinic=clinic,
            record_number=record_number(n),
            name=f"Synthetic Patient {n:05d}",
            date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16000)),
            preferred_language="es" if rng.random() < 0.15 else "en",
            assigned_clinician=None if rng.random() < 0.04 else rng.choice(clinicians),
            status=status,
        )
        return Story(patient, registered, care_ends)

    def _visits(self, story: Story, clinicians: list[User]) -> None:
        rng = self.rng
        clinician = story.patient.assigned_clinician or rng.choice(clinicians)
        # Everyone has an intake visit, however short their time with the clinic.
        at = min(story.registered + dt.timedelta(hours=rng.uniform(0, 48)), story.care_ends)
        kind = VisitKind.INTAKE
        while at <= story.care_ends:
            gap = dt.timedelta(days=rng.choice((7, 7, 14, 14, 21)))
            next_at = at + gap + dt.timedelta(hours=rng.uniform(-36, 72))
            # Most visits set the next date; the last one before a patient went quiet is often missed.
            follow_up = timezone.localdate(at) + gap if rng.random() < 0.85 else None
            story.visits.append(
                Visit(
                    patient=story.patient,
                    clinician=clinician,
                    occurred_at=at,
                    kind=kind,
                    pulse=rng.randint(60, 115),
                    next_follow_up=follow_up,
                )
            )
            kind = rng.choice((VisitKind.FOLLOW_UP, VisitKind.FOLLOW_UP, VisitKind.TELEHEALTH, VisitKind.PHONE))
            at = next_at

    def _reports(self, story: Story) -> None:
        rng = self.rng
        times = [story.visits[0].occurred_at if story.visits else story.registered]
        if rng.random() < 0.3 and story.care_ends - times[0] > dt.timedelta(days=10):
            times.append(times[0] + (story.care_ends - times[0]) * rng.uniform(0.3, 1.0))
        for at in times:
            concentrated = rng.random() < 0.7
            known = rng.random() < 0.6
            story.reports.append(
                UseReport(
                    patient=story.patient,
                    recorded_by=story.visits[0].clinician if story.visits else story.patient.assigned_clinician,
                    recorded_at=at,
                    product_form=rng.choice(("tablet", "gummy", "shot_drink", "extract")) if concentrated else "leaf",
                    strength_mg_per_unit=Decimal(rng.choice(("5", "10", "15", "20", "30"))) if known else None,
                    strength_unknown=not known,
                    units_per_day=Decimal(rng.randint(1, 8)),
                    uses_per_day=Decimal(rng.randint(1, 8)),
                    months_of_use=rng.randint(1, 48),
                    last_use_at=at - dt.timedelta(hours=rng.uniform(2, 20)),
                    alcohol=rng.choices(("none", "occasional", "weekly", "daily"), weights=(75, 10, 10, 5))[0],
                    benzodiazepines=rng.choices(("none", "occasional", "most_days"), weights=(90, 6, 4))[0],
                    other_opioids=rng.choices(("none", "occasional"), weights=(93, 7))[0],
                    gabapentinoids=rng.choices(("none", "weekly", "daily"), weights=(92, 4, 4))[0],
                    stimulants=rng.choices(("none", "weekly"), weights=(85, 15))[0],
                    cannabis=rng.choices(("none", "weekly", "daily"), weights=(60, 25, 15))[0],
                    reasons=rng.sample(["pain", "energy", "mood", "opioid_withdrawal"], rng.randint(1, 2)),
                )
            )

    def _assessments(self, story: Story) -> None:
        rng, count = self.rng, self.assessments_per_patient
        if count == 0:
            return
        start = story.registered + dt.timedelta(hours=1)
        span = max((story.care_ends - start).total_seconds(), 3600.0)
        # Most checklists are taken while withdrawal is managed, in the first weeks after intake,
        # densest in the first days; the rest are occasional check-ins over the remaining stay.
        withdrawal = min(span, rng.uniform(21, 42) * 86400)
        intensive = count if span <= withdrawal else round(count * 0.8)
        offsets = sorted(
            [withdrawal * (rng.random() ** 1.8) for _ in range(intensive)]
            + [rng.uniform(withdrawal, span) for _ in range(count - intensive)]
        )
        peak = rng.uniform(2, 5) * 86400  # worst withdrawal a few days in
        height = rng.uniform(8, 40)
        relapse = rng.random() < 0.15
        clinician = story.patient.assigned_clinician
        seen: set[dt.datetime] = set()
        for i, offset in enumerate(offsets):
            at = (start + dt.timedelta(seconds=offset)).replace(microsecond=0)
            while at in seen:  # distinct times, so "latest" never needs a tie-break
                at += dt.timedelta(seconds=1)
            seen.add(at)
            # Rises to the peak, then settles over about three weeks; a relapse lifts the last fifth.
            shape = min(offset / peak, 1.0) if offset < peak else max(0.0, 1.0 - (offset - peak) / (21 * 86400))
            level = height * shape + rng.gauss(0, 3)
            if relapse and i >= count * 0.8:
                level += height * 0.8
            roll = rng.random()
            if roll < 0.5:
                self._one(story, COWS, max(0, round(level)), at, clinician, rng)
            elif roll < 0.9:
                self._one(story, SOWS, max(0, round(level * 1.3)), at, None, rng)
            else:
                self._one(story, SOWS_GOSSOP, max(0, round(level * 0.6)), at, None, rng)

    def _one(self, story: Story, instrument: Instrument, total: int, at: dt.datetime, entered_by, rng) -> None:
        table = rng.choice(self.tables[instrument.code])
        total = _nearest(table, min(total, instrument.max_total))
        band = instrument.band_for(total)
        story.assessments.append(
            Assessment(
                patient=story.patient,
                instrument=instrument.code,
                taken_at=at,
                completed_by=instrument.completed_by,
                entered_by=entered_by,
                answers=table[total],
                total=total,
                band=band.key if band else "",
                submission_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            )
        )

    def _links(self, stories: list[Story], rng: random.Random) -> None:
        links = []
        for story in stories:
            if rng.random() >= 0.2 or story.patient.status == PatientStatus.DISCHARGED:
                continue
            created = story.care_ends - dt.timedelta(hours=rng.uniform(1, 240))
            created = max(created, story.registered + dt.timedelta(minutes=5))
            link = PatientLink(
                patient=story.patient,
                instrument="SOWS",
                created_by=story.patient.assigned_clinician or story.visits[0].clinician,
                token_hash=hashlib.sha256(rng.getrandbits(256).to_bytes(32, "big")).hexdigest(),
                created_at=created,
                expires_at=created + dt.timedelta(hours=DEFAULT_VALID_HOURS),
            )
            sows = [a for a in story.assessments if a.instrument == "SOWS" and created < a.taken_at < link.expires_at]
            if sows and rng.random() < 0.5:
                link.assessment_id, link.completed_at = sows[0].pk, sows[0].taken_at
            links.append(link)
        self._add("patient links", len(PatientLink.objects.bulk_create(links)))

    def _tapers(self, stories: list[Story], rng: random.Random) -> None:
        plans, chosen = [], []
        for story in stories:
            status = story.patient.status
            if status == PatientStatus.TAPERING:
                plan_status = TaperStatus.ACTIVE
            elif rng.random() < 0.1:
                plan_status = TaperStatus.COMPLETED if status == PatientStatus.DISCHARGED else TaperStatus.PLANNED
            else:
                continue
            author = story.patient.assigned_clinician or story.visits[0].clinician
            start = timezone.localdate(story.registered) + dt.timedelta(days=rng.randint(1, 10))
            plans.append(
                TaperPlan(
                    patient=story.patient,
                    start_date=start,
                    goals="Synthetic plan: goals in the clinician's words.",
                    status=plan_status,
                    status_changed_at=story.registered + dt.timedelta(days=1),
                    created_by=author,
                )
            )
            chosen.append((story, author, start))
        plans = TaperPlan.objects.bulk_create(plans)
        steps, reviews = [], []
        for plan, (_story, author, start) in zip(plans, chosen, strict=True):
            for week in (0, 1):
                steps.append(
                    TaperStep(
                        plan=plan,
                        date=start + dt.timedelta(weeks=week),
                        text="Synthetic step, as agreed with the prescriber.",
                        written_by=author,
                    )
                )
            for week in (2, 4):
                when = start + dt.timedelta(weeks=week)
                done = when < timezone.localdate(self.now) and rng.random() < 0.7
                reviews.append(ReviewDate(plan=plan, date=when, done=done, done_at=_noon(when) if done else None))
        TaperStep.objects.bulk_create(steps)
        ReviewDate.objects.bulk_create(reviews)
        self._add("taper plans", len(plans))

    def _referrals(self, stories: list[Story], providers: list[Provider], rng: random.Random) -> None:
        path = [
            ReferralStatus.DRAFTED,
            ReferralStatus.SENT,
            ReferralStatus.CONTACTED,
            ReferralStatus.APPOINTMENT,
            ReferralStatus.ATTENDED,
            ReferralStatus.TREATMENT_STARTED,
        ]
        referrals, moves = [], []
        for story in stories:
            referred = story.patient.status == PatientStatus.REFERRED
            if not referred and rng.random() >= 0.08:
                continue
            # A referred patient's referral has been sent at least; others may stop anywhere.
            steps = rng.randint(2, len(path)) if referred else rng.randint(1, len(path))
            statuses = path[:steps]
            at = story.registered + dt.timedelta(days=rng.uniform(1, 20))
            times = []
            for _ in statuses:
                times.append(min(at, self.now - dt.timedelta(minutes=5)))
                at += dt.timedelta(days=rng.uniform(1, 12))
            final = statuses[-1]
            closed = None
            if not referred and rng.random() < 0.3:
                closed = rng.choice((ReferralStatus.DECLINED, ReferralStatus.LOST))
                times.append(min(at, self.now - dt.timedelta(minutes=1)))
                final = closed
            author = story.patient.assigned_clinician or story.visits[0].clinician
            referrals.append(
                Referral(
                    patient=story.patient,
                    provider=rng.choice(providers),
                    status=final,
                    reason="Synthetic referral.",
                    created_by=author,
                )
            )
            moves.append((statuses, closed, times, author))
        referrals = Referral.objects.bulk_create(referrals)
        events = []
        for referral, (statuses, closed, times, author) in zip(referrals, moves, strict=False):
            before = ""
            for status, when in zip([*statuses, *([closed] if closed else [])], times, strict=False):
                events.append(
                    ReferralEvent(
                        referral=referral,
                        from_status=before,
                        to_status=status,
                        at=when,
                        by=author,
                        note="Synthetic reason." if status == closed else "",
                    )
                )
                before = status
        ReferralEvent.objects.bulk_create(events)
        self._add("referrals", len(referrals))


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def summary_of(patient: Patient, assessments: list[Assessment]) -> PatientAssessmentSummary:
    """The summary row summary_refresh would write for these assessments (latest by taken_at, then pk)."""
    newest = sorted(assessments, key=lambda a: (a.taken_at, a.pk or 0), reverse=True)
    cows = [a for a in newest if a.instrument == "COWS"][:2]
    sows = next((a for a in newest if a.instrument == "SOWS"), None)
    latest, previous = (cows + [None, None])[:2]
    return PatientAssessmentSummary(
        patient=patient,
        latest_cows_total=latest.total if latest else None,
        latest_cows_band=latest.band if latest else "",
        latest_cows_taken_at=latest.taken_at if latest else None,
        previous_cows_total=previous.total if previous else None,
        previous_cows_band=previous.band if previous else "",
        cows_band_went_up=bool(latest and previous and band_rank(latest.band) > band_rank(previous.band)),
        latest_sows_craving=sows.answers.get(CRAVING_ITEM_KEY) if sows else None,
        latest_sows_taken_at=sows.taken_at if sows else None,
        latest_assessment_at=newest[0].taken_at if newest else None,
    )


def remove_patients(clinic: Clinic) -> None:
    """Delete the clinic's patients and everything recorded about them, in bulk.

    Staff and the clinic stay: the append-only audit trail may name them. Events that name a
    removed patient keep its id as a plain number, as the trail always does.
    """
    patient_ids = f"SELECT id FROM {Patient._meta.db_table} WHERE clinic_id = %s"  # nosec B608: table names from models
    plan_ids = f"SELECT id FROM {TaperPlan._meta.db_table} WHERE patient_id IN ({patient_ids})"  # nosec B608: table names from models
    referral_ids = f"SELECT id FROM {Referral._meta.db_table} WHERE patient_id IN ({patient_ids})"  # nosec B608: table names from models
    statements = [
        (PatientLink, f"patient_id IN ({patient_ids})"),
        (PatientAssessmentSummary, f"patient_id IN ({patient_ids})"),
        (Assessment, f"patient_id IN ({patient_ids})"),
        (ReferralEvent, f"referral_id IN ({referral_ids})"),
        (Referral, f"patient_id IN ({patient_ids})"),
        (TaperStep, f"plan_id IN ({plan_ids})"),
        (ReviewDate, f"plan_id IN ({plan_ids})"),
        (TaperPlan, f"patient_id IN ({patient_ids})"),
        (UseReport, f"patient_id IN ({patient_ids})"),
        (Visit, f"patient_id IN ({patient_ids})"),
        # After the deletes above, whose triggers recomputed (emptied) these rows.
        (PatientActivity, f"patient_id IN ({patient_ids})"),
        (Patient, "clinic_id = %s"),
    ]
    with connection.cursor() as cursor:
        for model, where in statements:
            # Table names come from the models, the clinic id is a parameter.
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", [clinic.pk])  # nosec B608
