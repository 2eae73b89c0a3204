"""Who may reach what. Every staff view goes through one of these decorators.

Object-level scoping (a patient of another clinic is a 404) lives in each app's selectors,
which all start from the acting user's clinic.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from clinic.accounts.models import Role

View = Callable[..., HttpResponse]

PATIENT_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})
OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR, Role.CLINIC_ADMIN})
ALL_ROLES = frozenset(Role)


def role_required(*roles: str) -> Callable[[View], View]:
    """Signed-in staff of a clinic whose role is one of `roles`; everyone else gets 403."""
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if user.clinic_id is None or user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(*ALL_ROLES)
patient_staff_required = role_required(*PATIENT_ROLES)
supervisor_required = role_required(Role.SUPERVISOR)
clinic_admin_required = role_required(Role.CLINIC_ADMIN)
oversight_required = role_required(*OVERSIGHT_ROLES)


# Pages for people without an account (a patient holding a link). The two-factor gate lets
# these through by this mark on the view, never by where their address starts; the guard test
# (tests/security/test_two_factor_gate.py) names every view that carries it.
PATIENT_FACING = "steady_patient_facing"


def patient_facing(view: View) -> View:
    """Mark a view as open to a patient without an account: no staff sign-in, no second factor."""
    setattr(view, PATIENT_FACING, True)
    return view


def is_patient_facing(view: Callable) -> bool:
    return bool(getattr(view, PATIENT_FACING, False))
