from django.apps import AppConfig


class SelfReportConfig(AppConfig):
    name = "clinic.selfreport"
    label = "selfreport"
