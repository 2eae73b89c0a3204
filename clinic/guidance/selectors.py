"""Reads of taper plans, providers and referrals, always scoped to the acting user's clinic.

Each getter raises Http404 for anything outside the user's clinic, exactly like
patient_get_for_user: a clinician of another clinic cannot tell a record exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clinic.guidance.models import Provider, ProviderKind, Referral, ReferralStatus, ReviewDate, TaperPlan, TaperStep


def _clinic_id(user) -> int | None:
    """The clinic whose patient records this user may reach, or None."""
    if not getattr(user, "is_authenticated", False) or not user.sees_patients:
        return None
    return user.clinic_id


def providers_visible_to(user) -> QuerySet[Provider]:
    """The user's clinic's provider directory (clinicians and supervisors only)."""
    return Provider.objects.filter(clinic_id=_clinic_id(user))


def provider_get_for_user(user, pk: int) -> Provider:
    return get_object_or_404(providers_visible_to(user), pk=pk)


def taper_plan_get_for_user(user, pk: int) -> TaperPlan:
    """A taper plan of a patient the user may reach, with its patient; Http404 otherwise."""
    plans = TaperPlan.objects.filter(patient__clinic_id=_clinic_id(user)).select_related("patient", "created_by")
    return get_object_or_404(plans, pk=pk)


def taper_step_get_for_user(user, pk: int) -> TaperStep:
    steps = TaperStep.objects.filter(plan__patient__clinic_id=_clinic_id(user)).select_related("plan__patient")
    return get_object_or_404(steps, pk=pk)


def review_date_get_for_user(user, pk: int) -> ReviewDate:
    reviews = ReviewDate.objects.filter(plan__patient__clinic_id=_clinic_id(user)).select_related("plan__patient")
    return get_object_or_404(reviews, pk=pk)


def referral_get_for_user(user, pk: int) -> Referral:
    """A referral of a patient the user may reach, with its patient and provider; Http404 otherwise."""
    referrals = Referral.objects.filter(patient__clinic_id=_clinic_id(user)).select_related("patient", "provider")
    return get_object_or_404(referrals, pk=pk)


def has_open_buprenorphine_referral(patient) -> bool:
    """Whether the patient has a buprenorphine referral not declined, lost or ended. One query."""
    closed = [ReferralStatus.DECLINED, ReferralStatus.LOST, ReferralStatus.ENGAGED_30_DAYS]
    return (
        Referral.objects.filter(patient=patient, provider__kind=ProviderKind.BUPRENORPHINE)
        .exclude(status__in=closed)
        .exists()
    )
