from __future__ import annotations

from django.core.management.base import BaseCommand

from clinic.selfreport.ratelimit import rate_counters_remove_old
from clinic.selfreport.services import patient_links_expire


class Command(BaseCommand):
    help = "Mark waiting patient links past their expiry as expired, and remove old rate-limit rows."

    def handle(self, *args, **options) -> None:
        expired = patient_links_expire()
        removed = rate_counters_remove_old()
        self.stdout.write(f"expired {expired} links, removed {removed} rate-limit rows")
