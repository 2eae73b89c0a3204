"""Every guidance URL in the permission matrix.

Guidance pages are shared content, readable by every staff role of every clinic. Taper plans,
providers and referrals belong to one clinic: clinicians and supervisors only, Dave refused.
"""

from __future__ import annotations

import datetime as dt

from clinic.guidance import services
from clinic.guidance.models import ProviderKind, TaperStatus
from tests.matrix import PATIENT_STAFF, STAFF, Route


def setup_world(world) -> None:
    alice, patient = world.alice, world.patient
    world.provider = services.provider_create(
        request=None,
        actor=alice,
        clinic=world.clinic,
        fields={"name": "Riverside Bridge Clinic", "kind": ProviderKind.BUPRENORPHINE},
    )
    world.plan = services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 11, 2),
        goals="Stop by spring",
        status=TaperStatus.ACTIVE,
    )
    world.step = services.taper_step_add(
        request=None, actor=alice, plan=world.plan, date=dt.date(2026, 11, 9), text="As agreed"
    )
    world.review = services.review_date_add(request=None, actor=alice, plan=world.plan, date=dt.date(2026, 11, 16))
    world.referral = services.referral_create(
        request=None, actor=alice, patient=patient, provider=world.provider, reason="Moderate withdrawal"
    )
    # Hillcrest's own: their ids posted in a Riverside form must be ignored or refused.
    world.dave_provider = services.provider_create(
        request=None,
        actor=world.dave,
        clinic=world.other_clinic,
        fields={"name": "Hillcrest Bridge", "kind": ProviderKind.OTP},
    )
    world.dave_plan = services.taper_plan_create(
        request=None,
        actor=world.dave,
        patient=world.dave_patient,
        start_date=dt.date(2026, 10, 1),
        goals="Hillcrest's plan",
    )


def _plan(w):
    return {"pk": w.plan.pk}


ROUTES = [
    Route("guidance:index", allowed=STAFF),
    Route("guidance:page", allowed=STAFF, kwargs=lambda w: {"slug": "harm-reduction"}, scoped=False),
    Route("guidance:taper_create", allowed=PATIENT_STAFF, kwargs=lambda w: {"patient_pk": w.patient.pk}),
    Route(
        "guidance:taper_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"patient_pk": w.patient.pk},
        data=lambda w: {
            "start_date": "2026-10-01",
            "goals": "Earlier attempt",
            "status": "completed",
            "outcome_note": "Done",
        },
    ),
    Route("guidance:taper_detail", allowed=PATIENT_STAFF, kwargs=_plan),
    Route("guidance:taper_update", allowed=PATIENT_STAFF, kwargs=_plan),
    Route(
        "guidance:taper_update",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=_plan,
        data=lambda w: {"start_date": "2026-11-02", "goals": "Stop by summer", "status": "active", "outcome_note": ""},
    ),
    Route("guidance:step_create", allowed=PATIENT_STAFF, kwargs=_plan),
    Route(
        "guidance:step_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=_plan,
        data=lambda w: {"date": "2026-11-23", "text": "Next step as agreed"},
    ),
    Route("guidance:step_update", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.step.pk}),
    Route(
        "guidance:step_update",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.step.pk},
        data=lambda w: {"date": "2026-11-10", "text": "Moved a day"},
    ),
    Route("guidance:review_create", allowed=PATIENT_STAFF, kwargs=_plan),
    Route(
        "guidance:review_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=_plan,
        data=lambda w: {"date": "2026-11-30", "note": ""},
    ),
    Route("guidance:review_done", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.review.pk}),
    Route(
        "guidance:review_done",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.review.pk},
        data=lambda w: {"confirm": "on"},
    ),
    Route("guidance:review_undo", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.review.pk}),
    Route(
        "guidance:review_undo",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.review.pk},
        data=lambda w: {"reason": "Marked by mistake."},
    ),
    Route("guidance:provider_list", allowed=PATIENT_STAFF),
    Route("guidance:provider_create", allowed=PATIENT_STAFF),
    Route(
        "guidance:provider_create",
        method="POST",
        allowed=PATIENT_STAFF,
        data=lambda w: {"name": "Harbour Peer Support", "kind": "peer_support", "telehealth": "on"},
    ),
    Route("guidance:provider_update", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.provider.pk}),
    Route(
        "guidance:provider_update",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.provider.pk},
        data=lambda w: {"name": "Riverside Bridge Clinic", "kind": "buprenorphine", "phone": "555-0100"},
    ),
    Route("guidance:referral_create", allowed=PATIENT_STAFF, kwargs=lambda w: {"patient_pk": w.patient.pk}),
    Route(
        "guidance:referral_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"patient_pk": w.patient.pk},
        data=lambda w: {"provider": w.provider.pk, "reason": "Asked about medication"},
    ),
    Route("guidance:referral_detail", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.referral.pk}),
    Route(
        "guidance:referral_move",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.referral.pk},
        data=lambda w: {"to_status": "sent", "note": "", "confirm": "on"},
    ),
    Route("guidance:referral_move_correct", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.referral.pk}),
    Route(
        "guidance:referral_move_correct",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.referral.pk},
        data=lambda w: {"reason": "Clicked the wrong button."},
    ),
]
