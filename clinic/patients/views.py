from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.accounts.access import patient_staff_required
from clinic.patients.selectors import patients_visible_to


@patient_staff_required
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = patients_visible_to(request.user).select_related("assigned_clinician")
    page = Paginator(patients, 25).get_page(request.GET.get("page"))
    return render(request, "patients/patient_list.html", {"page": page})
