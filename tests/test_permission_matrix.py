"""Every URL, every kind of visitor: who gets in and who is refused."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import signed_in
from tests.matrix import CLINICIAN, Route, all_routes, setup_world

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
