from tests.matrix import PATIENT_STAFF, Route

# The lists and their CSV open on "in care" when no number is named; filters are query strings.
ROUTES = [
    Route("dashboard:index", allowed=PATIENT_STAFF),
    Route("dashboard:patients", allowed=PATIENT_STAFF),
    Route("dashboard:patients_csv", allowed=PATIENT_STAFF),
]
