from tests.matrix import PATIENT_STAFF, Route

ROUTES = [
    Route("patients:list", allowed=PATIENT_STAFF),
    Route("patients:detail", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
]
