"""What the drill writes through: one adapter per form that records something a user must not lose.

An adapter is a class with:

- `name`, `description`: shown by `drill.py --help` and in its report;
- `missing() -> str | None`: why this codebase cannot run it (its URL does not exist), or None;
- `prepare(label) -> Stream`: creates, through the ORM, the clinic, people and patient that one
  scenario writes to (every scenario gets its own patient, so counts never mix);
- `open_session(session, stream)`: signs in or opens the link, as the form's user would;
- `submit(session, stream, n, submission_id) -> bool`: sends submission number `n` once. True
  only when the response is the form's confirmation. False when no confirmation arrived and
  sending the same submission id again is right (no answer, 5xx). Raises `Rejected` when the
  app answered but refused the form: a drill bug or a changed form, never retried;
- `stored(stream) -> list[tuple[str, int]]`: (submission id, n) of every row the scenario's
  patient has, read back through the ORM.

Each submission `n` is also recognisable without its id (its `taken_at` is base + n minutes), so
a row stored twice under different ids still counts as a duplicate.

The patient self-report form (issue 5) gets its own adapter here once it exists: open_session
opens the patient's link instead of signing in; everything else in the drill stays as it is.
"""
from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from bench.client import Response, Session


class Rejected(Exception):
    """The app answered and refused the submission."""


@dataclass
class Stream:
    patient_pk: int
    username: str
    password: str
    base_taken_at: dt.datetime  # submission n was taken at base + n minutes
    private: tuple[str, ...]  # the patient's name and record number, which no log line may contain


def _confirmed(response: Response, login_path: str) -> bool:
    """Post/redirect/get: a redirect that is not to the sign-in page confirms the save."""
    if response.status in (301, 302, 303) and not response.location.split("?")[0].endswith(login_path):
        return True
    if response.status >= 500:
        return False
    raise Rejected(f"status {response.status}, location {response.location or '-'}")


class ClinicianCows:
    name = "clinician-cows"
    description = "a clinician records COWS at /assessments/patients/<pk>/record/cows/"
    path = "/assessments/patients/{pk}/record/cows/"

    def missing(self) -> str | None:
        from django.urls import Resolver404, resolve

        try:
            resolve(self.path.format(pk=1))
        except Resolver404:
            return (
                "the clinician COWS form (/assessments/patients/<pk>/record/cows/) is not in this "
                "codebase yet; the drill needs a form that records assessments"
            )
        return None

    def prepare(self, label: str) -> Stream:
        from django.utils import timezone

        from clinic.accounts.models import Clinic, Role, User
        from clinic.patients.models import Patient

        clinic, _ = Clinic.objects.get_or_create(name="Drill Clinic")
        password = secrets.token_urlsafe(24)
        username = f"drill-{label}-{secrets.token_hex(3)}"
        user = User(username=username, clinic=clinic, role=Role.CLINICIAN, first_name="Drill", last_name=label)
        user.set_password(password)
        user.save()
        patient = Patient.objects.create(
            clinic=clinic,
            record_number=f"DRILL-{label}-{secrets.token_hex(3)}",
            name=f"Drillpatient {label.title()}",
            date_of_birth=dt.date(1990, 1, 1),
            assigned_clinician=user,
        )
        # In the past, on whole minutes, so every n is a distinct, valid time for the form.
        base = (timezone.now() - dt.timedelta(days=3)).replace(second=0, microsecond=0)
        return Stream(patient.pk, username, password, base, (patient.name, patient.record_number))

    def open_session(self, session: Session, stream: Stream) -> None:
        from django.urls import reverse

        login = reverse("login")
        token = session.get(login).csrf_token()
        response = session.post(
            login, {"csrfmiddlewaretoken": token, "username": stream.username, "password": stream.password}
        )
        if response.status != 302 or response.location.split("?")[0].endswith(login):
            raise Rejected(f"sign-in as {stream.username} failed: status {response.status}")
        # The form page hands out the CSRF token every later POST of this session uses.
        session.form_token = session.get(self.path.format(pk=stream.patient_pk)).csrf_token()

    def submit(self, session: Session, stream: Stream, n: int, submission_id: uuid.UUID) -> bool:
        from django.urls import reverse
        from django.utils import timezone

        from clinic.assessments.forms import item_field_name
        from clinic.assessments.instruments import COWS

        taken_at = timezone.localtime(stream.base_taken_at + dt.timedelta(minutes=n))
        form = {
            "csrfmiddlewaretoken": session.form_token,
            "submission_id": str(submission_id),
            "taken_at": taken_at.strftime("%Y-%m-%dT%H:%M"),
        }
        for index, item in enumerate(COWS.items):
            form[item_field_name(item)] = str(item.legal_values[(n + index) % len(item.legal_values)])
        return _confirmed(session.post(self.path.format(pk=stream.patient_pk), form), reverse("login"))

    def stored(self, stream: Stream) -> list[tuple[str, int]]:
        from clinic.assessments.models import Assessment

        rows = Assessment.objects.filter(patient_id=stream.patient_pk).values_list("submission_id", "taken_at")
        return [(str(sid), round((taken_at - stream.base_taken_at).total_seconds() / 60)) for sid, taken_at in rows]


TARGETS = {target.name: target for target in [ClinicianCows()]}
