"""Patient links, the staff side: issue a link for a patient, show it once, email it, revoke it.

These live under the patient's own staff addresses (/patients/<pk>/links/...), behind the same
sign-in, second factor and clinic scoping as the rest of the record.
"""

from __future__ import annotations

import smtplib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from clinic.accounts.access import patient_staff_required
from clinic.audit.services import Action, audit_record
from clinic.lib.forms import posted
from clinic.lib.qr import qr_svg
from clinic.patients.selectors import patient_get_for_user
from clinic.selfreport.forms import LinkIssueForm, LinkRevokeForm
from clinic.selfreport.selectors import patient_link_get_for_user
from clinic.selfreport.services import (
    LinkNotSendable,
    LinkUnusable,
    patient_link_email,
    patient_link_issue,
    patient_link_revoke,
    patient_link_url,
)


@patient_staff_required
@require_http_methods(["GET", "POST"])
def link_issue(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """GET shows the form; a valid POST creates the link and shows it, once, in its own response.

    The token is in this response only: it is never stored (not in the session, not in the
    database) and this page is never cached, so a reload cannot show it again.
    """
    patient = patient_get_for_user(request.user, patient_pk)
    form = LinkIssueForm(posted(request))
    if request.method == "POST" and form.is_valid():
        link, token = patient_link_issue(
            request=request,
            patient=patient,
            created_by=request.user,
            instrument_code=form.cleaned_data["instrument"],
            valid_hours=form.cleaned_data["valid_hours"],
        )
        url = patient_link_url(token)
        context = {
            "link": link,
            "patient": patient,
            "token": token,
            "url": url,
            "qr_svg": qr_svg(url, title="QR code of the link"),
        }
        response = render(request, "selfreport/link_issued.html", context)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    audit_record(request=request, action=Action.VIEW, obj=patient, detail="patient link form")
    return render(request, "selfreport/link_issue.html", {"patient": patient, "form": form})


@patient_staff_required
@require_POST
def link_email(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    link = patient_link_get_for_user(request.user, pk, patient_pk=patient_pk)
    try:
        address = patient_link_email(
            request=request, link=link, token=request.POST.get("token", ""), sent_by=request.user
        )
    except LinkNotSendable as error:
        messages.error(request, str(error))
    except (smtplib.SMTPException, OSError):
        messages.error(
            request, "The email could not be sent. Give the patient the link another way, or try a new link."
        )
    else:
        messages.success(request, f"The link was emailed to {address}.")
    return redirect("patients:detail", pk=link.patient_id)


@patient_staff_required
@require_http_methods(["GET", "POST"])
def link_revoke(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """GET says what revoking does; only the confirmed POST revokes."""
    link = patient_link_get_for_user(request.user, pk, patient_pk=patient_pk)
    form = LinkRevokeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            patient_link_revoke(request=request, link=link, revoked_by=request.user)
        except LinkUnusable as error:
            messages.error(request, f"That link is {error.state} and cannot be revoked.")
        else:
            messages.success(request, "The link was revoked. It no longer opens the form.")
        return redirect("patients:detail", pk=link.patient_id)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=link, detail="revoke link")
    return render(request, "selfreport/link_revoke.html", {"link": link, "patient": link.patient, "form": form})
