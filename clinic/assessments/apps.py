from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "clinic.assessments"
    label = "assessments"

    def ready(self) -> None:
        from clinic.assessments import correction_kinds, panels, patient_list, safety_rules, summary
        from clinic.patients.page import register_panel
        from clinic.patients.summary import register_summary_part

        safety_rules.register_all()
        patient_list.register_all()
        register_panel(panels.assessments_panel, order=30)
        register_summary_part(summary.scores_part, order=20)
        correction_kinds.register_all()
