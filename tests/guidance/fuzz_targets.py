"""The guidance forms (taper plans, steps, review dates, providers, referrals), for the fuzzer in
tests/security/fuzz.py.

The world (tests/guidance/routes.py) already holds an active plan with a step and a review date,
a provider and a drafted referral for Alice's patient, and Hillcrest's own provider and plan:
their ids, posted anywhere, must be refused or ignored.
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import strategies as st

from clinic.audit.models import Action
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
from clinic.patients.models import Patient
from tests.security.fuzz import FormTarget, audited, date_inputs, form_data, hillcrest_ids, words


def _hillcrest(world) -> tuple:
    """Everything of Hillcrest's a Riverside form could reach if an id slipped through."""
    return (
        Provider.objects.filter(clinic=world.other_clinic).values().first(),
        TaperPlan.objects.filter(patient__clinic=world.other_clinic).count(),
        TaperStep.objects.filter(plan__patient__clinic=world.other_clinic).count(),
        Referral.objects.filter(patient__clinic=world.other_clinic).count(),
    )


def _data(fields: dict):
    return lambda world: form_data(fields, foreign=hillcrest_ids(world))


# --- Taper plans ------------------------------------------------------------------------------

PLAN_FIELDS = {
    "start_date": date_inputs(),
    "goals": words(),
    "status": st.sampled_from(TaperStatus.values),
    "outcome_note": st.one_of(st.just(""), words()),
}


def _plans_state(world) -> tuple:
    return TaperPlan.objects.count(), audited(Action.CREATE, "guidance.taperplan"), _hillcrest(world)


def _plan_created(world, before, after) -> None:
    assert after[:2] == (before[0] + 1, before[1] + 1), "a new plan and its audit event, together"
    assert after[2] == before[2]
    newest = TaperPlan.objects.latest("pk")
    assert (newest.patient_id, newest.created_by_id) == (world.patient.pk, world.alice.pk)
    # The world's plan is active, so only an ended plan can be added beside it.
    assert newest.status in ("completed", "stopped") and newest.outcome_note.strip()


def _plan_row(world) -> tuple:
    plan = TaperPlan.objects.filter(pk=world.plan.pk).values().get()
    patient = Patient.objects.filter(pk=world.patient.pk).values("status", "version").get()
    return plan, patient, audited(Action.UPDATE, "guidance.taperplan"), _hillcrest(world)


def _plan_updated(world, before, after) -> None:
    (plan_before, _, events_before, hillcrest_before), (plan_after, patient, events_after, hillcrest_after) = (
        before,
        after,
    )
    assert plan_after["patient_id"] == world.patient.pk and plan_after["created_by_id"] == world.alice.pk
    assert hillcrest_after == hillcrest_before
    changed = {k for k in ("start_date", "goals", "status", "outcome_note") if plan_after[k] != plan_before[k]}
    assert events_after == events_before + bool(changed), "each change audited, once"
    # The patient's status follows the plan (unless a sent referral or a discharge outranks it).
    if plan_after["status"] == "active" and patient["status"] not in ("referred", "discharged"):
        assert patient["status"] == "tapering"


STEP_FIELDS = {"date": date_inputs(), "text": words()}


def _steps_state(world) -> tuple:
    return TaperStep.objects.count(), audited(Action.CREATE, "guidance.taperstep"), _hillcrest(world)


def _step_added(world, before, after) -> None:
    assert after[:2] == (before[0] + 1, before[1] + 1), "a new step and its audit event, together"
    assert after[2] == before[2]
    newest = TaperStep.objects.latest("pk")
    assert (newest.plan_id, newest.written_by_id) == (world.plan.pk, world.alice.pk)


def _step_row(world) -> tuple:
    return TaperStep.objects.filter(pk=world.step.pk).values().get(), audited(Action.UPDATE, "guidance.taperstep")


def _step_updated(world, before, after) -> None:
    (row_before, events_before), (row_after, events_after) = before, after
    assert (row_after["plan_id"], row_after["written_by_id"]) == (world.plan.pk, world.alice.pk)
    changed = (row_after["date"], row_after["text"]) != (row_before["date"], row_before["text"])
    assert events_after == events_before + changed


