from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "clinic.dashboard"
    label = "dashboard"
