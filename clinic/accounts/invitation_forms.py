"""Forms of invitations and password resets (clinic/accounts/invitations.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from clinic.accounts.models import Role, User

_USERNAME_MAX = User._meta.get_field("username").max_length


class StaffInviteForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(
        max_length=_USERNAME_MAX, help_text="Steady sends the invitation here; it is also their username."
    )
    role = forms.ChoiceField(choices=Role.choices)

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        try:
            UnicodeUsernameValidator()(email)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Steady uses the email address as the username: use one with only letters, digits and @ . + - _."
            ) from None
        if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone with that email address is already on Steady.")
        return email


class PasswordForgotForm(forms.Form):
    identifier = forms.CharField(
        label="Your username or email address",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )

    def clean_identifier(self) -> str:
        return self.cleaned_data["identifier"].strip()


class ConfirmForm(forms.Form):
    """An explicit yes, posted from a page that said what will happen."""

    confirm = forms.BooleanField(label="Yes, do this")