REVIEW_FIELDS = {"date": date_inputs(), "note": st.one_of(st.just(""), words(200))}


def _reviews_state(world) -> tuple:
    return ReviewDate.objects.count(), audited(Action.CREATE, "guidance.reviewdate"), _hillcrest(world)


def _review_added(world, before, after) -> None:
    assert after[:2] == (before[0] + 1, before[1] + 1), "a new review date and its audit event, together"
    assert after[2] == before[2]
    assert ReviewDate.objects.latest("pk").plan_id == world.plan.pk


# --- Providers --------------------------------------------------------------------------------

PROVIDER_FIELDS = {
    "name": st.from_regex(r"[A-Z][a-z]{2,12}( [A-Z][a-z]{2,12}){0,2}", fullmatch=True),
    "kind": st.sampled_from(ProviderKind.values),
    "phone": st.sampled_from(["", "555-0100", "+1 555 010 0199"]),
    "email": st.one_of(st.just(""), st.emails()),
    "address": words(80),
    "website": st.sampled_from(["", "https://example.org", "example.org/clinic", "javascript:alert(1)", "ftp://x"]),
    "telehealth": st.sampled_from(["on", ""]),
    "notes": words(),
}

PROVIDER_BASELINE = {
    "name": "Harbour Peer Support",
    "kind": "peer_support",
    "phone": "555-0100",
    "email": "hello@harbour.example.org",
    "address": "1 Quay Street",
    "website": "https://harbour.example.org",
    "telehealth": "on",
    "notes": "Evenings too.",
}


def _providers_state(world) -> tuple:
    return Provider.objects.count(), audited(Action.CREATE, "guidance.provider"), _hillcrest(world)


def _provider_added(world, before, after) -> None:
    assert after[:2] == (before[0] + 1, before[1] + 1), "a new provider and its audit event, together"
    assert after[2] == before[2]
    assert Provider.objects.latest("pk").clinic_id == world.clinic.pk


def _provider_row(world) -> tuple:
    return Provider.objects.filter(pk=world.provider.pk).values().get(), _hillcrest(world)


def _provider_updated(world, before, after) -> None:
    assert after[0]["clinic_id"] == world.clinic.pk
    assert after[1] == before[1]


# --- Referrals --------------------------------------------------------------------------------


def _referral_data(world) -> st.SearchStrategy[dict]:
    fields = {
        # Hillcrest's provider is posted now and then: refused, not one of the choices.
        "provider": st.sampled_from([str(world.provider.pk), str(world.provider.pk), str(world.dave_provider.pk)]),
        "reason": words(),
    }
    return form_data(fields, foreign=hillcrest_ids(world))


def _referrals_state(world) -> tuple:
    return (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        audited(Action.CREATE, "guidance.referral"),
        _hillcrest(world),
    )


def _referral_drafted(world, before, after) -> None:
    assert after[:3] == tuple(n + 1 for n in before[:3]), "referral, its first event and its audit event, together"
    assert after[3] == before[3]
    newest = Referral.objects.latest("pk")
    assert (newest.patient_id, newest.provider_id, newest.status) == (world.patient.pk, world.provider.pk, "drafted")


def _referral_row(world) -> tuple:
    referral = Referral.objects.filter(pk=world.referral.pk).values("status", "patient_id", "provider_id").get()
    events = ReferralEvent.objects.filter(referral=world.referral).count()
    return referral, events, audited(Action.UPDATE, "guidance.referral"), _hillcrest(world)


def _referral_moved(world, before, after) -> None:
    (referral_before, events_before, audits_before, hillcrest_before) = before
    (referral_after, events_after, audits_after, hillcrest_after) = after
    assert (events_after, audits_after) == (events_before + 1, audits_before + 1), "the move, its event and audit"
    assert referral_after["status"] != referral_before["status"]
    assert (referral_after["patient_id"], referral_after["provider_id"]) == (world.patient.pk, world.provider.pk)
    assert hillcrest_after == hillcrest_before


