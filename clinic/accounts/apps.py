from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Clinics and staff"

    def ready(self) -> None:
        # Sign-in events are only announced through Django's auth signals.
        from clinic.accounts import auth_events, slowdown  # noqa: F401
        from clinic.accounts.models import Role
        from clinic.accounts.navigation import NavItem, register_nav

        register_nav(NavItem("staff_list", "Staff", roles=frozenset({Role.CLINIC_ADMIN}), order=50))
        register_nav(
            NavItem("lockout_list", "Lockouts", roles=frozenset({Role.SUPERVISOR, Role.CLINIC_ADMIN}), order=60)
        )
