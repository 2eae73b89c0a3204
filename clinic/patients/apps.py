from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinic.patients"
    label = "patients"
    verbose_name = "Patients, visits and 7-OH use"

    def ready(self) -> None:
        from clinic.patients import correction_kinds, safety_rules

        safety_rules.register_all()
        correction_kinds.register_all()
