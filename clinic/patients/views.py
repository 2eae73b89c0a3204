from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from clinic.accounts.access import patient_staff_required
from clinic.accounts.selectors import clinicians_of_clinic
from clinic.audit.services import Action, audit_record
from clinic.lib.forms import posted
from clinic.patients import services
from clinic.patients.correction_views import record_amend_view
from clinic.patients.forms import PatientFilterForm, PatientForm, UseReportForm, VisitForm
from clinic.patients.models import Patient
from clinic.patients.page import patient_page_context
from clinic.patients.safety import said_for
from clinic.patients.search import patients_search
from clinic.patients.selectors import (
    last_saved_by,
    patient_get_for_user,
    patients_for_list,
    visit_get_for_user,
)
from clinic.patients.summary import summary_parts

PAGE_SIZE = 25


@patient_staff_required
def patient_list(request: HttpRequest) -> HttpResponse:
    clinicians = list(clinicians_of_clinic(request.user.clinic_id))
    filter_form = PatientFilterForm(request.GET, user=request.user, clinicians=clinicians)
    filters = filter_form.filters()
    patients = patients_for_list(request.user, **filters)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    # The safety rules came with each row (annotations of the same query): nothing per row.
    rows = [(patient, said_for(patient)) for patient in page]
    # Searching her caseload, a clinician learns how many more match in the rest of the clinic.
    elsewhere = 0
    if filters["search"] and filters["clinician"] == "mine":
        elsewhere = patients_for_list(request.user, **{**filters, "clinician": "all"}).count() - page.paginator.count
    audit_record(request=request, action=Action.VIEW, detail=f"patient list, page {page.number}")
    return render(
        request,
        "patients/patient_list.html",
        {"page": page, "rows": rows, "filter_form": filter_form, "filters": filters, "elsewhere": elsewhere},
    )


@patient_staff_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    audit_record(request=request, action=Action.VIEW, obj=patient, detail="patient page")
    return render(request, "patients/patient_detail.html", patient_page_context(request, patient))


@patient_staff_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(posted(request), clinic=request.user.clinic, registered_by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(request=request, clinic=request.user.clinic, **form.patient_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Added {patient.name}.")
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "title": "New patient"})


@patient_staff_required
@require_http_methods(["GET", "POST"])
def patient_update(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    stored_status = patient.status  # the form writes its values onto `patient` as it validates
    form = PatientForm(posted(request), instance=patient, clinic=request.user.clinic)
    conflict = None
    if request.method == "POST" and form.is_valid() and _discharge_unconfirmed(request, stored_status, form):
        return render(
            request,
            "patients/discharge_confirm.html",
            {"patient": patient, "posted": [(k, v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"]},
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(
                request=request,
                patient=patient,
                fields=form.patient_fields(),
                expected_version=form.cleaned_data["version"],
            )
        except services.PatientChanged as changed:
            conflict = _conflict(form, changed.current)
            # The form now starts from what is saved; the editor re-applies what she still wants.
            patient = changed.current
            form = PatientForm(instance=patient, clinic=request.user.clinic)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect("patients:detail", pk=patient.pk)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=patient, detail="patient edit form")
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "title": f"Edit {patient.name}", "patient": patient, "conflict": conflict},
    )


def _discharge_unconfirmed(request: HttpRequest, stored_status: str, form: PatientForm) -> bool:
    """Discharging is consequential: the first save that does it only says what will happen."""
    discharging = form.cleaned_data.get("status") == "discharged" and stored_status != "discharged"
    return discharging and request.POST.get("confirm_discharge") != "on"


def _conflict(form: PatientForm, current: Patient) -> dict:
    """The editor's attempt beside what is saved now, for every field where they differ."""
    rows = []
    for name in PatientForm.Meta.fields:
        field = form.fields[name]
        attempted, saved = form.cleaned_data[name], getattr(current, name)
        if attempted != saved:
            rows.append({"label": field.label, "attempted": _shown(field, attempted), "saved": _shown(field, saved)})
    return {"rows": rows, "saved_by": last_saved_by(current)}


def _shown(field, value) -> str:
    if value in (None, ""):
        return "—"
    if hasattr(value, "display_name"):
        return value.display_name
    if hasattr(value, "strftime"):
        return date_format(value, "j M Y")
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


@patient_staff_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    form = VisitForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_record(
                request=request, patient=patient, clinician=request.user, fields=form.visit_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Recorded the {visit.get_kind_display().lower()} visit.")
            return redirect(reverse("patients:detail", args=[patient.pk]) + f"#visit-{visit.pk}")
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=patient, detail="visit form")
    return render(request, "patients/visit_form.html", {"form": form, "patient": patient, "title": "Record a visit"})


@patient_staff_required
@require_http_methods(["GET", "POST"])
def visit_update(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    """The old "edit visit" address: a visit is corrected by amending it, with a reason."""
    visit = visit_get_for_user(request.user, pk, visit_pk)
    return record_amend_view(request, pk, "visit", visit.pk)


@patient_staff_required
@require_http_methods(["GET", "POST"])
def use_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    latest = patient.use_reports.first()
    form = UseReportForm(posted(request), initial=_carried_over(latest))
    if request.method == "POST" and form.is_valid():
        try:
            services.use_report_record(
                request=request, patient=patient, recorded_by=request.user, fields=form.use_report_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Recorded the 7-OH use report.")
            return redirect("patients:detail", pk=patient.pk)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=patient, detail="use report form")
    return render(
        request,
        "patients/use_report_form.html",
        {"form": form, "patient": patient, "latest": latest, "title": "Record 7-OH use"},
    )


def _carried_over(latest) -> dict:
    """A new report starts from the previous one, so recording a change means changing only that."""
    if latest is None:
        return {}
    skip = {"recorded_at", "last_use_at", "notes"}
    return {name: _plain(getattr(latest, name)) for name in UseReportForm.Meta.fields if name not in skip}


def _plain(value):
    # 15.00 shows as "15" in the form, as the patient said it.
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return value


@patient_staff_required
def patient_search(request: HttpRequest) -> HttpResponse:
    """The header's search: anyone of the clinic by name, record number or date of birth."""
    query = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(patients_search(request.user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    # The query itself is not recorded: it may be a name or a date of birth.
    audit_record(request=request, action=Action.VIEW, detail=f"patient search, page {page.number}")
    return render(request, "patients/search_results.html", {"query": query, "page": page})


@patient_staff_required
def patient_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """One printable page: who the patient is, the latest scores, use, plan, referrals, follow-up."""
    patient = patient_get_for_user(request.user, pk)
    audit_record(request=request, action=Action.VIEW, obj=patient, detail="printable summary")
    return render(
        request,
        "patients/patient_summary.html",
        {"patient": patient, "parts": summary_parts(patient), "printed_at": timezone.localtime()},
    )
