"""The patient-link forms, both sides, for the fuzzer in tests/security/fuzz.py.

Staff side: issue, email and revoke a link. Patient side, with no account: the date-of-birth
step and the patient's own form, which needs a browser that confirmed the date of birth (built
in `prepare`). Between submissions the link is put back where it was (a fresh link once one is
used up, attempts and rate limits cleared), so that every submission reaches the code behind it
instead of a "link used up" or "too many requests" page.
"""

from __future__ import annotations

from django.core import mail
from django.urls import reverse
from hypothesis import strategies as st

from clinic.assessments.instruments import SOWS
from clinic.assessments.last_use import PATIENT_CHOICES
from clinic.assessments.models import Assessment
from clinic.audit.models import Action, AuditEvent
from clinic.selfreport.models import LinkState, PatientLink, RateCounter
from clinic.selfreport.services import patient_link_issue
from tests.security.fuzz import SMUGGLED_FIELDS, FormTarget, audited, form_data, hillcrest_ids

LINK = "selfreport.patientlink"


def _link_events(link: PatientLink, detail: str) -> int:
    return AuditEvent.objects.filter(object_type=LINK, object_id=str(link.pk), detail=detail).count()


def _dave_link(world) -> tuple:
    return (
        PatientLink.objects.filter(pk=world.dave_link.pk)
        .values_list("completed_at", "revoked_at", "locked_at", "failed_dob_attempts")
        .get()
    )


# --- Staff side -------------------------------------------------------------------------------


def _issue_state(world) -> tuple[int, int]:
    return PatientLink.objects.count(), audited(Action.CREATE, LINK)


def _issued(world, before, after) -> None:
    assert after == (before[0] + 1, before[1] + 1), "a new link and its audit event, together"
    newest = PatientLink.objects.latest("pk")
    assert (newest.patient_id, newest.created_by_id) == (world.patient.pk, world.alice.pk)
    assert newest.instrument in ("SOWS", "SOWS_GOSSOP") and newest.state == LinkState.WAITING


def _unrevoke(client, world) -> None:
    # Test scaffolding only: every submission gets a waiting link to revoke.
    PatientLink.objects.filter(pk=world.link.pk).update(revoked_at=None, revoked_by=None)


def _revoke_state(world) -> tuple:
    link = PatientLink.objects.values_list("revoked_at", "revoked_by").get(pk=world.link.pk)
    return link, audited(Action.UPDATE, LINK), _dave_link(world)


def _revoked(world, before, after) -> None:
    (revoked_at, revoked_by), events, dave_link = after
    assert revoked_at is not None and revoked_by == world.alice.pk
    assert events == before[1] + 1, "the revocation is audited, once"
    assert dave_link == before[2], "Hillcrest's link is untouched"


def _with_email(client, world) -> None:
    world.patient.email = "jordan@example.org"
    world.patient.save(update_fields=["email"])


def _email_state(world) -> tuple[int, int]:
    return len(mail.outbox), _link_events(world.link, "patient link emailed")


def _emailed(world, before, after) -> None:
    sent = after[0] - before[0]
    assert sent in (0, 1) and after[1] - before[1] == sent, "an email is sent exactly when it is audited"
    if sent:
        assert mail.outbox[-1].to == ["jordan@example.org"]


# --- Patient side -----------------------------------------------------------------------------


def _dob(world) -> dict:
    born = world.patient.date_of_birth
    return {"month": str(born.month), "day": str(born.day), "year": str(born.year)}


def _dob_data(world) -> st.SearchStrategy[dict]:
    guess = form_data(
        {
            "month": st.integers(0, 13).map(str),
            "day": st.integers(0, 32).map(str),
            "year": st.integers(1899, 2031).map(str),
        },
        foreign=hillcrest_ids(world),
    )
    return st.one_of(guess, guess, guess, st.just(_dob(world)))


def _reset_dob_attempts(client, world) -> None:
    # Five wrong dates lock the link, and a link takes only so many requests: start afresh.
    PatientLink.objects.filter(pk=world.link.pk).update(failed_dob_attempts=0, locked_at=None)
    RateCounter.objects.all().delete()


def _dob_state(world) -> tuple:
    link = PatientLink.objects.get(pk=world.link.pk)
    # Each wrong date counts one attempt and writes one event, in one transaction.
    unexplained_attempts = link.failed_dob_attempts - _link_events(link, "patient link: wrong date of birth")
    return (
        Assessment.objects.count(),
        (link.completed_at, link.revoked_at),
        unexplained_attempts,
        _link_events(link, "patient link verified"),
        _dave_link(world),
    )


def _verified(world, before, after) -> None:
    assert after[:3] == before[:3] and after[4] == before[4]
    assert after[3] == before[3] + 1, "the verification is audited, once"


