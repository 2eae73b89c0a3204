from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clinic.accounts.access import oversight_required
from clinic.accounts.selectors import staff_of_clinic
from clinic.audit.services import Action, audit_record
from clinic.lib.spreadsheet import safe_cell
from clinic.oversight import selectors
from clinic.oversight.forms import AuditSearchForm

PAGE_SIZE = 50
CSV_COLUMNS = ["time", "person", "action", "object type", "object id", "patient id", "detail", "address", "hash"]


def _filters_used(form: AuditSearchForm) -> str:
    """The names of the filters a search used, never their values (a record number is a person)."""
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    names = sorted(name for name, value in cleaned.items() if value)
    return "filters: " + ", ".join(names) if names else "no filters"


def _search(request: HttpRequest) -> tuple[AuditSearchForm, object]:
    user = request.user
    form = AuditSearchForm(request.GET or None, staff=staff_of_clinic(user), patients=user.sees_patients)
    if form.is_bound and form.is_valid():
        events = selectors.audit_events_search(user, **form.cleaned_data)
    elif form.is_bound:
        events = selectors.audit_events_of_clinic(user).none()
    else:
        events = selectors.audit_events_search(user)
    return form, events


@oversight_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Search the clinic's audit trail by person, patient, action and date."""
    form, events = _search(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    # Record numbers identify patients: only for roles that work with patient records.
    record_numbers = (
        selectors.record_numbers_for(request.user, (event.patient_id for event in page))
        if request.user.sees_patients
        else {}
    )
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(event, record_numbers.get(event.patient_id)) for event in page]
    # Recorded once the page is read, so the list shows the trail as it stood when it was opened.
    audit_record(
        request=request,
        action=Action.VIEW,
        object_type="audit.auditevent",
        detail=f"audit trail page; {_filters_used(form)}",
    )
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "oversight/audit_list.html", context)


@oversight_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The search result as CSV. The export itself is recorded in the trail."""
    form, events = _search(request)
    audit_record(
        request=request,
        action=Action.EXPORT,
        object_type="audit.auditevent",
        detail=f"audit trail CSV; {_filters_used(form)}",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="steady-audit-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        writer.writerow(
            safe_cell(str(value))
            for value in (
                timezone.localtime(event.created_at).isoformat(),
                event.username,
                event.get_action_display(),
                event.object_type,
                event.object_id,
                event.patient_id or "",
                event.detail,
                event.ip_address or "",
                event.hash,
            )
        )
    return response
