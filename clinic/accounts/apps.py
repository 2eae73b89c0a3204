from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Clinics and staff"

    def ready(self) -> None:
        # Sign-in events are only announced through Django's auth signals.
        from clinic.accounts import auth_events, slowdown  # noqa: F401
