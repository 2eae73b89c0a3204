"""The navigation bar for the signed-in user's role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from clinic.accounts.middleware import second_factor_pending
from clinic.accounts.models import Role

# (url name, label, roles that see it). Apps add their entries here as they land.
NAV_ITEMS: list[tuple[str, str, frozenset[str]]] = [
    ("dashboard:index", "Dashboard", frozenset({Role.SUPERVISOR, Role.CLINICIAN})),
    ("patients:list", "Patients", frozenset({Role.CLINICIAN, Role.SUPERVISOR})),
    ("guidance:index", "Guidance", frozenset(Role)),
    ("audit:list", "Audit trail", frozenset({Role.SUPERVISOR, Role.CLINIC_ADMIN})),
    ("staff_list", "Staff", frozenset({Role.CLINIC_ADMIN})),
    ("lockout_list", "Lockouts", frozenset({Role.SUPERVISOR, Role.CLINIC_ADMIN})),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.role:
        return {"nav_items": []}
    if hasattr(user, "is_verified") and second_factor_pending(
        request
    ):  # nothing to navigate to before the second factor
        return {"nav_items": [], "second_factor_pending": True}
    items = []
    for name, label, roles in NAV_ITEMS:
        if user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # the app that owns it has not landed yet
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return {"nav_items": items}
