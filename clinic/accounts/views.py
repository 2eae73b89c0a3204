from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from clinic.accounts import lockout, services, two_factor
from clinic.accounts.access import oversight_required
from clinic.accounts.forms import EnrolmentCodeForm, SecondFactorForm
from clinic.accounts.models import Role
from clinic.audit.services import Action, audit_record
from clinic.lib.forms import posted

ENROLMENT_DEVICE_SESSION_KEY = "steady_enrolment_device"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page."""
    user = request.user
    if user.role == Role.CLINICIAN:
        return redirect("patients:list")
    if user.role == Role.SUPERVISOR:
        return redirect("dashboard:index")
    if user.role == Role.CLINIC_ADMIN:
        return redirect("staff_list")
    if user.is_superuser:
        return redirect("admin:index")
    raise PermissionDenied


# --- Your own account: password and two-factor sign-in --------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: `next` if it is one of ours, else home."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _second_factor_done(request: HttpRequest, device) -> None:
    django_otp.login(request, device)
    # A new session key once fully signed in, as at the password step.
    request.session.cycle_key()


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "has_two_factor": two_factor.user_has_device(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        services.password_change(request=request, user=request.user, new_password=form.cleaned_data["new_password1"])
        messages.success(request, "Your password was changed. You were signed out everywhere else.")
        return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor.user_has_device(user):
        return redirect("two_factor_enrol") if settings.REQUIRE_2FA else redirect(next_url)
    form = SecondFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        result = two_factor.second_factor_verify(request=request, user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            _second_factor_done(request, result.device)
            if result.used_recovery_code:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request, f"You used a recovery code; {left} left. You can make new ones on your account page."
                )
            return redirect(next_url)
        form.add_error("code", result.error)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user = request.user
    if two_factor.user_has_device(user):
        if not user.is_verified():
            return redirect("two_factor_verify")
        messages.info(request, "Two-factor sign-in is already set up.")
        return redirect("account")
    # The attempt's device is named in this session only; a page load starts a new attempt.
    device = None
    if request.method == "POST":
        device = two_factor.enrolment_device(user, request.session.get(ENROLMENT_DEVICE_SESSION_KEY))
    form = EnrolmentCodeForm(posted(request))
    if device is None:
        device = two_factor.enrolment_start(user=user)
        request.session[ENROLMENT_DEVICE_SESSION_KEY] = device.pk
        form = EnrolmentCodeForm()  # a code for a secret this page has not shown yet cannot match
        if request.method == "POST":
            messages.warning(request, "This set-up had ended. Scan the new QR code below, then type its code.")
    elif form.is_valid():
        codes = two_factor.enrolment_confirm(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(ENROLMENT_DEVICE_SESSION_KEY, None)
            _second_factor_done(request, device)
            # Shown once, in this response only (never cached: see NoStoreMiddleware).
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("code", "That code does not match. Check the app shows Steady, then type the newest code.")
    context = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_for_display(device),
        "next": _next_url(request),
        "required": settings.REQUIRE_2FA,
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    if not two_factor.user_has_device(request.user):
        return redirect("two_factor_enrol")
    codes = two_factor.recovery_codes_issue(request=request, user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": resolve_url("account")})


# --- Lockouts -------------------------------------------------------------------------------


@oversight_required
def lockout_list(request: HttpRequest) -> HttpResponse:
    lockouts = lockout.lockouts_of_clinic(request.user)
    audit_record(request=request, action=Action.VIEW, object_type="axes.accessattempt", detail="sign-in lockouts page")
    context = {
        "lockouts": lockouts,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "accounts/lockout_list.html", context)


@oversight_required
@require_POST
def lockout_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = lockout.lockout_get_for_user(request.user, pk)
    lockout.lockout_lift(request=request, attempt=attempt)
    messages.success(request, f"{attempt.username} can sign in again from {attempt.ip_address or 'that address'}.")
    return redirect("lockout_list")
