"""The guidance app's panels on the patient page: guidance cards, the taper plan, referrals."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone

from clinic.guidance.models import OPEN_TAPER_STATUSES, Referral, ReferralEvent, TaperPlan
from clinic.guidance.pages import all_pages
from clinic.guidance.rules import cards_for_patient
from clinic.patients.models import Patient
from clinic.patients.page import Panel, TimelineEntry


def guidance_cards_panel(request: HttpRequest, patient: Patient) -> Panel | None:
    """Cards that point at the guidance page the record calls for (rules.py says when)."""
    cards = cards_for_patient(patient)
    if not cards:
        return None
    pages = all_pages()
    return Panel(
        region="attention",
        template="guidance/_cards_panel.html",
        context={"cards": [(card, pages[card.page_slug]) for card in cards]},
    )


def current_plan(patient: Patient) -> TaperPlan | None:
    """The open plan if there is one, else the most recent; with steps and reviews, three queries."""
    plans = TaperPlan.objects.filter(patient=patient).prefetch_related("steps", "review_dates")
    return plans.filter(status__in=OPEN_TAPER_STATUSES).first() or plans.order_by("-start_date", "-pk").first()


def taper_panel(request: HttpRequest, patient: Patient) -> Panel:
    """The taper plan as written, beside the symptom chart, with passed review dates flagged."""
    plan = current_plan(patient)
    today = timezone.localdate()
    reviews = list(plan.review_dates.all()) if plan else []
    return Panel(
        region="side",
        template="guidance/_taper_panel.html",
        context={
            "patient": patient,
            "plan": plan,
            "steps": list(plan.steps.all()) if plan else [],
            "reviews": [(review, review.is_overdue(today)) for review in reviews],
            "overdue_count": sum(review.is_overdue(today) for review in reviews),
        },
    )


def referrals_panel(request: HttpRequest, patient: Patient) -> Panel:
    """Each referral with its timeline of moves; on the patient's timeline, one row per referral."""
    events = ReferralEvent.objects.select_related("by").order_by("at", "pk")
    referrals = list(
        Referral.objects.filter(patient=patient)
        .select_related("provider")
        .prefetch_related(Prefetch("events", queryset=events))
    )
    # One row per referral, placed at its latest event, with its history inside.
    timeline = [
        TimelineEntry(
            at=max(event.when for event in referral.events.all()),
            kind="Referral",
            template="guidance/_timeline_referral.html",
            obj=referral,
        )
        for referral in referrals
        if referral.events.all()
    ]
    return Panel(
        region="main",
        template="guidance/_referrals_panel.html",
        context={
            "patient": patient,
            "referrals": referrals,
        },
        timeline=timeline,
    )
