"""Patient links, the patient's side: public pages with no account, reached by a link.

A patient's session reaches one thing only: the form of the one link whose date of birth they
confirmed. No session exists before that confirmation: the language a patient picks is kept in
a cookie of its own, and the rate limit runs before anything else, so a script cannot make
session rows. These views are marked `patient_facing`; that mark (never their address) is what
lets them through the staff two-factor gate.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from clinic.accounts.access import patient_facing
from clinic.assessments.instruments import get_instrument
from clinic.assessments.services import SubmissionConflict
from clinic.audit.services import client_ip
from clinic.patients.models import Patient
from clinic.selfreport import ratelimit
from clinic.selfreport.forms import AnswersForm, DateOfBirthForm
from clinic.selfreport.models import LinkState, PatientLink
from clinic.selfreport.selectors import patient_link_by_id, patient_link_find
from clinic.selfreport.services import (
    DobCheck,
    LinkUnusable,
    format_expiry,
    patient_link_record_opened,
    patient_link_redeem,
    patient_link_verify_dob,
)

LINK_SESSION_KEY = "selfreport_link"  # {"id": link pk, "verified_at": epoch seconds}
# The patient's language choice: a cookie of its own, so choosing one stores nothing server-side.
LANGUAGE_COOKIE = "steady_patient_language"
# Past this, a forgotten phone no longer opens the form without the date of birth again.
VERIFIED_SESSION_SECONDS = 2 * 60 * 60
PATIENT_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _private(response: HttpResponse) -> HttpResponse:
    """No browser or proxy keeps a copy, no search engine indexes it, and no Referer leaves it:
    the address may hold the token."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


PatientView = Callable[..., HttpResponse]


def patient_page(view: PatientView) -> PatientView:
    """Make `view` a public patient page. Each step is one small function below:

    marked patient-facing (the two-factor gate lets it through by this mark), rate-limited per
    address before anything else runs, answered in the patient's language inside its own
    translation scope (so it never leaks into whatever the worker serves next), CSRF-checked,
    and sent with private headers.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _accept_null_origin(request)
        with translation.override(translation.get_language()):
            _use_language(request, None)
            if _address_over_limit(request):
                response = _too_many(request)
            else:
                response = _language_switch(request) or protected(request, *args, **kwargs)
            language = translation.get_language()
        response["Content-Language"] = language
        return _private(response)

    # CSRF is checked inside, by `protected`, after the origin adjustment.
    return patient_facing(csrf_exempt(wrapper))


def _accept_null_origin(request: HttpRequest) -> None:
    """Under `Referrer-Policy: no-referrer` browsers send `Origin: null` and no Referer with a form
    POST, which Django's origin check refuses. A null origin is taken as ours; the CSRF token, whose
    cookie a cross-site POST never carries (SameSite=Lax), must still match."""
    if request.META.get("HTTP_ORIGIN") == "null":
        request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"


def _address_over_limit(request: HttpRequest) -> bool:
    key = ratelimit.address_key(client_ip(request))
    return ratelimit.rate_limit_hit(key, limit=settings.PATIENT_LINK_RATE_PER_ADDRESS)


def _language_switch(request: HttpRequest) -> HttpResponse | None:
    """`?lang=es` on a GET: remember the choice in a cookie (no session) and drop it from the address."""
    chosen = request.GET.get("lang")
    if request.method != "GET" or chosen not in PATIENT_LANGUAGES:
        return None
    response = redirect(request.path)  # a reload or a shared address stays clean
    _remember_language(response, chosen)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _use_language(request: HttpRequest, patient: Patient | None) -> None:
    """The patient's own choice on these pages, else their preferred language, else the browser's."""
    language = request.COOKIES.get(LANGUAGE_COOKIE)
    if language not in PATIENT_LANGUAGES:
        language = patient.preferred_language if patient is not None else getattr(request, "LANGUAGE_CODE", "en")
    if language not in PATIENT_LANGUAGES:
        language = settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _patient_render(
    request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200
) -> HttpResponse:
    context = {"languages": settings.LANGUAGES, **(context or {})}
    return render(request, template, context, status=status)


# What each unusable state tells the patient. No name, no clinic, nothing from the record.
UNAVAILABLE = {
    "unknown": (
        _("This link does not work"),
        _(
            "Check that you opened the whole link from the message you received. If it still does not work, contact your clinic and ask for a new link."
        ),
        404,
    ),
    LinkState.EXPIRED: (
        _("This link has expired"),
        _("Links only work for a limited time. Contact your clinic and ask for a new link."),
        410,
    ),
    LinkState.COMPLETED: (
        _("This form has already been sent"),
        _(
            "Your answers have reached your clinic, and a link can only be used once. If there is something else you want to tell them, contact your clinic."
        ),
        410,
    ),
    LinkState.REVOKED: (
        _("This link has been cancelled"),
        _("Your clinic cancelled this link. Contact your clinic if you need a new one."),
        410,
    ),
    LinkState.LOCKED: (
        _("This link is locked"),
        _(
            "The date of birth was entered wrongly too many times, so the link was locked to protect your information. Contact your clinic and ask for a new link."
        ),
        410,
    ),
    "no_session": (
        _("Open the link your clinic sent you"),
        _(
            "This page only opens from the link your clinic sent you, after you confirm your date of birth. If some time has passed, open the link again."
        ),
        200,
    ),
}


def _unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    title, explanation, status = UNAVAILABLE[reason]
    return _patient_render(
        request, "selfreport/unavailable.html", {"title": title, "explanation": explanation}, status=status
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return _patient_render(request, "selfreport/too_many.html", status=429)


def _link_over_limit(link: PatientLink) -> bool:
    return ratelimit.rate_limit_hit(ratelimit.link_key(link.pk), limit=settings.PATIENT_LINK_RATE_PER_LINK)


def _session_link(request: HttpRequest) -> PatientLink | None:
    """The link whose date of birth this browser confirmed recently, if any."""
    stored = request.session.get(LINK_SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    verified_at = stored.get("verified_at")
    if not isinstance(verified_at, (int, float)) or time.time() - verified_at > VERIFIED_SESSION_SECONDS:
        return None
    return patient_link_by_id(stored.get("id"))


def _dob_fields(form: DateOfBirthForm) -> list:
    # The order people write dates in: month first in US English, day first in Spanish.
    order = ("day", "month", "year") if translation.get_language() == "es" else ("month", "day", "year")
    return [form[name] for name in order]


@patient_page
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the start page and changes nothing, so link scanners cannot use up the link."""
    link = patient_link_find(token)
    if link is None:
        return _unavailable(request, "unknown")
    _use_language(request, link.patient)
    if _link_over_limit(link):
        return _too_many(request)
    state = link.state
    if state != LinkState.WAITING:
        return _unavailable(request, state)
    if request.method == "POST":
        form = DateOfBirthForm(request.POST)
        if form.is_valid():
            try:
                result = patient_link_verify_dob(
                    request=request, link_id=link.pk, date_of_birth=form.cleaned_data["date_of_birth"]
                )
            except LinkUnusable as error:
                return _unavailable(request, error.state)
            if result is DobCheck.VERIFIED:
                # A fresh session key, then the token leaves the address bar for good.
                request.session.cycle_key()
                request.session[LINK_SESSION_KEY] = {"id": link.pk, "verified_at": time.time()}
                return redirect("selfreport:form")
            if result is DobCheck.LOCKED:
                return _unavailable(request, LinkState.LOCKED)
            link.refresh_from_db(fields=["failed_dob_attempts"])
            left = link.dob_attempts_left
            form.add_error(
                None,
                ngettext(
                    "That date of birth does not match our records. You can try %(count)d more time.",
                    "That date of birth does not match our records. You can try %(count)d more times.",
                    left,
                )
                % {"count": left},
            )
    else:
        form = DateOfBirthForm()
        patient_link_record_opened(request=request, link=link)
    instrument = get_instrument(link.instrument)
    return _patient_render(
        request,
        "selfreport/start.html",
        {
            "form": form,
            "dob_fields": _dob_fields(form),
            "question_count": len(instrument.items),
            "expires": format_expiry(link.expires_at),
        },
    )


