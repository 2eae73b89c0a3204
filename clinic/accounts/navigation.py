"""The navigation bar's entries. Each app registers its own from its `AppConfig.ready()`.

Accounts sits below every app that has a page, so it never names their URLs: an app calls

    register_nav(NavItem("patients:list", "Patients", roles=frozenset({Role.CLINICIAN}), order=20))

and the bar shows the entries a role may see, by `order`. An entry whose URL does not reverse,
or one registered twice, stops `manage.py check` and so every start (the `accounts.E010` check):
a mistake is never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.checks import Error
from django.core.checks import register as register_check
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str]
    order: int  # place in the bar, smallest first


_ITEMS: dict[str, NavItem] = {}
_MISTAKES: list[str] = []


def register_nav(item: NavItem) -> NavItem:
    if item.url_name in _ITEMS:
        _MISTAKES.append(f"The navigation entry {item.url_name!r} is registered twice.")
    else:
        _ITEMS[item.url_name] = item
    return item


def nav_items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: item.order)


@register_check()
def check_navigation(app_configs=None, **kwargs) -> list[Error]:
    errors = [Error(mistake, id="accounts.E010") for mistake in _MISTAKES]
    for item in _ITEMS.values():
        try:
            reverse(item.url_name)
        except NoReverseMatch:
            errors.append(Error(f"The navigation entry {item.url_name!r} names no URL.", id="accounts.E010"))
        if not item.roles:
            errors.append(Error(f"The navigation entry {item.url_name!r} is shown to no role.", id="accounts.E010"))
    return errors
