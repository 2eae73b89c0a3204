"""Reads of patient data, always scoped to the acting user's clinic.

This is the one place that decides which patients a user can reach. Views never filter
Patient.objects themselves: they start here, and anything outside is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from clinic.audit.models import Action, AuditEvent
from clinic.patients import list_options
from clinic.patients import safety as rules
from clinic.patients.models import Patient, UseReport, Visit


def patients_visible_to(user) -> QuerySet[Patient]:
    """Every patient of the user's clinic for clinicians and supervisors; nothing for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.sees_patients:
        return Patient.objects.none()
    return Patient.objects.filter(clinic_id=user.clinic_id)


def patient_get_for_user(user, pk: int) -> Patient:
    """The patient with this id if the user may reach it; Http404 otherwise."""
    return get_object_or_404(patients_visible_to(user).select_related("assigned_clinician"), pk=pk)


def _latest_of_patient(queryset: QuerySet, order_field: str, value: str) -> Subquery:
    """A per-patient subquery: `value` of the newest row by `order_field`."""
    return Subquery(queryset.filter(patient=OuterRef("pk")).order_by(f"-{order_field}", "-pk").values(value)[:1])


class ListSort:
    NAME = "name"
    RECENT = "recent"  # last contact, most recent first
    OLDEST = "oldest"  # last contact, longest ago first (never seen comes first)
    # Other apps add sorts of their own (clinic.patients.list_options), e.g. "cows".


def patients_for_list(
    user,
    *,
    search: str = "",
    status: str = "",
    clinician: str | int = "all",
    sort: str = ListSort.NAME,
    safety: str = "",
    **filters: str,
) -> QuerySet[Patient]:
    """The patient list: visible patients filtered and sorted, in a fixed number of queries.

    Each patient carries `last_contact` (the time of the latest visit) and `latest_use_report_id`
    as annotations, so neither costs a query per row. `clinician` is "all", "mine", "none"
    (unassigned) or a staff id; the caller validates it. `filters` are the values of the filters
    other apps registered (clinic.patients.list_options), by name, e.g. severity="moderate".
    Every patient carries the safety rules' annotations (clinic.patients.safety, in the same
    statement); `safety` keeps those shown for one rule key, or for any rule of "level:<level>"
    (shown: holding and not acknowledged for its current fact).
    """

    patients = patients_visible_to(user).select_related("assigned_clinician", *list_options.related())
    if search:
        patients = patients.filter(Q(name__icontains=search) | Q(record_number__icontains=search))
    if status:
        patients = patients.filter(status=status)
    if clinician == "mine":
        patients = patients.filter(assigned_clinician_id=user.pk)
    elif clinician == "none":
        patients = patients.filter(assigned_clinician__isnull=True)
    elif clinician != "all":
        patients = patients.filter(assigned_clinician_id=clinician)
    for list_filter in list_options.filters():
        if value := filters.pop(list_filter.name, ""):
            patients = list_filter.apply(patients, value)
    if filters:
        raise TypeError(f"patients_for_list() got unknown filters: {sorted(filters)}")
    patients = patients.annotate(
        last_contact=_latest_of_patient(Visit.objects.all(), "occurred_at", "occurred_at"),
        latest_use_report_id=_latest_of_patient(UseReport.objects.all(), "recorded_at", "pk"),
    )
    patients = rules.with_rules(patients)
    if safety.startswith("level:"):
        patients = patients.filter(rules.shown_any(rules.rules(level=safety.removeprefix("level:"))))
    elif safety:
        patients = patients.filter(rules.shown(safety))
    if sort == ListSort.RECENT:
        return patients.order_by(F("last_contact").desc(nulls_last=True), "name", "pk")
    if sort == ListSort.OLDEST:
        return patients.order_by(F("last_contact").asc(nulls_first=True), "name", "pk")
    for option in list_options.sorts():
        if sort == option.key:
            return patients.order_by(*option.order_by(), "name", "pk")
    return patients.order_by("name", "pk")


def use_reports_by_id(ids: Iterable[int | None]) -> dict[int, UseReport]:
    """The use reports with these ids, in one query.

    Pass ids that came from a scoped query (`latest_use_report_id` of patients_for_list rows).
    """
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    return {report.pk: report for report in UseReport.objects.filter(pk__in=wanted)}


def visit_get_for_user(user, patient_pk: int, pk: int) -> Visit:
    """A visit of a patient the user may reach; Http404 otherwise."""
    return get_object_or_404(
        Visit.objects.select_related("patient", "clinician").filter(patient__in=patients_visible_to(user)),
        patient_id=patient_pk,
        pk=pk,
    )


def last_saved_by(patient: Patient) -> AuditEvent | None:
    """The audit event of the patient record's latest save (who and when), if the trail has one."""
    return (
        AuditEvent.objects.filter(
            clinic_id=patient.clinic_id,
            object_type="patients.patient",
            object_id=str(patient.pk),
            action__in=[Action.CREATE, Action.UPDATE],
        )
        .select_related("actor")
        .first()
    )
