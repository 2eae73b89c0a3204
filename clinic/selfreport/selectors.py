"""Reads of patient links: staff reach links through their clinic's patients, patients by token."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clinic.patients.models import Patient
from clinic.patients.selectors import patients_visible_to
from clinic.selfreport.models import PatientLink, token_hash


def patient_links_of(patient: Patient) -> QuerySet[PatientLink]:
    """The patient's links, newest first, with what the list shows already joined."""
    return PatientLink.objects.filter(patient=patient).select_related("assessment", "created_by")


def patient_link_get_for_user(user, pk: int, *, patient_pk: int) -> PatientLink:
    """The link with this id, of this patient, if the user may reach the patient; Http404 otherwise."""
    return get_object_or_404(
        PatientLink.objects.filter(patient__in=patients_visible_to(user)).select_related("patient"),
        pk=pk,
        patient_id=patient_pk,
    )


def patient_link_find(token: str) -> PatientLink | None:
    """The link this token opens, or None. Looks up the hash: the token itself is never stored."""
    return PatientLink.objects.filter(token_hash=token_hash(token)).select_related("patient").first()


def patient_link_by_id(link_id: object) -> PatientLink | None:
    """The link a patient's session points at (set only after they confirmed their date of birth)."""
    if not isinstance(link_id, int):
        return None
    return PatientLink.objects.filter(pk=link_id).select_related("patient").first()
