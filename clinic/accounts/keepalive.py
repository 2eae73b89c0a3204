"""Staying signed in on purpose: the idle warning's "Stay signed in" and what the script needs.

The script (static/js/steady.js) warns a few minutes before the idle limit. Its button POSTs
here; the request itself is the activity that SessionLifetimeMiddleware records, so this view
only answers. The absolute limit still applies: staying active never outlasts it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from clinic.accounts.access import staff_required


@staff_required
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"idle_seconds": settings.SESSION_IDLE_SECONDS})


def session_policy(request: HttpRequest) -> dict:
    """The idle limit, for the warning script's data attributes in base.html."""
    return {"session_idle_seconds": settings.SESSION_IDLE_SECONDS}
