from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.accounts.access import patient_staff_required


@patient_staff_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/index.html", {})
