"""Error pages a patient can land on, each with the crisis lines, in the patient's language.

A truncated or mistyped link, a form sent from a page left open too long (CSRF), a server error:
whatever went wrong, a person filling in a withdrawal form may be unwell, so the page says where
to get help now. The project routes its 404, 500 and CSRF failure handlers here (clinic/urls.py,
settings.CSRF_FAILURE_VIEW); paths outside the patient pages get Django's usual staff pages.
The 429 page is the patient pages' own (selfreport/too_many.html) and has the lines too.

Language: the `?lang=` the patient just chose, else the one chosen earlier on these pages, else
the browser's (Accept-Language), else English; every page links to the other language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import csrf, defaults
from django.views.decorators.csrf import requires_csrf_token

from clinic.selfreport.patient_views import LANGUAGE_COOKIE, LINK_SESSION_KEY
from clinic.selfreport.selectors import patient_link_by_id

PATIENT_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def patient_prefix() -> str:
    """Where the patient pages live ("/p/"), read from their URLs rather than repeated here."""
    return reverse("selfreport:thanks").removesuffix("thanks/")


def is_patient_path(path: str) -> bool:
    return path.startswith(patient_prefix())


def patient_language(request: HttpRequest, *, read_record: bool = True) -> str:
    """The language for a patient's error page; `read_record` allows one query for their link."""
    chosen = request.GET.get("lang")
    if chosen in PATIENT_LANGUAGES:
        return chosen
    try:
        stored = request.COOKIES.get(LANGUAGE_COOKIE)
        if stored not in PATIENT_LANGUAGES and read_record:
            # A patient who confirmed their date of birth: the language on their record.
            link = patient_link_by_id((request.session.get(LINK_SESSION_KEY) or {}).get("id"))
            stored = link.patient.preferred_language if link is not None else None
    except Exception:  # a server error may come from the session store or the database itself
        stored = None
    if stored in PATIENT_LANGUAGES:
        return stored
    browser = translation.get_language_from_request(request)
    return browser if browser in PATIENT_LANGUAGES else settings.LANGUAGE_CODE


def _patient_error(request: HttpRequest, template: str, status: int, *, read_record: bool = True) -> HttpResponse:
    language = patient_language(request, read_record=read_record)
    with translation.override(language):
        # No request in the context: no context processor, no session or database read, so
        # the page renders even when the error came from the database.
        body = loader.render_to_string(template, {"languages": settings.LANGUAGES})
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    # A truncated link's address may hold part of a token: never sent on, stored or indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_patient_path(request.path):
        return _patient_error(request, "selfreport/errors/not_found.html", 404)
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if is_patient_path(request.path):
        try:
            # No query for the patient's record: the database may be what failed.
            return _patient_error(request, "selfreport/errors/server_error.html", 500, read_record=False)
        except Exception:
            # Even the page failed: the crisis lines still go out, in both languages, as text.
            return HttpResponse(PLAIN_SERVER_ERROR, status=500, content_type="text/plain; charset=utf-8")
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_patient_path(request.path):
        return _patient_error(request, "selfreport/errors/expired.html", 403)
    return csrf.csrf_failure(request, reason=reason)


PLAIN_SERVER_ERROR = (
    "Something went wrong. Please try again in a few minutes.\n"
    "Need help now? Call or text 988 (Suicide and Crisis Lifeline). Poison Help: 1-800-222-1222. "
    "In an emergency, call 911.\n\n"
    "Algo salió mal. Intente de nuevo en unos minutos.\n"
    "¿Necesita ayuda ahora? Llame o envíe un mensaje de texto al 988 (Línea de Prevención del Suicidio y Crisis). "
    "Poison Help: 1-800-222-1222. En una emergencia, llame al 911.\n"
)
