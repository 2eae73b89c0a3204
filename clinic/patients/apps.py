from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinic.patients"
    label = "patients"
    verbose_name = "Patients, visits and 7-OH use"

    def ready(self) -> None:
        from clinic.accounts.models import Role
        from clinic.accounts.navigation import NavItem, register_nav
        from clinic.patients import correction_kinds, correction_panels, panels, safety_rules, summary
        from clinic.patients.page import register_panel

        safety_rules.register_all()
        register_panel(panels.safety_panel, order=10)  # first: the attention region's reasons, urgent first
        register_panel(panels.use_panel, order=20)
        summary.register_summary_part(summary.use_part, order=10)
        register_nav(NavItem("patients:list", "Patients", roles=frozenset({Role.CLINICIAN, Role.SUPERVISOR}), order=20))
        correction_kinds.register_all()
        register_panel(correction_panels.in_error_panel, order=90)  # entries in error, marked, in their place
