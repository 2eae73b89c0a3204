from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "clinic.assessments"
    label = "assessments"

    def ready(self) -> None:
        from clinic.assessments import correction_kinds, safety_rules

        safety_rules.register_all()
        correction_kinds.register_all()
