from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "clinic.guidance"
    label = "guidance"

    def ready(self) -> None:
        from clinic.guidance import (
            checks,  # noqa: F401 (registers the page check)
            safety_rules,
        )

        safety_rules.register_all()
