"""Filters and sorts that other apps add to the patient list.

Patients sits below assessments, so it never names an instrument: an app that keeps per-patient
facts registers a filter (a form field over the list's query string) or a sort from its own
`AppConfig.ready()`. For example, assessments adds "Latest COWS":

    register_filter(ListFilter(name="severity", label="Latest COWS", choices=..., apply=...))
    register_sort(ListSortOption(key="cows", label="Latest COWS, highest first", order_by=...))

A mistake (a name registered twice, or one that clashes with the list's own fields) stops
`manage.py check` and so every start (the `patients.E020` system check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.checks import Error
from django.core.checks import register as register_check
from django.db.models import QuerySet

# The list's own query-string fields and sorts (clinic.patients.forms.PatientFilterForm).
CORE_FIELDS = frozenset({"q", "status", "clinician", "safety", "sort", "page"})
CORE_SORTS = frozenset({"name", "recent", "oldest"})


@dataclass(frozen=True)
class ListFilter:
    name: str  # the form field and query-string key
    label: str
    choices: Callable[[], list[tuple[str, str]]]  # the values offered, the first one "" (any)
    apply: Callable[[QuerySet, str], QuerySet]  # keeps the patients matching a non-empty value
    related: Sequence[str] = ()  # select_related paths the list's rows read


@dataclass(frozen=True)
class ListSortOption:
    key: str
    label: str
    order_by: Callable[[], Sequence]  # order_by() arguments; "name", "pk" are added after them
    related: Sequence[str] = ()


_FILTERS: dict[str, ListFilter] = {}
_SORTS: dict[str, ListSortOption] = {}
_MISTAKES: list[str] = []


def register_filter(list_filter: ListFilter) -> ListFilter:
    if list_filter.name in _FILTERS or list_filter.name in CORE_FIELDS:
        _MISTAKES.append(f"The patient list filter {list_filter.name!r} is registered twice.")
    else:
        _FILTERS[list_filter.name] = list_filter
    return list_filter


def register_sort(sort: ListSortOption) -> ListSortOption:
    if sort.key in _SORTS or sort.key in CORE_SORTS:
        _MISTAKES.append(f"The patient list sort {sort.key!r} is registered twice.")
    else:
        _SORTS[sort.key] = sort
    return sort


def filters() -> list[ListFilter]:
    return list(_FILTERS.values())


def sorts() -> list[ListSortOption]:
    return list(_SORTS.values())


def related() -> list[str]:
    """Every select_related path the registered filters and sorts need, once each."""
    return list(dict.fromkeys(path for option in [*_FILTERS.values(), *_SORTS.values()] for path in option.related))


@register_check()
def check_list_options(app_configs=None, **kwargs) -> list[Error]:
    errors = [Error(mistake, id="patients.E020") for mistake in _MISTAKES]
    for list_filter in _FILTERS.values():
        choices = list_filter.choices()
        if not choices or choices[0][0] != "":
            errors.append(
                Error(f"The patient list filter {list_filter.name!r} must offer '' (any) first.", id="patients.E020")
            )
    return errors
