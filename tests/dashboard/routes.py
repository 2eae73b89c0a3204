from tests.matrix import PATIENT_STAFF, Route

ROUTES = [
    Route("dashboard:index", allowed=PATIENT_STAFF),
]
