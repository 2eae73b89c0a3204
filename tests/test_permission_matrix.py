"""Every URL, every kind of visitor: who gets in and who is refused."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.accounts.models import User
from clinic.assessments.instruments import SOWS
from clinic.assessments.models import Assessment
from clinic.audit.models import AuditEvent
from clinic.guidance.models import Provider, Referral, ReviewDate, TaperPlan, TaperStep
from clinic.patients.models import Patient, UseReport, Visit
from clinic.selfreport.models import LinkState, PatientLink, RateCounter
from clinic.selfreport.services import patient_link_issue
from tests.conftest import make_patient, signed_in
from tests.matrix import CLINICIAN, Route, all_routes, setup_world
from tests.security.helpers import enrol

ROUTES = all_routes()
EXEMPT_NAMESPACES = {"admin"}  # Django's own admin: superusers only, guarded by Django


def _url_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in EXEMPT_NAMESPACES:
                continue
            names |= _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {entry.pattern} has no name, so it cannot be classified"
            names.add(namespace + entry.name)
    return names


def test_every_url_pattern_is_in_the_permission_matrix():
    declared = {route.name for route in ROUTES}
    unclassified = _url_names(get_resolver().url_patterns) - declared
    assert not unclassified, f"Add these URLs to a tests/<app>/routes.py: {sorted(unclassified)}"


def test_the_matrix_names_no_url_that_does_not_exist():
    stale = {route.name for route in ROUTES} - _url_names(get_resolver().url_patterns)
    assert not stale


@pytest.fixture
def world(clinic, other_clinic, alice, bob, carol, dave, patient, dave_patient):
    return setup_world(
        SimpleNamespace(
            clinic=clinic,
            other_clinic=other_clinic,
            alice=alice,
            bob=bob,
            carol=carol,
            dave=dave,
            patient=patient,
            dave_patient=dave_patient,
        )
    )


def _call(client, route: Route, world) -> object:
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    if route.method == "POST":
        return client.post(url, route.data(world) if route.data else {})
    return client.get(url)


def _refused(response) -> bool:
    return response.status_code in (403, 404)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_anonymous_visitors_are_sent_to_sign_in_unless_the_page_is_public(client, world, route):
    response = _call(client, route, world)
    if route.public:
        assert response.status_code < 500
        assert "/sign-in/" not in response.get("Location", "")
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["alice", "bob", "carol"])
@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: r.id)
def test_each_role_reaches_exactly_what_it_is_allowed(world, route, role):
    user = getattr(world, role)
    response = _call(signed_in(user), route, world)
    if user.role in route.allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302 and not route.signs_out:
            assert not response["Location"].startswith(reverse("login"))
    else:
        assert _refused(response), f"{role} ({user.role}) got {response.status_code}"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.scoped], ids=lambda r: r.id)
def test_staff_of_another_clinic_cannot_reach_this_clinics_objects(world, route):
    response = _call(signed_in(world.dave), route, world)
    assert _refused(response), response.status_code


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public and not r.scoped], ids=lambda r: r.id)
def test_staff_of_another_clinic_see_their_own_clinic_on_unscoped_pages(world, route):
    response = _call(signed_in(world.dave), route, world)
    if CLINICIAN in route.allowed:
        assert response.status_code in (200, 302)
    else:
        assert _refused(response)


# --- Forms answer an empty POST with what is missing ---------------------------------------------

FORM_PAGES = [r for r in ROUTES if r.method == "POST" and any(g.name == r.name and g.method == "GET" for g in ROUTES)]


@pytest.mark.parametrize("route", FORM_PAGES, ids=lambda r: r.id)
def test_an_empty_post_to_a_form_shows_what_is_missing_not_a_blank_form(world, route):
    # `Form(request.POST or None)` treats an empty POST as no POST: the form came back blank, unexplained.
    if route.public:
        visitor = _link_holder(world)
    else:
        user = _first_allowed(world, route)
        if route.name == "two_factor_verify":
            enrol(user)  # the code page shows its form only to someone with an authenticator
        visitor = signed_in(user)
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    shown = visitor.get(url)
    assert shown.status_code == 200 and "form" in shown.context, f"{route.name} shows a form on GET"
    response = visitor.post(url, {})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_bound and form.errors, "the refusal names the missing fields"


# --- A patient-link holder: a browser that opened a link and confirmed the date of birth ---------

FORM = "selfreport:form"


def _dob(patient) -> dict:
    born = patient.date_of_birth
    return {"month": str(born.month), "day": str(born.day), "year": str(born.year)}


def _link_holder(world) -> Client:
    """The patient of the world's link (a SOWS form), with no account, past the date-of-birth step."""
    holder = Client()
    response = holder.post(reverse("selfreport:start", kwargs={"token": world.token}), _dob(world.patient))
    assert response.status_code == 302 and response["Location"] == reverse(FORM)
    return holder


