from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "clinic.assessments"
    label = "assessments"

    def ready(self) -> None:
        from clinic.assessments import safety_rules

        safety_rules.register_all()
