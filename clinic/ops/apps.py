from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Steady: health check, request logs, backups. No models."""

    name = "clinic.ops"
    label = "ops"
    verbose_name = "Operations"
