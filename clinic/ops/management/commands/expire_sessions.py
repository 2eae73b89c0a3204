"""Remove expired sessions and their owner rows: Django's `clearsessions`, with a summary.

Run it every hour or so (cron, a systemd timer) until the job queue runs it.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

from clinic.ops.models import SessionOwner


class Command(BaseCommand):
    help = "Delete expired sessions (clearsessions) and the owner rows of sessions that are gone."

    def handle(self, *args, **options) -> None:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        model = store.get_model_class()
        sessions, owners = model.objects.count(), SessionOwner.objects.count()
        store.clear_expired()
        removed = sessions - model.objects.count()
        owners_removed = owners - SessionOwner.objects.count()
        self.stdout.write(
            f"expire_sessions: {removed} expired session(s) removed, {owners_removed} owner row(s) removed, "
            f"{model.objects.count()} session(s) left."
        )
