"""Record the audit chain's head (count and last hash) outside the table: AUDIT_HEAD_FILE and the log.

Run it on a schedule (README "Audit trail"). It verifies the chain first and refuses to record
the head of a broken or shortened trail, which would hide the damage from the next check.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from clinic.audit.management.head import head_path, head_record, trail_check


class Command(BaseCommand):
    help = "Verify the audit chain and append its head (count, last hash) to AUDIT_HEAD_FILE and the log."

    def handle(self, *args, **options) -> None:
        check = trail_check()
        if not check.ok:
            raise CommandError(f"BROKEN: {check.problem}. Head not recorded.")
        head = head_record(check.report)
        self.stdout.write(f"Recorded audit head: {head.count} event(s), last hash {head.hash[:12]}… in {head_path()}")
