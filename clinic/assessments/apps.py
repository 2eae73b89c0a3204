from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "clinic.assessments"
    label = "assessments"

    def ready(self) -> None:
        from clinic.assessments import panels, patient_list, safety_rules
        from clinic.patients.page import register_panel

        safety_rules.register_all()
        patient_list.register_all()
        register_panel(panels.assessments_panel, order=30)
