"""The guidance app's part of the printable patient summary: the open taper plan and referrals."""

from __future__ import annotations

from django.utils import timezone

from clinic.guidance.models import OPEN_TAPER_STATUSES, Referral, TaperPlan
from clinic.patients.models import Patient
from clinic.patients.summary import SummaryPart


def care_part(patient: Patient) -> SummaryPart:
    """The open taper plan (status, start, next review not yet held) and each referral's status."""
    plan = TaperPlan.objects.filter(patient=patient, status__in=OPEN_TAPER_STATUSES).first()
    next_review = (
        plan.review_dates.filter(done=False, date__gte=timezone.localdate()).order_by("date").first() if plan else None
    )
    referrals = list(Referral.objects.filter(patient=patient).select_related("provider"))
    return SummaryPart(
        template="guidance/_summary_care.html",
        context={"plan": plan, "next_review": next_review, "referrals": referrals},
    )