def _row_counts() -> dict[str, int]:
    """Rows of every Steady model (but the patient pages' rate counters, which count every request)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("clinic.") and model is not RateCounter
    }


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: r.id)
def test_a_patient_link_holder_is_sent_to_sign_in_or_refused_on_every_staff_url(world, route):
    holder = _link_holder(world)
    before = _row_counts()
    response = _call(holder, route, world)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert _refused(response), response.status_code
    assert _row_counts() == before, "a refused request wrote nothing"


@pytest.fixture
def second_link(world):
    """Another Riverside patient (another date of birth) with a SOWS-Gossop link of their own."""
    other = make_patient(world.clinic, record_number="R-0002", name="Other Person", date_of_birth=dt.date(1970, 1, 1))
    link, token = patient_link_issue(request=None, patient=other, created_by=world.alice, instrument_code="SOWS_GOSSOP")
    return SimpleNamespace(patient=other, link=link, token=token)


def _ids_of(world, second) -> dict[str, str]:
    """Every way a form field could name another patient, link or clinic."""
    return {
        "patient": str(second.patient.pk),
        "patient_id": str(world.dave_patient.pk),
        "link": str(second.link.pk),
        "link_id": str(world.dave_link.pk),
        "token": second.token,
        "instrument": "SOWS_GOSSOP",
        "clinic": str(world.other_clinic.pk),
    }


def _opens_only_its_own_form(holder: Client, world, second) -> None:
    page = holder.get(reverse(FORM))
    assert page.status_code == 200
    assert page.context["form"].instrument.code == "SOWS", "the session's own link (SOWS), never the other (Gossop)"
    second.link.refresh_from_db()
    assert second.link.state == LinkState.WAITING and second.link.failed_dob_attempts == 0
    assert not Assessment.objects.filter(patient__in=[second.patient, world.dave_patient]).exists()


@pytest.mark.parametrize("route", [r for r in ROUTES if r.public], ids=lambda r: r.id)
def test_a_patient_link_holder_on_public_urls_reaches_only_its_own_links_form(world, second_link, route):
    holder = _link_holder(world)
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    ids = _ids_of(world, second_link)
    if route.method == "POST":
        response = holder.post(url, (route.data(world) if route.data else {}) | ids)
    else:
        response = holder.get(url, ids)
    assert response.status_code < 500
    assert not response.get("Location", "").startswith(reverse("login"))
    _opens_only_its_own_form(holder, world, second_link)


def test_a_second_patients_link_cannot_be_opened_through_the_first_session(world, second_link):
    holder = _link_holder(world)
    other_start = reverse("selfreport:start", kwargs={"token": second_link.token})
    # The other link's start page shows its date-of-birth step only, and nothing of that patient...
    page = holder.get(other_start)
    assert page.status_code == 200 and second_link.patient.name.encode() not in page.content
    # ...this patient's date of birth does not open it...
    refused = holder.post(other_start, _dob(world.patient))
    assert refused.status_code == 200 and b"does not match" in refused.content
    # ...and the session still opens its own form, whose answers land on its own patient only.
    page = holder.get(reverse(FORM))
    assert page.context["form"].instrument.code == "SOWS"
    answers = {item.key: "1" for item in SOWS.items} | {
        "last_use": "12_24h",
        "submission_id": page.context["form"]["submission_id"].value(),
    }
    sent = holder.post(reverse(FORM), answers | _ids_of(world, second_link))
    assert sent.status_code == 302 and sent["Location"] == reverse("selfreport:thanks")
    assert Assessment.objects.get().patient == world.patient
    second_link.link.refresh_from_db()
    assert second_link.link.state == LinkState.WAITING and second_link.link.failed_dob_attempts == 1


# --- Ids of another clinic posted in a form field -----------------------------------------------


def _hillcrest_ids(world) -> dict[str, str]:
    """Hillcrest's objects under every field name a Riverside form takes or might be tricked by."""
    people = ("actor", "user", "clinician", "assigned_clinician", "created_by", "recorded_by", "entered_by", "person")
    ids = {
        ("clinic", "clinic_id"): world.other_clinic.pk,
        ("patient", "patient_id", "patient_pk"): world.dave_patient.pk,
        people: world.dave.pk,
        ("visit", "visit_id"): world.dave_visit.pk,
        ("provider", "provider_id"): world.dave_provider.pk,
        ("plan", "plan_id"): world.dave_plan.pk,
        ("link", "link_id"): world.dave_link.pk,
    }
    return {name: str(pk) for names, pk in ids.items() for name in names} | {"token": world.dave_token}


