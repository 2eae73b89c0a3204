"""Small helpers for views that show and take forms."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """What a POST submitted, even nothing at all; None for a GET, so the form starts unbound.

    `request.POST or None` takes an empty POST for a GET: the form comes back blank, with no word
    about what is missing.
    """
    return request.POST if request.method == "POST" else None
