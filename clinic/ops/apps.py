from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Steady: health check, request logs, backups, and who owns each session."""

    name = "clinic.ops"
    label = "ops"
    verbose_name = "Operations"
