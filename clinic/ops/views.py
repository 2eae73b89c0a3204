from __future__ import annotations

import logging

from django.db import Error, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Whether this app server and its database answer. Public: it says nothing about patients.

    A load balancer takes a server out of rotation on 503 and back in on 200.
    """
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error as error:  # OperationalError, or InterfaceError for a closed connection
        # The error text may name hosts or users; the log only needs its kind.
        logger.warning("health check: database unavailable (%s)", type(error).__name__)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
