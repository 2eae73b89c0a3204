from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from clinic.accounts.models import Role, User


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username length actually enforced.

    AuthenticationForm only sets the widget's maxlength, so an over-long name reached
    authenticate() and overflowed django-axes' username column: a server error on demand.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = User._meta.get_field("username").max_length
        self.fields["username"].validators.append(MaxLengthValidator(limit))

    def get_invalid_login_error(self):
        until = getattr(self.request, "steady_account_slowed_until", None)  # clinic.accounts.slowdown
        if until is not None:
            return forms.ValidationError(
                "This account has had many failed sign-ins, so it takes one try at a time for now. "
                f"Try again after {timezone.localtime(until):%H:%M:%S}.",
                code="account_slowed",
            )
        return super().get_invalid_login_error()


class StaffUpdateForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "is_active"]
        labels = {"is_active": "Account active (untick to deactivate)"}

    def __init__(self, *args, acting_user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        # The model allows a blank role for superusers only; staff always have one.
        self.fields["role"].required = True
        self.acting_user = acting_user

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk == self.acting_user.pk:
            if cleaned.get("is_active") is False:
                self.add_error("is_active", "You cannot deactivate your own account.")
            if cleaned.get("role") and cleaned["role"] != Role.CLINIC_ADMIN:
                self.add_error("role", "You cannot remove your own clinic admin role.")
        return cleaned


def _compact(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


class SecondFactorForm(forms.Form):
    """A 6-digit code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = _compact(self.cleaned_data["code"])
        if len(code) == 6 and code.isascii() and code.isdigit():
            return code
        if len(code) == 8 and code.isalnum() and code.isascii():
            return code
        raise forms.ValidationError("Enter the 6 digits from your authenticator app, or an 8-character recovery code.")


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=16,
        help_text="After adding Steady to the app, type the 6-digit code it shows.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = _compact(self.cleaned_data["code"])
        if len(code) != 6 or not code.isdigit() or not code.isascii():
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.")
        return code
