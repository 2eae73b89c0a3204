"""Check the audit trail: every row's link and key, then the head recorded outside the table.

Prints OK with the count (and records the new head), or BROKEN with the first problem and exits 1.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from clinic.audit.management.head import head_record, trail_check


class Command(BaseCommand):
    help = (
        "Verify that no audit event was changed, removed or inserted since it was written, "
        "compare with the last recorded head, and record the new head."
    )

    def handle(self, *args, **options) -> None:
        check = trail_check()
        report = check.report
        if not check.ok:
            raise CommandError(f"BROKEN: {check.problem}. {report.checked} event(s) before it verified.")
        self.stdout.write(f"OK: {report.checked} audit event(s), chain intact.")
        if report.unkeyed:
            self.stdout.write(
                f"The first {report.unkeyed} event(s) were written before the chain was keyed: they are "
                "chained with plain SHA-256, which someone with write access to the database could recompute."
            )
        if check.previous is None:
            self.stdout.write(
                "No head was recorded before this check, so removal of the newest events could not be checked."
            )
        head = head_record(report)
        self.stdout.write(f"Head recorded: {head.count} event(s), last hash {head.hash[:12]}…")
