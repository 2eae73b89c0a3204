"""Patient links in the permission matrix.

The patient's pages are public (no account); what protects them is the token, the date of birth
and the session, which tests/selfreport/test_patient_side.py exercises. Staff pages are scoped:
Dave, of another clinic, must get a 404 for Riverside's links.
"""

from clinic.selfreport.services import patient_link_issue
from tests.matrix import PATIENT_STAFF, Route


def setup_world(world) -> None:
    world.link, world.token = patient_link_issue(request=None, patient=world.patient, created_by=world.alice)
    # Hillcrest's link: its id posted anywhere at Riverside, or by a Riverside link holder, is ignored.
    world.dave_link, world.dave_token = patient_link_issue(
        request=None, patient=world.dave_patient, created_by=world.dave
    )


def _dob(world) -> dict:
    born = world.patient.date_of_birth
    return {"month": born.month, "day": born.day, "year": born.year}


def _link(world) -> dict:
    return {"patient_pk": world.patient.pk, "pk": world.link.pk}


ROUTES = [
    # The patient's side.
    Route("selfreport:start", public=True, kwargs=lambda w: {"token": w.token}),
    Route("selfreport:start", public=True, method="POST", kwargs=lambda w: {"token": w.token}, data=_dob),
    Route("selfreport:form", public=True),
    Route("selfreport:form", public=True, method="POST", data=lambda w: {"submission_id": "not-a-session"}),
    Route("selfreport:thanks", public=True),
    # The clinician's side.
    Route("selfreport:link_issue", allowed=PATIENT_STAFF, kwargs=lambda w: {"patient_pk": w.patient.pk}),
    Route(
        "selfreport:link_issue",
        allowed=PATIENT_STAFF,
        method="POST",
        kwargs=lambda w: {"patient_pk": w.patient.pk},
        data=lambda w: {"instrument": "SOWS", "valid_hours": 72},
    ),
    Route(
        "selfreport:link_email",
        allowed=PATIENT_STAFF,
        method="POST",
        kwargs=_link,
        data=lambda w: {"token": w.token},
    ),
    Route("selfreport:link_revoke", allowed=PATIENT_STAFF, kwargs=_link),
    Route(
        "selfreport:link_revoke",
        allowed=PATIENT_STAFF,
        method="POST",
        kwargs=_link,
        data=lambda w: {"confirm": "on"},
    ),
]
