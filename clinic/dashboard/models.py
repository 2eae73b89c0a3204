from __future__ import annotations

from django.db import models


class PatientActivity(models.Model):
    """The latest visit, use report, patient link and open taper review of one patient.

    The dashboard reads this one row per patient instead of each patient's histories, so its
    counts stay cheap at clinic scale. Database triggers (migration 0002) keep it up to date in
    the same transaction as every insert, update or delete of a visit, use report, patient link,
    taper plan or review date, whichever code makes it: nothing in Python writes it. A patient
    with none of these has no row.

    Only facts are kept here; the rules that read them (what is "silent", which substances are
    depressants, when a link has lapsed) stay in clinic/dashboard/selectors.py.
    """

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, primary_key=True, related_name="activity"
    )
    last_visit_at = models.DateTimeField(null=True)
    follow_up_due = models.DateField(null=True)  # next_follow_up of the latest visit
    latest_use_report = models.ForeignKey(
        "patients.UseReport",
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    latest_link = models.ForeignKey(
        "selfreport.PatientLink",
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    review_due = models.DateField(null=True)  # earliest review date not yet held, of an open taper plan

    class Meta:
        verbose_name_plural = "patient activity"

    def __str__(self) -> str:
        return f"Activity of patient {self.patient_id}"
