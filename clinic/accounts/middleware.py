"""Project-wide security middleware: session lifetime, the two-factor gate, and no-store.

They work on every URL, including pages that other apps add later, without anything in the
views: a new staff page is covered as soon as it exists.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin

from clinic.accounts import sessions, two_factor
from clinic.accounts.access import is_patient_facing

# Patient self-report pages: public, reached by a link; never cached, never leak a referrer.
# Headers only: what a visitor may reach is never decided by a path prefix. The app that serves
# them registers its prefix (register_patient_path_prefix, from its AppConfig.ready()), so
# accounts names no app above it; a view marked access.patient_facing gets the same headers.
_PATIENT_PATH_PREFIXES: list[str] = []


def register_patient_path_prefix(prefix: str) -> None:
    if not (prefix.startswith("/") and prefix.endswith("/") and len(prefix) > 1):
        raise ValueError(f"A patient path prefix is a path like '/p/', not {prefix!r}.")
    if prefix not in _PATIENT_PATH_PREFIXES:
        _PATIENT_PATH_PREFIXES.append(prefix)


def _patient_page(request: HttpRequest) -> bool:
    if request.path.startswith(tuple(_PATIENT_PATH_PREFIXES)):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and is_patient_facing(match.func)


# Pages an unverified person may still open: signing in, giving or enrolling a second factor.
# Patient-facing views (marked with access.patient_facing) are let through too, by that mark.
TWO_FACTOR_EXEMPT_VIEWS = frozenset({"login", "logout", "two_factor_verify", "two_factor_enrol"})


def _signed_in(request: HttpRequest) -> bool:
    # Reads the session only, so anonymous requests cost no user query.
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


def second_factor_pending(request: HttpRequest) -> bool:
    """Signed in with a password, but still owing the second factor."""
    if not _signed_in(request):
        return False
    user = request.user
    # is_verified comes from django-otp's middleware; without it this fails loudly, never open.
    if not user.is_authenticated or user.is_verified():
        return False
    return bool(settings.REQUIRE_2FA or request.session.get(sessions.SECOND_FACTOR_EXPECTED))


class SessionLifetimeMiddleware:
    """Ends a session after the idle or absolute limit; records activity at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request):
            self._enforce(request)
        return self.get_response(request)

    def _enforce(self, request: HttpRequest) -> None:
        session = request.session
        now = sessions.now_seconds()
        signed_in_at = session.get(sessions.SIGNED_IN_AT)
        last_seen = session.get(sessions.LAST_SEEN)
        if signed_in_at is None or now - signed_in_at >= settings.SESSION_ABSOLUTE_SECONDS:
            hours = settings.SESSION_ABSOLUTE_SECONDS // 3600
            self._end(
                request,
                f"session limit of {hours} hours reached",
                f"You were signed out: sessions last {hours} hours at most.",
            )
        elif last_seen is None or now - last_seen >= settings.SESSION_IDLE_SECONDS:
            minutes = settings.SESSION_IDLE_SECONDS // 60
            self._end(
                request, f"idle for {minutes} minutes", f"You were signed out after {minutes} minutes without activity."
            )
        elif now - last_seen >= settings.SESSION_ACTIVITY_RESOLUTION_SECONDS:
            session[sessions.LAST_SEEN] = now

    @staticmethod
    def _end(request: HttpRequest, reason: str, message: str) -> None:
        request.steady_sign_out_reason = reason  # read by the audit receiver of user_logged_out
        logout(request)
        messages.info(request, message + " Please sign in again.")


class TwoFactorMiddleware(MiddlewareMixin):
    """Nothing but the second-factor pages until a signed-in person has given their second factor.

    Applies when REQUIRE_2FA is on, and to anyone who has enrolled a device in any case.
    """

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not _signed_in(request) or is_patient_facing(view_func):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        if not second_factor_pending(request):
            return None
        target = "two_factor_verify" if two_factor.user_has_device(request.user) else "two_factor_enrol"
        return redirect_to_login(request.get_full_path(), reverse(target))


class NoStoreMiddleware:
    """Cache-Control: no-store on every response to a signed-in person and every patient page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _patient_page(request):
            add_never_cache_headers(response)
            # A view may already have set it; never replace a view's own policy.
            response.headers.setdefault("Referrer-Policy", "no-referrer")
        elif _signed_in(request):
            add_never_cache_headers(response)
        return response
