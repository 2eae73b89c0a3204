"""What the drill writes through: one adapter per form that records something a user must not lose.

An adapter is a class with:

- `name`, `description`: shown by `drill.py --help` and in its report;
- `missing() -> str | None`: why this codebase cannot run it (its URL does not exist), or None;
- `environment(submissions, sends_per_submission) -> dict`: settings the drill's gunicorn (and
  the drill's own ORM) need for this stream, as environment variables; usually none;
- `prepare(label, submissions) -> stream`: creates, through the ORM and services, what one
  scenario writes to (every scenario gets its own patients, so counts never mix); the stream
  has `private`: the patients' names and record numbers, which no log line may contain;
- `open_session(session, stream)`: signs in, as the form's user would (once per client);
- `submit(session, stream, n, submission_id) -> bool`: sends submission number `n` once. True
  only when the response is the form's confirmation. False when no confirmation arrived and
  sending the same submission id again is right (no answer, 5xx). Raises `Rejected` when the
  app answered but refused the form: a drill bug or a changed form, never retried;
- `stored(stream) -> list[tuple[str, int]]`: (submission id, n) of every assessment the
  scenario's patients have, read back through the ORM; n is -1 for a row no submission explains;
- `notes(stream) -> list[str]`: anything else the report should say about the stream.

Each row is also recognisable without its id (clinician COWS: its `taken_at` is base + n
minutes; patient form: the link it completed), so a row stored twice under different ids still
counts as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field

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

    def environment(self, submissions: int, sends_per_submission: int) -> dict[str, str]:
        return {}

    def prepare(self, label: str, submissions: int) -> Stream:
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
            # When 7-OH was last used, asked at every assessment.
            "last_use_known": "unknown",
            "last_use_given_by": "patient",
        }
        for index, item in enumerate(COWS.items):
            form[item_field_name(item)] = str(item.legal_values[(n + index) % len(item.legal_values)])
        return _confirmed(session.post(self.path.format(pk=stream.patient_pk), form), reverse("login"))

    def stored(self, stream: Stream) -> list[tuple[str, int]]:
        from clinic.assessments.models import Assessment

        rows = Assessment.objects.filter(patient_id=stream.patient_pk).values_list("submission_id", "taken_at")
        return [(str(sid), round((taken_at - stream.base_taken_at).total_seconds() / 60)) for sid, taken_at in rows]

    def notes(self, stream: Stream) -> list[str]:
        return []


# --- The patient's phone form (clinic/selfreport) ----------------------------------------------


@dataclass
class Phone:
    """One simulated patient's phone: its own cookies, and how far through the link it got."""

    session: Session
    confirmed: bool = False  # the date of birth was accepted in this session
    form_token: str = ""  # the CSRF token of the form page
    openings: int = 0  # times the link was opened and the date of birth sent


@dataclass
class LinkStream:
    patients: list[int]  # patient pks; patient n opens link n
    links: list[int]  # link pks
    tokens: list[str]  # what patient n's message holds: the link's token, from patient_link_issue
    born: list[dt.date]
    private: tuple[str, ...]
    phones: dict[int, Phone] = field(default_factory=dict)  # each n is sent by one client thread only


