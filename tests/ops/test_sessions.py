"""A database outage while a session is saved is a server error, not the user's 400."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.test import Client

from clinic.ops.sessions import SessionStore
from clinic.selfreport.services import patient_link_issue
from tests.selfreport.conftest import dob_data, start_url


def database_gone(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_a_session_saved_while_postgresql_is_down_raises_the_database_error(db, monkeypatch):
    store = SessionStore()
    store["step"] = 1
    store.create()
    store["step"] = 2
    monkeypatch.setattr(Session, "save", database_gone)

    with pytest.raises(OperationalError):
        store.save()


def test_a_session_whose_row_is_really_gone_is_still_reported_as_deleted(db):
    store = SessionStore()
    store["step"] = 1
    store.create()
    store.delete()
    store["step"] = 2

    with pytest.raises(UpdateError):
        store.save()


def test_a_patient_confirming_the_date_of_birth_during_an_outage_gets_500_not_400(patient, alice, monkeypatch):
    _, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    browser = Client(raise_request_exception=False)
    browser.get(start_url(token))
    real_save = Session.save

    def fails_after_the_new_key(self, *args, **kwargs):
        # The new session key is inserted (cycle_key); PostgreSQL goes away before the final update.
        if kwargs.get("force_update"):
            database_gone()
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Session, "save", fails_after_the_new_key)
    response = browser.post(start_url(token), dob_data(patient))

    assert response.status_code == 500
