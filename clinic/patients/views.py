from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.accounts.access import patient_staff_required
from clinic.audit.services import Action, audit_record
from clinic.patients.page import patient_page_context
from clinic.patients.selectors import patient_get_for_user, patients_visible_to


@patient_staff_required
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = patients_visible_to(request.user).select_related("assigned_clinician")
    page = Paginator(patients, 25).get_page(request.GET.get("page"))
    return render(request, "patients/patient_list.html", {"page": page})


@patient_staff_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    audit_record(request=request, action=Action.VIEW, obj=patient, detail="patient page")
    return render(request, "patients/patient_detail.html", patient_page_context(request, patient))