def _confirm(client, world) -> None:
    response = client.post(reverse("selfreport:start", kwargs={"token": world.token}), _dob(world))
    assert response.status_code == 302, "the link holder confirmed the date of birth"


def _fresh_link_if_used(client, world) -> None:
    """After an accepted form the link is used up: give the patient a new one and confirm it."""
    RateCounter.objects.all().delete()
    world.link.refresh_from_db()
    if world.link.state != LinkState.WAITING:
        world.link, world.token = patient_link_issue(request=None, patient=world.patient, created_by=world.alice)
        _confirm(client, world)


def _latest_submission_id() -> str:
    # A submission id already used by an earlier form: refused, records nothing.
    used = Assessment.objects.order_by("pk").values_list("submission_id", flat=True).last()
    return str(used or "00000000-0000-0000-0000-000000000000")


def _answers_data(world) -> st.SearchStrategy[dict]:
    fresh = st.uuids().map(str)
    fields = {
        "submission_id": st.one_of(fresh, fresh, fresh, st.builds(_latest_submission_id)),
        **{item.key: st.sampled_from(item.legal_values).map(str) for item in SOWS.items},
        "last_use": st.sampled_from([key for key, _label in PATIENT_CHOICES]),
    }
    return form_data(fields, smuggled=(*SMUGGLED_FIELDS, "instrument", "token"), foreign=hillcrest_ids(world))


def _answers_state(world) -> tuple:
    return (
        Assessment.objects.count(),
        audited(Action.CREATE, "assessments.assessment"),
        PatientLink.objects.filter(completed_at__isnull=False).count(),
        AuditEvent.objects.filter(object_type=LINK, detail="patient link submitted").count(),
        _dave_link(world),
    )


def _submitted(world, before, after) -> None:
    assert after[:4] == tuple(n + 1 for n in before[:4]), "assessment, link and both events, together"
    assert after[4] == before[4], "Hillcrest's link is untouched"
    newest = Assessment.objects.select_related("patient_link").latest("pk")
    assert newest.patient_id == world.patient.pk and newest.instrument == "SOWS" and newest.entered_by_id is None
    assert newest.patient_link.pk == world.link.pk


TARGETS = [
    FormTarget(
        name="patient_link_issue",
        url=lambda w: reverse("selfreport:link_issue", kwargs={"patient_pk": w.patient.pk}),
        actor="alice",
        data=lambda w: form_data(
            {
                "instrument": st.sampled_from(["SOWS", "SOWS_GOSSOP", "COWS"]),
                "valid_hours": st.integers(-1, 200).map(str),
            },
            foreign=hillcrest_ids(w),
        ),
        state=_issue_state,
        # The new link is shown in the answer to the POST itself (its token is stored nowhere).
        saved=lambda response: response.status_code == 200 and b"only time the link is shown" in response.content,
        check_saved=_issued,
        baseline=lambda w: {"instrument": "SOWS_GOSSOP", "valid_hours": "72"},
    ),
    FormTarget(
        name="patient_link_email",
        url=lambda w: reverse("selfreport:link_email", kwargs={"patient_pk": w.patient.pk, "pk": w.link.pk}),
        actor="alice",
        prepare=_with_email,
        data=lambda w: form_data({"token": st.sampled_from([w.token, w.dave_token])}, foreign=hillcrest_ids(w)),
        state=_email_state,
        check_saved=_emailed,
        baseline=lambda w: {"token": w.token},
        max_examples=20,
    ),
    FormTarget(
        name="patient_link_revoke",
        url=lambda w: reverse("selfreport:link_revoke", kwargs={"patient_pk": w.patient.pk, "pk": w.link.pk}),
        actor="alice",
        before_each=_unrevoke,
        data=lambda w: form_data({"confirm": st.just("on")}, foreign=hillcrest_ids(w)),
        state=_revoke_state,
        check_saved=_revoked,
        max_examples=20,
    ),
    FormTarget(
        name="patient_dob_confirm",
        url=lambda w: reverse("selfreport:start", kwargs={"token": w.token}),
        before_each=_reset_dob_attempts,
        data=_dob_data,
        state=_dob_state,
        check_saved=_verified,
        baseline=_dob,
    ),
    FormTarget(
        name="patient_form",
        url=lambda w: reverse("selfreport:form"),
        prepare=_confirm,
        before_each=_fresh_link_if_used,
        data=_answers_data,
        state=_answers_state,
        check_saved=_submitted,
        baseline=lambda w: (
            {"submission_id": "8d1f6c1e-7c8b-4b55-9a53-5b1cbb0f7c3a"} | {item.key: "1" for item in SOWS.items}
        ),
    ),
]
