from tests.matrix import CLINIC_ADMIN, STAFF, Route

ROUTES = [
    Route("home", allowed=STAFF),
    Route("login", public=True),
    Route("logout", method="POST", allowed=STAFF, signs_out=True),
    Route("staff_list", allowed={CLINIC_ADMIN}),
    Route("staff_create", allowed={CLINIC_ADMIN}),
    Route(
        "staff_create",
        method="POST",
        allowed={CLINIC_ADMIN},
        data=lambda w: {"username": "newperson", "role": "clinician", "password": "a-long-enough-passphrase"},
    ),
    Route("staff_update", allowed={CLINIC_ADMIN}, kwargs=lambda w: {"pk": w.alice.pk}),
    Route(
        "staff_update",
        method="POST",
        allowed={CLINIC_ADMIN},
        kwargs=lambda w: {"pk": w.alice.pk},
        data=lambda w: {"first_name": "Alice", "last_name": "M", "email": "", "role": "clinician", "is_active": "on"},
    ),
]
