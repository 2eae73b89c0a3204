"""The assessments app's part of the printable patient summary: the latest score of each instrument."""

from __future__ import annotations

from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import Assessment
from clinic.patients.models import Patient
from clinic.patients.summary import SummaryPart


def scores_part(patient: Patient) -> SummaryPart:
    """For each instrument, its latest total with its band (as declared) and when it was taken."""
    latest: dict[str, Assessment] = {}
    # Newest first: the first row of each instrument is its latest. One query.
    for assessment in Assessment.objects.filter(patient=patient).order_by("-taken_at", "-pk"):
        latest.setdefault(assessment.instrument, assessment)
    rows = []
    for code, instrument in INSTRUMENTS.items():
        assessment = latest.get(code)
        if assessment is None:
            continue
        band = instrument.band_for(assessment.total) if instrument.bands else None
        rows.append({"instrument": instrument, "assessment": assessment, "band": band})
    return SummaryPart(template="assessments/_summary_scores.html", context={"scores": rows})
