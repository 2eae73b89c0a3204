from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "clinic.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from clinic.dashboard import safety_rules

        safety_rules.register_all()
