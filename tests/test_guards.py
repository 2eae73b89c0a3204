"""Guards that protect the whole project."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import signed_in
from tests.matrix import all_routes

H1 = re.compile(rb"<h1[\s>]")


def test_no_model_change_is_missing_its_migration(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


NO_ARG_PAGES = sorted({r.name for r in all_routes() if r.method == "GET" and r.kwargs is None})


@pytest.mark.parametrize("name", NO_ARG_PAGES)
def test_every_page_without_arguments_has_exactly_one_h1(name, client, alice, bob, carol):
    route = next(r for r in all_routes() if r.name == name and r.method == "GET")
    visitors = [client] if route.public else [signed_in(u) for u in (alice, bob, carol) if u.role in route.allowed]
    assert visitors, f"nobody can open {name}"
    for visitor in visitors:
        response = visitor.get(reverse(name), follow=True)
        assert response.status_code == 200
        if "text/html" in response.get("Content-Type", ""):
            assert len(H1.findall(response.content)) == 1, f"{name} has {len(H1.findall(response.content))} <h1>"
            assert b'<html lang="' in response.content


def test_the_wsgi_application_that_gunicorn_and_runserver_load_imports():
    from clinic.wsgi import application

    assert callable(application)
