"""The cast every test shares.

Alice is a clinician and Bob a supervisor at Riverside; Carol is Riverside's clinic admin;
Erin is a second Riverside clinician; Dave is a clinician at Hillcrest, another clinic, and
must be refused everything of Riverside's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client

from clinic.accounts.models import Clinic, Role, User
from clinic.patients.models import Patient

PASSWORD = "correct-horse-battery-staple"


def pytest_collection_modifyitems(items):
    """Browser tests and hypothesis fuzzing are `slow`; `make test` and CI still run them."""
    for item in items:
        fuzzed = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        if fuzzed or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _no_connection_outlives_the_suite(django_db_setup, django_db_blocker):
    """End stray connections to the test database so it can be dropped at the end.

    ORM calls made while Playwright's event loop runs in the test thread get a connection of
    their own that nothing closes; PostgreSQL would then refuse to drop the test database.
    """
    yield
    # A run whose tests never touched the database made no test database: nothing to tidy.
    made_test_database = connection.settings_dict["NAME"].startswith("test_")
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql" and made_test_database:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests of hashing itself switch it back on.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_head_file_per_test(settings, tmp_path):
    # Each test's trail is rolled back; a head recorded by one test must not judge the next.
    settings.AUDIT_HEAD_FILE = tmp_path / "audit-head.jsonl"


@pytest.fixture
def clinic(db) -> Clinic:
    return Clinic.objects.create(name="Riverside Recovery Clinic")


@pytest.fixture
def other_clinic(db) -> Clinic:
    return Clinic.objects.create(name="Hillcrest Health Center")


def make_staff(clinic: Clinic, username: str, role: str, **extra) -> User:
    user = User(username=username, clinic=clinic, role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def alice(clinic) -> User:
    return make_staff(clinic, "alice", Role.CLINICIAN, first_name="Alice", last_name="Moreno")


@pytest.fixture
def erin(clinic) -> User:
    return make_staff(clinic, "erin", Role.CLINICIAN, first_name="Erin", last_name="Walsh")


@pytest.fixture
def bob(clinic) -> User:
    return make_staff(clinic, "bob", Role.SUPERVISOR, first_name="Bob", last_name="Okafor")


@pytest.fixture
def carol(clinic) -> User:
    return make_staff(clinic, "carol", Role.CLINIC_ADMIN, first_name="Carol", last_name="Nguyen")


@pytest.fixture
def dave(other_clinic) -> User:
    return make_staff(other_clinic, "dave", Role.CLINICIAN, first_name="Dave", last_name="Keller")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return signed_in(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return signed_in(bob)


@pytest.fixture
def carol_client(carol) -> Client:
    return signed_in(carol)


@pytest.fixture
def dave_client(dave) -> Client:
    return signed_in(dave)


def make_patient(clinic: Clinic, record_number: str = "R-0001", **extra) -> Patient:
    values = {"name": "Jordan Avery", "date_of_birth": dt.date(1988, 4, 12)}
    values.update(extra)
    return Patient.objects.create(clinic=clinic, record_number=record_number, **values)


@pytest.fixture
def patient(clinic, alice) -> Patient:
    """Alice's patient at Riverside."""
    return make_patient(clinic, assigned_clinician=alice)


@pytest.fixture
def dave_patient(other_clinic, dave) -> Patient:
    """A Hillcrest patient: nobody at Riverside may see it."""
    return make_patient(other_clinic, record_number="H-0001", name="Sam Rivera", assigned_clinician=dave)
