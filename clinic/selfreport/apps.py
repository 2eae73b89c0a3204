from django.apps import AppConfig


class SelfReportConfig(AppConfig):
    name = "clinic.selfreport"
    label = "selfreport"

    def ready(self) -> None:
        from clinic.accounts.middleware import register_patient_path_prefix
        from clinic.patients.page import register_panel
        from clinic.selfreport import panels

        register_panel(panels.links_panel, order=40)
        register_patient_path_prefix("/p/")  # the patient pages' addresses (clinic/selfreport/urls.py)