def _hillcrest_rows(world) -> dict:
    """Everything Hillcrest holds that a Riverside form could write to if an id slipped through."""
    clinic = world.other_clinic
    return {
        "staff": list(User.objects.filter(clinic=clinic).values("pk", "username", "role", "is_active", "password")),
        "patients": list(Patient.objects.filter(clinic=clinic).values()),
        "visits": list(Visit.objects.filter(patient__clinic=clinic).values()),
        "use_reports": UseReport.objects.filter(patient__clinic=clinic).count(),
        "assessments": Assessment.objects.filter(patient__clinic=clinic).count(),
        "links": list(PatientLink.objects.filter(patient__clinic=clinic).values()),
        "plans": list(TaperPlan.objects.filter(patient__clinic=clinic).values()),
        "steps": TaperStep.objects.filter(plan__patient__clinic=clinic).count(),
        "reviews": ReviewDate.objects.filter(plan__patient__clinic=clinic).count(),
        "providers": list(Provider.objects.filter(clinic=clinic).values()),
        "referrals": Referral.objects.filter(patient__clinic=clinic).count(),
        "events": AuditEvent.objects.filter(clinic=clinic).count(),
    }


def _rows_across_clinics(world) -> dict[str, int]:
    """Rows tying one clinic's record to another clinic's person or object: there must be none."""
    return {
        "patient assigned across clinics": Patient.objects.exclude(assigned_clinician=None)
        .exclude(assigned_clinician__clinic=F("clinic"))
        .count(),
        "visit by another clinic's clinician": Visit.objects.exclude(clinician__clinic=F("patient__clinic")).count(),
        "use report by another clinic's staff": UseReport.objects.exclude(
            recorded_by__clinic=F("patient__clinic")
        ).count(),
        "assessment at another patient's visit": Assessment.objects.exclude(visit=None)
        .exclude(visit__patient=F("patient"))
        .count(),
        "assessment entered by another clinic's staff": Assessment.objects.exclude(entered_by=None)
        .exclude(entered_by__clinic=F("patient__clinic"))
        .count(),
        "link issued by another clinic's staff": PatientLink.objects.exclude(
            created_by__clinic=F("patient__clinic")
        ).count(),
        "plan written by another clinic's staff": TaperPlan.objects.exclude(
            created_by__clinic=F("patient__clinic")
        ).count(),
        "step on another clinic's plan": TaperStep.objects.exclude(
            written_by__clinic=F("plan__patient__clinic")
        ).count(),
        "referral to another clinic's provider": Referral.objects.exclude(
            provider__clinic=F("patient__clinic")
        ).count(),
        "riverside event naming a hillcrest patient": AuditEvent.objects.filter(
            clinic=world.clinic, patient_id=world.dave_patient.pk
        ).count(),
    }


def _first_allowed(world, route: Route):
    return next(user for user in (world.alice, world.bob, world.carol) if user.role in route.allowed)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.method == "POST" and not r.public], ids=lambda r: r.id)
def test_another_clinics_ids_posted_in_any_form_field_are_ignored_or_refused(world, route):
    client = signed_in(_first_allowed(world, route))
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    before = _hillcrest_rows(world)
    # The route's own submission with every id-like field (real or not) naming Hillcrest's.
    response = client.post(url, (route.data(world) if route.data else {}) | _hillcrest_ids(world))
    assert response.status_code < 500
    assert _hillcrest_rows(world) == before, "nothing of Hillcrest's changed"
    crossed = {what: count for what, count in _rows_across_clinics(world).items() if count}
    assert not crossed, crossed