class PatientForm:
    """A patient opens their link, confirms the date of birth and sends the SOWS form.

    Every simulated patient has their own link (a link records one assessment) and their own
    phone: GET /p/<token>/, POST the date of birth (302 to /p/form/), GET /p/form/, POST the
    answers with the submission id (302 to /p/thanks/: the confirmation). A send whose
    confirmation does not arrive is repeated with the same submission id, in the same session; if
    the date of birth was never confirmed or the session no longer knows the link, the phone opens
    the link and confirms it again first.
    """

    name = "patient-form"
    description = "patients open their own link at /p/<token>/, confirm the date of birth, send SOWS at /p/form/"
    # At most this many requests per send, so a link's own rate limit (PATIENT_LINK_RATE_PER_LINK,
    # 40 by default) allows 10 sends of one submission without being raised for the drill.
    REQUESTS_PER_SEND = 4
    LINK_LIMIT_DEFAULT = 40  # settings.PATIENT_LINK_RATE_PER_LINK's default; settings are not loaded yet

    def missing(self) -> str | None:
        from django.urls import NoReverseMatch, reverse

        try:
            reverse("selfreport:form")
        except NoReverseMatch:
            return "the patient self-report form (/p/form/) is not in this codebase"
        return None

    def environment(self, submissions: int, sends_per_submission: int) -> dict[str, str]:
        # Every simulated patient sends from 127.0.0.1, which the per-address limit (150 requests
        # in 10 minutes, for a clinic's shared Wi-Fi) would stop after a few dozen patients.
        # Production's default is untouched; only the drill's own servers get this.
        per_address = 2 * submissions * sends_per_submission * self.REQUESTS_PER_SEND  # two scenarios
        raised = {"PATIENT_LINK_RATE_PER_ADDRESS": str(max(per_address, 150))}
        per_link = sends_per_submission * self.REQUESTS_PER_SEND
        if per_link > self.LINK_LIMIT_DEFAULT:  # only if the drill's retries ever outgrow a real patient's
            raised["PATIENT_LINK_RATE_PER_LINK"] = str(per_link)
        return raised

    def prepare(self, label: str, submissions: int) -> LinkStream:
        from clinic.accounts.models import Clinic, Role, User
        from clinic.patients.models import Patient
        from clinic.selfreport.services import patient_link_issue

        clinic, _ = Clinic.objects.get_or_create(name="Drill Clinic")
        clinician = User.objects.create_user(
            username=f"drill-{label}-{secrets.token_hex(3)}",
            password=None,  # the clinician issues links here, through the service; no sign-in
            clinic=clinic,
            role=Role.CLINICIAN,
            first_name="Drill",
            last_name=label,
        )
        stream = LinkStream([], [], [], [], ())
        private: list[str] = []
        tag = secrets.token_hex(3)
        for n in range(submissions):
            # A different date of birth each, so a mixed-up link would be refused, not recorded.
            born = dt.date(1960, 1, 1) + dt.timedelta(days=37 * n % 15000)
            patient = Patient.objects.create(
                clinic=clinic,
                record_number=f"DR-{label[:4]}-{tag}-{n}",
                name=f"Drillpatient {label.title()} {n}",
                date_of_birth=born,
                assigned_clinician=clinician,
            )
            link, token = patient_link_issue(request=None, patient=patient, created_by=clinician)
            stream.patients.append(patient.pk)
            stream.links.append(link.pk)
            stream.tokens.append(token)
            stream.born.append(born)
            private += [patient.name, patient.record_number]
        stream.private = tuple(private)
        return stream

    def open_session(self, session: Session, stream: LinkStream) -> None:
        pass  # patients have no account; each opens their own link on their own phone in submit()

    def submit(self, session: Session, stream: LinkStream, n: int, submission_id: uuid.UUID) -> bool:
        from django.urls import reverse

        from clinic.assessments.instruments import SOWS

        phone = stream.phones.get(n)
        if phone is None:
            phone = stream.phones[n] = Phone(Session(session.host, session.port, session.timeout))
        # NoAnswer from any step reaches the drill, which sends again later.
        if not phone.confirmed and not self._confirm_date_of_birth(phone, stream, n):
            return False
        if not phone.form_token and not self._open_form(phone):
            return False
        answers = {
            item.key: str(item.legal_values[(n + index) % len(item.legal_values)])
            for index, item in enumerate(SOWS.items)
        }
        form = {
            "csrfmiddlewaretoken": phone.form_token,
            "submission_id": str(submission_id),
            "last_use": "12_24h",  # the question about last use every form asks
            **answers,
        }
        response = phone.session.post(reverse("selfreport:form"), form)
        if response.status in (302, 303) and response.location == reverse("selfreport:thanks"):
            return True
        if response.status >= 500:
            return False
        if response.status == 200 and 'name="submission_id"' not in response.body:
            # "Open the link your clinic sent you": this session no longer knows the link.
            phone.confirmed = False
            phone.form_token = ""
            return False
        raise Rejected(f"patient #{n}: the form answered {response.status}, location {response.location or '-'}")

    def _confirm_date_of_birth(self, phone: Phone, stream: LinkStream, n: int) -> bool:
        from django.urls import reverse

        start = reverse("selfreport:start", kwargs={"token": stream.tokens[n]})
        phone.openings += 1
        page = phone.session.get(start)
        if page.status >= 500:
            return False
        if page.status != 200:
            raise Rejected(f"patient #{n}: opening the link answered {page.status}")
        born = stream.born[n]
        dob = {"month": str(born.month), "day": str(born.day), "year": str(born.year)}
        response = phone.session.post(start, {"csrfmiddlewaretoken": page.csrf_token(), **dob})
        if response.status >= 500:
            return False
        if response.status != 302 or response.location != reverse("selfreport:form"):
            raise Rejected(f"patient #{n}: the date of birth answered {response.status}")
        phone.confirmed = True
        phone.form_token = ""
        return True

    def _open_form(self, phone: Phone) -> bool:
        from django.urls import reverse

        page = phone.session.get(reverse("selfreport:form"))
        if page.status >= 500:
            return False
        if page.status != 200 or 'name="submission_id"' not in page.body:
            phone.confirmed = False  # the session lost the link: open it again next time
            return False
        phone.form_token = page.csrf_token()
        return True

    def stored(self, stream: LinkStream) -> list[tuple[str, int]]:
        from clinic.assessments.models import Assessment, CompletedBy

        n_of_link = {pk: n for n, pk in enumerate(stream.links)}
        rows = Assessment.objects.filter(patient_id__in=stream.patients).values_list(
            "submission_id", "completed_by", "patient_link"
        )
        # Only a patient's own submission through their link counts as stored; anything else is extra.
        return [
            (str(sid), n_of_link.get(link, -1) if completed_by == CompletedBy.PATIENT else -1)
            for sid, completed_by, link in rows
        ]

    def notes(self, stream: LinkStream) -> list[str]:
        # A patient opens the link again when a date-of-birth confirmation got no answer, or the
        # session forgot the link; the id they resend is the same either way.
        again = [phone.openings - 1 for phone in stream.phones.values() if phone.openings > 1]
        return [f"{'reopened':<12} {len(again)} patients opened their link again ({sum(again)} extra times)"]


TARGETS = {target.name: target for target in [PatientForm(), ClinicianCows()]}
