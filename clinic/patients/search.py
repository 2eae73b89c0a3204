"""Finding a patient by name, record number or date of birth, and spotting a possible duplicate.

Both start from `patients_visible_to` (or the acting user's clinic), so nothing of another clinic
is ever found.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower, Replace

from clinic.patients.models import Patient
from clinic.patients.selectors import patients_visible_to

# Dates as clinicians type them: 1988-04-12, 04/12/1988 or 4/12/1988 (month first, as in the US).
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# What "the same record number in other spacing" ignores: spaces, hyphens, dots, slashes, underscores.
_RECORD_SEPARATORS = (" ", "-", ".", "/", "_")


def parse_date(text: str) -> dt.date | None:
    """The date a search term means, or None if it is not a date."""
    for pattern, order in ((_ISO, (0, 1, 2)), (_US, (2, 0, 1))):
        match = pattern.match(text)
        if match:
            parts = match.groups()
            try:
                return dt.date(int(parts[order[0]]), int(parts[order[1]]), int(parts[order[2]]))
            except ValueError:
                return None
    return None


def compact_record_number(text: str) -> str:
    """A record number without case or separators: "R 0100" and "r-0100" compact alike."""
    text = text.lower()
    for separator in _RECORD_SEPARATORS:
        text = text.replace(separator, "")
    return text


def _compact_record_number_column():
    expression = Lower("record_number")
    for separator in _RECORD_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def patients_search(user, query: str) -> QuerySet[Patient]:
    """Patients of the user's clinic matching every word of `query`, by name, record number or DOB.

    A word that is a date matches the date of birth; any other word matches part of the name or
    of the record number (ignoring case and separators). An empty query finds nobody.
    """
    words = query.split()
    if not words:
        return Patient.objects.none()
    patients = patients_visible_to(user).annotate(record_compact=_compact_record_number_column())
    for word in words[:6]:
        born = parse_date(word)
        if born is not None:
            patients = patients.filter(date_of_birth=born)
            continue
        condition = Q(name__icontains=word) | Q(record_number__icontains=word)
        compact = compact_record_number(word)
        if compact:
            condition |= Q(record_compact__contains=compact)
        patients = patients.filter(condition)
    return patients.select_related("assigned_clinician").order_by("name", "pk")


def possible_duplicates(*, clinic_id: int, name: str, date_of_birth: dt.date | None, record_number: str):
    """Patients of this clinic who may be the person being registered.

    The same name (ignoring case and spacing) and date of birth, or the same record number in
    other case or spacing. The caller passes the acting user's own clinic.
    """
    condition = Q(pk__in=[])
    if name and date_of_birth is not None:
        condition |= Q(name__iexact=" ".join(name.split()), date_of_birth=date_of_birth)
    compact = compact_record_number(record_number or "")
    if compact:
        condition |= Q(record_compact=compact)
    return (
        Patient.objects.filter(clinic_id=clinic_id)
        .annotate(record_compact=_compact_record_number_column())
        .filter(condition)
        .select_related("assigned_clinician")
        .order_by("name", "pk")
    )
