"""The project's URLs plus a few that exist only to prove the middleware works on any page."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from clinic.accounts.access import staff_required


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internals: SELECT * FROM patients_patient")


def patient_page(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse("<h1>Your symptoms today</h1>")


def patient_page_with_its_own_policy(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("<h1>Strict</h1>")
    response["Referrer-Policy"] = "no-referrer"
    return response


@staff_required
def new_staff_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<h1>A page another app adds later</h1>")


urlpatterns = [
    path("boom/", boom),
    path("p/strict/", patient_page_with_its_own_policy),
    path("p/<str:token>/", patient_page),
    path("later/", new_staff_page),
    path("", include("clinic.urls")),
]
