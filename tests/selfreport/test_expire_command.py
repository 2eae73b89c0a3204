from __future__ import annotations

import datetime as dt
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.selfreport.models import LinkState, RateCounter
from clinic.selfreport.ratelimit import rate_limit_hit
from clinic.selfreport.services import patient_link_issue, patient_link_revoke


def run() -> str:
    out = StringIO()
    call_command("expire_patient_links", stdout=out)
    return out.getvalue().strip()


def test_the_command_expires_lapsed_links_once_and_clears_old_rate_counters(patient, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        short, _ = patient_link_issue(request=None, patient=patient, created_by=alice, valid_hours=1)
        revoked, _ = patient_link_issue(request=None, patient=patient, created_by=alice, valid_hours=1)
        patient_link_revoke(request=None, link=revoked, revoked_by=alice)
        long, _ = patient_link_issue(request=None, patient=patient, created_by=alice, valid_hours=168)
        rate_limit_hit("addr:10.0.0.1", limit=10)
        assert run() == "expired 0 links, removed 0 rate-limit rows"
        traveller.shift(dt.timedelta(hours=25))
        rate_limit_hit("addr:10.0.0.1", limit=10)
        assert run() == "expired 1 links, removed 1 rate-limit rows"
        assert run() == "expired 0 links, removed 0 rate-limit rows"
    for link in (short, revoked, long):
        link.refresh_from_db()
    assert short.state == LinkState.EXPIRED and short.expired_at is not None
    assert revoked.state == LinkState.REVOKED and revoked.expired_at is None
    assert long.state == LinkState.WAITING
    assert RateCounter.objects.count() == 1
    event = AuditEvent.objects.get(detail="patient link expired unused")
    assert event.actor is None and event.patient_id == patient.pk and event.clinic_id == patient.clinic_id