INSTRUCTIONS = {
    "SOWS": _("For each sentence, choose how much it describes how you feel right now."),
    "SOWS_GOSSOP": _("For each one, choose how bad it has been over the past 24 hours."),
}


@patient_page
@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest) -> HttpResponse:
    """The one form of the one link in this session. The link comes from the session, never the form."""
    link = _session_link(request)
    if link is None:
        return _unavailable(request, "no_session")
    _use_language(request, link.patient)
    if _link_over_limit(link):
        return _too_many(request)
    instrument = get_instrument(link.instrument)
    state = link.state
    if request.method == "POST":
        form = AnswersForm(request.POST, instrument=instrument)
        if form.is_valid():
            try:
                patient_link_redeem(
                    request=request,
                    link_id=link.pk,
                    answers=form.answers(),
                    submission_id=form.cleaned_data["submission_id"],
                    last_use=form.last_use_given(),
                )
            except LinkUnusable as error:
                return _unavailable(request, error.state)
            except SubmissionConflict:
                form = _with_fresh_submission_id(request, instrument)
            else:
                return redirect("selfreport:thanks")
        elif state != LinkState.WAITING:
            return _unavailable(request, state)
        elif "submission_id" in form.errors:
            form = _with_fresh_submission_id(request, instrument)
    else:
        if state != LinkState.WAITING:
            return _unavailable(request, state)
        form = AnswersForm(instrument=instrument, initial={"submission_id": uuid.uuid4()})
    return _patient_render(
        request,
        "selfreport/form.html",
        {"form": form, "instructions": INSTRUCTIONS[instrument.code], "question_count": len(instrument.items)},
    )


def _with_fresh_submission_id(request: HttpRequest, instrument) -> AnswersForm:
    """The posted answers again, under a new submission id, when the page's own id was unusable."""
    data = request.POST.copy()
    data["submission_id"] = str(uuid.uuid4())
    form = AnswersForm(data, instrument=instrument)
    form.add_error(None, _("Something went wrong. Please check your answers and send them again."))
    return form


@patient_page
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    link = _session_link(request)
    if link is not None:
        _use_language(request, link.patient)
    return _patient_render(request, "selfreport/thanks.html")
