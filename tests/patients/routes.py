from tests.matrix import PATIENT_STAFF, Route

ROUTES = [
    Route("patients:list", allowed=PATIENT_STAFF),
]
