"""Staff management views: invitations, password resets, and confirmations of account changes.

Public: "forgot password" and the set-password page a link opens. For clinic admins: invite a
staff member, send a reset link, and the confirmation pages for a role change, a deactivation
and a two-factor reset.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic.accounts import invitations, selectors, services, two_factor
from clinic.accounts.access import clinic_admin_required
from clinic.accounts.forms import StaffUpdateForm
from clinic.accounts.invitation_forms import ConfirmForm, PasswordForgotForm, StaffInviteForm
from clinic.accounts.models import AccountLinkPurpose, Role, User
from clinic.lib.forms import posted

# What each role may do, said on the role-change confirmation (README "Who can do what").
ROLE_REACH = {
    Role.CLINICIAN: "works with the clinic's patients and sees a dashboard of their own caseload",
    Role.SUPERVISOR: "works with every patient of the clinic and sees the clinic-wide dashboard, "
    "the audit trail and sign-in lockouts",
    Role.CLINIC_ADMIN: "manages staff and sees the audit trail and lockouts, but no clinical records",
}


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # The link's token is in this page's address: never send it on to another site.
    response["Referrer-Policy"] = "no-referrer"
    return response


@clinic_admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """The clinic's staff with their role, two-factor status and last sign-in."""
    staff = selectors.staff_of_clinic_with_sign_in_status(request.user)
    return render(request, "accounts/staff_list.html", {"staff": staff})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_invite(request: HttpRequest) -> HttpResponse:
    """Invite a staff member by name, email and role; they choose their own password."""
    form = StaffInviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            member = invitations.staff_invite(request=request, clinic=request.user.clinic, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {member.email}. The link works once, within 72 hours; "
                f"{member.display_name} then sets up two-factor sign-in.",
            )
            return redirect("staff_list")
    return render(request, "accounts/staff_invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not the account exists."""
    form = PasswordForgotForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitations.password_reset_request(request=request, identifier=form.cleaned_data["identifier"])
        except invitations.TooManyRequests:
            return render(request, "accounts/password_forgot.html", {"form": form, "too_many": True}, status=429)
        return render(request, "accounts/password_forgot_sent.html")
    return render(request, "accounts/password_forgot.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_set(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation or reset link opens: GET shows the form; only the POST uses the link."""
    link = invitations.account_link_get(token)
    if link is None:
        return _no_referrer(render(request, "accounts/password_link_invalid.html", status=404))
    form = SetPasswordForm(link.user, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitations.account_link_use(request=request, link=link, new_password=form.cleaned_data["new_password1"])
        except invitations.LinkUsed:
            return _no_referrer(render(request, "accounts/password_link_invalid.html", status=404))
        if link.purpose == AccountLinkPurpose.INVITATION:
            messages.success(request, "Your password is set. Sign in, then set up two-factor sign-in.")
        else:
            messages.success(request, "Your password is changed. Sign in with it and your authenticator app.")
        return redirect("login")
    context = {"form": form, "person": link.user, "invitation": link.purpose == AccountLinkPurpose.INVITATION}
    return _no_referrer(render(request, "accounts/password_set.html", context))


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_reset_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Email a staff member a password-reset link, after a page that says what it does."""
    member = selectors.staff_get_for_admin(request.user, pk)
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid() and member.email and member.is_active:
        invitations.reset_link_send(request=request, member=member)
        messages.success(request, f"A reset link was emailed to {member.email}.")
        return redirect("staff_update", pk=member.pk)
    consequences = (
        [
            f"Steady emails {member.email} a link that lets {member.display_name} choose a new password, "
            "once, within 2 hours.",
            "Their current password keeps working until they use the link; then their sessions end.",
            "Their two-factor sign-in stays as it is: signing in still needs their authenticator app.",
        ]
        if member.email and member.is_active
        else []
    )
    context = {
        "form": form,
        "member": member,
        "title": f"Send {member.display_name} a password reset link?",
        "consequences": consequences,
        "impossible": "" if consequences else "This account has no email address or is deactivated.",
        "action": "Send the link",
    }
    return render(request, "accounts/staff_confirm.html", context)


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset a staff member's two-factor sign-in (a lost phone), after a page that says what happens."""
    member = selectors.staff_get_for_admin(request.user, pk)
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        two_factor.two_factor_reset(request=request, member=member)
        messages.success(request, f"{member.display_name} was signed out and will set up two-factor sign-in again.")
        return redirect("staff_update", pk=member.pk)
    context = {
        "form": form,
        "member": member,
        "title": f"Reset {member.display_name}'s two-factor sign-in?",
        "consequences": [
            f"{member.display_name}'s authenticator app and recovery codes stop working now.",
            f"{member.display_name} is signed out everywhere now.",
            "At their next sign-in, after their password, they set up two-factor sign-in again.",
        ],
        "action": "Reset two-factor sign-in",
    }
    return render(request, "accounts/staff_confirm.html", context)


def staff_update_consequences(member: User, cleaned: dict) -> list[str]:
    """What saving this form would do that needs a confirmation: a role change, a deactivation."""
    said = []
    if cleaned.get("role") and cleaned["role"] != member.role:
        new = Role(cleaned["role"])
        said.append(
            f"{member.display_name}'s role changes from {member.get_role_display()} to {new.label}: "
            f"a {new.label.lower()} {ROLE_REACH[new]}. This applies from their next page."
        )
    if member.is_active and cleaned.get("is_active") is False:
        said.append(
            f"{member.display_name} can no longer sign in, and is signed out everywhere now. "
            "Their records and their audit history stay; you can reactivate the account later."
        )
    return said


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a staff member. A role change or a deactivation first shows what it will do."""
    member = selectors.staff_get_for_admin(request.user, pk)
    stored = User.objects.get(pk=member.pk)  # the form copies posted values onto `member`
    form = StaffUpdateForm(posted(request), instance=member, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        consequences = staff_update_consequences(stored, form.cleaned_data)
        if consequences and request.POST.get("confirmed") != "yes":
            context = {"form": form, "member": stored, "consequences": consequences}
            return render(request, "accounts/staff_update_confirm.html", context)
        services.staff_update(request=request, user=member, fields=form.cleaned_data)
        messages.success(request, f"Saved {member.display_name}.")
        return redirect("staff_list")
    context = {
        "form": form,
        "title": f"Edit {stored.display_name}",
        "member": stored,
        "member_has_two_factor": two_factor.user_has_device(stored),
    }
    return render(request, "accounts/staff_form.html", context)
