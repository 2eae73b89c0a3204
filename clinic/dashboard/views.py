from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from clinic.accounts.access import patient_staff_required
from clinic.assessments.charts import weekly_bar_chart
from clinic.assessments.instruments import COWS
from clinic.audit.services import Action, audit_record
from clinic.dashboard import export
from clinic.dashboard.forms import DashboardFilterForm, Filters, parse_week
from clinic.dashboard.selectors import (
    ATTENTION_REASONS,
    COUNTED,
    LISTED_ONLY,
    METRICS,
    WEEK_METRIC,
    Metric,
    Moment,
    assessments_per_week,
    attention_preview,
    clinicians_for_dashboard,
    dashboard_patients,
    metric_for,
    moment_at,
    patient_counts,
    patients_for_metric,
    referral_status_counts,
    referral_times,
    rows_for,
)
from clinic.guidance.models import ReferralStatus
from clinic.patients import safety
from clinic.patients.models import PatientStatus

LIST_PAGE_SIZE = 50


@dataclass(frozen=True)
class Cell:
    """One number of the dashboard, what it counts, and the list of patients behind it.

    It renders itself as the link (a page holds a couple of hundred of them; an include each
    would cost more than all the rest of the template).
    """

    label: object
    count: int
    url: str
    about: str = ""  # words for screen readers after the number, e.g. "patients: Silent for 7 days"

    def __html__(self) -> str:
        return format_html(
            '<a class="dashboard-number" href="{}">{}<span class="visually-hidden"> {}</span></a>',
            self.url,
            self.count,
            self.about or f"patients: {self.label}",
        )

    def __str__(self) -> str:
        return self.__html__()


@dataclass
class Context:
    """What every dashboard page starts from: the filters, the moment and the patients in scope."""

    form: DashboardFilterForm
    filters: Filters
    moment: Moment
    clinicians: list
    scope_label: str

    def list_url(self, metric: str, *, csv: bool = False, **extra) -> str:
        query = {"metric": metric, **self.filters.query(), **{k: str(v) for k, v in extra.items()}}
        return (_csv_path() if csv else _list_path()) + "?" + urlencode(query)


@lru_cache
def _list_path() -> str:
    return reverse("dashboard:patients")


@lru_cache
def _csv_path() -> str:
    return reverse("dashboard:patients_csv")


def _context(request: HttpRequest) -> Context:
    user = request.user
    clinicians = clinicians_for_dashboard(user)
    form = DashboardFilterForm(request.GET, user=user, clinicians=clinicians)
    filters = form.filters()
    if user.is_clinician:
        scope = "Your caseload"
    elif filters.clinician == "all":
        scope = f"The whole clinic ({user.clinic.name})"
    elif filters.clinician == "none":
        scope = "Patients with no clinician assigned"
    else:
        chosen = next((c for c in clinicians if c.pk == filters.clinician), None)
        scope = f"{chosen.display_name}’s caseload" if chosen else "Caseload"
    return Context(form, filters, moment_at(filters.dates), clinicians, scope)


def _patients(request: HttpRequest, ctx: Context):
    return dashboard_patients(request.user, clinician=ctx.filters.clinician)


@patient_staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    patients = _patients(request, ctx)
    counts = patient_counts(patients, ctx.moment)
    preview = attention_preview(patients, ctx.moment)
    referral_counts = referral_status_counts(patients)
    times = referral_times(patients, ctx.moment)
    weeks = assessments_per_week(patients, ctx.filters.dates)
    audit_record(request=request, action=Action.VIEW, detail="dashboard")

    total = counts.total
    links = {key: ctx.list_url(key) for key in (*COUNTED, *LISTED_ONLY)}

    def cells(keys, about: str = "patients: ") -> list[Cell]:
        return [Cell(METRICS[key].label, total[key], links[key], about + METRICS[key].label) for key in keys]

    context = {
        "ctx": ctx,
        "form": ctx.form,
        "total": total,
        "links": links,
        "patients": cells(["in_care", "new_week", "new_range"]),
        "statuses": cells((f"status_{value}" for value in PatientStatus.values), "patients with status "),
        "bands": cells(_band_keys(), "patients, latest COWS "),
        "reasons": [
            (cell, safety.rule(cell_key).level_label)
            for cell_key, cell in zip(
                [r.key for r in ATTENTION_REASONS], cells(r.key for r in ATTENTION_REASONS), strict=True
            )
        ],
        "preview": preview,
        "referral_counts": [
            Cell(label, referral_counts[value], links[f"referral_{value}"], f"referrals: {label}")
            for value, label in ReferralStatus.choices
        ],
        "referral_total": sum(referral_counts.values()),
        "times": times,
        "chart": weekly_bar_chart(weeks, title="Assessments per week"),
        "weeks": [
            Cell(
                monday,
                n,
                ctx.list_url(WEEK_METRIC, week=monday.isoformat()),
                f"assessments in the week of {date_format(monday, 'j M Y')}",
            )
            for monday, n in weeks
        ],
        "caseload_columns": [METRICS[key].label for key in CASELOAD_COLUMNS],
        "caseload": _caseload(ctx, counts) if request.user.is_supervisor else None,
    }
    return render(request, "dashboard/index.html", context)


