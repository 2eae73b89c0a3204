from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "clinic.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from clinic.accounts.models import Role
        from clinic.accounts.navigation import NavItem, register_nav
        from clinic.dashboard import safety_rules

        safety_rules.register_all()
        register_nav(
            NavItem("dashboard:index", "Dashboard", roles=frozenset({Role.SUPERVISOR, Role.CLINICIAN}), order=10)
        )
