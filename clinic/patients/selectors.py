"""Reads of patient data, always scoped to the acting user's clinic.

This is the one place that decides which patients a user can reach. Views never filter
Patient.objects themselves: they start here, and anything outside is a 404.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clinic.patients.models import Patient


def patients_visible_to(user) -> QuerySet[Patient]:
    """Every patient of the user's clinic for clinicians and supervisors; nothing for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.sees_patients:
        return Patient.objects.none()
    return Patient.objects.filter(clinic_id=user.clinic_id)


def patient_get_for_user(user, pk: int) -> Patient:
    """The patient with this id if the user may reach it; Http404 otherwise."""
    return get_object_or_404(patients_visible_to(user).select_related("assigned_clinician"), pk=pk)
