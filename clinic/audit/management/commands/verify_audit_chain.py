"""Check the audit trail's hash chain: prints OK with the count, or the first broken link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from clinic.audit.chain import chain_verify
from clinic.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Verify that no audit event was changed, removed or inserted since it was written."

    def handle(self, *args, **options) -> None:
        rows = AuditEvent.objects.order_by("id").iterator(chunk_size=5000)
        report = chain_verify(rows)
        if not report.ok:
            raise CommandError(
                f"BROKEN at audit event id {report.broken_at}: {report.reason}. "
                f"{report.checked} event(s) before it verified."
            )
        self.stdout.write(f"OK: {report.checked} audit event(s), chain intact.")
