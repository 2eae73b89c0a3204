"""The accounts forms, for the fuzzer in tests/security/fuzz.py."""

from __future__ import annotations

from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import strategies as st

from clinic.accounts.models import Role, User
from clinic.audit.models import Action, AuditEvent
from tests.conftest import PASSWORD
from tests.security.fuzz import FormTarget, form_data, hostile_text
from tests.security.helpers import enrol, password_sign_in

ROLES = st.sampled_from(Role.values)
GOOD_PASSWORD = st.just("a-long-enough-passphrase")


def _staff_state(world):
    return (User.objects.count(), AuditEvent.objects.filter(action=Action.CREATE, object_type="accounts.user").count())


def _staff_created(world, before, after):
    assert after == (before[0] + 1, before[1] + 1), "a new staff member and its audit event, together"
    newest = User.objects.latest("id")
    assert newest.clinic_id == world.carol.clinic_id and not newest.is_superuser and not newest.is_staff


def _alice_row(world):
    return (
        User.objects.filter(pk=world.alice.pk)
        .values("first_name", "last_name", "email", "role", "is_active", "clinic_id", "username", "is_superuser")
        .get()
    )


def _alice_updated(world, before, after):
    assert (after["clinic_id"], after["username"], after["is_superuser"]) == (
        before["clinic_id"],
        before["username"],
        before["is_superuser"],
    )


@st.composite
def _password_change(draw):
    new = draw(st.one_of(GOOD_PASSWORD, hostile_text()))
    again = draw(st.one_of(st.just(new), hostile_text()))
    base = draw(form_data({"old_password": st.one_of(st.just(PASSWORD), hostile_text())}))
    extra = draw(st.fixed_dictionaries({}, optional={"new_password1": st.just(new), "new_password2": st.just(again)}))
    return base | extra


def _password_state(world):
    return User.objects.values_list("password", flat=True).get(pk=world.alice.pk)


def _password_changed(world, before, after):
    assert after != before
    assert AuditEvent.objects.filter(action=Action.UPDATE, detail__startswith="password changed").exists()


def _second_factor_state(world):
    return (
        TOTPDevice.objects.filter(user=world.alice, confirmed=True).count(),
        StaticToken.objects.filter(device__user=world.alice).count(),
    )


def _half_signed_in(client, world):
    enrol(world.alice)
    password_sign_in(client, "alice")


TARGETS = [
    FormTarget(
        name="sign_in",
        url=lambda w: reverse("login"),
        data=form_data({"username": st.sampled_from(["alice", "bob", "ALICE"]), "password": hostile_text()}),
        state=lambda w: AuditEvent.objects.filter(action=Action.SIGN_IN).count(),
        baseline=lambda w: {"username": "alice", "password": "not-her-password"},
    ),
    FormTarget(
        name="staff_invite",
        url=lambda w: reverse("staff_invite"),
        actor="carol",
        data=form_data(
            {
                "first_name": hostile_text(),
                "last_name": hostile_text(),
                "email": st.emails(),
                "role": ROLES,
            }
        ),
        state=_staff_state,
        check_saved=_staff_created,
        baseline=lambda w: {
            "first_name": "Sam",
            "last_name": "Sweep",
            "email": "sam@example.org",
            "role": "clinician",
        },
    ),
    FormTarget(
        name="staff_update",
        url=lambda w: reverse("staff_update", args=[w.alice.pk]),
        actor="carol",
        data=form_data(
            {
                "first_name": hostile_text(),
                "last_name": hostile_text(),
                "email": st.emails(),
                "role": ROLES,
                "is_active": st.sampled_from(["on", ""]),
                "confirmed": st.sampled_from(["yes", ""]),
            }
        ),
        state=_alice_row,
        check_saved=_alice_updated,
        baseline=lambda w: {
            "first_name": "Alice",
            "last_name": "Moreno",
            "email": "",
            "role": "clinician",
            "is_active": "on",
        },
    ),
    FormTarget(
        name="password_change",
        url=lambda w: reverse("password_change"),
        actor="alice",
        data=_password_change(),
        state=_password_state,
        check_saved=_password_changed,
        baseline=lambda w: {
            "old_password": PASSWORD,
            "new_password1": "tulip-kettle-9",
            "new_password2": "tulip-kettle-9",
        },
    ),
    FormTarget(
        name="two_factor_verify",
        url=lambda w: reverse("two_factor_verify"),
        prepare=_half_signed_in,
        data=form_data({"code": st.from_regex(r"[0-9]{6}|[a-z2-7]{8}", fullmatch=True), "next": hostile_text()}),
        state=_second_factor_state,
        baseline=lambda w: {"code": "zzzz9999", "next": "/patients/"},
    ),
    FormTarget(
        name="two_factor_enrol",
        url=lambda w: reverse("two_factor_enrol"),
        actor="alice",
        data=form_data({"code": st.from_regex(r"[0-9]{6}", fullmatch=True), "next": hostile_text()}),
        state=_second_factor_state,
        saved=lambda response: b"Your recovery codes" in response.content,
        check_saved=lambda w, before, after: after == (1, 10),
        baseline=lambda w: {"code": "000000", "next": "/patients/"},
    ),
]