def _reopen(client, world) -> None:
    # Test scaffolding only: once closed the referral refuses every move; reopen it so moves keep landing.
    referral = Referral.objects.get(pk=world.referral.pk)
    if referral.status in ("engaged_30_days", "declined", "lost"):
        Referral.objects.filter(pk=referral.pk).update(status="sent")


TARGETS = [
    FormTarget(
        name="taper_plan_create",
        url=lambda w: reverse("guidance:taper_create", kwargs={"patient_pk": w.patient.pk}),
        actor="alice",
        data=_data(PLAN_FIELDS),
        state=_plans_state,
        check_saved=_plan_created,
        baseline=lambda w: {
            "start_date": "2025-06-01",
            "goals": "Earlier attempt",
            "status": "stopped",
            "outcome_note": "Too fast",
        },
    ),
    FormTarget(
        name="taper_plan_update",
        url=lambda w: reverse("guidance:taper_update", kwargs={"pk": w.plan.pk}),
        actor="bob",
        data=_data(PLAN_FIELDS),
        state=_plan_row,
        check_saved=_plan_updated,
        baseline=lambda w: {
            "start_date": "2026-11-02",
            "goals": "Stop by summer",
            "status": "paused",
            "outcome_note": "",
        },
    ),
    FormTarget(
        name="taper_step_create",
        url=lambda w: reverse("guidance:step_create", kwargs={"pk": w.plan.pk}),
        actor="alice",
        data=_data(STEP_FIELDS),
        state=_steps_state,
        check_saved=_step_added,
        baseline=lambda w: {"date": "2026-11-23", "text": "Next step as agreed"},
    ),
    FormTarget(
        name="taper_step_update",
        url=lambda w: reverse("guidance:step_update", kwargs={"pk": w.step.pk}),
        actor="alice",
        data=_data(STEP_FIELDS),
        state=_step_row,
        check_saved=_step_updated,
        baseline=lambda w: {"date": "2026-11-10", "text": "Moved a day"},
    ),
    FormTarget(
        name="review_date_create",
        url=lambda w: reverse("guidance:review_create", kwargs={"pk": w.plan.pk}),
        actor="alice",
        data=_data(REVIEW_FIELDS),
        state=_reviews_state,
        check_saved=_review_added,
        baseline=lambda w: {"date": "2026-12-01", "note": "With the patient's partner"},
    ),
    FormTarget(
        name="provider_create",
        url=lambda w: reverse("guidance:provider_create"),
        actor="alice",
        data=_data(PROVIDER_FIELDS),
        state=_providers_state,
        check_saved=_provider_added,
        baseline=lambda w: dict(PROVIDER_BASELINE),
    ),
    FormTarget(
        name="provider_update",
        url=lambda w: reverse("guidance:provider_update", kwargs={"pk": w.provider.pk}),
        actor="alice",
        data=_data(
            PROVIDER_FIELDS | {"name": st.sampled_from(["Riverside Bridge Clinic", "Hillcrest Bridge", "New Name"])}
        ),
        state=_provider_row,
        check_saved=_provider_updated,
        baseline=lambda w: PROVIDER_BASELINE | {"name": "Riverside Bridge Clinic"},
    ),
    FormTarget(
        name="referral_create",
        url=lambda w: reverse("guidance:referral_create", kwargs={"patient_pk": w.patient.pk}),
        actor="alice",
        data=_referral_data,
        state=_referrals_state,
        check_saved=_referral_drafted,
        baseline=lambda w: {"provider": str(w.provider.pk), "reason": "Asked about medication"},
    ),
    FormTarget(
        name="referral_move",
        url=lambda w: reverse("guidance:referral_move", kwargs={"pk": w.referral.pk}),
        actor="alice",
        before_each=_reopen,
        data=_data(
            {
                "to_status": st.sampled_from(ReferralStatus.values),
                "note": st.one_of(st.just(""), words()),
                "confirm": st.just("on"),
            }
        ),
        state=_referral_row,
        check_saved=_referral_moved,
        baseline=lambda w: {"to_status": "sent", "note": "Faxed", "confirm": "on"},
    ),
]
