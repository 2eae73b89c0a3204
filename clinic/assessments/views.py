from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinic.accounts.access import patient_staff_required
from clinic.assessments import export
from clinic.assessments.forms import ITEM_PREFIX, AssessmentForm
from clinic.assessments.instruments import INSTRUMENTS, Instrument, InvalidAnswers
from clinic.assessments.links import instrument_slug, record_links
from clinic.assessments.models import Assessment, CompletedBy
from clinic.assessments.selectors import assessments_for_patient
from clinic.assessments.services import SubmissionConflict, assessment_submit
from clinic.assessments.trends import patient_trends, x_param
from clinic.audit.services import Action, audit_record
from clinic.lib.forms import posted
from clinic.patients.selectors import patient_get_for_user


def _instrument_from_slug(slug: str) -> Instrument:
    instrument = INSTRUMENTS.get(slug.upper().replace("-", "_"))
    if instrument is None or slug != instrument_slug(instrument):
        raise Http404("No such instrument.")
    return instrument


def _result_text(assessment: Assessment) -> str:
    name = str(assessment.definition.short_name)
    if assessment.band_label:
        return _("%(name)s total %(total)d, %(band)s.") % {
            "name": name,
            "total": assessment.total,
            "band": assessment.band_label.lower(),
        }
    return _("%(name)s total %(total)d.") % {"name": name, "total": assessment.total}


@patient_staff_required
@require_http_methods(["GET", "POST"])
def assessment_record(request: HttpRequest, pk: int, instrument: str) -> HttpResponse:
    """A clinician records a COWS, or enters a patient's own SOWS / SOWS-Gossop answers."""
    patient = patient_get_for_user(request.user, pk)
    definition = _instrument_from_slug(instrument)
    form = AssessmentForm(posted(request), instrument=definition, patient=patient)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment, created = assessment_submit(
                request=request,
                patient=patient,
                instrument_code=definition.code,
                answers=data["answers"],
                taken_at=data["taken_at"],
                # Who answered follows the instrument: the patient for SOWS, even when typed in here.
                completed_by=CompletedBy.CLINICIAN if definition.completed_by == "clinician" else CompletedBy.PATIENT,
                entered_by=request.user,
                submission_id=data["submission_id"],
                visit=data["visit"],
                last_use=data["last_use"],
            )
        except InvalidAnswers as error:  # the form already checked; kept as a second guard
            for key, message in error.errors.items():
                form.add_error(ITEM_PREFIX + key, message)
        except SubmissionConflict:
            form.add_error(None, _("This form was already used for another record. Check the answers and save again."))
        else:
            if created:
                messages.success(request, _("Saved. %(result)s") % {"result": _result_text(assessment)})
            else:
                messages.info(request, _("This was already saved. %(result)s") % {"result": _result_text(assessment)})
            return redirect("assessments:trends", pk=patient.pk)
    if request.method == "POST" and (form.has_error("submission_id") or form.has_error(NON_FIELD_ERRORS)):
        # A damaged or already-used id would refuse every retry: give this form a fresh one.
        form.data = form.data.copy()
        form.data["submission_id"] = str(uuid.uuid4())
    # Shown again after a refused POST too: each showing of the patient's form is a view.
    audit_record(request=request, action=Action.VIEW, obj=patient, detail=f"{definition.code} form")
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "patient": patient,
            "instrument": definition,
            "form": form,
            "not_comparable": [str(INSTRUMENTS[code].short_name) for code in definition.not_comparable_with],
        },
    )


@patient_staff_required
@require_GET
def patient_trends_view(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    assessments = assessments_for_patient(patient)
    trends = patient_trends(assessments, x=x_param(request.GET.get("x")), tz=timezone.get_current_timezone())
    audit_record(request=request, action=Action.VIEW, obj=patient, detail="assessment trends")
    return render(
        request,
        "assessments/patient_trends.html",
        {"patient": patient, "trends": trends, "record_links": record_links(patient)},
    )


@patient_staff_required
@require_GET
def patient_export(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    body = export.assessments_csv(patient, assessments_for_patient(patient))
    audit_record(request=request, action=Action.EXPORT, obj=patient, detail="assessments CSV")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"assessments-{slugify(patient.record_number) or patient.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
