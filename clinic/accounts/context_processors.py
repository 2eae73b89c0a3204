"""The navigation bar for the signed-in user's role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from clinic.accounts.middleware import second_factor_pending
from clinic.accounts.navigation import nav_items


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.role:
        return {"nav_items": []}
    if hasattr(user, "is_verified") and second_factor_pending(
        request
    ):  # nothing to navigate to before the second factor
        return {"nav_items": [], "second_factor_pending": True}
    items = []
    for item in nav_items():  # each app registers its own (clinic.accounts.navigation)
        if user.role not in item.roles:
            continue
        url = reverse(item.url_name)  # checked at start-up (accounts.E010)
        items.append({"url": url, "label": item.label, "active": request.path.startswith(url)})
    return {"nav_items": items}
