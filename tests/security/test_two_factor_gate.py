"""The two-factor gate holds on every URL the project has, found by walking Django's resolver.

Nothing here is a hand-kept list of pages: a page added later, anywhere, under any prefix, is
walked too. With a password and no second factor, only the sign-in steps and the patient's own
pages (marked `patient_facing`, never recognised by their address) may answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from clinic.accounts.access import is_patient_facing
from tests.security.helpers import enrol, password_sign_in

# What may answer a person who has given a password but no second factor.
SIGN_IN_STEPS = {"login", "logout", "two_factor_verify", "two_factor_enrol"}
PATIENT_PAGES = {"selfreport:start", "selfreport:form", "selfreport:thanks"}

# Sample values for URL arguments; the first that the pattern accepts is used.
SAMPLES = ("1", "accounts", "a" * 43, "x")
ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^()]*\)")


def _walk(patterns, chain=()) -> Iterator[tuple]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, (*chain, entry))
        elif isinstance(entry, URLPattern):
            yield (*chain, entry)


def _sample_for(regex: str) -> str:
    return next(value for value in SAMPLES if re.fullmatch(regex, value))


def _piece(pattern) -> str:
    """One level of an address, with sample values in place of its arguments."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        return ROUTE_ARGUMENT.sub(lambda m: _sample_for(pattern.converters[m["name"]].regex), route)
    assert isinstance(pattern, RegexPattern), pattern
    text = REGEX_GROUP.sub(lambda m: _sample_for(m.group(0)[len(m["name"]) + 5 : -1]), str(pattern))
    return text.lstrip("^").rstrip("$").replace("\\", "")


def every_url() -> list[tuple[str, str, object]]:
    """(name or pattern, address, view) for every URL pattern of the project, the admin's included."""
    found = []
    for chain in _walk(get_resolver().url_patterns):
        path = "/" + "".join(_piece(entry.pattern) for entry in chain)
        leaf = chain[-1]
        namespaces = [entry.namespace for entry in chain[:-1] if entry.namespace]
        name = ":".join([*namespaces, leaf.name]) if leaf.name else f"<unnamed {path}>"
        match = resolve(path)
        assert match.func == leaf.callback, f"{path} should resolve to {name}, resolved to {match.view_name}"
        found.append((name, path, leaf.callback))
    return found


URLS = every_url()


def test_the_walk_finds_every_app_and_the_admin():
    names = {name for name, _path, _view in URLS}
    assert len(URLS) > 100
    assert {"patients:detail", "selfreport:link_email", "audit:list", "healthz", "admin:index"} <= names


def test_only_the_patients_own_pages_carry_the_patient_facing_mark():
    marked = {name for name, _path, view in URLS if is_patient_facing(view)}
    assert marked == PATIENT_PAGES


def _held_at_the_gate(response) -> bool:
    location = response.get("Location", "") if response.status_code == 302 else ""
    return any(location.startswith(reverse(step) + "?next=") for step in ("two_factor_verify", "two_factor_enrol"))


@pytest.mark.parametrize("has_authenticator", [True, False], ids=["enrolled", "not enrolled"])
def test_with_a_password_alone_no_url_answers_but_sign_in_and_the_patients_pages(settings, alice, has_authenticator):
    settings.REQUIRE_2FA = True
    if has_authenticator:
        enrol(alice)
    client = Client()
    answered = set()
    for name, path, _view in URLS:
        for method in ("get", "post"):
            if SESSION_KEY not in client.session:  # signing out (POST /sign-out/) ends it: sign in again
                assert password_sign_in(client, "alice").status_code == 302
            response = getattr(client, method)(path)
            if not _held_at_the_gate(response):
                answered.add(name)
    assert answered == SIGN_IN_STEPS | PATIENT_PAGES


def test_the_staff_side_of_patient_links_lives_under_the_patient_not_under_p(patient, issued_link):
    link, _token = issued_link
    for name in ("selfreport:link_email", "selfreport:link_revoke"):
        address = reverse(name, kwargs={"patient_pk": patient.pk, "pk": link.pk})
        assert address.startswith(f"/patients/{patient.pk}/links/")
    assert reverse("selfreport:link_issue", kwargs={"patient_pk": patient.pk}).startswith(f"/patients/{patient.pk}/")


@pytest.fixture
def issued_link(patient, alice):
    from clinic.selfreport.services import patient_link_issue

    return patient_link_issue(request=None, patient=patient, created_by=alice)
