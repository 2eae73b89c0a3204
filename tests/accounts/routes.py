from axes.models import AccessAttempt

from tests.matrix import CLINIC_ADMIN, OVERSIGHT, STAFF, Route


def setup_world(world) -> None:
    # Alice mistyped her password at the clinic: a failed-sign-in record a supervisor may clear.
    world.alice_attempt = AccessAttempt.objects.create(
        username="alice",
        ip_address="10.0.0.7",
        user_agent="test",
        http_accept="*/*",
        path_info="/sign-in/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    # A password reset link for Alice, as if she had asked for one.
    from clinic.accounts.invitations import _link_issue
    from clinic.accounts.models import AccountLinkPurpose

    _, world.reset_token = _link_issue(user=world.alice, purpose=AccountLinkPurpose.PASSWORD_RESET, created_by=None)


ROUTES = [
    Route("home", allowed=STAFF),
    Route("login", public=True),
    Route("logout", method="POST", allowed=STAFF, signs_out=True),
    Route("account", allowed=STAFF),
    Route("keep_alive", method="POST", allowed=STAFF),
    Route("password_change", allowed=STAFF),
    Route(
        "password_change",
        method="POST",
        allowed=STAFF,
        data=lambda w: {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    ),
    Route("two_factor_verify", allowed=STAFF),
    Route("two_factor_verify", method="POST", allowed=STAFF, data=lambda w: {"code": "123456"}),
    Route("two_factor_enrol", allowed=STAFF),
    Route("two_factor_enrol", method="POST", allowed=STAFF, data=lambda w: {"code": "000000"}),
    Route("recovery_codes_new", method="POST", allowed=STAFF),
    Route("staff_list", allowed={CLINIC_ADMIN}),
    Route("staff_invite", allowed={CLINIC_ADMIN}),
    Route(
        "staff_invite",
        method="POST",
        allowed={CLINIC_ADMIN},
        data=lambda w: {"first_name": "Frank", "email": "frank@riverside.example", "role": "clinician"},
    ),
    Route("staff_update", allowed={CLINIC_ADMIN}, kwargs=lambda w: {"pk": w.alice.pk}),
    Route(
        "staff_update",
        method="POST",
        allowed={CLINIC_ADMIN},
        kwargs=lambda w: {"pk": w.alice.pk},
        data=lambda w: {"first_name": "Alice", "last_name": "M", "email": "", "role": "clinician", "is_active": "on"},
    ),
    Route("staff_two_factor_reset", allowed={CLINIC_ADMIN}, kwargs=lambda w: {"pk": w.alice.pk}),
    Route(
        "staff_two_factor_reset",
        method="POST",
        allowed={CLINIC_ADMIN},
        kwargs=lambda w: {"pk": w.alice.pk},
        data=lambda w: {"confirm": "on"},
    ),
    Route("staff_reset_link", allowed={CLINIC_ADMIN}, kwargs=lambda w: {"pk": w.alice.pk}),
    Route(
        "staff_reset_link",
        method="POST",
        allowed={CLINIC_ADMIN},
        kwargs=lambda w: {"pk": w.alice.pk},
        data=lambda w: {"confirm": "on"},
    ),
    Route("password_forgot", public=True),
    Route("password_forgot", method="POST", public=True),
    Route("password_set", public=True, kwargs=lambda w: {"token": w.reset_token}),
    Route("password_set", method="POST", public=True, kwargs=lambda w: {"token": w.reset_token}),
    Route("lockout_list", allowed=OVERSIGHT),
    Route("lockout_unlock", method="POST", allowed=OVERSIGHT, kwargs=lambda w: {"pk": w.alice_attempt.pk}),
]
