from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "clinic.guidance"
    label = "guidance"
