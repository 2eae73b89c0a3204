"""Demo providers for Riverside, and one taper plan and one referral in progress. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic.guidance import services
from clinic.guidance.models import Provider, ProviderKind, Referral, ReferralStatus, TaperPlan, TaperStatus
from clinic.patients.models import Patient

PROVIDERS = [
    {
        "name": "Riverside Bridge Clinic",
        "kind": ProviderKind.BUPRENORPHINE,
        "phone": "555-0140",
        "email": "intake@bridge.example",
        "telehealth": True,
        "notes": "Same-week telehealth assessments; accepts most plans.",
    },
    {
        "name": "Eastgate Opioid Treatment Program",
        "kind": ProviderKind.OTP,
        "phone": "555-0177",
        "address": "40 Eastgate Road",
        "telehealth": False,
        "notes": "Walk-in intake on weekday mornings.",
    },
    {
        "name": "Harbour Peer Support",
        "kind": ProviderKind.PEER_SUPPORT,
        "phone": "555-0123",
        "telehealth": True,
        "notes": "Evening groups, in person and online.",
    },
    {
        "name": "Riverside Harm Reduction Collective",
        "kind": ProviderKind.HARM_REDUCTION,
        "phone": "555-0166",
        "telehealth": False,
        "notes": "Naloxone and fentanyl test strips, no appointment needed.",
    },
]


def load(cast) -> None:
    clinic, alice = cast.clinic, cast.alice
    providers = {}
    for values in PROVIDERS:
        provider = Provider.objects.filter(clinic=clinic, name=values["name"]).first()
        if provider is None:
            fields = {key: value for key, value in values.items() if key != "name"}
            provider = services.provider_create(
                request=None, actor=alice, clinic=clinic, fields={"name": values["name"], **fields}
            )
        providers[provider.kind] = provider

    # The demo patients come from clinic.patients.demo; without them there is nothing more to add.
    patients = list(Patient.objects.filter(clinic=clinic).order_by("pk")[:2])
    if not patients:
        return
    today = timezone.localdate()
    tapering = patients[0]
    if not TaperPlan.objects.filter(patient__clinic=clinic).exists():
        plan = services.taper_plan_create(
            request=None,
            actor=alice,
            patient=tapering,
            start_date=today - dt.timedelta(days=14),
            goals="Stop 7-OH tablets by the end of next month, with symptoms manageable at work.",
            status=TaperStatus.ACTIVE,
        )
        for days_ago, text in [
            (14, "Agreed plan at intake; reviewed withdrawal signs and naloxone."),
            (7, "Check-in visit: symptoms mild, sleeping poorly. Continue as agreed with the prescriber."),
        ]:
            services.taper_step_add(
                request=None, actor=alice, plan=plan, date=today - dt.timedelta(days=days_ago), text=text
            )
        # One review has passed without being held, so the flag shows; one is ahead.
        services.review_date_add(
            request=None, actor=alice, plan=plan, date=today - dt.timedelta(days=2), note="Two-week review"
        )
        services.review_date_add(
            request=None, actor=alice, plan=plan, date=today + dt.timedelta(days=12), note="Four-week review"
        )

    referred = patients[-1]
    if not Referral.objects.filter(patient__clinic=clinic).exists():
        referral = services.referral_create(
            request=None,
            actor=alice,
            patient=referred,
            provider=providers[ProviderKind.BUPRENORPHINE],
            reason="Moderate withdrawal on COWS and asked about medication; prefers telehealth.",
        )
        services.referral_move(
            request=None,
            actor=alice,
            referral=referral,
            to_status=ReferralStatus.SENT,
            note="Faxed with latest scores.",
            happened_at=timezone.now() - dt.timedelta(days=9),  # entered today, faxed nine days ago
        )
        services.referral_move(
            request=None,
            actor=alice,
            referral=referral,
            to_status=ReferralStatus.CONTACTED,
            note="Provider called the patient.",
            happened_at=timezone.now() - dt.timedelta(days=6),
        )
        services.referral_move(
            request=None,
            actor=alice,
            referral=referral,
            to_status=ReferralStatus.APPOINTMENT,
            note="Telehealth appointment booked.",
            happened_at=timezone.now().replace(hour=10, minute=30, second=0, microsecond=0) + dt.timedelta(days=4),
        )
