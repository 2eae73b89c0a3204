"""A dashboard list as CSV: one row per patient, the columns the list page shows."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from clinic.dashboard.selectors import Row
from clinic.lib.spreadsheet import safe_cell

HEADER = [
    "record_number",
    "name",
    "status",
    "clinician",
    "latest_cows_total",
    "latest_cows_band",
    "last_contact",
    "needs_attention",
]


def _when(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def _referrals(row: Row) -> str:
    parts = []
    for referral in row.referrals:
        text = f"{referral.provider.name}: {referral.get_status_display()}"
        if referral.sent_at:
            text += f", sent {_when(referral.sent_at)[:10]}"
        if referral.attended_at:
            text += f", attended {_when(referral.attended_at)[:10]}"
        parts.append(text)
    return "; ".join(parts)


def rows_csv(rows: list[Row], *, with_referrals: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER + (["referrals"] if with_referrals else []))
    for row in rows:
        patient, summary = row.patient, row.summary
        cells = [
            patient.record_number,
            patient.name,
            patient.get_status_display(),
            patient.assigned_clinician.display_name if patient.assigned_clinician else "",
            summary.latest_cows_total if summary and summary.latest_cows_total is not None else "",
            summary.latest_cows_band_label if summary else "",
            _when(row.last_contact),
            "; ".join(f"{reason.text} ({_when(reason.at)[:10]})" for reason in row.reasons),
        ]
        if with_referrals:
            cells.append(_referrals(row))
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()
