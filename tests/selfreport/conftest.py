from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.assessments.instruments import SOWS
from clinic.selfreport.services import patient_link_issue


@pytest.fixture
def issued(patient, alice):
    """(link, token): a waiting SOWS link for Alice's patient, as Alice issues it."""
    return patient_link_issue(request=None, patient=patient, created_by=alice)


def dob_data(patient) -> dict:
    born = patient.date_of_birth
    return {"month": str(born.month), "day": str(born.day), "year": str(born.year)}


def start_url(token: str) -> str:
    return reverse("selfreport:start", kwargs={"token": token})


def confirmed(token: str, patient, client: Client | None = None) -> Client:
    """A browser that opened the link and confirmed the date of birth."""
    client = client or Client()
    response = client.post(start_url(token), dob_data(patient))
    assert response.status_code == 302 and response["Location"] == reverse("selfreport:form")
    return client


def sows_answers(value: int = 1, last_use: str = "12_24h") -> dict[str, str]:
    """A posted SOWS form: every item at `value`, and the answer about the last use of 7-OH."""
    return {item.key: str(value) for item in SOWS.items} | {"last_use": last_use}


def submission_id_of(response) -> str:
    return response.context["form"]["submission_id"].value()
