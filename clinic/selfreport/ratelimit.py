"""A small fixed-window rate limit kept in the database (production may run several app servers).

A patient filling in a form makes a handful of requests; the limits leave room for a slow phone
and a few mistakes, and stop a script hammering one link or the patient pages from one address.
Patients behind one clinic Wi-Fi or a carrier NAT share an address, so that limit is looser.
The limits are settings (PATIENT_LINK_RATE_PER_LINK, PATIENT_LINK_RATE_PER_ADDRESS) so a site
behind one large NAT, or a load test from one machine, can raise them without touching the code.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clinic.selfreport.models import RateCounter

WINDOW = dt.timedelta(minutes=10)
KEEP_WINDOWS_FOR = dt.timedelta(days=1)


def _window_start(now: dt.datetime) -> dt.datetime:
    seconds = int(WINDOW.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def rate_limit_hit(key: str, *, limit: int) -> bool:
    """Count one request for `key`; True if that puts it over `limit` in the current window."""
    window_start = _window_start(timezone.now())
    with transaction.atomic():
        counter, created = RateCounter.objects.select_for_update().get_or_create(
            key=key[:100], window_start=window_start, defaults={"hits": 1}
        )
        if not created:
            counter.hits += 1
            counter.save(update_fields=["hits"])
    return counter.hits > limit


def link_key(link_id: int) -> str:
    return f"link:{link_id}"


def address_key(address: str | None) -> str:
    return f"addr:{address or 'unknown'}"


def rate_counters_remove_old(*, now: dt.datetime | None = None) -> int:
    """Delete windows that ended long ago; returns how many rows went."""
    cutoff = (now or timezone.now()) - KEEP_WINDOWS_FOR
    deleted, _ = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
