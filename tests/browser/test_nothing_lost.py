"""An idle session warns before it ends, and a note typed through the end of a session is kept."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from clinic.accounts import sessions
from clinic.patients.models import Visit
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _end_session_as_if_idle(page) -> None:
    """Make the server's session idle past the limit, as thirty quiet minutes would."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    store[sessions.LAST_SEEN] = sessions.now_seconds() - settings.SESSION_IDLE_SECONDS - 5
    store.save()


def test_a_warning_before_the_idle_limit_lets_her_stay_signed_in(page, alice, patient):
    page.clock.install()
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{patient.pk}/")
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in about")
    page.clock.fast_forward("20:00")
    expect(warning).to_have_count(0)
    page.clock.fast_forward("06:00")  # 26 minutes without a request: four to go
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("about 4 minutes")
    assert axe_violations(page) == []
    with page.expect_response("**/account/keep-alive/") as answer:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 200
    expect(warning).to_be_hidden()
    page.clock.fast_forward("20:00")
    expect(warning).to_be_hidden()


def test_the_warning_says_so_when_the_session_has_ended(page, alice, patient):
    page.clock.install()
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{patient.pk}/")
    page.clock.fast_forward("26:00")
    _end_session_as_if_idle(page)  # e.g. the person was away from this tab
    page.get_by_role("button", name="Stay signed in").click()
    expect(page.get_by_role("alert").filter(has_text="You have been signed out")).to_be_visible()


def test_a_note_typed_as_the_session_ended_comes_back_after_signing_in(page, alice, patient):
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{patient.pk}/visits/new/")
    page.get_by_role("group", name="Kind of visit").get_by_label("Follow-up").check()
    note = "Slept badly, cravings in the evening; agreed to call the helpline if it gets worse."
    page.get_by_label("Notes").fill(note)
    _end_session_as_if_idle(page)
    page.get_by_role("button", name="Save visit").click()

    expect(page.get_by_text("You were signed out after")).to_be_visible()
    expect(page.get_by_text("What you typed before you were signed out is kept")).to_be_visible()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{page.url.split('/patients/')[0]}/patients/{patient.pk}/visits/new/")
    expect(page.get_by_text("We kept what you typed before you were signed out.")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value(note)
    assert axe_violations(page) == []
    expect(page.get_by_role("group", name="Kind of visit").get_by_label("Follow-up")).to_be_checked()
    page.get_by_role("button", name="Save visit").click()

    expect(page.get_by_text("Recorded the follow-up visit.")).to_be_visible()
    assert Visit.objects.get(patient=patient).notes == note
    assert page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('steady-draft:'))") == []


def test_signing_out_forgets_what_was_typed(page, alice, patient):
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{patient.pk}/visits/new/")
    page.get_by_label("Notes").fill("Private words.")
    page.get_by_role("button", name="Sign out").click()
    assert page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('steady-draft:'))") == []


def test_a_note_that_was_saved_never_comes_back_on_the_next_form(page, alice, patient):
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{patient.pk}/visits/new/")
    page.get_by_role("group", name="Kind of visit").get_by_label("Follow-up").check()
    page.get_by_label("Notes").fill("First visit's words.")
    page.get_by_role("button", name="Save visit").click()
    expect(page.get_by_text("Recorded the follow-up visit.")).to_be_visible()
    page.goto(f"/patients/{patient.pk}/visits/new/")
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.get_by_text("We kept what you typed")).to_have_count(0)
