"""Patient links' addresses: the patient's pages under /p/, the staff pages under the patient.

Included at the project's root, so both sides keep the `selfreport:` names.
"""

from django.urls import path, register_converter

from clinic.selfreport import patient_views, staff_views


class TokenConverter:
    """The 43 URL-safe characters of a token (with room to spare); never matches "form" or "thanks"."""

    regex = r"[A-Za-z0-9_-]{20,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "link_token")

app_name = "selfreport"
urlpatterns = [
    # The patient's side: public, no account.
    path("p/form/", patient_views.answers, name="form"),
    path("p/thanks/", patient_views.thanks, name="thanks"),
    path("p/<link_token:token>/", patient_views.start, name="start"),
    # The staff side, on the patient's record: signed in, second factor given, clinic-scoped.
    path("patients/<int:patient_pk>/links/new/", staff_views.link_issue, name="link_issue"),
    path("patients/<int:patient_pk>/links/<int:pk>/email/", staff_views.link_email, name="link_email"),
    path("patients/<int:patient_pk>/links/<int:pk>/revoke/", staff_views.link_revoke, name="link_revoke"),
]
