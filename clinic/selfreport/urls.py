from django.urls import path, register_converter

from clinic.selfreport import views


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
    path("form/", views.form, name="form"),
    path("thanks/", views.thanks, name="thanks"),
    path("<link_token:token>/", views.start, name="start"),
    # The clinician's side.
    path("patients/<int:patient_pk>/new/", views.link_issue, name="link_issue"),
    path("links/<int:pk>/", views.link_issued, name="link_issued"),
    path("links/<int:pk>/email/", views.link_email, name="link_email"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
]
