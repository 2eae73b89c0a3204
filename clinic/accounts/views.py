from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic.accounts import selectors, services
from clinic.accounts.access import clinic_admin_required
from clinic.accounts.forms import StaffCreateForm, StaffUpdateForm
from clinic.accounts.models import Role


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


@clinic_admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = selectors.staff_of_clinic(request.user)
    return render(request, "accounts/staff_list.html", {"staff": staff})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = services.staff_create(request=request, clinic=request.user.clinic, **form.cleaned_data)
        messages.success(request, f"{member.display_name} can now sign in as {member.get_role_display().lower()}.")
        return redirect("staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "title": "Add a staff member"})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_update(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.staff_get_for_admin(request.user, pk)
    form = StaffUpdateForm(request.POST or None, instance=member, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        services.staff_update(request=request, user=member, fields=form.cleaned_data)
        messages.success(request, f"Saved {member.display_name}.")
        return redirect("staff_list")
    return render(
        request, "accounts/staff_form.html", {"form": form, "title": f"Edit {member.display_name}", "member": member}
    )
