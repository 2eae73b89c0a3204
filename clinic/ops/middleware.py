"""One log line per request, safe to keep: no query strings, no tokens, no patient data."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("steady.request")

# The load balancer asks every few seconds; a healthy answer is not worth a line.
QUIET_ROUTES = {"healthz"}


def loggable_path(request: HttpRequest) -> str:
    """The request path with every non-numeric URL argument replaced by its name.

    `/patients/12/` stays as it is; `/p/<token>/` never shows the token. A path that resolved to
    no view may hold anything (a mistyped link with its token), so it is not logged at all.
    """
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    path = request.path
    arguments = [(name, value) for name, value in match.kwargs.items()]
    arguments += [(f"arg{index}", value) for index, value in enumerate(match.args)]
    for name, value in sorted(arguments, key=lambda pair: -len(str(pair[1]))):
        text = str(value)
        if not text or text.isdigit():
            continue
        path = re.sub(rf"(?<=/){re.escape(text)}(?=/|$)", f"<{name}>", path)
    return path


class RequestLogMiddleware:
    """Outermost middleware: sees every request, including redirects made by other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in QUIET_ROUTES and response.status_code < 400:
            return response
        path = loggable_path(request)
        exc_info = getattr(request, "_ops_exc_info", None)
        logger.log(
            logging.ERROR if response.status_code >= 500 else logging.INFO,
            "%s %s %s %sms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            exc_info=exc_info,
            extra={
                "method": request.method,
                "path": path,
                "route": match.route if match is not None else None,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Django turns the exception into a 500 after this; keep it for the request's log line.
        request._ops_exc_info = (type(exception), exception, exception.__traceback__)
        return None