def _band_keys() -> list[str]:
    return [f"band_{band.key}" for band in reversed(COWS.bands)] + ["band_below_mild", "band_none"]


CASELOAD_COLUMNS = ["in_care", "new_week", "attention", "attention_silent", "attention_follow_up"]


def _caseload(ctx: Context, counts) -> list[dict]:
    """One row per clinician (and one for the unassigned) with the numbers of their patients."""
    empty = dict.fromkeys(CASELOAD_COLUMNS, 0)
    if ctx.filters.clinician == "all":
        people = [(c.pk, c.display_name) for c in ctx.clinicians if c.is_active or c.pk in counts.by_clinician]
        people.append((None, "No clinician assigned"))
    elif ctx.filters.clinician == "none":
        people = [(None, "No clinician assigned")]
    else:
        people = [(c.pk, c.display_name) for c in ctx.clinicians if c.pk == ctx.filters.clinician]
    rows = []
    for pk, name in people:
        numbers = counts.by_clinician.get(pk, empty)
        chosen = "none" if pk is None else pk
        rows.append(
            {
                "name": name,
                "cells": [
                    Cell(
                        METRICS[key].label,
                        numbers[key],
                        _with_clinician(ctx, key, chosen),
                        f"patients of {name}: {METRICS[key].label}",
                    )
                    for key in CASELOAD_COLUMNS
                ],
            }
        )
    return rows


def _with_clinician(ctx: Context, metric: str, clinician) -> str:
    query = {"metric": metric, **ctx.filters.query(), "clinician": str(clinician)}
    return _list_path() + "?" + urlencode(query)


def _metric(request: HttpRequest) -> Metric:
    key = request.GET.get("metric") or "in_care"
    try:
        return metric_for(key, week=parse_week(request.GET.get("week")))
    except KeyError:
        raise Http404("No such number on the dashboard.") from None


@patient_staff_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    """The patients behind one number of the dashboard, with the same filters, a page at a time."""
    ctx = _context(request)
    metric = _metric(request)
    patients = patients_for_metric(_patients(request, ctx), ctx.moment, metric)
    page = Paginator(patients, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = rows_for(list(page), ctx.moment, metric)
    audit_record(request=request, action=Action.VIEW, detail=f"dashboard list {metric.key}, page {page.number}")
    extra = {"week": request.GET["week"]} if metric.key == WEEK_METRIC else {}
    return render(
        request,
        "dashboard/patient_list.html",
        {
            "ctx": ctx,
            "form": ctx.form,
            "metric": metric,
            "page": page,
            "rows": rows,
            "csv_url": ctx.list_url(metric.key, csv=True, **extra),
            "dashboard_url": reverse("dashboard:index") + "?" + urlencode(ctx.filters.query()),
            "metric_key": metric.key,
            "week": extra.get("week", ""),
        },
    )


@patient_staff_required
@require_GET
def patient_list_csv(request: HttpRequest) -> HttpResponse:
    """The whole list behind one number as CSV. Audited as an export."""
    ctx = _context(request)
    metric = _metric(request)
    patients = list(patients_for_metric(_patients(request, ctx), ctx.moment, metric))
    rows = rows_for(patients, ctx.moment, metric)
    body = export.rows_csv(rows, with_referrals=metric.about_referrals)
    audit_record(request=request, action=Action.EXPORT, detail=f"dashboard list CSV {metric.key}, {len(rows)} patients")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(ctx.moment.now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="steady-{metric.key.replace("_", "-")}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
